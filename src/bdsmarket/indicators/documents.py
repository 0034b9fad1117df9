"""Indicator figures as documents and files (JSON, CSV, XLSX), and docs/indicators.md.

One place writes a result of the engine or a benchmark for every door that hands figures
out, so that a JSON file, a CSV file, a spreadsheet and the API agree to the digit: the
`report` command writes files, the API answers with the same documents, and the pages'
downloads can reuse the tables. Nothing here knows about requests or views.

In documents (JSON), counts (unit `count` or `people`) are integers and every other figure
(money, shares, ratios, quartiles, changes) a decimal string at full precision: money with
at least two decimals ("120.00"), shares as fractions ("0.45"); a figure that is not
defined is null. CSV files hold the same text, an empty cell where a figure is not
defined; spreadsheets hold numbers, formatted by their unit.

docs/indicators.md is generated from definitions.py, so it cannot drift from them:

    python -m bdsmarket.indicators.documents           # rewrite docs/indicators.md
    python -m bdsmarket.indicators.documents --check   # exit 1 when it is out of date
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bdsmarket.core.money import CENT

from . import definitions, rules
from .definitions import Direction, Family, Indicator, Source, Unit
from .formatting import plain
from .periods import month_name, period_name

# Models are imported where they are used, so that `python -m bdsmarket.indicators.documents`
# can set Django up before anything touches them.
if TYPE_CHECKING:
    from bdsmarket.registry.models import City, Provider, Sector

    from .queries import Benchmark, Group, Result, Standing

GROUPING_NAMES: dict[str, Promise] = {
    "provider": gettext_lazy("Provider"),
    "client_type": gettext_lazy("Client type"),
    "client_gender": gettext_lazy("Gender"),
    "client_sector": gettext_lazy("Sector"),
    "client_city": gettext_lazy("City"),
    "service_type": gettext_lazy("Service type"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "year": gettext_lazy("Year"),
}
WHOLE_NUMBERS = (Unit.COUNT, Unit.PEOPLE)
APPROVED = "approved"  # models.Basis.APPROVED
NOT_NAMED = "—"


# Figures


def figure(indicator: Indicator, value: object) -> int | str | None:
    """Return a figure for a document: an integer for counts, else a decimal string."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if indicator.unit in WHOLE_NUMBERS and number == number.to_integral_value():
        return int(number)
    return figure_text(indicator, number)


def figure_text(indicator: Indicator, value: object) -> str:
    """Return a figure for a file at full precision ("" when not defined): money with at
    least two decimals ("120.00"), everything else as it is ("0.45", "12")."""
    return _text(indicator.unit, value)


