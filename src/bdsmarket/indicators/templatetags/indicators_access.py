"""Access rules of indicators for templates, so a link shows exactly when its page opens.

{% load indicators_access %}
{% if user|can_see_figures %}…{% endif %}
"""

from django import template

from bdsmarket.core.models import User
from bdsmarket.indicators import permissions
from bdsmarket.registry.models import Provider

register = template.Library()


@register.filter
def can_see_figures(user: User) -> bool:
    return permissions.can_see_figures(user)


@register.filter
def can_see_program_figures(user: User) -> bool:
    return permissions.can_see_program_figures(user)


@register.filter
def can_see_provider_figures(user: User, provider: Provider) -> bool:
    return permissions.can_see_provider_figures(user, provider)
