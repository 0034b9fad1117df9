"""Money is rounded to the cent, halves up, and written with its two decimals."""

from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from bdsmarket.core.db import MONEY_SUM
from bdsmarket.core.money import ZERO, ZERO_AMOUNT, money_round, money_text
from bdsmarket.monitoring.models import Delivery


def test_it_rounds_halves_up_to_the_cent():
    assert money_round(Decimal("2.345")) == Decimal("2.35")
    assert money_round(Decimal("2.344")) == Decimal("2.34")
    assert money_round(Decimal("-2.345")) == Decimal("-2.35")
    assert str(money_round(7)) == "7.00"


def test_an_amount_is_written_with_its_two_decimals():
    assert money_text(Decimal("55")) == "55.00"
    assert money_text(Decimal("0.125")) == "0.13"
    assert money_text(None) is None


def test_the_two_zeros_are_equal_but_write_differently():
    assert ZERO == ZERO_AMOUNT
    assert (str(ZERO), str(ZERO_AMOUNT)) == ("0", "0.00")


def test_a_sum_over_no_rows_is_a_decimal_nothing(db):
    found = Delivery.objects.aggregate(
        total=Coalesce(Sum("price"), Value(ZERO_AMOUNT), output_field=MONEY_SUM)
    )

    assert isinstance(found["total"], Decimal)
    assert found["total"] == ZERO
