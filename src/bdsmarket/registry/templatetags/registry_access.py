"""Access rules for templates, so that a page shows a link exactly when the door would open.

{% load registry_access %}
{% if user|can_see_enterprises %}…{% endif %}
"""

from django import template

from bdsmarket.core.models import User
from bdsmarket.registry import permissions

register = template.Library()


@register.filter
def can_see_enterprises(user: User) -> bool:
    return permissions.can_see_enterprises(user)


@register.filter
def can_import(user: User, kind: str = "") -> bool:
    """Whether `user` may import files of `kind`, or of any kind when `kind` is empty."""
    from bdsmarket.core.tabular import importer_class, importers

    if kind:
        importer = importer_class(kind)
        return importer is not None and importer.can_import(user)
    return any(importer.can_import(user) for importer in importers().values())
