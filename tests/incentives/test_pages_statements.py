"""The statements' pages: a month's list with its totals and actions (compute, approve,
pay, download), one statement with every step of its amounts and its versions, and the
payment batches. Every action is checked in the database; another provider's statement is
not there for provider staff."""

import csv
import io
import json
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bdsmarket.incentives import services
from bdsmarket.incentives.models import Payment, PaymentBatch, Statement
from bdsmarket.monitoring import services as monitoring
from tests.database import database_digest
from tests.reporting import report

from .conftest import JUNE, MAY

pytestmark = pytest.mark.django_db

LIST = reverse("incentives:statements")


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def current(provider, month=MAY) -> Statement:
    return Statement.objects.exclude(status="superseded").get(provider=provider, month=month)


@pytest.fixture
def computed(months, scheme, officer):
    """May 2003 computed: provider_a 55.00 (45.00 + 10.00), provider_b 12.00."""
    services.statements_compute(actor=officer, month=MAY)
    return months


@pytest.fixture
def approved(computed, manager):
    for statement in Statement.objects.all():
        services.statement_approve(actor=manager, statement=statement)
    return computed


def amend_a3(staff_a, officer, provider_a) -> None:
    """The client of A-3 paid 40.00 of 100.00, not 80.00: amended and approved again."""
    may = report(provider_a, MAY)
    monitoring.submission_amend(actor=staff_a, submission=may, reason="A-3's part was wrong")
    monitoring.delivery_update(
        actor=staff_a,
        delivery=may.deliveries.get(reference="A-3"),
        changes={"paid_by_client": D("40.00"), "paid_by_voucher": D("60.00")},
    )
    monitoring.submission_submit(actor=staff_a, submission=may)
    monitoring.submission_approve(actor=officer, submission=may)


# The list


def test_the_list_shows_a_months_statements_with_their_totals(login, manager, computed):
    response = login(manager).get(LIST, {"month": "2003-05"})

    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert [s.provider.code for s in listed] == ["CDE-CIX-01", "CDE-LIM-01"]
    totals = response.context["totals"]
    assert (totals.count, totals.total, totals.difference) == (2, D("67.00"), D("67.00"))
    waiting = response.context["waiting"]
    assert (waiting["computed"].count, waiting["approved"].count) == (2, 0)
    page = text(response)
    assert "55.00" in page and "12.00" in page and "67.00" in page
    assert "2 statements wait for approval" in page
    assert reverse("incentives:statement_detail", args=[current(computed[0]).pk]) in page
    assert reverse("incentives:statements_export", args=["csv"]) + "?month=2003-05" in page


def test_the_list_filters_by_provider_and_status(login, manager, computed, provider_a, staff_a):
    client = login(manager)
    services.statement_approve(actor=manager, statement=current(provider_a))

    def listed(**params) -> list[str]:
        found = client.get(LIST, params).context["page"].object_list
        return [s.provider.code for s in found]

    assert listed(provider=provider_a.pk) == ["CDE-LIM-01"]
    assert listed(status="approved") == ["CDE-LIM-01"]
    assert listed(status="computed", month="2003-05") == ["CDE-CIX-01"]
    assert listed(month="2003-06") == []


