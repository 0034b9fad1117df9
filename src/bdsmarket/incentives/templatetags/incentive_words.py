"""Incentive figures and rules in templates, in the reader's language, worded as
incentives.wording words them for every door.

{% load incentive_words %}
{{ statement.total|money }}  {{ line.gap|percent }}  {{ rule|rule_sentence }}
{{ rule|pay_terms }}  {% base_value rule.base line.base %}  {{ statement|difference_text }}
"""

from decimal import Decimal

from django import template

from bdsmarket.incentives import wording
from bdsmarket.incentives.models import IncentiveRule, Statement

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """Write an amount with its two decimals ("—" when there is none)."""
    return wording.money(value)


@register.filter
def number(value: Decimal | int | None) -> str:
    """Write a factor or a figure as a person types it: 0.75, 1,000 ("—" when none)."""
    return "—" if value is None else wording.number(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """Write a share as a percentage: 0.2778 → 27.78% ("—" when there is none)."""
    return "—" if value is None else wording.percent(value)


@register.filter
def rule_sentence(rule: IncentiveRule) -> str:
    return wording.rule_sentence(rule)


@register.filter
def pay_terms(rule: IncentiveRule) -> str:
    return wording.pay_terms(rule)


@register.filter
def base_name(code: str) -> str:
    return wording.base_name(code)


@register.filter
def difference_text(statement: Statement) -> str:
    return wording.difference_text(statement)


@register.simple_tag
def base_value(base: str, value: Decimal | None) -> str:
    """Write a figure of base `base` in its unit: an amount, or a count."""
    return wording.base_value(base, value)
