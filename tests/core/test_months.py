"""Month arithmetic: a month is its first day; adding, counting and listing months agree."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bdsmarket.core.months import month_add, month_end, month_start, months_between, months_count

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
steps = st.integers(min_value=-1200, max_value=1200)


def test_adding_months_crosses_years_both_ways():
    assert month_add(date(2003, 12, 17), 1) == date(2004, 1, 1)
    assert month_add(date(2004, 1, 1), -1) == date(2003, 12, 1)
    assert month_add(date(2003, 5, 31), 0) == date(2003, 5, 1)
    assert month_add(date(2003, 5, 1), -24) == date(2001, 5, 1)


def test_a_month_ends_on_its_last_day_leap_years_included():
    assert month_end(date(2004, 2, 10)) == date(2004, 2, 29)
    assert month_end(date(2003, 2, 1)) == date(2003, 2, 28)
    assert month_end(date(2003, 12, 1)) == date(2003, 12, 31)


def test_months_between_lists_both_ends_and_nothing_when_the_span_is_backwards():
    assert months_between(date(2003, 11, 20), date(2004, 2, 3)) == [
        date(2003, 11, 1), date(2003, 12, 1), date(2004, 1, 1), date(2004, 2, 1),
    ]  # fmt: skip
    assert months_between(date(2003, 5, 20), date(2003, 5, 2)) == [date(2003, 5, 1)]
    assert months_between(date(2003, 6, 1), date(2003, 5, 31)) == []
    assert months_count(date(2003, 6, 1), date(2003, 5, 31)) == 0


@given(days, steps)
def test_adding_then_subtracting_gives_the_month_back(day, count):
    assert month_add(month_add(day, count), -count) == month_start(day)


@given(days, steps)
def test_counting_agrees_with_adding(day, count):
    later = month_add(day, abs(count))
    assert months_count(day, later) == abs(count) + 1
    assert len(months_between(day, later)) == abs(count) + 1


@given(days)
def test_the_day_after_a_month_s_end_starts_the_next_month(day):
    end = month_end(day)
    assert end.month == day.month
    assert end + timedelta(days=1) == month_add(day, 1)