def test_the_list_answers_htmx_with_its_results_only(login, manager, computed):
    response = login(manager).get(LIST, {"month": "2003-05"}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "incentives/_statement_results.html"
    assert "<html" not in text(response)


def test_the_list_reads_in_spanish(login, manager, computed):
    response = login(manager, "es").get(LIST, {"month": "2003-05"})
    page = text(response)
    assert "Incentivos" in page  # the menu
    assert "Liquidaciones" in page and "Calculado" in page and "Proveedor" in page
    assert "55,00" in page  # a decimal comma


def test_the_list_takes_a_constant_number_of_queries(
    login, manager, computed, django_assert_max_num_queries, provider_a
):
    client = login(manager)
    client.get(LIST)  # sessions, the program: warm
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    services.statements_compute(actor=None, month=JUNE, providers=[provider_a])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


# Computing a month


def test_computing_a_month_stores_its_statements_and_says_so(login, officer, months, scheme):
    response = login(officer).post(
        reverse("incentives:statements_compute"), {"month": "2003-05"}, follow=True
    )

    assert Statement.objects.filter(month=MAY).count() == 2
    assert response.redirect_chain[-1][0] == LIST + "?month=2003-05"
    assert "The statements of May 2003 were computed: 2 new or changed" in messages_of(response)[0]


def test_computing_a_month_without_a_scheme_stores_nothing_and_says_why(login, manager, months):
    response = login(manager).post(
        reverse("incentives:statements_compute"), {"month": "2003-05"}, follow=True
    )
    assert not Statement.objects.exists()
    assert messages_of(response) == ["No incentive scheme is in force in 2003-05."]


def test_a_month_that_is_no_month_is_refused(login, manager, months, scheme):
    response = login(manager).post(
        reverse("incentives:statements_compute"), {"month": "May"}, follow=True
    )
    assert not Statement.objects.exists()
    assert messages_of(response) == ["Month: Enter a month as year and month, e.g. 2003-05."]


def test_a_month_without_approved_reports_says_there_is_nothing_to_compute(
    login, manager, months, scheme
):
    response = login(manager).post(
        reverse("incentives:statements_compute"), {"month": "2003-09"}, follow=True
    )
    assert not Statement.objects.exists()
    assert "there is nothing to compute yet" in messages_of(response)[0]


# Approving


def test_the_statements_ticked_are_approved(login, manager, computed, provider_a, provider_b):
    a = current(provider_a)
    response = login(manager).post(
        reverse("incentives:statements_approve"),
        {"statement": [a.pk], "next": LIST + "?month=2003-05"},
        follow=True,
    )

    a.refresh_from_db()
    assert (a.status, a.approved_by) == ("approved", manager)
    assert current(provider_b).status == "computed"
    assert messages_of(response) == ["1 statement was approved."]
    assert response.redirect_chain[-1][0] == LIST + "?month=2003-05"


def test_approving_with_nothing_ticked_says_so_and_changes_nothing(login, manager, computed):
    response = login(manager).post(reverse("incentives:statements_approve"), {}, follow=True)
    assert messages_of(response) == ["Tick at least one statement."]
    assert set(Statement.objects.values_list("status", flat=True)) == {"computed"}


def test_approving_an_approved_statement_again_names_it_and_approves_none(
    login, manager, computed, provider_a, provider_b
):
    a = current(provider_a)
    services.statement_approve(actor=manager, statement=a)
    b = current(provider_b)

    response = login(manager).post(
        reverse("incentives:statements_approve"), {"statement": [a.pk, b.pk]}, follow=True
    )

    assert messages_of(response) == [f"{a}: Only a computed statement can be approved."]
    assert current(provider_b).status == "computed"


def test_a_statement_is_approved_from_its_own_page(login, manager, computed, provider_a):
    a = current(provider_a)
    client = login(manager)
    detail = reverse("incentives:statement_detail", args=[a.pk])
    approve = reverse("incentives:statement_approve", args=[a.pk])
    assert approve in text(client.get(detail))

    response = client.post(approve, follow=True)

    a.refresh_from_db()
    assert a.status == "approved"
    assert messages_of(response) == ["The statement of CDE-LIM-01 for May 2003 was approved."]
    page = text(response)
    assert approve not in page
    assert "An approved statement never changes" in page


# One statement


def test_a_statement_shows_every_step_of_each_line(login, manager, computed, provider_a):
    a = current(provider_a)
    response = login(manager).get(reverse("incentives:statement_detail", args=[a.pk]))

    page = text(response)
    lines = {view.line.rule.code: view for view in response.context["lines"]}
    assert set(lines) == {"paid", "women"}
    # 150.00 paid by clients at 30%: 45.00; two women at 5.00 each: 10.00
    assert "150.00" in page and "30%" in page and "45.00" in page
    assert "5.00 each" in page and "10.00" in page and "55.00" in page
    assert lines["paid"].rule == "30% of income paid by clients"
    assert lines["women"].rule == "5.00 for each of the attentions to women"
    assert "Pays 55.00." in page
    assert "No sampled row was checked yet" in page  # the verification gap
    assert reverse("monitoring:submission_detail", args=[report(provider_a, MAY).pk]) in page
    assert "Yes" in page  # sent on time


def test_each_base_opens_the_rows_it_is_computed_from(login, staff_a, computed, provider_a):
    a = current(provider_a)
    client = login(staff_a)
    lines = client.get(reverse("incentives:statement_detail", args=[a.pk])).context["lines"]
    women = next(view for view in lines if view.line.rule.code == "women")
    assert women.rows_url.startswith(reverse("indicators:rows"))

    rows = client.get(women.rows_url)

    assert rows.status_code == 200
    assert rows.context["page"].paginator.count == 2  # the two attentions to women of May


def test_a_statement_reads_in_spanish(login, staff_a, computed, provider_a):
    a = current(provider_a)
    page = text(login(staff_a, "es").get(reverse("incentives:statement_detail", args=[a.pk])))
    assert "Incentivos" in page and "Calculado" in page
    assert "Monto" in page and "45,00" in page


def test_an_amended_month_shows_the_new_version_clawing_back(
    login, manager, officer, staff_a, approved, provider_a
):
    paid = current(provider_a)
    batch = services.payment_batch_create(actor=manager, statements=[paid])
    services.payment_batch_paid(actor=manager, batch=batch, paid_on=date(2003, 7, 15))
    amend_a3(staff_a, officer, provider_a)
    client = login(manager)
    old_page = text(client.get(reverse("incentives:statement_detail", args=[paid.pk])))
    assert "compute the month again" in old_page.lower()

    client.post(reverse("incentives:statements_compute"), {"month": "2003-05"})

    new = current(provider_a)
    assert (new.version, new.total, new.difference) == (2, D("43.00"), D("-12.00"))
    response = client.get(reverse("incentives:statement_detail", args=[new.pk]))
    page = text(response)
    assert [v.version for v in response.context["versions"]] == [1, 2]
    assert "Claws back 12.00 of the 55.00 already sent to the bank." in page
    assert "Pays 55.00." in page  # what version 1 moved
    superseded = text(client.get(reverse("incentives:statement_detail", args=[paid.pk])))
    assert "This version is superseded." in superseded


# Downloads


def test_the_months_statements_download_as_csv_xlsx_and_json(login, manager, computed, tmp_path):
    client = login(manager)
    url = reverse("incentives:statements_export", args=["csv"])

    response = client.get(url, {"month": "2003-05"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="statements-2003-05.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Provider code"], r["Rule code"], r["Amount"]) for r in rows] == [
        ("CDE-CIX-01", "paid", "12.00"),
        ("CDE-CIX-01", "women", "0.00"),
        ("CDE-LIM-01", "paid", "45.00"),
        ("CDE-LIM-01", "women", "10.00"),
    ]
    xlsx = client.get(reverse("incentives:statements_export", args=["xlsx"]), {"month": "2003-05"})
    path = tmp_path / "statements.xlsx"
    path.write_bytes(xlsx.content)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet["A1"].value == "Provider code" and sheet.max_row == 5
    document = json.loads(
        client.get(
            reverse("incentives:statements_export", args=["json"]), {"month": "2003-05"}
        ).content
    )
    assert [s["total"] for s in document["statements"]] == ["12.00", "55.00"]
    assert document["statements"][1]["lines"][0]["rows_url"].startswith("http://testserver/")


