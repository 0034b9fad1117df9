"""Reads of monitoring that more than one door needs: the reports that are owed, a report's
totals, and the rows behind any total (traceability).

Totals are aggregated by the database; `deliveries_behind` narrows a queryset that the
caller has already scoped with permissions.py, so it never widens what a user sees.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bdsmarket.core.db import MONEY_SUM
from bdsmarket.core.money import ZERO_AMOUNT
from bdsmarket.core.months import month_add, month_start, months_between
from bdsmarket.registry.models import City, Provider, ProviderStatus, Sector

from . import rules
from .models import Delivery, MonitoringSettings, ReportingPeriod, Submission, SubmissionStatus

# The reports owed


@dataclass(frozen=True)
class OwedReport:
    """A provider's report for `month` that has not been sent, and when it is (was) due.

    `days_late` is negative while the due date is ahead.
    """

    provider: Provider
    month: date
    due_date: date
    days_late: int
    submission: Submission | None


def reports_owed(*, due_from: date | None, due_to: date, today: date) -> list[OwedReport]:
    """Return the reports active providers have not sent, of the months due between
    `due_from` (None: from the first) and `due_to`, both included.

    A provider owes a report for every month from the one it first became active in. A
    report is sent once it was submitted: a returned report or a reopened approved one is
    in the reviewers' hands or already on record, never late. A month needs no reporting
    period row to be owed; when it has one, the period's own due date counts.
    """
    providers = list(
        Provider.objects.active()
        .annotate(
            first_active=Min(
                "status_changes__date", filter=Q(status_changes__status=ProviderStatus.ACTIVE)
            )
        )
        .order_by("code")
    )
    if not providers:
        return []
    starts = {
        provider.pk: month_start(provider.first_active or provider.status_since)  # type: ignore[attr-defined]
        for provider in providers
    }
    reporting = MonitoringSettings.current()
    stored_due = dict(ReportingPeriod.objects.values_list("month", "due_date"))
    months = []
    for month in months_between(min(starts.values()), due_to):
        if reporting.reporting_ends and month > reporting.reporting_ends:
            break  # the program has closed: nothing is owed after its last month
        due = stored_due.get(month) or rules.due_date(month, reporting.due_day)
        if (due_from is None or due_from <= due) and due <= due_to:
            months.append((month, due))
    if not months:
        return []
    in_range = Submission.objects.filter(
        provider__in=[provider.pk for provider in providers],
        period__month__gte=months[0][0],
        period__month__lte=months[-1][0],
    )
    sent = set(
        in_range.filter(~Q(status=SubmissionStatus.DRAFT) | Q(version__gt=1)).values_list(
            "provider_id", "period__month"
        )
    )
    drafts = {
        (submission.provider_id, submission.period.month): submission
        for submission in in_range.filter(status=SubmissionStatus.DRAFT, version=1)
        .select_related("period")
        .order_by()
    }
    return [
        OwedReport(
            provider=provider,
            month=month,
            due_date=due,
            days_late=(today - due).days,
            submission=drafts.get((provider.pk, month)),
        )
        for month, due in months
        for provider in providers
        if month >= starts[provider.pk] and (provider.pk, month) not in sent
    ]


def overdue_submissions(today: date) -> list[OwedReport]:
    """Return the reports active providers owe for months whose due date has passed
    before `today`, the latest first, then by provider code."""
    owed = reports_owed(due_from=None, due_to=today - timedelta(days=1), today=today)
    return sorted(owed, key=lambda report: (report.days_late, report.provider.code))


@dataclass(frozen=True)
class ReportingRecord:
    """How one provider reported the months of a span whose reports are past due.

    `due`: the reports it owed (every month from the one it became active in, as
    reports_owed counts them, plus any month it reported outside that); `sent`: those it
    submitted; `approved`: those approved; `late`: those first sent after their due date.
    """

    provider: Provider
    due: int
    sent: int
    approved: int
    late: int

    @property
    def missing(self) -> int:
        return self.due - self.sent

    @property
    def on_time(self) -> int:
        return self.sent - self.late


def first_submitted_at() -> Coalesce:
    """Return an expression for when a submission was first sent: the stamp its first
    sending recorded in the history (not the history entry's own date, which is when the
    entry was written: a loaded or migrated report keeps its day), else its own."""
    first_sent = (
        Submission.history.filter(id=OuterRef("pk"), status=SubmissionStatus.SUBMITTED)
        .order_by("history_date", "history_id")
        .values("submitted_at")[:1]
    )
    return Coalesce(Subquery(first_sent), F("submitted_at"))


def reporting_completeness(
    *, first_month: date, last_month: date, today: date
) -> list[ReportingRecord]:
    """Return, by provider code, the reporting record of each provider that owed or sent a
    report of a month from `first_month` to `last_month` whose due date is before `today`.

    A report is sent as reports_owed counts it (submitted at least once); it is late when
    it was first submitted after its due date (an amendment of an approved month never is).
    A fixed number of queries, whatever the number of providers and months.
    """
    yesterday = today - timedelta(days=1)
    owed = [
        report
        for report in reports_owed(due_from=None, due_to=yesterday, today=today)
        if first_month <= report.month <= last_month
    ]
    sent = (
        Submission.objects.filter(
            period__month__gte=first_month,
            period__month__lte=last_month,
            period__due_date__lt=today,
        )
        .filter(~Q(status=SubmissionStatus.DRAFT) | Q(version__gt=1))
        .annotate(first_sent=first_submitted_at())
        .values_list("provider_id", "status", "version", "period__due_date", "first_sent")
        .order_by()
    )
    counts: dict[int, list[int]] = {}  # provider -> [due, sent, approved, late]
    for provider_id, status, version, due, first in sent:
        tally = counts.setdefault(provider_id, [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += 1
        tally[2] += 1 if status == SubmissionStatus.APPROVED else 0
        if first is None:
            late = version == 1 and rules.is_late(due, None, today)
        else:
            late = rules.is_late(due, timezone.localdate(first), today)
        tally[3] += 1 if late else 0
    providers = {report.provider.pk: report.provider for report in owed}
    for report in owed:
        counts.setdefault(report.provider.pk, [0, 0, 0, 0])[0] += 1
    missing = [pk for pk in counts if pk not in providers]
    providers.update(Provider.objects.in_bulk(missing))
    records = [
        ReportingRecord(providers[pk], due, sent_count, approved, late)
        for pk, (due, sent_count, approved, late) in counts.items()
    ]
    return sorted(records, key=lambda record: record.provider.code)


# A report's totals

SUMS = {
    "attentions": Count("pk"),
    "participants": Coalesce(Sum("participants"), 0),
    "income": Coalesce(Sum("price"), Value(ZERO_AMOUNT), output_field=MONEY_SUM),
    "paid_by_client": Coalesce(Sum("paid_by_client"), Value(ZERO_AMOUNT), output_field=MONEY_SUM),
    "paid_by_voucher": Coalesce(Sum("paid_by_voucher"), Value(ZERO_AMOUNT), output_field=MONEY_SUM),
    "paid_by_third_party": Coalesce(
        Sum("paid_by_third_party"), Value(ZERO_AMOUNT), output_field=MONEY_SUM
    ),
}


@dataclass(frozen=True)
class Totals:
    """Attentions (one per row), participants, income and each payer's part."""

    attentions: int
    participants: int
    income: Decimal
    paid_by_client: Decimal
    paid_by_voucher: Decimal
    paid_by_third_party: Decimal
    by_client_type: dict[str, "Totals"] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.attentions


