"""Users and their roles, API tokens, the record of failed logins, and import jobs."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tabular import ImportResult, TableError, importer_class


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


class ImportJob(models.Model):
    """One uploaded file being imported, or imported: who sent what, and what came of it.

    A small file is imported within the request that uploads it; a large one waits for the
    background worker (core.tasks). The upload is kept in a folder of its own under
    `DATA_DIR/imports/` until the import has run; while it runs, its progress is in a small
    file beside it (services.import_job_progress), not in the database (docs/decisions.md).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=30)
    # Relative to DATA_DIR, which every application server and worker shares
    # (imports/<random>/<file name>); empty once the import has run and the file is gone.
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    dry_run = models.BooleanField(_("only checked"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    # The import's messages (errors, the summary) are written in this language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The outcome (core.tabular.ImportResult).
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors, each {"row", "column", "value", "expected"} (core.tabular.TableError).
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    refused = models.TextField(_("why the file was refused"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def kind_label(self) -> str:
        """Return what the file holds, e.g. "deliveries", in the active language."""
        importer = importer_class(self.kind)
        return str(importer.noun_plural) if importer else self.kind

    def result(self) -> ImportResult:
        """Return the outcome as the importer returned it, for the pages that show one."""
        importer = importer_class(self.kind)
        noun = str(importer.noun) if importer else self.kind
        return ImportResult(
            kind=self.kind,
            noun=noun,
            noun_plural=self.kind_label,
            dry_run=self.dry_run,
            refused=self.refused,
            errors=[TableError(**error) for error in self.errors],
            error_count=self.error_count,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
        )
