"""Reads of incentives: the figures a rule pays on (through the indicator engine, approved
reports only), what earlier statements already pay under a rule (for the caps), and a
scheme as the pure rules take it."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.models import User
from bdsmarket.core.money import ZERO_AMOUNT
from bdsmarket.core.months import month_add
from bdsmarket.indicators import definitions
from bdsmarket.indicators.models import Basis
from bdsmarket.indicators.queries import Scope, indicators_compute
from bdsmarket.registry.models import ClientType, Gender, Provider

from . import permissions, rules
from .models import (
    Budget,
    Commitment,
    Component,
    IncentiveRule,
    IncentiveScheme,
    Payment,
    PaymentBatch,
    Statement,
    StatementLine,
    SupportPackage,
)


@dataclass(frozen=True)
class StatementFilters:
    """What a list of statements is narrowed by; empty values filter nothing.

    Without a `status`, only the current version of each provider's month is listed,
    unless `include_superseded`; `status="superseded"` lists the replaced versions.
    """

    month: date | None = None
    provider: Provider | int | None = None
    provider_code: str = ""
    status: str = ""
    include_superseded: bool = False


def statement_list(*, actor: User | None, filters: StatementFilters) -> QuerySet[Statement]:
    """Return the statements `actor` may see that match `filters`, the latest month first,
    then by provider code and newest version (None: the system, which sees every one).

    Raises PermissionDenied for a role that sees no incentives.
    """
    if actor is None:
        statements = Statement.objects.select_related("provider", "scheme")
    elif not permissions.can_see_incentives(actor):
        raise PermissionDenied(gettext("Your role does not see incentives."))
    else:
        statements = permissions.statements_visible_to(actor)
    if filters.status:
        statements = statements.filter(status=filters.status)
    elif not filters.include_superseded:
        statements = statements.current()
    if filters.month is not None:
        statements = statements.filter(month=filters.month.replace(day=1))
    if filters.provider is not None:
        statements = statements.filter(provider=filters.provider)
    if code := filters.provider_code.strip().upper():
        statements = statements.filter(provider__code=code)
    return statements.order_by("-month", "provider__code", "-version")


@dataclass(frozen=True)
class Base:
    """A figure a rule may pay on: an indicator over the provider's month, maybe filtered."""

    name: Promise
    indicator: str
    filters: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def unit(self) -> str:
        """ "money" for amounts (a rate applies), "count" for counts (an amount per unit)."""
        money = definitions.BY_ID[self.indicator].unit == definitions.Unit.MONEY
        return "money" if money else "count"

    @property
    def scope_filters(self) -> dict[str, frozenset[str]]:
        return dict(self.filters)


BASES: dict[str, Base] = {
    "income": Base(_("Income"), "income"),
    "paid_by_client": Base(_("Income paid by clients"), "paid_by_client"),
    "income_micro": Base(
        _("Income from micro-enterprises"),
        "income",
        (("client_type", frozenset([ClientType.MICRO])),),
    ),
    "income_micro_and_pre": Base(
        _("Income from micro and pre-enterprises"),
        "income",
        (("client_type", frozenset([ClientType.MICRO, ClientType.PRE_ENTERPRISE])),),
    ),
    "paid_by_client_micro": Base(
        _("Paid by micro-enterprises themselves"),
        "paid_by_client",
        (("client_type", frozenset([ClientType.MICRO])),),
    ),
    "attentions": Base(_("Attentions"), "attentions"),
    "new_clients": Base(_("New clients"), "new_clients"),
    "women_attentions": Base(
        _("Attentions to women"),
        "attentions",
        (("client_gender", frozenset([Gender.FEMALE])),),
    ),
    "pre_enterprise_attentions": Base(
        _("Attentions to pre-enterprises"),
        "attentions",
        (("client_type", frozenset([ClientType.PRE_ENTERPRISE])),),
    ),
    "micro_and_pre_attentions": Base(
        _("Attentions to micro and pre-enterprises"),
        "attentions",
        (("client_type", frozenset([ClientType.MICRO, ClientType.PRE_ENTERPRISE])),),
    ),
}


def base_units() -> dict[str, str]:
    """Return each base's unit, as scheme_problems checks rules against them."""
    return {code: base.unit for code, base in BASES.items()}


def threshold_indicators() -> set[str]:
    """Return the indicators a rule's threshold may test (those of a provider's month)."""
    return {
        indicator.id
        for indicator in definitions.AVAILABLE
        if indicator.source in (definitions.Source.FACTS, definitions.Source.COSTS)
    }


