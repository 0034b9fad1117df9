"""Month arithmetic: a month is the date of its first day. Pure functions, no Django."""

from datetime import date, timedelta


def month_start(day: date) -> date:
    """Return the first day of `day`'s month."""
    return day.replace(day=1)


def month_add(month: date, count: int) -> date:
    """Return the first day of the month `count` months after `month`'s (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """Return the last day of `month`'s month."""
    return month_add(month, 1) - timedelta(days=1)


def months_count(first: date, last: date) -> int:
    """Return how many months the span from `first`'s month to `last`'s holds, both included
    (zero or less when `last`'s month comes before `first`'s)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def months_between(first: date, last: date) -> list[date]:
    """Return the first day of every month from `first`'s month to `last`'s, both included."""
    return [month_add(first, step) for step in range(max(months_count(first, last), 0))]
