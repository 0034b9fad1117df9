"""The indicator engine: any indicator over any scope, grouped by any dimension and period.

A `Scope` is a span of whole months, a set of providers (or all), filters on the delivery
dimensions and a basis (approved reports, or approved and submitted ones). `indicators_compute`
adds up the scope's measures in the database (GROUP BY; never a Python loop over rows) and
applies the formulas of rules.py to each group:

- from the facts (models.Fact) when the scope and grouping touch at most one delivery
  dimension: a few hundred thousand rows for a national program;
- from the delivery rows themselves otherwise, and for the indicators that need the rows
  (distinct clients, returns to the same provider), with the same measures in SQL
  (services.MEASURE_SQL), so both ways give the same figures.

Every result carries its basis and its data cut-off: when the figures were last taken from
the reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import gettext as _

from bdsmarket.core.models import User
from bdsmarket.core.months import month_add
from bdsmarket.registry.models import Provider

from . import definitions, permissions, rules
from .models import DIMENSIONS, Basis, Fact
from .services import BASIS_STATUSES, MEASURE_SQL, ranked_rows_sql

TIME_GRAINS = ("month", "quarter", "year")
GROUPINGS = ("provider", *DIMENSIONS, *TIME_GRAINS)
# Dimensions whose values are ids of registry rows (facts keep every value as text).
ID_DIMENSIONS = frozenset(("client_sector", "client_city"))


class IndicatorError(ValueError):
    """A request names an indicator, dimension, grouping or period that does not exist.

    `parameter` is the name of the parameter at fault, `value` what it held, `code` what
    the API calls the fault when the parameter alone does not say (e.g. "missing").
    """

    def __init__(self, parameter: str, value: object, message: str, code: str = "") -> None:
        super().__init__(message)
        self.parameter, self.value, self.message, self.code = parameter, value, message, code


@dataclass(frozen=True)
class Scope:
    """Whose rows count: a span of whole months, providers, dimension filters and a basis."""

    first_month: date
    last_month: date
    providers: frozenset[int] | None = None  # None: every provider
    # dimension -> the values kept (codes; ids for sectors and cities)
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    basis: str = Basis.APPROVED

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_month", self.first_month.replace(day=1))
        object.__setattr__(self, "last_month", self.last_month.replace(day=1))
        if self.last_month < self.first_month:
            raise IndicatorError(
                "period",
                f"{self.first_month:%Y-%m}…{self.last_month:%Y-%m}",
                _("The period ends before it begins."),
            )
        for dimension in self.filters:
            if dimension not in DIMENSIONS:
                raise IndicatorError(
                    dimension, dimension, _("“%(name)s” is not a dimension.") % {"name": dimension}
                )
        if self.basis not in BASIS_STATUSES:
            raise IndicatorError(
                "basis", self.basis, _("Unknown basis “%(basis)s”.") % {"basis": self.basis}
            )

    def with_span(self, first: date, last: date) -> Scope:
        return Scope(first, last, self.providers, self.filters, self.basis)

    def for_all_providers(self) -> Scope:
        return Scope(self.first_month, self.last_month, None, self.filters, self.basis)

    @property
    def includes_unapproved(self) -> bool:
        return self.basis != Basis.APPROVED


@dataclass
class Group:
    """One line of a result: its key (one value per grouping), its measures and values."""

    key: tuple
    measures: dict[str, Any]
    values: dict[str, rules.Value] = field(default_factory=dict)
    # Each group's share of the result's total, per indicator that is a count or an amount.
    shares: dict[str, Decimal | None] = field(default_factory=dict)

    def keyed(self, group_by: Sequence[str]) -> dict[str, Any]:
        return dict(zip(group_by, self.key, strict=True))


@dataclass
class Result:
    """Indicators over a scope: one group per distinct key (or one, when not grouped)."""

    scope: Scope
    indicators: tuple[definitions.Indicator, ...]
    group_by: tuple[str, ...]
    groups: list[Group]
    total: Group
    cut_off: datetime | None

    @property
    def has_data(self) -> bool:
        """Whether any report of the basis falls in the scope (else there is nothing to show)."""
        measures = self.total.measures
        return bool(measures.get("reports") or measures.get("attentions"))


def indicators_check(
    ids: Iterable[str], group_by: Iterable[str] = ()
) -> tuple[tuple[definitions.Indicator, ...], tuple[str, ...]]:
    """Return the indicators and groupings named; raise IndicatorError naming a wrong one."""
    found = []
    for indicator_id in ids:
        indicator = definitions.BY_ID.get(indicator_id)
        if indicator is None:
            raise IndicatorError(
                "indicators",
                indicator_id,
                _("There is no indicator “%(id)s”.") % {"id": indicator_id},
            )
        if not indicator.available:
            raise IndicatorError(
                "indicators",
                indicator_id,
                _("“%(id)s” needs the %(module)s module, which this program does not use yet.")
                % {"id": indicator_id, "module": definitions.FAMILY_NAMES[indicator.family]},
            )
        found.append(indicator)
    grouping = tuple(group_by)
    for name in grouping:
        if name not in GROUPINGS:
            raise IndicatorError(
                "group_by",
                name,
                _("“%(name)s” is none of the groupings (%(choices)s).")
                % {"name": name, "choices": ", ".join(GROUPINGS)},
            )
    if len([name for name in grouping if name in TIME_GRAINS]) > 1:
        raise IndicatorError("group_by", ",".join(grouping), _("Group by one period at most."))
    return tuple(found), grouping


def indicators_compute(
    scope: Scope, indicator_ids: Iterable[str], group_by: Iterable[str] = ()
) -> Result:
    """Return the indicators named over `scope`, grouped by `group_by` (in that order)."""
    indicators, grouping = indicators_check(indicator_ids, group_by)
    wanted = {indicator.id for indicator in indicators}
    measured = _measures(scope, grouping)
    extras: list[dict[tuple, dict[str, Any]]] = []
    if "clients" in wanted:
        extras.append(_rows_measures(scope, grouping, distinct_clients=True))
    if "return_to_same_provider" in wanted:
        extras.append(_returns(scope, grouping))
    if "market_share" in wanted:
        extras.append(_market_attentions(scope, grouping))
    if "income_growth" in wanted:
        extras.append(_previous_income(scope, grouping))
    if "covers_costs" in wanted:
        extras.append(_covering_providers(scope, grouping))
    groups = {key: Group(key, measures) for key, measures in measured.items()}
    total_measures = rules.measures_add(measured.values())
    total_measures["reports"] = sum(m.get("reports", 0) for m in measured.values())
    total_measures["providers"] = _providers_active(scope)
    for extra in extras:
        for key, figures in extra.items():
            if key == ("__total__",):
                total_measures.update(figures)
            elif key in groups:
                groups[key].measures.update(figures)
    total = Group((), total_measures)
    for group in [*groups.values(), total]:
        for indicator in indicators:
            group.values[indicator.id] = rules.value_of(indicator.id, group.measures)
    for group in groups.values():
        for indicator in indicators:
            if indicator.unit in (
                definitions.Unit.COUNT,
                definitions.Unit.MONEY,
                definitions.Unit.PEOPLE,
            ):
                part, whole = group.values[indicator.id], total.values[indicator.id]
                group.shares[indicator.id] = rules.share(part, whole)  # type: ignore[arg-type]
    ordered = sorted(groups.values(), key=lambda group: _sort_key(group.key))
    return Result(scope, indicators, grouping, ordered, total, _cut_off(scope))


# Measures


def _uses_rows(scope: Scope, grouping: Sequence[str]) -> bool:
    """Whether the scope needs the rows: more than one delivery dimension at once."""
    dimensions = set(scope.filters) | {name for name in grouping if name in DIMENSIONS}
    return len(dimensions) > 1


def _measures(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    if _uses_rows(scope, grouping):
        return _rows_measures(scope, grouping)
    return _facts_measures(scope, grouping)


def _facts(scope: Scope, dimension: str) -> QuerySet[Fact]:
    facts = Fact.objects.filter(
        basis=scope.basis,
        month__gte=scope.first_month,
        month__lte=scope.last_month,
        dimension=dimension,
    )
    if scope.providers is not None:
        facts = facts.filter(provider_id__in=scope.providers)
    if dimension and dimension in scope.filters:
        facts = facts.filter(value__in=scope.filters[dimension])
    return facts


def _facts_measures(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Return the measures per group, added up from the facts."""
    dimensions = [name for name in (*scope.filters, *grouping) if name in DIMENSIONS]
    dimension = dimensions[0] if dimensions else ""
    facts = _facts(scope, dimension)
    columns = []
    for name in grouping:
        if name == "provider":
            columns.append("provider_id")
        elif name in DIMENSIONS:
            columns.append("value")
        elif name == "month":
            columns.append("month")
        elif name == "year":
            facts = facts.annotate(year=ExtractYear("month"))
            columns.append("year")
        else:
            facts = facts.annotate(year=ExtractYear("month"), quarter=ExtractQuarter("month"))
            columns += ["year", "quarter"]
    sums: dict[str, Sum | Count] = {name: Sum(name) for name in rules.MEASURES}
    # A month counts as reported where it has a whole-month fact: one per report.
    sums["reports"] = Count("pk", filter=Q(dimension="")) if not dimension else Count("pk")
    if columns:
        rows: Iterable[Mapping[str, Any]] = facts.values(*columns).annotate(**sums).order_by()
    else:
        rows = [facts.aggregate(**sums)]
    measured = {}
    for row in rows:
        measures = {name: row[name] or 0 for name in (*rules.MEASURES, "reports")}
        if dimension:
            # Costs belong to a whole month: not to a part of its clients.
            measures.update(costs=0, other_income=0, cost_reports=0)
        measured[_key(grouping, row)] = measures
    return measured


