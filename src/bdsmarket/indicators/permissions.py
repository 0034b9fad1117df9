"""Who may see which figures. Every door (the pages, the exports, the API) uses these.

Program-wide readers (manager, monitoring officer, auditor) see the program's figures,
every provider's, and the peers of a benchmark by name. Provider staff see their own
provider's figures and its benchmark, with every other provider under a pseudonym; to them
another provider's figures do not exist. Evaluators (who see no client data) and anyone
not logged in see no figures.
"""

from django.db.models import QuerySet

from bdsmarket.core.models import Role, User
from bdsmarket.registry.models import Provider


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_program_reader(user: User) -> bool:
    return _active(user) and user.reads_whole_program


def _is_provider_staff(user: User) -> bool:
    return _active(user) and user.role == Role.PROVIDER and user.provider_id is not None


def can_see_figures(user: User) -> bool:
    """Whether `user` has any figures to look at: the program's, or their provider's."""
    return _is_program_reader(user) or _is_provider_staff(user)


def can_see_program_figures(user: User) -> bool:
    """The program's dashboard, its targets and its providers' reporting record."""
    return _is_program_reader(user)


def can_see_provider_figures(user: User, provider: Provider) -> bool:
    """A provider's dashboard and benchmark: program-wide readers, and its own staff."""
    return _is_program_reader(user) or (
        _is_provider_staff(user) and user.provider_id == provider.pk
    )


def can_see_peer_names(user: User) -> bool:
    """Whether the peers of a benchmark appear by name (else under their pseudonyms)."""
    return _is_program_reader(user)


def can_explore_figures(user: User) -> bool:
    """The explorer, its exports and the rows behind its cells (over the providers of
    figure_providers_for)."""
    return can_see_figures(user)


def can_export_figures(user: User) -> bool:
    return can_explore_figures(user)


def figure_providers_for(user: User) -> frozenset[int] | None:
    """Return the providers whose figures `user` may see: None for every provider, else
    their ids (empty: none)."""
    if _is_program_reader(user):
        return None
    if _is_provider_staff(user):
        return frozenset((user.provider_id,))  # type: ignore[arg-type]
    return frozenset()


def providers_with_figures_visible_to(user: User) -> QuerySet[Provider]:
    """Return the providers whose figures `user` may see."""
    providers = Provider.objects.select_related("city")
    reach = figure_providers_for(user)
    if reach is None:
        return providers
    return providers.filter(pk__in=reach)


def can_send_bulletins(user: User) -> bool:
    """Queue, preview and resend the monthly bulletins: program staff (manager, officer)."""
    return _active(user) and user.is_program_staff


def can_see_bulletin_log(user: User) -> bool:
    """The log of the bulletins sent: program staff and auditors."""
    return _is_program_reader(user)


def can_preview_bulletin(user: User, provider: Provider | None) -> bool:
    """A provider's benchmark bulletin (None: the program-wide one) as it will be sent: the
    program's readers; a provider's own staff for its own."""
    if provider is None:
        return _is_program_reader(user)
    return _is_program_reader(user) or (
        _is_provider_staff(user) and user.provider_id == provider.pk
    )
