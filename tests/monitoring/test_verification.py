"""Verification: a random, repeatable sample of a submitted report, what the clients said,
and claimed against verified figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bdsmarket.monitoring import rules, services
from bdsmarket.monitoring.models import (
    MonitoringSettings,
    Submission,
    ValidationWarning,
    VerificationCheck,
    VerificationSample,
)
from bdsmarket.monitoring.verification import (
    verification_check_record,
    verification_sample_draw,
    verification_summary,
)


def _rows(delivery_row, provider, prices: list[str]):
    return [
        delivery_row(
            provider,
            date=date(2003, 5, 1 + n),
            client_id=f"C-{n}",
            reference=f"R-{n}",
            price=Decimal(price),
            paid_by_client=Decimal(price) / 2,
            paid_by_voucher=Decimal(price) / 2,
        )
        for n, price in enumerate(prices)
    ]


def _report(delivery_row, provider, staff, prices: list[str], submit: bool = True) -> Submission:
    result = services.deliveries_store(
        actor=staff, rows=_rows(delivery_row, provider, prices), source="file"
    )
    (submission,) = result.submissions
    if submit:
        services.submission_submit(actor=staff, submission=submission)
    return submission


@pytest.fixture
def twelve_rows(delivery_row, provider_a, staff_a) -> Submission:
    return _report(delivery_row, provider_a, staff_a, [str(10 + n) for n in range(12)])


def _sampled_ids(sample: VerificationSample) -> list[int]:
    return sorted(sample.checks.values_list("delivery_id", flat=True))


# Drawing


def test_it_draws_the_programs_sample_size_by_default(twelve_rows, officer):
    sample = verification_sample_draw(actor=officer, submission=twelve_rows)
    assert sample.checks.count() == MonitoringSettings.current().sample_size == 5
    assert (sample.version, sample.drawn_by) == (1, officer)
    assert set(_sampled_ids(sample)) <= set(twelve_rows.deliveries.values_list("pk", flat=True))


def test_it_respects_the_size_asked_for(twelve_rows, officer):
    sample = verification_sample_draw(actor=officer, submission=twelve_rows, size=3)
    assert sample.checks.count() == 3


def test_the_programs_sample_size_is_tunable(twelve_rows, officer):
    MonitoringSettings.objects.update_or_create(
        pk=MonitoringSettings.current().pk, defaults={"sample_size": 8}
    )
    assert verification_sample_draw(actor=officer, submission=twelve_rows).checks.count() == 8


def test_a_small_report_is_verified_whole(delivery_row, provider_a, staff_a, officer):
    submission = _report(delivery_row, provider_a, staff_a, ["10", "20"])
    sample = verification_sample_draw(actor=officer, submission=submission, size=50)
    assert _sampled_ids(sample) == sorted(submission.deliveries.values_list("pk", flat=True))


def test_the_stored_seed_repeats_the_draw(twelve_rows, officer):
    sample = verification_sample_draw(actor=officer, submission=twelve_rows)
    every_row = twelve_rows.deliveries.values_list("pk", flat=True)
    assert _sampled_ids(sample) == rules.sample_draw(every_row, 5, sample.seed)


def test_drawing_again_returns_the_same_sample_instead_of_a_new_draw(twelve_rows, officer, manager):
    first = verification_sample_draw(actor=officer, submission=twelve_rows)
    again = verification_sample_draw(actor=manager, submission=twelve_rows, size=10)
    assert again == first
    assert VerificationSample.objects.count() == 1
    assert VerificationCheck.objects.count() == 5


def test_an_amended_report_gets_a_sample_of_its_own(twelve_rows, staff_a, officer):
    first = verification_sample_draw(actor=officer, submission=twelve_rows)
    for warning in ValidationWarning.objects.filter(submission=twelve_rows):
        services.warning_acknowledge(actor=officer, warning=warning)
    services.submission_approve(actor=officer, submission=twelve_rows)
    services.submission_amend(actor=staff_a, submission=twelve_rows, reason="A price was wrong")
    services.submission_submit(actor=staff_a, submission=twelve_rows)
    second = verification_sample_draw(actor=officer, submission=twelve_rows)
    assert second != first
    assert (first.version, second.version) == (1, 2)


def test_an_approved_report_can_still_be_verified(twelve_rows, officer):
    for warning in ValidationWarning.objects.filter(submission=twelve_rows):
        services.warning_acknowledge(actor=officer, warning=warning)
    services.submission_approve(actor=officer, submission=twelve_rows)
    assert verification_sample_draw(actor=officer, submission=twelve_rows).checks.count() == 5


def test_it_refuses_to_sample_a_draft(delivery_row, provider_a, staff_a, officer):
    draft = _report(delivery_row, provider_a, staff_a, ["10"], submit=False)
    with pytest.raises(ValidationError, match="draft"):
        verification_sample_draw(actor=officer, submission=draft)
    assert VerificationSample.objects.count() == 0


def test_it_refuses_a_sample_size_below_one(twelve_rows, officer):
    with pytest.raises(ValidationError) as error:
        verification_sample_draw(actor=officer, submission=twelve_rows, size=0)
    assert "size" in error.value.message_dict
    assert VerificationSample.objects.count() == 0


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "auditor", "evaluator"])
def test_only_program_staff_draw_samples(twelve_rows, who, request):
    with pytest.raises(PermissionDenied):
        verification_sample_draw(actor=request.getfixturevalue(who), submission=twelve_rows)
    assert VerificationSample.objects.count() == 0


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_the_officer_and_the_manager_draw_samples(twelve_rows, who, request):
    verification_sample_draw(actor=request.getfixturevalue(who), submission=twelve_rows)
    assert VerificationSample.objects.count() == 1


# Recording what the client said


@pytest.fixture
def check(twelve_rows, officer) -> VerificationCheck:
    sample = verification_sample_draw(actor=officer, submission=twelve_rows, size=1)
    return sample.checks.get()


def test_a_confirmation_without_figures_confirms_the_claimed_ones(check, officer):
    verification_check_record(actor=officer, check=check, confirmed=True, note=" reached by phone ")
    check.refresh_from_db()
    assert check.confirmed is True
    assert check.verified_price == check.delivery.price
    assert check.verified_paid_by_client == check.delivery.paid_by_client
    assert (check.note, check.checked_by) == ("reached by phone", officer)
    assert check.checked_at is not None


def test_a_denial_without_figures_verifies_nothing(check, officer):
    verification_check_record(actor=officer, check=check, confirmed=False)
    check.refresh_from_db()
    assert (check.confirmed, check.verified_price, check.verified_paid_by_client) == (
        False,
        None,
        None,
    )


def test_the_verified_figures_are_stored(check, officer):
    verification_check_record(
        actor=officer,
        check=check,
        confirmed=False,
        verified_price=Decimal("8.00"),
        verified_paid_by_client=Decimal("3.50"),
    )
    check.refresh_from_db()
    assert (check.verified_price, check.verified_paid_by_client) == (Decimal("8"), Decimal("3.5"))


def test_a_change_of_mind_is_kept_in_the_history(check, officer, manager):
    verification_check_record(actor=officer, check=check, confirmed=False)
    verification_check_record(actor=manager, check=check, confirmed=True)
    records = check.history.order_by("history_date")
    assert [(r.confirmed, r.history_user) for r in records][-2:] == [
        (False, officer),
        (True, manager),
    ]


@pytest.mark.parametrize(
    ("price", "paid", "field"),
    [
        ("-1", None, "verified_price"),
        (None, "-1", "verified_paid_by_client"),
        ("10", "12", "verified_paid_by_client"),
        ("10.001", None, "verified_price"),
    ],
)
def test_it_rejects_impossible_figures(check, officer, price, paid, field):
    with pytest.raises(ValidationError) as error:
        verification_check_record(
            actor=officer,
            check=check,
            confirmed=False,
            verified_price=None if price is None else Decimal(price),
            verified_paid_by_client=None if paid is None else Decimal(paid),
        )
    assert field in error.value.message_dict
    check.refresh_from_db()
    assert check.confirmed is None


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "auditor"])
def test_only_program_staff_record_checks(check, who, request):
    with pytest.raises(PermissionDenied):
        verification_check_record(actor=request.getfixturevalue(who), check=check, confirmed=True)
    check.refresh_from_db()
    assert check.confirmed is None


# Claimed against verified


def test_the_summary_before_any_sample_is_empty(twelve_rows):
    summary = verification_summary(twelve_rows)
    assert (summary.sample, summary.sampled, summary.checked) == (None, 0, 0)
    assert summary.discrepancy_rate is None


def test_the_summary_compares_claimed_and_verified_figures(
    delivery_row, provider_a, staff_a, officer
):
    # Four rows, each paid half by the client and half by a voucher, all in the sample.
    submission = _report(delivery_row, provider_a, staff_a, ["30", "16", "40", "50"])
    sample = verification_sample_draw(actor=officer, submission=submission, size=4)
    checks = {c.delivery.price: c for c in sample.checks.select_related("delivery")}
    # Confirmed as claimed: 30 (client 15).
    verification_check_record(actor=officer, check=checks[Decimal("30")], confirmed=True)
    # Confirmed, but the client paid 6 of a price of 12, not 8 of 16: a discrepancy.
    verification_check_record(
        actor=officer,
        check=checks[Decimal("16")],
        confirmed=True,
        verified_price=Decimal("12"),
        verified_paid_by_client=Decimal("6"),
    )
    # Denied: the client never received it (verified 0).
    verification_check_record(actor=officer, check=checks[Decimal("40")], confirmed=False)
    # The client of the row priced 50 has not been reached.

    summary = verification_summary(submission)

    assert summary.sample == sample
    assert (summary.sampled, summary.checked, summary.confirmed) == (4, 3, 2)
    assert summary.discrepancies == 2
    assert summary.discrepancy_rate == pytest.approx(2 / 3)
    assert summary.claimed_income == Decimal("86.00")  # 30 + 16 + 40
    assert summary.verified_income == Decimal("42.00")  # 30 + 12 + 0
    assert summary.claimed_paid_by_client == Decimal("43.00")  # 15 + 8 + 20
    assert summary.verified_paid_by_client == Decimal("21.00")  # 15 + 6 + 0


def test_a_fully_confirmed_sample_has_no_discrepancy(twelve_rows, officer):
    sample = verification_sample_draw(actor=officer, submission=twelve_rows)
    for check in sample.checks.all():
        verification_check_record(actor=officer, check=check, confirmed=True)
    summary = verification_summary(twelve_rows)
    assert (summary.checked, summary.confirmed, summary.discrepancies) == (5, 5, 0)
    assert summary.discrepancy_rate == 0
    assert summary.verified_income == summary.claimed_income
    claimed = sum(c.delivery.price for c in sample.checks.select_related("delivery"))
    assert summary.claimed_income == claimed
