"""The figures indicators are computed from, kept ready: additive facts per provider and month.

A `Fact` holds the additive measures (indicators.rules.MEASURES) of one provider's month,
over the whole month (dimension "") or over the rows with one value of one dimension (one
client type, one city…). They are derived from the delivery rows and cost reports by
services.facts_refresh whenever a report enters or leaves a basis (submitted, returned,
approved, reopened), so they always equal what the rows say; nothing else writes them.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bdsmarket.registry.models import Provider

from .definitions import AVAILABLE


class Basis(models.TextChoices):
    """Which reports a figure counts."""

    APPROVED = "approved", _("approved reports")
    REPORTED = "reported", _("approved and submitted reports")


# The dimensions a fact splits a month by, as delivery columns name them.
DIMENSIONS = ("client_type", "client_gender", "client_sector", "client_city", "service_type")


class Fact(models.Model):
    """The additive figures of one provider's month (whole, or one value of one dimension)."""

    basis = models.CharField(max_length=10, choices=Basis.choices)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    # "" for the whole month; else a delivery column, and `value` the code or id it holds.
    dimension = models.CharField(max_length=20, blank=True)
    value = models.CharField(max_length=40, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)
    # The measures of indicators.rules.MEASURES (money in cents).
    attentions = models.BigIntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    income = models.BigIntegerField(default=0)
    paid_by_client = models.BigIntegerField(default=0)
    paid_by_voucher = models.BigIntegerField(default=0)
    paid_by_third_party = models.BigIntegerField(default=0)
    priced = models.BigIntegerField(default=0)
    fully_paid = models.BigIntegerField(default=0)
    partially_subsidized = models.BigIntegerField(default=0)
    fully_subsidized = models.BigIntegerField(default=0)
    free = models.BigIntegerField(default=0)
    repeats = models.BigIntegerField(default=0)
    women = models.BigIntegerField(default=0)
    gendered = models.BigIntegerField(default=0)
    micro_and_pre = models.BigIntegerField(default=0)
    outside_capital = models.BigIntegerField(default=0)
    costs = models.BigIntegerField(default=0)
    other_income = models.BigIntegerField(default=0)
    cost_reports = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "provider", "month", "dimension", "value"], name="one_fact"
            )
        ]
        indexes = [
            models.Index(fields=["basis", "dimension", "month"], name="fact_by_dimension_month")
        ]

    def __str__(self) -> str:
        split = f" {self.dimension}={self.value}" if self.dimension else ""
        return f"{self.provider_id} {self.month:%Y-%m}{split} ({self.basis})"


class IndicatorSettings(models.Model):
    """The program's settings for indicators. One row; `IndicatorSettings.current()` reads it."""

    # Makes the peers' pseudonyms; kept in the database so that every server and every
    # period gives a provider the same one.
    pseudonym_salt = models.CharField(max_length=64, default=secrets.token_hex, editable=False)

    class Meta:
        verbose_name = _("indicator settings")
        verbose_name_plural = _("indicator settings")

    def __str__(self) -> str:
        return str(_("Indicator settings"))

    @classmethod
    def current(cls) -> "IndicatorSettings":
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()


class Target(models.Model):
    """What the program aims at for one indicator over a span of months (a provider's, or
    the whole program's when no provider is named)."""

    indicator = models.CharField(
        _("indicator"),
        max_length=40,
        choices=[(indicator.id, indicator.name) for indicator in AVAILABLE],
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
        help_text=_("Empty: a target for the whole program."),
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    value = models.DecimalField(
        _("target"),
        max_digits=16,
        decimal_places=4,
        help_text=_("Shares as fractions (0.45 for 45%), amounts in the program's currency."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "first_month"]
        constraints = [
            models.CheckConstraint(
                name="target_months_in_order",
                condition=models.Q(first_month__lte=models.F("last_month")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.first_month:%Y-%m} to {self.last_month:%Y-%m}"


class Dispatch(models.Model):
    """One bulletin to one recipient: what is to be (or was) sent, and what became of it.

    A dispatch is written before anything is sent and sent by the worker, retried while the
    mail server fails, so a bulletin is never lost; it is sent at most once per dispatch
    (the row is locked while sending and marked sent at once), and queueing the same
    period's bulletin again for the same person finds the dispatch already there.
    """

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("provider's benchmark")
        PROGRAM = "program", _("program-wide bulletin")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("bulletin"), max_length=10, choices=Kind.choices)
    month = models.DateField(_("month"))
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bulletins",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bulletins",
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The same Message-ID on every attempt: a mail server that took a message whose
    # acknowledgement was lost gets it again under the same id, which readers fold into one.
    message_id = models.CharField(max_length=200, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When the figures it showed were taken from the reports (the data cut-off).
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin sent")
        verbose_name_plural = _("bulletins sent")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "month", "provider", "email"],
                condition=models.Q(resend_of__isnull=True, provider__isnull=False),
                name="one_benchmark_per_recipient_and_month",
            ),
            models.UniqueConstraint(
                fields=["kind", "month", "email"],
                condition=models.Q(resend_of__isnull=True, provider__isnull=True),
                name="one_program_bulletin_per_recipient_and_month",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="dispatch_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} to {self.email} ({self.status})"
