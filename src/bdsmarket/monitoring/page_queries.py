"""Reads behind the monitoring pages: lists of reports with their figures, a report's totals
by client and service type, the rows behind any figure (by payer too), a report's timeline,
and the comparison of an amendment with what was approved. The reads that other doors share
(totals, the rows behind a total, the reports owed) are in queries.py. Nothing here writes;
callers pass querysets already scoped by permissions.py, so these functions never widen what
a user sees."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.db import MONEY_SUM
from bdsmarket.core.history import who_did
from bdsmarket.core.money import ZERO_AMOUNT
from bdsmarket.registry.models import (
    City,
    ClientType,
    Gender,
    Provider,
    Sector,
    ServiceType,
)

from . import queries, rules
from .models import (
    ApprovedVersion,
    CostReport,
    Delivery,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationWarning,
)
from .services import COST_FIELDS, delivery_snapshot

# Lists of submissions


def submissions_with_figures(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """Return `submissions` annotated with `row_count`, `income`, `open_warnings` and
    `first_submitted_at` (when the report was first sent; lateness is judged on it).

    Each figure is a subquery of its own, so that rows and warnings never multiply each
    other and a page of submissions costs one query whatever their size.
    """
    rows = Delivery.objects.filter(submission=OuterRef("pk")).order_by().values("submission")
    warnings = (
        ValidationWarning.objects.filter(
            submission=OuterRef("pk"), version=OuterRef("version"), acknowledged_at__isnull=True
        )
        .order_by()
        .values("submission")
    )
    return submissions.select_related("provider", "period").annotate(
        row_count=Coalesce(
            Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        income=Coalesce(
            Subquery(rows.annotate(total=Sum("price")).values("total"), output_field=MONEY_SUM),
            Value(ZERO_AMOUNT),
            output_field=MONEY_SUM,
        ),
        open_warnings=Coalesce(
            Subquery(warnings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        first_submitted_at=queries.first_submitted_at(),
    )


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def late_flags_set(submissions: Iterable[Submission], today: date) -> list[Submission]:
    """Set `is_late` on each submission (annotated by submissions_with_figures); return them.

    An amendment of an approved month is never late: the month was reported in time or not
    when it was first sent.
    """
    marked = list(submissions)
    for submission in marked:
        first_sent = getattr(submission, "first_submitted_at", submission.submitted_at)
        if submission.version > 1 and first_sent is None:
            submission.is_late = False  # type: ignore[attr-defined]
            continue
        submission.is_late = rules.is_late(  # type: ignore[attr-defined]
            submission.period.due_date, _local_day(first_sent), today
        )
    return marked


def submission_is_late(submission: Submission, today: date) -> bool:
    """Whether one report is late (see late_flags_set); costs one query."""
    annotated = submissions_with_figures(Submission.objects.filter(pk=submission.pk)).get()
    return bool(late_flags_set([annotated], today)[0].is_late)  # type: ignore[attr-defined]


# One report's totals, and the rows behind each


@dataclass(frozen=True)
class Breakdown:
    """One value of a dimension (e.g. client type "micro") and the totals of its rows."""

    value: str
    label: str
    totals: queries.Totals


@dataclass(frozen=True)
class ReportFigures:
    """A report's totals, and the same totals by client type and by service type."""

    totals: queries.Totals
    by_client_type: list[Breakdown]
    by_service_type: list[Breakdown]


def _breakdown(deliveries: QuerySet[Delivery], dimension: str, choices: Any) -> list[Breakdown]:
    """Return the totals of `deliveries` for each value of `dimension` present, in the
    order of `choices`; one query."""
    labels = dict(choices.choices)
    groups = deliveries.order_by().values(dimension).annotate(**queries.SUMS)
    found = {group.pop(dimension): queries.Totals(**group) for group in groups}
    return [
        Breakdown(value, str(label), found[value])
        for value, label in labels.items()
        if value in found
    ]


