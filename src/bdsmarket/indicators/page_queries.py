"""Reads behind the indicator pages: the program's and a provider's figures over time, the
reporting record, targets against actuals, the reference report's two tables, a provider's
benchmark and the explorer's table. Nothing here writes.

Every figure comes from the engine (queries.indicators_compute, queries.benchmarks_compute)
and carries the address of the rows behind it (rows.rows_url). Each page costs a fixed
number of queries, whatever the number of providers: results are grouped in the database
and the names of their groups are read once per kind (documents.Keys).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db.models import Max, Min
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.months import month_add
from bdsmarket.monitoring import queries as monitoring_queries
from bdsmarket.registry.models import City, Provider

from . import definitions, documents, rules
from .definitions import Direction, Indicator, Source
from .models import Basis, Fact, Target
from .periods import Period, month_name, parse_period, period_name
from .queries import (
    TIME_GRAINS,
    Benchmark,
    IndicatorError,
    PeerGroup,
    Result,
    Scope,
    basis_cut_off,
    benchmarks_compute,
    indicators_compute,
)
from .rows import RECOMPUTABLE, RowsFigures, cell_scope, rows_url

# The program's key indicators over time; a provider's (one provider is always active).
KEY_INDICATORS = (
    "attentions",
    "income",
    "end_user_share",
    "repeat_rate",
    "women_share",
    "cost_recovery",
    "active_providers",
)
PROVIDER_INDICATORS = KEY_INDICATORS[:-1]
# A benchmark ranks the provider on every ranked indicator the facts give at once: not on
# the counts of providers, and not on those read from every row (distinct clients,
# returns), which cost a pass over the whole table each and are in the explorer.
BENCHMARK_INDICATORS = tuple(
    indicator.id
    for indicator in definitions.AVAILABLE
    if indicator.ranked
    and indicator.source != Source.ROWS
    and indicator.id not in ("active_providers", "covers_costs")
)
BENCHMARK_CHARTED = PROVIDER_INDICATORS
SPANS = {
    "years": gettext_lazy("The program's life, by year"),
    "months": gettext_lazy("The last 12 months, by month"),
}
PEER_GROUP_NAMES = {
    PeerGroup.ALL: gettext_lazy("All providers reporting in the period"),
    PeerGroup.CITY: gettext_lazy("Providers in the same city"),
    PeerGroup.LEGAL_TYPE: gettext_lazy("Providers of the same legal type"),
}
MAX_SERIES = 8


# Periods as people read them


def period_label(grain: str, key: Any) -> str:
    """Return a month, a quarter or a year of a result's key as people read it."""
    if grain == "month":
        return date_format(key, "YEAR_MONTH_FORMAT")
    if grain == "quarter":
        year, quarter = key
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
    return str(key)


def period_short_label(grain: str, key: Any) -> str:
    """Return a month, a quarter or a year briefly, for a chart's axis."""
    if grain == "month":
        return date_format(key, "M Y")
    return period_label(grain, key)


def span_label(first: date, last: date) -> str:
    """Return a span of months as people read it: "May 2003", "Q2 2003", "2003", or
    "January 1996 to March 2004"."""
    name = period_name(first, last)
    if first == last:
        return period_label("month", first)
    if "-Q" in name:
        return period_label("quarter", (first.year, rules.quarter_of(first)))
    if ".." not in name:
        return name
    return _("%(first)s to %(last)s") % {
        "first": period_label("month", first),
        "last": period_label("month", last),
    }


def period_parse(text: str, parameter: str = "period") -> Period:
    """Return the period `text` names (2003-05, 2003-Q2, 2003); IndicatorError if none."""
    period = parse_period(text)
    if period is None or ".." in text:
        raise IndicatorError(
            parameter,
            text,
            _(
                "“%(value)s” is not a period: write a month (2003-05), a quarter (2003-Q2) "
                "or a year (2003)."
            )
            % {"value": text},
        )
    return period


