"""Every write to the registry. Doors (pages, API, CLI, imports, demo) call these.

Each service validates the whole record and raises django's ValidationError, with a
message per field in the user's language, before anything is stored.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from bdsmarket.core.audit import record_bulk_update, record_save
from bdsmarket.core.clock import program_today
from bdsmarket.core.models import User

from . import permissions, rules
from .models import (
    BusinessOrganization,
    City,
    Enterprise,
    Program,
    Provider,
    ProviderService,
    ProviderStatus,
    ProviderStatusChange,
    Sector,
    SizeClass,
)
from .queries import city_find, size_bounds
from .validators import validate_national_id, validate_ruc


def _apply(instance: Model, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(instance, field, value)


# Program and lists


@transaction.atomic
def program_configure(
    *,
    name: str,
    currency: str,
    time_zone: str,
    capital_city: str,
    capital_region: str = "",
    actor: User | None = None,
) -> Program:
    """Create or update the program's settings and make `capital_city` its capital."""
    from zoneinfo import available_timezones

    errors: dict[str, list[str]] = {}
    if time_zone not in available_timezones():
        errors["time_zone"] = [
            _("Unknown time zone “%(value)s”, e.g. America/Lima.") % {"value": time_zone}
        ]
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = [_("Use the three-letter ISO code of the currency, e.g. USD or PEN.")]
    if errors:
        raise ValidationError(errors)
    program = Program.current() or Program()
    program.name, program.currency, program.time_zone = name, currency.upper(), time_zone
    program.full_clean()
    record_save(program, actor=actor)
    capital = city_find(capital_city)
    for former in City.objects.filter(is_capital=True).exclude(pk=capital.pk if capital else 0):
        former.is_capital = False
        record_save(former, actor=actor, fields=["is_capital"])
    if capital is None:
        capital = City(name=capital_city, region=capital_region)
    capital.is_capital = True
    capital.full_clean()
    record_save(capital, actor=actor)
    return program


def city_create(
    *, name: str, region: str = "", is_capital: bool = False, actor: User | None = None
) -> City:
    city = City(name=name.strip(), region=region.strip(), is_capital=is_capital)
    city.full_clean()
    record_save(city, actor=actor)
    return city


def city_update(*, city: City, changes: dict[str, Any], actor: User | None = None) -> City:
    _apply(city, changes)
    city.full_clean()
    record_save(city, actor=actor)
    return city


def sector_create(
    *,
    code: str,
    name_en: str,
    name_es: str,
    isic_codes: str = "",
    is_manufacturing: bool = False,
    actor: User | None = None,
) -> Sector:
    sector = Sector(
        code=code.strip(),
        name_en=name_en.strip(),
        name_es=name_es.strip(),
        isic_codes=",".join(c.strip() for c in isic_codes.split(",") if c.strip()),
        is_manufacturing=is_manufacturing,
    )
    sector.full_clean()
    record_save(sector, actor=actor)
    return sector


def sector_update(*, sector: Sector, changes: dict[str, Any], actor: User | None = None) -> Sector:
    """Change the fields named in `changes`; ISIC codes are cleaned as on creation."""
    if "isic_codes" in changes:
        changes["isic_codes"] = ",".join(
            c.strip() for c in str(changes["isic_codes"]).split(",") if c.strip()
        )
    _apply(sector, changes)
    sector.full_clean()
    record_save(sector, actor=actor)
    return sector


@transaction.atomic
def size_class_create(
    *,
    code: str,
    name_en: str,
    name_es: str,
    rank: int,
    max_workers: int | None,
    max_annual_sales: Decimal | None,
    valid_from: date,
    valid_to: date | None = None,
    legal_basis: str = "",
    actor: User | None = None,
) -> SizeClass:
    """Add a size class and re-derive every enterprise's size class under the new table."""
    size_class = SizeClass(
        code=code,
        name_en=name_en,
        name_es=name_es,
        rank=rank,
        max_workers=max_workers,
        max_annual_sales=max_annual_sales,
        valid_from=valid_from,
        valid_to=valid_to,
        legal_basis=legal_basis,
    )
    size_class.full_clean()
    record_save(size_class, actor=actor)
    enterprises_reclassify(actor=actor)
    return size_class


