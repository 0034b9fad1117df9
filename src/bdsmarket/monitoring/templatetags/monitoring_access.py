"""Access rules of monitoring for templates, so a link shows exactly when its page opens.

{% load monitoring_access %}
{% if user|can_see_reports %}…{% endif %}
"""

from django import template

from bdsmarket.core.models import User
from bdsmarket.monitoring import permissions

register = template.Library()


@register.filter
def can_see_reports(user: User) -> bool:
    return permissions.can_see_reports(user)


@register.filter
def can_see_all_reports(user: User) -> bool:
    return permissions.can_see_all_reports(user)
