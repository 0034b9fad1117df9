from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdsmarket.registry.rules import (
    IdKind,
    InvalidNationalId,
    SizeBounds,
    classify_national_id,
    size_class_for,
)

MICRO = SizeBounds("micro", 1, 10, Decimal("60000"), date(1994, 1, 1), date(2002, 12, 31))
SMALL = SizeBounds("small", 2, 50, Decimal("750000"), date(1994, 1, 1), date(2002, 12, 31))
MICRO_2003 = SizeBounds("micro03", 1, 10, Decimal("133000"), date(2003, 1, 1), None)
TABLE = [SMALL, MICRO, MICRO_2003]


def test_it_recognises_a_ruc_with_a_good_check_digit():
    assert classify_national_id("20100047218") == IdKind.RUC
    assert classify_national_id("20-100047218") == IdKind.RUC


def test_it_rejects_a_ruc_with_a_bad_check_digit():
    with pytest.raises(InvalidNationalId) as caught:
        classify_national_id("20100047219")
    assert caught.value.kind == IdKind.RUC


def test_it_recognises_eight_digits_as_a_dni():
    assert classify_national_id("44556677") == IdKind.DNI


def test_it_says_a_providers_own_client_number_is_no_national_id():
    assert classify_national_id("C-0042") is None
    assert classify_national_id("12345") is None


def test_a_workshop_of_six_with_modest_sales_is_micro_in_1999():
    assert (
        size_class_for(TABLE, workers=6, annual_sales=Decimal("20000"), on=date(1999, 5, 1))
        == "micro"
    )


def test_sales_above_the_micro_bound_make_a_small_workshop_small():
    assert (
        size_class_for(TABLE, workers=6, annual_sales=Decimal("90000"), on=date(1999, 5, 1))
        == "small"
    )


def test_the_same_figures_follow_the_law_in_force_on_the_date():
    assert (
        size_class_for(TABLE, workers=6, annual_sales=Decimal("90000"), on=date(2003, 5, 1))
        == "micro03"
    )


def test_no_class_when_nothing_is_known_or_the_firm_is_larger():
    assert size_class_for(TABLE, workers=None, annual_sales=None, on=date(1999, 1, 1)) is None
    assert size_class_for(TABLE, workers=400, annual_sales=None, on=date(1999, 1, 1)) is None


@given(
    workers=st.integers(min_value=0, max_value=500),
    sales=st.decimals(min_value=0, max_value=2_000_000, places=2),
)
def test_the_class_found_always_admits_the_figures_and_no_smaller_class_does(workers, sales):
    day = date(2000, 6, 1)
    found = size_class_for(TABLE, workers=workers, annual_sales=sales, on=day)
    in_force = [c for c in TABLE if c.in_force_on(day)]
    if found is None:
        assert not any(c.admits(workers, sales) for c in in_force)
    else:
        chosen = next(c for c in in_force if c.code == found)
        assert chosen.admits(workers, sales)
        assert not any(c.admits(workers, sales) for c in in_force if c.rank < chosen.rank)


def _stdnum_verdict(value: str) -> IdKind | str | None:
    """What python-stdnum alone says of `value`: the kind, None for no ID shape, or "invalid"."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.pe import cui, ruc

    digits = "".join(ch for ch in value.strip() if ch not in " .-")
    if not digits.isdigit() or len(digits) not in (8, 11):
        return None
    try:
        (cui if len(digits) == 8 else ruc).validate(digits)
    except StdnumError:
        return "invalid"
    return IdKind.DNI if len(digits) == 8 else IdKind.RUC


@given(
    st.text(alphabet="0123456789 .-٣²", min_size=0, max_size=14)
    | st.from_regex(r"(10|15|17|20)[0-9]{9}", fullmatch=True)
)
def test_it_classifies_every_id_as_stdnum_does(value):
    expected = _stdnum_verdict(value)
    try:
        kind = classify_national_id(value)
    except InvalidNationalId:
        kind = "invalid"
    assert kind == expected
