"""Figures and charts in templates: every value written by formatting.figure, every chart
drawn by charts.py from what the page's query returned.

{% load indicator_figures %}
{% figure indicator value %}  {% value_of indicator group %}  {% change indicator value %}
{% share value %}
{{ indicator.unit|unit_name }}  {% trend_chart trend %}  {% benchmark_chart line own_label %}
"""

from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.indicators import charts, formatting
from bdsmarket.indicators.definitions import Direction, Indicator, Source, Unit
from bdsmarket.indicators.page_queries import (
    BenchmarkLine,
    ExploreChart,
    GroupTable,
    Trend,
    span_label,
)

register = template.Library()

UNIT_NAMES: dict[Unit, Promise] = {
    Unit.COUNT: gettext_lazy("a count"),
    Unit.PEOPLE: gettext_lazy("a number of people"),
    Unit.MONEY: gettext_lazy("an amount in the program's currency"),
    Unit.SHARE: gettext_lazy("a share, shown as a percentage"),
    Unit.RATIO: gettext_lazy("a ratio"),
}
DIRECTION_NAMES: dict[Direction, Promise] = {
    Direction.UP: gettext_lazy("higher is better"),
    Direction.DOWN: gettext_lazy("lower is better"),
    Direction.NEUTRAL: gettext_lazy("neither higher nor lower is better (not ranked)"),
}
SOURCE_NAMES: dict[Source, Promise] = {
    Source.FACTS: gettext_lazy("the monthly reports' delivery rows"),
    Source.ROWS: gettext_lazy("the delivery rows themselves"),
    Source.COSTS: gettext_lazy("the monthly cost reports and the delivery rows"),
    Source.VOUCHERS: gettext_lazy("the voucher module"),
    Source.SURVEYS: gettext_lazy("the survey module"),
}


def _currency(context: template.Context) -> str:
    program = context.get("program")
    return getattr(program, "currency", "") or ""


@register.simple_tag(takes_context=True)
def figure(context: template.Context, indicator: Indicator, value: Any) -> str:
    """Write `value` of `indicator` ("—" when not defined), with the program's currency."""
    return formatting.figure(indicator, value, currency=_currency(context))


@register.simple_tag(takes_context=True)
def value_of(context: template.Context, indicator: Indicator, group: Any) -> str:
    """Write `indicator`'s value in a group of a result (queries.Group)."""
    return formatting.figure(indicator, group.values.get(indicator.id), currency=_currency(context))


@register.simple_tag(takes_context=True)
def change(context: template.Context, indicator: Indicator, value: Any) -> str:
    return formatting.change(indicator, value, currency=_currency(context))


@register.simple_tag
def share(value: Any) -> str:
    """Write a group's share of a total as a percentage."""
    return formatting.figure(charts.SHARE, value)


@register.filter
def unit_name(unit: Unit) -> str:
    return str(UNIT_NAMES[Unit(unit)])


@register.filter
def direction_name(direction: Direction) -> str:
    return str(DIRECTION_NAMES[Direction(direction)])


@register.filter
def source_name(source: Source) -> str:
    return str(SOURCE_NAMES[Source(source)])


def _chart_description(indicator: Indicator, what: str) -> str:
    return _("%(what)s %(definition)s The table next to the chart gives every value.") % {
        "what": what,
        "definition": indicator.definition,
    }


@register.simple_tag
def trend_chart(trend: Trend) -> SafeString:
    """Draw a figure over time as a line."""
    points = trend.points
    first, last = points[0], points[-1]
    title = _("%(indicator)s, %(first)s to %(last)s") % {
        "indicator": trend.indicator.name,
        "first": first.label,
        "last": last.label,
    }
    svg = charts.line_chart(
        title=title,
        description=_chart_description(trend.indicator, _("A line over time.")),
        indicator=trend.indicator,
        categories=[point.short_label for point in points],
        series=[charts.Series(str(trend.indicator.name), [point.value for point in points])],
    )
    return mark_safe(svg)  # drawn by charts.py, which escapes its texts


@register.simple_tag
def group_chart(table: GroupTable, title: str) -> SafeString:
    """Draw a figure split into groups as bars, each with its share."""
    svg = charts.bar_chart(
        title=f"{title}, {span_label(table.first, table.last)}",
        description=_chart_description(table.indicator, _("Bars, one per group.")),
        indicator=table.indicator,
        labels=[line.label for line in table.lines],
        values=[line.value for line in table.lines],
        shares=[line.share for line in table.lines],
    )
    return mark_safe(svg)


@register.simple_tag
def benchmark_chart(line: BenchmarkLine, own_label: str, period: str) -> SafeString:
    """Draw where a provider stands among its peers (the peers unnamed)."""
    svg = charts.benchmark_chart(
        title=_("%(indicator)s among the peers, %(period)s")
        % {"indicator": line.indicator.name, "period": period},
        description=_chart_description(
            line.indicator,
            _(
                "Each dot is one peer; the shaded box spans the middle half of the peers, "
                "the bar in it is the median; the diamond is %(own)s."
            )
            % {"own": own_label},
        ),
        indicator=line.indicator,
        peers=[peer.standing.value for peer in line.peers if not peer.own],
        own=line.own.standing.value if line.own else None,
        own_label=own_label,
        spread=line.spread,
    )
    return mark_safe(svg)


@register.simple_tag
def explore_chart(chart: ExploreChart, span: str) -> SafeString:
    """Draw one indicator of the explorer: lines over periods, or bars of groups."""
    title = f"{chart.indicator.name}, {span}"
    if chart.kind == "line":
        svg = charts.line_chart(
            title=title,
            description=_chart_description(chart.indicator, _("Lines over time, one per group.")),
            indicator=chart.indicator,
            categories=chart.categories,
            series=[charts.Series(label, values) for label, values in chart.series],
        )
    else:
        svg = charts.bar_chart(
            title=title,
            description=_chart_description(chart.indicator, _("Bars, one per group.")),
            indicator=chart.indicator,
            labels=chart.labels,
            values=chart.values,
            shares=chart.shares or None,
        )
    return mark_safe(svg)


@register.filter
def svg_image(svg: str) -> SafeString:
    """Return a chart drawn by charts.py as an <img> of its SVG: what a PDF renders
    faithfully (WeasyPrint draws SVG images itself) and a mail reader does not strip."""
    import base64
    import re

    from django.utils.html import escape

    title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.DOTALL)
    alt = escape(title.group(1)) if title else ""
    data = base64.b64encode(svg.encode()).decode()
    return mark_safe(f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}">')
