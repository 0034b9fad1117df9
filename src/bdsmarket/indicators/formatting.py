"""Figures as people read them, in the active language: the one way every page, export,
bulletin and e-mail writes an indicator's value."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .definitions import Indicator, Unit

NOT_DEFINED = "—"


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure(indicator: Indicator, value: object, *, currency: str = "") -> str:
    """Return `value` of `indicator` written out: "—" when not defined, shares as
    percentages, money with two decimals and the currency, counts with thousands marks."""
    if value is None:
        return NOT_DEFINED
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if indicator.unit == Unit.SHARE:
        return number_format(_rounded(number * 100, 1), 1, force_grouping=True) + " %"
    if indicator.unit == Unit.MONEY:
        amount = number_format(_rounded(number, 2), 2, force_grouping=True)
        return f"{currency} {amount}".strip()
    if indicator.unit == Unit.RATIO:
        return number_format(_rounded(number, 2), 2, force_grouping=True)
    return number_format(_rounded(number, 0), 0, force_grouping=True)


def change(indicator: Indicator, value: Decimal | None, *, currency: str = "") -> str:
    """Return a change of an indicator's value with its sign ("+2.5 points" for shares)."""
    if value is None:
        return NOT_DEFINED
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "±")  # a true minus sign
    size = abs(value)
    if indicator.unit == Unit.SHARE:
        points = number_format(_rounded(size * 100, 1), 1, force_grouping=True)
        return _("%(sign)s%(points)s points") % {"sign": sign, "points": points}
    return sign + figure(indicator, size, currency=currency)


def plain(value: object) -> str:
    """Return a value for a file (CSV, XLSX, JSON): full precision, "" when not defined."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)
