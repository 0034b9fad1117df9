"""The incentive pages: a month's statements (compute, approve, pay, download), one
statement with every step of its amounts and its versions, the payment batches, the
schemes (drafts, adoption, new versions) and the simulator. The support packages are in
package_views.py.

Thin doors: every lookup goes through a scoping helper of permissions.py (another
provider's statement is a 404), every write through a service (which checks access again
and enforces the workflow), every figure through page_queries, every sentence through
wording.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bdsmarket.core.clock import program_today
from bdsmarket.core.forms import show_as_typed
from bdsmarket.core.months import month_add
from bdsmarket.core.pages import list_response
from bdsmarket.core.views import AuthenticatedRequest
from bdsmarket.indicators.exports import table_csv, table_xlsx
from bdsmarket.monitoring import permissions as monitoring_permissions
from bdsmarket.registry import permissions as registry_permissions

from . import documents, page_queries, permissions, queries, services, wording
from .forms import (
    ApproveManyForm,
    BatchCreateForm,
    BatchPaidForm,
    ComputeForm,
    SchemeForm,
    SimulateForm,
    StatementFilterForm,
    rule_formset,
    rule_formset_typed,
    scheme_errors_show,
)
from .models import IncentiveScheme, PaymentBatch, Statement
from .simulation import simulate

PAGE_SIZE = 50


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def form_error_messages(request: HttpRequest, form: Any) -> None:
    """Show a small action form's errors at the top of the page it goes back to."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Go back to the page the action was taken on (its filters kept), else to `default`."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect(default)


def _month_url(month: date) -> str:
    return reverse("incentives:statements") + "?" + urlencode({"month": f"{month:%Y-%m}"})