def deliveries_totals(deliveries: QuerySet[Delivery]) -> Totals:
    """Return the totals of `deliveries`, in one query."""
    return Totals(**deliveries.order_by().aggregate(**SUMS))


def submission_totals(submission: Submission) -> Totals:
    """Return a report's totals and, in `by_client_type`, the same totals per client type
    (keyed by its code; only the types present). Two queries."""
    deliveries = Delivery.objects.filter(submission=submission)
    groups = deliveries.order_by().values("client_type").annotate(**SUMS).order_by("client_type")
    by_type = {}
    for group in groups:
        figures: dict[str, Any] = dict(group)
        client_type = figures.pop("client_type")
        by_type[client_type] = Totals(**figures)
    return Totals(**deliveries.order_by().aggregate(**SUMS), by_client_type=by_type)


# The rows behind a total


def deliveries_behind(
    deliveries: QuerySet[Delivery],
    *,
    provider: Provider | int | None = None,
    month: date | None = None,
    client_type: str = "",
    client_gender: str = "",
    service_type: str = "",
    city: City | int | None = None,
    sector: Sector | int | None = None,
) -> QuerySet[Delivery]:
    """Return the rows of `deliveries` that a total with these filters counts, by date.

    `month` is any day of the month. Summing the rows returned gives the total back.
    """
    if provider is not None:
        deliveries = deliveries.filter(provider=provider)
    if month is not None:
        first = month_start(month)
        following = month_add(first, 1)
        deliveries = deliveries.filter(date__gte=first, date__lt=following)
    for name, value in (
        ("client_type", client_type),
        ("client_gender", client_gender),
        ("service_type", service_type),
    ):
        if value:
            deliveries = deliveries.filter(**{name: value})
    if city is not None:
        deliveries = deliveries.filter(client_city=city)
    if sector is not None:
        deliveries = deliveries.filter(client_sector=sector)
    return deliveries.select_related("provider", "client_city", "client_sector").order_by(
        "date", "pk"
    )
