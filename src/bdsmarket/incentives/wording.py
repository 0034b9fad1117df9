"""Schemes and statements in plain words, in the active language: a rule as one sentence
("30% of income paid by clients above 1,000, at most 500 a month…"), the penalty bands,
the reason a line pays nothing, the cap that bound. Pages, files and e-mails word them the
same way through these functions.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.money import money_round
from bdsmarket.indicators import definitions

from . import queries, rules
from .models import IncentiveRule, IncentiveScheme, Statement, StatementLine

CAP_NAMES: dict[str, Promise] = {
    rules.Cap.PERIOD: gettext_lazy("the cap per month"),
    rules.Cap.YEAR: gettext_lazy("the cap per calendar year"),
    rules.Cap.TOTAL: gettext_lazy("the cap in total"),
}


def number(value: Decimal | int | str) -> str:
    """Return a figure as a person types it, in the reader's language: 1,000 or 0.75 (no
    zeros kept after the last decimal)."""
    value = Decimal(str(value)).normalize()
    places = max(0, -int(value.as_tuple().exponent))
    return number_format(value, places, force_grouping=True)


def money(value: Decimal | None) -> str:
    """Return an amount with its two decimals ("—" when there is none)."""
    if value is None:
        return "—"
    return number_format(money_round(value), 2, force_grouping=True)


def percent(rate: Decimal | str) -> str:
    return f"{number(Decimal(str(rate)) * 100)}%"


def base_name(code: str) -> str:
    """Return the name of a base a rule pays on (its code when it is none of them)."""
    base = queries.BASES.get(code)
    return str(base.name) if base else code


def base_value(code: str, value: Decimal | None) -> str:
    """Return a figure of a base as its unit reads: an amount with two decimals, a count
    as a whole number ("—" when the month has none)."""
    if value is None:
        return "—"
    base = queries.BASES.get(code)
    return money(value) if base is not None and base.unit == "money" else number(value)


def indicator_name(indicator_id: str) -> str:
    indicator = definitions.BY_ID.get(indicator_id)
    return str(indicator.name) if indicator else indicator_id


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def tiers_phrase(tiers: list[dict]) -> str:
    """Return marginal tiers in words: "10% from 0 to 1,000, 30% above 1,000"."""
    parts = []
    for tier in tiers:
        values = {"rate": percent(tier["rate"]), "lower": number(tier["lower"])}
        if tier.get("upper") in (None, ""):
            parts.append(_("%(rate)s above %(lower)s") % values)
        else:
            values["upper"] = number(tier["upper"])
            parts.append(_("%(rate)s from %(lower)s to %(upper)s") % values)
    return ", ".join(parts)


def year_factors_phrase(factors: list[str]) -> str:
    """Return the program-year factors in words ("" when every year pays in full)."""
    if not factors or all(Decimal(str(f)) == 1 for f in factors):
        return ""
    if len(factors) == 1:
        return _("× %(factor)s every year") % {"factor": number(factors[0])}  # noqa: RUF001
    parts = []
    for position, factor in enumerate(factors, start=1):
        if position == 1 and Decimal(str(factor)) == 1:
            continue
        values = {"year": position, "factor": number(factor)}
        if position == len(factors):
            parts.append(_("from year %(year)s on × %(factor)s") % values)  # noqa: RUF001
        else:
            parts.append(_("in year %(year)s × %(factor)s") % values)  # noqa: RUF001
    return ", ".join(parts)


def rule_sentence(rule: IncentiveRule) -> str:
    """Return what `rule` pays, in one sentence of plain words."""
    base = _lower(base_name(rule.base))
    if rule.kind == rules.Kind.BONUS:
        amount = money(rule.amount_per_unit) if rule.amount_per_unit is not None else "?"
        parts = [_("%(amount)s for each of the %(base)s") % {"amount": amount, "base": base}]
    elif rule.tiers:
        parts = [_("of %(base)s: %(tiers)s") % {"base": base, "tiers": tiers_phrase(rule.tiers)}]
    else:
        rate = percent(rule.rate) if rule.rate is not None else "?"
        parts = [_("%(rate)s of %(base)s") % {"rate": rate, "base": base}]
    if rule.base_floor:
        parts[0] += " " + _("above %(floor)s") % {"floor": number(rule.base_floor)}
    factors = year_factors_phrase(rule.year_factors)
    if factors:
        parts.append(factors)
    if rule.cap_per_period is not None:
        parts.append(_("at most %(amount)s a month") % {"amount": number(rule.cap_per_period)})
    if rule.cap_per_year is not None:
        parts.append(
            _("at most %(amount)s a calendar year") % {"amount": number(rule.cap_per_year)}
        )
    if rule.cap_total is not None:
        parts.append(_("at most %(amount)s in all") % {"amount": number(rule.cap_total)})
    if rule.threshold_indicator and rule.threshold_minimum is not None:
        parts.append(
            _("only if %(indicator)s ≥ %(minimum)s")
            % {
                "indicator": _lower(indicator_name(rule.threshold_indicator)),
                "minimum": number(rule.threshold_minimum),
            }
        )
    if rule.on_time_only:
        parts.append(_("only reports sent on time"))
    sentence = ", ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def pay_terms(rule: IncentiveRule) -> str:
    """Return how much a rule pays on what it counts: its rate, its tiers, or its amount
    per unit."""
    if rule.kind == rules.Kind.BONUS:
        amount = money(rule.amount_per_unit) if rule.amount_per_unit is not None else "?"
        return _("%(amount)s each") % {"amount": amount}
    if rule.tiers:
        return tiers_phrase(rule.tiers)
    return percent(rule.rate) if rule.rate is not None else "—"


def band_sentences(scheme: IncentiveScheme) -> list[str]:
    """Return the verification penalty in sentences: one per band, then what a month
    nobody verified keeps."""
    sentences = [
        _("From a gap of %(gap)s between what was claimed and what was verified, %(keep)s is paid.")
        % {"gap": percent(band["from_gap"]), "keep": percent(band["keep"])}
        for band in scheme.penalty_bands
    ]
    sentences.append(
        _("A month whose sample nobody has checked yet is paid %(keep)s.")
        % {"keep": percent(scheme.unverified_keep)}
    )
    return sentences


def cap_name(cap: str) -> str:
    return str(CAP_NAMES[cap]) if cap in CAP_NAMES else cap


def reason_text(line: StatementLine) -> str:
    """Return why a statement's line pays what it pays, for its reader ("" when it pays
    in full)."""
    rule = line.rule
    if line.reason == rules.Reason.PAID and line.cap:
        return _("Paid as far as %(cap)s allows.") % {"cap": cap_name(line.cap)}
    if line.reason == rules.Reason.NOT_DEFINED:
        return _("The month has no figure for this base.")
    if line.reason == rules.Reason.LATE:
        return _("This rule pays reports sent on time only, and this one was late.")
    if line.reason == rules.Reason.BELOW_THRESHOLD:
        return _("The month did not reach %(indicator)s ≥ %(minimum)s.") % {
            "indicator": _lower(indicator_name(rule.threshold_indicator)),
            "minimum": number(rule.threshold_minimum or 0),
        }
    if line.reason == rules.Reason.BELOW_FLOOR:
        return _("The base did not pass the baseline of %(floor)s.") % {
            "floor": number(rule.base_floor)
        }
    if line.reason == rules.Reason.PENALIZED:
        return _("The verification found too large a gap: nothing of it is paid.")
    if line.reason == rules.Reason.CAPPED and line.cap == rules.Cap.PERIOD:
        return _("The cap per month leaves nothing to pay.")
    if line.reason == rules.Reason.CAPPED:
        return _("Earlier months already reached %(cap)s.") % {"cap": cap_name(line.cap)}
    return ""


def difference_text(statement: Statement) -> str:
    """Return what paying `statement` moves, against what was already sent to the bank for
    its month: its whole amount, a top-up or a claw-back."""
    sent = statement.total - statement.difference
    values = {"amount": money(abs(statement.difference)), "sent": money(sent)}
    if statement.difference < 0:
        return _("Claws back %(amount)s of the %(sent)s already sent to the bank.") % values
    if not sent:
        return _("Pays %(amount)s.") % values
    if not statement.difference:
        return _("Pays nothing more: %(sent)s was already sent to the bank.") % values
    return _("Tops up %(amount)s on the %(sent)s already sent to the bank.") % values
