"""Every kind of incentive rule, each amount worked out by hand in the test."""

from decimal import Decimal as D

import pytest

from bdsmarket.incentives import rules
from bdsmarket.incentives.rules import (
    Cap,
    Kind,
    PenaltyBand,
    PenaltyMeasure,
    Reason,
    RuleInputs,
    RuleSpec,
    SchemeSpec,
    Threshold,
    Tier,
)

BASES = {"paid_by_client": "money", "income": "money", "women_attentions": "count"}
INDICATORS = {"cost_recovery", "end_user_share"}


def rate(**options) -> RuleSpec:
    return RuleSpec(code="paid", kind=Kind.RATE, base="paid_by_client", **options)


def month(base, **options) -> RuleInputs:
    values = {"base": None if base is None else D(base), "on_time": True, "program_year": 1}
    return RuleInputs(**{**values, **options})


def pay(rule: RuleSpec, inputs: RuleInputs, keep=D(1)) -> rules.Line:
    return rules.line_compute(rule, inputs, keep)


def test_a_flat_rate_pays_its_share_of_the_base():
    line = pay(rate(rate=D("0.20")), month("1000"))

    assert (line.gross, line.amount, line.reason) == (D("200.00"), D("200.00"), Reason.PAID)


def test_tiers_pay_each_slice_of_the_base_at_its_own_rate():
    tiers = (Tier(D(0), D(1000), D("0.30")), Tier(D(1000), D(3000), D("0.20")),
             Tier(D(3000), None, D("0.10")))  # fmt: skip

    # 1000 x 0.30 + 2000 x 0.20 + 1000 x 0.10 = 300 + 400 + 100
    assert pay(rate(tiers=tiers), month("4000")).amount == D("800.00")
    # 1000 x 0.30 + 500 x 0.20
    assert pay(rate(tiers=tiers), month("1500")).amount == D("400.00")
    assert pay(rate(tiers=tiers), month("0")).amount == D("0.00")


def test_a_baseline_is_not_paid_for():
    rule = rate(rate=D("0.50"), base_floor=D(1000))

    # (1500 - 1000) x 0.50
    assert pay(rule, month("1500")).amount == D("250.00")
    below = pay(rule, month("800"))
    assert (below.amount, below.reason) == (D(0), Reason.BELOW_FLOOR)


def test_the_rate_declines_by_the_provider_s_program_year():
    rule = rate(rate=D("0.20"), year_factors=(D(1), D("0.75"), D("0.5")))

    amounts = [pay(rule, month("1000", program_year=year)).amount for year in (1, 2, 3, 7)]
    # 200, then 200 x 0.75, then 200 x 0.5 from the third year on
    assert amounts == [D("200.00"), D("150.00"), D("100.00"), D("100.00")]


def test_a_bonus_pays_an_amount_per_unit_of_a_priority_group():
    rule = RuleSpec(code="women", kind=Kind.BONUS, base="women_attentions",
                    amount_per_unit=D("5.00"))  # fmt: skip

    assert pay(rule, month("12")).amount == D("60.00")  # 12 x 5


def test_the_monthly_cap_limits_a_month():
    line = pay(rate(rate=D("0.20"), cap_per_period=D(150)), month("1000"))

    assert (line.before_caps, line.amount, line.cap) == (D("200.00"), D(150), Cap.PERIOD)


def test_the_yearly_cap_counts_what_earlier_months_of_the_year_paid():
    line = pay(rate(rate=D("0.20"), cap_per_year=D(500)), month("1000", paid_in_year=D(400)))

    assert (line.amount, line.cap) == (D(100), Cap.YEAR)  # 500 - 400


def test_the_total_cap_once_reached_pays_nothing_more():
    rule = rate(rate=D("0.20"), cap_total=D(1000))

    almost = pay(rule, month("1000", paid_in_total=D(990)))
    reached = pay(rule, month("1000", paid_in_total=D(1000)))

    assert (almost.amount, almost.cap) == (D(10), Cap.TOTAL)
    assert (reached.amount, reached.reason) == (D(0), Reason.CAPPED)


def test_the_tightest_cap_is_the_one_that_binds():
    rule = rate(rate=D("0.20"), cap_per_period=D(180), cap_per_year=D(500), cap_total=D(2000))

    line = pay(rule, month("1000", paid_in_year=D(350), paid_in_total=D(350)))

    assert (line.amount, line.cap) == (D(150), Cap.YEAR)  # min(200, 180, 500-350, 2000-350)


def test_nothing_is_paid_below_a_threshold_of_an_indicator():
    rule = rate(rate=D("0.20"), threshold=Threshold("cost_recovery", D("0.5")))

    below = pay(rule, month("1000", threshold_value=D("0.4")))
    undefined = pay(rule, month("1000", threshold_value=None))
    reached = pay(rule, month("1000", threshold_value=D("0.5")))

    assert (below.amount, below.reason) == (D(0), Reason.BELOW_THRESHOLD)
    assert undefined.reason == Reason.BELOW_THRESHOLD
    assert reached.amount == D("200.00")


def test_a_rule_for_reports_on_time_pays_nothing_for_a_late_one():
    line = pay(rate(rate=D("0.20"), on_time_only=True), month("1000", on_time=False))

    assert (line.amount, line.reason) == (D(0), Reason.LATE)


def test_a_base_without_a_value_pays_nothing():
    assert pay(rate(rate=D("0.20")), month(None)).reason == Reason.NOT_DEFINED


