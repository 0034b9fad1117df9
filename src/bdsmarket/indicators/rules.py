"""The indicators' formulas and the benchmark's statistics, as pure functions. No Django here.

An indicator is a function of *measures*: additive counts and sums over the delivery rows in
a scope (money in cents, so that sums stay exact on every database), plus a few figures the
engine brings along for the indicators that need more than one scope (`market_attentions`,
`previous_income`, `providers`, the per-provider cost recovery of `covers_costs`). A value is
None when the indicator is not defined for the scope (a zero denominator): shown as "—",
never as 0.
"""

import hashlib
import hmac
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bdsmarket.core.months import month_add, months_count

# The additive figures of a scope, as the summary table keeps them per provider and month.
MEASURES = (
    "attentions",
    "participants",
    "income",  # cents
    "paid_by_client",  # cents
    "paid_by_voucher",  # cents
    "paid_by_third_party",  # cents
    "priced",  # attentions with a price above 0
    "fully_paid",  # … whose client paid the whole price
    "partially_subsidized",  # … whose client paid a part
    "fully_subsidized",  # … whose client paid nothing
    "free",  # attentions with no price
    "repeats",  # repeat attentions
    "women",  # attentions with client_gender female
    "gendered",  # attentions with a gender (not na)
    "micro_and_pre",  # attentions to micro and pre-enterprises
    "outside_capital",  # attentions to clients outside the capital
    "costs",  # cents, from the cost reports
    "other_income",  # cents, from the cost reports
    "cost_reports",  # months with a cost report
)
MONEY_MEASURES = frozenset(
    ("income", "paid_by_client", "paid_by_voucher", "paid_by_third_party", "costs", "other_income")
)
HUNDRED = Decimal(100)

Measures = Mapping[str, int | Decimal | None]
Value = Decimal | int | None


def ratio(numerator: int | Decimal | None, denominator: int | Decimal | None) -> Decimal | None:
    """Return numerator / denominator, or None when the denominator is zero (not defined)."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def money(cents: int | Decimal | None) -> Decimal | None:
    """Return an amount in cents as an amount in the currency."""
    return None if cents is None else Decimal(cents) / HUNDRED


def _cost_recovery(m: Measures) -> Decimal | None:
    if not m.get("cost_reports"):
        return None
    return ratio((m["income"] or 0) + (m["other_income"] or 0), m["costs"])


def _growth(m: Measures) -> Decimal | None:
    previous = m.get("previous_income")
    if previous is None:
        return None
    return ratio((m["income"] or 0) - previous, previous)


FORMULAS: dict[str, Callable[[Measures], Value]] = {
    "attentions": lambda m: m["attentions"],
    "participants": lambda m: m["participants"],
    "clients": lambda m: m.get("clients"),
    "repeat_rate": lambda m: ratio(m["repeats"], m["attentions"]),
    "new_clients": lambda m: (m["attentions"] or 0) - (m["repeats"] or 0),
    "return_to_same_provider": lambda m: ratio(m.get("returned"), m.get("came_back")),
    "income": lambda m: money(m["income"]),
    "paid_by_client": lambda m: money(m["paid_by_client"]),
    "paid_by_voucher": lambda m: money(m["paid_by_voucher"]),
    "paid_by_third_party": lambda m: money(m["paid_by_third_party"]),
    "end_user_share": lambda m: ratio(m["paid_by_client"], m["income"]),
    "fully_paid_share": lambda m: ratio(m["fully_paid"], m["priced"]),
    "partially_subsidized_share": lambda m: ratio(m["partially_subsidized"], m["priced"]),
    "fully_subsidized_share": lambda m: ratio(m["fully_subsidized"], m["priced"]),
    "free_attentions": lambda m: m["free"],
    "average_price": lambda m: money(ratio(m["income"], m["attentions"])),
    "costs": lambda m: money(m["costs"]) if m.get("cost_reports") else None,
    "cost_recovery": _cost_recovery,
    "market_cost_recovery": lambda m: (
        ratio(m["paid_by_client"], m["costs"]) if m.get("cost_reports") else None
    ),
    "covers_costs": lambda m: m.get("covering_providers"),
    "cost_per_attention": lambda m: (
        money(ratio(m["costs"], m["attentions"])) if m.get("cost_reports") else None
    ),
    "women_share": lambda m: ratio(m["women"], m["gendered"]),
    "micro_and_pre_share": lambda m: ratio(m["micro_and_pre"], m["attentions"]),
    "outside_capital_share": lambda m: ratio(m["outside_capital"], m["attentions"]),
    "market_share": lambda m: ratio(m["attentions"], m.get("market_attentions")),
    "income_growth": _growth,
    "active_providers": lambda m: m.get("providers"),
}


def value_of(indicator_id: str, measures: Measures) -> Value:
    """Return indicator `indicator_id` over a scope whose measures are `measures`."""
    return FORMULAS[indicator_id](measures)


def covers_costs(recovery: Decimal | None) -> bool | None:
    """Whether a cost recovery covers the costs (None when it is not defined)."""
    return None if recovery is None else recovery >= 1


def measures_add(rows: Iterable[Measures]) -> dict[str, int]:
    """Return the sums of each measure over `rows` (the measures are additive)."""
    total = dict.fromkeys(MEASURES, 0)
    for row in rows:
        for name in MEASURES:
            total[name] += int(row.get(name) or 0)
    return total


def share(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """Return a group's share of the whole (None when the whole is zero)."""
    return ratio(part, whole)