# Providers


def _check_tax_id(tax_id: str) -> str:
    """Return the RUC as stored (digits only), or raise a field error."""
    try:
        validate_ruc(tax_id)
    except ValidationError as error:
        raise ValidationError({"tax_id": error.messages}) from error
    return rules.id_digits(tax_id)


@transaction.atomic
def provider_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    legal_type: str,
    city: City,
    status: str = ProviderStatus.APPLICANT,
    status_date: date | None = None,
    status_reason: str = "",
    **details: Any,
) -> Provider:
    """Register a provider with its first status. `details` are the optional fields."""
    if actor is not None and not permissions.can_create_provider(actor):
        raise PermissionDenied
    provider = Provider(
        code=code.strip().upper(), name=name.strip(), legal_type=legal_type, city=city
    )
    _apply(provider, details)
    provider.tax_id = _check_tax_id(provider.tax_id)
    provider.status = status
    provider.status_since = status_date or program_today()
    provider.full_clean()
    record_save(provider, actor=actor)
    ProviderStatusChange.objects.create(
        provider=provider,
        status=status,
        date=provider.status_since,
        reason=status_reason or _("Registered"),
        recorded_by=actor,
    )
    return provider


@transaction.atomic
def provider_update(*, actor: User | None, provider: Provider, changes: dict[str, Any]) -> Provider:
    """Change the fields named in `changes`; provider staff may change only their contacts."""
    if actor is not None:
        allowed = permissions.provider_fields_editable_by(actor, provider)
        if not allowed or not set(changes) <= allowed:
            raise PermissionDenied
    if "code" in changes:
        changes["code"] = str(changes["code"]).strip().upper()
    _apply(provider, changes)
    provider.tax_id = _check_tax_id(provider.tax_id)
    provider.full_clean()
    record_save(provider, actor=actor)
    return provider


@transaction.atomic
def provider_change_status(
    *, actor: User | None, provider: Provider, status: str, on: date, reason: str
) -> ProviderStatusChange:
    """Record that `provider` entered `status` on `on`, and why."""
    if actor is not None and not permissions.can_change_provider_status(actor, provider):
        raise PermissionDenied
    if status not in ProviderStatus.values:
        raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": status}]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the status changes.")]})
    if on < provider.status_since:
        raise ValidationError(
            {
                "date": [
                    _("The date cannot be before the current status began (%(date)s).")
                    % {"date": provider.status_since}
                ]
            }
        )
    change = ProviderStatusChange.objects.create(
        provider=provider, status=status, date=on, reason=reason.strip(), recorded_by=actor
    )
    provider.status, provider.status_since = status, on
    provider.full_clean()
    record_save(provider, actor=actor)
    return change


# Catalogue


@transaction.atomic
def service_create(
    *,
    actor: User | None,
    provider: Provider,
    service_type: str,
    name: str,
    price: Decimal,
    description: str = "",
    sectors: list[Sector] | None = None,
    active: bool = True,
) -> ProviderService:
    if actor is not None and not permissions.can_edit_catalogue(actor, provider):
        raise PermissionDenied
    service = ProviderService(
        provider=provider,
        service_type=service_type,
        name=name.strip(),
        description=description,
        price=price,
        active=active,
    )
    service.full_clean()
    record_save(service, actor=actor)
    if sectors:
        service.sectors.set(sectors)
    return service


@transaction.atomic
def service_update(
    *, actor: User | None, service: ProviderService, changes: dict[str, Any]
) -> ProviderService:
    if actor is not None and not permissions.can_edit_catalogue(actor, service.provider):
        raise PermissionDenied
    if "provider" in changes:
        raise PermissionDenied
    sectors = changes.pop("sectors", None)
    _apply(service, changes)
    service.full_clean()
    record_save(service, actor=actor)
    if sectors is not None:
        service.sectors.set(sectors)
    return service


# Enterprises


def _check_national_id(national_id: str) -> tuple[str, str]:
    """Return the ID as stored (digits only) and its kind, or raise a field error."""
    try:
        validate_national_id(national_id)
    except ValidationError as error:
        raise ValidationError({"national_id": error.messages}) from error
    if not national_id.strip():
        return "", ""
    return rules.id_digits(national_id), str(rules.classify_national_id(national_id))


