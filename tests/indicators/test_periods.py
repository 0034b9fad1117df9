"""Periods as people write them on the command line: a year, a quarter, a month, a span."""

from datetime import date

import pytest

from bdsmarket.indicators.periods import Period, month_name, parse_month, parse_period, period_name


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2003", date(2003, 1, 1), date(2003, 12, 1)),
        ("2003-Q1", date(2003, 1, 1), date(2003, 3, 1)),
        ("2003-Q2", date(2003, 4, 1), date(2003, 6, 1)),
        ("2003-q4", date(2003, 10, 1), date(2003, 12, 1)),
        ("2003-05", date(2003, 5, 1), date(2003, 5, 1)),
        ("2003-01..2003-06", date(2003, 1, 1), date(2003, 6, 1)),
        ("1996-01..2004-04", date(1996, 1, 1), date(2004, 4, 1)),
        ("2003-05..2003-05", date(2003, 5, 1), date(2003, 5, 1)),
        (" 2003-05 ", date(2003, 5, 1), date(2003, 5, 1)),
    ],
)
def test_it_reads_every_way_of_writing_a_period(text, first, last):
    assert parse_period(text) == Period(first, last)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "03",
        "2003-13",
        "2003-00",
        "2003-5",
        "2003-Q5",
        "2003-Q0",
        "2003-06..2003-01",  # ends before it begins
        "2003-01..",
        "..2003-06",
        "2003..2004",
        "0000",
        "May 2003",
        "2003-05-12",
    ],
)
def test_it_refuses_what_is_not_a_period(text):
    assert parse_period(text) is None


def test_a_month_is_written_yyyy_mm():
    assert parse_month("2003-05") == date(2003, 5, 1)
    assert parse_month("2003-5") is None
    assert parse_month("05/2003") is None
    assert month_name(date(2003, 5, 17)) == "2003-05"


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [
        (date(2003, 1, 1), date(2003, 12, 1), "2003"),
        (date(2003, 4, 1), date(2003, 6, 1), "2003-Q2"),
        (date(2003, 5, 1), date(2003, 5, 1), "2003-05"),
        (date(2003, 2, 1), date(2003, 4, 1), "2003-02..2003-04"),  # three months, no quarter
        (date(2003, 1, 1), date(2004, 12, 1), "2003-01..2004-12"),
        (date(1996, 1, 1), date(2004, 4, 1), "1996-01..2004-04"),
    ],
)
def test_a_period_is_named_in_its_shortest_form(first, last, name):
    assert period_name(first, last) == name
    assert str(Period(first, last)) == name


@pytest.mark.parametrize("text", ["2003", "2003-Q3", "2003-07", "2003-02..2003-11"])
def test_a_periods_name_reads_back_as_the_same_period(text):
    period = parse_period(text)
    assert period is not None
    assert parse_period(str(period)) == period
