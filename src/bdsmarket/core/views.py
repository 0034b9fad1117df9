"""Pages about the person logged in: home, account, password, API tokens, language."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from bdsmarket.registry import permissions as registry_permissions
from bdsmarket.registry import queries as registry_queries
from bdsmarket.registry.models import Enterprise, Provider, ProviderService

from . import services
from .forms import AccountForm, ApiTokenForm, show_service_errors
from .history import ACTIONS, changed_field_names, who_did
from .models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a real user."""

    user: User


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The provider's own summary for provider staff; the program at a glance for the rest."""
    if request.user.is_provider_staff:
        return _provider_home(request)
    return _staff_home(request)


def _staff_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    providers = registry_permissions.providers_visible_to(user)
    can_see_enterprises = registry_permissions.can_see_enterprises(user)
    context: dict[str, Any] = {
        "provider_count": providers.count(),
        "by_status": registry_queries.providers_by_status(providers),
        "by_city": registry_queries.providers_by_city(providers),
        "by_round": registry_queries.providers_by_round(providers),
        "by_service_type": registry_queries.services_by_type(
            registry_permissions.services_visible_to(user)
        ),
        "can_see_enterprises": can_see_enterprises,
        "enterprise_count": (
            registry_permissions.enterprises_visible_to(user).count()
            if can_see_enterprises
            else None
        ),
        "can_create_provider": registry_permissions.can_create_provider(user),
        "can_create_enterprise": registry_permissions.can_create_enterprise(user),
        "recent_changes": (
            _recent_changes() if registry_permissions.can_see_history(user) else None
        ),
    }
    return render(request, "core/home_staff.html", context)


def _recent_changes() -> list[dict[str, Any]]:
    """Return the last registry changes as rows for the staff home."""
    rows = []
    for record in registry_queries.registry_recent_changes(limit=10):
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
    provider = get_object_or_404(
        registry_permissions.providers_visible_to(user), pk=user.provider_id
    )
    context = {
        "provider": provider,
        "services": provider.services.prefetch_related("sectors"),
        "staff": provider.staff.filter(is_active=True).order_by("last_name", "username"),
        "enterprise_count": registry_permissions.enterprises_visible_to(user).count(),
        "status_changes": provider.status_changes.all()[:3],
        "can_edit_provider": registry_permissions.can_edit_provider(user, provider),
        "can_edit_catalogue": registry_permissions.can_edit_catalogue(user, provider),
        "can_create_enterprise": registry_permissions.can_create_enterprise(user),
    }
    return render(request, "core/home_provider.html", context)


@login_required
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Show and change the user's name, e-mail and language preference."""
    user = request.user
    initial = {field: getattr(user, field) for field in services.PROFILE_FIELDS}
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, changes=form.cleaned_data)
        except ValidationError as error:
            user.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, _("Your account was saved."))
            response = redirect("account")
            _remember_language(response, user.language)
            return response
    return render(request, "core/account.html", {"form": form})


def _remember_language(response: HttpResponse, language: str) -> None:
    """Set the language cookie to `language`, or drop it so that the browser's language rules."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
        )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language of the pages; a logged-in user keeps the choice in their profile."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and language != user.language:
        services.user_update_profile(user=user, changes={"language": language})
    return response


@login_required
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """List the user's API tokens and create one; a new key is shown on this response only."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": request.user.api_tokens.order_by("revoked_at", "-created_at"),
    }
    response = render(request, "core/api_tokens.html", context)
    # The key must not linger in any cache or history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens")