def _file_response(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _month_label(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Where "Incentives" leads: the statements."""
    if not permissions.can_see_incentives(request.user):
        raise PermissionDenied
    return redirect("incentives:statements")


# Statements


def _filter_form(request: AuthenticatedRequest) -> StatementFilterForm:
    """Return the statements' filters over the query string; provider staff have no choice
    of provider (they see their own)."""
    user = request.user
    providers = None if user.is_provider_staff else registry_permissions.providers_visible_to(user)
    return StatementFilterForm(request.GET, providers=providers)


@login_required
def statement_list(request: AuthenticatedRequest) -> HttpResponse:
    """The statements of a month (or of every month), filtered by provider and status, their
    totals and those waiting for approval or payment, and the actions the user may take."""
    user = request.user
    form = _filter_form(request)
    statements = queries.statement_list(actor=user, filters=form.filters())
    month = form.cleaned_data.get("month") if form.is_valid() else None
    listed = page_queries.statements_listed(statements)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    can_approve = permissions.can_approve_statements(user)
    compute_month = month or month_add(program_today().replace(day=1), -1)
    context = {
        "form": form,
        "page": page,
        "month": month,
        "query": request.GET.urlencode(),
        "totals": page_queries.statements_totals(statements),
        "waiting": page_queries.statements_waiting(statements),
        "can_compute": permissions.can_compute_statements(user),
        "can_approve": can_approve,
        "can_pay": permissions.can_pay_statements(user),
        "compute_form": ComputeForm(initial={"month": compute_month}),
        "formats": documents.STATEMENT_FORMATS,
        "here": request.get_full_path(),
    }
    return list_response(
        request, "incentives/statement_list.html", "incentives/_statement_results.html", context
    )


@login_required
@require_POST
def statements_compute(request: AuthenticatedRequest) -> HttpResponse:
    """Compute (or compute again) every statement of a month."""
    user = request.user
    if not permissions.can_compute_statements(user):
        raise PermissionDenied
    form = ComputeForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("incentives:statements")
    month = form.cleaned_data["month"].replace(day=1)
    try:
        result = services.statements_compute(actor=user, month=month)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect(_month_url(month))
    values = {
        "month": _month_label(month),
        "created": result.created,
        "unchanged": result.unchanged,
        "superseded": result.superseded,
    }
    if result.created or result.unchanged:
        messages.success(
            request,
            _(
                "The statements of %(month)s were computed: %(created)s new or changed, "
                "%(unchanged)s unchanged, %(superseded)s approved before and now superseded "
                "by a new version."
            )
            % values,
        )
    else:
        messages.info(
            request,
            _(
                "No provider with a support package has an approved report of %(month)s: "
                "there is nothing to compute yet."
            )
            % values,
        )
    return redirect(_month_url(month))


@login_required
@require_POST
def statements_approve(request: AuthenticatedRequest) -> HttpResponse:
    """Approve the statements ticked in the list: all of them, or none."""
    user = request.user
    if not permissions.can_approve_statements(user):
        raise PermissionDenied
    form = ApproveManyForm(request.POST, statements=permissions.statements_visible_to(user))
    back = reverse("incentives:statements")
    if not form.is_valid():
        form_error_messages(request, form)
        return _back(request, back)
    try:
        approved = services.statements_approve(
            actor=user, statements=form.cleaned_data["statement"]
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s statement was approved.",
                "%(count)s statements were approved.",
                len(approved),
            )
            % {"count": len(approved)},
        )
    return _back(request, back)


@login_required
def statements_export(request: AuthenticatedRequest, format: str) -> HttpResponse:
    """The month's statements as the list filters them, one row per line (CSV, XLSX) or
    each statement with its lines (JSON, as the API gives it)."""
    if format not in documents.STATEMENT_FORMATS:
        raise Http404
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    form = _filter_form(request)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    if month is None:
        messages.error(request, _("Choose a month to download its statements."))
        return redirect(reverse("incentives:statements") + "?" + request.GET.urlencode())
    statements = page_queries.statements_for_file(
        queries.statement_list(actor=user, filters=form.filters())
    )
    content, name = documents.statements_file(
        statements, format, month=month, absolute=request.build_absolute_uri
    )
    return _file_response(content, name, documents.CONTENT_TYPES[format])


def _statement(request: AuthenticatedRequest, pk: int) -> Statement:
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    visible = page_queries.statements_listed(permissions.statements_visible_to(user))
    return get_object_or_404(visible.select_related("batch", "approved_by", "supersedes"), pk=pk)


@login_required
def statement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One statement: every line with each step of its amount and the rows behind its base,
    the scheme's rules in words, the verification, and every version of the month."""
    user = request.user
    statement = _statement(request, pk)
    report = page_queries.statement_report(statement)
    context = {
        "statement": statement,
        "provider": statement.provider,
        "scheme": statement.scheme,
        "lines": page_queries.statement_lines(statement),
        "versions": page_queries.statement_versions(statement),
        "report": report,
        "can_see_report": report is not None
        and monitoring_permissions.submissions_visible_to(user).filter(pk=report.pk).exists(),
        "can_see_verification": report is not None
        and monitoring_permissions.can_see_all_reports(user),
        "can_see_scheme": permissions.schemes_visible_to(user)
        .filter(pk=statement.scheme_id)
        .exists(),
        "bands": wording.band_sentences(statement.scheme),
        "can_approve": permissions.can_approve_statement(user, statement),
        "can_compute": permissions.can_compute_statements(user),
        "can_see_batches": permissions.can_see_batches(user),
        "compute_form": ComputeForm(initial={"month": statement.month}),
    }
    return render(request, "incentives/statement_detail.html", context)


@login_required
@require_POST
def statement_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    statement = _statement(request, pk)
    if not permissions.can_approve_statements(user):
        raise PermissionDenied
    try:
        services.statement_approve(actor=user, statement=statement)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("The statement of %(provider)s for %(month)s was approved.")
            % {"provider": statement.provider.code, "month": _month_label(statement.month)},
        )
    return redirect("incentives:statement_detail", pk=statement.pk)


# Payment batches


def _batch(request: AuthenticatedRequest, pk: int) -> PaymentBatch:
    user = request.user
    if not permissions.can_see_batches(user):
        raise PermissionDenied
    return get_object_or_404(
        page_queries.batches_listed(permissions.batches_visible_to(user)), pk=pk
    )


@login_required
def batch_list(request: AuthenticatedRequest) -> HttpResponse:
    """The payment batches, the latest first, with what each moves and whether it is paid."""
    user = request.user
    if not permissions.can_see_batches(user):
        raise PermissionDenied
    batches = page_queries.batches_listed(permissions.batches_visible_to(user)).order_by(
        "-created_at", "-pk"
    )
    context = {"page": Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))}
    return render(request, "incentives/batch_list.html", context)


@login_required
@require_POST
def batch_create(request: AuthenticatedRequest) -> HttpResponse:
    """Put the approved statements shown (or ticked) in a new payment batch."""
    user = request.user
    if not permissions.can_pay_statements(user):
        raise PermissionDenied
    form = BatchCreateForm(request.POST, statements=permissions.statements_visible_to(user))
    back = reverse("incentives:statements")
    if not form.is_valid():
        form_error_messages(request, form)
        return _back(request, back)
    try:
        batch = services.payment_batch_create(actor=user, statements=form.cleaned_data["statement"])
    except ValidationError as error:
        _error_messages(request, error)
        return _back(request, back)
    count = batch.statements.count()
    messages.success(
        request,
        ngettext(
            "Payment batch %(number)s was made with %(count)s statement. Download its file "
            "for the bank.",
            "Payment batch %(number)s was made with %(count)s statements. Download its file "
            "for the bank.",
            count,
        )
        % {"number": batch.pk, "count": count},
    )
    return redirect("incentives:batch_detail", pk=batch.pk)


