"""What providers report each month: deliveries (attentions) and costs, in submissions that
go through review, with the warnings, comments, approved versions and verification checks
that make every figure traceable."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bdsmarket.core.months import month_end
from bdsmarket.registry.models import (
    City,
    ClientType,
    Gender,
    Provider,
    Sector,
    ServiceType,
)

from .warning_messages import warning_message


class MonitoringSettings(models.Model):
    """The program's reporting rules. One row; `MonitoringSettings.current()` reads it."""

    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=10,
        help_text=_("A month's report is due on this day of the following month."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("reminder days before the due day"), default=3
    )
    remind_days_after = models.PositiveSmallIntegerField(
        _("reminder days after the due day"), default=3
    )
    reporting_ends = models.DateField(
        _("reporting ends"),
        null=True,
        blank=True,
        help_text=_(
            "The last month providers report on, when the program has closed; empty while "
            "it runs. No report is owed for a later month."
        ),
    )
    sample_size = models.PositiveSmallIntegerField(
        _("verification sample size"),
        default=5,
        help_text=_("Deliveries drawn at random per provider and period for verification."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monitoring settings")
        verbose_name_plural = _("monitoring settings")

    def __str__(self) -> str:
        return str(_("Monitoring settings"))

    @classmethod
    def current(cls) -> "MonitoringSettings":
        settings_row = cls.objects.order_by("pk").first()
        return settings_row or cls.objects.create()


class ReportingPeriod(models.Model):
    """A calendar month that providers report on, with the day its reports are due."""

    month = models.DateField(_("month"), unique=True, help_text=_("The month's first day."))
    due_date = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                name="period_month_starts_on_day_one", condition=models.Q(month__day=1)
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def last_day(self) -> date:
        return month_end(self.month)


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")


# Statuses in which the provider may still change rows.
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# Statuses that wait for the monitoring officer.
IN_REVIEW_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED)


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def approved(self) -> "SubmissionQuerySet":
        """Return the approved reports: the figures indicators and incentives count."""
        return self.filter(status=SubmissionStatus.APPROVED)


class Submission(models.Model):
    """One provider's report for one period: its deliveries and its cost report."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    # The number of the version being prepared or reviewed; approved versions are kept
    # in ApprovedVersion, so an amendment can be compared with what was approved.
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("comment"), blank=True)
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    history = HistoricalRecords()

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-period__month", "provider__code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "period"], name="one_submission_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_amendment(self) -> bool:
        return self.version > 1 and self.status != SubmissionStatus.APPROVED


class ImportBatch(models.Model):
    """One file (or API batch, or form) that added rows: who sent what, when."""

    class Source(models.TextChoices):
        FILE = "file", _("File")
        FORM = "form", _("Form")
        API = "api", _("API")
        CLI = "cli", _("Command line")
        DEMO = "demo", _("Demo")

    kind = models.CharField(_("kind"), max_length=30)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name or self.source} ({self.created_at:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """One service sold or given to one client (an "attention"), as docs/formats.md defines.

    Keyed by provider first, so that the table can be distributed by provider. The largest
    table by far (a national program: tens of millions of rows) and filled in bulk, so it
    carries only the indexes its reads need, and its references are checked by the one
    path that writes it (services.deliveries_load, set by set) rather than by the database
    row by row: each foreign-key check would cost more than the whole import
    (docs/decisions.md). Deleting a provider, report, city or sector with rows is still
    refused, by Django (on_delete=PROTECT).
    """

    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,  # the unique (provider, row key) index starts with it
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,  # the (submission, date) index starts with it
    )
    date = models.DateField(_("date"))
    client_id = models.CharField(_("client ID"), max_length=30)
    # The national ID when it is a valid DNI/RUC (one client across providers), otherwise
    # the provider's code and its own client number.
    client_key = models.CharField(max_length=64, editable=False)
    client_type = models.CharField(_("client type"), max_length=20, choices=ClientType.choices)
    client_gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    client_sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    client_city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service_type = models.CharField(_("service type"), max_length=30, choices=ServiceType.choices)
    service_name = models.CharField(_("service"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=1)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    paid_by_client = models.DecimalField(_("paid by the client"), max_digits=14, decimal_places=2)
    paid_by_voucher = models.DecimalField(
        _("paid by voucher"), max_digits=14, decimal_places=2, default=0
    )
    voucher_code = models.CharField(_("voucher code"), max_length=40, blank=True)
    paid_by_third_party = models.DecimalField(
        _("paid by a third party"), max_digits=14, decimal_places=2, default=0
    )
    third_party = models.CharField(_("third party"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    # What makes a row the same row when it arrives again: the provider's reference when it
    # gives one, else a fingerprint of the row's values and its occurrence among identical
    # rows of the same upload (monitoring.rules.delivery_row_key).
    row_key = models.CharField(max_length=80, editable=False)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,
    )
    row_number = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["batch", "row_number", "row_key"])

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["provider", "date", "pk"]
        indexes = [models.Index(fields=["submission", "date"], name="delivery_submission_date")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "row_key"], name="one_delivery_per_key"),
            # To the cent, not exactly: SQLite does this arithmetic in floating point.
            models.CheckConstraint(
                name="delivery_payers_add_up",
                condition=LessThan(
                    Abs(
                        models.F("price")
                        - models.F("paid_by_client")
                        - models.F("paid_by_voucher")
                        - models.F("paid_by_third_party")
                    ),
                    Decimal("0.005"),
                ),
            ),
            models.CheckConstraint(
                name="delivery_participants_at_least_one", condition=models.Q(participants__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} {self.date} {self.client_id}"


class CostReport(models.Model):
    """A provider's costs and non-service income for one month."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="cost_reports"
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="cost_reports",
    )
    staff_costs = models.DecimalField(_("staff costs"), max_digits=14, decimal_places=2)
    premises_costs = models.DecimalField(_("premises costs"), max_digits=14, decimal_places=2)
    other_costs = models.DecimalField(_("other costs"), max_digits=14, decimal_places=2)
    other_income = models.DecimalField(
        _("other income"), max_digits=14, decimal_places=2, default=0
    )
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="cost_reports"
    )
    history = HistoricalRecords(excluded_fields=["batch"])

    class Meta:
        verbose_name = _("cost report")
        verbose_name_plural = _("cost reports")
        constraints = [
            models.UniqueConstraint(fields=["submission"], name="one_cost_report_a_submission")
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} {self.submission.period}"

    @property
    def total_costs(self):
        return self.staff_costs + self.premises_costs + self.other_costs


