"""Verification: the officer draws a random sample of a report's deliveries, asks each
client whether the service, the price and who paid are as claimed, and records the answer.

A report gets one sample per version: drawing again returns the sample already drawn, so
nobody can redraw until the sample suits them. The seed is stored with the sample, and
`rules.sample_draw(row ids, size, seed)` repeats the draw for anyone who wants to check it.
Incentives pay on the verified figures that `verification_summary` gives.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bdsmarket.core.audit import record_bulk_create, record_save
from bdsmarket.core.db import MONEY_SUM
from bdsmarket.core.models import User
from bdsmarket.core.money import ZERO_AMOUNT

from . import permissions, rules
from .models import (
    IN_REVIEW_STATUSES,
    MonitoringSettings,
    Submission,
    SubmissionStatus,
    VerificationCheck,
    VerificationSample,
)

# Reports whose rows hold still: sent for review, or approved.
VERIFIABLE_STATUSES = (*IN_REVIEW_STATUSES, SubmissionStatus.APPROVED)


@transaction.atomic
def verification_sample_draw(
    *, actor: User, submission: Submission, size: int | None = None, seed: int | None = None
) -> VerificationSample:
    """Draw up to `size` deliveries (default: the program's sample size) of a submitted or
    approved report for verification, and return the sample with a check per row.

    The report's current version keeps the first sample drawn for it; drawing again
    returns that one. The draw is random unless a `seed` is given (the demo gives one, so
    the same seed loads the same sample).
    """
    if not permissions.can_review(actor, submission):
        raise PermissionDenied
    if submission.status not in VERIFIABLE_STATUSES:
        raise ValidationError(
            _(
                "The report of %(provider)s for %(period)s is %(status)s: a sample is drawn "
                "once it is submitted."
            )
            % {
                "provider": submission.provider.code,
                "period": submission.period,
                "status": submission.get_status_display().lower(),
            }
        )
    if size is None:
        size = MonitoringSettings.current().sample_size
    if size < 1:
        raise ValidationError(
            {"size": [_("The sample size must be 1 or more; %(size)s was given.") % {"size": size}]}
        )
    # Lock the report so that two officers drawing at once do not make two samples.
    list(Submission.objects.select_for_update().filter(pk=submission.pk).order_by().values("pk"))
    existing = (
        VerificationSample.objects.filter(submission=submission, version=submission.version)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    if seed is None:
        seed = secrets.randbits(62)
    sample = VerificationSample.objects.create(
        submission=submission, version=submission.version, seed=seed, drawn_by=actor
    )
    drawn = rules.sample_draw(submission.deliveries.values_list("pk", flat=True), size, seed)
    record_bulk_create(
        [VerificationCheck(sample=sample, delivery_id=pk) for pk in drawn], actor=actor
    )
    return sample


def _not_negative(value: Decimal | None, field: str, errors: dict[str, list[str]]) -> None:
    if value is not None and value < 0:
        errors.setdefault(field, []).append(
            _("Must be 0 or more; %(value)s was given.") % {"value": value}
        )


@transaction.atomic
def verification_check_record(
    *,
    actor: User,
    check: VerificationCheck,
    confirmed: bool,
    verified_price: Decimal | None = None,
    verified_paid_by_client: Decimal | None = None,
    note: str = "",
) -> VerificationCheck:
    """Record what the client said about one sampled delivery; return the check.

    A confirmation without figures confirms the claimed ones (they are stored as the
    verified figures). A denial without figures means the service was not received:
    it verifies nothing, so it counts as 0 in the verified totals.
    """
    if not permissions.can_review(actor, check.sample.submission):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if confirmed not in (True, False):
        errors["confirmed"] = [_("Say whether the client confirmed the service.")]
    _not_negative(verified_price, "verified_price", errors)
    _not_negative(verified_paid_by_client, "verified_paid_by_client", errors)
    delivery = check.delivery
    if confirmed is True:
        if verified_price is None:
            verified_price = delivery.price
        if verified_paid_by_client is None:
            verified_paid_by_client = delivery.paid_by_client
    if (
        verified_price is not None
        and verified_paid_by_client is not None
        and verified_paid_by_client > verified_price
    ):
        errors.setdefault("verified_paid_by_client", []).append(
            _("The client cannot have paid %(paid)s of a price of %(price)s.")
            % {"paid": verified_paid_by_client, "price": verified_price}
        )
    if errors:
        raise ValidationError(errors)
    check.confirmed = confirmed
    check.verified_price = verified_price
    check.verified_paid_by_client = verified_paid_by_client
    check.note = note.strip()
    check.checked_by, check.checked_at = actor, timezone.now()
    check.full_clean(exclude=["sample", "delivery", "checked_by"])
    record_save(check, actor=actor)
    return check


@dataclass(frozen=True)
class VerificationSummary:
    """Claimed against verified figures on a report's sample.

    The money figures cover the checked rows only, so both sides speak of the same rows.
    """

    sample: VerificationSample | None
    sampled: int
    checked: int
    confirmed: int
    discrepancies: int
    claimed_income: Decimal
    verified_income: Decimal
    claimed_paid_by_client: Decimal
    verified_paid_by_client: Decimal

    @property
    def discrepancy_rate(self) -> float | None:
        """Sampled rows not confirmed, or whose verified figures differ from the claimed,
        over the rows checked; None before any row is checked."""
        return self.discrepancies / self.checked if self.checked else None


def verification_summary(submission: Submission) -> VerificationSummary:
    """Return the claimed and verified figures of the latest sample drawn from `submission`."""
    sample = submission.verification_samples.order_by("-version", "-pk").first()
    zero = ZERO_AMOUNT
    if sample is None:
        return VerificationSummary(None, 0, 0, 0, 0, zero, zero, zero, zero)
    money = MONEY_SUM
    checked = Q(confirmed__isnull=False)
    differs = Q(confirmed=False) | (
        checked
        & (
            (Q(verified_price__isnull=False) & ~Q(verified_price=F("delivery__price")))
            | (
                Q(verified_paid_by_client__isnull=False)
                & ~Q(verified_paid_by_client=F("delivery__paid_by_client"))
            )
        )
    )
    # The aggregates are named apart from the fields they read ("confirmed", ...): an
    # aggregate named like a field would shadow it in the other aggregates' filters.
    figures = sample.checks.aggregate(
        n_sampled=Count("pk"),
        n_checked=Count("pk", filter=checked),
        n_confirmed=Count("pk", filter=Q(confirmed=True)),
        n_discrepancies=Count("pk", filter=differs),
        sum_claimed_income=Coalesce(
            Sum("delivery__price", filter=checked), Value(zero), output_field=money
        ),
        sum_verified_income=Coalesce(
            Sum("verified_price", filter=checked), Value(zero), output_field=money
        ),
        sum_claimed_paid_by_client=Coalesce(
            Sum("delivery__paid_by_client", filter=checked), Value(zero), output_field=money
        ),
        sum_verified_paid_by_client=Coalesce(
            Sum("verified_paid_by_client", filter=checked), Value(zero), output_field=money
        ),
    )
    return VerificationSummary(
        sample=sample, **{name.split("_", 1)[1]: value for name, value in figures.items()}
    )
