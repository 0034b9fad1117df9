"""Every write of monitoring: periods, the rows providers report, and the review workflow.

draft → submitted → (returned → resubmitted)* → approved; an approved report is reopened
only by an amendment with a reason, which starts the next version and keeps the approved
one (ApprovedVersion) for comparison. Rows change only while a report is a draft or
returned. Services raise ValidationError (field → messages) or PermissionDenied.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bdsmarket.core.audit import record_bulk_create, record_delete, record_save
from bdsmarket.core.db import statistics_refresh
from bdsmarket.core.events import publish
from bdsmarket.core.models import User
from bdsmarket.core.months import month_start
from bdsmarket.registry.models import City, Provider, Sector

from . import events, permissions, rules, storing
from .models import (
    ApprovedVersion,
    CostReport,
    Delivery,
    ImportBatch,
    MonitoringSettings,
    ReportingPeriod,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationWarning,
)

# Periods and submissions


def period_get_or_create(month: date) -> ReportingPeriod:
    """Return the reporting period of the month `month` falls in, creating it when new."""
    first = month_start(month)
    period = ReportingPeriod.objects.filter(month=first).first()
    if period is None:
        due = rules.due_date(first, MonitoringSettings.current().due_day)
        period, _created = ReportingPeriod.objects.get_or_create(
            month=first, defaults={"due_date": due}
        )
    return period


def submission_get_or_create(*, actor: User | None, provider: Provider, month: date) -> Submission:
    """Return `provider`'s submission for the month of `month`, a new draft (created by
    `actor`) if none."""
    period = period_get_or_create(month)
    submission = Submission.objects.filter(provider=provider, period=period).first()
    if submission is None:
        try:
            with transaction.atomic():
                submission = record_save(Submission(provider=provider, period=period), actor=actor)
        except IntegrityError:  # opened by another request meanwhile
            submission = Submission.objects.get(provider=provider, period=period)
    return submission


def _report_publish(event_type: type[events.ReportEvent], submission: Submission) -> None:
    """Tell the apps above that the report changed status, in the caller's transaction."""
    publish(
        event_type(
            submission_id=submission.pk,
            provider_id=submission.provider_id,
            month=submission.period.month,
        )
    )


def _refuse_unless_editable(submission: Submission) -> None:
    if not submission.is_editable:
        raise ValidationError(
            _(
                "The report of %(provider)s for %(period)s is %(status)s: its rows cannot "
                "change. Ask for an amendment to correct an approved report."
            )
            % {
                "provider": submission.provider.code,
                "period": submission.period,
                "status": submission.get_status_display().lower(),
            }
        )


# Rows


@dataclass
class DeliveryInput:
    """One delivery as every door hands it over: values checked, references resolved."""

    provider: Provider
    date: date
    client_id: str
    client_type: str
    client_gender: str
    client_sector: Sector
    client_city: City
    service_type: str
    price: Decimal
    paid_by_client: Decimal
    paid_by_voucher: Decimal = Decimal(0)
    paid_by_third_party: Decimal = Decimal(0)
    participants: int = 1
    service_name: str = ""
    voucher_code: str = ""
    third_party: str = ""
    reference: str = ""
    row_number: int | None = None

    def fingerprint(self) -> tuple:
        return (
            self.provider.pk,
            self.date.isoformat(),
            self.client_id.strip(),
            self.client_type,
            self.client_gender,
            self.client_sector.pk,
            self.client_city.pk,
            self.service_type,
            self.service_name.strip(),
            self.participants,
            self.price,
            self.paid_by_client,
            self.paid_by_voucher,
            self.paid_by_third_party,
            self.voucher_code.strip(),
            self.third_party.strip(),
        )


