"""The verification pages: who may see a report's sample and who may draw and record it,
drawing a sample, recording what a client said, and the refusal to sample a draft."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import (
    MonitoringSettings,
    Submission,
    VerificationCheck,
    VerificationSample,
)
from bdsmarket.monitoring.verification import verification_sample_draw

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def _store(staff, delivery_row, provider, count: int) -> Submission:
    result = services.deliveries_store(
        actor=staff,
        rows=[
            delivery_row(
                provider,
                date=date(2003, 5, 1 + n),
                client_id=f"C-{n}",
                reference=f"R-{n}",
                price=Decimal("30.00"),
                paid_by_client=Decimal("20.00"),
                paid_by_voucher=Decimal("10.00"),
            )
            for n in range(count)
        ],
        source="file",
    )
    (submission,) = result.submissions
    return submission


@pytest.fixture
def report(staff_a, provider_a, delivery_row) -> Submission:
    """provider_a's May 2003, sent for review: six deliveries of 30.00, 20.00 by the client."""
    submission = _store(staff_a, delivery_row, provider_a, 6)
    return services.submission_submit(actor=staff_a, submission=submission)


@pytest.fixture
def draft(staff_a, provider_a, delivery_row) -> Submission:
    return _store(staff_a, delivery_row, provider_a, 3)


@pytest.fixture
def sampled(report, officer) -> VerificationSample:
    return verification_sample_draw(actor=officer, submission=report, size=3)


def _check_data(**overrides) -> dict[str, str]:
    return {
        "confirmed": "yes",
        "verified_price": "",
        "verified_paid_by_client": "",
        "note": "",
        **overrides,
    }


# Who gets in


@pytest.mark.parametrize("who", ["manager", "officer", "auditor"])
def test_it_shows_the_verification_page_to_program_staff_and_auditors(
    request, login, report, sampled, who
):
    response = login(request.getfixturevalue(who)).get(
        reverse("monitoring:verification", args=[report.pk])
    )
    assert response.status_code == 200
    assert "Sampled rows" in page(response)


def test_it_shows_the_auditor_the_rows_without_forms(login, auditor, report, sampled):
    response = login(auditor).get(reverse("monitoring:verification", args=[report.pk]))
    assert 'name="confirmed"' not in page(response)
    assert "Draw a sample" not in page(response)
    assert page(response).count("Not checked yet.") == 3


def test_it_gives_the_officer_a_form_per_sampled_row(login, officer, report, sampled):
    response = login(officer).get(reverse("monitoring:verification", args=[report.pk]))
    for check in sampled.checks.all():
        assert reverse("monitoring:verification_check", args=[check.pk]) in page(response)
    # One sample per version: no second draw is offered.
    assert "Draw a sample" not in page(response)


@pytest.mark.parametrize(
    ("who", "status"), [("staff_a", 403), ("staff_b", 404), ("evaluator", 404)]
)
def test_it_keeps_providers_and_evaluators_out_of_the_page(request, login, report, who, status):
    response = login(request.getfixturevalue(who)).get(
        reverse("monitoring:verification", args=[report.pk])
    )
    assert response.status_code == status


def test_it_sends_anonymous_visitors_to_log_in(client, report):
    response = client.get(reverse("monitoring:verification", args=[report.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("auditor", 403), ("staff_a", 403), ("staff_b", 404), ("evaluator", 404)],
)
def test_it_lets_only_program_staff_draw_a_sample(request, login, report, who, status):
    response = login(request.getfixturevalue(who)).post(
        reverse("monitoring:verification_draw", args=[report.pk])
    )
    assert response.status_code == status
    assert not VerificationSample.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("auditor", 403), ("staff_a", 403), ("staff_b", 404), ("evaluator", 404)],
)
def test_it_lets_only_program_staff_record_a_check(request, login, sampled, who, status):
    check = sampled.checks.first()
    response = login(request.getfixturevalue(who)).post(
        reverse("monitoring:verification_check", args=[check.pk]), _check_data()
    )
    assert response.status_code == status
    check.refresh_from_db()
    assert check.confirmed is None


def test_it_refuses_to_draw_or_record_on_a_get(login, officer, report, sampled):
    client = login(officer)
    check = sampled.checks.first()
    assert client.get(reverse("monitoring:verification_draw", args=[report.pk])).status_code == 405
    assert client.get(reverse("monitoring:verification_check", args=[check.pk])).status_code == 405


def test_it_links_the_review_page_to_verification_for_the_program_only(
    login, officer, auditor, staff_a, report
):
    url = reverse("monitoring:verification", args=[report.pk])
    detail = reverse("monitoring:submission_detail", args=[report.pk])
    assert url in page(login(officer).get(detail))
    assert url in page(login(auditor).get(detail))
    assert url not in page(login(staff_a).get(detail))


