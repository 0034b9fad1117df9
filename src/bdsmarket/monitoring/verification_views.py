"""Verification pages: a report's sample, what the clients said, claimed against verified.

Thin doors over monitoring.verification. Lookups go through submissions_visible_to (another
provider's report is a 404); the page is the program's, so provider staff of the report's
own provider get a 403; auditors read it and may not write.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from bdsmarket.core.forms import PageForm
from bdsmarket.core.views import AuthenticatedRequest

from . import permissions
from .models import Submission, VerificationCheck
from .verification import (
    verification_check_record,
    verification_sample_draw,
    verification_summary,
)

MONEY_ATTRS = {"inputmode": "decimal", "min": "0", "step": "0.01", "autocomplete": "off"}


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )


class CheckForm(PageForm):
    """What the client said about one sampled row. Empty figures are left to the service:
    a confirmation confirms the claimed figures, a denial verifies nothing."""

    confirmed = forms.TypedChoiceField(
        label=gettext_lazy("Did the client confirm the service?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    verified_price = _money(gettext_lazy("Verified price"))
    verified_paid_by_client = _money(gettext_lazy("Verified paid by the client"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)

    @classmethod
    def for_check(cls, check: VerificationCheck) -> "CheckForm":
        """Return the row's form, filled with what was recorded so far."""
        initial: dict[str, Any] = {
            "verified_price": check.verified_price,
            "verified_paid_by_client": check.verified_paid_by_client,
            "note": check.note,
        }
        if check.confirmed is not None:
            initial["confirmed"] = "yes" if check.confirmed else "no"
        return cls(initial=initial, auto_id=f"check-{check.pk}-%s")


def _submission(request: AuthenticatedRequest, pk: int) -> Submission:
    submission = get_object_or_404(permissions.submissions_visible_to(request.user), pk=pk)
    # Verification is the program's: a provider's staff see their report, not its checks.
    if not permissions.can_see_all_reports(request.user):
        raise PermissionDenied
    return submission


def _to_page(submission: Submission, fragment: str = "") -> HttpResponse:
    url = reverse("monitoring:verification", args=[submission.pk])
    return redirect(f"{url}#{fragment}" if fragment else url)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def verification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A report's sample: claimed against verified figures, and a form per sampled row."""
    user = request.user
    submission = _submission(request, pk)
    summary = verification_summary(submission)
    can_verify = permissions.can_review(user, submission)
    checks: list[VerificationCheck] = []
    if summary.sample is not None:
        checks = list(
            summary.sample.checks.select_related("delivery", "checked_by").order_by(
                "delivery__date", "delivery__pk"
            )
        )
    rate = summary.discrepancy_rate
    context = {
        "submission": submission,
        "provider": submission.provider,
        "period": submission.period,
        "summary": summary,
        "discrepancy_percent": None if rate is None else rate * 100,
        "has_current_sample": (
            summary.sample is not None and summary.sample.version == submission.version
        ),
        "can_verify": can_verify,
        "rows": [(check, CheckForm.for_check(check) if can_verify else None) for check in checks],
    }
    return render(request, "monitoring/verification.html", context)


@login_required
@require_POST
def verification_draw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not permissions.can_review(request.user, submission):
        raise PermissionDenied
    try:
        sample = verification_sample_draw(actor=request.user, submission=submission)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        count = sample.checks.count()
        messages.success(
            request,
            ngettext(
                "A sample of %(count)s row was drawn.",
                "A sample of %(count)s rows was drawn.",
                count,
            )
            % {"count": count},
        )
    return _to_page(submission)


@login_required
@require_POST
def verification_check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    check = get_object_or_404(
        VerificationCheck.objects.filter(
            sample__submission__in=permissions.submissions_visible_to(user)
        ).select_related("sample__submission", "delivery"),
        pk=pk,
    )
    submission = check.sample.submission
    if not permissions.can_review(user, submission):
        raise PermissionDenied
    form = CheckForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return _to_page(submission, f"check-{check.pk}")
    try:
        verification_check_record(actor=user, check=check, **form.cleaned_data)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("The check of the row of %(date)s, client %(client)s, was recorded.")
            % {
                "date": date_format(check.delivery.date, "SHORT_DATE_FORMAT"),
                "client": check.delivery.client_id,
            },
        )
    return _to_page(submission, f"check-{check.pk}")