class RowComment(models.Model):
    """The officer's remark on a whole submission or on one of its rows."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    cost_report = models.ForeignKey(
        CostReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ApprovedVersion(models.Model):
    """What an officer approved, kept whole so an amendment can be compared row by row."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="approved_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    approved_at = models.DateTimeField(default=timezone.now)
    # The rows as approved: lists of plain dicts (decimals as strings), one per row.
    deliveries = models.JSONField(default=list)
    cost_report = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("approved version")
        verbose_name_plural = _("approved versions")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="one_approval_a_version")
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class ValidationRule(models.Model):
    """A warning rule the program tunes: which check, whether it runs, and its threshold.

    Rules give warnings, never errors: the rows are stored and the officer must
    acknowledge each warning before approving.
    """

    class Kind(models.TextChoices):
        PRICE_OUTLIER = "price_outlier", _("Price far from the provider's history")
        VOLUME_OUTLIER = "volume_outlier", _("Monthly volume far from the provider's history")
        SAME_CLIENT_SAME_DAY = "same_client_same_day", _("Many rows for one client on one day")
        CLIENT_MIX_SHIFT = "client_mix_shift", _("Sudden change in the client mix")

    kind = models.CharField(_("check"), max_length=30, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=8,
        decimal_places=2,
        help_text=_(
            "Robust z-score for outliers; rows per client and day; share points for the mix."
        ),
    )
    min_history_months = models.PositiveSmallIntegerField(
        _("approved months needed"),
        default=3,
        help_text=_("The check waits until the provider has this many approved months."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ValidationWarning(models.Model):
    """A finding of a validation rule on a submission (or one of its rows)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="warnings")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("check"), max_length=30, choices=ValidationRule.Kind.choices)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="warnings"
    )
    # What the warning says, as a message code and its parameters (plain JSON values:
    # numbers, decimal strings, ISO dates, codes rather than labels), worded when read so
    # that each reader gets it in their own language (warning_messages.py).
    code = models.CharField(_("code"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["submission", "kind", "pk"]

    def __str__(self) -> str:
        return self.message[:60]

    @property
    def message(self) -> str:
        """Return what the warning says, in the active language."""
        return warning_message(self.code, self.params)


class VerificationSample(models.Model):
    """Deliveries drawn at random from a submission for the officer to verify with clients."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="verification_samples"
    )
    version = models.PositiveIntegerField(_("version"))
    seed = models.BigIntegerField(help_text=_("Draws the same rows again when repeated."))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verification sample")
        verbose_name_plural = _("verification samples")

    def __str__(self) -> str:
        return f"{self.submission} sample {self.pk}"


class VerificationCheck(models.Model):
    """What the client confirmed about one sampled delivery, and the verified figures."""

    sample = models.ForeignKey(VerificationSample, on_delete=models.CASCADE, related_name="checks")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="checks")
    confirmed = models.BooleanField(
        _("confirmed"), null=True, blank=True, help_text=_("Empty until the client was reached.")
    )
    verified_price = models.DecimalField(
        _("verified price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    verified_paid_by_client = models.DecimalField(
        _("verified payment by the client"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification check")
        verbose_name_plural = _("verification checks")
        constraints = [
            models.UniqueConstraint(fields=["sample", "delivery"], name="one_check_a_sampled_row")
        ]

    def __str__(self) -> str:
        return f"{self.delivery} ({self.confirmed})"
