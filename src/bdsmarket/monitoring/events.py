"""What monitoring tells the apps above it (see core/events.py).

Published from monitoring's services inside their transaction; indicators subscribes
(facts refresh, bulletin queue), and so will any app that keeps figures from reports.
"""

from dataclasses import dataclass
from datetime import date, datetime

from bdsmarket.core.events import Event


@dataclass(frozen=True)
class ReportEvent(Event):
    """A provider's monthly report changed status."""

    submission_id: int
    provider_id: int
    month: date


@dataclass(frozen=True)
class ReportSubmitted(ReportEvent):
    """The report was sent for review (first time or again after a return)."""


@dataclass(frozen=True)
class ReportReturned(ReportEvent):
    """The report went back to its provider for corrections."""


@dataclass(frozen=True)
class ReportApproved(ReportEvent):
    """The report was approved; its rows now count in every approved figure."""


@dataclass(frozen=True)
class ReportReopened(ReportEvent):
    """An approved report was reopened by an amendment; it left the approved figures."""


@dataclass(frozen=True)
class DeliveriesStored(Event):
    """Delivery rows were stored, by any door: a file, the phone form, the API, the CLI or
    the generator.

    `provider_ids` None means every provider. `reports_approved` is true when the rows
    went straight into approved reports without the review workflow (the generator): no
    report event follows, so figures kept from approved reports must be taken now.
    """

    source: str
    created: int
    at: datetime
    provider_ids: frozenset[int] | None
    batch_id: int | None = None
    reports_approved: bool = False