def figures_of(
    month: date, providers: Collection[int], *, bases: Iterable[str], indicators: Iterable[str]
) -> dict[int, dict[str, Decimal | None]]:
    """Return, for each provider, the month's value of each base and indicator named (keys
    "base:<code>" and "indicator:<id>"), from approved reports; one engine query per
    distinct filter."""
    wanted: dict[tuple[tuple[str, frozenset[str]], ...], set[str]] = defaultdict(set)
    names: dict[tuple[tuple[tuple[str, frozenset[str]], ...], str], list[str]] = defaultdict(list)
    for code in set(bases):
        base = BASES[code]
        wanted[base.filters].add(base.indicator)
        names[(base.filters, base.indicator)].append(f"base:{code}")
    for indicator in set(indicators):
        wanted[()].add(indicator)
        names[((), indicator)].append(f"indicator:{indicator}")
    figures: dict[int, dict[str, Decimal | None]] = {pk: {} for pk in providers}
    for filters, ids in wanted.items():
        scope = Scope(
            month,
            month,
            providers=frozenset(providers),
            filters=dict(filters),
            basis=Basis.APPROVED,
        )
        result = indicators_compute(scope, sorted(ids), ["provider"])
        values = {group.key[0]: group.values for group in result.groups}
        for provider_id in providers:
            for indicator in ids:
                value = values.get(provider_id, {}).get(indicator)
                if (
                    value is None
                    and provider_id not in values
                    and definitions.BY_ID[indicator].unit
                    in (definitions.Unit.COUNT, definitions.Unit.PEOPLE, definitions.Unit.MONEY)
                ):
                    value = 0  # no row of the filter this month: none of it
                for name in names[(filters, indicator)]:
                    figures[provider_id][name] = None if value is None else Decimal(value)
    return figures


def paid_before(
    provider_id: int, scheme_code: str, month: date
) -> dict[str, tuple[Decimal, Decimal]]:
    """Return, for each rule code, what the current statements of the months before `month`
    pay under the scheme `scheme_code` (any version): (this calendar year, in total)."""
    lines = StatementLine.objects.current().filter(
        statement__provider_id=provider_id,
        statement__scheme__code=scheme_code,
        statement__month__lt=month,
    )
    total = dict(
        lines.values("rule__code").annotate(s=Sum("amount")).values_list("rule__code", "s")
    )
    year = dict(
        lines.filter(statement__month__year=month.year)
        .values("rule__code")
        .annotate(s=Sum("amount"))
        .values_list("rule__code", "s")
    )
    return {
        code: (year.get(code) or Decimal(0), amount or Decimal(0)) for code, amount in total.items()
    }


def supported_providers(month: date) -> QuerySet[Provider]:
    """Return the providers whose support package covers `month` (incentives are part of
    it), by code."""
    month = month.replace(day=1)
    return (
        Provider.objects.filter(package__starts_on__lt=month_add(month, 1))
        .exclude(package__ends_on__lt=month)
        .order_by("code")
    )


def scheme_in_force(month: date, code: str | None = None) -> IncentiveScheme | None:
    """Return the adopted scheme (of `code`, else any) in force in `month`, latest version."""
    schemes = IncentiveScheme.objects.filter(
        status=IncentiveScheme.Status.ADOPTED, effective_from__lte=month
    ).exclude(effective_to__lt=month)
    if code is not None:
        schemes = schemes.filter(code=code)
    return schemes.order_by("-effective_from", "-version").first()


def scheme_spec(scheme: IncentiveScheme) -> rules.SchemeSpec:
    """Return `scheme` as the pure rules take it."""
    return rules.SchemeSpec(
        rules=tuple(rule_spec(rule) for rule in scheme.rules.all()),
        penalty_bands=tuple(
            rules.PenaltyBand(Decimal(str(band["from_gap"])), Decimal(str(band["keep"])))
            for band in scheme.penalty_bands
        ),
        penalty_measure=rules.PenaltyMeasure(scheme.penalty_measure),
        unverified_keep=scheme.unverified_keep,
    )


def rule_spec(rule: IncentiveRule) -> rules.RuleSpec:
    """Return one stored rule as the pure rules take it."""

    def amount(value: object) -> Decimal | None:
        return None if value is None or value == "" else Decimal(str(value))

    return rules.RuleSpec(
        code=rule.code,
        kind=rules.Kind(rule.kind),
        base=rule.base,
        rate=rule.rate,
        tiers=tuple(
            rules.Tier(
                Decimal(str(tier["lower"])), amount(tier.get("upper")), Decimal(str(tier["rate"]))
            )
            for tier in rule.tiers
        ),
        amount_per_unit=rule.amount_per_unit,
        base_floor=rule.base_floor,
        year_factors=tuple(Decimal(str(factor)) for factor in rule.year_factors),
        cap_per_period=rule.cap_per_period,
        cap_per_year=rule.cap_per_year,
        cap_total=rule.cap_total,
        threshold=(
            rules.Threshold(rule.threshold_indicator, rule.threshold_minimum)
            if rule.threshold_indicator and rule.threshold_minimum is not None
            else None
        ),
        on_time_only=rule.on_time_only,
    )


