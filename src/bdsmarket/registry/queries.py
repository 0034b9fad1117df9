"""Reads of the registry that more than one door needs."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from bdsmarket.core.models import User
from bdsmarket.core.text import normalize_key

from . import permissions
from .models import (
    BusinessOrganization,
    City,
    Enterprise,
    Program,
    Provider,
    ProviderService,
    ProviderStatus,
    Sector,
    ServiceType,
    SizeClass,
)
from .rules import SizeBounds


def city_find(name: str) -> City | None:
    """Return the city whose name matches `name` ignoring accents, case and spaces."""
    return City.objects.filter(name_key=normalize_key(name)).first()


def capital_city() -> City | None:
    return City.objects.filter(is_capital=True).first()


def sector_find(value: str) -> Sector | None:
    """Return the sector named by `value`: its code, English or Spanish name, or an ISIC code.

    An ISIC/CIIU code maps to the sector listing the longest prefix of it
    (`1520` goes to a sector listing `1520` before one listing `15`).
    """
    key = normalize_key(value)
    if not key:
        return None
    sectors = list(Sector.objects.all())
    for sector in sectors:
        if key in (
            normalize_key(sector.code),
            normalize_key(sector.name_en),
            normalize_key(sector.name_es),
        ):
            return sector
    if key.isdigit():
        best: tuple[int, Sector] | None = None
        for sector in sectors:
            for code in sector.isic_code_list:
                if key.startswith(code) and (best is None or len(code) > best[0]):
                    best = (len(code), sector)
        return best[1] if best else None
    return None


class References:
    """Cities and sectors named in the rows of one file or request, looked up once per spelling.

    Every import that names a city or a sector (the registry's files, the rows providers
    report) asks through one of these, so a name means the same everywhere and the message
    for a name that means nothing is the same everywhere.
    """

    def __init__(self) -> None:
        self._cities: dict[str, City | None] = {}
        self._sectors: dict[str, Sector | None] = {}
        self._city_expected = ""
        self._sector_expected = ""

    def city(self, value: str) -> City | None:
        """Return the city `value` names (accents, case and spaces aside), or None."""
        key = normalize_key(value)
        if key not in self._cities:
            self._cities[key] = city_find(value)
        return self._cities[key]

    def sector(self, value: str) -> Sector | None:
        """Return the sector `value` names by code, name or ISIC code, or None."""
        key = normalize_key(value)
        if key not in self._sectors:
            self._sectors[key] = sector_find(value)
        return self._sectors[key]

    def city_expected(self) -> str:
        """Return what a cell naming no city should have held."""
        if not self._city_expected:
            names = list(City.objects.values_list("name", flat=True)[:13])
            listed = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
            self._city_expected = _("a city of the program (%(cities)s); accents are optional") % {
                "cities": listed
            }
        return self._city_expected

    def sector_expected(self) -> str:
        """Return what a cell naming no sector should have held."""
        if not self._sector_expected:
            codes = ", ".join(Sector.objects.values_list("code", flat=True))
            self._sector_expected = _(
                "a sector of the program by code, name or ISIC code (%(sectors)s)"
            ) % {"sectors": codes}
        return self._sector_expected


def size_bounds() -> list[SizeBounds]:
    """Return every size class as the pure rules take them."""
    return [
        SizeBounds(
            code=str(size_class.pk),
            rank=size_class.rank,
            max_workers=size_class.max_workers,
            max_annual_sales=size_class.max_annual_sales,
            valid_from=size_class.valid_from,
            valid_to=size_class.valid_to,
        )
        for size_class in SizeClass.objects.all()
    ]


def size_classes_in_force() -> QuerySet[SizeClass]:
    return SizeClass.objects.order_by("-valid_from", "rank")


def size_class_code(value: str | int | None) -> str | None:
    """Return the size class code `value` names (a code, or a size class's ID), or None.

    Enterprises are filtered by code, so that "micro" finds the micro-enterprises of every
    table in force over the years; an ID is still read as its class's code, for links made
    when the page filtered by table row.
    """
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if SizeClass.objects.filter(code=text).exists():
        return text
    if text.isdigit():
        return SizeClass.objects.filter(pk=int(text)).values_list("code", flat=True).first()
    return None


def size_class_code_choices() -> list[tuple[str, str]]:
    """Return each size class code once with the name of its newest table, smallest first."""
    names: dict[str, tuple[int, str]] = {}
    for size_class in SizeClass.objects.order_by("valid_from", "rank"):
        names[size_class.code] = (size_class.rank, size_class.name)
    return [(code, name) for code, (_rank, name) in sorted(names.items(), key=lambda i: i[1][0])]


# The lists every door filters: the page's form, the API's query schema and a command's
# options each parse their input into one of these, so a filter means the same everywhere.


def national_id_digits(text: str) -> str:
    """Return the digits of a typed national ID: people type "20-100 047 218"."""
    return "".join(ch for ch in text if ch.isdigit())


@dataclass(frozen=True)
class ProviderFilters:
    """What a list of providers is narrowed by; empty values filter nothing."""

    q: str = ""
    city: City | None = None
    status: str = ""
    legal_type: str = ""
    selection_round: int | None = None


def provider_list(*, actor: User, filters: ProviderFilters) -> QuerySet[Provider]:
    """Return the providers `actor` may see that match `filters`, by code."""
    providers = permissions.providers_visible_to(actor)
    if text := filters.q.strip():
        providers = providers.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if filters.city is not None:
        providers = providers.filter(city=filters.city)
    if filters.status:
        providers = providers.filter(status=filters.status)
    if filters.legal_type:
        providers = providers.filter(legal_type=filters.legal_type)
    if filters.selection_round is not None:
        providers = providers.filter(selection_round=filters.selection_round)
    return providers


@dataclass(frozen=True)
class EnterpriseFilters:
    """What a list of enterprises is narrowed by; empty values filter nothing.

    `q` matches part of the name, or the start of the national ID typed with any spaces,
    dashes or dots; `size_class` is a size class code (see `size_class_code`).
    """

    q: str = ""
    city: City | None = None
    sector: Sector | None = None
    client_type: str = ""
    size_class: str = ""


def enterprise_list(*, actor: User, filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    """Return the enterprises `actor` may see that match `filters`.

    Raises PermissionDenied for a role that sees no enterprises (client data is personal).
    """
    if not permissions.can_see_enterprises(actor):
        raise PermissionDenied(_("Your role does not see enterprises (client data is personal)."))
    enterprises = permissions.enterprises_visible_to(actor).select_related("registered_by")
    if text := filters.q.strip():
        match = Q(name__icontains=text)
        if digits := national_id_digits(text):
            match |= Q(national_id__startswith=digits)
        enterprises = enterprises.filter(match)
    if filters.city is not None:
        enterprises = enterprises.filter(city=filters.city)
    if filters.sector is not None:
        enterprises = enterprises.filter(sector=filters.sector)
    if filters.client_type:
        enterprises = enterprises.filter(client_type=filters.client_type)
    if filters.size_class:
        enterprises = enterprises.filter(size_class__code=filters.size_class)
    return enterprises


# The program at a glance. Each takes the rows the reader may see (a scoping helper's
# queryset), so one function serves every role.


@dataclass(frozen=True)
class Tally:
    """One line of a count table: the value to filter on, its label and how many."""

    key: str
    label: str
    count: int


def providers_by_status(providers: QuerySet[Provider]) -> list[Tally]:
    """Return how many of `providers` are in each status, every status listed."""
    counts = dict(providers.order_by().values_list("status").annotate(n=Count("pk")))
    return [Tally(code, str(label), counts.get(code, 0)) for code, label in ProviderStatus.choices]


def providers_by_city(providers: QuerySet[Provider]) -> list[Tally]:
    """Return how many of `providers` are in each city that has any, largest first."""
    rows = (
        providers.order_by()
        .values("city_id", "city__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "city__name")
    )
    return [Tally(str(row["city_id"]), row["city__name"], row["n"]) for row in rows]


def providers_by_round(providers: QuerySet[Provider]) -> list[Tally]:
    """Return how many of `providers` each selection round chose; unselected ones last."""
    rows = providers.order_by().values("selection_round").annotate(n=Count("pk"))
    tallies = [
        Tally(
            str(row["selection_round"] or ""),
            _("Round %(number)s") % {"number": row["selection_round"]}
            if row["selection_round"] is not None
            else _("No round"),
            row["n"],
        )
        for row in rows
    ]
    return sorted(tallies, key=lambda tally: (tally.key == "", int(tally.key or 0)))


def services_by_type(services: QuerySet[ProviderService]) -> list[Tally]:
    """Return how many active catalogue entries of `services` there are of each type."""
    counts = dict(
        services.filter(active=True).order_by().values_list("service_type").annotate(n=Count("pk"))
    )
    return [
        Tally(code, str(label), counts[code])
        for code, label in ServiceType.choices
        if counts.get(code)
    ]


def selection_rounds() -> list[int]:
    """Return the selection rounds that chose at least one provider, in order."""
    rounds = (
        Provider.objects.exclude(selection_round=None)
        .order_by("selection_round")
        .values_list("selection_round", flat=True)
        .distinct()
    )
    return [number for number in rounds if number is not None]


# The registry's models whose changes the recent-changes list shows.
AUDITED_MODELS = (
    Provider,
    ProviderService,
    Enterprise,
    BusinessOrganization,
    City,
    Sector,
    SizeClass,
    Program,
)


def registry_recent_changes(
    *, limit: int = 10, models: Iterable[type[Model]] = AUDITED_MODELS
) -> list[Any]:
    """Return the `limit` latest history records over `models`, newest first.

    One query per model, each bounded by `limit`.
    """
    records: list[Any] = []
    for model in models:
        records.extend(
            model.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
                "-history_date", "-history_id"
            )[:limit]
        )
    records.sort(key=lambda record: record.history_date, reverse=True)
    return records[:limit]
