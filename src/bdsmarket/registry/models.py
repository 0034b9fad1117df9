"""The program's lists: cities, sectors, size classes, providers and their catalogues,
enterprises (the clients) and business organizations. Every change is kept in history."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bdsmarket.core.text import normalize_key

from .validators import validate_national_id, validate_ruc

# Money is exact (Decimal in Python, NUMERIC in the database) with max_digits=14 and
# decimal_places=2 everywhere; it is rounded only when shown.


class Program(models.Model):
    """The program this installation runs. There is one row; `Program.current()` reads it."""

    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Lima")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("program")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Program | None":
        return cls.objects.order_by("pk").first()

    @classmethod
    def current_time_zone(cls) -> str | None:
        """Return the program's time zone name (None before `init`): the program clock's."""
        program = cls.current()
        return program.time_zone if program else None


class City(models.Model):
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    is_capital = models.BooleanField(_("capital city"), default=False)
    # The name folded for matching (no accents, case or spaces), so `Huanuco` finds `Huánuco`.
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_capital"],
                condition=models.Q(is_capital=True),
                name="one_capital_city",
                violation_error_message=_("The program already has a capital city."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = normalize_key(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name_key = normalize_key(self.name)


class Sector(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    # ISIC/CIIU codes (any depth) that map to this sector, comma-separated, e.g. "13,14,1520".
    isic_codes = models.CharField(_("ISIC/CIIU codes"), max_length=300, blank=True)
    is_manufacturing = models.BooleanField(_("manufacturing"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "").startswith("es") else self.name_en

    @property
    def isic_code_list(self) -> list[str]:
        return [code.strip() for code in self.isic_codes.split(",") if code.strip()]


class SizeClass(models.Model):
    """A legal size class (micro, small…) with the bounds in force between two dates."""

    code = models.SlugField(_("code"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Smaller classes first."))
    max_workers = models.PositiveIntegerField(_("maximum workers"), null=True, blank=True)
    max_annual_sales = models.DecimalField(
        _("maximum annual sales"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("size class")
        verbose_name_plural = _("size classes")
        ordering = ["valid_from", "rank"]
        constraints = [
            models.CheckConstraint(
                name="size_class_dates_in_order",
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                violation_error_message=_("'Valid until' cannot be before 'valid from'."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "").startswith("es") else self.name_en


class LegalType(models.TextChoices):
    NGO = "ngo", _("NGO")
    FIRM = "firm", _("Firm")
    INDIVIDUAL = "individual", _("Individual")
    PUBLIC_INSTITUTE = "public_institute", _("Public institute")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class ProviderStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
    CLOSED = "closed", _("Closed")


class ProviderQuerySet(models.QuerySet["Provider"]):
    def active(self) -> "ProviderQuerySet":
        return self.filter(status=ProviderStatus.ACTIVE)


class Provider(models.Model):
    """A business development center or other provider taking part in the program."""

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("The provider's code in the program.")
    )
    name = models.CharField(_("name"), max_length=200)
    legal_type = models.CharField(_("legal type"), max_length=20, choices=LegalType.choices)
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="providers"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax ID (RUC)"), max_length=20, blank=True, validators=[validate_ruc]
    )
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    selection_round = models.PositiveSmallIntegerField(_("selection round"), null=True, blank=True)
    # The latest status change, kept here so lists filter on it cheaply; the changes
    # themselves are in ProviderStatusChange and only provider_change_status writes both.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProviderStatus.choices,
        default=ProviderStatus.APPLICANT,
        editable=False,
    )
    status_since = models.DateField(_("status since"), default=date.today, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ProviderStatusChange(models.Model):
    """One step in a provider's life in the program, with its date and reason."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=ProviderStatus.choices)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-date", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider.code}: {self.get_status_display()} ({self.date})"


class ServiceType(models.TextChoices):
    TRAINING = "training", _("Training")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    INFORMATION = "information", _("Information")
    MARKETING = "marketing", _("Marketing")
    INTERNET_ACCESS = "internet_access", _("Internet access")
    BUSINESS_PLAN = "business_plan", _("Business plan")
    OTHER = "other", _("Other service")


class ProviderService(models.Model):
    """One service in a provider's catalogue."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="services"
    )
    service_type = models.CharField(_("service type"), max_length=30, choices=ServiceType.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors served"), blank=True, related_name="services"
    )
    price = models.DecimalField(
        _("price"), validators=[MinValueValidator(Decimal("0"))], max_digits=14, decimal_places=2
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[sectors])

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["provider", "service_type", "name"]

    def __str__(self) -> str:
        return self.name


class ClientType(models.TextChoices):
    PRE_ENTERPRISE = "pre_enterprise", _("Pre-enterprise")
    MICRO = "micro", _("Micro-enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium enterprise")
    LARGE = "large", _("Large enterprise")
    PROFESSIONAL = "professional", _("Professional")
    INSTITUTION = "institution", _("Institution")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    MIXED = "mixed", _("Mixed")
    NA = "na", _("Not applicable")


class IdKind(models.TextChoices):
    DNI = "dni", _("DNI")
    RUC = "ruc", _("RUC")
    NONE = "", _("No national ID")


class Enterprise(models.Model):
    """A client of the program's providers: an enterprise, a pre-entrepreneur or a person."""

    national_id = models.CharField(
        _("national ID"),
        max_length=20,
        blank=True,
        help_text=_("DNI (8 digits) or RUC (11)."),
        validators=[validate_national_id],
    )
    id_kind = models.CharField(
        _("ID kind"), max_length=3, choices=IdKind.choices, blank=True, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    client_type = models.CharField(_("type"), max_length=20, choices=ClientType.choices)
    owner_gender = models.CharField(
        _("owner's gender"), max_length=10, choices=Gender.choices, default=Gender.NA
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT
    )
    city = models.ForeignKey(
        City, verbose_name=_("city"), null=True, blank=True, on_delete=models.PROTECT
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    annual_sales = models.DecimalField(
        _("annual sales"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=14,
        decimal_places=2,
    )
    figures_as_of = models.DateField(
        _("figures as of"),
        default=date.today,
        help_text=_("The date the workers and sales refer to; it decides the size class."),
    )
    # Derived from workers, sales and the size classes in force; never typed in.
    size_class = models.ForeignKey(
        SizeClass,
        verbose_name=_("size class"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    registered_by = models.ForeignKey(
        Provider,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_enterprises",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~models.Q(national_id=""),
                name="unique_national_id",
                violation_error_message=_("An enterprise with this national ID exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    CHAMBER = "chamber", _("Chamber of commerce")
    ASSOCIATION = "association", _("Business association")
    GUILD = "guild", _("Guild")
    COOPERATIVE = "cooperative", _("Cooperative")
    NETWORK = "network", _("Provider network")
    OTHER = "other", _("Other")


class BusinessOrganization(models.Model):
    """A chamber, association or network that represents enterprises or providers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    city = models.ForeignKey(
        City, verbose_name=_("city"), null=True, blank=True, on_delete=models.PROTECT
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords(m2m_fields=[sectors])

    class Meta:
        verbose_name = _("business organization")
        verbose_name_plural = _("business organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
