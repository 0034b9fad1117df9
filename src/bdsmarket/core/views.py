"""Pages about the person logged in: account, password, API tokens, language (each role's
home page is the registry's: registry/home.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from . import services
from .forms import AccountForm, ApiTokenForm, show_service_errors
from .models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a real user."""

    user: User


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
