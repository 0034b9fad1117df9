"""The program's pages: the review queue, the late reports, a report under review (figures
traced to their rows, comments on rows, warnings, return, approve) and an amendment compared
with what was approved. Each write is checked in the database."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import (
    ApprovedVersion,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationRule,
)
from bdsmarket.monitoring.warning_checks import warnings_refresh

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def report(staff_a, provider_a, delivery_row, chiclayo) -> Submission:
    """provider_a's May 2003, sent: a voucher-paid course for a micro-enterprise (30.00), a
    small enterprise's assistance paid by the client (50.00), a pre-enterprise's course paid
    by a third party (20.00)."""
    services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            delivery_row(
                provider_a,
                reference="A-2",
                client_id="C-17",
                client_type="small",
                service_type="technical_assistance",
                price=Decimal("50"),
                paid_by_client=Decimal("50"),
                paid_by_voucher=Decimal("0"),
                voucher_code="",
            ),
            delivery_row(
                provider_a,
                reference="A-3",
                client_id="C-18",
                client_type="pre_enterprise",
                client_city=chiclayo,
                price=Decimal("20"),
                paid_by_client=Decimal("0"),
                paid_by_voucher=Decimal("0"),
                voucher_code="",
                paid_by_third_party=Decimal("20"),
                third_party="Municipalidad",
            ),
        ],
        source="file",
    )
    submission = Submission.objects.get(provider=provider_a)
    return services.submission_submit(actor=staff_a, submission=submission)


def _warn_on_every_client(submission: Submission) -> None:
    rule = ValidationRule.objects.get(kind=ValidationRule.Kind.SAME_CLIENT_SAME_DAY)
    rule.threshold = 0
    rule.save()
    warnings_refresh(submission)


# The queue


def test_the_queue_lists_reports_waiting_for_review_with_their_figures(
    login, officer, staff_b, provider_b, report, delivery_row
):
    services.deliveries_store(
        actor=staff_b, rows=[delivery_row(provider_b, reference="B-1")], source="file"
    )
    response = login(officer).get(reverse("monitoring:review_queue"))
    assert [s.pk for s in response.context["page"].object_list] == [report.pk]
    text = page(response)
    assert reverse("monitoring:submission_detail", args=[report.pk]) in text
    assert "100.00" in text
    # Sent after the due date (10 June 2003).
    assert 'class="late"' in text


def test_the_queue_filters_by_provider_month_and_status(
    login, officer, staff_b, provider_a, provider_b, report, delivery_row
):
    services.deliveries_store(
        actor=staff_b,
        rows=[delivery_row(provider_b, reference="B-1", date=date(2003, 6, 3))],
        source="file",
    )
    draft = Submission.objects.get(provider=provider_b)
    client = login(officer)
    url = reverse("monitoring:review_queue")

    def listed(**params) -> list[int]:
        return [s.pk for s in client.get(url, params).context["page"].object_list]

    assert listed(status="all") == [draft.pk, report.pk]
    assert listed(status="draft") == [draft.pk]
    assert listed(status="all", provider=provider_a.pk) == [report.pk]
    assert listed(status="all", period=draft.period.pk) == [draft.pk]
    assert listed(status="approved") == []


def test_the_queue_answers_htmx_with_its_table_only(login, officer, report):
    response = login(officer).get(
        reverse("monitoring:review_queue"), {"status": "all"}, HTTP_HX_REQUEST="true"
    )
    assert page(response).lstrip().startswith('<div id="queue-results"')
    assert "HX-Request" in response["Vary"]


def test_the_queue_costs_the_same_queries_for_many_reports(
    login, officer, staff_a, provider_a, delivery_row, django_assert_max_num_queries
):
    client = login(officer)
    for month in range(1, 13):
        services.deliveries_store(
            actor=staff_a,
            rows=[delivery_row(provider_a, date=date(2002, month, 3), reference=f"M{month}")],
            source="file",
        )
    client.get(reverse("monitoring:review_queue"), {"status": "all"})  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get(reverse("monitoring:review_queue"), {"status": "all"})
    assert len(response.context["page"].object_list) == 12


# Late reports


def test_the_late_list_names_active_providers_that_never_sent_a_past_month(
    login, officer, provider_a, provider_b, report
):
    provider_a.status_changes.update(date=date(2003, 5, 1))
    provider_b.status_changes.update(date=date(2003, 5, 1))
    response = login(officer).get(reverse("monitoring:overdue"))
    owed = [(r.provider.code, r.month) for r in response.context["page"].paginator.object_list]
    assert (provider_b.code, date(2003, 5, 1)) in owed
    # provider_a sent May.
    assert (provider_a.code, date(2003, 5, 1)) not in owed
    assert (provider_a.code, date(2003, 6, 1)) in owed
    assert provider_b.code in page(response)


# A report under review


def test_the_officer_reviews_with_a_comment_box_next_to_each_row(login, officer, report):
    response = login(officer).get(reverse("monitoring:submission_detail", args=[report.pk]))
    text = page(response)
    for delivery in report.deliveries.all():
        assert f'name="row-{delivery.pk}" form="return-form"' in text
    assert reverse("monitoring:submission_return", args=[report.pk]) in text
    assert reverse("monitoring:submission_approve", args=[report.pk]) in text


def test_every_figure_links_to_the_rows_it_sums(login, officer, report, provider_a):
    response = login(officer).get(reverse("monitoring:submission_detail", args=[report.pk]))
    text = page(response)
    totals = response.context["totals"]
    assert (totals.attentions, totals.income) == (3, Decimal("100.00"))
    assert (totals.paid_by_client, totals.paid_by_voucher, totals.paid_by_third_party) == (
        Decimal("70.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    )
    base = f"provider={provider_a.pk}&amp;month=2003-05"
    for narrower in (
        "",
        "&amp;payer=voucher",
        "&amp;client_type=micro",
        "&amp;service_type=training",
    ):
        assert f'href="{reverse("monitoring:rows")}?{base}{narrower}"' in text


@pytest.mark.parametrize(
    ("params", "references", "income"),
    [
        ({}, {"A-1", "A-2", "A-3"}, "100.00"),
        ({"client_type": "micro"}, {"A-1"}, "30.00"),
        ({"service_type": "training"}, {"A-1", "A-3"}, "50.00"),
        ({"payer": "voucher"}, {"A-1"}, "30.00"),
        ({"payer": "third_party"}, {"A-3"}, "20.00"),
        ({"client_type": "small", "payer": "client"}, {"A-2"}, "50.00"),
    ],
)
def test_the_rows_page_shows_the_rows_behind_a_figure_and_sums_them_again(
    login, officer, report, provider_a, params, references, income
):
    url = reverse("monitoring:rows")
    response = login(officer).get(url, {"provider": provider_a.pk, "month": "2003-05", **params})
    rows = response.context["page"].object_list
    assert {row.reference for row in rows} == references
    assert response.context["summary"].income == Decimal(income)
    assert income in page(response)


def test_the_rows_page_filters_by_city(login, officer, report, provider_a, chiclayo):
    response = login(officer).get(
        reverse("monitoring:rows"),
        {"provider": provider_a.pk, "month": "2003-05", "client_city": chiclayo.pk},
    )
    assert [row.reference for row in response.context["page"].object_list] == ["A-3"]


def test_the_rows_page_costs_the_same_queries_for_one_row_or_many(
    login, officer, staff_a, provider_a, delivery_row
):
    services.deliveries_store(
        actor=staff_a, rows=[delivery_row(provider_a, reference="R-0")], source="file"
    )
    client = login(officer)
    url = reverse("monitoring:rows")
    params = {"provider": provider_a.pk, "month": "2003-05"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url, params)
    rows = [delivery_row(provider_a, reference=f"R-{n}") for n in range(1, 41)]
    services.deliveries_store(actor=staff_a, rows=rows, source="file")
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(url, params)
    assert len(response.context["page"].object_list) == 41
    assert len(many_rows) == len(one_row)


def test_a_report_page_costs_the_same_queries_for_one_row_or_many(
    login, officer, staff_a, provider_a, delivery_row
):
    services.deliveries_store(
        actor=staff_a, rows=[delivery_row(provider_a, reference="R-0")], source="file"
    )
    submission = services.submission_submit(actor=staff_a, submission=Submission.objects.get())
    client = login(officer)
    url = reverse("monitoring:submission_detail", args=[submission.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    submission.status = SubmissionStatus.DRAFT
    submission.save()
    rows = [delivery_row(provider_a, reference=f"R-{n}", client_id=f"C-{n}") for n in range(1, 41)]
    services.deliveries_store(actor=staff_a, rows=rows, source="file")
    services.submission_submit(actor=staff_a, submission=submission)
    RowComment.objects.bulk_create(
        RowComment(submission=submission, delivery=d, version=1, text="?", author=officer)
        for d in submission.deliveries.all()
    )
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 41
    assert len(many_rows) == len(one_row)


def test_returning_with_a_row_comment_shows_it_to_the_provider_next_to_the_row(
    login, officer, staff_a, report
):
    row = report.deliveries.get(reference="A-2")
    response = login(officer).post(
        reverse("monitoring:submission_return", args=[report.pk]),
        {"comment": "Please check May.", f"row-{row.pk}": "The price was 45, not 50."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SubmissionStatus.RETURNED
    assert report.reviewed_by == officer
    comments = {(c.delivery_id, c.text, c.version) for c in RowComment.objects.all()}
    assert comments == {(None, "Please check May.", 1), (row.pk, "The price was 45, not 50.", 1)}

    text = page(login(staff_a).get(reverse("monitoring:submission_detail", args=[report.pk])))
    assert "Please check May." in text
    # The row's comment comes right after the row, before the next one.
    after_row = text[text.index(f'id="row-{row.pk}"') :]
    next_row = re.search(r'id="row-\d+"', after_row[10:])
    upto_next = after_row[: next_row.start() + 10] if next_row else after_row
    assert escape("The price was 45, not 50.") in upto_next
    # The provider may correct the row and send the report again.
    assert reverse("monitoring:delivery_edit", args=[row.pk]) in text
    assert "Send the corrected report" in text
    edit = page(login(staff_a).get(reverse("monitoring:delivery_edit", args=[row.pk])))
    assert escape("The price was 45, not 50.") in edit


def test_returning_without_saying_what_to_correct_is_refused(login, officer, report):
    response = login(officer).post(
        reverse("monitoring:submission_return", args=[report.pk]), {"comment": " "}, follow=True
    )
    assert "Say what the provider must correct." in page(response)
    report.refresh_from_db()
    assert report.status == SubmissionStatus.SUBMITTED
    assert not RowComment.objects.exists()


def test_a_returned_and_corrected_report_goes_back_for_review(login, officer, staff_a, report):
    services.submission_return(actor=officer, submission=report, comment="Check the prices")
    login(staff_a).post(reverse("monitoring:submission_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == SubmissionStatus.RESUBMITTED
    response = login(officer).get(reverse("monitoring:review_queue"))
    assert report in response.context["page"].object_list


def test_approval_waits_until_every_warning_is_acknowledged(login, officer, report):
    _warn_on_every_client(report)
    warnings = list(report.warnings.order_by("pk"))
    assert len(warnings) == 3
    client = login(officer)
    approve = reverse("monitoring:submission_approve", args=[report.pk])
    response = client.post(approve, follow=True)
    assert "Acknowledge the 3 open warnings before approving." in page(response)
    report.refresh_from_db()
    assert report.status == SubmissionStatus.SUBMITTED
    assert not ApprovedVersion.objects.exists()

    for warning in warnings:
        url = reverse("monitoring:warning_acknowledge", args=[warning.pk])
        client.post(url, {"note": "One workshop, one row per client"})
    warnings[0].refresh_from_db()
    assert warnings[0].acknowledged_by == officer
    assert warnings[0].acknowledgement_note == "One workshop, one row per client"

    response = client.post(approve, follow=True)
    assert "Version 1 was approved." in page(response)
    report.refresh_from_db()
    assert report.status == SubmissionStatus.APPROVED
    approved = ApprovedVersion.objects.get(submission=report)
    assert len(approved.deliveries) == 3


def test_an_open_warning_shows_an_acknowledge_button_to_the_officer_only(
    login, officer, staff_a, auditor, report
):
    _warn_on_every_client(report)
    warning = report.warnings.first()
    url = reverse("monitoring:warning_acknowledge", args=[warning.pk])
    assert url in page(
        login(officer).get(reverse("monitoring:submission_detail", args=[report.pk]))
    )
    for user in (staff_a, auditor):
        text = page(login(user).get(reverse("monitoring:submission_detail", args=[report.pk])))
        assert escape(warning.message) in text
        assert url not in text


def test_a_warning_reads_in_the_language_of_whoever_opens_the_report(login, officer, report):
    with translation.override("es"):
        _warn_on_every_client(report)
    url = reverse("monitoring:submission_detail", args=[report.pk])
    english = page(login(officer, "en").get(url))
    spanish = page(login(officer, "es").get(url))
    assert "1 rows for client C-17 on 2003-05-12 (more than 0)." in english
    assert "1 filas para el cliente C-17 el 2003-05-12 (más de 0)." in spanish
    assert report.warnings.filter(code="same_client_same_day").count() == 3


def test_the_timeline_shows_who_sent_and_who_returned(login, officer, staff_a, report):
    services.submission_return(actor=officer, submission=report, comment="Check the prices")
    response = login(officer).get(reverse("monitoring:submission_detail", args=[report.pk]))
    steps = [(step.status, step.who) for step in response.context["timeline"]]
    assert ("submitted", "staff_a") in steps
    assert ("returned", "officer") in steps


# An amendment against what was approved


def test_the_amendment_shows_added_removed_and_changed_rows(login, officer, staff_a, report):
    services.submission_approve(actor=officer, submission=report)
    login(staff_a).post(
        reverse("monitoring:submission_amend", args=[report.pk]),
        {"reason": "The assistance cost 45"},
    )
    report.refresh_from_db()
    assert report.version == 2
    changed = report.deliveries.get(reference="A-2")
    services.delivery_update(
        actor=staff_a,
        delivery=changed,
        changes={"price": Decimal("45.00"), "paid_by_client": Decimal("45.00")},
    )
    services.delivery_delete(actor=staff_a, delivery=report.deliveries.get(reference="A-3"))

    response = login(officer).get(reverse("monitoring:submission_changes", args=[report.pk]))
    diff = response.context["diff"]
    assert [row["client_id"] for row in diff.removed] == ["C-18"]
    assert diff.added == []
    assert diff.unchanged == 1
    [row] = diff.changed
    assert row.row["client_id"] == "C-17"
    assert [(c.name, c.before, c.after) for c in row.changes] == [
        ("price", "50.00", "45.00"),
        ("paid_by_client", "50.00", "45.00"),
    ]
    text = page(response)
    assert "50.00" in text and "45.00" in text
    assert "Paid by the client" in text


def test_a_report_never_approved_has_nothing_to_compare(login, officer, report):
    response = login(officer).get(reverse("monitoring:submission_changes", args=[report.pk]))
    assert response.context["diff"] is None
    assert "never approved" in page(response)


def test_the_officer_may_reopen_an_approved_report_too(login, officer, report):
    services.submission_approve(actor=officer, submission=report)
    response = login(officer).post(
        reverse("monitoring:submission_amend", args=[report.pk]),
        {"reason": "The verification found a wrong price"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version) == (SubmissionStatus.DRAFT, 2)
    assert ApprovedVersion.objects.filter(submission=report, number=1).exists()


def test_the_pages_speak_spanish(login, officer, staff_a, provider_a, report):
    row = report.deliveries.first()
    officer_pages = [
        reverse("monitoring:review_queue"),
        reverse("monitoring:overdue"),
        reverse("monitoring:submission_detail", args=[report.pk]),
        reverse("monitoring:rows") + f"?provider={provider_a.pk}&month=2003-05",
        reverse("monitoring:delivery_detail", args=[row.pk]),
    ]
    for url in officer_pages:
        response = login(officer, language="es").get(url)
        assert response.status_code == 200, url
        assert 'lang="es"' in page(response)
    response = login(staff_a, language="es").get(reverse("monitoring:my_reports"))
    assert "mayo de 2003" in page(response)
