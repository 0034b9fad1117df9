"""Monthly reports for tests that need figures: rows stored, reports submitted and approved,
as providers and officers do it, through the services."""

from datetime import date

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission


def store(actor, *rows):
    """Store delivery rows (services.DeliveryInput) as one API batch of `actor`."""
    return services.deliveries_store(actor=actor, rows=list(rows), source="api")


def report(provider, month: date) -> Submission:
    """Return `provider`'s report of `month`."""
    return Submission.objects.get(provider=provider, period__month=month)


def approve(staff, officer, submission: Submission) -> None:
    """Submit `submission` as `staff` and approve it as `officer`."""
    services.submission_submit(actor=staff, submission=submission)
    services.submission_approve(actor=officer, submission=submission)


def approve_month(officer, provider, month: date, rows) -> None:
    """Store `rows` of `provider` and approve its month, all as `officer`."""
    store(officer, *rows)
    approve(officer, officer, report(provider, month))