@login_required
def batch_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A payment batch: its statements, its file for the bank, and whether it was paid."""
    user = request.user
    batch = _batch(request, pk)
    context = {
        "batch": batch,
        "statements": page_queries.batch_statements(batch),
        "formats": documents.FORMATS,
        "can_pay": permissions.can_pay_statements(user) and batch.paid_on is None,
        "paid_form": BatchPaidForm(initial={"paid_on": program_today()}),
    }
    return render(request, "incentives/batch_detail.html", context)


@login_required
def batch_file(request: AuthenticatedRequest, pk: int, format: str) -> HttpResponse:
    """The batch as the bank takes it: one transfer per provider (CSV), or with a sheet
    about the batch (XLSX)."""
    if format not in documents.FORMATS:
        raise Http404
    batch = _batch(request, pk)
    return _file_response(*documents.batch_file(batch, format))


@login_required
@require_POST
def batch_paid(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that the bank paid the batch: each statement paid, each provider's ledger."""
    user = request.user
    batch = _batch(request, pk)
    if not permissions.can_pay_statements(user):
        raise PermissionDenied
    form = BatchPaidForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("incentives:batch_detail", pk=batch.pk)
    try:
        payments = services.payment_batch_paid(actor=user, batch=batch, **form.cleaned_data)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The batch was recorded as paid: %(count)s payment is in the providers' ledgers.",
                "The batch was recorded as paid: %(count)s payments are in the providers' ledgers.",
                len(payments),
            )
            % {"count": len(payments)},
        )
    return redirect("incentives:batch_detail", pk=batch.pk)


# Schemes


def _scheme(request: AuthenticatedRequest, pk: int) -> IncentiveScheme:
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    return get_object_or_404(permissions.schemes_visible_to(user), pk=pk)


@login_required
def scheme_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every scheme and version the user may see: status and months in force."""
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    context = {
        "schemes": page_queries.schemes_listed(permissions.schemes_visible_to(user)),
        "can_manage": permissions.can_manage_schemes(user),
        "can_simulate": permissions.can_simulate(user),
    }
    return render(request, "incentives/scheme_list.html", context)


@login_required
def scheme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A scheme: its rules in plain sentences, its verification penalty, its versions."""
    user = request.user
    scheme = _scheme(request, pk)
    context = {
        "scheme": scheme,
        "rules": scheme.rules.all(),
        "bands": wording.band_sentences(scheme),
        "versions": page_queries.schemes_listed(
            permissions.schemes_visible_to(user).filter(code=scheme.code)
        ),
        "can_edit": permissions.can_edit_scheme(user, scheme),
        "can_adopt": permissions.can_adopt_scheme(user, scheme),
        "can_version": permissions.can_manage_schemes(user),
        "can_simulate": permissions.can_simulate(user),
    }
    return render(request, "incentives/scheme_detail.html", context)


def _scheme_source(request: AuthenticatedRequest) -> IncentiveScheme | None:
    """Return the version a new one starts from (`?from=`), or None for a new scheme."""
    pk = request.GET.get("from", "")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    return _scheme(request, int(pk))


def _scheme_page(
    request: AuthenticatedRequest,
    *,
    scheme: IncentiveScheme | None,
    source: IncentiveScheme | None,
    store: Any,
) -> HttpResponse:
    """Show and save a scheme's form and rules: a draft to change (`scheme`), or a new
    scheme or version (from `source`); `store(form, formset)` calls the service."""
    shown = scheme or source
    initial = SchemeForm.initial_of(shown) if shown else {}
    options: dict[str, Any] = {"code_fixed": shown is not None, "initial": initial}
    if request.method == "POST" and "more" in request.POST:
        form = SchemeForm(request.POST, **options)
        show_as_typed(form)
        formset = rule_formset_typed(request.POST)
    elif request.method == "POST":
        form = SchemeForm(request.POST, **options)
        formset = rule_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                saved = store(form.cleaned_data, formset.inputs())
            except ValidationError as error:
                scheme_errors_show(error, form, formset)
            else:
                messages.success(
                    request,
                    _(
                        "The draft “%(name)s”, version %(version)s, was saved. Simulate it, "
                        "then adopt it when it is ready."
                    )
                    % {"name": saved.name, "version": saved.version},
                )
                return redirect("incentives:scheme_detail", pk=saved.pk)
    else:
        form = SchemeForm(**options)
        formset = rule_formset(scheme=shown)
    context = {"form": form, "formset": formset, "scheme": scheme, "source": source}
    return render(request, "incentives/scheme_form.html", context)