def report_figures(submission: Submission) -> ReportFigures:
    """Return the report's totals and its totals by client type and by service type."""
    deliveries = Delivery.objects.filter(submission=submission)
    return ReportFigures(
        totals=queries.deliveries_totals(deliveries),
        by_client_type=_breakdown(deliveries, "client_type", ClientType),
        by_service_type=_breakdown(deliveries, "service_type", ServiceType),
    )


# The rows behind a figure. Each dimension is a column of the delivery, or "payer": the rows
# in which that payer paid a part (so the sum of its part over them is the figure).

PAYERS = {
    "client": "paid_by_client",
    "voucher": "paid_by_voucher",
    "third_party": "paid_by_third_party",
}
PAYER_CHOICES = [
    ("client", _("Paid by the client")),
    ("voucher", _("Paid by voucher")),
    ("third_party", _("Paid by a third party")),
]


@dataclass(frozen=True)
class RowCriteria:
    """Which rows a figure counts: one provider's month, narrowed by dimension values."""

    provider: Provider | None = None
    month: date | None = None
    client_type: str = ""
    client_gender: str = ""
    service_type: str = ""
    client_sector: Sector | None = None
    client_city: City | None = None
    payer: str = ""

    def query(self) -> dict[str, str]:
        """Return the criteria as the rows page's query parameters."""
        params = {
            "provider": str(self.provider.pk) if self.provider else "",
            "month": f"{self.month:%Y-%m}" if self.month else "",
            "client_type": self.client_type,
            "client_gender": self.client_gender,
            "service_type": self.service_type,
            "client_sector": str(self.client_sector.pk) if self.client_sector else "",
            "client_city": str(self.client_city.pk) if self.client_city else "",
            "payer": self.payer,
        }
        return {name: value for name, value in params.items() if value}


def deliveries_matching(
    deliveries: QuerySet[Delivery], criteria: RowCriteria
) -> QuerySet[Delivery]:
    """Return the rows of `deliveries` that the figure described by `criteria` counts."""
    deliveries = queries.deliveries_behind(
        deliveries,
        provider=criteria.provider,
        month=criteria.month,
        client_type=criteria.client_type,
        client_gender=criteria.client_gender,
        service_type=criteria.service_type,
        city=criteria.client_city,
        sector=criteria.client_sector,
    )
    if criteria.payer in PAYERS:
        deliveries = deliveries.filter(**{f"{PAYERS[criteria.payer]}__gt": 0})
    return deliveries


def deliveries_for_table(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Return `deliveries` with what a table of rows shows: sector, city, officer's comments."""
    return deliveries.select_related("client_sector", "client_city").prefetch_related(
        Prefetch(
            "comments",
            queryset=RowComment.objects.select_related("author").order_by("created_at"),
        )
    )


def report_comments(submission: Submission) -> QuerySet[RowComment]:
    """Return the officer's comments on the whole report, newest first, of every version."""
    return (
        RowComment.objects.filter(submission=submission, delivery__isnull=True)
        .select_related("author")
        .order_by("-created_at")
    )


def report_warnings(submission: Submission) -> QuerySet[ValidationWarning]:
    """Return the warnings of the report's current version, open ones first."""
    return (
        ValidationWarning.objects.filter(submission=submission, version=submission.version)
        .select_related("acknowledged_by", "delivery")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "kind", "pk")
    )


# The timeline of a report


@dataclass(frozen=True)
class TimelineStep:
    when: datetime
    who: str
    status: str
    status_label: str
    version: int


def submission_timeline(submission: Submission) -> list[TimelineStep]:
    """Return each change of the report's status or version, oldest first, with who made it."""
    labels = dict(SubmissionStatus.choices)
    steps: list[TimelineStep] = []
    records = submission.history.select_related("history_user").order_by("history_date")
    for record in records:
        if steps and (steps[-1].status, steps[-1].version) == (record.status, record.version):
            continue
        steps.append(
            TimelineStep(
                when=record.history_date,
                who=who_did(record),
                status=record.status,
                status_label=str(labels.get(record.status, record.status)),
                version=record.version,
            )
        )
    return steps