# Support packages' ledger


@dataclass(frozen=True)
class Balance:
    """Committed against paid of one component, for a package or the whole program."""

    component: str
    committed: Decimal
    paid: Decimal
    hours_committed: int
    hours_paid: int
    budget: Decimal | None = None  # the program's budget for the component (program only)

    @property
    def label(self) -> str:
        return str(Component(self.component).label)

    @property
    def balance(self) -> Decimal:
        """What is committed and not paid yet."""
        return self.committed - self.paid

    @property
    def uncommitted(self) -> Decimal | None:
        """What of the budget no package has been promised yet."""
        return None if self.budget is None else self.budget - self.committed


def _balances(
    commitments: QuerySet[Commitment], payments: QuerySet[Payment], budgets: dict[str, Decimal]
) -> list[Balance]:
    committed = {
        row["component"]: row
        for row in commitments.order_by()
        .values("component")
        .annotate(amount=Sum("amount"), hours=Sum("hours"))
    }
    paid = {
        row["component"]: row
        for row in payments.order_by()
        .values("component")
        .annotate(amount=Sum("amount"), hours=Sum("hours"))
    }
    zero = ZERO_AMOUNT
    nothing: dict[str, Any] = {}
    return [
        Balance(
            component,
            committed.get(component, nothing).get("amount") or zero,
            paid.get(component, nothing).get("amount") or zero,
            committed.get(component, nothing).get("hours") or 0,
            paid.get(component, nothing).get("hours") or 0,
            budgets.get(component),
        )
        for component in Component.values
    ]


def package_balances(package: SupportPackage) -> list[Balance]:
    """Return the package's committed, paid and left by component (every component)."""
    return _balances(package.commitments.all(), package.payments.all(), {})


def program_balances(packages: QuerySet[SupportPackage] | None = None) -> list[Balance]:
    """Return every package's commitments and payments by component, against the budget."""
    chosen = packages if packages is not None else SupportPackage.objects.all()
    budgets = dict(Budget.objects.values_list("component", "amount"))
    return _balances(
        Commitment.objects.filter(package__in=chosen),
        Payment.objects.filter(package__in=chosen),
        budgets,
    )


def line_rows_url(statement: Statement, rule_base: str) -> str:
    """Return the address of the rows behind a line's base: the provider's approved rows of
    the month that the base counts (its filter applied), with the figure recomputed."""
    from bdsmarket.indicators.rows import rows_url

    base = BASES[rule_base]
    scope = Scope(
        statement.month,
        statement.month,
        providers=frozenset([statement.provider_id]),
        filters=base.scope_filters,
        basis=Basis.APPROVED,
    )
    return rows_url(scope, indicator=base.indicator)


@dataclass(frozen=True)
class Transfer:
    """What one provider gets (negative: gives back) from a batch: its statements'
    differences added up, and where the money goes."""

    provider: Provider
    package: SupportPackage | None
    statements: tuple[Statement, ...]

    @property
    def amount(self) -> Decimal:
        return sum((statement.difference for statement in self.statements), Decimal(0))

    @property
    def direction(self) -> str:
        """ "pay", or "recover" when the program takes back more than it pays."""
        return "pay" if self.amount >= 0 else "recover"

    @property
    def account_holder(self) -> str:
        return (self.package.account_holder if self.package else "") or self.provider.name


def batch_transfers(batch: PaymentBatch) -> tuple[list[Statement], list[Transfer]]:
    """Return the batch's statements (by provider code, month and version) and its
    transfers, one per provider, by provider code."""
    statements = list(
        Statement.objects.filter(batch=batch)
        .select_related("provider", "scheme", "superseded_by")
        .order_by("provider__code", "month", "version")
    )
    packages = {
        package.provider_id: package
        for package in SupportPackage.objects.filter(
            provider__in={statement.provider_id for statement in statements}
        )
    }
    by_provider: dict[int, list[Statement]] = {}
    for statement in statements:
        by_provider.setdefault(statement.provider_id, []).append(statement)
    transfers = [
        Transfer(chosen[0].provider, packages.get(chosen[0].provider_id), tuple(chosen))
        for chosen in by_provider.values()
    ]
    return statements, transfers


def statements_current(month: date) -> list[Statement]:
    """Return every current statement of `month`, by provider code, lines prefetched."""
    return list(
        Statement.objects.current()
        .filter(month=month.replace(day=1))
        .select_related("provider", "scheme", "superseded_by")
        .prefetch_related("lines__rule")
        .order_by("provider__code", "version")
    )
