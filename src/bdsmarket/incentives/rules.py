"""Results-based incentives as pure calculations: a scheme's rules applied to one provider's
month, every step kept so a statement can explain each amount. No Django here.

A rule pays on a *base* (a verified figure of the month: income paid by clients, new
clients, attentions to women…):

1. eligibility: the report was on time (when the rule asks), and a threshold indicator is
   reached (e.g. nothing below a cost recovery of 0.5);
2. the base above the rule's floor (a baseline not paid for);
3. gross: a flat rate of it, or marginal tiers (each slice at its own rate), or, for a
   bonus, an amount per unit (per woman attended, per pre-enterprise);
4. the factor of the provider's program year (rates that decline as a center matures);
5. the penalty of the month's verification: what the sample's clients confirmed against
   what was claimed (e.g. nothing paid when they differ by half or more);
6. the caps: per month, per calendar year and in total, against what earlier months'
   statements already pay under the same rule.

Money is Decimal and rounded to the cent once, at the end of each line.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from enum import StrEnum

from bdsmarket.core.money import ZERO, money_round

ONE = Decimal(1)


class Kind(StrEnum):
    RATE = "rate"  # a share of a money base
    BONUS = "bonus"  # an amount per unit of a count base


class Cap(StrEnum):
    PERIOD = "period"
    YEAR = "year"
    TOTAL = "total"


class Reason(StrEnum):
    """Why a line pays nothing (or less than its base says)."""

    PAID = "paid"
    NOT_DEFINED = "not_defined"  # the base has no value this month
    LATE = "late"  # the rule pays on reports sent on time only
    BELOW_THRESHOLD = "below_threshold"
    BELOW_FLOOR = "below_floor"
    PENALIZED = "penalized"  # the verification took it all
    CAPPED = "capped"  # a cap took it all


class PenaltyMeasure(StrEnum):
    """What the verification's gap is measured on."""

    INCOME = "income"  # 1 - verified income / claimed income, on the checked rows
    PAID_BY_CLIENT = "paid_by_client"  # the same on the clients' part
    ROWS = "rows"  # rows not confirmed or differing, over rows checked


@dataclass(frozen=True)
class Tier:
    """A slice of the base, from `lower` up to `upper` (None: no end), paid at `rate`."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Threshold:
    """The rule pays only when `indicator` reaches `minimum` in the month."""

    indicator: str
    minimum: Decimal


@dataclass(frozen=True)
class RuleSpec:
    """One line of a scheme."""

    code: str
    kind: Kind
    base: str
    rate: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    amount_per_unit: Decimal | None = None
    base_floor: Decimal = ZERO
    # Factor by the provider's program year: the first for year 1, and so on; the last one
    # holds for every later year. Empty: 1 every year.
    year_factors: tuple[Decimal, ...] = ()
    cap_per_period: Decimal | None = None
    cap_per_year: Decimal | None = None
    cap_total: Decimal | None = None
    threshold: Threshold | None = None
    on_time_only: bool = False


@dataclass(frozen=True)
class PenaltyBand:
    """From a verification gap of `from_gap` up, only `keep` of each amount is paid."""

    from_gap: Decimal
    keep: Decimal


@dataclass(frozen=True)
class SchemeSpec:
    rules: tuple[RuleSpec, ...]
    penalty_bands: tuple[PenaltyBand, ...] = ()
    penalty_measure: PenaltyMeasure = PenaltyMeasure.INCOME
    # What is kept of a month whose sample nobody has checked yet.
    unverified_keep: Decimal = ONE


# Checking a scheme


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scheme: where (rule code or "" for the scheme, field) and what
    (a code the services word in the reader's language, with its parameters)."""

    rule: str
    field: str
    code: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)


def _shown(value: Decimal) -> str:
    """Return a figure as a person typed it: 1.5, not 1.5000 as the database keeps it."""
    return f"{value.normalize():f}"


def _fraction_problem(rule: str, name: str, value: Decimal | None) -> list[Problem]:
    if value is not None and not ZERO <= value <= ONE:
        return [Problem(rule, name, "rate_range", {"value": _shown(value)})]
    return []