@dataclass
class DeliveryRows:
    """Deliveries column by column, as the bulk doors hand them over (a file, a request).

    Each list holds one entry per row, named as the model's field: values checked, text
    trimmed, references resolved. Reading a million rows a block at a time, one list per
    column costs a fraction of one object per row.
    """

    provider: list[Provider]
    date: list[date]
    client_id: list[str]
    client_type: list[str]
    client_gender: list[str]
    client_sector: list[Sector]
    client_city: list[City]
    service_type: list[str]
    service_name: list[str]
    participants: list[int]
    price: list[Decimal]
    paid_by_client: list[Decimal]
    paid_by_voucher: list[Decimal]
    paid_by_third_party: list[Decimal]
    voucher_code: list[str]
    third_party: list[str]
    reference: list[str]
    row_number: list[int | None]
    # Derived: rules.clients_identify (the checker has it at hand when it checks the IDs).
    client_key: list[str]

    @classmethod
    def of(cls, inputs: Sequence[DeliveryInput]) -> "DeliveryRows":
        """Return single rows (a form's, the demo's) as one block."""
        text = ("service_name", "voucher_code", "third_party", "reference")
        columns: dict[str, list[Any]] = {name: [] for name in DELIVERY_ROW_FIELDS}
        for row in inputs:
            for name in DELIVERY_ROW_FIELDS:
                value = getattr(row, name)
                columns[name].append(value.strip() if name in text else value)
        clients = rules.clients_identify(
            [row.provider.code for row in inputs], [row.client_id for row in inputs]
        )
        columns["client_id"] = clients.ids
        return cls(**columns, client_key=clients.keys)

    def __len__(self) -> int:
        return len(self.row_number)

    def without(self, indexes: set[int]) -> "DeliveryRows":
        """Return the rows but those at `indexes`."""
        kept = [index for index in range(len(self)) if index not in indexes]
        return DeliveryRows(
            **{
                name: [column[index] for index in kept]
                for name, column in ((f.name, getattr(self, f.name)) for f in fields(self))
            }
        )

    def input(self, index: int) -> DeliveryInput:
        """Return row `index` as a single DeliveryInput."""
        return DeliveryInput(**{name: getattr(self, name)[index] for name in DELIVERY_ROW_FIELDS})


# What a DeliveryInput gives (everything but the derived client key).
DELIVERY_ROW_FIELDS = tuple(f.name for f in fields(DeliveryRows) if f.name != "client_key")


class ReportLocked(ValidationError):
    """Rows fell in a month whose report can no longer change (since they were checked)."""

    def __init__(self, message: str, *, provider_id: int, month: date, row_number: int | None):
        super().__init__(message)
        self.provider_id, self.month, self.row_number = provider_id, month, row_number


class RowsRepeated(ValidationError):
    """Rows of one upload repeat the reference of an earlier row of the same upload."""

    def __init__(self, repeats: list[storing.Repeat]) -> None:
        super().__init__(_("Rows repeat the reference of an earlier row."))
        self.repeats = repeats


@dataclass
class StoreResult:
    created: int = 0
    unchanged: int = 0
    submissions: list[Submission] = field(default_factory=list)
    # Cost reports only: a delivery sent again is left as stored.
    updated: int = 0
    batch: ImportBatch | None = None


def deliveries_store(
    *,
    actor: User | None,
    rows: Sequence[DeliveryInput],
    source: str,
    file_name: str = "",
    file_sha256: str = "",
) -> StoreResult:
    """Store a handful of rows (a form's, an API request's) as one import; see deliveries_load."""
    block = DeliveryRows.of(rows)
    return deliveries_load(
        actor=actor,
        blocks=lambda: iter([block]),
        source=source,
        file_name=file_name,
        file_sha256=file_sha256,
    )


# After this many rows in one import, PostgreSQL is asked to look at the table again.
STATISTICS_AFTER_ROWS = 100_000