def _key(grouping: Sequence[str], row: Mapping[str, Any]) -> tuple:
    """Return a group's key from a row of facts or of the rows' aggregation."""
    key: list[Any] = []
    for name in grouping:
        if name == "provider":
            key.append(row["provider_id"])
        elif name in DIMENSIONS:
            value = row["value"] if "value" in row else row[name]
            key.append(int(value) if name in ID_DIMENSIONS and value is not None else value)
        elif name == "month":
            month = row["month"]
            key.append(date.fromisoformat(month) if isinstance(month, str) else month)
        elif name == "year":
            key.append(int(row["year"]))
        else:
            key.append((int(row["year"]), int(row["quarter"])))
    return tuple(key)


def _sort_key(key: tuple) -> tuple:
    return tuple(
        (value is None, str(value) if not isinstance(value, int | date | tuple) else value)
        for value in key
    )


def _rows_sql(
    scope: Scope, grouping: Sequence[str], *, visits: bool = True
) -> tuple[str, list, list[str]]:
    """Return the FROM … WHERE of the scope's ranked rows, its parameters and the SELECT
    expressions of the grouping (named as `_key` reads them). Without `visits` (no repeat
    counted), only the scope's months are read."""
    statuses = BASIS_STATUSES[scope.basis]
    span = None if visits else (scope.first_month, scope.last_month)
    ranked, params = ranked_rows_sql(statuses, scope.providers, visits=visits, months=span)
    where = ["r.month >= %s", "r.month <= %s"]
    params = [*params, scope.first_month, scope.last_month]
    for dimension, values in scope.filters.items():
        column = {"client_sector": "client_sector_id", "client_city": "client_city_id"}.get(
            dimension, dimension
        )
        cast = [int(value) for value in values] if dimension in ID_DIMENSIONS else list(values)
        if not cast:
            where.append("1 = 0")
            continue
        where.append(f"r.{column} IN ({', '.join(['%s'] * len(cast))})")
        params += cast
    selects = []
    for name in grouping:
        if name == "provider":
            selects.append("r.provider_id AS provider_id")
        elif name in ID_DIMENSIONS:
            selects.append(f"r.{name}_id AS {name}")
        elif name in DIMENSIONS:
            selects.append(f"r.{name} AS {name}")
        elif name == "month":
            selects.append("r.month AS month")
        else:
            year_sql, year_params = connection.ops.date_extract_sql("year", "r.month", [])
            selects.append(_inline(year_sql, year_params) + " AS year")
            if name == "quarter":
                quarter_sql, quarter_params = connection.ops.date_extract_sql(
                    "quarter", "r.month", []
                )
                selects.append(_inline(quarter_sql, quarter_params) + " AS quarter")
    return f"FROM ({ranked}) r WHERE {' AND '.join(where)}", params, selects


