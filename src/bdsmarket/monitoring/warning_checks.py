"""Warnings: the program's tunable rules (ValidationRule) run over a submitted report.

Each check returns findings; `warnings_refresh` replaces the report's warnings for its
current version with them. Warnings store nothing else and block nothing but approval,
until the officer acknowledges them. A warning is stored as a message code and its
parameters (plain JSON values, codes rather than labels) and worded when read
(warning_messages.py), in the reader's language.

The outlier and mix checks compare the report with the provider's own history: its
APPROVED reports other than this one (rows the program has accepted, never rows still in
review). They stay quiet until that history has the rule's `min_history_months`. The
statistics (median, MAD, robust z-score, shares) are pure functions in rules.py.
"""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, QuerySet

from bdsmarket.core.money import money_round

from . import rules
from .models import Delivery, Submission, SubmissionStatus, ValidationRule, ValidationWarning


def same_client_same_day(submission: Submission, rule: ValidationRule) -> list[ValidationWarning]:
    """Flag each client with more than `threshold` rows on one day."""
    crowded = (
        submission.deliveries.values("client_key", "client_id", "date")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=int(rule.threshold))
        .order_by("date", "client_id")
    )
    return [
        ValidationWarning(
            submission=submission,
            version=submission.version,
            kind=rule.kind,
            code="same_client_same_day",
            params={
                "rows": group["rows"],
                "client": group["client_id"],
                "date": group["date"].isoformat(),
                "limit": int(rule.threshold),
            },
            details={
                "client_key": group["client_key"],
                "date": group["date"].isoformat(),
                "rows": group["rows"],
                "limit": str(rule.threshold),
            },
        )
        for group in crowded
    ]


def _approved_history(submission: Submission) -> QuerySet[Submission]:
    """Return the provider's approved reports other than `submission`."""
    return (
        Submission.objects.approved()
        .filter(provider_id=submission.provider_id)
        .exclude(pk=submission.pk)
    )


def _approved_rows(submission: Submission) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        provider_id=submission.provider_id, submission__status=SubmissionStatus.APPROVED
    ).exclude(submission_id=submission.pk)


def _cents(value: float | Decimal) -> str:
    """Return an amount as a decimal string to the cent: "30.00"."""
    return str(money_round(Decimal(value)))


def _warning(
    submission: Submission,
    rule: ValidationRule,
    code: str,
    params: dict[str, object],
    details: dict,
    delivery_id: int | None = None,
) -> ValidationWarning:
    return ValidationWarning(
        submission=submission,
        version=submission.version,
        kind=rule.kind,
        delivery_id=delivery_id,
        code=code,
        params=params,
        details=details,
    )


def _deviation_code(subject: str, found: rules.Deviation) -> str:
    """Return the message code of `found`: e.g. price_above_z, volume_below_bounds."""
    direction = "above" if found.is_above else "below"
    return f"{subject}_{direction}_{'bounds' if found.by_bounds else 'z'}"


def _deviation_details(found: rules.Deviation, threshold: Decimal) -> dict:
    return {
        "method": "bounds" if found.by_bounds else "robust_z",
        "value": round(found.value, 4),
        "z": None if found.z is None else round(found.z, 4),
        "median": round(found.spread.median, 4),
        "mad": round(found.spread.mad, 4),
        "low": round(found.spread.low, 4),
        "high": round(found.spread.high, 4),
        "threshold": str(threshold),
    }


def price_outlier(submission: Submission, rule: ValidationRule) -> list[ValidationWarning]:
    """Flag each row whose price per participant is far from the provider's usual price for
    the same service type: |robust z| above `threshold`, or outside the approved rows'
    minimum and maximum when their MAD is zero.

    A service type is checked once it appears in `min_history_months` approved months.
    """
    history = _approved_rows(submission)
    months = history.values("service_type").annotate(months=Count("submission", distinct=True))
    checked = {m["service_type"] for m in months if m["months"] >= rule.min_history_months}
    if not checked:
        return []
    unit_prices: dict[str, list[float]] = defaultdict(list)
    for service_type, price, participants in history.filter(service_type__in=checked).values_list(
        "service_type", "price", "participants"
    ):
        unit_prices[service_type].append(float(price / participants))
    spreads = {service: rules.spread_of(values) for service, values in unit_prices.items()}
    threshold = float(rule.threshold)
    found = []
    rows = submission.deliveries.filter(service_type__in=checked).order_by("date", "pk")
    for row in rows.values("pk", "date", "client_id", "service_type", "price", "participants"):
        unit = row["price"] / row["participants"]
        result = rules.deviation_from(float(unit), spreads[row["service_type"]], threshold)
        if not result.is_outlier:
            continue
        params: dict[str, object] = {
            "date": row["date"].isoformat(),
            "client": row["client_id"],
            "service_type": row["service_type"],
            "price": _cents(row["price"]),
            "participants": row["participants"],
            "unit": _cents(unit),
        }
        if result.by_bounds:
            params |= {"low": _cents(result.spread.low), "high": _cents(result.spread.high)}
        else:
            params |= {
                "z": round(result.z or 0, 4),
                "usual": _cents(result.spread.median),
                "limit": str(rule.threshold),
            }
        details = _deviation_details(result, rule.threshold)
        details["service_type"] = row["service_type"]
        code = _deviation_code("price", result)
        found.append(_warning(submission, rule, code, params, details, row["pk"]))
    return found


