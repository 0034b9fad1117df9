"""Each role's home page: the provider's own summary for provider staff, the program at a
glance for the rest. It reads the registry; an app above may add to it later."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from bdsmarket.core.history import ACTIONS, changed_field_names, who_did
from bdsmarket.core.views import AuthenticatedRequest

from . import permissions, queries
from .models import Enterprise, Provider, ProviderService


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The provider's own summary for provider staff; the program at a glance for the rest."""
    if request.user.is_provider_staff:
        return _provider_home(request)
    return _staff_home(request)


def _staff_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    providers = permissions.providers_visible_to(user)
    can_see_enterprises = permissions.can_see_enterprises(user)
    context: dict[str, Any] = {
        "provider_count": providers.count(),
        "by_status": queries.providers_by_status(providers),
        "by_city": queries.providers_by_city(providers),
        "by_round": queries.providers_by_round(providers),
        "by_service_type": queries.services_by_type(permissions.services_visible_to(user)),
        "can_see_enterprises": can_see_enterprises,
        "enterprise_count": (
            permissions.enterprises_visible_to(user).count() if can_see_enterprises else None
        ),
        "can_create_provider": permissions.can_create_provider(user),
        "can_create_enterprise": permissions.can_create_enterprise(user),
        "recent_changes": (_recent_changes() if permissions.can_see_history(user) else None),
    }
    return render(request, "registry/home_staff.html", context)


def _recent_changes() -> list[dict[str, Any]]:
    """Return the last registry changes as rows for the staff home."""
    rows = []
    for record in queries.registry_recent_changes(limit=10):
        model = record.instance_type
        rows.append(
            {
                "when": record.history_date,
                "who": who_did(record),
                "kind": model._meta.verbose_name,
                "record": str(record.instance),
                "url": _record_url(record),
                "action": ACTIONS.get(record.history_type, record.history_type),
                "fields": changed_field_names(record),
            }
        )
    return rows


def _record_url(record: Any) -> str:
    """Return the page of the record a history entry is about, or "" when it has none."""
    if record.history_type == "-":
        return ""
    model = record.instance_type
    if model is Provider:
        return reverse("registry:provider_detail", args=[record.id])
    if model is ProviderService:
        return reverse("registry:provider_detail", args=[record.provider_id])
    if model is Enterprise:
        return reverse("registry:enterprise_detail", args=[record.id])
    return ""


def _provider_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    provider = get_object_or_404(permissions.providers_visible_to(user), pk=user.provider_id)
    context = {
        "provider": provider,
        "services": provider.services.prefetch_related("sectors"),
        "staff": provider.staff.filter(is_active=True).order_by("last_name", "username"),
        "enterprise_count": permissions.enterprises_visible_to(user).count(),
        "status_changes": provider.status_changes.all()[:3],
        "can_edit_provider": permissions.can_edit_provider(user, provider),
        "can_edit_catalogue": permissions.can_edit_catalogue(user, provider),
        "can_create_enterprise": permissions.can_create_enterprise(user),
    }
    return render(request, "registry/home_provider.html", context)