def _inline(sql: str, params: Sequence[Any]) -> str:
    """Put the date part's name (a constant of Django's) into its SQL."""
    for param in params:
        sql = sql.replace("%s", f"'{param}'", 1)
    return sql


def _rows_measures(
    scope: Scope, grouping: Sequence[str], *, distinct_clients: bool = False
) -> dict[tuple, dict[str, Any]]:
    """Return the measures per group, added up from the delivery rows themselves."""
    source, params, selects = _rows_sql(scope, grouping, visits=not distinct_clients)
    aliases = [select.rsplit(" AS ", 1)[1] for select in selects]
    if distinct_clients:
        measures = "COUNT(DISTINCT r.client_key) AS clients"
    else:
        measures = ", ".join(f"{sql} AS {name}" for name, sql in MEASURE_SQL.items())
    group = f" GROUP BY {', '.join(aliases)}" if aliases else ""
    sql = f"SELECT {', '.join([*selects, measures])} {source}{group}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    measured: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        if distinct_clients:
            figures: dict[str, Any] = {"clients": row["clients"] or 0}
        else:
            figures = {name: int(row[name] or 0) for name in MEASURE_SQL}
            figures.update(costs=0, other_income=0, cost_reports=0, reports=0)
        measured[_key(grouping, row)] = figures
    if distinct_clients:
        measured[("__total__",)] = _clients_total(scope)
    return measured


