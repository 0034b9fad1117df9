"""The rows behind any figure of the engine, and the figure recomputed from them.

A figure of `queries.indicators_compute` is one cell: a scope (months, providers, filters,
basis) and a group's key. `cell_scope` narrows the scope to the cell, so that the cell is
the whole of a scope of its own; `deliveries_behind` and `cost_reports_behind` return the
rows that scope counts (from querysets the caller has scoped with permissions.py, so they
never widen what a user sees), and `rows_figures` adds them up again with the engine's own
measures, so that the figures a page shows next to the rows can be checked against the cell.

The same scope travels in the query string of every page (`scope_query`, read back by
forms.ScopeForm): first, last, basis, provider and one parameter per dimension.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bdsmarket.monitoring.models import CostReport, Delivery

from . import definitions, rules
from .models import DIMENSIONS, Basis
from .queries import ID_DIMENSIONS, IndicatorError, Scope
from .services import BASIS_STATUSES, MEASURE_SQL, ranked_rows_sql

# The delivery column each dimension filters on.
COLUMNS = {
    "client_type": "client_type",
    "client_gender": "client_gender",
    "service_type": "service_type",
    "client_sector": "client_sector_id",
    "client_city": "client_city_id",
}
# Figures that need more than the rows of their own scope: other providers' rows
# (market_share), the period before (income_growth), every client's whole history
# (return_to_same_provider), each provider's own cost recovery (covers_costs).
NOT_FROM_ROWS = frozenset(
    ("market_share", "income_growth", "return_to_same_provider", "covers_costs")
)
RECOMPUTABLE = tuple(
    indicator for indicator in definitions.AVAILABLE if indicator.id not in NOT_FROM_ROWS
)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_parse(text: str, parameter: str) -> date:
    """Return the first day of the month `text` names ("2003-05"); IndicatorError if none."""
    match = _MONTH.match(text.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 1900 <= year <= 2999:
            return date(year, month, 1)
    raise IndicatorError(
        parameter,
        text,
        _("“%(value)s” is not a month: write a year and a month, e.g. 2003-05.") % {"value": text},
    )


def cell_scope(scope: Scope, group_by: Sequence[str], key: Sequence[Any]) -> Scope:
    """Return the scope of one group of a result: `scope` narrowed to the provider, the
    dimension values and the period its key names (a period clipped to the scope's span)."""
    first, last = scope.first_month, scope.last_month
    providers = scope.providers
    filters = dict(scope.filters)
    for name, value in zip(group_by, key, strict=True):
        if name == "provider":
            providers = frozenset((value,))
        elif name in DIMENSIONS:
            filters[name] = frozenset(()) if value is None else frozenset((str(value),))
        elif name == "month":
            first = last = value
        else:
            if name == "year":
                start, end = date(value, 1, 1), date(value, 12, 1)
            else:
                year, quarter = value
                start = date(year, 3 * quarter - 2, 1)
                end = date(year, 3 * quarter, 1)
            first, last = max(first, start), min(last, end)
    return Scope(first, last, providers, filters, scope.basis)


def scope_query(scope: Scope, *, indicator: str = "") -> list[tuple[str, str]]:
    """Return `scope` as query parameters, in a stable order."""
    pairs = [("first", f"{scope.first_month:%Y-%m}"), ("last", f"{scope.last_month:%Y-%m}")]
    if scope.basis != Basis.APPROVED:
        pairs.append(("basis", scope.basis))
    if scope.providers is not None:
        pairs += [("provider", str(provider)) for provider in sorted(scope.providers)]
    for dimension in DIMENSIONS:
        if dimension in scope.filters:
            pairs += [(dimension, value) for value in sorted(scope.filters[dimension])]
    if indicator:
        pairs.append(("indicator", indicator))
    return pairs


def rows_url(scope: Scope, *, indicator: str = "") -> str:
    """Return the address of the page listing the rows `scope` counts."""
    return reverse("indicators:rows") + "?" + urlencode(scope_query(scope, indicator=indicator))


def deliveries_behind(deliveries: QuerySet[Delivery], scope: Scope) -> QuerySet[Delivery]:
    """Return the rows of `deliveries` that `scope` counts: those of its basis's reports of
    its months, of its providers, with its dimension values; by provider, date and storage."""
    rows = deliveries.filter(
        submission__status__in=BASIS_STATUSES[scope.basis],
        submission__period__month__gte=scope.first_month,
        submission__period__month__lte=scope.last_month,
    )
    if scope.providers is not None:
        rows = rows.filter(provider_id__in=scope.providers)
    for dimension, values in scope.filters.items():
        kept = [int(value) for value in values] if dimension in ID_DIMENSIONS else list(values)
        rows = rows.filter(**{f"{COLUMNS[dimension]}__in": kept})
    return rows.order_by("provider__code", "date", "pk")


def cost_reports_behind(cost_reports: QuerySet[CostReport], scope: Scope) -> QuerySet[CostReport]:
    """Return the cost reports `scope` counts: none when it keeps only some clients (costs
    belong to a provider's whole month), else those of its basis's reports of its months."""
    if scope.filters:
        return cost_reports.none()
    reports = cost_reports.filter(
        submission__status__in=BASIS_STATUSES[scope.basis],
        submission__period__month__gte=scope.first_month,
        submission__period__month__lte=scope.last_month,
    )
    if scope.providers is not None:
        reports = reports.filter(provider_id__in=scope.providers)
    return reports.order_by("provider__code", "submission__period__month")


@dataclass(frozen=True)
class RowsFigures:
    """The measures of a set of rows and cost reports, and the indicators they give."""

    measures: dict[str, Any]

    def value(self, indicator_id: str) -> rules.Value:
        """Return the indicator over the rows; None when it needs more than them."""
        if indicator_id in NOT_FROM_ROWS:
            return None
        return rules.value_of(indicator_id, self.measures)

    @property
    def attentions(self) -> int:
        return int(self.measures["attentions"])


def rows_figures(
    deliveries: QuerySet[Delivery], cost_reports: QuerySet[CostReport], scope: Scope
) -> RowsFigures:
    """Return the measures of exactly the rows of `deliveries` and the reports of
    `cost_reports` (as deliveries_behind and cost_reports_behind give them for `scope`).

    A row is a repeat when its provider had attended its client before in the basis,
    whatever the months shown, as the engine counts it. Two queries.
    """
    if scope.providers is not None and not scope.providers:
        empty = dict.fromkeys((*MEASURE_SQL, "clients", "providers"), 0)
        return RowsFigures({**empty, **_cost_measures(cost_reports.none())})
    ranked, params = ranked_rows_sql(BASIS_STATUSES[scope.basis], scope.providers)
    ids_sql, ids_params = deliveries.order_by().values("pk").query.sql_with_params()
    sums = ", ".join(f"{sql} AS {name}" for name, sql in MEASURE_SQL.items())
    sql = (
        f"SELECT {sums}, COUNT(DISTINCT client_key) AS clients, "
        f"COUNT(DISTINCT provider_id) AS providers "
        f"FROM ({ranked}) r WHERE r.delivery_id IN ({ids_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids_params])
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    measures: dict[str, Any] = {name: int(row[name] or 0) for name in names}
    measures.update(_cost_measures(cost_reports))
    return RowsFigures(measures)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cost_measures(cost_reports: QuerySet[CostReport]) -> dict[str, int]:
    """Return the cost measures of the reports, in cents, each report rounded as the facts
    round it."""
    costs = other_income = count = 0
    for staff, premises, other, income in cost_reports.order_by().values_list(
        "staff_costs", "premises_costs", "other_costs", "other_income"
    ):
        costs += _cents(staff + premises + other)
        other_income += _cents(income)
        count += 1
    return {"costs": costs, "other_income": other_income, "cost_reports": count}


def visits_of(deliveries: Sequence[Delivery], basis: str) -> dict[int, int]:
    """Return, for each of `deliveries`, the how-manyeth attention of its client by its
    provider it is in `basis` (1 = the first; more is a repeat)."""
    ids = [delivery.pk for delivery in deliveries]
    if not ids:
        return {}
    # Visits are numbered within each provider: ranking the rows of these rows' providers
    # gives every one of them its number.
    providers = {delivery.provider_id for delivery in deliveries}
    ranked, params = ranked_rows_sql(BASIS_STATUSES[basis], providers)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT delivery_id, visit FROM ({ranked}) r WHERE r.delivery_id IN ({marks})",
            [*params, *ids],
        )
        return {int(delivery): int(visit) for delivery, visit in cursor.fetchall()}
