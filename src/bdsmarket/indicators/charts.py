"""Charts drawn on the server as SVG, for pages, PDFs and e-mails alike.

matplotlib draws them through its SVG backend on a `Figure` of their own (never pyplot, whose
current figure is state shared between requests); each function returns the SVG as a
string, ready to be placed in HTML: without the XML prolog, scaling to its container's
width, with a <title> and a <desc> that a screen reader reads (every chart also has a
table of the same figures next to it). Labels come in the active language and numbers are
written by formatting.figure, as everywhere else.
"""

import functools
import hashlib
import io
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

import matplotlib
from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import formatting
from .definitions import Direction, Family, Indicator, Source, Unit
from .rules import Spread, Value

# Text as <text> elements (searchable, readable, a few kilobytes) rather than paths. A
# setting of the process, the same for every chart: nothing a request changes.
matplotlib.rcParams["svg.fonttype"] = "none"

PRIMARY = "#1d4e89"
HIGHLIGHT = "#c2410c"
PEER = "#52606d"
BOX = "#d9e2ec"
GRID = "#e4e7eb"
TEXT = "#1f2933"
# Distinguishable series, dark enough on white (each at least 4.5:1).
PALETTE = ("#1d4e89", "#b45309", "#0f766e", "#7e22ce", "#b91c1c", "#4d7c0f", "#334e68", "#9d174d")
FONT = "DejaVu Sans, Arial, sans-serif"
MAX_TICKS = 12

