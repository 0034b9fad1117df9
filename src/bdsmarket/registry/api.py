"""The registry over the REST API: reference lists, providers, services, enterprises and
business organizations.

Each endpoint reads through the scoping helpers in permissions.py (a record outside the
caller's scope is a 404, never a 403) and writes through services.py.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from bdsmarket.core.api import (
    ApiValidationError,
    Paging,
    actor,
    error_responses,
    page,
    visible_or_404,
)

from . import permissions, queries, services
from .models import (
    BusinessOrganization,
    City,
    Enterprise,
    Provider,
    ProviderService,
    ProviderStatusChange,
    Sector,
    SizeClass,
)
from .queries import city_find, sector_find, size_classes_in_force
from .schemas import (
    CityOut,
    EnterpriseFilters,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    OrganizationFilters,
    OrganizationPage,
    ProviderFilters,
    ProviderIn,
    ProviderOut,
    ProviderPage,
    ProviderPatch,
    SectorOut,
    ServiceFilters,
    ServiceIn,
    ServiceOut,
    ServicePage,
    ServicePatch,
    SizeClassOut,
    StatusChangeIn,
    StatusChangeOut,
)

router = Router()

READ_ERRORS = error_responses(401, 422)
ONE_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 422)

# Text fields that are empty rather than null in the database: null in a PATCH empties them.
PROVIDER_TEXT_FIELDS = frozenset(
    {"address", "phone", "email", "website", "contact_name", "tax_id", "description"}
)
ENTERPRISE_TEXT_FIELDS = frozenset({"national_id", "phone", "email"})
SERVICE_TEXT_FIELDS = frozenset({"description"})


# Names to records


def _city(value: str | None, loc: list[str | int]) -> City:
    city = city_find(value) if value else None
    if city is None:
        raise ApiValidationError.at(
            loc,
            _("Unknown city “%(value)s”: use the name of one of the program's cities.")
            % {"value": value or ""},
            "unknown_city",
        )
    return city


def _sector(value: str, loc: list[str | int]) -> Sector:
    sector = sector_find(value) if value else None
    if sector is None:
        raise ApiValidationError.at(
            loc,
            _(
                "Unknown sector “%(value)s”: use a sector's code, English or Spanish name, "
                "or an ISIC/CIIU code."
            )
            % {"value": value},
            "unknown_sector",
        )
    return sector


def _sectors(values: list[str], field: str = "sectors") -> list[Sector]:
    return [_sector(value, ["body", field, index]) for index, value in enumerate(values)]


def _blank_nulls(changes: dict[str, Any], text_fields: frozenset[str]) -> dict[str, Any]:
    return {
        field: "" if value is None and field in text_fields else value
        for field, value in changes.items()
    }


# Reference lists


@router.get(
    "/cities",
    response={200: list[CityOut], **error_responses(401)},
    tags=["Reference lists"],
    summary="List cities",
    description="The program's cities, by name.",
)
def city_list(request: HttpRequest) -> QuerySet[City]:
    return City.objects.all()


@router.get(
    "/sectors",
    response={200: list[SectorOut], **error_responses(401)},
    tags=["Reference lists"],
    summary="List sectors",
    description="The sectors, with their ISIC/CIIU codes, by code.",
)
def sector_list(request: HttpRequest) -> QuerySet[Sector]:
    return Sector.objects.all()


@router.get(
    "/size-classes",
    response={200: list[SizeClassOut], **error_responses(401)},
    tags=["Reference lists"],
    summary="List size classes",
    description="Every legal size class with its bounds and the dates it is in force, "
    "the newest first.",
)
def size_class_list(request: HttpRequest) -> QuerySet[SizeClass]:
    return size_classes_in_force()


# Providers


@router.get(
    "/providers",
    response={200: ProviderPage, **READ_ERRORS},
    tags=["Providers"],
    summary="List providers",
    description="The providers the caller may see (provider staff: their own), by code.",
)
def provider_list(
    request: HttpRequest, filters: Query[ProviderFilters], paging: Query[Paging]
) -> dict[str, Any]:
    wanted = queries.ProviderFilters(
        q=filters.q or "",
        city=_city(filters.city, ["query", "city"]) if filters.city is not None else None,
        status=filters.status or "",
        legal_type=filters.legal_type or "",
        selection_round=filters.selection_round,
    )
    return page(queries.provider_list(actor=actor(request), filters=wanted), paging)


@router.get(
    "/providers/{provider_id}",
    response={200: ProviderOut, **ONE_ERRORS},
    tags=["Providers"],
    summary="Get a provider",
)
def provider_detail(request: HttpRequest, provider_id: int) -> Provider:
    return visible_or_404(permissions.providers_visible_to(actor(request)), provider_id)


@router.post(
    "/providers",
    response={201: ProviderOut, **error_responses(401, 403, 422)},
    tags=["Providers"],
    summary="Register a provider",
    description="Program manager only. The provider starts in `status` (applicant unless "
    "given) on `status_date`.",
)
def provider_create(request: HttpRequest, payload: ProviderIn) -> Status:
    user = actor(request)
    if not permissions.can_create_provider(user):
        raise PermissionDenied(_("Only the program manager registers providers."))
    data = payload.dict()
    data["city"] = _city(payload.city, ["body", "city"])
    provider = services.provider_create(actor=user, **data)
    return Status(201, provider)


@router.patch(
    "/providers/{provider_id}",
    response={200: ProviderOut, **WRITE_ERRORS},
    tags=["Providers"],
    summary="Change a provider",
    description="Changes the fields sent. Provider staff may change only their own "
    "provider's contacts and description; code, legal type, city, RUC and round are the "
    "program manager's. Sending a field you may not change is a 403.",
)
def provider_update(request: HttpRequest, provider_id: int, payload: ProviderPatch) -> Provider:
    user = actor(request)
    provider = visible_or_404(permissions.providers_visible_to(user), provider_id)
    changes = _blank_nulls(payload.dict(exclude_unset=True), PROVIDER_TEXT_FIELDS)
    allowed = permissions.provider_fields_editable_by(user, provider)
    if not allowed:
        raise PermissionDenied(_("You may not change this provider."))
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionDenied(
            _("You may not change these fields: %(fields)s.") % {"fields": ", ".join(refused)}
        )
    if "city" in changes:
        changes["city"] = _city(changes["city"], ["body", "city"])
    return services.provider_update(actor=user, provider=provider, changes=changes)


@router.post(
    "/providers/{provider_id}/status",
    response={201: StatusChangeOut, **WRITE_ERRORS},
    tags=["Providers"],
    summary="Change a provider's status",
    description="Program manager only: records the new status, the date it began and why.",
)
def provider_status_change(
    request: HttpRequest, provider_id: int, payload: StatusChangeIn
) -> Status:
    user = actor(request)
    provider = visible_or_404(permissions.providers_visible_to(user), provider_id)
    if not permissions.can_change_provider_status(user, provider):
        raise PermissionDenied(_("Only the program manager changes a provider's status."))
    change = services.provider_change_status(
        actor=user, provider=provider, status=payload.status, on=payload.date, reason=payload.reason
    )
    return Status(201, change)


@router.get(
    "/providers/{provider_id}/status-history",
    response={200: list[StatusChangeOut], **ONE_ERRORS},
    tags=["Providers"],
    summary="A provider's status history",
    description="Every status the provider had, the newest first.",
)
def provider_status_history(
    request: HttpRequest, provider_id: int
) -> QuerySet[ProviderStatusChange]:
    provider = visible_or_404(permissions.providers_visible_to(actor(request)), provider_id)
    return provider.status_changes.select_related("recorded_by")


# Services


def _services(request: HttpRequest) -> QuerySet[ProviderService]:
    return permissions.services_visible_to(actor(request)).prefetch_related("sectors")


@router.get(
    "/providers/{provider_id}/services",
    response={200: list[ServiceOut], **ONE_ERRORS},
    tags=["Services"],
    summary="A provider's catalogue",
    description="Every service the provider offers, active or not.",
)
def provider_service_list(request: HttpRequest, provider_id: int) -> QuerySet[ProviderService]:
    provider = visible_or_404(permissions.providers_visible_to(actor(request)), provider_id)
    return _services(request).filter(provider=provider)


@router.post(
    "/providers/{provider_id}/services",
    response={201: ServiceOut, **WRITE_ERRORS},
    tags=["Services"],
    summary="Add a service to a catalogue",
    description="The program manager, or the provider's own staff.",
)
def service_create(request: HttpRequest, provider_id: int, payload: ServiceIn) -> Status:
    user = actor(request)
    provider = visible_or_404(permissions.providers_visible_to(user), provider_id)
    if not permissions.can_edit_catalogue(user, provider):
        raise PermissionDenied(_("You may not change this provider's catalogue."))
    data = payload.dict()
    data["sectors"] = _sectors(payload.sectors)
    service = services.service_create(actor=user, provider=provider, **data)
    return Status(201, service)


@router.get(
    "/services",
    response={200: ServicePage, **READ_ERRORS},
    tags=["Services"],
    summary="List services",
    description="Every catalogue entry the caller may see, by provider, type and name.",
)
def service_list(
    request: HttpRequest, filters: Query[ServiceFilters], paging: Query[Paging]
) -> dict[str, Any]:
    found = _services(request)
    if filters.service_type is not None:
        found = found.filter(service_type=filters.service_type)
    if filters.provider is not None:
        found = found.filter(provider_id=filters.provider)
    if filters.active is not None:
        found = found.filter(active=filters.active)
    return page(found, paging)


@router.get(
    "/services/{service_id}",
    response={200: ServiceOut, **ONE_ERRORS},
    tags=["Services"],
    summary="Get a service",
)
def service_detail(request: HttpRequest, service_id: int) -> ProviderService:
    return visible_or_404(_services(request), service_id)


@router.patch(
    "/services/{service_id}",
    response={200: ServiceOut, **WRITE_ERRORS},
    tags=["Services"],
    summary="Change a service",
    description="Changes the fields sent; `sectors` replaces the list.",
)
def service_update(request: HttpRequest, service_id: int, payload: ServicePatch) -> ProviderService:
    user = actor(request)
    service = visible_or_404(_services(request), service_id)
    if not permissions.can_edit_catalogue(user, service.provider):
        raise PermissionDenied(_("You may not change this provider's catalogue."))
    changes = _blank_nulls(payload.dict(exclude_unset=True), SERVICE_TEXT_FIELDS)
    if "sectors" in changes:
        changes["sectors"] = _sectors(changes["sectors"] or [])
    services.service_update(actor=user, service=service, changes=changes)
    return visible_or_404(_services(request), service_id)


# Enterprises


def _enterprises(request: HttpRequest) -> QuerySet[Enterprise]:
    user = actor(request)
    if not permissions.can_see_enterprises(user):
        raise PermissionDenied(_("Your role does not see enterprises (client data is personal)."))
    return permissions.enterprises_visible_to(user).select_related("registered_by")


@router.get(
    "/enterprises",
    response={200: EnterprisePage, **error_responses(401, 403, 422)},
    tags=["Enterprises"],
    summary="List enterprises",
    description="The enterprises the caller may see: all for program staff and auditors, "
    "those it registered for provider staff; evaluators see none (403).",
)
def enterprise_list(
    request: HttpRequest, filters: Query[EnterpriseFilters], paging: Query[Paging]
) -> dict[str, Any]:
    size_class = ""
    if filters.size_class is not None:
        size_class = queries.size_class_code(filters.size_class) or ""
        if not size_class:
            raise ApiValidationError.at(
                ["query", "size_class"],
                _("Unknown size class “%(value)s”: see /api/v1/size-classes for the codes.")
                % {"value": filters.size_class},
                "unknown_size_class",
            )
    wanted = queries.EnterpriseFilters(
        q=filters.q or "",
        city=_city(filters.city, ["query", "city"]) if filters.city is not None else None,
        sector=_sector(filters.sector, ["query", "sector"]) if filters.sector is not None else None,
        client_type=filters.client_type or "",
        size_class=size_class,
    )
    return page(queries.enterprise_list(actor=actor(request), filters=wanted), paging)


@router.get(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseOut, **error_responses(401, 403, 404)},
    tags=["Enterprises"],
    summary="Get an enterprise",
)
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return visible_or_404(_enterprises(request), enterprise_id)


def _enterprise_links(changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the sector and city names in `changes` by the records; null clears them."""
    if changes.get("sector") is not None:
        changes["sector"] = _sector(changes["sector"], ["body", "sector"])
    if changes.get("city") is not None:
        changes["city"] = _city(changes["city"], ["body", "city"])
    return changes


