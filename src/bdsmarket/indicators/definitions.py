"""Every indicator of docs/indicators.md as metadata: what it means, its unit, which way is
good, its formula and where its figures come from, in the reader's language.

The identifiers are the contract (code, API, exports, files) and never change. The formulas
themselves are pure functions in rules.py; what they add up is in `rules.MEASURES`.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Unit(StrEnum):
    COUNT = "count"  # attentions, clients, providers
    PEOPLE = "people"
    MONEY = "money"  # in the program's currency
    SHARE = "share"  # a fraction, shown as a percentage
    RATIO = "ratio"  # e.g. income over costs, shown with two decimals


class Direction(StrEnum):
    UP = "up"  # more is better
    DOWN = "down"  # less is better
    NEUTRAL = "neutral"  # neither: a provider is not ranked on it


class Source(StrEnum):
    FACTS = "facts"  # the approved months' figures (summary table), additive
    ROWS = "rows"  # the delivery rows themselves (distinct clients, returns)
    COSTS = "costs"  # the monthly cost reports with the approved months' income
    VOUCHERS = "vouchers"  # the voucher module (not part of this release)
    SURVEYS = "surveys"  # the survey module (not part of this release)


class Family(StrEnum):
    SCALE = "scale"
    REPEAT = "repeat"
    INCOME = "income"
    SUSTAINABILITY = "sustainability"
    OUTREACH = "outreach"
    MARKET = "market"
    VOUCHERS = "vouchers"
    SURVEYS = "surveys"


FAMILY_NAMES: dict[Family, Promise] = {
    Family.SCALE: _("Scale and service mix"),
    Family.REPEAT: _("Repeat business"),
    Family.INCOME: _("Income and who pays"),
    Family.SUSTAINABILITY: _("Sustainability and cost-effectiveness"),
    Family.OUTREACH: _("Outreach and access"),
    Family.MARKET: _("Market development"),
    Family.VOUCHERS: _("Vouchers"),
    Family.SURVEYS: _("Surveys"),
}


@dataclass(frozen=True)
class Indicator:
    """One indicator's reference sheet."""

    id: str
    family: Family
    name: Promise
    definition: Promise
    formula: str  # in the identifiers of rules.MEASURES: the same in every language
    unit: Unit
    direction: Direction
    source: Source

    @property
    def available(self) -> bool:
        """Whether this release computes it (vouchers and surveys come with their modules)."""
        return self.source not in (Source.VOUCHERS, Source.SURVEYS)

    @property
    def ranked(self) -> bool:
        """Whether providers are ranked on it in a benchmark."""
        return self.direction != Direction.NEUTRAL

    @property
    def needs_costs(self) -> bool:
        return self.source == Source.COSTS


def _indicator(
    id: str,
    family: Family,
    name: Promise,
    definition: Promise,
    formula: str,
    unit: Unit,
    direction: Direction,
    source: Source = Source.FACTS,
) -> Indicator:
    return Indicator(id, family, name, definition, formula, unit, direction, source)