def _check_national_id_free(enterprise: Enterprise) -> None:
    """Raise a field error when another enterprise already has this national ID.

    The database constraint would catch it too, but only as an error of the whole record.
    """
    if enterprise.national_id and (
        Enterprise.objects.filter(national_id=enterprise.national_id)
        .exclude(pk=enterprise.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "national_id": [
                    _("An enterprise with the national ID %(value)s is already registered.")
                    % {"value": enterprise.national_id}
                ]
            }
        )


def _derive_size_class(enterprise: Enterprise, bounds: list[rules.SizeBounds]) -> None:
    pk = rules.size_class_for(
        bounds,
        workers=enterprise.workers,
        annual_sales=enterprise.annual_sales,
        on=enterprise.figures_as_of,
    )
    enterprise.size_class_id = int(pk) if pk else None


@transaction.atomic
def enterprise_create(
    *,
    actor: User | None,
    name: str,
    client_type: str,
    national_id: str = "",
    registered_by: Provider | None = None,
    **details: Any,
) -> Enterprise:
    """Register an enterprise; provider staff register it for their own provider."""
    if actor is not None:
        if not permissions.can_create_enterprise(actor):
            raise PermissionDenied
        if actor.is_provider_staff:
            registered_by = actor.provider
    enterprise = Enterprise(name=name.strip(), client_type=client_type, registered_by=registered_by)
    enterprise.national_id, enterprise.id_kind = _check_national_id(national_id)
    _apply(enterprise, details)
    _check_national_id_free(enterprise)
    _derive_size_class(enterprise, size_bounds())
    enterprise.full_clean()
    record_save(enterprise, actor=actor)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User | None, enterprise: Enterprise, changes: dict[str, Any]
) -> Enterprise:
    if actor is not None and not permissions.can_edit_enterprise(actor, enterprise):
        raise PermissionDenied
    if "registered_by" in changes or "size_class" in changes:
        raise PermissionDenied
    if "national_id" in changes:
        changes["national_id"], enterprise.id_kind = _check_national_id(changes["national_id"])
    _apply(enterprise, changes)
    _check_national_id_free(enterprise)
    _derive_size_class(enterprise, size_bounds())
    enterprise.full_clean()
    record_save(enterprise, actor=actor)
    return enterprise


def enterprises_reclassify(*, actor: User | None) -> int:
    """Re-derive every enterprise's size class from the table in force; return how many moved."""
    bounds = size_bounds()
    moved: dict[int, int | None] = {}
    for enterprise in Enterprise.objects.only(
        "pk", "workers", "annual_sales", "figures_as_of", "size_class_id"
    ):
        before = enterprise.size_class_id
        _derive_size_class(enterprise, bounds)
        if enterprise.size_class_id != before:
            moved[enterprise.pk] = enterprise.size_class_id
    # The history keeps whole records: only the enterprises that moved are read whole.
    changed = list(Enterprise.objects.in_bulk(list(moved)).values())
    for enterprise in changed:
        enterprise.size_class_id = moved[enterprise.pk]
    record_bulk_update(changed, ["size_class"], actor=actor, batch_size=1000)
    return len(moved)


# Business organizations


@transaction.atomic
def organization_create(
    *, actor: User | None, name: str, kind: str, sectors: list[Sector] | None = None, **details: Any
) -> BusinessOrganization:
    if actor is not None and not permissions.can_edit_program_lists(actor):
        raise PermissionDenied
    organization = BusinessOrganization(name=name.strip(), kind=kind)
    _apply(organization, details)
    organization.full_clean()
    record_save(organization, actor=actor)
    if sectors:
        organization.sectors.set(sectors)
    return organization


@transaction.atomic
def organization_update(
    *, actor: User | None, organization: BusinessOrganization, changes: dict[str, Any]
) -> BusinessOrganization:
    if actor is not None and not permissions.can_edit_program_lists(actor):
        raise PermissionDenied
    sectors = changes.pop("sectors", None)
    _apply(organization, changes)
    organization.full_clean()
    record_save(organization, actor=actor)
    if sectors is not None:
        organization.sectors.set(sectors)
    return organization