@transaction.atomic
def deliveries_load(
    *,
    actor: User | None,
    blocks: Callable[[], Iterable[DeliveryRows]],
    source: str,
    file_name: str = "",
    file_sha256: str | Callable[[], str] = "",
) -> StoreResult:
    """Store the rows of `blocks()` in their providers' monthly reports, all or nothing.

    The one write path of delivery rows: files, forms, the API and the CLI come through
    here. `blocks` returns the rows a block at a time (a file read as it goes), so a
    million rows never sit in memory; it may be called a second time (see storing.py).
    A row already stored (same provider and row key: its reference, or the same values
    at the same occurrence in the upload) is left alone, so sending a file twice stores it
    once. Raises PermissionDenied for a provider the actor may not report for,
    ReportLocked when a row falls in a report that can no longer change, and RowsRepeated
    when rows of the upload repeat an earlier row's reference.
    """
    batch = ImportBatch.objects.create(
        kind="deliveries",
        source=source,
        file_name=file_name[:255],
        rows=0,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            result = _deliveries_write(actor, blocks(), batch, first_attempt=True)
    except storing.KeysTaken:
        # Some row is stored already (a file sent again) or repeats another: the careful
        # way tells which, at the price of reading the rows once more.
        result = _deliveries_write(actor, blocks(), batch, first_attempt=False)
    if result.repeats:
        raise RowsRepeated(result.repeats)
    if result.created >= STATISTICS_AFTER_ROWS:
        statistics_refresh(Delivery._meta.db_table)
    batch.rows = result.created + result.unchanged
    # A file read as it goes knows its digest once it has been read.
    batch.file_sha256 = file_sha256() if callable(file_sha256) else file_sha256
    batch.save(update_fields=["rows", "file_sha256"])
    publish(
        events.DeliveriesStored(
            source=source,
            created=result.created,
            at=batch.created_at,
            provider_ids=frozenset(provider_id for provider_id, _month in result.submissions),
            batch_id=batch.pk,
        )
    )
    return StoreResult(
        created=result.created,
        unchanged=result.unchanged,
        submissions=list(result.submissions.values()),
        batch=batch,
    )


def _deliveries_write(
    actor: User | None, blocks: Iterable[DeliveryRows], batch: ImportBatch, *, first_attempt: bool
) -> storing.Written:
    """Write every block through one writer, opening each month's report as rows reach it."""
    submissions: dict[tuple[int, date], Submission] = {}
    writer = storing.writer_for(batch.pk, optimistic=first_attempt)
    try:
        # The checks behind `blocks` ask the database too (a provider's code, a month's
        # report): the writer makes way for every such statement (see Writer.giving_way).
        with writer.giving_way():
            for rows in blocks:
                if not len(rows):
                    continue
                pairs = list(
                    zip([p.id for p in rows.provider], storing.months_of(rows.date), strict=True)
                )
                if not submissions.keys() >= set(pairs):
                    submissions.update(_reports_reached(actor, rows, pairs, submissions))
                ids = {pair: submission.id for pair, submission in submissions.items()}
                writer.write(rows, list(map(ids.__getitem__, pairs)))
            written = writer.finish()
    except BaseException as error:
        writer.abort(error)  # e.g. end a COPY, so that the transaction can roll back
        raise
    written.submissions = submissions
    return written


def _reports_reached(
    actor: User | None,
    rows: DeliveryRows,
    pairs: list[tuple[int, date]],
    opened: dict[tuple[int, date], Submission],
) -> dict[tuple[int, date], Submission]:
    """Return the reports (provider, month) that `rows` reach first; refuse a provider the
    actor may not report for."""
    firsts: dict[tuple[int, date], int] = {}
    for index, pair in enumerate(pairs):
        if pair not in opened:
            firsts.setdefault(pair, index)
    for provider_id, _month in firsts:
        if actor is not None and not permissions.can_report_for(actor, provider_id):
            raise PermissionDenied
    return _submissions_open(
        actor,
        {pair: (rows.provider[index], rows.row_number[index]) for pair, index in firsts.items()},
    )


def _submissions_open(
    actor: User | None, wanted: dict[tuple[int, date], tuple[Provider, int | None]]
) -> dict[tuple[int, date], Submission]:
    """Return the reports of the (provider, month) pairs `wanted`, creating the missing ones as
    drafts, each locked until the rows are in; refuse one that can no longer change.

    `wanted` gives each pair's provider and the first row that falls in it (for the error).
    """
    months = {month for _provider_id, month in wanted}
    periods = {period.month: period for period in ReportingPeriod.objects.filter(month__in=months)}
    if months - periods.keys():
        due_day = MonitoringSettings.current().due_day
        for month in sorted(months - periods.keys()):
            periods[month] = ReportingPeriod.objects.get_or_create(
                month=month, defaults={"due_date": rules.due_date(month, due_day)}
            )[0]
    found = _submissions_locked(wanted, periods)
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        try:
            with transaction.atomic():
                record_bulk_create(
                    [
                        Submission(provider_id=provider_id, period=periods[month])
                        for provider_id, month in missing
                    ],
                    actor=actor,
                )
        except IntegrityError:
            pass  # another import opened one of them meanwhile: take it as it stands
        found = _submissions_locked(wanted, periods)
    for pair, submission in found.items():
        try:
            _refuse_unless_editable(submission)
        except ValidationError as error:
            provider, row_number = wanted[pair]
            raise ReportLocked(
                error.messages[0], provider_id=provider.pk, month=pair[1], row_number=row_number
            ) from error
    return found


def _submissions_locked(
    wanted: dict[tuple[int, date], tuple[Provider, int | None]],
    periods: dict[date, ReportingPeriod],
) -> dict[tuple[int, date], Submission]:
    """Return the stored reports among the pairs `wanted`, locked (on PostgreSQL) until commit."""
    candidates = (
        Submission.objects.select_for_update()
        .select_related("period")
        .filter(
            provider_id__in={provider_id for provider_id, _month in wanted},
            period__in=[periods[month] for _provider_id, month in wanted],
        )
    )
    found = {}
    for submission in candidates:
        pair = (submission.provider_id, submission.period.month)
        if pair in wanted:
            submission.provider, submission.period = wanted[pair][0], periods[pair[1]]
            found[pair] = submission
    return found


def delivery_build(
    row: DeliveryInput,
    *,
    submission: Submission,
    batch: ImportBatch | None,
    occurrence: int = 1,
    fingerprint: tuple | None = None,
) -> Delivery:
    """Return the unsaved Delivery that `row` becomes in `submission`.

    The one place where a row's stored values are derived (trimmed text, the client key, the
    row key from its reference or its values and `occurrence` among identical rows of the
    upload): deliveries_store uses it, and so do bulk loaders such as the demo's.
    """
    if fingerprint is None:
        fingerprint = row.fingerprint()
    return Delivery(
        provider=row.provider,
        submission=submission,
        date=row.date,
        client_id=row.client_id.strip(),
        client_key=rules.client_key(row.provider.code, row.client_id),
        client_type=row.client_type,
        client_gender=row.client_gender,
        client_sector=row.client_sector,
        client_city=row.client_city,
        service_type=row.service_type,
        service_name=row.service_name.strip(),
        participants=row.participants,
        price=row.price,
        paid_by_client=row.paid_by_client,
        paid_by_voucher=row.paid_by_voucher,
        voucher_code=row.voucher_code.strip(),
        paid_by_third_party=row.paid_by_third_party,
        third_party=row.third_party.strip(),
        reference=row.reference.strip(),
        row_key=rules.delivery_row_key(row.reference, fingerprint, occurrence),
        batch=batch,
        row_number=row.row_number,
    )


def _insert_new(deliveries: list[Delivery], result: StoreResult) -> None:
    """Insert the deliveries whose (provider, row key) is not stored yet; count both kinds."""
    if not deliveries:
        return
    keys = {(d.provider_id, d.row_key) for d in deliveries}
    stored = set(
        Delivery.objects.filter(
            provider_id__in={provider for provider, _key in keys},
            row_key__in={key for _provider, key in keys},
        ).values_list("provider_id", "row_key")
    )
    new = [d for d in deliveries if (d.provider_id, d.row_key) not in stored]
    Delivery.objects.bulk_create(new)
    result.created += len(new)
    result.unchanged += len(deliveries) - len(new)


@transaction.atomic
def delivery_update(*, actor: User | None, delivery: Delivery, changes: dict[str, Any]) -> Delivery:
    """Correct one row of a report that can still change; the change is kept in history."""
    if actor is not None and not permissions.can_edit_submission(actor, delivery.submission):
        raise PermissionDenied
    _refuse_unless_editable(delivery.submission)
    if not delivery.history.exists():
        # Rows arrive in bulk without a history entry; record how the row stood first, so
        # the change below has a "before".
        delivery.history.model.objects.create(
            **{
                f.attname: getattr(delivery, f.attname)
                for f in delivery.history.model.tracked_fields
            },
            history_date=delivery.batch.created_at if delivery.batch else timezone.now(),
            history_type="+",
            history_user=delivery.batch.created_by if delivery.batch else None,
        )
    for name, value in changes.items():
        setattr(delivery, name, value)
    if not rules.payers_add_up(
        delivery.price,
        delivery.paid_by_client,
        delivery.paid_by_voucher,
        delivery.paid_by_third_party,
    ):
        raise ValidationError(
            {
                "price": [
                    _(
                        "The client's, the voucher's and third parties' parts must add up "
                        "to the price."
                    )
                ]
            }
        )
    delivery.client_key = rules.client_key(delivery.provider.code, delivery.client_id)
    delivery.full_clean(exclude=["submission", "provider", "row_key"])
    record_save(delivery, actor=actor)
    return delivery


@transaction.atomic
def delivery_delete(*, actor: User | None, delivery: Delivery) -> None:
    """Remove one row of a report that can still change; history keeps what it was."""
    if actor is not None and not permissions.can_edit_submission(actor, delivery.submission):
        raise PermissionDenied
    _refuse_unless_editable(delivery.submission)
    if delivery.checks.exists():
        raise ValidationError(
            _(
                "This row was verified with the client in an earlier version; correct it "
                "instead of removing it, so the verification keeps its row."
            )
        )
    record_delete(delivery, actor=actor)


@dataclass
class CostInput:
    provider: Provider
    month: date
    staff_costs: Decimal
    premises_costs: Decimal
    other_costs: Decimal
    other_income: Decimal = Decimal(0)
    staff_count: int | None = None


@transaction.atomic
def cost_report_store(
    *, actor: User | None, report: CostInput, batch: ImportBatch | None = None
) -> tuple[CostReport, bool]:
    """Create or replace a provider's cost report for a month; return it and whether it changed."""
    if actor is not None and not permissions.can_report_for(actor, report.provider.pk):
        raise PermissionDenied
    submission = submission_get_or_create(actor=actor, provider=report.provider, month=report.month)
    _refuse_unless_editable(submission)
    values = {
        "staff_costs": report.staff_costs,
        "premises_costs": report.premises_costs,
        "other_costs": report.other_costs,
        "other_income": report.other_income,
        "staff_count": report.staff_count,
    }
    existing = CostReport.objects.filter(submission=submission).first()
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return existing, False
    cost_report = existing or CostReport(provider=report.provider, submission=submission)
    for name, value in values.items():
        setattr(cost_report, name, value)
    cost_report.batch = batch
    cost_report.full_clean(exclude=["submission", "provider"])
    record_save(cost_report, actor=actor)
    return cost_report, True


@transaction.atomic
def cost_reports_store(
    *,
    actor: User | None,
    reports: Iterable[CostInput],
    source: str,
    file_name: str = "",
    file_sha256: str = "",
) -> StoreResult:
    """Store each month's cost report as sent, all or nothing; count what was new or changed.

    A report sent again with the same figures is left alone; with other figures it replaces
    the stored one (history keeps the old figures).
    """
    result = StoreResult()
    batch = ImportBatch.objects.create(
        kind="costs",
        source=source,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        rows=0,
        created_by=actor,
    )
    for report in reports:
        batch.rows += 1
        stored = CostReport.objects.filter(
            provider=report.provider, submission__period__month=month_start(report.month)
        ).exists()
        _cost_report, changed = cost_report_store(actor=actor, report=report, batch=batch)
        if not changed:
            result.unchanged += 1
        elif stored:
            result.updated += 1
        else:
            result.created += 1
    batch.save(update_fields=["rows"])
    result.batch = batch
    return result


# The review workflow


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission) -> Submission:
    """Send a draft or returned report for review, and check it against the program's rules."""
    if not permissions.can_submit(actor, submission):
        raise PermissionDenied
    from .warning_checks import warnings_refresh

    submission.status = (
        SubmissionStatus.RESUBMITTED
        if submission.status == SubmissionStatus.RETURNED
        else SubmissionStatus.SUBMITTED
    )
    submission.submitted_at, submission.submitted_by = timezone.now(), actor
    record_save(submission, actor=actor)
    warnings_refresh(submission)
    _report_publish(events.ReportSubmitted, submission)
    return submission