# Drawing


def test_it_draws_a_sample_of_the_programs_size(login, officer, report):
    settings = MonitoringSettings.current()
    settings.sample_size = 4
    settings.save()
    response = login(officer).post(
        reverse("monitoring:verification_draw", args=[report.pk]), follow=True
    )
    sample = VerificationSample.objects.get(submission=report)
    assert sample.version == report.version
    assert sample.drawn_by == officer
    assert sample.checks.count() == 4
    assert set(sample.checks.values_list("delivery__submission", flat=True)) == {report.pk}
    assert "A sample of 4 rows was drawn." in page(response)
    assert "Draw a sample" not in page(response)


def test_it_offers_a_draw_when_the_report_has_no_sample(login, officer, report):
    response = login(officer).get(reverse("monitoring:verification", args=[report.pk]))
    assert "Draw a sample" in page(response)
    assert "No sample has been drawn from this report yet." in page(response)


def test_it_refuses_to_sample_a_draft_and_stores_nothing(login, officer, draft):
    response = login(officer).post(
        reverse("monitoring:verification_draw", args=[draft.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("monitoring:verification", args=[draft.pk])
    assert "a sample is drawn once it is submitted" in page(response)
    assert not VerificationSample.objects.exists()
    assert not VerificationCheck.objects.exists()


# Recording


def test_it_records_a_confirmation_with_the_claimed_figures(login, officer, report, sampled):
    check = sampled.checks.order_by("pk").first()
    response = login(officer).post(
        reverse("monitoring:verification_check", args=[check.pk]),
        _check_data(note="Called on Monday"),
        follow=True,
    )
    check.refresh_from_db()
    assert check.confirmed is True
    assert check.verified_price == Decimal("30.00")
    assert check.verified_paid_by_client == Decimal("20.00")
    assert check.note == "Called on Monday"
    assert check.checked_by == officer
    assert "was recorded" in page(response)
    assert '<dd id="discrepancy-rate">0.0 %</dd>' in page(response)


def test_it_records_a_discrepancy_and_shows_the_rate(login, officer, report, sampled):
    client = login(officer)
    first, second = sampled.checks.order_by("pk")[:2]
    client.post(reverse("monitoring:verification_check", args=[first.pk]), _check_data())
    response = client.post(
        reverse("monitoring:verification_check", args=[second.pk]),
        _check_data(verified_price="25.00", verified_paid_by_client="15.00"),
        follow=True,
    )
    second.refresh_from_db()
    assert second.confirmed is True
    assert second.verified_price == Decimal("25.00")
    assert second.verified_paid_by_client == Decimal("15.00")
    # One of the two checked rows differs from what was claimed.
    assert '<dd id="discrepancy-rate">50.0 %</dd>' in page(response)
    assert "60.00 / 55.00" in page(response)


def test_it_shows_a_dash_for_the_rate_before_any_check(login, officer, report, sampled):
    response = login(officer).get(reverse("monitoring:verification", args=[report.pk]))
    assert '<dd id="discrepancy-rate">—</dd>' in page(response)


def test_it_shows_the_services_refusal_and_keeps_the_check_empty(login, officer, sampled):
    check = sampled.checks.first()
    response = login(officer).post(
        reverse("monitoring:verification_check", args=[check.pk]),
        _check_data(verified_price="10.00", verified_paid_by_client="15.00"),
        follow=True,
    )
    check.refresh_from_db()
    assert check.confirmed is None
    assert check.verified_price is None
    assert "The client cannot have paid 15.00 of a price of 10.00." in page(response)


def test_it_asks_whether_the_client_confirmed(login, officer, sampled):
    check = sampled.checks.first()
    response = login(officer).post(
        reverse("monitoring:verification_check", args=[check.pk]),
        _check_data(confirmed=""),
        follow=True,
    )
    check.refresh_from_db()
    assert check.confirmed is None
    assert "Did the client confirm the service?: This field is required." in page(response)


def test_it_reads_the_page_in_the_same_number_of_queries_for_any_sample(
    login, officer, report, staff_b, provider_b, delivery_row
):
    other = services.submission_submit(
        actor=staff_b, submission=_store(staff_b, delivery_row, provider_b, 2)
    )
    verification_sample_draw(actor=officer, submission=report, size=6)
    verification_sample_draw(actor=officer, submission=other, size=2)
    client = login(officer)
    counts = []
    for submission in (report, other):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("monitoring:verification", args=[submission.pk])).status_code
                == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
