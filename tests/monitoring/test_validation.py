"""The one validation of delivery rows: each rule, as a provider meets it in a file.

Every rejected file names the row, the column, the value as given and what was expected,
and stores nothing.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bdsmarket.core.clock import program_today
from bdsmarket.core.tabular import ImportResult, TableError
from bdsmarket.monitoring.importers import DeliveryImporter
from bdsmarket.monitoring.models import Delivery, ImportBatch, Submission, SubmissionStatus
from bdsmarket.monitoring.services import submission_get_or_create
from bdsmarket.monitoring.validation import payers_complete
from bdsmarket.registry.models import Program

COLUMNS = [
    "provider_code",
    "date",
    "client_id",
    "client_type",
    "client_gender",
    "client_sector",
    "client_city",
    "service_type",
    "service_name",
    "participants",
    "price",
    "paid_by_client",
    "paid_by_voucher",
    "voucher_code",
    "paid_by_third_party",
    "third_party",
    "reference",
]
GOOD = {
    "provider_code": "CDE-LIM-01",
    "date": "2003-05-12",
    "client_id": "44556677",
    "client_type": "micro",
    "client_gender": "female",
    "client_sector": "garments",
    "client_city": "Lima",
    "service_type": "training",
    "service_name": "Costos para confeccionistas",
    "participants": "1",
    "price": "30.00",
    "paid_by_client": "20.00",
    "paid_by_voucher": "10.00",
    "voucher_code": "BP-0001",
    "paid_by_third_party": "",
    "third_party": "",
    "reference": "",
}


def row(**overrides: str) -> dict[str, str]:
    """Return a valid delivery row of provider_a with some values changed."""
    return {**GOOD, **overrides}


def deliveries_file(
    *rows: dict[str, str], columns: list[str] = COLUMNS, name: str = "entregas.csv"
) -> SimpleUploadedFile:
    """Return a CSV upload with `columns` as its header and `rows` under it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def import_rows(actor, *rows: dict[str, str], language: str = "en", **options) -> ImportResult:
    """Import `rows` as `actor`, with messages in `language`."""
    with translation.override(language):
        return DeliveryImporter(actor=actor).run(deliveries_file(*rows, **options))


def the_error(result: ImportResult) -> TableError:
    """Return the one error of a rejected import."""
    assert result.rejected
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def assert_nothing_stored() -> None:
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Submission.objects.count() == 0


@pytest.fixture
def sender(manager, provider_a, provider_b):
    """Program staff, who may send rows of any provider."""
    return manager


# Columns and values


def test_it_rejects_a_file_without_a_required_column(sender):
    columns = [column for column in COLUMNS if column != "price"]
    result = import_rows(sender, row(), columns=columns)

    error = the_error(result)
    assert (error.row, error.column, error.value) == (1, "price", "")
    assert "precio" in error.expected
    assert_nothing_stored()


def test_it_rejects_a_row_without_a_required_value(sender):
    result = import_rows(sender, row(), row(client_id=""))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (3, "client_id", "")
    assert error.expected == "a value: this column is required"
    assert_nothing_stored()


