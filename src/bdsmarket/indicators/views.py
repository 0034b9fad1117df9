"""The indicator pages: the program's dashboard, a provider's dashboard and benchmark, the
explorer with its downloads, and the rows behind any figure.

Thin doors: a form reads the query string, permissions.py says who may look, page_queries
and rows compute, a template shows. A wrong name in the query string (an indicator, a
grouping, a period, a peer group) is shown as the engine's message, never a failure.
Changing a period or a peer group redraws only its part of the page when htmx is there.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from bdsmarket.core.clock import program_today
from bdsmarket.core.months import month_add
from bdsmarket.core.pages import is_htmx
from bdsmarket.core.views import AuthenticatedRequest
from bdsmarket.monitoring import permissions as monitoring_permissions
from bdsmarket.monitoring.page_queries import deliveries_for_table

from . import exports, page_queries, permissions, rows
from .forms import BenchmarkForm, ExploreForm, RowsForm, SpanForm
from .periods import period_name
from .queries import IndicatorError, benchmark_request

PAGE_SIZE = 50
COST_REPORTS_SHOWN = 100
EXPLORE_DEFAULTS: dict[str, Any] = {"indicator": ExploreForm.DEFAULT_INDICATORS, "period": "month"}


def _htmx_target(request: HttpRequest) -> str:
    return request.headers.get("HX-Target", "") if is_htmx(request) else ""


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], partials: dict[str, str]
) -> HttpResponse:
    """Render the page, or only the part htmx asked to redraw."""
    partial = partials.get(_htmx_target(request))
    response = render(request, partial or template, context)
    # The same address answers with a page or a part of it: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _query(request: HttpRequest, *names: str) -> dict[str, str]:
    """Return the values of `names` the request carries (to keep them in another form)."""
    return {name: request.GET[name] for name in names if request.GET.get(name)}


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The program's dashboard; provider staff go to their provider's."""
    user = request.user
    if user.is_provider_staff and user.provider_id is not None:
        return redirect("indicators:provider", pk=user.provider_id)
    if not permissions.can_see_program_figures(user):
        raise PermissionDenied
    form = SpanForm(request.GET)
    span_kind, year = "years", None
    if form.is_valid():
        span_kind, year = form.cleaned_data["span"], form.cleaned_data["year"]
    dashboard = page_queries.program_dashboard(
        span_kind=span_kind, year=year, today=program_today()
    )
    context = {
        "form": form,
        "dashboard": dashboard,
        "span_kind": span_kind,
        "spans": page_queries.SPANS,
        "keep": _query(request, "span", "year"),
    }
    return _respond(
        request,
        "indicators/program.html",
        context,
        {"trends": "indicators/_trends.html", "income": "indicators/_income.html"},
    )


@login_required
def provider_dashboard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A provider's figures over time and its benchmark among its peers."""
    user = request.user
    if not permissions.can_see_figures(user):
        raise PermissionDenied
    provider = get_object_or_404(permissions.providers_with_figures_visible_to(user), pk=pk)
    if not permissions.can_see_provider_figures(user, provider):
        raise Http404
    target = _htmx_target(request)
    span_form = SpanForm(request.GET)
    span_kind = span_form.cleaned_data["span"] if span_form.is_valid() else "years"
    default_period = page_queries.default_benchmark_period(provider, program_today())
    data = request.GET.copy()
    if default_period is not None and not data.get("period"):
        data["period"] = period_name(default_period.first, default_period.last)
    benchmark_form = BenchmarkForm(
        data,
        periods=page_queries.benchmark_periods(provider),
        peer_groups=page_queries.PEER_GROUP_NAMES,
        default_period=default_period,
    )
    peer_group = benchmark_form.cleaned_data["peer_group"] if benchmark_form.is_valid() else ""
    asked = benchmark_request(actor=user, provider=provider, peer_group=peer_group)
    context: dict[str, Any] = {
        "provider": provider,
        "span_form": span_form,
        "span_kind": span_kind,
        "spans": page_queries.SPANS,
        "benchmark_form": benchmark_form,
        "names": asked.names,
        "own_label": provider.code,
        "keep_span": _query(request, "span"),
        "keep_benchmark": _query(request, "period", "peer_group"),
        "benchmark": None,
        "benchmark_error": "",
    }
    if target != "benchmark":
        context["trends"] = page_queries.provider_trends(provider, span_kind=span_kind)
    if target != "trends" and benchmark_form.is_valid():
        period = benchmark_form.cleaned_data["period"]
        if period is not None:
            try:
                context["benchmark"] = page_queries.provider_benchmark(
                    provider,
                    period=period,
                    peer_group=asked.peer_group,
                    names=asked.names,
                )
            except IndicatorError as error:
                context["benchmark_error"] = error.message
    return _respond(
        request,
        "indicators/provider.html",
        context,
        {"trends": "indicators/_provider_trends.html", "benchmark": "indicators/_benchmark.html"},
    )


