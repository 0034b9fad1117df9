"""Monitoring pages: a provider's monthly reports and their rows, and the program's review.

Thin doors: every lookup goes through a scoping helper of permissions.py (so another
provider's report or row is a 404), every write through a service (which checks access
again and keeps the history), every figure through page_queries.
"""

from dataclasses import replace
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bdsmarket.core.clock import program_today
from bdsmarket.core.forms import show_as_typed, show_service_errors
from bdsmarket.core.history import history_rows
from bdsmarket.core.pages import list_response
from bdsmarket.core.views import AuthenticatedRequest
from bdsmarket.registry import permissions as registry_permissions
from bdsmarket.registry.models import Provider

from . import page_queries, permissions, queries, services
from .forms import (
    AcknowledgeForm,
    AmendForm,
    CostReportForm,
    DeliveryForm,
    ParticipantFormSet,
    ReturnForm,
    ReviewFilterForm,
    RowFilterForm,
    StartMonthForm,
    TrainingEventForm,
)
from .models import (
    IN_REVIEW_STATUSES,
    CostReport,
    Delivery,
    ImportBatch,
    Submission,
    ValidationWarning,
)
from .page_queries import PAYERS, RowCriteria
from .validation import DeliveryChecker

PAGE_SIZE = 50
# An officer comments on rows of one page at a time; a month of a small provider fits in one.
REVIEW_PAGE_SIZE = 200
PARTICIPANT_ROWS = 5
MAX_PARTICIPANTS = 200
# Columns of monitoring/_delivery_table.html before its optional action and comment columns.
DELIVERY_COLUMNS = 9
# Months never opened that "My reports" offers to start, the latest first.
OWED_SHOWN = 6


def _page(request: HttpRequest, rows: Any, size: int = PAGE_SIZE) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _today() -> date:
    return program_today()


def _submission(request: AuthenticatedRequest, pk: int) -> Submission:
    return get_object_or_404(permissions.submissions_visible_to(request.user), pk=pk)


def _delivery(request: AuthenticatedRequest, pk: int) -> Delivery:
    return get_object_or_404(
        permissions.deliveries_visible_to(request.user).select_related(
            "submission__period", "submission__provider", "provider", "batch__created_by"
        ),
        pk=pk,
    )


def _to_submission(submission: Submission, fragment: str = "") -> HttpResponse:
    url = reverse("monitoring:submission_detail", args=[submission.pk])
    return redirect(f"{url}#{fragment}" if fragment else url)


