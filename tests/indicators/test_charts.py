"""Charts are SVG drawn on the server: ready to place in a page, a PDF or an e-mail, with a
title and a description for screen readers, numbers written as the page writes them, and
nothing shared between two charts drawn at once."""

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.utils import translation

from bdsmarket.indicators import charts
from bdsmarket.indicators.definitions import BY_ID
from bdsmarket.indicators.rules import spread

SVG = "{http://www.w3.org/2000/svg}"
YEARS = [str(year) for year in range(1996, 2004)]
SHARES = [Decimal(v) for v in ("0.52", "0.48", "0.40", "0.45", "0.41", "0.57", "0.45", "0.5")]


@pytest.fixture(autouse=True)
def _fresh_charts():
    """Draw every chart anew (they are cached by what they show)."""
    cache.clear()
    yield
    cache.clear()


def line(title="Paid by the end users, 1996 to 2003", values=SHARES, **options) -> str:
    return charts.line_chart(
        title=title,
        description="A line over time.",
        indicator=BY_ID["end_user_share"],
        categories=YEARS,
        series=[charts.Series("All providers", values)],
        **options,
    )


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in parsed(svg).iter(f"{SVG}text")]


def test_a_chart_is_an_svg_element_for_html_with_a_title_and_a_description():
    svg = line(title="Income & costs <2003>")
    assert svg.startswith("<svg") and "<?xml" not in svg and "DOCTYPE" not in svg
    root = parsed(svg)
    assert root.get("role") == "img"
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Income & costs <2003>"
    assert description is not None and description.text == "A line over time."
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert "max-width:100%" in root.get("style", "")


def test_the_axis_speaks_the_pages_language():
    with translation.override("en"):
        english = texts(line())
    cache.clear()
    with translation.override("es"):
        spanish = texts(line())
    assert any(re.fullmatch(r"\d+\.0 %", text) for text in english)
    assert any(re.fullmatch(r"\d+,0 %", text) for text in spanish)
    assert "1996" in english and "1996" in spanish


def test_an_undefined_value_leaves_a_gap_not_a_zero():
    values = [Decimal("0.5"), None, Decimal("0.4")]
    svg = charts.line_chart(
        title="t", description="d", indicator=BY_ID["end_user_share"],
        categories=["a", "b", "c"], series=[charts.Series("x", values)],
    )  # fmt: skip
    assert "nan" not in svg.lower()
    assert "0.0 %" not in texts(svg)  # the axis does not reach down to a made-up zero


def test_bars_carry_their_shares():
    svg = charts.bar_chart(
        title="Income by client type, 2003",
        description="Bars.",
        indicator=BY_ID["income"],
        labels=["Institution", "Micro-enterprise"],
        values=[Decimal("112727"), Decimal("56603")],
        shares=[Decimal("0.42"), Decimal("0.21")],
    )
    shown = texts(svg)
    assert {"Institution", "Micro-enterprise", "42.0 %", "21.0 %"} <= set(shown)
    assert "60,000" in shown  # whole amounts on the axis


def test_a_benchmark_shows_the_peers_unnamed_and_the_provider_highlighted():
    peers = [Decimal(v) for v in (5, 8, 10, 10, 16, 55, 122)]
    svg = charts.benchmark_chart(
        title="Attentions among the peers, May 2003",
        description="Each dot is one peer.",
        indicator=BY_ID["attentions"],
        peers=peers,
        own=Decimal(42),
        own_label="CDE-CIX-02",
        spread=spread([*peers, Decimal(42)]),
    )
    shown = texts(svg)
    assert "CDE-CIX-02" in shown
    assert charts.HIGHLIGHT in svg and charts.BOX in svg
    assert all(not text.startswith("CDE-") for text in shown if text != "CDE-CIX-02")


def test_two_charts_on_one_page_share_no_id():
    first, second = line(title="One"), line(title="Two")
    ids = lambda svg: set(re.findall(r'\bid="([^"]+)"', svg))  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)
    for svg in (first, second):
        for reference in re.findall(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"", svg):
            assert (reference[0] or reference[1]) in ids(svg)


def test_charts_drawn_at_once_in_threads_keep_their_own_figures():
    titles = [f"Chart {n}" for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda title: line(title=title), titles))
    for title, svg in zip(titles, drawn, strict=True):
        assert parsed(svg).find(f"{SVG}title").text == title


def test_no_pyplot_is_involved():
    line()
    assert "matplotlib.pyplot" not in sys.modules or not _pyplot_figures()


def _pyplot_figures() -> list:
    import matplotlib.pyplot

    return matplotlib.pyplot.get_fignums()


def test_a_chart_drawn_again_comes_from_the_cache():
    assert line() == line()
