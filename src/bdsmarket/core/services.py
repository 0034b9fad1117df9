"""Writes about people: users, API tokens and the login throttle."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, LoginFailure, Role, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    provider=None,  # registry.Provider; untyped here so core does not import registry
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    check_password: bool = True,
) -> User:
    """Create a login with `role`; provider staff must name their provider, others must not."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role “%(value)s”.") % {"value": role}]})
    if role == Role.PROVIDER and provider is None:
        raise ValidationError({"provider": [_("Provider staff must belong to a provider.")]})
    if role != Role.PROVIDER and provider is not None:
        raise ValidationError({"provider": [_("Only provider staff belong to a provider.")]})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        provider=provider,
        language=language,
        # The Django admin is the program manager's tool for the lists; nobody else sees it.
        is_staff=role == Role.MANAGER,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# The login throttle


def _failure_window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """Return True when the username, or the address, failed too often within the window.

    Counted in the database, so every application server sees the same failures.
    """
    recent = LoginFailure.objects.filter(at__gte=_failure_window_start())
    by_name = recent.filter(username__iexact=username).count()
    by_address = recent.filter(ip_address=ip_address).count() if ip_address else 0
    # An address gets more room than a name: an office's staff share one address.
    return by_name >= settings.LOGIN_FAILURE_LIMIT or by_address >= settings.LOGIN_FAILURE_LIMIT * 4


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address)
    # Old rows serve nobody; keep the table as small as the window.
    LoginFailure.objects.filter(at__lt=_failure_window_start() - timedelta(days=1)).delete()


def login_success_record(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()


# A person's own profile

# What a user may change about themselves; role, provider and username are the manager's.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "email", "language"})


@transaction.atomic
def user_update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Change `user`'s own name, e-mail or language preference; return the user.

    `language` is a code from settings.LANGUAGES, or "" to follow the browser.
    """
    if not set(changes) <= PROFILE_FIELDS:
        raise PermissionDenied
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password"])
    if changes:
        user.save(update_fields=sorted(changes))
    return user


# API tokens


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and its key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the system that uses it.")]})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[4 : 4 + ApiToken.PREFIX_LENGTH],
        digest=ApiToken.digest_of(key),
    )
    return token, key


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke `token`; only its owner may."""
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(key: str) -> User | None:
    """Return the active user whose live token has `key`, and note when it was last used."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(Q(digest=ApiToken.digest_of(key)))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Writing on every call would make every API read a write; once a minute is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