def test_it_rejects_a_value_of_the_wrong_type(sender):
    result = import_rows(sender, row(participants="dos"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "participants", "dos")
    assert "a whole number" in error.expected
    assert_nothing_stored()


def test_it_rejects_a_value_that_is_none_of_the_choices(sender):
    result = import_rows(sender, row(client_type="giant"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "client_type", "giant")
    assert "pre_enterprise (Pre-enterprise)" in error.expected
    assert_nothing_stored()


def test_it_takes_choices_by_code_label_or_alias_in_either_language(sender):
    result = import_rows(
        sender,
        row(client_gender="Mujer", service_type="Capacitación", client_type="pre-empresa"),
        row(client_gender="femenino", service_type="TRAINING", client_type="Micro-enterprise"),
        row(client_gender="Female", service_type="asistencia tecnica", client_type="pequeña"),
    )

    assert result.errors == []
    stored = list(
        Delivery.objects.order_by("row_number").values_list(
            "client_gender", "service_type", "client_type"
        )
    )
    assert stored == [
        ("female", "training", "pre_enterprise"),
        ("female", "training", "micro"),
        ("female", "technical_assistance", "small"),
    ]


def test_it_rejects_payers_that_do_not_add_up_to_the_price_and_says_their_sum(sender):
    result = import_rows(sender, row(price="30.00", paid_by_client="20.00", paid_by_voucher="5"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "price", "30.00")
    assert "25.00" in error.expected
    assert_nothing_stored()


def test_payers_must_add_up_to_the_cent(sender):
    result = import_rows(
        sender,
        row(price="30.00", paid_by_client="19.99", paid_by_voucher="10.00"),
    )

    error = the_error(result)
    assert (error.column, error.value) == ("price", "30.00")
    assert "29.99" in error.expected
    assert_nothing_stored()


def test_it_rejects_a_voucher_payment_without_the_voucher_s_code(sender):
    result = import_rows(sender, row(voucher_code=""))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "voucher_code", "")
    assert "required when a part is paid by voucher" in error.expected
    assert_nothing_stored()


def test_a_row_paid_without_a_voucher_needs_no_voucher_code(sender):
    result = import_rows(
        sender,
        row(
            price="30",
            paid_by_client="10",
            paid_by_voucher="",
            voucher_code="",
            paid_by_third_party="20",
            third_party="Municipalidad",
        ),
    )

    assert result.errors == []
    delivery = Delivery.objects.get()
    assert (delivery.paid_by_voucher, delivery.paid_by_third_party) == (0, 20)
    assert delivery.third_party == "Municipalidad"


def test_it_rejects_a_date_that_does_not_exist(sender):
    result = import_rows(sender, row(date="31/02/2003"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "date", "31/02/2003")
    assert "a date such as 2003-05-31" in error.expected
    assert_nothing_stored()


def test_it_rejects_a_date_in_the_future(sender):
    tomorrow = (program_today() + timedelta(days=1)).isoformat()

    result = import_rows(sender, row(date=tomorrow))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "date", tomorrow)
    assert error.expected == f"a date not after today ({program_today().isoformat()})"
    assert_nothing_stored()


def test_today_is_the_day_in_the_program_s_time_zone(program):
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) never share a date.
    Program.objects.update(time_zone="Pacific/Kiritimati")
    ahead = program_today()
    Program.objects.update(time_zone="Pacific/Pago_Pago")
    behind = program_today()

    assert ahead - behind == timedelta(days=1)


def test_it_rejects_a_client_id_that_looks_like_a_ruc_but_is_not_one(sender):
    result = import_rows(sender, row(client_id="20100047219"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "client_id", "20100047219")
    assert "RUC (11 digits with a correct check digit)" in error.expected
    assert_nothing_stored()


def test_a_client_without_a_national_id_keeps_the_provider_s_number(sender):
    result = import_rows(sender, row(client_id="C-0012"), row(client_id="2010 0047 218"))

    assert result.errors == []
    stored = dict(Delivery.objects.values_list("client_id", "client_key"))
    assert stored == {"C-0012": "CDE-LIM-01:C-0012", "20100047218": "ruc:20100047218"}


def test_it_rejects_an_unknown_provider_code(sender):
    result = import_rows(sender, row(provider_code="CDE-XXX-99"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "provider_code", "CDE-XXX-99")
    assert error.expected.startswith("the code of a provider of the program")
    assert_nothing_stored()


def test_it_rejects_an_unknown_city(sender):
    result = import_rows(sender, row(client_city="Atlantis"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "client_city", "Atlantis")
    assert "Chiclayo" in error.expected and "accents are optional" in error.expected
    assert_nothing_stored()


def test_it_finds_a_city_without_its_accents(sender):
    result = import_rows(sender, row(client_city="HUANUCO"))

    assert result.errors == []
    assert Delivery.objects.get().client_city.name == "Huánuco"


def test_it_rejects_an_unknown_sector(sender):
    result = import_rows(sender, row(client_sector="aerospace"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "client_sector", "aerospace")
    assert "garments" in error.expected
    assert_nothing_stored()


def test_it_finds_a_sector_by_its_spanish_name_or_isic_code(sender):
    result = import_rows(sender, row(client_sector="Calzado"), row(client_sector="1520"))

    assert result.errors == []
    assert set(Delivery.objects.values_list("client_sector__code", flat=True)) == {"footwear"}


def test_it_rejects_fewer_than_one_participant(sender):
    result = import_rows(sender, row(participants="0"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "participants", "0")
    assert error.expected == "a whole number of at least 1"
    assert_nothing_stored()


def test_it_rejects_text_longer_than_its_column_holds(sender):
    name = "x" * 201

    result = import_rows(sender, row(service_name=name))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "service_name", name)
    assert error.expected == "text of at most 200 characters (this one has 201)"
    assert_nothing_stored()


def test_it_rejects_an_amount_too_large_to_store(sender):
    result = import_rows(
        sender, row(price="1000000000000", paid_by_client="1000000000000", paid_by_voucher="")
    )

    assert [(e.column, e.value) for e in result.errors] == [
        ("price", "1000000000000"),
        ("paid_by_client", "1000000000000"),
    ]
    assert_nothing_stored()


def test_it_rejects_a_reference_used_twice_in_the_file(sender):
    result = import_rows(
        sender, row(reference="A-1"), row(reference="A-2"), row(reference="A-1", client_id="C-9")
    )

    error = the_error(result)
    assert (error.row, error.column, error.value) == (4, "reference", "A-1")
    assert error.expected == "a value not already used in row 2 of this file"
    assert_nothing_stored()


def test_the_same_reference_of_two_providers_is_no_duplicate(sender):
    result = import_rows(
        sender,
        row(reference="A-1"),
        row(reference="A-1", provider_code="CDE-CIX-01", client_city="Chiclayo"),
    )

    assert result.errors == []
    assert Delivery.objects.count() == 2


# Reports that can no longer change


def _report(provider, month: date, status: str) -> Submission:
    submission = submission_get_or_create(actor=None, provider=provider, month=month)
    Submission.objects.filter(pk=submission.pk).update(status=status)
    return submission


def test_it_rejects_rows_of_a_month_whose_report_is_approved(sender, provider_a):
    _report(provider_a, date(2003, 5, 1), SubmissionStatus.APPROVED)

    result = import_rows(sender, row(date="2003-04-30"), row(date="2003-05-12"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (3, "date", "2003-05-12")
    assert "CDE-LIM-01 for 2003-05 is approved; ask for an amendment" in error.expected
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("status", [SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED])
def test_it_rejects_rows_of_a_month_whose_report_is_under_review(sender, provider_a, status):
    _report(provider_a, date(2003, 5, 1), status)

    result = import_rows(sender, row())

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "date", "2003-05-12")
    assert "is under review" in error.expected and "amendment" in error.expected
    assert Delivery.objects.count() == 0


def test_a_file_sent_again_is_told_of_a_later_month_now_approved(sender, provider_a, monkeypatch):
    # Sent again, a file's first block is stored already, which PostgreSQL's COPY finds out
    # only when it ends: here, as the second block looks up May's report.
    monkeypatch.setattr(DeliveryImporter, "block_rows", 2)
    april = [row(date="2003-04-30", reference=f"A-{n}", client_id=f"C-{n}") for n in range(2)]
    may = row(date="2003-05-12", reference="M-1")
    assert import_rows(sender, *april, may).created == 3
    Submission.objects.filter(period__month=date(2003, 5, 1)).update(
        status=SubmissionStatus.APPROVED
    )

    result = import_rows(sender, *april, may, row(date="2003-05-13", reference="M-2"))

    assert [(e.row, e.column) for e in result.errors] == [(4, "date"), (5, "date")]
    assert all("2003-05 is approved; ask for an amendment" in e.expected for e in result.errors)
    assert Delivery.objects.count() == 3


def test_rows_of_a_returned_report_are_taken(sender, provider_a):
    submission = _report(provider_a, date(2003, 5, 1), SubmissionStatus.RETURNED)

    result = import_rows(sender, row())

    assert result.errors == []
    assert Delivery.objects.get().submission == submission


def test_a_month_without_a_report_gets_a_draft_one(sender, provider_a):
    result = import_rows(sender, row())

    assert result.created == 1
    submission = Submission.objects.get()
    assert (submission.provider, submission.period.month) == (provider_a, date(2003, 5, 1))
    assert submission.status == SubmissionStatus.DRAFT


# Who sends what


def test_provider_staff_cannot_send_rows_of_another_provider(staff_b, provider_a):
    result = import_rows(staff_b, row(provider_code="CDE-CIX-01", client_city="Chiclayo"), row())

    error = the_error(result)
    assert (error.row, error.column, error.value) == (3, "provider_code", "CDE-LIM-01")
    assert "your own provider's code (CDE-CIX-01)" in error.expected
    assert_nothing_stored()


def test_provider_staff_hear_the_same_about_a_code_that_does_not_exist(staff_b):
    result = import_rows(staff_b, row(provider_code="CDE-NONE"))

    assert "your own provider's code (CDE-CIX-01)" in the_error(result).expected


# Reporting


def test_it_reports_every_problem_of_a_row_in_the_file_s_column_order(sender):
    result = import_rows(
        sender, row(client_city="Atlantis", date="2003-13-01", price="treinta", voucher_code="")
    )

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "date"),
        (2, "client_city"),
        (2, "price"),
        (2, "voucher_code"),
    ]
    assert_nothing_stored()


def test_problems_are_told_in_the_user_s_language_with_the_file_s_column_names(sender):
    spanish = {
        "codigo_proveedor": "CDE-LIM-01",
        "fecha": "12/05/2003",
        "id_cliente": "44556677",
        "tipo_cliente": "Microempresa",
        "genero": "Mujer",
        "sector": "Confecciones",
        "ciudad": "Lima",
        "tipo_servicio": "Capacitación",
        "precio": "treinta",
        "pagado_cliente": "30",
    }

    result = import_rows(sender, spanish, columns=list(spanish), language="es")

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "precio", "treinta")
    assert error.expected.startswith("un número")
    assert_nothing_stored()


def test_a_repeated_reference_is_reported_beside_the_file_s_other_errors(sender):
    result = import_rows(
        sender,
        row(reference="A-1"),
        row(reference="A-2", client_city="Atlantis"),
        row(reference="A-1", client_id="C-9"),
    )

    assert [(e.row, e.column) for e in result.errors] == [(3, "client_city"), (4, "reference")]
    assert_nothing_stored()


def test_a_reference_repeated_across_blocks_of_a_large_file_is_found(sender, monkeypatch):
    monkeypatch.setattr(DeliveryImporter, "block_rows", 2)
    rows = [row(reference=f"R-{number}", client_id=f"C-{number}") for number in range(7)]
    rows.append(row(reference="R-1", client_id="C-99"))

    result = import_rows(sender, *rows)

    error = the_error(result)
    assert (error.row, error.column, error.value) == (9, "reference", "R-1")
    assert error.expected == "a value not already used in row 3 of this file"
    assert_nothing_stored()


# The payers of a row typed in a form


def test_an_empty_client_part_is_what_the_voucher_and_third_parties_leave():
    assert payers_complete(Decimal("80.00"), None, Decimal("50.00"), None) == (
        Decimal("30.00"),
        Decimal("50.00"),
        Decimal(0),
    )
    assert payers_complete(Decimal("80.00"), None, Decimal("50.00"), Decimal("10.00")) == (
        Decimal("20.00"),
        Decimal("50.00"),
        Decimal("10.00"),
    )
    assert payers_complete(Decimal("80.00"), None, None, None) == (
        Decimal("80.00"),
        Decimal(0),
        Decimal(0),
    )


def test_a_client_part_typed_is_kept_for_the_checker_to_judge():
    assert payers_complete(Decimal("80.00"), Decimal("25.00"), None, None) == (
        Decimal("25.00"),
        Decimal(0),
        Decimal(0),
    )


def test_other_payers_beyond_the_price_leave_no_client_part():
    with pytest.raises(ValidationError) as refused:
        payers_complete(Decimal("30.00"), None, Decimal("50.00"), None)

    assert refused.value.message_dict == {
        "paid_by_voucher": [
            "The voucher's and third parties' parts (50.00) are more than the price (30.00)."
        ]
    }