def _text(unit: Unit | None, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit == Unit.MONEY and number == number.quantize(CENT):
        return str(number.quantize(CENT))
    return _decimal_text(number)


def _decimal_text(number: Decimal) -> str:
    # As formatting.plain, but never in exponent notation (a share of 1 in ten million).
    if number == number.to_integral_value():
        return plain(number)
    return format(number, "f")


def decimal(value: object) -> str | None:
    """Return a quartile or a share for a document: a decimal string (None: null)."""
    if value is None:
        return None
    return _decimal_text(value if isinstance(value, Decimal) else Decimal(str(value)))


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def indicator_document(indicator: Indicator) -> dict[str, Any]:
    """Return an indicator's metadata, its name and definition in the active language."""
    return {
        "id": indicator.id,
        "family": indicator.family.value,
        "family_name": str(definitions.FAMILY_NAMES[indicator.family]),
        "name": str(indicator.name),
        "definition": str(indicator.definition),
        "formula": indicator.formula,
        "unit": indicator.unit.value,
        "direction": indicator.direction.value,
        "source": indicator.source.value,
        "available": indicator.available,
        "ranked": indicator.ranked,
    }


def provider_document(provider: Provider) -> dict[str, Any]:
    return {"id": provider.pk, "code": provider.code, "name": provider.name}


def program_currency() -> str:
    """Return the program's currency code ("" before the program is configured)."""
    from bdsmarket.registry.models import Program

    program = Program.current()
    return program.currency if program else ""


def cut_off_text(cut_off: datetime | None) -> str:
    """Return the data cut-off as the program's clock shows it, e.g. "2004-05-12 10:00"."""
    from bdsmarket.registry.models import Program

    if cut_off is None:
        return NOT_NAMED
    program = Program.current()
    zone = ZoneInfo(program.time_zone) if program else timezone.get_current_timezone()
    return f"{timezone.localtime(cut_off, zone):%Y-%m-%d %H:%M}"


# Names of the values of groupings and filters


class Keys:
    """The identifiers and names of the values a result is grouped or filtered by.

    Provider, sector and city values are ids in the engine; their records are read once
    each (one query per kind, whatever the number of groups).
    """

    def __init__(self, values: Mapping[str, Iterable[Any]]) -> None:
        from bdsmarket.registry.models import (
            City,
            ClientType,
            Gender,
            Provider,
            Sector,
            ServiceType,
        )

        self.choices = {
            "client_type": ClientType,
            "client_gender": Gender,
            "service_type": ServiceType,
        }
        wanted: dict[str, set[int]] = {
            name: {int(value) for value in values.get(name, ()) if value is not None}
            for name in ("provider", "client_sector", "client_city")
        }
        self.providers: dict[int, Provider] = (
            {p.pk: p for p in Provider.objects.filter(pk__in=wanted["provider"])}
            if wanted["provider"]
            else {}
        )
        self.sectors: dict[int, Sector] = (
            {s.pk: s for s in Sector.objects.filter(pk__in=wanted["client_sector"])}
            if wanted["client_sector"]
            else {}
        )
        self.cities: dict[int, City] = (
            {c.pk: c for c in City.objects.filter(pk__in=wanted["client_city"])}
            if wanted["client_city"]
            else {}
        )

    @classmethod
    def of(cls, result: Result) -> Keys:
        """Return the names of every value in `result`'s groups, filters and providers."""
        values: dict[str, set[Any]] = {name: set() for name in result.group_by}
        for group in result.groups:
            for name, value in zip(result.group_by, group.key, strict=True):
                values[name].add(value)
        for name, kept in result.scope.filters.items():
            values.setdefault(name, set()).update(kept)
        values.setdefault("provider", set()).update(result.scope.providers or ())
        return cls(values)

    def identifier(self, name: str, value: Any) -> int | str | None:
        """Return how a document gives a value: a provider's or city's id, a sector's code,
        a choice's code, a month as YYYY-MM, a quarter as YYYY-Qn, a year as a number."""
        if value is None:
            return None
        if name in ("provider", "client_city", "year"):
            return int(value)
        if name == "client_sector":
            sector = self.sectors.get(int(value))
            return sector.code if sector else int(value)
        if name == "month":
            return month_name(value)
        if name == "quarter":
            year, quarter = value
            return f"{year:04d}-Q{quarter}"
        return str(value)

    def label(self, name: str, value: Any) -> str:
        """Return a value as people read it, in the active language."""
        if value is None:
            return NOT_NAMED
        if name == "provider":
            provider = self.providers.get(int(value))
            return str(provider) if provider else str(value)
        if name == "client_sector":
            sector = self.sectors.get(int(value))
            return sector.name if sector else str(value)
        if name == "client_city":
            city = self.cities.get(int(value))
            return city.name if city else str(value)
        if name in self.choices:
            choices = self.choices[name]
            return str(choices(value).label) if value in choices.values else str(value)
        return str(self.identifier(name, value))


# The documents: what the API answers and what a JSON file holds


def _group_document(group: Group, result: Result, keys: Keys) -> dict[str, Any]:
    return {
        "key": {
            name: keys.identifier(name, value)
            for name, value in zip(result.group_by, group.key, strict=True)
        },
        "labels": {
            name: keys.label(name, value)
            for name, value in zip(result.group_by, group.key, strict=True)
        },
        "values": {
            indicator.id: figure(indicator, group.values.get(indicator.id))
            for indicator in result.indicators
        },
        "shares": {
            indicator.id: decimal(group.shares[indicator.id])
            for indicator in result.indicators
            if indicator.id in group.shares
        },
    }


def result_document(result: Result, *, currency: str, keys: Keys | None = None) -> dict[str, Any]:
    """Return a result of the engine as a JSON-ready document: the scope as understood,
    the basis and cut-off, the indicators' metadata, the groups and the total."""
    keys = keys or Keys.of(result)
    scope = result.scope
    providers = None
    if scope.providers is not None:
        found = [keys.providers[pk] for pk in scope.providers if pk in keys.providers]
        providers = [provider_document(p) for p in sorted(found, key=lambda p: p.code)]
    filters = {
        name: [
            {"value": keys.identifier(name, value), "label": keys.label(name, value)}
            for value in sorted(kept, key=lambda value: keys.label(name, value))
        ]
        for name, kept in scope.filters.items()
    }
    return {
        "scope": {
            "first": month_name(scope.first_month),
            "last": month_name(scope.last_month),
            "period": period_name(scope.first_month, scope.last_month),
            "providers": providers,
            "filters": filters,
        },
        "basis": str(scope.basis),
        "includes_unapproved": scope.includes_unapproved,
        "cut_off": utc(result.cut_off),
        "has_data": result.has_data,
        "currency": currency,
        "group_by": list(result.group_by),
        "indicators": [indicator_document(indicator) for indicator in result.indicators],
        "groups": [_group_document(group, result, keys) for group in result.groups],
        "total": {
            "values": {
                indicator.id: figure(indicator, result.total.values.get(indicator.id))
                for indicator in result.indicators
            }
        },
    }


@dataclass(frozen=True)
class Peer:
    """One provider of a benchmark as a reader may see it."""

    pseudonym: str
    provider: Provider | None  # None: the reader may not know who it is
    own: bool  # the provider the benchmark is about
    standing: Standing

    @property
    def label(self) -> str:
        return str(self.provider) if self.provider is not None else self.pseudonym


def peers_view(
    benchmarks: Sequence[Benchmark], *, names: bool, own: int | None
) -> list[list[Peer]]:
    """Return each benchmark's peers, best first: by name for a reader who may see names
    (`names`), else under their pseudonyms, except the provider `own`."""
    from bdsmarket.registry.models import Provider

    from .models import IndicatorSettings

    ids = {provider_id for benchmark in benchmarks for provider_id in benchmark.standings}
    shown = ids if names else ({own} & ids if own is not None else set())
    providers = {p.pk: p for p in Provider.objects.filter(pk__in=shown)} if shown else {}
    salt = IndicatorSettings.current().pseudonym_salt if ids else ""
    views = []
    for benchmark in benchmarks:
        peers = [
            Peer(
                rules.pseudonym(salt, provider_id),
                providers.get(provider_id),
                provider_id == own,
                standing,
            )
            for provider_id, standing in benchmark.standings.items()
        ]
        higher = benchmark.indicator.direction != Direction.DOWN
        peers.sort(key=lambda peer: _peer_order(peer, higher))
        views.append(peers)
    return views


def _peer_order(peer: Peer, higher_is_better: bool) -> tuple:
    standing = peer.standing
    value = Decimal(str(standing.value)) if standing.value is not None else Decimal(0)
    return (
        standing.rank is None,
        standing.rank or 0,
        standing.value is None,
        -value if higher_is_better else value,
        peer.pseudonym,
    )


def benchmark_document(
    benchmarks: Sequence[Benchmark],
    peers: Sequence[Sequence[Peer]],
    *,
    peer_group: str,
    provider: Provider | None,
    basis: str,
    cut_off: datetime | None,
    currency: str,
) -> dict[str, Any]:
    """Return benchmarks as a JSON-ready document (peers as `peers_view` shows them)."""
    first, last = benchmarks[0].first_month, benchmarks[0].last_month
    return {
        "first": month_name(first),
        "last": month_name(last),
        "period": period_name(first, last),
        "peer_group": peer_group,
        "provider": provider_document(provider) if provider is not None else None,
        "basis": str(basis),
        "includes_unapproved": basis != APPROVED,
        "cut_off": utc(cut_off),
        "currency": currency,
        "peers": benchmarks[0].peers,
        "benchmarks": [
            _benchmark_item(benchmark, view)
            for benchmark, view in zip(benchmarks, peers, strict=True)
        ],
    }


def _benchmark_item(benchmark: Benchmark, peers: Sequence[Peer]) -> dict[str, Any]:
    indicator, spread = benchmark.indicator, benchmark.spread
    return {
        "indicator": indicator_document(indicator),
        "lower_quartile": decimal(spread.lower_quartile) if spread else None,
        "median": decimal(spread.median) if spread else None,
        "upper_quartile": decimal(spread.upper_quartile) if spread else None,
        "count": spread.count if spread else 0,
        "peers": [
            {
                "pseudonym": peer.pseudonym,
                "provider": provider_document(peer.provider) if peer.provider else None,
                "own": peer.own,
                "value": figure(indicator, peer.standing.value),
                "rank": peer.standing.rank,
                "previous": figure(indicator, peer.standing.previous),
                "change": figure(indicator, peer.standing.change),
            }
            for peer in peers
        ],
    }


# Tables: what CSV files and spreadsheets hold


@dataclass(frozen=True)
class Column:
    header: str
    unit: Unit | None = None  # None: text


@dataclass
class Table:
    """Rows of cells (text, int, Decimal or None) under headers, and notes about them."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _notes(
    period: str, basis: str, cut_off: datetime | None, currency: str
) -> list[tuple[str, str]]:
    from .models import Basis

    return [
        (_("Period"), period),
        (_("Basis"), str(Basis(basis).label)),
        (_("Data cut-off"), cut_off_text(cut_off)),
        (_("Currency"), currency),
    ]


def result_table(result: Result, *, currency: str, keys: Keys | None = None) -> Table:
    """Return a result as a table: one row per group, then the total; a column per
    grouping, per indicator and, when grouped, per group's share of the total."""
    keys = keys or Keys.of(result)
    shared = [
        i for i in result.indicators if result.group_by and i.unit in (*WHOLE_NUMBERS, Unit.MONEY)
    ]
    columns = [Column(str(GROUPING_NAMES[name])) for name in result.group_by]
    columns += [Column(str(indicator.name), indicator.unit) for indicator in result.indicators]
    columns += [
        Column(_("%(name)s: share of the total") % {"name": indicator.name}, Unit.SHARE)
        for indicator in shared
    ]
    table = Table(_("Indicators"), columns)
    # Not grouped, the engine's one group is the total.
    for group in result.groups if result.group_by else ():
        table.rows.append(
            [
                keys.label(name, value)
                for name, value in zip(result.group_by, group.key, strict=True)
            ]
            + [group.values.get(indicator.id) for indicator in result.indicators]
            + [group.shares.get(indicator.id) for indicator in shared]
        )
    if result.group_by:
        padding = [""] * (len(result.group_by) - 1)
        table.rows.append(
            [_("Total"), *padding]
            + [result.total.values.get(indicator.id) for indicator in result.indicators]
            + [Decimal(1) if result.total.values.get(i.id) else None for i in shared]
        )
    else:
        table.rows.append(
            [result.total.values.get(indicator.id) for indicator in result.indicators]
        )
    scope = result.scope
    table.notes = _notes(
        period_name(scope.first_month, scope.last_month), scope.basis, result.cut_off, currency
    )
    table.notes += [
        (str(indicator.name), str(indicator.definition)) for indicator in result.indicators
    ]
    return table


def benchmark_table(
    benchmarks: Sequence[Benchmark],
    peers: Sequence[Sequence[Peer]],
    *,
    basis: str,
    cut_off: datetime | None,
    currency: str,
) -> Table:
    """Return benchmarks as a table: one row per indicator and peer, best first, each with
    the indicator's quartiles over the peers."""
    table = Table(
        _("Benchmark"),
        [
            Column(_("Indicator")),
            Column(_("Pseudonym")),
            Column(_("Provider")),
            Column(_("Value")),
            Column(_("Rank"), Unit.COUNT),
            Column(_("Previous period")),
            Column(pgettext("benchmark", "Change")),
            Column(_("Lower quartile")),
            Column(_("Median")),
            Column(_("Upper quartile")),
            Column(_("Peers with a value"), Unit.COUNT),
        ],
    )
    for benchmark, view in zip(benchmarks, peers, strict=True):
        indicator, spread = benchmark.indicator, benchmark.spread
        for peer in view:
            table.rows.append(
                [
                    str(indicator.name),
                    peer.pseudonym,
                    str(peer.provider) if peer.provider else "",
                    (peer.standing.value, indicator.unit),
                    peer.standing.rank,
                    (peer.standing.previous, indicator.unit),
                    (peer.standing.change, indicator.unit),
                    (spread.lower_quartile if spread else None, indicator.unit),
                    (spread.median if spread else None, indicator.unit),
                    (spread.upper_quartile if spread else None, indicator.unit),
                    spread.count if spread else 0,
                ]
            )
    first, last = benchmarks[0].first_month, benchmarks[0].last_month
    table.notes = _notes(period_name(first, last), basis, cut_off, currency)
    return table


# Writers


def write_csv(table: Table, stream: IO[str]) -> None:
    """Write `table` as CSV (comma-separated, headers first) to a text stream."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        cells = []
        for column, cell in zip(table.columns, row, strict=True):
            value, unit = cell if isinstance(cell, tuple) else (cell, column.unit)
            cells.append(_text(unit, value))
        writer.writerow(cells)


def write_json(document: Mapping[str, Any], stream: IO[str]) -> None:
    """Write a document as indented JSON (times in ISO 8601) to a text stream."""
    json.dump(document, stream, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    stream.write("\n")


NUMBER_FORMATS = {
    Unit.COUNT: "#,##0",
    Unit.PEOPLE: "#,##0",
    Unit.MONEY: "#,##0.00",
    Unit.SHARE: "0.0%",
    Unit.RATIO: "0.00",
}


def write_xlsx(table: Table, path: Path | str) -> None:
    """Write `table` as a spreadsheet at `path`: the table on a first sheet (numbers as
    numbers, each formatted by its unit), its notes on a second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.title[:31]
    bold = Font(bold=True)
    sheet.append([column.header for column in table.columns])
    for cell in sheet[1]:
        cell.font = bold
    for row_number, row in enumerate(table.rows, start=2):
        for column_number, (column, value) in enumerate(
            zip(table.columns, row, strict=True), start=1
        ):
            unit = column.unit
            if isinstance(value, tuple):
                value, unit = value
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                cell.value = value
                if unit is not None:
                    cell.number_format = NUMBER_FORMATS[unit]
            else:
                cell.value = value if value not in (None, "") else None
    sheet.freeze_panes = "A2"
    for column_number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = max(
            12, min(40, len(column.header) + 2)
        )
    about = workbook.create_sheet(_("About")[:31])
    for key, value in table.notes:
        about.append([key, value])
    for cell in about["A"]:
        cell.font = bold
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 100
    workbook.save(path)


# docs/indicators.md

DOC = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"

UNIT_WORDS = {
    Unit.COUNT: "count",
    Unit.PEOPLE: "people",
    Unit.MONEY: "money",
    Unit.SHARE: "share",
    Unit.RATIO: "ratio",
}
DIRECTION_WORDS = {
    Direction.UP: "up",
    Direction.DOWN: "down",
    Direction.NEUTRAL: "neutral",
}
SOURCE_WORDS = {
    Source.FACTS: "monthly figures",
    Source.ROWS: "delivery rows",
    Source.COSTS: "cost reports",
    Source.VOUCHERS: "vouchers",
    Source.SURVEYS: "surveys",
}

DOC_HEADER = """\
# Indicators

<!-- Generated by `python -m bdsmarket.indicators.documents` from
     src/bdsmarket/indicators/definitions.py: do not edit.
     tests/indicators/test_docs.py fails when this page and the definitions disagree. -->

Every figure bdsmarket shows (pages, the API's `/api/v1/indicators`, `bdsmarket report`,
bulletins) is one of the indicators below, computed from what providers report. The
identifiers in the first column never change: use them in the API (`ids=`), on the
command line (`--indicators`) and in your own tools. The API's
`/api/v1/indicators/definitions` gives the same list, in Spanish or English.

## How the figures are computed

**Scope.** An indicator is computed over a scope: a span of whole months (`2003`,
`2003-Q2`, `2003-05` or `2003-01..2003-06` on the command line; `first` and `last` in the
API), a set of providers (or all of them) and, optionally, filters on what each delivery
row says: client type, client gender, client sector, client city, service type. A result
can be grouped by provider, by any of those five, and by month, quarter or year; each group
of a count or an amount also gets its share of the total.

**Basis.** Only reports count, never a draft: by default the **approved** months; asked
for, the **reported** basis adds the months submitted and waiting for review (a result on
that basis says so: `includes_unapproved`). A month returned to its provider, or reopened
for amendment, leaves the figures until it is submitted or approved again.

**Data cut-off.** The figures are taken from the reports the moment one is submitted,
returned, approved or reopened; every result carries that moment (`cut_off`), so a reader
knows how recent it is.

**Not defined.** An indicator whose denominator is zero (a share with no attentions, a
cost recovery without cost reports) is *not defined* for the scope: shown "—", `null` in
the API and JSON files, an empty cell in CSV and spreadsheets; never 0. Costs belong to a
provider's whole month, so the cost indicators are not defined for a part of a month (a
filter or a grouping by client or service); nor is a return to the same provider, which is
a client's history, not a part of a month's.

**Money** is summed exactly (in cents) and shown with two decimals in the program's
currency. Shares are fractions (0.45), shown as percentages (45.0 %).

**Repeat attentions.** An attention is a repeat when the same provider attended the same
client before: at an earlier date or, on the same day, in a row stored earlier. A client
is one person or firm across providers when the client ID is a valid DNI or RUC; otherwise
the provider's own client number identifies a client of that provider only. Earlier
months count even when the scope starts later, so a client first seen in May is a repeat
in June's figures; only the reports of the basis make that history.

**Return to the same provider.** Among the clients attended at least twice anywhere in the
program whose second attention falls in the period: the share whose second attention was
with the same provider as their first (in the reference program, 42 %).

**Benchmarks.** A provider is compared with its peers: every provider with a report in the
period, or those in its city, or those of its legal type. For each indicator a benchmark
gives the peers' lower quartile, median and upper quartile (the *inclusive* quartiles,
interpolated between the values as spreadsheets' QUARTILE.INC does; one value is its own
median), each peer's value, its rank and its change from the previous period of the same
length. Rank 1 is the best in the indicator's good direction (the last column below);
peers with equal values share a rank and the next rank counts them all (1, 2, 2, 4); a peer
whose value is not defined has no rank, and neutral indicators rank nobody.

**Pseudonyms.** A provider's staff see their own provider by name and every peer under a
pseudonym: six letters and digits derived from a secret of the program and the provider,
the same in every period and every bulletin, from which nobody can work back to the name.
Program staff see names (and the pseudonyms, to recognise them in a bulletin).
"""


DOC_LEGEND = """\
In the tables, *unit* is `count`, `people`, `money` (in the program's currency), `share`
(a fraction, shown as a percentage) or `ratio`; *good* is the direction in which a value is
better: `up`, `down`, or `neutral` (a benchmark ranks nobody on it). *From* says what the
figures are read from: the **monthly figures** kept for each provider's month (fast over
any scope), the **delivery rows** themselves (distinct clients, returns), the **cost
reports** with the months' income, or the voucher and survey modules still to come.
"""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def indicators_markdown() -> str:
    """Return the Markdown of docs/indicators.md, in English, from definitions.py."""
    with translation.override("en"):
        parts = [DOC_HEADER]
        later = [i for i in definitions.ALL if not i.available]
        if later:
            families = dict.fromkeys(str(definitions.FAMILY_NAMES[i.family]) for i in later)
            parts += [
                f"**Not computed yet.** The indicators of {' and '.join(families)} are defined "
                "here but computed only once those modules are in use: "
                + ", ".join(f"`{i.id}`" for i in later)
                + ". Asking for one of them is an error that says so.",
                "",
            ]
        parts += ["## The indicators", "", DOC_LEGEND]
        for family in Family:
            members = [i for i in definitions.ALL if i.family == family]
            if not members:
                continue
            parts += [f"### {definitions.FAMILY_NAMES[family]}", ""]
            parts += [
                "| id | name | definition | formula | unit | good | from |",
                "|----|------|------------|---------|------|------|------|",
            ]
            for indicator in members:
                cells = [
                    f"`{indicator.id}`",
                    _cell(str(indicator.name)),
                    _cell(str(indicator.definition)),
                    f"`{_cell(indicator.formula)}`",
                    UNIT_WORDS[indicator.unit],
                    DIRECTION_WORDS[indicator.direction],
                    SOURCE_WORDS[indicator.source],
                ]
                parts.append("| " + " | ".join(cells) + " |")
            parts.append("")
        parts += [
            "### Grouped forms",
            "",
            "The domain's grouped indicators are an indicator with a grouping: ask for the "
            "indicator and group by the dimension (API `group_by=`, command line `--group-by`).",
            "",
            "| id | is | group by |",
            "|----|----|----------|",
        ]
        for name, (base, grouping) in definitions.GROUPED_FORMS.items():
            parts.append(f"| `{name}` | `{base}` | `{grouping}` |")
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    from bdsmarket.core.clidoc import generated_doc_main

    return generated_doc_main(DOC, indicators_markdown, "bdsmarket.indicators.documents", argv)


if __name__ == "__main__":
    sys.exit(main())
