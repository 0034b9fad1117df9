"""Every write of monitoring: periods, the rows providers report, and the review workflow.

draft → submitted → (returned → resubmitted)* → approved; an approved report is reopened
only by an amendment with a reason, which starts the next version and keeps the approved
one (ApprovedVersion) for comparison. Rows change only while a report is a draft or
returned. Services raise ValidationError (field → messages) or PermissionDenied.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from bdsmarket.core.models import User
from bdsmarket.registry.models import City, Provider, Sector

from . import permissions, rules
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
    first = rules.month_start(month)
    period = ReportingPeriod.objects.filter(month=first).first()
    if period is None:
        due = rules.due_date(first, MonitoringSettings.current().due_day)
        period, _created = ReportingPeriod.objects.get_or_create(
            month=first, defaults={"due_date": due}
        )
    return period


def submission_get_or_create(provider: Provider, month: date) -> Submission:
    """Return `provider`'s submission for the month of `month`, a new draft if none."""
    period = period_get_or_create(month)
    submission, _created = Submission.objects.get_or_create(provider=provider, period=period)
    return submission


def _save(instance: Model, *, actor: User | None, fields: list[str] | None = None) -> None:
    instance._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    instance.save(update_fields=fields)


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
class StoreResult:
    created: int = 0
    unchanged: int = 0
    submissions: list[Submission] = field(default_factory=list)
    # Cost reports only: a delivery sent again is left as stored.
    updated: int = 0
    batch: ImportBatch | None = None


@transaction.atomic
def deliveries_store(
    *,
    actor: User | None,
    rows: Iterable[DeliveryInput],
    source: str,
    file_name: str = "",
    file_sha256: str = "",
    batch_size: int = 2000,
) -> StoreResult:
    """Store `rows` in their providers' monthly reports, all or nothing.

    `rows` may be any iterable (a generator reading a file): they are taken one at a time
    and inserted `batch_size` at a time, so a million rows never sit in memory at once.
    A row already stored (same provider and row key: its reference, or the same values
    at the same occurrence in the upload) is left alone, so sending a file twice stores it
    once. Raises PermissionDenied for a provider the actor may not report for, and
    ValidationError when a row falls in a report that can no longer change.
    """
    result = StoreResult()
    batch = ImportBatch.objects.create(
        kind="deliveries",
        source=source,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        rows=0,
        created_by=actor,
    )
    # Counted by a short digest of the values, not the values themselves: a million rows
    # of tuples would take gigabytes.
    occurrences: Counter[bytes] = Counter()
    count = 0
    submissions: dict[tuple[int, date], Submission] = {}
    pending: list[Delivery] = []
    for row in rows:
        if actor is not None and not permissions.can_report_for(actor, row.provider.pk):
            raise PermissionDenied
        month = rules.month_start(row.date)
        submission = submissions.get((row.provider.pk, month))
        if submission is None:
            submission = submission_get_or_create(row.provider, month)
            _refuse_unless_editable(submission)
            submissions[(row.provider.pk, month)] = submission
        count += 1
        fingerprint = row.fingerprint()
        occurrence = 1
        if not row.reference.strip():  # a reference alone makes the key
            digest = hashlib.blake2b(repr(fingerprint).encode(), digest_size=16).digest()
            occurrences[digest] += 1
            occurrence = occurrences[digest]
        pending.append(
            delivery_build(
                row,
                submission=submission,
                batch=batch,
                occurrence=occurrence,
                fingerprint=fingerprint,
            )
        )
        if len(pending) >= batch_size:
            _insert_new(pending, result)
            pending = []
    _insert_new(pending, result)
    batch.rows = count
    batch.save(update_fields=["rows"])
    result.submissions = list(submissions.values())
    result.batch = batch
    return result


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
    _save(delivery, actor=actor)
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
    delivery._history_user = actor  # type: ignore[attr-defined]
    delivery.delete()


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
    submission = submission_get_or_create(report.provider, report.month)
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
    _save(cost_report, actor=actor)
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
            provider=report.provider, submission__period__month=rules.month_start(report.month)
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
    from .checks import warnings_refresh

    submission.status = (
        SubmissionStatus.RESUBMITTED
        if submission.status == SubmissionStatus.RETURNED
        else SubmissionStatus.SUBMITTED
    )
    submission.submitted_at, submission.submitted_by = timezone.now(), actor
    _save(submission, actor=actor)
    warnings_refresh(submission)
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
    _save(submission, actor=actor)
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
    _save(submission, actor=actor)
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
    _save(submission, actor=actor)
    return submission


@transaction.atomic
def warning_acknowledge(*, actor: User, warning: ValidationWarning, note: str = "") -> None:
    """Record that the officer looked at a warning (and why the row stands)."""
    if not permissions.can_review(actor, warning.submission):
        raise PermissionDenied
    warning.acknowledged_by, warning.acknowledged_at = actor, timezone.now()
    warning.acknowledgement_note = note.strip()
    warning.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