def _scheme_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "description": data["description"],
        "effective_from": data["effective_from"],
        "penalty_bands": data["penalty_bands"],
        "penalty_measure": data["penalty_measure"],
        "unverified_keep": data["unverified_keep"],
    }


@login_required
def scheme_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new scheme, or (`?from=`) a new version of one: a draft, checked as it is saved."""
    user = request.user
    if not permissions.can_manage_schemes(user):
        raise PermissionDenied
    source = _scheme_source(request)

    def store(data: dict[str, Any], rules_given: list[services.RuleInput]) -> IncentiveScheme:
        return services.scheme_create(
            actor=user, code=data["code"], rules_given=rules_given, **_scheme_values(data)
        )

    return _scheme_page(request, scheme=None, source=source, store=store)


@login_required
def scheme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change a draft; an adopted scheme is changed by a new version."""
    user = request.user
    scheme = _scheme(request, pk)
    if not permissions.can_manage_schemes(user):
        raise PermissionDenied
    if not permissions.can_edit_scheme(user, scheme):
        messages.info(
            request,
            _("An adopted scheme never changes: this makes a new version of it, a draft."),
        )
        return redirect(reverse("incentives:scheme_create") + f"?from={scheme.pk}")

    def store(data: dict[str, Any], rules_given: list[services.RuleInput]) -> IncentiveScheme:
        return services.scheme_update(
            actor=user, scheme=scheme, rules_given=rules_given, **_scheme_values(data)
        )

    return _scheme_page(request, scheme=scheme, source=None, store=store)


@login_required
@require_POST
def scheme_adopt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Adopt a draft: statements follow it from its month on."""
    user = request.user
    scheme = _scheme(request, pk)
    if not permissions.can_manage_schemes(user):
        raise PermissionDenied
    try:
        services.scheme_adopt(actor=user, scheme=scheme)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("“%(name)s”, version %(version)s, is adopted: statements follow it from %(month)s.")
            % {
                "name": scheme.name,
                "version": scheme.version,
                "month": _month_label(scheme.effective_from),
            },
        )
    return redirect("incentives:scheme_detail", pk=scheme.pk)


# The simulator


def _simulate_form(request: AuthenticatedRequest) -> SimulateForm:
    """Return the simulator's form: bound once a span is asked for, else showing the
    scheme a link chose (a scheme's page links here with `?scheme=`)."""
    user = request.user
    options: dict[str, Any] = {
        "schemes": permissions.schemes_visible_to(user).order_by("code", "-version"),
        "providers": registry_permissions.providers_visible_to(user).order_by("code"),
    }
    if "first" in request.GET or "last" in request.GET:
        return SimulateForm(request.GET, **options)
    return SimulateForm(initial=request.GET.dict(), **options)


def _simulation(form: SimulateForm) -> page_queries.SimulationTables:
    asked = form.cleaned_data["request"]
    simulation = simulate(asked.schemes, asked.first_month, asked.last_month, asked.providers)
    return page_queries.simulation_tables(simulation, _month_label)


@login_required
def simulator(request: AuthenticatedRequest) -> HttpResponse:
    """One scheme, or two side by side, run over past approved months: what each provider
    would have been paid, and what it would have cost. Nothing is stored."""
    if not permissions.can_simulate(request.user):
        raise PermissionDenied
    form = _simulate_form(request)
    tables = _simulation(form) if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "tables": tables,
        "query": request.GET.urlencode(),
        "formats": documents.FORMATS,
    }
    return render(request, "incentives/simulator.html", context)


@login_required
def simulator_export(request: AuthenticatedRequest, format: str) -> HttpResponse:
    """The simulation's totals by provider as CSV or XLSX, the span and schemes in notes."""
    if format not in documents.FORMATS:
        raise Http404
    if not permissions.can_simulate(request.user):
        raise PermissionDenied
    form = _simulate_form(request)
    if not (form.is_bound and form.is_valid()):
        context = {"form": form, "tables": None, "query": "", "formats": documents.FORMATS}
        return render(request, "incentives/simulator.html", context, status=400)
    simulation = _simulation(form).simulation
    table = documents.simulation_table(simulation)
    content = table_csv(table) if format == "csv" else table_xlsx(table)
    name = f"simulation-{simulation.first_month:%Y-%m}-{simulation.last_month:%Y-%m}.{format}"
    return _file_response(content, name, documents.CONTENT_TYPES[format])
