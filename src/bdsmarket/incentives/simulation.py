"""The simulator: a scheme (a draft, or two side by side) run over past months, in memory.

Nothing is stored: staff see what each provider would have been paid, month by month, and
what the scheme would have cost in all, before they adopt it. The caps carry over from
month to month inside the run, as they would have if the scheme had been in force.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bdsmarket.core.money import ZERO
from bdsmarket.core.months import months_between, months_count
from bdsmarket.registry.models import Provider

from . import queries, services
from .models import IncentiveScheme

MAX_MONTHS = 240  # a page or the API runs a simulation within a request; the command has no limit


def span_check(first: date, last: date, max_months: int | None = MAX_MONTHS) -> None:
    """Raise ValidationError at "last" when the span ends before it begins or is longer
    than `max_months` (None: no limit)."""
    months = months_count(first, last)
    if months < 1:
        raise ValidationError({"last": [_("The period ends before it begins.")]})
    if max_months is not None and months > max_months:
        raise ValidationError(
            {"last": [_("Simulate at most %(count)s months at once.") % {"count": max_months}]}
        )


@dataclass(frozen=True)
class SimulationRequest:
    """A simulation as asked for and checked: what `simulate` takes."""

    schemes: list[IncentiveScheme]
    first_month: date
    last_month: date
    providers: list[Provider] | None  # None: those whose support package covers each month


def simulation_request(
    *,
    schemes: Sequence[IncentiveScheme],
    first: date,
    last: date,
    providers: Sequence[Provider] | None = None,
    max_months: int | None = MAX_MONTHS,
) -> SimulationRequest:
    """Return the simulation of `schemes` (one, or two side by side) from the month of
    `first` to that of `last` for `providers` (none given: the default), checked for every
    door: the page's form, the API and the command.

    A page or the API runs a simulation within a request, so they keep the span within
    MAX_MONTHS; the command passes `max_months=None`. Raises ValidationError keyed by the
    part at fault: "schemes" (not one or two), "other" (the second is the first again),
    "last" (the span).
    """
    errors: dict[str, list[str]] = {}
    if not 1 <= len(schemes) <= 2:
        errors["schemes"] = [_("Give one scheme, or two to compare them.")]
    elif len(schemes) == 2 and schemes[0].pk == schemes[1].pk:
        errors["other"] = [_("Choose another scheme to compare with, or none.")]
    first_month, last_month = first.replace(day=1), last.replace(day=1)
    try:
        span_check(first_month, last_month, max_months)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    chosen = list(dict.fromkeys(providers)) if providers else None
    return SimulationRequest(list(schemes), first_month, last_month, chosen)


@dataclass
class SchemeRun:
    """One scheme's results over the span."""

    scheme: IncentiveScheme
    # provider pk → month → amount
    by_provider_month: dict[int, dict[date, Decimal]] = field(default_factory=dict)
    # rule code → amount over the span
    by_rule: dict[str, Decimal] = field(default_factory=dict)

    def provider_total(self, provider_id: int) -> Decimal:
        return sum(self.by_provider_month.get(provider_id, {}).values(), ZERO)

    def month_total(self, month: date) -> Decimal:
        return sum((months.get(month, ZERO) for months in self.by_provider_month.values()), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((self.provider_total(pk) for pk in self.by_provider_month), ZERO)


@dataclass(frozen=True)
class Simulation:
    first_month: date
    last_month: date
    months: tuple[date, ...]
    providers: tuple[Provider, ...]
    runs: tuple[SchemeRun, ...]


def simulate(
    schemes: list[IncentiveScheme],
    first_month: date,
    last_month: date,
    providers: list[Provider] | None = None,
) -> Simulation:
    """Return each of `schemes` applied to every approved month from `first_month` to
    `last_month` of `providers` (default: those whose support package covers the month),
    as if it had been in force from the first month on (nothing paid before it)."""
    months = months_between(first_month, last_month)
    chosen = list(providers) if providers is not None else None
    runs = []
    for scheme in schemes:
        spec = queries.scheme_spec(scheme)
        run = SchemeRun(scheme)
        # provider → rule → (paid this calendar year, paid in the run)
        earlier: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
        by_rule: dict[str, Decimal] = defaultdict(Decimal)
        for month in months:
            if month.month == 1:  # a new calendar year: its caps start again
                for paid in earlier.values():
                    paid.update({code: (ZERO, total) for code, (_year, total) in paid.items()})
            candidates = chosen if chosen is not None else list(queries.supported_providers(month))
            for figures in services.month_figures(
                spec, scheme.code, candidates, month, earlier=earlier
            ):
                pk = figures.provider.pk
                run.by_provider_month.setdefault(pk, {})[month] = figures.result.total
                paid = earlier[pk]
                for line in figures.result.lines:
                    year, total = paid.get(line.code, (ZERO, ZERO))
                    paid[line.code] = (year + line.amount, total + line.amount)
                    by_rule[line.code] += line.amount
        run.by_rule = dict(by_rule)
        runs.append(run)
    reported = {pk for run in runs for pk in run.by_provider_month}
    return Simulation(
        months[0] if months else first_month,
        months[-1] if months else last_month,
        tuple(months),
        tuple(Provider.objects.filter(pk__in=reported).order_by("code")),
        tuple(runs),
    )
