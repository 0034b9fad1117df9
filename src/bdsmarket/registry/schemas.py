"""The registry's API schemas: what each endpoint takes and returns.

Choices travel as their codes (the values of the TextChoices in models.py). Cities and
sectors are given by name or code in inputs and returned as small objects. Money is a
decimal string ("120.00") in outputs and a number or string in inputs.
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from bdsmarket.core.api import ProviderRef

from .models import (
    ClientType,
    Gender,
    IdKind,
    LegalType,
    OrganizationKind,
    ProviderStatus,
    ServiceType,
)

CITY_HELP = "The city's name; accents, case and spaces do not matter (“huanuco” finds Huánuco)."
SECTOR_HELP = "The sector's code, English or Spanish name, or an ISIC/CIIU code."


class Input(Schema):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


# Reference lists


class CityRef(Schema):
    id: int
    name: str


class CityOut(Schema):
    id: int
    name: str
    region: str
    is_capital: bool


class SectorRef(Schema):
    code: str
    name: str = Field(..., description="In the request's language.")


class SectorOut(Schema):
    id: int
    code: str
    name: str = Field(..., description="In the request's language.")
    name_en: str
    name_es: str
    isic_codes: list[str] = Field(..., description="ISIC/CIIU codes that map to the sector.")
    is_manufacturing: bool

    @staticmethod
    def resolve_isic_codes(obj) -> list[str]:
        return obj.isic_code_list


class SizeClassRef(Schema):
    id: int
    code: str
    name: str


class SizeClassOut(Schema):
    id: int
    code: str
    name: str = Field(..., description="In the request's language.")
    name_en: str
    name_es: str
    rank: int = Field(..., description="Smaller classes first.")
    max_workers: int | None
    max_annual_sales: Decimal | None
    valid_from: date
    valid_to: date | None
    legal_basis: str


# Providers


class ProviderOut(Schema):
    id: int
    code: str
    name: str
    legal_type: LegalType
    city: CityRef
    address: str
    phone: str
    email: str
    website: str
    contact_name: str
    tax_id: str = Field(..., description="RUC, digits only; empty when unknown.")
    staff_count: int | None
    description: str
    selection_round: int | None
    status: ProviderStatus
    status_since: date
    created_at: datetime


class ProviderPage(Schema):
    count: int = Field(..., description="How many providers match the filters in all.")
    items: list[ProviderOut]


class ProviderFilters(Schema):
    city: str | None = Field(None, description=CITY_HELP)
    status: ProviderStatus | None = None
    legal_type: LegalType | None = None
    selection_round: int | None = Field(None, ge=1)
    q: str | None = Field(None, description="Part of the code or name.")


class ProviderIn(Input):
    code: str = Field(..., description="The provider's code in the program; stored upper-case.")
    name: str
    legal_type: LegalType
    city: str = Field(..., description=CITY_HELP)
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    contact_name: str = ""
    tax_id: str = Field("", description="RUC: 11 digits with a valid check digit.")
    staff_count: int | None = Field(None, ge=0)
    description: str = ""
    selection_round: int | None = Field(None, ge=1)
    status: ProviderStatus = ProviderStatus.APPLICANT
    status_date: date | None = Field(
        None, description="When the first status began; today if empty."
    )
    status_reason: str = ""


class ProviderPatch(Input):
    """Only the fields sent are changed. Provider staff may change only their contacts."""

    code: str | None = None
    name: str | None = None
    legal_type: LegalType | None = None
    city: str | None = Field(None, description=CITY_HELP)
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    contact_name: str | None = None
    tax_id: str | None = None
    staff_count: int | None = Field(None, ge=0)
    description: str | None = None
    selection_round: int | None = Field(None, ge=1)


class StatusChangeIn(Input):
    status: ProviderStatus
    date: date
    reason: str = Field(..., description="Why the status changes; required.")


class StatusChangeOut(Schema):
    id: int
    status: ProviderStatus
    date: date
    reason: str
    recorded_by: str | None = Field(..., description="The username of who recorded it.")
    recorded_at: datetime

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None


# Services


class ServiceOut(Schema):
    id: int
    provider: ProviderRef
    service_type: ServiceType
    name: str
    description: str
    sectors: list[SectorRef]
    price: Decimal
    active: bool

    @staticmethod
    def resolve_sectors(obj) -> list:
        return list(obj.sectors.all())


class ServicePage(Schema):
    count: int
    items: list[ServiceOut]


class ServiceFilters(Schema):
    service_type: ServiceType | None = None
    provider: int | None = Field(None, description="A provider's ID.")
    active: bool | None = None


class ServiceIn(Input):
    service_type: ServiceType
    name: str
    price: Decimal = Field(..., description="In the program's currency; 0 or more.")
    description: str = ""
    sectors: list[str] = Field([], description=f"Sectors served. {SECTOR_HELP}")
    active: bool = True


class ServicePatch(Input):
    service_type: ServiceType | None = None
    name: str | None = None
    price: Decimal | None = None
    description: str | None = None
    sectors: list[str] | None = Field(None, description=f"Replaces the list. {SECTOR_HELP}")
    active: bool | None = None


# Enterprises


class EnterpriseOut(Schema):
    id: int
    national_id: str = Field(..., description="DNI (8 digits) or RUC (11), digits only.")
    id_kind: IdKind
    name: str
    client_type: ClientType
    owner_gender: Gender
    sector: SectorRef | None
    city: CityRef | None
    workers: int | None
    annual_sales: Decimal | None
    figures_as_of: date
    size_class: SizeClassRef | None = Field(
        ..., description="Derived from workers, sales and the size classes in force."
    )
    phone: str
    email: str
    registered_by: ProviderRef | None
    created_at: datetime


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]


class EnterpriseFilters(Schema):
    city: str | None = Field(None, description=CITY_HELP)
    sector: str | None = Field(None, description=SECTOR_HELP)
    client_type: ClientType | None = None
    size_class: str | None = Field(
        None,
        description="A size class code, e.g. micro: the class in every table over the years "
        "(a size class's ID is read as its code).",
    )
    q: str | None = Field(
        None,
        description="Part of the name, or the start of the national ID (spaces, dashes and "
        "dots are ignored).",
    )


class EnterpriseIn(Input):
    name: str
    client_type: ClientType
    national_id: str = Field("", description="DNI (8 digits) or RUC (11 digits), or empty.")
    owner_gender: Gender = Gender.NA
    sector: str | None = Field(None, description=SECTOR_HELP)
    city: str | None = Field(None, description=CITY_HELP)
    workers: int | None = Field(None, ge=0)
    annual_sales: Decimal | None = None
    figures_as_of: date | None = Field(None, description="The date of the figures; today if empty.")
    phone: str = ""
    email: str = ""
    registered_by: int | None = Field(
        None,
        description="The registering provider's ID (program staff only; provider staff "
        "always register for their own provider).",
    )


class EnterprisePatch(Input):
    name: str | None = None
    client_type: ClientType | None = None
    national_id: str | None = None
    owner_gender: Gender | None = None
    sector: str | None = Field(None, description=f"{SECTOR_HELP} null clears it.")
    city: str | None = Field(None, description=f"{CITY_HELP} null clears it.")
    workers: int | None = Field(None, ge=0)
    annual_sales: Decimal | None = None
    figures_as_of: date | None = None
    phone: str | None = None
    email: str | None = None


# Business organizations


class OrganizationOut(Schema):
    id: int
    name: str
    kind: OrganizationKind
    city: CityRef | None
    sectors: list[SectorRef]
    member_count: int | None
    website: str
    email: str
    phone: str
    description: str

    @staticmethod
    def resolve_sectors(obj) -> list:
        return list(obj.sectors.all())


class OrganizationPage(Schema):
    count: int
    items: list[OrganizationOut]


class OrganizationFilters(Schema):
    kind: OrganizationKind | None = None
    city: str | None = Field(None, description=CITY_HELP)
    q: str | None = Field(None, description="Part of the name.")