# An amendment against what was approved


# The snapshot's fields as a reader names them, in the order a row is read.
SNAPSHOT_FIELDS = [
    "date",
    "client_id",
    "client_type",
    "client_gender",
    "client_sector",
    "client_city",
    "service_type",
    "service_name",
    "participants",
    "price",
    "paid_by_client",
    "paid_by_voucher",
    "voucher_code",
    "paid_by_third_party",
    "third_party",
    "reference",
]


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangedRow:
    row: dict[str, str]
    changes: list[FieldChange]


@dataclass(frozen=True)
class AmendmentDiff:
    """The current rows of a report against its last approved version, ready to show."""

    approved: ApprovedVersion
    added: list[dict[str, str]]
    removed: list[dict[str, str]]
    changed: list[ChangedRow]
    unchanged: int
    cost_changes: list[FieldChange]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.cost_changes)


def _readable(rows: list[dict[str, Any]]) -> tuple[dict[str, str], ...]:
    """Return rows of a snapshot with names for sectors, cities and choices."""
    sectors = Sector.objects.in_bulk({row.get("client_sector") for row in rows} - {None})
    cities = City.objects.in_bulk({row.get("client_city") for row in rows} - {None})
    choices = {
        "client_type": dict(ClientType.choices),
        "client_gender": dict(Gender.choices),
        "service_type": dict(ServiceType.choices),
    }
    readable = []
    for row in rows:
        shown: dict[str, str] = {}
        for name in SNAPSHOT_FIELDS:
            value = row.get(name)
            if value is None:
                shown[name] = ""
            elif name == "client_sector":
                shown[name] = str(sectors.get(value, value))
            elif name == "client_city":
                shown[name] = str(cities.get(value, value))
            elif name in choices:
                shown[name] = str(choices[name].get(value, value))
            else:
                shown[name] = str(value)
        shown["row_key"] = str(row.get("row_key", ""))
        readable.append(shown)
    return tuple(readable)


def _field_label(name: str) -> str:
    for model in (Delivery, CostReport):
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            continue
    return name


def amendment_diff(submission: Submission) -> AmendmentDiff | None:
    """Return the difference between the report's current rows and its last approved
    version, or None when it was never approved."""
    approved = (
        submission.approved_versions.order_by("-number").select_related("approved_by").first()
    )
    if approved is None:
        return None
    current = [delivery_snapshot(delivery) for delivery in submission.deliveries.order_by("pk")]
    before, after = _readable(approved.deliveries), _readable(current)
    diff = rules.rows_compare(before, after)
    changed = [
        ChangedRow(
            row=_texts(change.after),
            changes=[
                FieldChange(name, _field_label(name), str(old or ""), str(new or ""))
                for name, old, new in change.fields
            ],
        )
        for change in diff.changed
    ]
    cost_report = submission.cost_reports.first()
    now_costs = (
        {name: str(getattr(cost_report, name)) for name in COST_FIELDS} if cost_report else {}
    )
    was_costs = approved.cost_report or {}
    cost_changes = [
        FieldChange(
            name, _field_label(name), _none(was_costs.get(name)), _none(now_costs.get(name))
        )
        for name in COST_FIELDS
        if _none(was_costs.get(name)) != _none(now_costs.get(name))
    ]
    return AmendmentDiff(
        approved=approved,
        added=[_texts(row) for row in diff.added],
        removed=[_texts(row) for row in diff.removed],
        changed=changed,
        unchanged=diff.unchanged,
        cost_changes=cost_changes,
    )


def _texts(row: Mapping[str, object]) -> dict[str, str]:
    return {name: str(value) for name, value in row.items()}


def _none(value: Any) -> str:
    return "" if value in (None, "None") else str(value)