@router.post(
    "/enterprises",
    response={201: EnterpriseOut, **error_responses(401, 403, 422)},
    tags=["Enterprises"],
    summary="Register an enterprise",
    description="Program staff and provider staff. The size class is derived from workers "
    "and sales; provider staff register enterprises for their own provider.",
)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Status:
    user = actor(request)
    if not permissions.can_create_enterprise(user):
        raise PermissionDenied(_("Your role does not register enterprises."))
    data = _enterprise_links(payload.dict())
    if data["figures_as_of"] is None:
        del data["figures_as_of"]
    registered_by = data.pop("registered_by")
    if registered_by is not None:
        if user.is_provider_staff and registered_by != user.provider_id:
            raise ApiValidationError.at(
                ["body", "registered_by"],
                _("Provider staff register enterprises for their own provider; leave it out."),
            )
        provider = permissions.providers_visible_to(user).filter(pk=registered_by).first()
        if provider is None:
            raise ApiValidationError.at(
                ["body", "registered_by"],
                _("No provider with ID %(id)s.") % {"id": registered_by},
                "unknown_provider",
            )
        data["registered_by"] = provider
    enterprise = services.enterprise_create(actor=user, **data)
    return Status(201, visible_or_404(_enterprises(request), enterprise.pk))


@router.patch(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseOut, **WRITE_ERRORS},
    tags=["Enterprises"],
    summary="Change an enterprise",
    description="Changes the fields sent; the size class is derived again.",
)
def enterprise_update(
    request: HttpRequest, enterprise_id: int, payload: EnterprisePatch
) -> Enterprise:
    user = actor(request)
    enterprise = visible_or_404(_enterprises(request), enterprise_id)
    if not permissions.can_edit_enterprise(user, enterprise):
        raise PermissionDenied(_("You may not change this enterprise."))
    changes = _enterprise_links(
        _blank_nulls(payload.dict(exclude_unset=True), ENTERPRISE_TEXT_FIELDS)
    )
    services.enterprise_update(actor=user, enterprise=enterprise, changes=changes)
    return visible_or_404(_enterprises(request), enterprise_id)


# Business organizations


@router.get(
    "/organizations",
    response={200: OrganizationPage, **READ_ERRORS},
    tags=["Organizations"],
    summary="List business organizations",
    description="Chambers, associations, guilds and networks, by name.",
)
def organization_list(
    request: HttpRequest, filters: Query[OrganizationFilters], paging: Query[Paging]
) -> dict[str, Any]:
    organizations: QuerySet[BusinessOrganization] = permissions.organizations_visible_to(
        actor(request)
    ).prefetch_related("sectors")
    if filters.kind is not None:
        organizations = organizations.filter(kind=filters.kind)
    if filters.city is not None:
        organizations = organizations.filter(city=_city(filters.city, ["query", "city"]))
    if filters.q:
        organizations = organizations.filter(name__icontains=filters.q.strip())
    return page(organizations, paging)