# Periods: a scope covers whole months, from its first to its last.


def previous_span(first: date, last: date) -> tuple[date, date]:
    """Return the span of the same number of months just before `first`…`last`."""
    length = months_count(first, last)
    return month_add(first, -length), month_add(first, -1)


def quarter_of(month: date) -> int:
    return (month.month - 1) // 3 + 1


def bulletin_is_news(month: date, today: date) -> bool:
    """Whether approving `month`'s report today sends its bulletin: a benchmark is news for
    the month being reported (last month) or later, not for a late report of long ago."""
    return month.replace(day=1) >= month_add(today.replace(day=1), -1)


# Benchmarks


@dataclass(frozen=True)
class Spread:
    """Where the peers' values lie: quartiles and how many peers have a value."""

    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    count: int


def spread(values: Sequence[Decimal | int]) -> Spread | None:
    """Return the quartiles of `values` (None when there are none).

    The quartiles are the "inclusive" ones (linear interpolation between the values, as
    spreadsheets' QUARTILE.INC computes them), so one value is its own median and quartiles.
    """
    if not values:
        return None
    ordered = sorted(Decimal(value) for value in values)
    if len(ordered) == 1:
        return Spread(ordered[0], ordered[0], ordered[0], 1)
    lower, middle, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return Spread(Decimal(lower), Decimal(middle), Decimal(upper), len(ordered))


def ranks(values: Mapping[int, Decimal | int], *, higher_is_better: bool) -> dict[int, int]:
    """Return each key's rank among `values`: 1 is the best; equal values share a rank, and
    the next value's rank counts them all (1, 2, 2, 4)."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=higher_is_better)
    result: dict[int, int] = {}
    previous: Decimal | int | None = None
    for position, (key, value) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            rank = position
        result[key] = rank
        previous = value
    return result


def pseudonym(salt: str, provider_id: int) -> str:
    """Return the stable pseudonym under which a provider appears among peers.

    Derived from a secret salt of the program and the provider's id: the same provider gets
    the same pseudonym in every period and every bulletin, and nobody can work back from it.
    """
    digest = hmac.new(salt.encode(), str(provider_id).encode(), hashlib.sha256).digest()
    # Six letters and digits without look-alikes (no 0/O, 1/I/L): 887 million names, so a
    # national program's providers do not share one.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _position in range(6):
        number, remainder = divmod(number, len(alphabet))
        letters.append(alphabet[remainder])
    return "".join(letters)