def _explore_form(request: AuthenticatedRequest, form_class: type, **defaults: Any) -> Any:
    """Return the explorer's (or the rows page's) form over the providers the user may
    see, bound to the query string or, when there is none, to `defaults` and the last
    twelve months with reports. Provider staff are held to their own provider; another
    provider is not there for them (404)."""
    user = request.user
    reach = permissions.figure_providers_for(user)
    reported = page_queries.reported_span(providers=reach)
    last = reported[1] if reported else program_today().replace(day=1)
    data = request.GET.copy()
    if not data:
        data.update({"first": f"{month_add(last, -11):%Y-%m}", "last": f"{last:%Y-%m}"})
        for name, value in defaults.items():
            data.setlist(name, list(value) if isinstance(value, list | tuple) else [value])
    form = form_class(
        data,
        providers=permissions.providers_with_figures_visible_to(user),
        default_span=(month_add(last, -11), last),
        fixed_providers=reach,
    )
    if not form.is_valid() and "provider" in form.errors:
        raise Http404
    return form


def _exploration(form: ExploreForm) -> tuple[Any, str]:
    """Return what the explorer shows for a valid form, or the engine's message."""
    data = form.cleaned_data
    try:
        exploration = page_queries.explore(
            form.scope(), data["indicator"], dimension=data["group_by"], grain=data["period"]
        )
    except IndicatorError as error:
        return None, error.message
    return exploration, ""


@login_required
def explore(request: AuthenticatedRequest) -> HttpResponse:
    """Any indicators, grouped by a dimension and a period, over any scope the user may see."""
    if not permissions.can_explore_figures(request.user):
        raise PermissionDenied
    form = _explore_form(request, ExploreForm, **EXPLORE_DEFAULTS)
    exploration, error = _exploration(form) if form.is_valid() else (None, "")
    context = {
        "form": form,
        "exploration": exploration,
        "error": error,
        "query": form.data.urlencode(),
    }
    return _respond(
        request,
        "indicators/explore.html",
        context,
        {"explore-results": "indicators/_explore_results.html"},
    )


@login_required
def explore_export(request: AuthenticatedRequest, format: str) -> HttpResponse:
    """The explorer's table as CSV or XLSX: the same figures, numbers as numbers, the
    headers in the reader's language, the basis and cut-off in notes."""
    if format not in exports.FORMATS:
        raise Http404
    if not permissions.can_export_figures(request.user):
        raise PermissionDenied
    form = _explore_form(request, ExploreForm, **EXPLORE_DEFAULTS)
    exploration, error = _exploration(form) if form.is_valid() else (None, "")
    if exploration is None:
        context = {"form": form, "exploration": None, "error": error, "query": ""}
        return render(request, "indicators/explore.html", context, status=400)
    content, content_type = exports.exploration_file(
        exploration, format=format, language=get_language()
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(exploration, format)}"'
    )
    return response


@login_required
def rows_behind(request: AuthenticatedRequest) -> HttpResponse:
    """The delivery rows (and cost reports) a figure counts, and the figures recomputed
    from them next to the figure itself."""
    user = request.user
    if not permissions.can_explore_figures(user):
        raise PermissionDenied
    form = _explore_form(request, RowsForm)
    context: dict[str, Any] = {"form": form, "page": None}
    if form.is_valid():
        scope = form.scope()
        indicator_id = form.cleaned_data["indicator"]
        deliveries = rows.deliveries_behind(
            monitoring_permissions.deliveries_visible_to(user), scope
        )
        cost_reports = rows.cost_reports_behind(
            monitoring_permissions.cost_reports_visible_to(user), scope
        )
        listed = deliveries_for_table(deliveries.select_related("provider", "submission__period"))
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        visits = rows.visits_of(list(page.object_list), scope.basis)
        context.update(
            description=page_queries.scope_description(scope),
            figures=page_queries.rows_page(
                scope, rows.rows_figures(deliveries, cost_reports, scope), indicator_id
            ),
            page=page,
            repeats={pk for pk, visit in visits.items() if visit > 1},
            cost_reports=list(
                cost_reports.select_related("provider", "submission__period")[:COST_REPORTS_SHOWN]
            ),
            cost_report_count=cost_reports.count(),
        )
    return render(request, "indicators/rows.html", context)