def periods_keys(grain: str, first: date, last: date) -> list[Any]:
    """Return the keys of every month, quarter or year from `first` to `last`, in order
    (as the engine keys its groups)."""
    keys: list[Any] = []
    month = first
    while month <= last:
        if grain == "month":
            key: Any = month
        elif grain == "quarter":
            key = (month.year, rules.quarter_of(month))
        else:
            key = month.year
        if not keys or keys[-1] != key:
            keys.append(key)
        month = month_add(month, 1)
    return keys


# Which months have figures


def reported_span(
    *, basis: str = Basis.APPROVED, providers: Iterable[int] | None = None
) -> tuple[date, date] | None:
    """Return the first and last month with a report of `basis` (of `providers`), or None."""
    facts = Fact.objects.filter(basis=basis, dimension="")
    if providers is not None:
        facts = facts.filter(provider_id__in=list(providers))
    found = facts.aggregate(first=Min("month"), last=Max("month"))
    if found["first"] is None:
        return None
    return found["first"], found["last"]


@dataclass(frozen=True)
class Span:
    """The months a dashboard shows over time: all years, or the last twelve months."""

    kind: str  # a key of SPANS
    first: date
    last: date

    @property
    def grain(self) -> str:
        return "year" if self.kind == "years" else "month"

    @property
    def label(self) -> str:
        return span_label(self.first, self.last)


def span_of(kind: str, reported: tuple[date, date] | None) -> Span | None:
    """Return the span a dashboard shows: every year with reports, or the twelve months up
    to the last month with reports; None when nothing is reported."""
    if reported is None:
        return None
    first, last = reported
    if kind == "months":
        return Span(kind, month_add(last, -11), last)
    return Span("years", date(first.year, 1, 1), last)


# Figures over time


@dataclass(frozen=True)
class Point:
    """One period of a figure over time, and where its rows are."""

    key: Any
    label: str
    short_label: str
    value: rules.Value
    url: str


@dataclass(frozen=True)
class Trend:
    """An indicator over the periods of a span, and over the whole span."""

    indicator: Indicator
    grain: str
    points: list[Point]
    total: rules.Value
    total_url: str

    @property
    def has_values(self) -> bool:
        return any(point.value is not None for point in self.points)


def _active_providers_by(scope: Scope, grouping: Sequence[str]) -> dict[tuple, int]:
    """Return how many providers had an attention in each group of `grouping` (the
    engine counts them only over a whole scope)."""
    if "provider" in grouping:
        return {}
    per_provider = indicators_compute(scope, ["attentions"], [*grouping, "provider"])
    counts: dict[tuple, int] = defaultdict(int)
    for group in per_provider.groups:
        if group.values["attentions"]:
            counts[group.key[:-1]] += 1
    return counts


def active_providers_fill(result: Result) -> None:
    """Give each group of a grouped result its count of active providers, when asked for."""
    if not result.group_by or "active_providers" not in {i.id for i in result.indicators}:
        return
    counts = _active_providers_by(result.scope, result.group_by)
    if "provider" in result.group_by:
        for group in result.groups:
            group.values["active_providers"] = 1 if group.values.get("attentions", 1) else 0
        return
    for group in result.groups:
        group.values["active_providers"] = counts.get(group.key, 0)


def trends_compute(
    scope: Scope, indicator_ids: Sequence[str], grain: str
) -> tuple[list[Trend], Result]:
    """Return each indicator over every `grain` of the scope's months (a period without
    reports has no value), with the engine's result they were read from."""
    result = indicators_compute(scope, indicator_ids, [grain])
    active_providers_fill(result)
    by_key = {group.key[0]: group for group in result.groups}
    keys = periods_keys(grain, scope.first_month, scope.last_month)
    trends = []
    for indicator in result.indicators:
        points = []
        for key in keys:
            group = by_key.get(key)
            points.append(
                Point(
                    key,
                    period_label(grain, key),
                    period_short_label(grain, key),
                    group.values.get(indicator.id) if group else None,
                    rows_url(cell_scope(scope, [grain], [key]), indicator=indicator.id),
                )
            )
        trends.append(
            Trend(
                indicator,
                grain,
                points,
                result.total.values.get(indicator.id),
                rows_url(scope, indicator=indicator.id),
            )
        )
    return trends, result


# The reporting record


