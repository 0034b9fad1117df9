"""Periods as people write them: `2003`, `2003-Q2`, `2003-05`, `2003-01..2003-06`. No Django.

A period is a span of whole months, from its first month to its last (both included), each
given by the first day of the month, as the indicator engine's scopes take them.
"""

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")

FORMS = ("2003", "2003-Q2", "2003-05", "2003-01..2003-06")


@dataclass(frozen=True)
class Period:
    """A span of whole months: `first` and `last` are the first days of its months."""

    first: date
    last: date

    def __str__(self) -> str:
        return period_name(self.first, self.last)


def parse_month(text: str) -> date | None:
    """Return the first day of the month written `YYYY-MM` in `text`, or None."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if year < 1 or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def parse_period(text: str) -> Period | None:
    """Return the period written in `text` as a year (`2003`), a quarter (`2003-Q2`), a month
    (`2003-05`) or a span of months (`2003-01..2003-06`); None when it is none of them, or
    when a span ends before it begins."""
    value = text.strip()
    if ".." in value:
        start, _dots, end = value.partition("..")
        first, last = parse_month(start), parse_month(end)
        if first is None or last is None or last < first:
            return None
        return Period(first, last)
    if match := _YEAR.fullmatch(value):
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 1)) if year >= 1 else None
    if match := _QUARTER.fullmatch(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        if year < 1:
            return None
        return Period(date(year, 3 * quarter - 2, 1), date(year, 3 * quarter, 1))
    month = parse_month(value)
    return Period(month, month) if month is not None else None


def period_name(first: date, last: date) -> str:
    """Return the shortest way to write the months from `first` to `last`: `2003`,
    `2003-Q2`, `2003-05` or `2003-01..2003-06` (what parse_period reads back)."""
    first, last = first.replace(day=1), last.replace(day=1)
    if first == last:
        return month_name(first)
    if first.year == last.year:
        if first.month == 1 and last.month == 12:
            return f"{first.year:04d}"
        if first.month % 3 == 1 and last.month == first.month + 2:
            return f"{first.year:04d}-Q{(first.month + 2) // 3}"
    return f"{month_name(first)}..{month_name(last)}"


def month_name(month: date) -> str:
    """Return `month` written `YYYY-MM`."""
    return f"{month.year:04d}-{month.month:02d}"
