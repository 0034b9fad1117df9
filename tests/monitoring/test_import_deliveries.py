"""Importing deliveries from files: real spreadsheets, idempotent, all or nothing, by whom."""

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bdsmarket.core.tabular import importers, template_xlsx
from bdsmarket.monitoring import storing
from bdsmarket.monitoring.importers import DeliveryImporter
from bdsmarket.monitoring.models import Delivery, ImportBatch, Submission
from bdsmarket.monitoring.validation import DELIVERY_SPEC

from .test_validation import COLUMNS, deliveries_file, import_rows, row

# What Excel writes as "CSV (delimitado por comas)" under Spanish regional settings on
# Windows: `;` between cells, decimal commas, thousands dots, day-first dates, Windows-1252.
SPANISH_EXCEL_CSV = (
    "codigo_proveedor;fecha;id_cliente;tipo_cliente;genero;sector;ciudad;tipo_servicio;"
    "servicio;participantes;precio;pagado_cliente;pagado_bono;codigo_bono;pagado_terceros;"
    "tercero;referencia\r\n"
    "CDE-LIM-01;12/05/2003;44556677;Microempresa;Mujer;Confecciones;Huánuco;Capacitación;"
    "Costos básicos;1;1.234,50;1.000,00;234,50;BP-0001;;;R-1\r\n"
    "CDE-LIM-01;13/05/2003;20100047218;Pequeña empresa;Mixto;Calzado;Lima;"
    "Asistencia técnica;Diseño de calzado;3;90;30;;;60,00;Municipalidad de Lima;R-2\r\n"
).encode("cp1252")


def test_deliveries_and_costs_are_offered_by_the_import_command_and_page():
    kinds = importers()
    assert "deliveries" in kinds and "costs" in kinds


def test_excel_s_spanish_csv_just_works(staff_a, provider_a):
    file = SimpleUploadedFile("entregas.csv", SPANISH_EXCEL_CSV)

    result = DeliveryImporter(actor=staff_a).run(file)

    assert result.errors == []
    assert (result.created, result.unchanged) == (2, 0)
    first, second = Delivery.objects.order_by("row_number")
    assert (first.date, first.client_city.name, first.service_name) == (
        date(2003, 5, 12),
        "Huánuco",
        "Costos básicos",
    )
    assert (first.price, first.paid_by_client, first.paid_by_voucher) == (
        Decimal("1234.50"),
        Decimal("1000.00"),
        Decimal("234.50"),
    )
    assert (first.client_type, first.client_gender, first.service_type) == (
        "micro",
        "female",
        "training",
    )
    assert (second.client_sector.code, second.participants) == ("footwear", 3)
    assert (second.paid_by_third_party, second.third_party) == (60, "Municipalidad de Lima")
    assert (second.client_type, second.service_type) == ("small", "technical_assistance")
    assert {first.reference, second.reference} == {"R-1", "R-2"}


def test_excel_s_hint_line_and_a_byte_order_mark_are_understood(manager, provider_a):
    text = "sep=;\n" + ";".join(COLUMNS) + "\n" + ";".join(row(price="30,00").values()) + "\n"
    file = SimpleUploadedFile("entregas.csv", b"\xef\xbb\xbf" + text.encode())

    result = DeliveryImporter(actor=manager).run(file)

    assert result.errors == []
    assert Delivery.objects.get().price == Decimal("30.00")


def _workbook(*rows: list) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Código proveedor", "Fecha", "ID cliente", "Tipo cliente", "Género"])
    sheet["F1"], sheet["G1"], sheet["H1"] = "Sector", "Ciudad", "Tipo servicio"
    sheet["I1"], sheet["J1"], sheet["K1"] = "Precio", "Pagado cliente", "Pagado terceros"
    sheet["L1"] = "Referencia"
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("entregas.xlsx", buffer.getvalue())


def test_an_xlsx_workbook_with_date_and_number_cells_is_imported(manager, provider_a):
    file = _workbook(
        [
            "CDE-LIM-01",
            datetime(2003, 5, 12),
            44556677,
            "micro",
            "female",
            "garments",
            "Lima",
            "training",
            30.1,
            30.1,
            None,
            "X-1",
        ],
        [
            "CDE-LIM-01",
            datetime(2003, 5, 14),
            "C-0012",
            "Profesional",
            "Hombre",
            14,
            "Chiclayo",
            "Información",
            0.75,
            0.5,
            0.25,
            2,
        ],
    )

    result = DeliveryImporter(actor=manager).run(file)

    assert result.errors == []
    first, second = Delivery.objects.order_by("row_number")
    assert (first.date, first.client_id, first.price) == (
        date(2003, 5, 12),
        "44556677",
        Decimal("30.10"),
    )
    assert (second.client_sector.code, second.client_type, second.reference) == (
        "garments",
        "professional",
        "2",
    )
    assert (second.price, second.paid_by_client, second.paid_by_third_party) == (
        Decimal("0.75"),
        Decimal("0.50"),
        Decimal("0.25"),
    )
    assert [first.row_number, second.row_number] == [2, 3]