@dataclass(frozen=True)
class ReportingLine:
    record: monitoring_queries.ReportingRecord

    @property
    def provider(self) -> Provider:
        return self.record.provider

    @property
    def completeness(self) -> Decimal | None:
        return rules.ratio(self.record.sent, self.record.due)

    @property
    def timeliness(self) -> Decimal | None:
        return rules.ratio(self.record.on_time, self.record.sent)


def reporting_lines(span: Span, today: date) -> list[ReportingLine]:
    """Return each provider's reports owed, sent, approved and late over the span."""
    records = monitoring_queries.reporting_completeness(
        first_month=span.first, last_month=span.last, today=today
    )
    return [ReportingLine(record) for record in records]


# Targets against actuals


@dataclass(frozen=True)
class TargetLine:
    target: Target
    indicator: Indicator
    actual: rules.Value
    url: str

    @property
    def span_label(self) -> str:
        return span_label(self.target.first_month, self.target.last_month)

    @property
    def progress(self) -> Decimal | None:
        """The actual value as a share of the target."""
        return rules.ratio(self.actual, self.target.value)  # type: ignore[arg-type]

    @property
    def met(self) -> bool | None:
        if self.actual is None:
            return None
        if self.indicator.direction == Direction.DOWN:
            return Decimal(self.actual) <= self.target.value
        return Decimal(self.actual) >= self.target.value


def targets_against_actuals(targets: Iterable[Target]) -> list[TargetLine]:
    """Return each target with the actual value over its months (one computation per
    distinct span and provider, whatever the number of targets)."""
    listed = [target for target in targets if target.indicator in definitions.BY_ID]
    spans: dict[tuple, list[Target]] = defaultdict(list)
    for target in listed:
        spans[(target.first_month, target.last_month, target.provider_id)].append(target)
    actuals: dict[int, tuple[rules.Value, str]] = {}
    for (first, last, provider_id), members in spans.items():
        providers = None if provider_id is None else frozenset((provider_id,))
        scope = Scope(first, last, providers=providers)
        ids = sorted({target.indicator for target in members})
        result = indicators_compute(scope, ids)
        for target in members:
            actuals[target.pk] = (
                result.total.values.get(target.indicator),
                rows_url(scope, indicator=target.indicator),
            )
    return [
        TargetLine(target, definitions.BY_ID[target.indicator], *actuals[target.pk])
        for target in listed
    ]


# A figure split into groups (the reference report's tables)


@dataclass(frozen=True)
class GroupLine:
    label: str
    value: rules.Value
    share: Decimal | None
    url: str
    highlighted: bool = False


@dataclass(frozen=True)
class GroupTable:
    """One indicator by group, each group with its share, and the total."""

    indicator: Indicator
    first: date
    last: date
    lines: list[GroupLine]
    total: rules.Value
    total_url: str
    has_data: bool
    cut_off: datetime | None
    highlight_share: Decimal | None = None  # e.g. the capital's share

    @property
    def span_label(self) -> str:
        return span_label(self.first, self.last)


def income_by_client_type(year: int) -> GroupTable:
    """Return the income of `year` by client type, with shares and the total."""
    scope = Scope(date(year, 1, 1), date(year, 12, 1))
    result = indicators_compute(scope, ["income"], ["client_type"])
    keys = documents.Keys.of(result)
    lines = [
        GroupLine(
            keys.label("client_type", group.key[0]),
            group.values["income"],
            group.shares.get("income"),
            rows_url(cell_scope(scope, ["client_type"], group.key), indicator="income"),
        )
        for group in sorted(result.groups, key=lambda group: -(group.values["income"] or 0))
    ]
    return GroupTable(
        definitions.BY_ID["income"],
        scope.first_month,
        scope.last_month,
        lines,
        result.total.values["income"],
        rows_url(scope, indicator="income"),
        result.has_data,
        result.cut_off,
    )