def _service_error_message(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# Where "Reports" leads


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Provider staff go to their months; program staff and auditors to the review queue."""
    user = request.user
    if user.is_provider_staff:
        return redirect("monitoring:my_reports")
    if permissions.can_see_all_reports(user):
        return redirect("monitoring:review_queue")
    raise PermissionDenied


# A provider's months


@login_required
def my_reports(request: AuthenticatedRequest) -> HttpResponse:
    """The provider's months: status, due date, lateness, rows and income; months still owed."""
    user = request.user
    if not user.is_provider_staff:
        raise PermissionDenied
    provider = get_object_or_404(
        registry_permissions.providers_visible_to(user), pk=user.provider_id
    )
    today = _today()
    submissions = page_queries.submissions_with_figures(
        permissions.submissions_visible_to(user).filter(provider=provider)
    ).order_by("-period__month")
    page = _page(request, submissions)
    page.object_list = page_queries.late_flags_set(page.object_list, today)
    owed = [
        report
        for report in queries.overdue_submissions(today)
        if report.provider.pk == provider.pk and report.submission is None
    ]
    context = {
        "provider": provider,
        "page": page,
        "owed": owed,
        "owed_shown": owed[:OWED_SHOWN],
        "owed_more": max(len(owed) - OWED_SHOWN, 0),
        "start_form": StartMonthForm(today=today, initial={"month": today.replace(day=1)}),
        "can_report": permissions.can_report_for(user, provider.pk),
    }
    return render(request, "monitoring/my_reports.html", context)


@login_required
@require_POST
def month_open(request: AuthenticatedRequest) -> HttpResponse:
    """Open the provider's report of a month (a draft, or the one already there)."""
    user = request.user
    if user.provider_id is None or not permissions.can_report_for(user, user.provider_id):
        raise PermissionDenied
    form = StartMonthForm(request.POST, today=_today())
    if not form.is_valid():
        for message in form.errors.get("month", []):
            messages.error(request, str(message))
        return redirect("monitoring:my_reports")
    provider = get_object_or_404(
        registry_permissions.providers_visible_to(user), pk=user.provider_id
    )
    submission = services.submission_get_or_create(
        actor=user, provider=provider, month=form.cleaned_data["month"]
    )
    return _to_submission(submission)


# One month's report


@login_required
def submission_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A month's report: figures linked to their rows, comments, warnings, rows, costs, and
    the actions the user may take (prepare and submit; or review, return and approve)."""
    user = request.user
    submission = _submission(request, pk)
    today = _today()
    can_review = (
        permissions.can_review(user, submission) and submission.status in IN_REVIEW_STATUSES
    )
    can_edit = permissions.can_edit_submission(user, submission)
    deliveries = page_queries.deliveries_for_table(
        Delivery.objects.filter(submission=submission)
    ).order_by("date", "pk")
    figures = page_queries.report_figures(submission)
    base = RowCriteria(provider=submission.provider, month=submission.period.month)
    context = {
        "submission": submission,
        "provider": submission.provider,
        "period": submission.period,
        "is_late": page_queries.submission_is_late(submission, today),
        "totals": figures.totals,
        "rows_url": _rows_url(base),
        "figure_urls": {payer: _rows_url(base, payer=payer) for payer in PAYERS},
        "by_client_type": [
            (group, _rows_url(base, client_type=group.value)) for group in figures.by_client_type
        ],
        "by_service_type": [
            (group, _rows_url(base, service_type=group.value)) for group in figures.by_service_type
        ],
        "page": _page(request, deliveries, REVIEW_PAGE_SIZE if can_review else PAGE_SIZE),
        "report_comments": page_queries.report_comments(submission),
        "warnings": page_queries.report_warnings(submission),
        "cost_report": CostReport.objects.filter(submission=submission).first(),
        "timeline": page_queries.submission_timeline(submission),
        "has_approved_version": submission.approved_versions.exists(),
        "can_edit": can_edit,
        "can_submit": permissions.can_submit(user, submission),
        "can_review": can_review,
        "can_acknowledge": permissions.can_review(user, submission),
        "can_amend": permissions.can_amend(user, submission),
        "return_form": ReturnForm(),
        "columns": DELIVERY_COLUMNS + can_edit + can_review,
    }
    return render(request, "monitoring/submission_detail.html", context)


def _rows_url(criteria: RowCriteria, **narrower: str) -> str:
    return reverse("monitoring:rows") + "?" + urlencode({**criteria.query(), **narrower})


def _catalogue(provider: Provider) -> list[str]:
    """The names of the provider's active services, offered while typing a service."""
    return list(
        provider.services.filter(active=True).order_by("name").values_list("name", flat=True)
    )


def _editable_submission(request: AuthenticatedRequest, pk: int) -> Submission:
    submission = _submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        raise PermissionDenied
    return submission


@login_required
def delivery_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add one delivery to the month: a phone-friendly form of one column."""
    submission = _editable_submission(request, pk)
    provider, period = submission.provider, submission.period
    today = _today()
    form = DeliveryForm(
        request.POST or None,
        provider=provider,
        checker=DeliveryChecker(actor=request.user, today=today),
        period=period,
        today=today,
        initial={"date": min(period.last_day, today)},
    )
    if request.method == "POST" and form.is_valid():
        assert form.row is not None
        try:
            result = services.deliveries_store(
                actor=request.user, rows=[form.row], source=ImportBatch.Source.FORM
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            if result.created:
                messages.success(request, _("The delivery was added."))
            else:
                messages.info(request, _("This delivery was already in the report."))
            if "another" in request.POST:
                return redirect("monitoring:delivery_create", pk=submission.pk)
            return _to_submission(submission, "deliveries")
    context = {
        "form": form,
        "submission": submission,
        "delivery": None,
        "catalogue": _catalogue(provider),
    }
    return render(request, "monitoring/delivery_form.html", context)


@login_required
def delivery_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One row: its values, where it came from (which file, form or API batch, by whom), the
    officer's comments on it, and every change made to it since."""
    delivery = _delivery(request, pk)
    context = {
        "delivery": delivery,
        "submission": delivery.submission,
        "batch": delivery.batch,
        "comments": delivery.comments.select_related("author").order_by("created_at"),
        "history": history_rows(delivery.history.select_related("history_user")),
        "can_edit": permissions.can_edit_submission(request.user, delivery.submission),
    }
    return render(request, "monitoring/delivery_detail.html", context)


@login_required
def delivery_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Correct one row while its month is a draft or returned."""
    user = request.user
    delivery = _delivery(request, pk)
    submission = delivery.submission
    if not permissions.can_edit_submission(user, submission):
        raise PermissionDenied
    initial = {name: getattr(delivery, name) for name in DeliveryForm.field_order}
    today = _today()
    form = DeliveryForm(
        request.POST or None,
        provider=delivery.provider,
        checker=DeliveryChecker(actor=user, today=today),
        period=submission.period,
        today=today,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes(delivery)
        try:
            if changes:
                services.delivery_update(actor=user, delivery=delivery, changes=changes)
        except ValidationError as error:
            delivery.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, _("The row was saved."))
            return _to_submission(submission, f"row-{delivery.pk}")
    context = {
        "form": form,
        "submission": submission,
        "delivery": delivery,
        "catalogue": _catalogue(delivery.provider),
        "comments": delivery.comments.select_related("author").order_by("created_at"),
    }
    return render(request, "monitoring/delivery_form.html", context)


@login_required
def delivery_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then remove one row while its month is a draft or returned."""
    user = request.user
    delivery = _delivery(request, pk)
    submission = delivery.submission
    if not permissions.can_edit_submission(user, submission):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.delivery_delete(actor=user, delivery=delivery)
        except ValidationError as error:
            _service_error_message(request, error)
        else:
            messages.success(request, _("The row was removed."))
        return _to_submission(submission, "deliveries")
    context = {"delivery": delivery, "submission": submission}
    return render(request, "monitoring/delivery_delete.html", context)


@login_required
def training_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add a training event: its date, service and price, and one row per participant."""
    submission = _editable_submission(request, pk)
    provider, period = submission.provider, submission.period
    today = _today()
    data = request.POST if request.method == "POST" else None
    event = TrainingEventForm(
        data, period=period, today=today, initial={"date": min(period.last_day, today)}
    )
    checker = DeliveryChecker(actor=request.user, today=today)
    if data is not None and "more" in data:
        # More empty rows were asked for: show what was typed so far, not judged yet.
        participants = ParticipantFormSet(_with_more_rows(data), provider=provider, checker=checker)
        show_as_typed(event)
        show_as_typed(participants)
    else:
        values = None
        if data is not None and event.is_valid():
            values = {
                name: event.cleaned_data[name]
                for name in ("date", "service_type", "service_name", "price")
            }
        participants = ParticipantFormSet(data, provider=provider, checker=checker, event=values)
        if data is not None and event.is_valid() and participants.is_valid():
            try:
                result = services.deliveries_store(
                    actor=request.user, rows=participants.rows(), source=ImportBatch.Source.FORM
                )
            except ValidationError as error:
                show_service_errors(event, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The training event was added: %(count)s participant.",
                        "The training event was added: %(count)s participants.",
                        result.created,
                    )
                    % {"count": result.created},
                )
                return _to_submission(submission, "deliveries")
    context = {
        "event": event,
        "participants": participants,
        "submission": submission,
        "catalogue": _catalogue(provider),
    }
    return render(request, "monitoring/training_form.html", context)


def _with_more_rows(data: QueryDict) -> QueryDict:
    """Return the posted participants with more empty rows to fill in below them."""
    copy = data.copy()
    name = f"{ParticipantFormSet.get_default_prefix()}-TOTAL_FORMS"
    try:
        total = int(copy.get(name, ""))
    except ValueError:
        total = PARTICIPANT_ROWS
    copy[name] = str(min(max(total, 1) + PARTICIPANT_ROWS, MAX_PARTICIPANTS))
    return copy


@login_required
def cost_report_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Enter or correct the month's cost report."""
    submission = _editable_submission(request, pk)
    existing = CostReport.objects.filter(submission=submission).first()
    initial = {name: getattr(existing, name) for name in services.COST_FIELDS} if existing else {}
    form = CostReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_report_store(
                actor=request.user,
                report=form.as_input(submission.provider, submission.period.month),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The cost report was saved."))
            return _to_submission(submission, "costs")
    context = {"form": form, "submission": submission, "cost_report": existing}
    return render(request, "monitoring/cost_report_form.html", context)


@login_required
@require_POST
def submission_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not permissions.can_submit(request.user, submission):
        raise PermissionDenied
    try:
        services.submission_submit(actor=request.user, submission=submission)
    except ValidationError as error:
        _service_error_message(request, error)
    else:
        messages.success(request, _("The report was sent to the program for review."))
    return _to_submission(submission)


@login_required
def submission_amend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Reopen an approved month for correction, with the reason; the approved version stays."""
    submission = _submission(request, pk)
    if not permissions.can_amend(request.user, submission):
        raise PermissionDenied
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_amend(
                actor=request.user, submission=submission, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The report was reopened as version %(version)s.")
                % {"version": submission.version},
            )
            return _to_submission(submission)
    return render(request, "monitoring/amend_form.html", {"form": form, "submission": submission})


# The review


@login_required
@require_POST
def submission_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the report back with a comment, and comments typed next to single rows."""
    submission = _submission(request, pk)
    if not permissions.can_review(request.user, submission):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.submission_return(
                actor=request.user,
                submission=submission,
                comment=form.cleaned_data["comment"],
                row_comments=ReturnForm.row_comments(request.POST),
            )
        except ValidationError as error:
            _service_error_message(request, error)
        else:
            messages.success(request, _("The report was returned to the provider."))
    return _to_submission(submission)


@login_required
@require_POST
def submission_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not permissions.can_review(request.user, submission):
        raise PermissionDenied
    try:
        version = services.submission_approve(actor=request.user, submission=submission)
    except ValidationError as error:
        _service_error_message(request, error)
    else:
        messages.success(
            request, _("Version %(version)s was approved.") % {"version": version.number}
        )
    return _to_submission(submission)


@login_required
@require_POST
def warning_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    warning = get_object_or_404(
        ValidationWarning.objects.filter(
            submission__in=permissions.submissions_visible_to(user)
        ).select_related("submission"),
        pk=pk,
    )
    if not permissions.can_review(user, warning.submission):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        services.warning_acknowledge(actor=user, warning=warning, note=form.cleaned_data["note"])
        messages.success(request, _("The warning was acknowledged."))
    return _to_submission(warning.submission, "warnings")


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Reports by status (waiting for review first), filtered by provider, month and status."""
    user = request.user
    if not permissions.can_see_all_reports(user):
        raise PermissionDenied
    form = ReviewFilterForm(request.GET, providers=registry_permissions.providers_visible_to(user))
    submissions = form.filter(
        page_queries.submissions_with_figures(permissions.submissions_visible_to(user))
    ).order_by("-period__month", "provider__code")
    page = _page(request, submissions)
    page.object_list = page_queries.late_flags_set(page.object_list, _today())
    context = {"form": form, "page": page}
    return list_response(
        request, "monitoring/review_queue.html", "monitoring/_queue_table.html", context
    )


@login_required
def overdue(request: AuthenticatedRequest) -> HttpResponse:
    """Active providers that have not sent their report of a month past its due date."""
    user = request.user
    if not permissions.can_see_all_reports(user):
        raise PermissionDenied
    visible = set(registry_permissions.providers_visible_to(user).values_list("pk", flat=True))
    reports = [
        report for report in queries.overdue_submissions(_today()) if report.provider.pk in visible
    ]
    return render(request, "monitoring/overdue.html", {"page": _page(request, reports)})


@login_required
def rows(request: AuthenticatedRequest) -> HttpResponse:
    """The rows behind a figure: a provider's month narrowed by the figure's dimension, with
    the same totals recomputed from them."""
    user = request.user
    if not permissions.can_see_reports(user):
        raise PermissionDenied
    providers = registry_permissions.providers_visible_to(user)
    form = RowFilterForm(request.GET or None, providers=providers)
    context: dict[str, Any] = {"form": form, "page": None, "summary": None}
    if form.is_valid():
        criteria = form.criteria()
        assert criteria.provider is not None and criteria.month is not None
        submission = (
            permissions.submissions_visible_to(user)
            .filter(provider=criteria.provider, period__month=criteria.month)
            .first()
        )
        deliveries = page_queries.deliveries_matching(
            permissions.deliveries_visible_to(user), criteria
        )
        everyone = replace(criteria, payer="")
        context.update(
            submission=submission,
            criteria=criteria,
            all_url=_rows_url(everyone),
            figure_urls={payer: _rows_url(everyone, payer=payer) for payer in PAYERS},
            summary=queries.deliveries_totals(deliveries),
            page=_page(
                request, page_queries.deliveries_for_table(deliveries).order_by("date", "pk")
            ),
        )
    elif "provider" in form.errors and request.GET.get("provider"):
        # A provider the user may not see is not there for them.
        raise Http404
    return list_response(request, "monitoring/rows.html", "monitoring/_rows_table.html", context)


@login_required
def submission_changes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The report's rows and costs now against its last approved version, row by row."""
    submission = _submission(request, pk)
    diff = page_queries.amendment_diff(submission)
    context = {"submission": submission, "diff": diff}
    return render(request, "monitoring/changes.html", context)