def test_the_verification_keeps_a_share_of_each_amount_by_the_gap_s_band():
    bands = (PenaltyBand(D("0.10"), D("0.75")), PenaltyBand(D("0.50"), D(0)))

    assert rules.penalty_keep(bands, D("0.05")) == 1
    assert rules.penalty_keep(bands, D("0.10")) == D("0.75")
    assert rules.penalty_keep(bands, D("0.49")) == D("0.75")
    assert rules.penalty_keep(bands, D("0.50")) == 0
    assert rules.penalty_keep(bands, None, D("0.9")) == D("0.9")


def test_a_month_whose_verified_figures_differ_by_half_or_more_pays_nothing():
    bands = (PenaltyBand(D("0.10"), D("0.75")), PenaltyBand(D("0.5"), D(0)))
    spec = SchemeSpec(rules=(rate(rate=D("0.20")),), penalty_bands=bands)
    inputs = {"paid": month("1000")}

    kept = rules.month_compute(spec, inputs, gap=D("0.2"))
    lost = rules.month_compute(spec, inputs, gap=D("0.5"))

    assert (kept.keep, kept.total) == (D("0.75"), D("150.00"))  # 200 x 0.75
    assert (lost.total, lost.lines[0].reason) == (D(0), Reason.PENALIZED)


def test_the_gap_is_what_the_clients_did_not_confirm_of_the_claimed():
    figures = {"claimed_income": D(200), "verified_income": D(150),
               "claimed_paid_by_client": D(100), "verified_paid_by_client": D(100),
               "checked": 4, "discrepancies": 1}  # fmt: skip

    assert rules.verification_gap(PenaltyMeasure.INCOME, **figures) == D("0.25")
    assert rules.verification_gap(PenaltyMeasure.PAID_BY_CLIENT, **figures) == 0
    assert rules.verification_gap(PenaltyMeasure.ROWS, **figures) == D("0.25")
    assert rules.verification_gap(PenaltyMeasure.INCOME, **{**figures, "checked": 0}) is None


def test_amounts_are_rounded_half_up_to_the_cent_once():
    # 333.35 x 0.05 = 16.6675 -> 16.67
    assert pay(rate(rate=D("0.05")), month("333.35")).amount == D("16.67")


def test_the_program_year_counts_twelve_months_from_the_start():
    assert rules.program_year((1997, 3), (1997, 3)) == 1
    assert rules.program_year((1997, 3), (1998, 2)) == 1
    assert rules.program_year((1997, 3), (1998, 3)) == 2
    assert rules.program_year((1997, 3), (1996, 1)) == 1  # before it started: its first year


# Checking a scheme


def problems_of(*rule_list: RuleSpec, **scheme) -> list[tuple[str, str, str]]:
    spec = SchemeSpec(rules=rule_list, **scheme)
    return [(p.rule, p.field, p.code) for p in rules.scheme_problems(spec, BASES, INDICATORS)]


def test_a_sound_scheme_has_no_problem():
    tiers = (Tier(D(0), D(1000), D("0.3")), Tier(D(1000), None, D("0.1")))
    assert problems_of(rate(tiers=tiers, cap_total=D(5000)),
                       RuleSpec(code="w", kind=Kind.BONUS, base="women_attentions",
                                amount_per_unit=D(2))) == []  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (rate(rate=D("1.5")), ("paid", "rate", "rate_range")),
        (rate(rate=D("-0.1")), ("paid", "rate", "rate_range")),
        (rate(), ("paid", "rate", "rate_missing")),
        (rate(rate=D("0.1"), cap_per_year=D(-1)), ("paid", "cap_per_year", "negative")),
        (rate(rate=D("0.1"), year_factors=(D(1), D("1.2"))),
         ("paid", "year_factors", "rate_range")),
        (RuleSpec(code="x", kind=Kind.RATE, base="turnover", rate=D("0.1")),
         ("x", "base", "unknown_base")),
        (RuleSpec(code="x", kind=Kind.RATE, base="women_attentions", rate=D("0.1")),
         ("x", "base", "base_not_count_for_rate")),
        (RuleSpec(code="x", kind=Kind.BONUS, base="income", amount_per_unit=D(1)),
         ("x", "base", "base_not_money_for_bonus")),
        (rate(rate=D("0.1"), threshold=Threshold("happiness", D(1))),
         ("paid", "threshold", "unknown_indicator")),
    ],
)  # fmt: skip
def test_it_names_each_problem_of_a_rule(rule, problem):
    assert problem in problems_of(rule)


@pytest.mark.parametrize(
    ("tiers", "code"),
    [
        ((Tier(D(0), D(1000), D("0.3")), Tier(D(900), None, D("0.1"))), "tiers_overlap"),
        ((Tier(D(0), D(1000), D("0.3")), Tier(D(1100), None, D("0.1"))), "tiers_gap"),
        ((Tier(D(100), None, D("0.3")),), "tiers_gap"),
        ((Tier(D(0), None, D("0.3")), Tier(D(1000), None, D("0.1"))), "tiers_open_before_last"),
    ],
)
def test_tiers_that_overlap_or_leave_gaps_are_refused(tiers, code):
    assert ("paid", "tiers", code) in problems_of(rate(tiers=tiers))


def test_a_scheme_without_rules_or_with_two_rules_of_one_code_is_refused():
    assert ("", "rules", "no_rules") in problems_of()
    assert ("paid", "code", "duplicate_code") in problems_of(
        rate(rate=D("0.1")), rate(rate=D("0.2"))
    )


def test_penalty_bands_go_up_and_keep_a_fraction():
    bands = (PenaltyBand(D("0.5"), D(0)), PenaltyBand(D("0.1"), D("1.5")))

    found = problems_of(rate(rate=D("0.1")), penalty_bands=bands)

    assert ("", "penalty_bands", "bands_order") in found
    assert ("", "penalty_bands", "rate_range") in found
