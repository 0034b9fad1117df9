"""Who gets into each monitoring page, and who is kept out.

Another provider's report or row is not there for provider staff (404, whatever its ID);
the auditor reads everything and changes nothing (403 on every write); the evaluator has no
reports at all.
"""

import pytest
from django.urls import reverse

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import (
    Delivery,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationRule,
    ValidationWarning,
)
from bdsmarket.monitoring.warning_checks import warnings_refresh
from tests.database import database_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(staff_a, provider_a, delivery_row) -> Submission:
    """provider_a's report of May 2003 with two rows, a draft."""
    services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            delivery_row(provider_a, reference="A-2", client_id="C-17"),
        ],
        source="form",
    )
    return Submission.objects.get(provider=provider_a)


@pytest.fixture
def submitted(report, staff_a) -> Submission:
    return services.submission_submit(actor=staff_a, submission=report)


@pytest.fixture
def warning(submitted) -> ValidationWarning:
    rule = ValidationRule.objects.get(kind=ValidationRule.Kind.SAME_CLIENT_SAME_DAY)
    rule.threshold = 0
    rule.save()
    warnings_refresh(submitted)
    return ValidationWarning.objects.filter(submission=submitted).first()


def _row(report: Submission) -> Delivery:
    return report.deliveries.order_by("pk").first()