def test_payers_that_add_up_to_the_cent_are_stored_on_every_database(manager, provider_a):
    result = import_rows(
        manager, row(price="30.30", paid_by_client="10.10", paid_by_voucher="20.20")
    )

    assert result.created == 1
    assert Delivery.objects.get().price == Decimal("30.30")


def test_an_xlsx_workbook_with_errors_names_the_sheet_s_rows(manager, provider_a):
    file = _workbook(
        [
            "CDE-LIM-01",
            datetime(2003, 5, 12),
            44556677,
            "micro",
            "female",
            "garments",
            "Lima",
            "training",
            30,
            20,
            None,
            "X-1",
        ],
    )

    with translation.override("en"):
        result = DeliveryImporter(actor=manager).run(file)

    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "Precio", "30")]
    assert Delivery.objects.count() == 0


# Idempotency


def test_the_same_file_imported_twice_stores_its_rows_once(manager, provider_a):
    rows = [row(reference="R-1"), row(reference="R-2", client_id="C-1"), row(), row()]

    first = import_rows(manager, *rows)
    second = import_rows(manager, *rows)

    assert (first.created, first.unchanged) == (4, 0)
    assert (second.created, second.unchanged) == (0, 4)
    with translation.override("en"):
        assert second.summary() == "4 deliveries: 0 created, 0 updated, 4 unchanged"
    assert Delivery.objects.count() == 4


def test_two_identical_rows_without_reference_are_two_deliveries(manager, provider_a):
    result = import_rows(manager, row(), row())

    assert result.created == 2
    assert Delivery.objects.values("row_key").distinct().count() == 2


def test_identical_rows_stay_apart_across_blocks(manager, provider_a, monkeypatch):
    monkeypatch.setattr(DeliveryImporter, "block_rows", 2)
    rows = [row(), row(client_id="C-1"), row(), row(client_id="C-2"), row()]

    first = import_rows(manager, *rows)
    again = import_rows(manager, *rows)

    assert (first.created, again.created, again.unchanged) == (5, 0, 5)
    assert Delivery.objects.filter(client_id="44556677").count() == 3


def test_a_file_in_date_order_reaches_new_months_and_providers_block_after_block(
    manager, provider_a, provider_b, monkeypatch
):
    # A provider's yearly file runs in date order: each later block reaches a month (and
    # here a provider) the earlier ones did not, which the checks look up while the rows
    # before are being written.
    monkeypatch.setattr(DeliveryImporter, "block_rows", 2)
    rows = [
        row(date=f"2003-{month:02d}-{day:02d}", client_id=f"C-{month}-{day}", reference=f"R-{n}")
        for n, (month, day) in enumerate([(3, 3), (3, 4), (4, 1), (4, 2), (5, 6), (5, 7)])
    ]
    rows.append(row(provider_code="CDE-CIX-01", date="2003-05-08", reference="R-B"))

    first = import_rows(manager, *rows)
    again = import_rows(manager, *rows)

    assert first.errors == []
    assert (first.created, again.created, again.unchanged) == (7, 0, 7)
    reports = Submission.objects.order_by("provider__code", "period__month")
    assert [(s.provider.code, f"{s.period.month:%m}", s.deliveries.count()) for s in reports] == [
        ("CDE-CIX-01", "05", 1),
        ("CDE-LIM-01", "03", 2),
        ("CDE-LIM-01", "04", 2),
        ("CDE-LIM-01", "05", 2),
    ]


def test_tabs_line_breaks_and_backslashes_in_cells_are_stored_as_written(manager, provider_a):
    # PostgreSQL's COPY reads these characters as its own unless escaped.
    odd = row(
        service_name="Costos\\básicos",
        third_party="Municipalidad\tde Lima",
        paid_by_voucher="0",
        paid_by_third_party="10.00",
        voucher_code="",
        client_id="C\\7",
        reference="R\\1",
    )
    plain = row(client_id="C-2", reference="R-2", service_name="Línea 1\nLínea 2")

    result = import_rows(manager, odd, plain)

    assert result.errors == []
    stored = Delivery.objects.order_by("row_number")
    assert [(d.service_name, d.third_party, d.client_id, d.reference) for d in stored] == [
        ("Costos\\básicos", "Municipalidad\tde Lima", "C\\7", "R\\1"),
        ("Línea 1\nLínea 2", "", "C-2", "R-2"),
    ]
    assert import_rows(manager, odd, plain).unchanged == 2


def test_a_file_that_adds_rows_stores_only_the_new_ones(manager, provider_a):
    import_rows(manager, row(reference="R-1"))

    result = import_rows(manager, row(reference="R-1"), row(reference="R-2"))

    assert (result.created, result.unchanged) == (1, 1)
    assert sorted(Delivery.objects.values_list("reference", flat=True)) == ["R-1", "R-2"]


# All or nothing


def test_one_bad_row_among_many_stores_nothing(manager, provider_a):
    rows = [row(client_id=f"C-{number}") for number in range(200)]
    rows[137] = row(client_city="Atlantis")

    result = import_rows(manager, *rows)

    assert [(e.row, e.column) for e in result.errors] == [(139, "client_city")]
    assert (result.created, result.unchanged) == (0, 0)
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Submission.objects.count() == 0