def scheme_problems(
    spec: SchemeSpec, bases: Mapping[str, str], indicators: set[str]
) -> list[Problem]:
    """Return everything wrong with `spec` (nothing: the scheme can be adopted). `bases` are
    the figures a rule may pay on, each "money" (for a rate) or "count" (for a bonus).

    Rates and factors lie between 0 and 1, caps and amounts are not negative, tiers start
    at 0, follow each other without overlap or gap, and only the last is open-ended; each
    rule's base and threshold indicator exist; rule codes are unique.
    """
    problems: list[Problem] = []
    if not spec.rules:
        problems.append(Problem("", "rules", "no_rules"))
    codes = [rule.code for rule in spec.rules]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(Problem(code, "code", "duplicate_code"))
    for rule in spec.rules:
        problems += _rule_problems(rule, bases, indicators)
    previous: Decimal | None = None
    for band in spec.penalty_bands:
        problems += _fraction_problem("", "penalty_bands", band.keep)
        problems += _fraction_problem("", "penalty_bands", band.from_gap)
        if previous is not None and band.from_gap <= previous:
            problems.append(Problem("", "penalty_bands", "bands_order"))
        previous = band.from_gap
    problems += _fraction_problem("", "unverified_keep", spec.unverified_keep)
    return problems


def _rule_problems(rule: RuleSpec, bases: Mapping[str, str], indicators: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    code = rule.code
    if rule.base not in bases:
        problems.append(Problem(code, "base", "unknown_base", {"base": rule.base}))
    elif bases[rule.base] != ("money" if rule.kind == Kind.RATE else "count"):
        problems.append(
            Problem(
                code, "base", f"base_not_{bases[rule.base]}_for_{rule.kind}", {"base": rule.base}
            )
        )
    if rule.kind == Kind.RATE:
        if rule.rate is None and not rule.tiers:
            problems.append(Problem(code, "rate", "rate_missing"))
        if rule.rate is not None and rule.tiers:
            problems.append(Problem(code, "tiers", "rate_and_tiers"))
        problems += _fraction_problem(code, "rate", rule.rate)
        problems += _tier_problems(code, rule.tiers)
    else:
        if rule.amount_per_unit is None:
            problems.append(Problem(code, "amount_per_unit", "amount_missing"))
        elif rule.amount_per_unit < 0:
            problems.append(Problem(code, "amount_per_unit", "negative"))
    for factor in rule.year_factors:
        problems += _fraction_problem(code, "year_factors", factor)
    for name in ("cap_per_period", "cap_per_year", "cap_total", "base_floor"):
        value = getattr(rule, name)
        if value is not None and value < 0:
            problems.append(Problem(code, name, "negative", {"value": _shown(value)}))
    if rule.threshold is not None and rule.threshold.indicator not in indicators:
        problems.append(
            Problem(code, "threshold", "unknown_indicator", {"indicator": rule.threshold.indicator})
        )
    return problems


def _tier_problems(code: str, tiers: Sequence[Tier]) -> list[Problem]:
    problems: list[Problem] = []
    expected = ZERO
    for position, tier in enumerate(tiers):
        problems += _fraction_problem(code, "tiers", tier.rate)
        if tier.lower < expected:
            problems.append(Problem(code, "tiers", "tiers_overlap", {"at": _shown(tier.lower)}))
        elif tier.lower > expected:
            problems.append(
                Problem(
                    code,
                    "tiers",
                    "tiers_gap",
                    {"from": _shown(expected), "to": _shown(tier.lower)},
                )
            )
        last = position == len(tiers) - 1
        if tier.upper is None:
            if not last:
                problems.append(Problem(code, "tiers", "tiers_open_before_last"))
            break
        if tier.upper <= tier.lower:
            problems.append(Problem(code, "tiers", "tiers_empty", {"at": _shown(tier.lower)}))
        expected = tier.upper
    return problems


# Computing a month


@dataclass(frozen=True)
class RuleInputs:
    """What a rule needs of one provider's month."""

    base: Decimal | None  # the base's verified figure (None: not defined this month)
    on_time: bool
    program_year: int  # 1 in the provider's first year
    threshold_value: Decimal | None = None
    paid_in_year: Decimal = ZERO  # this rule's amounts of earlier months of the same year
    paid_in_total: Decimal = ZERO  # … of every earlier month


@dataclass(frozen=True)
class Line:
    """One rule applied to a month, every step kept (the statement's line)."""

    code: str
    base: Decimal | None
    counted: Decimal  # the base above the floor
    gross: Decimal  # rate times counted, the tiers' sum, or units times amount
    year_factor: Decimal
    penalty_keep: Decimal
    before_caps: Decimal
    cap: Cap | None  # the cap that bound, if any
    amount: Decimal
    reason: Reason


def tiered(amount: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """Return what `amount` pays under marginal `tiers`: each slice at its own rate."""
    total = ZERO
    for tier in tiers:
        if amount <= tier.lower:
            break
        top = amount if tier.upper is None else min(amount, tier.upper)
        total += (top - tier.lower) * tier.rate
    return total


def year_factor(factors: Sequence[Decimal], program_year: int) -> Decimal:
    """Return the factor of `program_year` (the last factor holds for every later year)."""
    if not factors:
        return ONE
    return factors[min(max(program_year, 1), len(factors)) - 1]


def penalty_keep(
    bands: Sequence[PenaltyBand], gap: Decimal | None, unverified_keep: Decimal = ONE
) -> Decimal:
    """Return the share of each amount kept after the verification: the band the gap falls
    in (the highest `from_gap` not above it), 1 below every band; `unverified_keep` when
    nothing was verified (gap None)."""
    if gap is None:
        return unverified_keep
    keep = ONE
    for band in bands:
        if gap >= band.from_gap:
            keep = band.keep
    return keep


def verification_gap(
    measure: PenaltyMeasure,
    *,
    claimed_income: Decimal,
    verified_income: Decimal,
    claimed_paid_by_client: Decimal,
    verified_paid_by_client: Decimal,
    checked: int,
    discrepancies: int,
) -> Decimal | None:
    """Return how far the verified figures fall short of the claimed, from 0 (as claimed)
    to 1 (nothing confirmed); None when no sampled row was checked."""
    if not checked:
        return None
    if measure == PenaltyMeasure.ROWS:
        return Decimal(discrepancies) / Decimal(checked)
    claimed, verified = (
        (claimed_income, verified_income)
        if measure == PenaltyMeasure.INCOME
        else (claimed_paid_by_client, verified_paid_by_client)
    )
    if claimed <= 0:
        return ZERO
    return min(ONE, max(ZERO, ONE - verified / claimed))


def line_compute(rule: RuleSpec, inputs: RuleInputs, keep: Decimal) -> Line:
    """Return `rule` applied to one month whose verification keeps `keep` of each amount."""

    def nothing(reason: Reason, counted: Decimal = ZERO) -> Line:
        factor = year_factor(rule.year_factors, inputs.program_year)
        return Line(rule.code, inputs.base, counted, ZERO, factor, keep, ZERO, None, ZERO, reason)

    if inputs.base is None:
        return nothing(Reason.NOT_DEFINED)
    if rule.on_time_only and not inputs.on_time:
        return nothing(Reason.LATE)
    if rule.threshold is not None and (
        inputs.threshold_value is None or inputs.threshold_value < rule.threshold.minimum
    ):
        return nothing(Reason.BELOW_THRESHOLD)
    counted = max(ZERO, inputs.base - rule.base_floor)
    if counted == 0 and inputs.base > 0:
        return nothing(Reason.BELOW_FLOOR)
    if rule.kind == Kind.BONUS:
        gross = counted * (rule.amount_per_unit or ZERO)
    elif rule.tiers:
        gross = tiered(counted, rule.tiers)
    else:
        gross = counted * (rule.rate or ZERO)
    factor = year_factor(rule.year_factors, inputs.program_year)
    before_caps = money_round(gross * factor * keep)
    amount, cap = before_caps, None
    room = {
        Cap.PERIOD: rule.cap_per_period,
        Cap.YEAR: None if rule.cap_per_year is None else rule.cap_per_year - inputs.paid_in_year,
        Cap.TOTAL: None if rule.cap_total is None else rule.cap_total - inputs.paid_in_total,
    }
    for name, left in room.items():
        if left is not None and amount > max(ZERO, left):
            amount, cap = max(ZERO, left), name
    if amount == 0:
        reason = Reason.CAPPED if cap else (Reason.PENALIZED if gross and not keep else Reason.PAID)
    else:
        reason = Reason.PAID
    return Line(
        rule.code,
        inputs.base,
        counted,
        money_round(gross),
        factor,
        keep,
        before_caps,
        cap,
        money_round(amount),
        reason,
    )


@dataclass(frozen=True)
class MonthResult:
    """A scheme applied to one provider's month: its lines and what they pay in all."""

    lines: tuple[Line, ...]
    gap: Decimal | None
    keep: Decimal

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def month_compute(
    spec: SchemeSpec, inputs: Mapping[str, RuleInputs], gap: Decimal | None
) -> MonthResult:
    """Return every rule of `spec` applied to a month (`inputs` by rule code)."""
    keep = penalty_keep(spec.penalty_bands, gap, spec.unverified_keep)
    lines = tuple(line_compute(rule, inputs[rule.code], keep) for rule in spec.rules)
    return MonthResult(lines, gap, keep)


def program_year(starts: tuple[int, int], month: tuple[int, int]) -> int:
    """Return the provider's program year in `month` ((year, month)) counted from the month
    it started (`starts`): 1 in its first twelve months."""
    elapsed = (month[0] - starts[0]) * 12 + month[1] - starts[1]
    return max(0, elapsed) // 12 + 1