@transaction.atomic
def submission_return(
    *,
    actor: User,
    submission: Submission,
    comment: str,
    row_comments: dict[int, str] | None = None,
) -> Submission:
    """Send a report back to its provider with a comment, and comments on single rows."""
    if not permissions.can_review(actor, submission):
        raise PermissionDenied
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED):
        raise ValidationError(_("Only a submitted report can be returned."))
    row_comments = {pk: text.strip() for pk, text in (row_comments or {}).items() if text.strip()}
    if not comment.strip() and not row_comments:
        raise ValidationError({"comment": [_("Say what the provider must correct.")]})
    rows = submission.deliveries.in_bulk(list(row_comments))
    if set(rows) != set(row_comments):
        raise ValidationError({"row_comments": [_("A commented row is not in this report.")]})
    if comment.strip():
        RowComment.objects.create(
            submission=submission, version=submission.version, text=comment.strip(), author=actor
        )
    for pk, text in row_comments.items():
        RowComment.objects.create(
            submission=submission,
            delivery=rows[pk],
            version=submission.version,
            text=text,
            author=actor,
        )
    submission.status = SubmissionStatus.RETURNED
    submission.reviewed_at, submission.reviewed_by = timezone.now(), actor
    submission.review_comment = comment.strip()
    record_save(submission, actor=actor)
    _report_publish(events.ReportReturned, submission)
    return submission