def _clients_total(scope: Scope) -> dict[str, Any]:
    source, params, _selects = _rows_sql(scope, (), visits=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT r.client_key) {source}", params)
        return {"clients": cursor.fetchone()[0] or 0}


def _providers_active(scope: Scope) -> int:
    """Return how many providers have an attention in the scope."""
    if _uses_rows(scope, ()):
        source, params, _selects = _rows_sql(scope, (), visits=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT r.provider_id) {source}", params)
            return cursor.fetchone()[0] or 0
    dimensions = list(scope.filters)
    facts = _facts(scope, dimensions[0] if dimensions else "")
    return facts.filter(attentions__gt=0).values("provider_id").distinct().count()


def _market_attentions(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Return all providers' attentions per group without the provider grouping: the
    denominator of market_share."""
    others = [name for name in grouping if name != "provider"]
    everyone = _measures(scope.for_all_providers(), others)
    result: dict[tuple, dict[str, Any]] = {}
    positions = [index for index, name in enumerate(grouping) if name != "provider"]
    own = _measures(scope, grouping)
    for key in own:
        reduced = tuple(key[index] for index in positions)
        result[key] = {"market_attentions": everyone.get(reduced, {}).get("attentions", 0)}
    total = rules.measures_add(_measures(scope.for_all_providers(), ()).values())
    result[("__total__",)] = {"market_attentions": total["attentions"]}
    return result


def _previous_income(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Return each group's income in the period just before (same length): the base of
    income_growth. Grouped by a period, the previous period is the one before it."""
    grain = next((name for name in grouping if name in TIME_GRAINS), None)
    result: dict[tuple, dict[str, Any]] = {}
    if grain is None:
        first, last = rules.previous_span(scope.first_month, scope.last_month)
        before = _measures(scope.with_span(first, last), grouping)
        for key, measures in before.items():
            result[key] = {"previous_income": measures["income"]}
        total = rules.measures_add(before.values())
        result[("__total__",)] = {"previous_income": total["income"] if before else None}
        return result
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    first = month_add(scope.first_month, -step)
    measured = _measures(scope.with_span(first, scope.last_month), grouping)
    position = grouping.index(grain)
    for key, measures in measured.items():
        following = list(key)
        following[position] = _next(grain, key[position])
        result[tuple(following)] = {"previous_income": measures["income"]}
    return result


def _next(grain: str, value: Any) -> Any:
    if grain == "month":
        return month_add(value, 1)
    if grain == "year":
        return value + 1
    year, quarter = value
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _covering_providers(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Return how many providers of each group cover their costs over the group's months."""
    if any(name in DIMENSIONS for name in grouping) or scope.filters:
        return {}  # costs belong to a provider's whole month
    with_provider = ("provider", *[name for name in grouping if name != "provider"])
    per_provider = _facts_measures(scope, with_provider)
    counts: dict[tuple, int] = defaultdict(int)
    positions = [with_provider.index(name) for name in grouping]
    totals: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key, measures in per_provider.items():
        covered = rules.covers_costs(rules.value_of("cost_recovery", measures))  # type: ignore[arg-type]
        group_key = tuple(key[index] for index in positions)
        counts[group_key] += 1 if covered else 0
        totals[key[0]].append(measures)
    result: dict[tuple, dict[str, Any]] = {
        key: {"covering_providers": count} for key, count in counts.items()
    }
    covering = 0
    for months in totals.values():
        recovery = rules.value_of("cost_recovery", rules.measures_add(months))
        covering += 1 if rules.covers_costs(recovery) else 0  # type: ignore[arg-type]
    result[("__total__",)] = {"covering_providers": covering}
    return result


# Returns read once for a wider span, by provider and month (see returns_read_once).
_RETURNS_HELD: ContextVar[tuple[Scope, dict[tuple, dict[str, Any]]] | None] = ContextVar(
    "returns_held", default=None
)


@contextmanager
def returns_read_once(scope: Scope) -> Iterator[None]:
    """Inside, the returns of any span within `scope` (its providers and basis, grouped by
    provider) are summed from one pass over the rows instead of a pass each.

    Numbering every client's attentions is the costliest query of a benchmark, and it reads
    all the rows whatever the span; a return counts in the month of the second attention,
    so the months of a span add up exactly.
    """
    by_month = _returns(scope, ["provider", "month"])
    token = _RETURNS_HELD.set((scope, by_month))
    try:
        yield
    finally:
        _RETURNS_HELD.reset(token)


def _returns_held(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]] | None:
    """Return the returns of `scope` by provider from those held, None when none serve."""
    held = _RETURNS_HELD.get()
    if held is None or tuple(grouping) != ("provider",) or scope.filters:
        return None
    wider, by_month = held
    if (wider.providers, wider.basis) != (scope.providers, scope.basis) or not (
        wider.first_month <= scope.first_month and scope.last_month <= wider.last_month
    ):
        return None
    result: dict[tuple, dict[str, Any]] = {}
    total = {"came_back": 0, "returned": 0}
    for key, figures in by_month.items():
        if key == ("__total__",) or not scope.first_month <= key[1] <= scope.last_month:
            continue
        summed = result.setdefault((key[0],), {"came_back": 0, "returned": 0})
        for name in total:
            summed[name] += figures[name]
            total[name] += figures[name]
    result[("__total__",)] = total
    return result


def _returns(scope: Scope, grouping: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """Return, per group, the clients who came back (a second attention in the scope's
    months, the first with a provider of the scope) and those who came back to the same
    provider. Grouped by provider: the first provider; by period: the second attention's.

    One pass over the basis's rows, numbering each client's attentions across providers:
    the second ones are the returns, and each knows its client's first provider.
    """
    if any(name in DIMENSIONS for name in grouping) or scope.filters:
        return {}  # a return is a client's, not a part of a month's
    held = _returns_held(scope, grouping)
    if held is not None:
        return held
    rows, params = ranked_rows_sql(BASIS_STATUSES[scope.basis], None, visits=False)
    order = "PARTITION BY client_key ORDER BY date, delivery_id"
    visits = (
        "SELECT provider_id, month, "
        f"ROW_NUMBER() OVER ({order}) AS n, FIRST_VALUE(provider_id) OVER ({order}) AS first "
        f"FROM ({rows}) v"
    )
    where = ["r.n = 2", "r.month >= %s", "r.month <= %s"]
    params = [*params, scope.first_month, scope.last_month]
    if scope.providers is not None:
        where.append(f"r.first IN ({', '.join(['%s'] * len(scope.providers))})")
        params += list(scope.providers)
    selects, aliases = [], []
    for name in grouping:
        if name == "provider":
            selects.append("r.first AS provider_id")
            aliases.append("r.first")
        elif name == "month":
            selects.append("r.month AS month")
            aliases.append("r.month")
        else:
            for part in ("year", "quarter") if name == "quarter" else ("year",):
                sql, part_params = connection.ops.date_extract_sql(part, "r.month", [])
                selects.append(f"{_inline(sql, part_params)} AS {part}")
                aliases.append(_inline(sql, part_params))
    group = f" GROUP BY {', '.join(aliases)}" if aliases else ""
    sql = (
        f"SELECT {', '.join([*selects, 'COUNT(*) AS came_back'])}, "
        "SUM(CASE WHEN r.provider_id = r.first THEN 1 ELSE 0 END) AS returned "
        f"FROM ({visits}) r WHERE {' AND '.join(where)}{group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    result: dict[tuple, dict[str, Any]] = {}
    came_back = returned = 0
    for row in found:
        figures = {"came_back": row["came_back"] or 0, "returned": int(row["returned"] or 0)}
        came_back += figures["came_back"]
        returned += figures["returned"]
        result[_key(grouping, row)] = figures
    result[("__total__",)] = {"came_back": came_back, "returned": returned}
    return result


def _cut_off(scope: Scope) -> datetime | None:
    """Return when the basis's figures were last taken from the reports."""
    return basis_cut_off(scope.basis)


# Benchmarks


class PeerGroup:
    """Who a provider is compared with."""

    ALL = "all"  # every provider reporting in the period
    CITY = "city"  # … in the provider's city
    LEGAL_TYPE = "legal_type"  # … of the provider's legal type
    CHOICES = (ALL, CITY, LEGAL_TYPE)


@dataclass(frozen=True)
class BenchmarkRequest:
    """A benchmark as asked for and allowed: whose, among which peers, and whether the
    peers appear by name (else under their pseudonyms, but for `provider` itself)."""

    provider: Provider | None
    peer_group: str
    names: bool


def benchmark_request(
    *, actor: User | None, provider: Provider | None, peer_group: str = ""
) -> BenchmarkRequest:
    """Return the benchmark `actor` may have of `provider` among `peer_group` (None: the
    system, which sees everything and every name).

    Program-wide readers see every peer by name and may leave out the provider; a
    provider's staff benchmark their own provider (the default) with the others under
    pseudonyms. The city and legal-type groups are a provider's, so they need one. Raises
    IndicatorError at `provider` for a provider whose figures `actor` may not see, or one
    missing.
    """
    peer_group = peer_group or PeerGroup.ALL
    names = actor is None or permissions.can_see_peer_names(actor)
    if actor is not None:
        if provider is None and not permissions.can_see_program_figures(actor):
            provider = actor.provider if actor.is_provider_staff else None
        if provider is not None and not permissions.can_see_provider_figures(actor, provider):
            raise IndicatorError(
                "provider",
                provider.pk,
                _("No provider with ID %(id)s.") % {"id": provider.pk},
                "unknown_provider",
            )
    if provider is None and peer_group != PeerGroup.ALL:
        raise IndicatorError(
            "provider",
            None,
            _("Name the provider whose peers to compare: the city and legal-type groups are a "
              "provider's."),
            "missing",
        )  # fmt: skip
    return BenchmarkRequest(provider=provider, peer_group=peer_group, names=names)


@dataclass(frozen=True)
class Standing:
    """One provider's place in a benchmark."""

    provider_id: int
    value: rules.Value
    rank: int | None  # 1 = best in the indicator's good direction; None: not defined
    previous: rules.Value  # the value in the period before
    change: Decimal | None  # value - previous


@dataclass(frozen=True)
class Benchmark:
    """An indicator over the peers of a period: where they lie and where each one stands."""

    indicator: definitions.Indicator
    first_month: date
    last_month: date
    spread: rules.Spread | None  # over the peers whose value is defined
    standings: dict[int, Standing]

    @property
    def peers(self) -> int:
        return len(self.standings)


def peers_of(
    first_month: date,
    last_month: date,
    *,
    peer_group: str = PeerGroup.ALL,
    provider: Any = None,
    basis: str = Basis.APPROVED,
) -> frozenset[int]:
    """Return the providers that report (a report of the basis) in the period, among the
    peer group of `provider` (a Provider; needed for the city and legal-type groups)."""
    if peer_group not in PeerGroup.CHOICES:
        raise IndicatorError(
            "peer_group",
            peer_group,
            _("“%(name)s” is none of the peer groups (%(choices)s).")
            % {"name": peer_group, "choices": ", ".join(PeerGroup.CHOICES)},
        )
    reporting = Fact.objects.filter(
        basis=basis, dimension="", month__gte=first_month, month__lte=last_month
    )
    if peer_group == PeerGroup.CITY:
        reporting = reporting.filter(provider__city_id=provider.city_id)
    elif peer_group == PeerGroup.LEGAL_TYPE:
        reporting = reporting.filter(provider__legal_type=provider.legal_type)
    return frozenset(reporting.values_list("provider_id", flat=True).distinct())


def benchmarks_compute(
    first_month: date,
    last_month: date,
    indicator_ids: Iterable[str],
    *,
    peer_group: str = PeerGroup.ALL,
    provider: Any = None,
    basis: str = Basis.APPROVED,
) -> list[Benchmark]:
    """Return, for each indicator named, the peers' quartiles in the period, and each peer's
    value, rank and change from the period before (of the same length).

    Peers are the providers reporting in the period (see peers_of). Indicators no provider
    is ranked on (neutral ones) get values and quartiles but no ranks.
    """
    indicators, _grouping = indicators_check(indicator_ids)
    peers = peers_of(first_month, last_month, peer_group=peer_group, provider=provider, basis=basis)
    if not peers:
        return [Benchmark(indicator, first_month, last_month, None, {}) for indicator in indicators]
    ids = [indicator.id for indicator in indicators]
    scope = Scope(first_month, last_month, providers=peers, basis=basis)
    before_first, before_last = rules.previous_span(first_month, last_month)
    reads_returns = "return_to_same_provider" in ids
    with (
        returns_read_once(scope.with_span(before_first, last_month))
        if reads_returns
        else nullcontext()
    ):
        now = indicators_compute(scope, ids, ["provider"])
        before = indicators_compute(scope.with_span(before_first, before_last), ids, ["provider"])
    previous = {group.key[0]: group.values for group in before.groups}
    current = {group.key[0]: group.values for group in now.groups}
    benchmarks = []
    for indicator in indicators:
        values = {
            provider_id: current.get(provider_id, {}).get(indicator.id) for provider_id in peers
        }
        defined = {key: value for key, value in values.items() if value is not None}
        ranked = (
            rules.ranks(defined, higher_is_better=indicator.direction == definitions.Direction.UP)
            if indicator.ranked
            else {}
        )
        standings = {}
        for provider_id, value in values.items():
            earlier = previous.get(provider_id, {}).get(indicator.id)
            change = None if value is None or earlier is None else Decimal(value) - Decimal(earlier)
            standings[provider_id] = Standing(
                provider_id, value, ranked.get(provider_id), earlier, change
            )
        spread = rules.spread([Decimal(value) for value in defined.values()])
        benchmarks.append(Benchmark(indicator, first_month, last_month, spread, standings))
    return benchmarks


def basis_cut_off(basis: str) -> datetime | None:
    """Return when the figures of `basis` were last taken from the reports."""
    at: datetime | None = Fact.objects.filter(basis=basis).aggregate(at=Max("refreshed_at"))["at"]
    return at
