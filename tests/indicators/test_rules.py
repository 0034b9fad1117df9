"""The indicators' formulas and the benchmark's statistics, without a database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdsmarket.indicators import definitions, rules

EMPTY = dict.fromkeys(rules.MEASURES, 0)


def test_every_indicator_of_the_definitions_has_a_formula_or_waits_for_its_module():
    for indicator in definitions.ALL:
        assert (indicator.id in rules.FORMULAS) == indicator.available, indicator.id


@pytest.mark.parametrize(
    "indicator_id",
    [
        "repeat_rate",
        "end_user_share",
        "fully_paid_share",
        "partially_subsidized_share",
        "fully_subsidized_share",
        "average_price",
        "cost_recovery",
        "market_cost_recovery",
        "cost_per_attention",
        "women_share",
        "micro_and_pre_share",
        "outside_capital_share",
        "market_share",
        "income_growth",
        "return_to_same_provider",
    ],
)
def test_a_ratio_over_nothing_is_not_defined_rather_than_zero(indicator_id):
    assert rules.value_of(indicator_id, EMPTY) is None


def test_counts_over_nothing_are_zero():
    assert rules.value_of("attentions", EMPTY) == 0
    assert rules.value_of("new_clients", EMPTY) == 0
    assert rules.value_of("income", EMPTY) == Decimal(0)


def test_money_is_kept_in_cents_and_given_back_exactly():
    measures = {**EMPTY, "attentions": 3, "income": 10001, "paid_by_client": 4500}

    assert rules.value_of("income", measures) == Decimal("100.01")
    assert rules.value_of("end_user_share", measures) == Decimal(4500) / Decimal(10001)
    assert rules.value_of("average_price", measures) == Decimal("100.01") / 3


def test_cost_recovery_counts_other_income_and_needs_a_cost_report():
    measures = {**EMPTY, "income": 80_00, "other_income": 40_00, "costs": 100_00}

    assert rules.value_of("cost_recovery", measures) is None  # no cost report in the scope
    with_report = {**measures, "cost_reports": 1}
    assert rules.value_of("cost_recovery", with_report) == Decimal("1.2")
    assert rules.covers_costs(rules.value_of("cost_recovery", with_report)) is True
    assert rules.value_of("market_cost_recovery", {**with_report, "paid_by_client": 50_00}) == (
        Decimal("0.5")
    )


def test_income_growth_compares_with_the_previous_period():
    assert rules.value_of("income_growth", {**EMPTY, "income": 150, "previous_income": 100}) == (
        Decimal("0.5")
    )
    assert rules.value_of("income_growth", {**EMPTY, "income": 150, "previous_income": 0}) is None


def test_the_previous_period_has_the_same_number_of_months():
    assert rules.previous_span(date(2003, 1, 1), date(2003, 12, 1)) == (
        date(2002, 1, 1),
        date(2002, 12, 1),
    )
    assert rules.previous_span(date(2003, 2, 1), date(2003, 4, 1)) == (
        date(2002, 11, 1),
        date(2003, 1, 1),
    )


def test_quartiles_are_the_inclusive_ones_and_one_value_is_its_own_median():
    spread = rules.spread([Decimal(v) for v in (1, 2, 3, 4, 5)])
    assert spread is not None
    assert (spread.lower_quartile, spread.median, spread.upper_quartile) == (2, 3, 4)
    single = rules.spread([Decimal(7)])
    assert single == rules.Spread(Decimal(7), Decimal(7), Decimal(7), 1)
    assert rules.spread([]) is None


def test_rank_one_is_the_best_in_the_indicator_s_good_direction_and_ties_share_a_rank():
    values = {10: Decimal("0.5"), 11: Decimal("0.9"), 12: Decimal("0.5"), 13: Decimal("0.1")}

    assert rules.ranks(values, higher_is_better=True) == {11: 1, 10: 2, 12: 2, 13: 4}
    assert rules.ranks(values, higher_is_better=False) == {13: 1, 10: 2, 12: 2, 11: 4}


@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=40))
def test_ranks_run_from_one_and_never_pass_the_number_of_providers(numbers):
    values = dict(enumerate(Decimal(n) for n in numbers))
    ranked = rules.ranks(values, higher_is_better=True)
    assert min(ranked.values()) == 1
    assert max(ranked.values()) <= len(values)
    best = max(values.values())
    assert all(rank == 1 for key, rank in ranked.items() if values[key] == best)


def test_a_provider_keeps_its_pseudonym_and_two_providers_get_two():
    salt = "a-program-secret"
    assert rules.pseudonym(salt, 7) == rules.pseudonym(salt, 7)
    assert rules.pseudonym(salt, 7) != rules.pseudonym(salt, 8)
    assert rules.pseudonym(salt, 7) != rules.pseudonym("another-program", 7)
    assert len(rules.pseudonym(salt, 7)) == 6


def test_the_pseudonyms_of_two_thousand_providers_are_all_different():
    names = {rules.pseudonym("salt", provider_id) for provider_id in range(1, 2001)}
    assert len(names) == 2000