def delivery_snapshot(delivery: Delivery) -> dict[str, Any]:
    """Return the row as plain values, as an approved version keeps it."""
    return {
        "id": delivery.pk,
        "row_key": delivery.row_key,
        "date": delivery.date.isoformat(),
        "client_id": delivery.client_id,
        "client_type": delivery.client_type,
        "client_gender": delivery.client_gender,
        "client_sector": delivery.client_sector_id,
        "client_city": delivery.client_city_id,
        "service_type": delivery.service_type,
        "service_name": delivery.service_name,
        "participants": delivery.participants,
        "price": str(delivery.price),
        "paid_by_client": str(delivery.paid_by_client),
        "paid_by_voucher": str(delivery.paid_by_voucher),
        "voucher_code": delivery.voucher_code,
        "paid_by_third_party": str(delivery.paid_by_third_party),
        "third_party": delivery.third_party,
        "reference": delivery.reference,
    }


COST_FIELDS = ("staff_costs", "premises_costs", "other_costs", "other_income", "staff_count")


@transaction.atomic
def submission_approve(*, actor: User, submission: Submission) -> ApprovedVersion:
    """Approve a report whose warnings were all acknowledged; keep the approved rows."""
    if not permissions.can_review(actor, submission):
        raise PermissionDenied
    if submission.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED):
        raise ValidationError(_("Only a submitted report can be approved."))
    open_warnings = ValidationWarning.objects.filter(
        submission=submission, version=submission.version, acknowledged_at__isnull=True
    ).count()
    if open_warnings:
        raise ValidationError(
            _("Acknowledge the %(count)s open warnings before approving.")
            % {"count": open_warnings}
        )
    cost_report = CostReport.objects.filter(submission=submission).first()
    version = ApprovedVersion.objects.create(
        submission=submission,
        number=submission.version,
        approved_by=actor,
        deliveries=[delivery_snapshot(d) for d in submission.deliveries.order_by("pk")],
        cost_report=(
            {name: str(getattr(cost_report, name)) for name in COST_FIELDS} if cost_report else None
        ),
    )
    submission.status = SubmissionStatus.APPROVED
    submission.reviewed_at, submission.reviewed_by = timezone.now(), actor
    record_save(submission, actor=actor)
    _report_publish(events.ReportApproved, submission)
    return version


@transaction.atomic
def submission_amend(*, actor: User, submission: Submission, reason: str) -> Submission:
    """Reopen an approved report for correction; the approved version stays as it was."""
    if not permissions.can_amend(actor, submission):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the approved report must change.")]})
    submission.status = SubmissionStatus.DRAFT
    submission.version += 1
    submission.amendment_reason = reason.strip()
    submission.submitted_at = submission.submitted_by = None
    record_save(submission, actor=actor)
    _report_publish(events.ReportReopened, submission)
    return submission


@transaction.atomic
def warning_acknowledge(*, actor: User, warning: ValidationWarning, note: str = "") -> None:
    """Record that the officer looked at a warning (and why the row stands)."""
    if not permissions.can_review(actor, warning.submission):
        raise PermissionDenied
    warning.acknowledged_by, warning.acknowledged_at = actor, timezone.now()
    warning.acknowledgement_note = note.strip()
    warning.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
