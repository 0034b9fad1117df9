"""Users and their roles, API tokens, and the record of failed logins."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("Program manager")
    OFFICER = "officer", _("Monitoring officer")
    EVALUATOR = "evaluator", _("Evaluator")
    PROVIDER = "provider", _("Provider staff")
    AUDITOR = "auditor", _("Auditor")


# Roles that read every provider's records; only the first two change them.
PROGRAM_WIDE_READERS = (Role.MANAGER, Role.OFFICER, Role.AUDITOR)
PROGRAM_STAFF = (Role.MANAGER, Role.OFFICER)


class User(AbstractUser):
    """A person who logs in. Provider staff are bound to exactly one provider."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    provider = models.ForeignKey(
        "registry.Provider",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="provider_staff_have_a_provider",
                condition=(
                    models.Q(role="provider", provider__isnull=False)
                    | (~models.Q(role="provider") & models.Q(provider__isnull=True))
                ),
            )
        ]

    @property
    def is_program_staff(self) -> bool:
        return self.role in PROGRAM_STAFF

    @property
    def reads_whole_program(self) -> bool:
        return self.role in PROGRAM_WIDE_READERS

    @property
    def is_provider_staff(self) -> bool:
        return self.role == Role.PROVIDER


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal token for the REST API. Only its digest is stored; the key is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return "bds_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(key: str) -> str:
        return _token_digest(key)


class LoginFailure(models.Model):
    """One failed login; recent ones throttle further attempts for the username and address."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"
