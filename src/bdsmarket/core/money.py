"""Money: exact Decimals, stored to the cent (NUMERIC(14, 2)), rounded half up.

Two zeros on purpose: `ZERO` is the number nothing (a sum's start, a comparison), and
`ZERO_AMOUNT` is an amount of money that is nothing, written with its cents ("0.00"), for
sums the database returns and pages show. Rates, factors and the incentives' intermediate
bases are not money: they keep four places in their own columns.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ZERO_AMOUNT = Decimal("0.00")
CENT = Decimal("0.01")


def money_round(value: Decimal | int) -> Decimal:
    """Return `value` rounded to the cent, halves up (2.345 → 2.35)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None) -> str | None:
    """Return an amount with its two decimals ("55.00"), None when there is none."""
    return None if value is None else f"{money_round(value)}"
