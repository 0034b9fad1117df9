"""Monitoring tells the apps above it what happened to reports and rows, inside the
service's transaction: a subscriber that fails undoes the change it heard of."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bdsmarket.core import events as core_events
from bdsmarket.indicators import services as indicator_services
from bdsmarket.indicators.models import Fact
from bdsmarket.monitoring import events, services
from bdsmarket.monitoring.models import ApprovedVersion, Submission, SubmissionStatus
from tests.reporting import report, store

MAY = date(2003, 5, 1)


@pytest.fixture
def heard():
    """Every monitoring event published during the test, in order."""
    log: list[core_events.Event] = []
    core_events.subscribe(events.ReportEvent, log.append)
    core_events.subscribe(events.DeliveriesStored, log.append)
    yield log
    core_events.unsubscribe(events.ReportEvent, log.append)
    core_events.unsubscribe(events.DeliveriesStored, log.append)


@pytest.fixture
def may(staff_a, provider_a, delivery_row):
    store(staff_a, delivery_row(provider_a, reference="A-1"))
    return report(provider_a, MAY)


def test_storing_rows_tells_which_providers_got_rows(heard, staff_a, provider_a, delivery_row):
    result = store(staff_a, delivery_row(provider_a, reference="A-1"))

    [event] = heard
    assert isinstance(event, events.DeliveriesStored)
    assert event.provider_ids == frozenset({provider_a.pk})
    assert (event.source, event.created, event.batch_id) == ("api", 1, result.batch.pk)
    assert not event.reports_approved


def test_each_step_of_the_review_is_told_with_its_report(staff_a, officer, may, heard):
    services.submission_submit(actor=staff_a, submission=may)
    services.submission_return(actor=officer, submission=may, comment="Check the prices.")
    services.submission_submit(actor=staff_a, submission=may)
    services.submission_approve(actor=officer, submission=may)
    services.submission_amend(actor=officer, submission=may, reason="A row was missing.")

    assert [type(event) for event in heard] == [
        events.ReportSubmitted,
        events.ReportReturned,
        events.ReportSubmitted,
        events.ReportApproved,
        events.ReportReopened,
    ]
    assert {(e.submission_id, e.provider_id, e.month) for e in heard} == {
        (may.pk, may.provider_id, MAY)
    }


def test_a_refused_step_tells_nothing(staff_a, officer, may, heard):
    with pytest.raises(ValidationError):
        services.submission_approve(actor=officer, submission=may)  # still a draft

    assert heard == []


def test_a_failing_subscriber_undoes_the_approval(staff_a, officer, may):
    services.submission_submit(actor=staff_a, submission=may)

    def failing(event: events.ReportApproved) -> None:
        raise RuntimeError("the subscriber failed")

    core_events.subscribe(events.ReportApproved, failing)
    try:
        with pytest.raises(RuntimeError):
            services.submission_approve(actor=officer, submission=may)
    finally:
        core_events.unsubscribe(events.ReportApproved, failing)

    assert Submission.objects.get(pk=may.pk).status == SubmissionStatus.SUBMITTED
    assert not ApprovedVersion.objects.exists()
    assert not Fact.objects.filter(basis="approved").exists()


def test_indicators_subscribe_when_the_project_starts():
    assert indicator_services.facts_refresh_on_report in core_events.subscribers(
        events.ReportApproved
    )
    assert indicator_services.bulletin_queue_on_approval in core_events.subscribers(
        events.ReportApproved
    )
    assert indicator_services.facts_refresh_on_load in core_events.subscribers(
        events.DeliveriesStored
    )
    assert indicator_services.bulletin_queue_on_approval not in core_events.subscribers(
        events.ReportReopened
    )