# A group's part of a total, written like any share ("42.0 %").
SHARE = Indicator(
    "share",
    Family.SCALE,
    _("Share of the total"),
    _("The group's part of the whole scope's figure."),
    "group / total",
    Unit.SHARE,
    Direction.NEUTRAL,
    Source.FACTS,
)


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and a value per category (None: not defined)."""

    label: str
    values: Sequence[Value]


CACHE_SECONDS = 24 * 60 * 60


def _plain(value: object) -> object:
    """Return `value` as plain data for a cache key (an indicator by its id)."""
    if isinstance(value, Indicator):
        return value.id
    if isinstance(value, Promise):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(_plain(getattr(value, item.name)) for item in fields(value))
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return value


def _cached(draw: Callable[..., str]) -> Callable[..., str]:
    """Keep each chart drawn in the cache, keyed by what it shows and the language: a
    chart is a pure function of its arguments, and drawing one costs tens of
    milliseconds. Without a shared cache, each process simply draws its own."""

    @functools.wraps(draw)
    def drawn(**arguments: object) -> str:
        described = repr(
            (
                draw.__name__,
                get_language(),
                matplotlib.__version__,
                sorted((name, _plain(value)) for name, value in arguments.items()),
            )
        )
        key = "indicators:chart:" + hashlib.sha256(described.encode()).hexdigest()
        svg = cache.get(key)
        if svg is None:
            svg = draw(**arguments)
            cache.set(key, svg, CACHE_SECONDS)
        return svg

    return drawn


def _number(value: Value) -> float:
    return float("nan") if value is None else float(value)


def _tick_text(indicator: Indicator, value: float) -> str:
    text = formatting.figure(indicator, Decimal(str(float(value))))
    if indicator.unit == Unit.MONEY:
        text = re.sub(r"[.,]00$", "", text)  # whole amounts on an axis
    return text


def _value_axis(axis: Axis, indicator: Indicator) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: _tick_text(indicator, value)))
    integer = indicator.unit in (Unit.COUNT, Unit.PEOPLE)
    axis.set_major_locator(MaxNLocator(nbins=5, integer=integer))


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), dpi=72)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(PEER)
    axes.tick_params(colors=TEXT, labelsize=9)
    return figure, axes


def _svg(figure: Figure, title: str, description: str) -> str:
    """Return the figure as an SVG element for HTML, with its title and description."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    ident = "chart-" + secrets.token_hex(4)
    # matplotlib numbers its groups from 1 in every file: prefix every id, and every
    # reference to one, so that several charts on one page never share an id.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{ident}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{ident}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{ident}-\1)", svg)
    opening = svg[: svg.index(">") + 1]
    labelled = opening[:-1] + (
        f' role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart"'
        ' style="max-width:100%;height:auto" preserveAspectRatio="xMinYMin meet">'
    )
    texts = (
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return (
        labelled
        + texts
        + svg[len(opening) :].replace("font-family:'DejaVu Sans'", f"font-family:{FONT}")
    )


def _categories(axes: Axes, labels: Sequence[str]) -> None:
    """Label the category axis, every nth label when there are many."""
    step = max(1, -(-len(labels) // MAX_TICKS))
    positions = list(range(0, len(labels), step))
    axes.set_xticks(positions, [labels[position] for position in positions])
    if len(positions) > 6:
        for label in axes.get_xticklabels():
            label.set_rotation(35)
            label.set_horizontalalignment("right")


@_cached
def line_chart(
    *,
    title: str,
    description: str,
    indicator: Indicator,
    categories: Sequence[str],
    series: Sequence[Series],
) -> str:
    """Return an SVG line chart of `series` over `categories` (months, quarters, years…).

    A value that is not defined leaves a gap in its line."""
    figure, axes = _figure(7.2, 3.0)
    positions = list(range(len(categories)))
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        axes.plot(
            positions,
            [_number(value) for value in line.values],
            color=colour,
            linewidth=2,
            marker="o" if len(positions) <= 24 else None,
            markersize=4,
            label=line.label,
        )
    _categories(axes, categories)
    _value_axis(axes.yaxis, indicator)
    axes.grid(axis="y", color=GRID)
    axes.set_axisbelow(True)
    if indicator.unit in (Unit.COUNT, Unit.PEOPLE, Unit.MONEY):
        axes.set_ylim(bottom=0)
    if len(series) > 1:
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        figure.subplots_adjust(left=0.12, right=0.76, bottom=0.22, top=0.95)
    else:
        figure.subplots_adjust(left=0.12, right=0.98, bottom=0.22, top=0.95)
    return _svg(figure, title, description)


@_cached
def bar_chart(
    *,
    title: str,
    description: str,
    indicator: Indicator,
    labels: Sequence[str],
    values: Sequence[Value],
    shares: Sequence[Decimal | None] | None = None,
) -> str:
    """Return an SVG chart of horizontal bars, one per group, each with its share written
    beside it when `shares` are given."""
    height = 0.9 + 0.32 * max(len(labels), 1)
    figure, axes = _figure(7.2, height)
    positions = list(range(len(labels)))
    numbers = [0.0 if value is None else float(value) for value in values]
    axes.barh(positions, numbers, color=PRIMARY, height=0.6)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    _value_axis(axes.xaxis, indicator)
    axes.grid(axis="x", color=GRID)
    axes.set_axisbelow(True)
    if shares is not None:
        for position, (number, part) in enumerate(zip(numbers, shares, strict=True)):
            axes.annotate(
                formatting.figure(SHARE, part),
                (number, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=TEXT,
            )
        axes.set_xlim(0, (max(numbers) if numbers and max(numbers) > 0 else 1) * 1.18)
    longest = max((len(label) for label in labels), default=4)
    figure.subplots_adjust(
        left=min(0.45, 0.06 + 0.0135 * longest), right=0.97, bottom=0.5 / height, top=0.97
    )
    return _svg(figure, title, description)


@_cached
def benchmark_chart(
    *,
    title: str,
    description: str,
    indicator: Indicator,
    peers: Sequence[Value],
    own: Value,
    own_label: str,
    spread: Spread | None,
) -> str:
    """Return an SVG strip of the peers' values (dots, unnamed), their quartile box and
    median, with the provider's own value highlighted and labelled `own_label`."""
    figure, axes = _figure(7.2, 1.7)
    defined = sorted(float(value) for value in peers if value is not None)
    if spread is not None:
        lower, upper = float(spread.lower_quartile), float(spread.upper_quartile)
        axes.barh(0, upper - lower, left=lower, height=0.5, color=BOX, zorder=1)
        median = float(spread.median)
        axes.plot([median, median], [-0.25, 0.25], color=PRIMARY, linewidth=2.5, zorder=2)
    # Equal values stack upwards a little, so that every peer stays visible.
    seen: dict[float, int] = {}
    heights = []
    for value in defined:
        heights.append(0.12 * seen.get(value, 0))
        seen[value] = seen.get(value, 0) + 1
    axes.scatter(defined, heights, s=22, color=PEER, zorder=3)
    if own is not None:
        axes.scatter([float(own)], [0], s=110, marker="D", color=HIGHLIGHT, zorder=4)
        axes.annotate(
            own_label,
            (float(own), 0),
            xytext=(0, -22),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            fontweight="bold",
            color=HIGHLIGHT,
        )
    axes.set_yticks([])
    axes.spines["left"].set_visible(False)
    axes.set_ylim(-0.9, 0.6 + 0.12 * max(seen.values(), default=0))
    span = [*defined, *([float(own)] if own is not None else [])]
    if span:
        low, high = min(span), max(span)
        margin = (high - low) * 0.06 or (abs(high) * 0.1 or 1)
        axes.set_xlim(low - margin, high + margin)
    _value_axis(axes.xaxis, indicator)
    axes.grid(axis="x", color=GRID)
    axes.set_axisbelow(True)
    figure.subplots_adjust(left=0.03, right=0.97, bottom=0.28, top=0.97)
    return _svg(figure, title, description)
