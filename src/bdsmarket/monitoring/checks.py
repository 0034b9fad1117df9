"""Warnings: the program's tunable rules (ValidationRule) run over a submitted report.

Each check returns findings; `warnings_refresh` replaces the report's warnings for its
current version with them. Warnings store nothing else and block nothing but approval,
until the officer acknowledges them.
"""

from collections.abc import Callable

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import Submission, ValidationRule, ValidationWarning


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
            message=_("%(rows)s rows for client %(client)s on %(date)s (more than %(limit)s).")
            % {
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


CHECKS: dict[str, Callable[[Submission, ValidationRule], list[ValidationWarning]]] = {
    ValidationRule.Kind.SAME_CLIENT_SAME_DAY: same_client_same_day,
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