ALL: tuple[Indicator, ...] = (
    # Scale and service mix
    _indicator(
        "attentions",
        Family.SCALE,
        _("Attentions"),
        _("Delivery rows: services sold or given to one client, repeat clients included."),
        "attentions",
        Unit.COUNT,
        Direction.UP,
    ),
    _indicator(
        "participants",
        Family.SCALE,
        _("Participants"),
        _("People who attended, summed over the rows (a training event counts each one)."),
        "participants",
        Unit.PEOPLE,
        Direction.UP,
    ),
    _indicator(
        "clients",
        Family.SCALE,
        _("Clients"),
        _(
            "Distinct clients: one per valid DNI or RUC across providers; a client without "
            "one counts once per provider."
        ),
        "count(distinct client key)",
        Unit.COUNT,
        Direction.UP,
        Source.ROWS,
    ),
    # Repeat business
    _indicator(
        "repeat_rate",
        Family.REPEAT,
        _("Repeat attentions"),
        _(
            "Share of attentions to a client the same provider had attended before (on the "
            "same day, the row stored first is the earlier one); earlier months count."
        ),
        "repeats / attentions",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "new_clients",
        Family.REPEAT,
        _("New clients"),
        _("Attentions that are not repeat attentions."),
        "attentions - repeats",
        Unit.COUNT,
        Direction.UP,
    ),
    _indicator(
        "return_to_same_provider",
        Family.REPEAT,
        _("Return to the same provider"),
        _(
            "Among clients attended at least twice anywhere in the program, whose second "
            "attention falls in the period: the share whose second attention was with the "
            "same provider as their first."
        ),
        "returned to the first provider / came back",
        Unit.SHARE,
        Direction.UP,
        Source.ROWS,
    ),
    # Income and who pays
    _indicator(
        "income",
        Family.INCOME,
        _("Income"),
        _("The full price of the attentions, whoever paid it."),
        "income",
        Unit.MONEY,
        Direction.UP,
    ),
    _indicator(
        "paid_by_client",
        Family.INCOME,
        _("Paid by clients"),
        _("The part of the income the clients paid themselves."),
        "paid_by_client",
        Unit.MONEY,
        Direction.UP,
    ),
    _indicator(
        "paid_by_voucher",
        Family.INCOME,
        _("Paid by vouchers"),
        _("The part of the income covered by vouchers."),
        "paid_by_voucher",
        Unit.MONEY,
        Direction.NEUTRAL,
    ),
    _indicator(
        "paid_by_third_party",
        Family.INCOME,
        _("Paid by third parties"),
        _("The part of the income paid by institutions, projects or donors."),
        "paid_by_third_party",
        Unit.MONEY,
        Direction.NEUTRAL,
    ),
    _indicator(
        "end_user_share",
        Family.INCOME,
        _("Paid by the end users"),
        _("Share of the income the clients paid themselves."),
        "paid_by_client / income",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "fully_paid_share",
        Family.INCOME,
        _("Fully paid by the client"),
        _("Among attentions with a price: share the client paid in full."),
        "fully_paid / priced",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "partially_subsidized_share",
        Family.INCOME,
        _("Partially subsidized"),
        _("Among attentions with a price: share the client paid in part."),
        "partially_subsidized / priced",
        Unit.SHARE,
        Direction.NEUTRAL,
    ),
    _indicator(
        "fully_subsidized_share",
        Family.INCOME,
        _("Fully subsidized"),
        _("Among attentions with a price: share the client paid nothing of."),
        "fully_subsidized / priced",
        Unit.SHARE,
        Direction.DOWN,
    ),
    _indicator(
        "free_attentions",
        Family.INCOME,
        _("Free attentions"),
        _("Attentions with no price at all (left out of the three shares above)."),
        "free",
        Unit.COUNT,
        Direction.NEUTRAL,
    ),
    _indicator(
        "average_price",
        Family.INCOME,
        _("Average price"),
        _("Income per attention."),
        "income / attentions",
        Unit.MONEY,
        Direction.NEUTRAL,
    ),
    # Sustainability and cost-effectiveness
    _indicator(
        "costs",
        Family.SUSTAINABILITY,
        _("Costs"),
        _("Staff, premises and other costs of the months reported."),
        "costs",
        Unit.MONEY,
        Direction.NEUTRAL,
        Source.COSTS,
    ),
    _indicator(
        "cost_recovery",
        Family.SUSTAINABILITY,
        _("Cost recovery"),
        _("Income from services and other income (subsidies included) over costs."),
        "(income + other_income) / costs",
        Unit.RATIO,
        Direction.UP,
        Source.COSTS,
    ),
    _indicator(
        "market_cost_recovery",
        Family.SUSTAINABILITY,
        _("Cost recovery from clients"),
        _("What clients paid over costs: cost recovery without any subsidy."),
        "paid_by_client / costs",
        Unit.RATIO,
        Direction.UP,
        Source.COSTS,
    ),
    _indicator(
        "covers_costs",
        Family.SUSTAINABILITY,
        _("Providers covering their costs"),
        _("Providers whose cost recovery is 1 or more (for one provider: yes or no)."),
        "count(provider: cost_recovery >= 1)",
        Unit.COUNT,
        Direction.UP,
        Source.COSTS,
    ),
    _indicator(
        "cost_per_attention",
        Family.SUSTAINABILITY,
        _("Cost per attention"),
        _("Costs over attentions."),
        "costs / attentions",
        Unit.MONEY,
        Direction.DOWN,
        Source.COSTS,
    ),
    # Outreach and access
    _indicator(
        "women_share",
        Family.OUTREACH,
        _("Women"),
        _("Attentions to women (owners, managers or persons) among those with a gender."),
        "women / gendered",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "micro_and_pre_share",
        Family.OUTREACH,
        _("Micro and pre-enterprises"),
        _("Attentions to micro-enterprises and pre-enterprises."),
        "micro_and_pre / attentions",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "outside_capital_share",
        Family.OUTREACH,
        _("Outside the capital"),
        _("Attentions to clients outside the program's capital city."),
        "outside_capital / attentions",
        Unit.SHARE,
        Direction.UP,
    ),
    # Market development
    _indicator(
        "market_share",
        Family.MARKET,
        _("Market share"),
        _(
            "The providers' attentions over all providers' attentions in the same cities "
            "(grouped by city: in each city)."
        ),
        "attentions / attentions of all providers",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "income_growth",
        Family.MARKET,
        _("Income growth"),
        _("Change of income against the previous period of the same length."),
        "(income - previous income) / previous income",
        Unit.SHARE,
        Direction.UP,
    ),
    _indicator(
        "active_providers",
        Family.MARKET,
        _("Active providers"),
        _("Providers with at least one attention."),
        "count(provider: attentions > 0)",
        Unit.COUNT,
        Direction.UP,
    ),
    # Vouchers and surveys: defined here, computed by their modules when they come.
    _indicator(
        "vouchers_issued",
        Family.VOUCHERS,
        _("Vouchers issued"),
        _("Vouchers issued in the period."),
        "count(vouchers issued)",
        Unit.COUNT,
        Direction.UP,
        Source.VOUCHERS,
    ),
    _indicator(
        "vouchers_redeemed",
        Family.VOUCHERS,
        _("Vouchers redeemed"),
        _("Vouchers issued in the period and redeemed."),
        "count(vouchers redeemed)",
        Unit.COUNT,
        Direction.UP,
        Source.VOUCHERS,
    ),
    _indicator(
        "vouchers_expired",
        Family.VOUCHERS,
        _("Vouchers expired"),
        _("Vouchers issued in the period that expired unused."),
        "count(vouchers expired)",
        Unit.COUNT,
        Direction.DOWN,
        Source.VOUCHERS,
    ),
    _indicator(
        "redemption_rate",
        Family.VOUCHERS,
        _("Redemption rate"),
        _("Vouchers redeemed over vouchers issued."),
        "vouchers_redeemed / vouchers_issued",
        Unit.SHARE,
        Direction.UP,
        Source.VOUCHERS,
    ),
    _indicator(
        "subsidy_paid",
        Family.VOUCHERS,
        _("Subsidy paid"),
        _("Voucher amounts reimbursed to providers."),
        "sum(reimbursed)",
        Unit.MONEY,
        Direction.NEUTRAL,
        Source.VOUCHERS,
    ),
    _indicator(
        "leverage",
        Family.VOUCHERS,
        _("Leverage"),
        _("Clients' co-payments on voucher services over the subsidy paid."),
        "co-payments / subsidy_paid",
        Unit.RATIO,
        Direction.UP,
        Source.VOUCHERS,
    ),
    _indicator(
        "satisfaction_mean",
        Family.SURVEYS,
        _("Satisfaction"),
        _("Mean of the 1-5 satisfaction answers."),
        "mean(satisfaction)",
        Unit.RATIO,
        Direction.UP,
        Source.SURVEYS,
    ),
    _indicator(
        "satisfied_share",
        Family.SURVEYS,
        _("Satisfied clients"),
        _("Answers of 4 or 5 over answers."),
        "answers 4 or 5 / answers",
        Unit.SHARE,
        Direction.UP,
        Source.SURVEYS,
    ),
    _indicator(
        "service_confirmed_share",
        Family.SURVEYS,
        _("Service confirmed"),
        _("Clients who confirm they received the service, over respondents."),
        "confirmed / respondents",
        Unit.SHARE,
        Direction.UP,
        Source.SURVEYS,
    ),
    _indicator(
        "startup_rate",
        Family.SURVEYS,
        _("Start-up rate"),
        _("Pre-entrepreneurs who started a business, over those followed up."),
        "started / followed up",
        Unit.SHARE,
        Direction.UP,
        Source.SURVEYS,
    ),
    _indicator(
        "survival_rate",
        Family.SURVEYS,
        _("Survival rate"),
        _("Of those who started, the share still operating at the follow-up."),
        "operating / started",
        Unit.SHARE,
        Direction.UP,
        Source.SURVEYS,
    ),
)

BY_ID: dict[str, Indicator] = {indicator.id: indicator for indicator in ALL}
AVAILABLE: tuple[Indicator, ...] = tuple(indicator for indicator in ALL if indicator.available)

# `attentions_by_<dimension>` and `income_by_client_type` are the grouped forms of
# `attentions` and `income`, each group with its share (docs/indicators.md).
_GROUPED_ATTENTIONS = (
    "client_type",
    "client_gender",
    "client_sector",
    "client_city",
    "service_type",
    "provider",
    "month",
    "year",
)
GROUPED_FORMS = {
    **{f"attentions_by_{name}": ("attentions", name) for name in _GROUPED_ATTENTIONS},
    "income_by_client_type": ("income", "client_type"),
}


def indicator(id: str) -> Indicator:
    """Return the indicator named `id`; KeyError when there is none."""
    return BY_ID[id]
