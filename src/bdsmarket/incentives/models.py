"""Support packages and results-based incentives: what the program committed to each
selected provider, what it paid, the incentive schemes (rules as data, versioned) and the
monthly statements that explain every amount.

A statement is computed from approved reports only (monitoring), through the indicator
engine; once approved it is never edited: data amended later gives a new version that
supersedes it and says what it adds or claws back.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bdsmarket.registry.models import Provider

from . import rules


def _money(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


class Component(models.TextChoices):
    """The parts of a support package (the reference program's four)."""

    INVESTMENT = "investment", _("Co-financed start-up investment")
    INCENTIVES = "incentives", _("Incentives according to results")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    STIPENDS = "stipends", _("Stipends")


class Budget(models.Model):
    """What the program set aside for one component of the support packages, in all."""

    component = models.CharField(
        _("component"), max_length=30, choices=Component.choices, unique=True
    )
    amount = _money(_("amount"))
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["component"]

    def __str__(self) -> str:
        return self.get_component_display()


class SupportPackage(models.Model):
    """What the program offers one selected provider, from the day its support starts."""

    provider = models.OneToOneField(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="package"
    )
    starts_on = models.DateField(
        _("support starts"), help_text=_("The provider's program years count from this month.")
    )
    ends_on = models.DateField(_("support ends"), null=True, blank=True)
    # Where the program's transfers go: the payment batch export carries them to the bank.
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support package")
        verbose_name_plural = _("support packages")
        ordering = ["provider__code"]

    def __str__(self) -> str:
        return f"{self.provider.code}"


class Commitment(models.Model):
    """One promise of a package: an amount (or hours of technical assistance) of one
    component, due by a date or on a milestone (an investment's tranche)."""

    package = models.ForeignKey(
        SupportPackage, on_delete=models.CASCADE, related_name="commitments"
    )
    component = models.CharField(_("component"), max_length=30, choices=Component.choices)
    label = models.CharField(_("what"), max_length=200)
    amount = _money(_("amount"), default=Decimal(0))
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    milestone = models.CharField(
        _("milestone"),
        max_length=300,
        blank=True,
        help_text=_("What the provider must have achieved before this is paid."),
    )
    milestone_met_on = models.DateField(_("milestone met"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["package", "component", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.package} {self.label}"


class Payment(models.Model):
    """Money (or hours) the program paid a provider against its package: the ledger."""

    package = models.ForeignKey(SupportPackage, on_delete=models.PROTECT, related_name="payments")
    component = models.CharField(_("component"), max_length=30, choices=Component.choices)
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount = _money(_("amount"), default=Decimal(0))
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    batch = models.ForeignKey(
        "PaymentBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.package} {self.amount} {self.paid_on}"


class IncentiveScheme(models.Model):
    """A set of incentive rules in force from a month: rules as data, versioned.

    A draft may change; an adopted version never does: a change is a new version, in force
    from its own month, and the months before keep the version that was in force then.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    effective_from = models.DateField(_("in force from"), help_text=_("A month's first day."))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    penalty_measure = models.CharField(
        _("verification measured on"),
        max_length=20,
        choices=[
            (rules.PenaltyMeasure.INCOME, _("the income of the rows checked")),
            (rules.PenaltyMeasure.PAID_BY_CLIENT, _("what the clients of the rows checked paid")),
            (rules.PenaltyMeasure.ROWS, _("the rows checked that were not confirmed")),
        ],
        default=rules.PenaltyMeasure.INCOME,
    )
    # [{"from_gap": "0.10", "keep": "0.75"}, {"from_gap": "0.50", "keep": "0"}]
    penalty_bands = models.JSONField(_("penalty bands"), default=list, blank=True)
    unverified_keep = models.DecimalField(
        _("kept when not verified"), max_digits=5, decimal_places=4, default=Decimal(1)
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive scheme")
        verbose_name_plural = _("incentive schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_scheme_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class IncentiveRule(models.Model):
    """One line of a scheme: what it pays on, how much, and its limits (see rules.py)."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[
            (rules.Kind.RATE, _("a rate of the base")),
            (rules.Kind.BONUS, _("an amount per unit of the base")),
        ],
        default=rules.Kind.RATE,
    )
    base = models.CharField(_("base"), max_length=40)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=4, null=True, blank=True)
    # [{"lower": "0", "upper": "1000", "rate": "0.30"}, {"lower": "1000", "upper": null, ...}]
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    amount_per_unit = _money(_("amount per unit"), null=True, blank=True)
    base_floor = _money(
        _("baseline"), default=Decimal(0), help_text=_("The part of the base that is not paid for.")
    )
    # ["1", "0.75", "0.5"]: the factor of program years 1, 2, 3 and later
    year_factors = models.JSONField(_("factors by program year"), default=list, blank=True)
    cap_per_period = _money(_("cap per month"), null=True, blank=True)
    cap_per_year = _money(_("cap per year"), null=True, blank=True)
    cap_total = _money(_("cap in total"), null=True, blank=True)
    threshold_indicator = models.CharField(_("threshold indicator"), max_length=40, blank=True)
    threshold_minimum = models.DecimalField(
        _("threshold"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    on_time_only = models.BooleanField(_("only reports sent on time"), default=False)

    class Meta:
        verbose_name = _("incentive rule")
        verbose_name_plural = _("incentive rules")
        ordering = ["scheme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="one_rule_code_per_scheme")
        ]

    def __str__(self) -> str:
        return self.label


class StatementQuerySet(models.QuerySet["Statement"]):
    def current(self) -> "StatementQuerySet":
        """Return the statements no later version supersedes: one per provider and month."""
        return self.exclude(status=Statement.Status.SUPERSEDED)


class Statement(models.Model):
    """What one provider earns in incentives for one month, under the scheme in force then.

    computed → approved → paid. A newer version supersedes one whose figures changed (an
    amended report); `difference` is what it adds to (or, negative, claws back from) what
    the superseded approved or paid version gave.
    """

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        SUPERSEDED = "superseded", _("Superseded")

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(_("month"))
    scheme = models.ForeignKey(
        IncentiveScheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.COMPUTED
    )
    total = _money(_("amount"))
    difference = _money(
        _("difference"),
        default=Decimal(0),
        help_text=_("What this version adds to the version it supersedes."),
    )
    verification_gap = models.DecimalField(
        _("verification gap"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    penalty_keep = models.DecimalField(
        _("kept after verification"), max_digits=5, decimal_places=4, default=Decimal(1)
    )
    program_year = models.PositiveSmallIntegerField(_("program year"), default=1)
    on_time = models.BooleanField(_("report on time"), default=True)
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        "PaymentBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    history = HistoricalRecords()

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("incentive statement")
        verbose_name_plural = _("incentive statements")
        ordering = ["-month", "provider__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month", "version"], name="one_statement_version"
            ),
            # One statement of a provider's month counts: the one no other supersedes.
            models.UniqueConstraint(
                fields=["provider", "month"],
                condition=~models.Q(status="superseded"),
                name="one_current_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} {self.month:%Y-%m} v{self.version}"

    @property
    def to_pay(self) -> Decimal:
        """What paying this statement moves: its difference from what was approved before."""
        return self.difference


class StatementLineQuerySet(models.QuerySet["StatementLine"]):
    def current(self) -> "StatementLineQuerySet":
        """Return the lines of current statements (see `StatementQuerySet.current`)."""
        return self.exclude(statement__status=Statement.Status.SUPERSEDED)


class StatementLine(models.Model):
    """One rule of a statement, every step of its amount kept (rules.Line)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    rule = models.ForeignKey(IncentiveRule, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=1)
    base = models.DecimalField(_("base"), max_digits=16, decimal_places=4, null=True, blank=True)
    counted = models.DecimalField(_("counted"), max_digits=16, decimal_places=4)
    gross = _money(_("before factors"))
    year_factor = models.DecimalField(_("program year factor"), max_digits=5, decimal_places=4)
    penalty_keep = models.DecimalField(_("kept after verification"), max_digits=5, decimal_places=4)
    before_caps = _money(_("before caps"))
    cap = models.CharField(_("cap applied"), max_length=10, blank=True)
    amount = _money(_("amount"))
    reason = models.CharField(_("reason"), max_length=20)

    objects = StatementLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]

    def __str__(self) -> str:
        return f"{self.statement} {self.rule.code}"


class PaymentBatch(models.Model):
    """Approved statements sent to the bank together: the export the bank takes."""

    created_at = models.DateTimeField(_("made"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} ({self.reference or self.pk})"
