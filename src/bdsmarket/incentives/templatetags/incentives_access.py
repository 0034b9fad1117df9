"""Access rules of incentives for templates, so a link shows exactly when its page opens.

{% load incentives_access %}
{% if user|can_see_incentives %}…{% endif %}
"""

from django import template

from bdsmarket.core.models import User
from bdsmarket.incentives import permissions

register = template.Library()


@register.filter
def can_see_incentives(user: User) -> bool:
    return permissions.can_see_incentives(user)


@register.filter
def can_see_batches(user: User) -> bool:
    return permissions.can_see_batches(user)


@register.filter
def can_simulate(user: User) -> bool:
    return permissions.can_simulate(user)


@register.filter
def can_see_program_packages(user: User) -> bool:
    return permissions.can_see_program_packages(user)