def test_a_failure_while_storing_leaves_nothing_behind(manager, provider_a, monkeypatch):
    monkeypatch.setattr(DeliveryImporter, "block_rows", 10)
    real_writer_for = storing.writer_for
    blocks = []

    def writer_that_dies(batch_id, *, optimistic):
        writer = real_writer_for(batch_id, optimistic=optimistic)
        real_write = writer.write

        def write(rows, submission_ids):
            blocks.append(len(rows))
            if len(blocks) == 3:
                raise RuntimeError("the process died")
            real_write(rows, submission_ids)

        writer.write = write
        return writer

    monkeypatch.setattr(storing, "writer_for", writer_that_dies)
    rows = [row(client_id=f"C-{number}") for number in range(50)]

    with pytest.raises(RuntimeError):
        import_rows(manager, *rows)

    assert blocks == [10, 10, 10]
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Submission.objects.count() == 0


def test_a_dry_run_checks_and_counts_but_stores_nothing(manager, provider_a):
    with translation.override("en"):
        result = DeliveryImporter(actor=manager).run(
            deliveries_file(row(), row(client_id="C-1")), dry_run=True
        )

    assert (result.created, result.dry_run) == (2, True)
    assert Delivery.objects.count() == 0
    assert ImportBatch.objects.count() == 0


# What is stored


def test_it_records_the_import_and_where_each_row_came_from(staff_a, provider_a):
    file = deliveries_file(row(), row(client_id="C-1"), name="mayo.csv")
    content = file.read()

    DeliveryImporter(actor=staff_a).run(file)

    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.source, batch.file_name, batch.rows) == (
        "deliveries",
        "file",
        "mayo.csv",
        2,
    )
    assert batch.file_sha256 == hashlib.sha256(content).hexdigest()
    assert batch.created_by == staff_a
    stored = Delivery.objects.order_by("row_number")
    assert [(d.row_number, d.batch_id) for d in stored] == [(2, batch.pk), (3, batch.pk)]
    assert [d.client_key for d in stored] == ["dni:44556677", "CDE-LIM-01:C-1"]


def test_rows_of_several_months_and_providers_go_to_their_reports(manager, provider_a, provider_b):
    import_rows(
        manager,
        row(date="2003-04-30"),
        row(date="2003-05-01"),
        row(provider_code="cde-cix-01", client_city="Chiclayo"),
    )

    reports = {
        (s.provider.code, f"{s.period.month:%Y-%m}"): s.deliveries.count()
        for s in Submission.objects.all()
    }
    assert reports == {
        ("CDE-LIM-01", "2003-04"): 1,
        ("CDE-LIM-01", "2003-05"): 1,
        ("CDE-CIX-01", "2003-05"): 1,
    }


# Who may import


def test_provider_staff_import_their_own_rows(staff_a, provider_a):
    result = import_rows(staff_a, row())

    assert result.created == 1
    assert Delivery.objects.get().provider == provider_a


def test_staff_of_another_provider_cannot_import_rows_of_provider_a(staff_b, provider_a):
    result = import_rows(staff_b, row())

    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "provider_code", "CDE-LIM-01")
    ]
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_evaluators_and_auditors_cannot_import_deliveries(request, role, provider_a):
    user = request.getfixturevalue(role)

    assert DeliveryImporter.can_import(user) is False
    with pytest.raises(PermissionDenied):
        import_rows(user, row())
    assert Delivery.objects.count() == 0


def test_program_staff_and_provider_staff_may_import(manager, officer, staff_a):
    assert all(DeliveryImporter.can_import(user) for user in (manager, officer, staff_a, None))


# Templates


def test_the_spanish_template_filled_with_its_own_drop_down_labels_imports(staff_a, provider_a):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(DELIVERY_SPEC, "es")))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["codigo_proveedor", "fecha", "id_cliente"]
    lists = workbook["listas"]
    labels = {
        lists.cell(row=1, column=c).value: lists.cell(row=2, column=c).value for c in (1, 2, 3)
    }
    assert labels == {
        "tipo_cliente": "Pre-empresa",
        "genero": "Mujer",
        "tipo_servicio": "Capacitación",
    }
    values = {
        "codigo_proveedor": "CDE-LIM-01",
        "fecha": datetime(2003, 5, 12),
        "id_cliente": "04455667",
        "tipo_cliente": "Pre-empresa",
        "genero": "Mujer",
        "sector": "Confecciones",
        "ciudad": "Lima",
        "tipo_servicio": "Capacitación",
        "precio": 15,
        "pagado_cliente": 15,
    }
    for position, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=position, value=values.get(header))
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = DeliveryImporter(actor=staff_a).run(
        SimpleUploadedFile("plantilla.xlsx", buffer.getvalue())
    )

    assert result.errors == []
    delivery = Delivery.objects.get()
    assert (delivery.client_type, delivery.client_gender, delivery.service_type) == (
        "pre_enterprise",
        "female",
        "training",
    )
    # A DNI in the text-formatted ID column keeps its leading zero.
    assert delivery.client_id == "04455667"