def volume_outlier(submission: Submission, rule: ValidationRule) -> list[ValidationWarning]:
    """Flag a month whose number of attentions (rows) is far from the provider's approved
    months: |robust z| above `threshold`, or outside their minimum and maximum when their
    MAD is zero."""
    counts = list(
        _approved_history(submission)
        .annotate(rows=Count("deliveries"))
        .values_list("rows", flat=True)
    )
    if not counts or len(counts) < rule.min_history_months:
        return []
    attentions = submission.deliveries.count()
    result = rules.deviation(float(attentions), [float(c) for c in counts], float(rule.threshold))
    if not result.is_outlier:
        return []
    params: dict[str, object] = {"count": attentions}
    if result.by_bounds:
        params |= {"low": int(result.spread.low), "high": int(result.spread.high)}
    else:
        params |= {
            "z": round(result.z or 0, 4),
            "usual": round(result.spread.median, 4),
            "limit": str(rule.threshold),
        }
    details = _deviation_details(result, rule.threshold)
    details["months"] = len(counts)
    return [_warning(submission, rule, _deviation_code("volume", result), params, details)]


def client_mix_shift(submission: Submission, rule: ValidationRule) -> list[ValidationWarning]:
    """Flag each client type whose share of the month's attentions moved more than
    `threshold` percentage points from its share over the provider's approved months."""
    if _approved_history(submission).count() < max(rule.min_history_months, 1):
        return []

    def by_type(rows: QuerySet[Delivery]) -> dict[str, int]:
        grouped = rows.values("client_type").annotate(rows=Count("pk")).order_by()
        return {group["client_type"]: group["rows"] for group in grouped}

    current, usual = by_type(submission.deliveries.all()), by_type(_approved_rows(submission))
    if not current or not usual:
        return []
    threshold = float(rule.threshold)
    found = []
    for client_type, (now, before) in rules.share_shifts(current, usual).items():
        if abs(now - before) <= threshold:
            continue
        params = {
            "client_type": client_type,
            "share": round(now, 4),
            "usual_share": round(before, 4),
            "points": round(abs(now - before), 4),
            "limit": str(rule.threshold),
        }
        details = {
            "client_type": client_type,
            "share": round(now, 4),
            "usual_share": round(before, 4),
            "rows": current.get(client_type, 0),
            "usual_rows": usual.get(client_type, 0),
            "threshold": str(rule.threshold),
        }
        found.append(_warning(submission, rule, "client_mix_shift", params, details))
    return found


CHECKS: dict[str, Callable[[Submission, ValidationRule], list[ValidationWarning]]] = {
    ValidationRule.Kind.SAME_CLIENT_SAME_DAY: same_client_same_day,
    ValidationRule.Kind.PRICE_OUTLIER: price_outlier,
    ValidationRule.Kind.VOLUME_OUTLIER: volume_outlier,
    ValidationRule.Kind.CLIENT_MIX_SHIFT: client_mix_shift,
}


def warnings_refresh(submission: Submission) -> list[ValidationWarning]:
    """Run every enabled rule over `submission` and store its warnings for this version."""
    ValidationWarning.objects.filter(submission=submission, version=submission.version).delete()
    found: list[ValidationWarning] = []
    for rule in ValidationRule.objects.filter(enabled=True):
        check = CHECKS.get(rule.kind)
        if check is not None:
            found.extend(check(submission, rule))
    return ValidationWarning.objects.bulk_create(found)