# Where "Reports" leads


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    row = _row(report)
    for url in (
        reverse("monitoring:index"),
        reverse("monitoring:my_reports"),
        reverse("monitoring:review_queue"),
        reverse("monitoring:overdue"),
        reverse("monitoring:rows"),
        reverse("monitoring:submission_detail", args=[report.pk]),
        reverse("monitoring:delivery_create", args=[report.pk]),
        reverse("monitoring:delivery_edit", args=[row.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_provider_staff_are_led_to_their_own_months(login, staff_a):
    response = login(staff_a).get(reverse("monitoring:index"))
    assert response["Location"] == reverse("monitoring:my_reports")


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
def test_program_readers_are_led_to_the_review_queue(request, login, role):
    response = login(request.getfixturevalue(role)).get(reverse("monitoring:index"))
    assert response["Location"] == reverse("monitoring:review_queue")


def test_the_evaluator_has_no_reports(login, evaluator, report):
    client = login(evaluator)
    for name in ("index", "my_reports", "review_queue", "overdue", "rows"):
        assert client.get(reverse(f"monitoring:{name}")).status_code == 403, name
    assert client.get(reverse("monitoring:submission_detail", args=[report.pk])).status_code == 404
    assert (
        client.get(reverse("monitoring:delivery_detail", args=[_row(report).pk])).status_code == 404
    )


def test_the_nav_offers_reports_to_those_who_have_some(login, staff_a, officer, auditor, evaluator):
    url = reverse("monitoring:index")
    for user in (staff_a, officer, auditor):
        assert f'href="{url}"' in login(user).get(reverse("home")).content.decode()
    assert f'href="{url}"' not in login(evaluator).get(reverse("home")).content.decode()


# Lists


def test_only_provider_staff_have_a_my_reports_page(login, staff_a, officer, auditor):
    assert login(staff_a).get(reverse("monitoring:my_reports")).status_code == 200
    assert login(officer).get(reverse("monitoring:my_reports")).status_code == 403
    assert login(auditor).get(reverse("monitoring:my_reports")).status_code == 403


@pytest.mark.parametrize("name", ["review_queue", "overdue"])
def test_provider_staff_are_kept_out_of_the_programs_lists(login, staff_a, name):
    assert login(staff_a).get(reverse(f"monitoring:{name}")).status_code == 403


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
@pytest.mark.parametrize("name", ["review_queue", "overdue"])
def test_program_readers_see_the_programs_lists(request, login, role, name):
    response = login(request.getfixturevalue(role)).get(reverse(f"monitoring:{name}"))
    assert response.status_code == 200


def test_another_providers_rows_are_not_there_for_provider_staff(
    login, staff_a, staff_b, provider_a, report
):
    url = reverse("monitoring:rows") + f"?provider={provider_a.pk}&month=2003-05"
    assert login(staff_b).get(url).status_code == 404
    assert login(staff_a).get(url).status_code == 200


# One report


def test_another_providers_report_is_not_there_whatever_its_id(login, staff_b, report):
    client = login(staff_b)
    row = _row(report)
    for url in (
        reverse("monitoring:submission_detail", args=[report.pk]),
        reverse("monitoring:delivery_create", args=[report.pk]),
        reverse("monitoring:training_create", args=[report.pk]),
        reverse("monitoring:cost_report_edit", args=[report.pk]),
        reverse("monitoring:submission_amend", args=[report.pk]),
        reverse("monitoring:submission_changes", args=[report.pk]),
        reverse("monitoring:delivery_detail", args=[row.pk]),
        reverse("monitoring:delivery_edit", args=[row.pk]),
        reverse("monitoring:delivery_delete", args=[row.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("monitoring:submission_submit", args=[report.pk]),
        reverse("monitoring:submission_return", args=[report.pk]),
        reverse("monitoring:submission_approve", args=[report.pk]),
        reverse("monitoring:delivery_delete", args=[row.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert Delivery.objects.filter(pk=row.pk).exists()
    report.refresh_from_db()
    assert report.status == SubmissionStatus.DRAFT


def test_another_providers_warning_is_not_there(login, staff_b, warning):
    url = reverse("monitoring:warning_acknowledge", args=[warning.pk])
    client = login(staff_b)
    before = database_digest()
    assert client.post(url, {"comment": "Seen"}).status_code == 404
    warning.refresh_from_db()
    assert warning.acknowledged_at is None
    assert database_digest() == before


def test_the_auditor_reads_a_report_without_any_way_to_change_it(login, auditor, submitted):
    response = login(auditor).get(reverse("monitoring:submission_detail", args=[submitted.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for url in (
        reverse("monitoring:submission_return", args=[submitted.pk]),
        reverse("monitoring:submission_approve", args=[submitted.pk]),
        reverse("monitoring:delivery_create", args=[submitted.pk]),
    ):
        assert url not in page


def test_the_auditor_is_refused_every_write(login, auditor, submitted, warning):
    client = login(auditor)
    row = _row(submitted)
    for url in (
        reverse("monitoring:delivery_create", args=[submitted.pk]),
        reverse("monitoring:training_create", args=[submitted.pk]),
        reverse("monitoring:cost_report_edit", args=[submitted.pk]),
        reverse("monitoring:submission_amend", args=[submitted.pk]),
        reverse("monitoring:delivery_edit", args=[row.pk]),
        reverse("monitoring:delivery_delete", args=[row.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("monitoring:submission_submit", args=[submitted.pk]),
        reverse("monitoring:submission_return", args=[submitted.pk]),
        reverse("monitoring:submission_approve", args=[submitted.pk]),
        reverse("monitoring:warning_acknowledge", args=[warning.pk]),
        reverse("monitoring:month_open"),
    ):
        assert client.post(url, {"comment": "x", "month": "2003-05"}).status_code == 403, url
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert not RowComment.objects.exists()
    warning.refresh_from_db()
    assert warning.acknowledged_at is None


def test_provider_staff_may_not_review_their_own_report(login, staff_a, submitted, warning):
    client = login(staff_a)
    for url in (
        reverse("monitoring:submission_return", args=[submitted.pk]),
        reverse("monitoring:submission_approve", args=[submitted.pk]),
        reverse("monitoring:warning_acknowledge", args=[warning.pk]),
    ):
        assert client.post(url, {"comment": "fine"}).status_code == 403, url
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED


def test_rows_of_a_submitted_report_cannot_be_changed_by_its_provider(login, staff_a, submitted):
    client = login(staff_a)
    row = _row(submitted)
    assert client.get(reverse("monitoring:delivery_edit", args=[row.pk])).status_code == 403
    assert client.post(reverse("monitoring:delivery_delete", args=[row.pk])).status_code == 403
    assert client.get(reverse("monitoring:delivery_create", args=[submitted.pk])).status_code == 403
    assert Delivery.objects.filter(pk=row.pk).exists()


def test_only_an_approved_report_can_be_reopened(login, staff_a, officer, submitted):
    url = reverse("monitoring:submission_amend", args=[submitted.pk])
    assert login(staff_a).get(url).status_code == 403
    assert login(officer).get(url).status_code == 403
    services.submission_approve(actor=officer, submission=submitted)
    assert login(staff_a).get(url).status_code == 200
    assert login(officer).get(url).status_code == 200