def test_provider_staff_download_their_own_statements_only(login, staff_a, computed):
    response = login(staff_a).get(
        reverse("incentives:statements_export", args=["json"]), {"month": "2003-05"}
    )
    document = json.loads(response.content)
    assert [s["provider"]["code"] for s in document["statements"]] == ["CDE-LIM-01"]


def test_a_download_without_a_month_asks_for_one(login, manager, computed):
    response = login(manager).get(
        reverse("incentives:statements_export", args=["csv"]), follow=True
    )
    assert messages_of(response) == ["Choose a month to download its statements."]
    assert (
        login(manager).get(reverse("incentives:statements_export", args=["pdf"])).status_code == 404
    )


# Payment batches


def test_the_approved_statements_go_into_a_batch_the_bank_can_read(
    login, manager, approved, provider_a
):
    client = login(manager)
    waiting = client.get(LIST, {"month": "2003-05"}).context["waiting"]["approved"]
    assert waiting.count == 2

    response = client.post(
        reverse("incentives:batch_create"), {"statement": list(waiting.ids)}, follow=True
    )

    batch = PaymentBatch.objects.get()
    assert set(batch.statements.values_list("provider__code", flat=True)) == {
        "CDE-CIX-01",
        "CDE-LIM-01",
    }
    assert response.redirect_chain[-1][0] == reverse("incentives:batch_detail", args=[batch.pk])
    assert f"Payment batch {batch.pk} was made with 2 statements." in messages_of(response)[0]
    assert "67.00" in text(response)
    download = client.get(reverse("incentives:batch_file", args=[batch.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row[6] for row in rows[1:]] == ["12.00", "55.00"]
    assert "payment-batch-" in download["Content-Disposition"]
    xlsx = client.get(reverse("incentives:batch_file", args=[batch.pk, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_computed_statement_cannot_be_put_in_a_batch(login, manager, computed, provider_a):
    response = login(manager).post(
        reverse("incentives:batch_create"), {"statement": [current(provider_a).pk]}, follow=True
    )
    assert not PaymentBatch.objects.exists()
    assert messages_of(response) == ["Only approved statements not in a batch yet can be paid."]


def test_a_batch_recorded_as_paid_pays_each_statement_into_the_ledger(
    login, manager, approved, provider_a
):
    batch = services.payment_batch_create(actor=manager)
    client = login(manager)
    assert client.get(reverse("incentives:batches")).context["page"].object_list[0] == batch

    response = client.post(
        reverse("incentives:batch_paid", args=[batch.pk]),
        {"paid_on": "2003-07-15", "reference": "TR-77"},
        follow=True,
    )

    batch.refresh_from_db()
    assert (batch.paid_on, batch.reference) == (date(2003, 7, 15), "TR-77")
    assert set(Statement.objects.values_list("status", flat=True)) == {"paid"}
    ledger = Payment.objects.filter(package__provider=provider_a, component="incentives")
    assert [p.amount for p in ledger] == [D("55.00")]
    assert "2 payments are in the providers' ledgers" in messages_of(response)[0]
    assert reverse("incentives:batch_paid", args=[batch.pk]) not in text(response)


def test_a_batch_paid_without_a_date_stores_nothing(login, manager, approved):
    batch = services.payment_batch_create(actor=manager)
    response = login(manager).post(
        reverse("incentives:batch_paid", args=[batch.pk]), {"paid_on": ""}, follow=True
    )
    batch.refresh_from_db()
    assert batch.paid_on is None and not Payment.objects.exists()
    assert messages_of(response) == ["Paid on: This field is required."]


# Who gets in


def test_provider_staff_see_their_own_statements_only(
    login, staff_a, staff_b, computed, provider_a, provider_b
):
    client = login(staff_a)
    listed = client.get(LIST).context["page"].object_list
    assert [s.provider.code for s in listed] == ["CDE-LIM-01"]
    assert "provider" not in client.get(LIST).context["form"].fields
    other = current(provider_b)
    assert client.get(reverse("incentives:statement_detail", args=[other.pk])).status_code == 404
    assert (
        client.get(
            reverse("incentives:statement_detail", args=[current(provider_a).pk])
        ).status_code
        == 200
    )
    assert (
        login(staff_b)
        .get(reverse("incentives:statement_detail", args=[current(provider_a).pk]))
        .status_code
        == 404
    )


def test_provider_staff_can_neither_compute_approve_nor_pay(
    login, staff_a, computed, provider_a, provider_b
):
    client = login(staff_a)
    own, other = current(provider_a), current(provider_b)
    assert (
        client.post(reverse("incentives:statements_compute"), {"month": "2003-06"}).status_code
        == 403
    )
    assert (
        client.post(reverse("incentives:statements_approve"), {"statement": [own.pk]}).status_code
        == 403
    )
    assert client.post(reverse("incentives:statement_approve", args=[own.pk])).status_code == 403
    assert client.post(reverse("incentives:statement_approve", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("incentives:batch_create"), {"statement": [own.pk]}).status_code == 403
    )
    assert client.get(reverse("incentives:batches")).status_code == 403
    assert set(Statement.objects.values_list("status", flat=True)) == {"computed"}
    assert not Statement.objects.filter(month=JUNE).exists()
    assert reverse("incentives:statement_approve", args=[own.pk]) not in text(
        client.get(reverse("incentives:statement_detail", args=[own.pk]))
    )


def test_auditors_read_everything_and_change_nothing(login, auditor, computed, provider_a):
    client = login(auditor)
    statement = current(provider_a)
    assert client.get(LIST).status_code == 200
    assert (
        client.get(reverse("incentives:statement_detail", args=[statement.pk])).status_code == 200
    )
    assert client.get(reverse("incentives:batches")).status_code == 200
    assert (
        client.post(reverse("incentives:statements_compute"), {"month": "2003-05"}).status_code
        == 403
    )
    assert (
        client.post(reverse("incentives:statement_approve", args=[statement.pk])).status_code == 403
    )
    statement.refresh_from_db()
    assert statement.status == "computed"


def test_a_monitoring_officer_computes_but_does_not_approve(login, officer, computed, provider_a):
    client = login(officer)
    statement = current(provider_a)
    before = database_digest()
    assert (
        client.post(reverse("incentives:statement_approve", args=[statement.pk])).status_code == 403
    )
    statement.refresh_from_db()
    assert statement.status == "computed" and statement.approved_at is None
    assert database_digest() == before
    assert "Compute the statements of this month" in text(client.get(LIST))


def test_evaluators_have_no_incentives(login, evaluator, computed, provider_a):
    client = login(evaluator)
    statement = current(provider_a)
    for url in (
        reverse("incentives:index"),
        LIST,
        reverse("incentives:statement_detail", args=[statement.pk]),
        reverse("incentives:statements_export", args=["csv"]) + "?month=2003-05",
        reverse("incentives:batches"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_menu_leads_to_incentives_for_those_who_may_see_them(
    login, manager, staff_a, auditor, evaluator, program
):
    link = f'href="{reverse("incentives:index")}"'
    for user in (manager, staff_a, auditor):
        assert link in text(login(user).get(reverse("home"))), user
    assert link not in text(login(evaluator).get(reverse("home")))
    assert login(manager).get(reverse("incentives:index"))["Location"] == LIST


def test_anonymous_visitors_are_sent_to_log_in(client, computed, provider_a):
    for url in (LIST, reverse("incentives:statement_detail", args=[current(provider_a).pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