def attentions_by_provider_city(first: date, last: date) -> GroupTable:
    """Return the attentions of the providers based in each city over the months, the
    largest first, with each city's share and the capital's."""
    scope = Scope(first, last)
    result = indicators_compute(scope, ["attentions"], ["provider"])
    cities = dict(
        Provider.objects.filter(pk__in=[group.key[0] for group in result.groups]).values_list(
            "pk", "city_id"
        )
    )
    by_city: dict[int, list[int]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for group in result.groups:
        city_of = cities[group.key[0]]
        by_city[city_of].append(group.key[0])
        counts[city_of] += int(group.values["attentions"] or 0)
    names = {city.pk: city for city in City.objects.filter(pk__in=list(by_city))}
    total = int(result.total.values["attentions"] or 0)
    lines = []
    capital_share = Decimal(0) if total else None
    for city_id in sorted(counts, key=lambda pk: (-counts[pk], names[pk].name)):
        share = rules.share(counts[city_id], total)
        city = names[city_id]
        if city.is_capital:
            capital_share = share
        lines.append(
            GroupLine(
                city.name,
                counts[city_id],
                share,
                rows_url(
                    Scope(first, last, providers=frozenset(by_city[city_id])),
                    indicator="attentions",
                ),
                highlighted=city.is_capital,
            )
        )
    return GroupTable(
        definitions.BY_ID["attentions"],
        first,
        last,
        lines,
        total,
        rows_url(scope, indicator="attentions"),
        result.has_data,
        result.cut_off,
        capital_share,
    )


def latest_complete_year(reported: tuple[date, date] | None) -> int | None:
    """Return the last year whose December has reports, else the last year with any."""
    if reported is None:
        return None
    first, last = reported
    return last.year if last.month == 12 or last.year == first.year else last.year - 1


# The dashboards


@dataclass(frozen=True)
class ProgramDashboard:
    span: Span | None
    trends: list[Trend]
    has_data: bool
    cut_off: datetime | None
    reporting: list[ReportingLine]
    targets: list[TargetLine]
    years: list[int]
    year: int | None
    income: GroupTable | None
    cities: GroupTable | None
    basis: str = Basis.APPROVED

    @property
    def basis_label(self) -> str:
        return str(Basis(self.basis).label)


def program_dashboard(*, span_kind: str, year: int | None, today: date) -> ProgramDashboard:
    """Return the program's figures: key indicators over the span, the reporting record,
    targets against actuals, income by client type in `year` (default: the last complete
    year) and attentions by city over the program's life."""
    reported = reported_span()
    span = span_of(span_kind, reported)
    targets = targets_against_actuals(
        Target.objects.filter(provider__isnull=True).order_by("first_month", "indicator")
    )
    if span is None or reported is None:
        return ProgramDashboard(None, [], False, None, [], targets, [], None, None, None)
    trends, result = trends_compute(Scope(span.first, span.last), KEY_INDICATORS, span.grain)
    years = list(range(reported[0].year, reported[1].year + 1))
    chosen = year if year is not None else latest_complete_year(reported)
    return ProgramDashboard(
        span=span,
        trends=trends,
        has_data=result.has_data,
        cut_off=result.cut_off,
        reporting=reporting_lines(span, today),
        targets=targets,
        years=years,
        year=chosen,
        income=income_by_client_type(chosen) if chosen else None,
        cities=attentions_by_provider_city(*reported),
    )


@dataclass(frozen=True)
class ProviderTrends:
    span: Span | None
    trends: list[Trend]
    has_data: bool
    cut_off: datetime | None
    targets: list[TargetLine]


def provider_trends(provider: Provider, *, span_kind: str) -> ProviderTrends:
    """Return a provider's key indicators over its reporting life by year, or over its last
    twelve months with reports by month, and its targets against actuals."""
    targets = targets_against_actuals(
        Target.objects.filter(provider=provider).order_by("first_month", "indicator")
    )
    span = span_of(span_kind, reported_span(providers=[provider.pk]))
    if span is None:
        return ProviderTrends(None, [], False, None, targets)
    scope = Scope(span.first, span.last, providers=frozenset((provider.pk,)))
    trends, result = trends_compute(scope, PROVIDER_INDICATORS, span.grain)
    return ProviderTrends(span, trends, result.has_data, result.cut_off, targets)


# A provider's benchmark


@dataclass(frozen=True)
class BenchmarkLine:
    """Where a provider stands on one indicator among its peers."""

    benchmark: Benchmark
    peers: list[documents.Peer]  # best first
    own: documents.Peer | None
    url: str  # the provider's own rows for this figure

    @property
    def indicator(self) -> Indicator:
        return self.benchmark.indicator

    @property
    def spread(self) -> rules.Spread | None:
        return self.benchmark.spread

    @property
    def ranked_count(self) -> int:
        """How many peers have a value, hence a rank."""
        return sum(1 for peer in self.peers if peer.standing.rank is not None)

    @property
    def rank_text(self) -> str:
        """E.g. "3rd of 12"; "" without a rank."""
        if self.own is None or self.own.standing.rank is None:
            return ""
        return _("%(rank)s of %(count)s") % {
            "rank": ordinal(self.own.standing.rank),
            "count": self.ranked_count,
        }

    @property
    def charted(self) -> bool:
        return self.indicator.id in BENCHMARK_CHARTED


@dataclass(frozen=True)
class BenchmarkView:
    provider: Provider
    period: Period
    peer_group: str
    lines: list[BenchmarkLine]
    peers: int
    reports: bool  # whether the provider itself reported in the period
    cut_off: datetime | None
    basis: str = Basis.APPROVED

    @property
    def period_label(self) -> str:
        return span_label(self.period.first, self.period.last)

    @property
    def previous_label(self) -> str:
        first, last = rules.previous_span(self.period.first, self.period.last)
        return span_label(first, last)

    @property
    def peer_group_label(self) -> str:
        return str(PEER_GROUP_NAMES[self.peer_group])


def default_benchmark_period(provider: Provider, today: date) -> Period | None:
    """Return the last month before `today`'s in which the provider has an approved report
    (else the last one the program has), or None when nothing is approved."""
    current = today.replace(day=1)
    facts = Fact.objects.filter(basis=Basis.APPROVED, dimension="", month__lt=current)
    month = facts.filter(provider=provider).aggregate(last=Max("month"))["last"]
    if month is None:
        month = facts.aggregate(last=Max("month"))["last"]
    return Period(month, month) if month is not None else None


def benchmark_periods(provider: Provider) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the periods a benchmark may be asked for, the latest first, as groups of
    (code, label): the months, quarters and years the program has reports in."""
    reported = reported_span()
    if reported is None:
        return []
    first, last = reported
    months = list(reversed(periods_keys("month", first, last)))
    quarters = list(reversed(periods_keys("quarter", first, last)))
    years = list(reversed(periods_keys("year", first, last)))
    return [
        (_("Months"), [(month_name(m), period_label("month", m)) for m in months]),
        (_("Quarters"), [(f"{y:04d}-Q{q}", period_label("quarter", (y, q))) for y, q in quarters]),
        (_("Years"), [(f"{y:04d}", str(y)) for y in years]),
    ]


def provider_benchmark(
    provider: Provider, *, period: Period, peer_group: str, names: bool
) -> BenchmarkView:
    """Return the provider's benchmark in `period` among `peer_group`: for each ranked
    indicator its value, the peers' quartiles, its rank and its change since the previous
    period; the peers by name when `names`, else under their pseudonyms."""
    benchmarks = benchmarks_compute(
        period.first, period.last, BENCHMARK_INDICATORS, peer_group=peer_group, provider=provider
    )
    views = documents.peers_view(benchmarks, names=names, own=provider.pk)
    scope = Scope(period.first, period.last, providers=frozenset((provider.pk,)))
    lines = []
    for benchmark, peers in zip(benchmarks, views, strict=True):
        own = next((peer for peer in peers if peer.own), None)
        lines.append(
            BenchmarkLine(benchmark, peers, own, rows_url(scope, indicator=benchmark.indicator.id))
        )
    count = benchmarks[0].peers if benchmarks else 0
    reports = any(line.own is not None for line in lines)
    return BenchmarkView(
        provider, period, peer_group, lines, count, reports, basis_cut_off(Basis.APPROVED)
    )


# The explorer


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    value: rules.Value
    share: Decimal | None
    url: str
    shared: bool  # whether the table shows the group's share beside the value


@dataclass(frozen=True)
class ExploreRow:
    labels: list[str]
    cells: list[Cell]
    is_total: bool = False


@dataclass(frozen=True)
class ExploreChart:
    """What one indicator's chart shows: lines over periods, or bars of groups."""

    indicator: Indicator
    kind: str  # "line" or "bar"
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list[rules.Value]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    values: list[rules.Value] = field(default_factory=list)
    shares: list[Decimal | None] = field(default_factory=list)
    left_out: int = 0  # series not drawn (the table has them all)


@dataclass(frozen=True)
class Exploration:
    result: Result
    keys: documents.Keys
    headers: list[str]
    rows: list[ExploreRow]
    total: ExploreRow
    shared: list[str]  # the indicators whose groups show their share
    charts: list[ExploreChart]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return self.result.indicators

    @property
    def span_label(self) -> str:
        return span_label(self.result.scope.first_month, self.result.scope.last_month)

    @property
    def basis_label(self) -> str:
        return str(Basis(self.result.scope.basis).label)


SHARED_UNITS = (definitions.Unit.COUNT, definitions.Unit.PEOPLE, definitions.Unit.MONEY)
# Counts of providers do not add up over groups (one provider serves many client types).
NOT_SHARED = frozenset(("active_providers", "covers_costs"))


def _has_shares(indicator: Indicator) -> bool:
    """Whether each group's part of the total means something for `indicator`."""
    return indicator.unit in SHARED_UNITS and indicator.id not in NOT_SHARED


def explore(
    scope: Scope, indicator_ids: Sequence[str], *, dimension: str = "", grain: str = ""
) -> Exploration:
    """Return the indicators over `scope`, grouped by `dimension` and by `grain` (each
    optional), as a table whose every cell knows its rows, and what to chart."""
    group_by = [name for name in (dimension, grain) if name]
    result = indicators_compute(scope, indicator_ids, group_by)
    active_providers_fill(result)
    keys = documents.Keys.of(result)
    shared = [i.id for i in result.indicators if group_by and _has_shares(i)]
    headers = [str(documents.GROUPING_NAMES[name]) for name in group_by]
    rows = []
    for group in result.groups:
        cell = cell_scope(scope, group_by, group.key)
        labels = [
            period_label(name, value) if name in TIME_GRAINS else keys.label(name, value)
            for name, value in zip(group_by, group.key, strict=True)
        ]
        rows.append(
            ExploreRow(
                labels,
                [
                    Cell(
                        indicator,
                        group.values.get(indicator.id),
                        group.shares.get(indicator.id),
                        rows_url(cell, indicator=indicator.id),
                        indicator.id in shared,
                    )
                    for indicator in result.indicators
                ],
            )
        )
    total = ExploreRow(
        [_("Total")] + [""] * (len(group_by) - 1) if group_by else [],
        [
            Cell(
                indicator,
                result.total.values.get(indicator.id),
                Decimal(1) if result.total.values.get(indicator.id) else None,
                rows_url(scope, indicator=indicator.id),
                indicator.id in shared,
            )
            for indicator in result.indicators
        ],
        is_total=True,
    )
    charts = _explore_charts(result, keys, dimension, grain)
    return Exploration(result, keys, headers, rows, total, shared, charts)


def _line_order(groups: dict[Any, Any], indicator: Indicator) -> Decimal:
    """The largest lines first: by their sum of a count or an amount, else by attentions."""
    name = indicator.id if indicator.unit in SHARED_UNITS else "attentions"
    return -sum(
        (
            Decimal(group.measures.get(name) or group.values.get(name) or 0)
            for group in groups.values()
        ),
        Decimal(0),
    )


def _explore_charts(
    result: Result, keys: documents.Keys, dimension: str, grain: str
) -> list[ExploreChart]:
    if not result.has_data or not (dimension or grain):
        return []
    charts = []
    scope = result.scope
    if grain:
        periods = periods_keys(grain, scope.first_month, scope.last_month)
        categories = [period_short_label(grain, key) for key in periods]
        position = result.group_by.index(grain)
        lines: dict[Any, dict[Any, Any]] = defaultdict(dict)
        for group in result.groups:
            line = group.key[0] if dimension else None
            lines[line][group.key[position]] = group
        for indicator in result.indicators:
            ordered = sorted(lines, key=lambda line: _line_order(lines[line], indicator))
            series = [
                (
                    keys.label(dimension, line) if dimension else str(indicator.name),
                    [
                        lines[line][key].values.get(indicator.id) if key in lines[line] else None
                        for key in periods
                    ],
                )
                for line in ordered[:MAX_SERIES]
            ]
            charts.append(
                ExploreChart(
                    indicator,
                    "line",
                    categories=categories,
                    series=series,
                    left_out=max(0, len(ordered) - MAX_SERIES),
                )
            )
        return charts
    for indicator in result.indicators:
        charts.append(
            ExploreChart(
                indicator,
                "bar",
                labels=[keys.label(dimension, group.key[0]) for group in result.groups],
                values=[group.values.get(indicator.id) for group in result.groups],
                shares=[group.shares.get(indicator.id) for group in result.groups]
                if _has_shares(indicator)
                else [],
            )
        )
    return charts


# The rows page


@dataclass(frozen=True)
class CellFigure:
    """A figure as the engine gives it for a scope (the cell whose rows are shown)."""

    indicator: Indicator
    value: rules.Value


def cell_figure(scope: Scope, indicator_id: str) -> CellFigure:
    """Return the engine's figure of `indicator_id` over the whole of `scope`."""
    result = indicators_compute(scope, [indicator_id])
    return CellFigure(result.indicators[0], result.total.values.get(indicator_id))


def scope_description(scope: Scope) -> list[tuple[str, str]]:
    """Return what a scope keeps, as (what, which) pairs people read: the months, the
    reports counted, the providers and each dimension's values."""
    values: dict[str, Iterable[Any]] = {name: kept for name, kept in scope.filters.items()}
    values["provider"] = scope.providers or ()
    keys = documents.Keys(values)
    described = [
        (_("Months"), span_label(scope.first_month, scope.last_month)),
        (_("Reports counted"), str(Basis(scope.basis).label)),
    ]
    if scope.providers is None:
        described.append((str(documents.GROUPING_NAMES["provider"]), _("All providers")))
    else:
        names = sorted(keys.label("provider", pk) for pk in scope.providers)
        described.append((str(documents.GROUPING_NAMES["provider"]), ", ".join(names)))
    for name, kept in scope.filters.items():
        labels = sorted(keys.label(name, value) for value in kept)
        described.append((str(documents.GROUPING_NAMES[name]), ", ".join(labels)))
    return described


# The figures above the rows behind a cell: the few people look at first, then all.
ROWS_HEADLINE = (
    "attentions",
    "participants",
    "clients",
    "income",
    "paid_by_client",
    "paid_by_voucher",
    "paid_by_third_party",
    "repeat_rate",
    "women_share",
)


@dataclass(frozen=True)
class RowsPage:
    """The rows page's figures: the cell's (as the engine gives it) and the same figures
    recomputed from the rows listed."""

    figures: RowsFigures
    cell: CellFigure | None
    basis_label: str
    cut_off: datetime | None

    @property
    def headline(self) -> list[tuple[Indicator, rules.Value]]:
        return [(definitions.BY_ID[id], self.figures.value(id)) for id in ROWS_HEADLINE]

    @property
    def every(self) -> list[tuple[Indicator, rules.Value]]:
        return [(indicator, self.figures.value(indicator.id)) for indicator in RECOMPUTABLE]

    @property
    def recomputable(self) -> bool:
        return self.cell is not None and self.cell.indicator in RECOMPUTABLE

    @property
    def recomputed(self) -> rules.Value:
        return self.figures.value(self.cell.indicator.id) if self.cell else None

    @property
    def matches(self) -> bool:
        """Whether the figure recomputed from the rows is the cell's."""
        return self.recomputable and self.recomputed == self.cell.value  # type: ignore[union-attr]


def rows_page(scope: Scope, figures: RowsFigures, indicator_id: str) -> RowsPage:
    """Return the figures of the rows page of `scope` (the cell of `indicator_id`)."""
    return RowsPage(
        figures,
        cell_figure(scope, indicator_id) if indicator_id else None,
        str(Basis(scope.basis).label),
        basis_cut_off(scope.basis),
    )
