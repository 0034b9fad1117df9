"""Who may see and change registry records. Every door (page, API, export, CLI) uses these.

Program-wide readers (manager, monitoring officer, auditor) see every provider and
enterprise; evaluators see providers but no enterprise (client data is personal);
provider staff see their own provider and the enterprises it registered, nothing else.
Only the program manager changes the program's lists and a provider's standing
(code, legal type, status, round); provider staff keep their own contacts and catalogue.
"""

from django.db.models import QuerySet

from bdsmarket.core.models import Role, User

from .models import BusinessOrganization, Enterprise, Provider, ProviderService

# What provider staff may change on their own provider's record.
PROVIDER_SELF_SERVICE_FIELDS = frozenset(
    {"name", "address", "phone", "email", "website", "contact_name", "staff_count", "description"}
)
PROVIDER_STAFF_ONLY_FIELDS = frozenset({"code", "legal_type", "city", "tax_id", "selection_round"})


def _is_manager(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.MANAGER


def _is_staff_of(user: User, provider: Provider) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.PROVIDER
        and user.provider_id == provider.pk
    )


def providers_visible_to(user: User) -> QuerySet[Provider]:
    """Return the providers `user` may see."""
    providers = Provider.objects.select_related("city")
    if not (user.is_authenticated and user.is_active):
        return providers.none()
    if user.role in (Role.MANAGER, Role.OFFICER, Role.AUDITOR, Role.EVALUATOR):
        return providers
    if user.role == Role.PROVIDER:
        return providers.filter(pk=user.provider_id or 0)
    return providers.none()


def services_visible_to(user: User) -> QuerySet[ProviderService]:
    """Return the catalogue entries `user` may see."""
    return ProviderService.objects.filter(
        provider__in=providers_visible_to(user).values("pk")
    ).select_related("provider")


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    """Return the enterprises `user` may see."""
    enterprises = Enterprise.objects.select_related("sector", "city", "size_class")
    if not (user.is_authenticated and user.is_active):
        return enterprises.none()
    if user.reads_whole_program:
        return enterprises
    if user.role == Role.PROVIDER:
        return enterprises.filter(registered_by_id=user.provider_id)
    return enterprises.none()


def organizations_visible_to(user: User) -> QuerySet[BusinessOrganization]:
    """Return the business organizations `user` may see: all, for anyone logged in."""
    if not (user.is_authenticated and user.is_active):
        return BusinessOrganization.objects.none()
    return BusinessOrganization.objects.select_related("city")


def can_create_provider(user: User) -> bool:
    return _is_manager(user)


def provider_fields_editable_by(user: User, provider: Provider) -> frozenset[str]:
    """Return the names of the provider fields `user` may change (empty: none)."""
    if _is_manager(user):
        return PROVIDER_SELF_SERVICE_FIELDS | PROVIDER_STAFF_ONLY_FIELDS
    if _is_staff_of(user, provider):
        return PROVIDER_SELF_SERVICE_FIELDS
    return frozenset()


def can_edit_provider(user: User, provider: Provider) -> bool:
    return bool(provider_fields_editable_by(user, provider))


def can_change_provider_status(user: User, provider: Provider) -> bool:
    return _is_manager(user)


def can_edit_catalogue(user: User, provider: Provider) -> bool:
    """Managers and the provider's own staff keep its service catalogue."""
    return _is_manager(user) or _is_staff_of(user, provider)


def can_create_enterprise(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (Role.MANAGER, Role.OFFICER, Role.PROVIDER)
    )


def can_edit_enterprise(user: User, enterprise: Enterprise) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role in (Role.MANAGER, Role.OFFICER):
        return True
    return user.role == Role.PROVIDER and enterprise.registered_by_id == user.provider_id


def can_see_enterprises(user: User) -> bool:
    """Program-wide readers and provider staff (their own clients); never evaluators."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.reads_whole_program or user.role == Role.PROVIDER)
    )


def can_see_provider_staff(user: User, provider: Provider) -> bool:
    """Who works at a provider is shown to program-wide readers and to its own staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.reads_whole_program or (
        user.role == Role.PROVIDER and user.provider_id == provider.pk
    )


def can_edit_program_lists(user: User) -> bool:
    """Cities, sectors, size classes, business organizations and program settings."""
    return _is_manager(user)


def can_see_history(user: User) -> bool:
    """The audit trail of registry records is for program staff and auditors."""
    return user.is_authenticated and user.is_active and user.reads_whole_program
