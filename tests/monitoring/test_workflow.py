"""A month's report: stored rows, submitted, returned with row comments, approved, amended."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bdsmarket.monitoring import rules, services
from bdsmarket.monitoring.models import (
    ApprovedVersion,
    Delivery,
    ReportingPeriod,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationWarning,
)


def _a2(delivery_row, provider):
    """A course paid in full by the client, for a client without national ID."""
    return delivery_row(
        provider,
        reference="A-2",
        client_id="C-17",
        price=Decimal("15"),
        paid_by_client=Decimal("15"),
        paid_by_voucher=Decimal("0"),
        voucher_code="",
    )


@pytest.fixture
def may_2003(staff_a, provider_a, delivery_row):
    services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            _a2(delivery_row, provider_a),
        ],
        source="file",
    )
    return Submission.objects.get(provider=provider_a)


def test_rows_land_in_their_providers_monthly_report(may_2003):
    assert may_2003.period.month == date(2003, 5, 1)
    assert may_2003.status == SubmissionStatus.DRAFT
    assert may_2003.deliveries.count() == 2


def test_a_period_is_due_on_the_programs_due_day_of_the_next_month(program):
    period = services.period_get_or_create(date(2003, 12, 17))
    assert (period.month, period.due_date) == (date(2003, 12, 1), date(2004, 1, 10))
    assert services.period_get_or_create(date(2003, 12, 2)) == period
    assert ReportingPeriod.objects.count() == 1


def test_the_client_key_joins_a_person_across_providers_but_not_a_local_number():
    assert rules.client_key("CDE-LIM-01", "4455-6677") == "dni:44556677"
    assert rules.client_key("cde-lim-01", " C-17 ") == "CDE-LIM-01:C-17"
    assert rules.client_key("CDE-CIX-01", "C-17") != rules.client_key("CDE-LIM-01", "C-17")


def test_sending_the_same_rows_again_stores_them_once(staff_a, provider_a, delivery_row, may_2003):
    again = services.deliveries_store(
        actor=staff_a,
        rows=[
            delivery_row(provider_a, reference="A-1"),
            _a2(delivery_row, provider_a),
        ],
        source="file",
    )
    assert (again.created, again.unchanged) == (0, 2)
    assert Delivery.objects.count() == 2


def test_two_identical_rows_without_reference_are_two_and_stay_two(
    staff_a, provider_a, delivery_row
):
    rows = [delivery_row(provider_a), delivery_row(provider_a)]
    first = services.deliveries_store(actor=staff_a, rows=rows, source="file")
    second = services.deliveries_store(actor=staff_a, rows=rows, source="file")
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert Delivery.objects.count() == 2


def test_another_providers_staff_cannot_store_rows_for_it(staff_b, provider_a, delivery_row):
    with pytest.raises(PermissionDenied):
        services.deliveries_store(actor=staff_b, rows=[delivery_row(provider_a)], source="api")
    assert not Delivery.objects.exists()


def test_the_database_refuses_payers_that_do_not_add_up(staff_a, provider_a, delivery_row):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        services.deliveries_store(
            actor=staff_a,
            rows=[delivery_row(provider_a, paid_by_client=Decimal("25"))],
            source="api",
        )
    assert not Delivery.objects.exists()


def test_the_officer_returns_a_report_with_a_comment_on_one_row(officer, staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    row = may_2003.deliveries.get(reference="A-2")
    services.submission_return(
        actor=officer,
        submission=may_2003,
        comment="",
        row_comments={row.pk: "Is the price 15 for a whole course?"},
    )
    may_2003.refresh_from_db()
    assert may_2003.status == SubmissionStatus.RETURNED
    comment = RowComment.objects.get()
    assert (comment.delivery, comment.author, comment.version) == (row, officer, 1)


def test_a_return_must_say_what_to_correct(officer, staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    with pytest.raises(ValidationError):
        services.submission_return(actor=officer, submission=may_2003, comment="  ")
    assert Submission.objects.get(pk=may_2003.pk).status == SubmissionStatus.SUBMITTED


def test_a_corrected_report_comes_back_resubmitted(officer, staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    services.submission_return(actor=officer, submission=may_2003, comment="Check prices")
    row = may_2003.deliveries.get(reference="A-2")
    services.delivery_update(
        actor=staff_a,
        delivery=row,
        changes={"price": Decimal("45"), "paid_by_client": Decimal("45")},
    )
    services.submission_submit(actor=staff_a, submission=may_2003)
    assert Submission.objects.get(pk=may_2003.pk).status == SubmissionStatus.RESUBMITTED
    before, after = [h.price for h in Delivery.history.filter(id=row.pk).order_by("history_date")]
    assert (before, after) == (Decimal("15.00"), Decimal("45.00"))
    assert Delivery.history.filter(id=row.pk).latest("history_date").history_user == staff_a


def test_rows_cannot_change_while_under_review(staff_a, provider_a, delivery_row, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    with pytest.raises(ValidationError):
        services.deliveries_store(
            actor=staff_a, rows=[delivery_row(provider_a, reference="A-3")], source="form"
        )
    row = may_2003.deliveries.first()
    with pytest.raises(PermissionDenied):
        services.delivery_update(actor=staff_a, delivery=row, changes={"participants": 3})
    assert Delivery.objects.count() == 2


def test_approval_waits_for_every_warning_to_be_acknowledged(officer, staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    warning = ValidationWarning.objects.create(
        submission=may_2003,
        version=1,
        kind="price_outlier",
        code="legacy",
        params={"text": "Price far from usual"},
    )
    with pytest.raises(ValidationError):
        services.submission_approve(actor=officer, submission=may_2003)
    services.warning_acknowledge(actor=officer, warning=warning, note="Confirmed by phone")
    services.submission_approve(actor=officer, submission=may_2003)
    assert Submission.objects.get(pk=may_2003.pk).status == SubmissionStatus.APPROVED


def test_an_approved_report_keeps_its_rows_as_approved(officer, staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    version = services.submission_approve(actor=officer, submission=may_2003)
    assert ApprovedVersion.objects.get() == version
    assert sorted(row["reference"] for row in version.deliveries) == ["A-1", "A-2"]
    assert {row["price"] for row in version.deliveries} == {"30.00", "15.00"}


def test_provider_staff_cannot_approve_their_own_report(staff_a, may_2003):
    services.submission_submit(actor=staff_a, submission=may_2003)
    with pytest.raises(PermissionDenied):
        services.submission_approve(actor=staff_a, submission=may_2003)


def test_an_amendment_reopens_with_a_reason_and_keeps_the_approved_version(
    officer, staff_a, may_2003
):
    services.submission_submit(actor=staff_a, submission=may_2003)
    services.submission_approve(actor=officer, submission=may_2003)
    with pytest.raises(ValidationError):
        services.submission_amend(actor=staff_a, submission=may_2003, reason="")
    services.submission_amend(
        actor=staff_a, submission=may_2003, reason="A client paid with a voucher, not cash"
    )
    may_2003.refresh_from_db()
    assert (may_2003.status, may_2003.version) == (SubmissionStatus.DRAFT, 2)
    row = may_2003.deliveries.get(reference="A-1")
    services.delivery_update(
        actor=staff_a,
        delivery=row,
        changes={"paid_by_client": Decimal("0"), "paid_by_voucher": Decimal("30")},
    )
    services.submission_submit(actor=staff_a, submission=may_2003)
    services.submission_approve(actor=officer, submission=may_2003)
    first, second = ApprovedVersion.objects.order_by("number")
    old = next(r for r in first.deliveries if r["reference"] == "A-1")
    new = next(r for r in second.deliveries if r["reference"] == "A-1")
    assert (old["paid_by_voucher"], new["paid_by_voucher"]) == ("10.00", "30.00")


def test_a_cost_report_is_stored_once_and_replaced_when_it_changes(staff_a, provider_a):
    report = services.CostInput(
        provider=provider_a,
        month=date(2003, 5, 1),
        staff_costs=Decimal("1200"),
        premises_costs=Decimal("300"),
        other_costs=Decimal("150"),
    )
    _stored, changed = services.cost_report_store(actor=staff_a, report=report)
    _again, changed_again = services.cost_report_store(actor=staff_a, report=report)
    assert (changed, changed_again) == (True, False)
    report.other_costs = Decimal("175")
    stored, _changed = services.cost_report_store(actor=staff_a, report=report)
    assert stored.total_costs == Decimal("1675.00")
    assert stored.history.count() == 2


def test_many_rows_for_one_client_on_one_day_give_a_warning(staff_a, provider_a, delivery_row):
    rows = [delivery_row(provider_a, reference=f"R-{n}") for n in range(5)]
    services.deliveries_store(actor=staff_a, rows=rows, source="file")
    submission = Submission.objects.get()
    services.submission_submit(actor=staff_a, submission=submission)
    warning = ValidationWarning.objects.get(submission=submission)
    assert warning.kind == "same_client_same_day"
    assert warning.details["rows"] == 5
