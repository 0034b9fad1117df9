"""Indicators over the REST API: any indicator over any scope, benchmarks, the definitions.

The endpoints read through the engine (queries.py) and answer with the documents of
documents.py, so the API and the `report` command's JSON files agree to the digit. Counts are
JSON integers; every other figure (money, shares, ratios, quartiles) is a decimal string at
full precision; a figure that is not defined is null. Access follows permissions.py:
provider staff see their own provider's figures and their peers under pseudonyms; a
provider they may not see is answered like one that does not exist (422 `unknown_provider`
at the parameter that names it).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bdsmarket.core.api import ApiValidationError, ProviderRef, actor, error_responses
from bdsmarket.core.models import User
from bdsmarket.registry.models import ClientType, Gender, Provider, ServiceType
from bdsmarket.registry.queries import city_find, sector_find
from bdsmarket.registry.schemas import CITY_HELP, SECTOR_HELP

from . import definitions, documents, permissions
from .definitions import Direction, Source, Unit
from .models import Basis
from .periods import parse_month
from .queries import (
    GROUPINGS,
    IndicatorError,
    PeerGroup,
    Scope,
    basis_cut_off,
    benchmark_request,
    benchmarks_compute,
    indicators_compute,
)

router = Router(tags=["Indicators"])

IDS_HELP = (
    "Comma-separated indicator ids, e.g. `attentions,income,repeat_rate` (default: every "
    "available indicator); see `/indicators/definitions` and docs/indicators.md."
)
MONTH_HELP = "A month, YYYY-MM."
FIGURE_HELP = (
    "Counts are integers; money, shares (fractions: 0.45 for 45 %) and ratios are decimal "
    "strings at full precision; null when not defined."
)
CODES_HELP = "Comma-separated codes: {codes}."

# The engine names its parameters as the code does; the API as its query string does.
PARAMETERS = {"indicators": "ids", "period": "last"}
ERROR_CODES = {"indicators": "unknown_indicator", "group_by": "unknown_grouping"}


class PeerGroupChoice(StrEnum):
    ALL = PeerGroup.ALL
    CITY = PeerGroup.CITY
    LEGAL_TYPE = PeerGroup.LEGAL_TYPE


# What the endpoints take


def _codes(choices: Any) -> str:
    return CODES_HELP.format(codes=", ".join(choices.values))


class IndicatorsQuery(Schema):
    ids: str | None = Field(None, description=IDS_HELP)
    first: str = Field(..., description=f"The first month of the period. {MONTH_HELP}")
    last: str = Field(..., description=f"The last month of the period (included). {MONTH_HELP}")
    group_by: str | None = Field(
        None, description=f"Comma-separated groupings, in order: {', '.join(GROUPINGS)}."
    )
    providers: str | None = Field(
        None,
        description="Comma-separated provider IDs (default: every provider the caller may "
        "see; provider staff: their own).",
    )
    client_type: str | None = Field(None, description=_codes(ClientType))
    client_gender: str | None = Field(None, description=_codes(Gender))
    client_sector: str | None = Field(None, description=f"Comma-separated. {SECTOR_HELP}")
    client_city: str | None = Field(None, description=f"Comma-separated. {CITY_HELP}")
    service_type: str | None = Field(None, description=_codes(ServiceType))
    basis: Basis = Field(
        Basis.APPROVED,
        description="`approved`: approved reports only; `reported`: submitted ones too.",
    )


class BenchmarkQuery(Schema):
    ids: str | None = Field(None, description=IDS_HELP)
    first: str = Field(..., description=f"The first month of the period. {MONTH_HELP}")
    last: str = Field(..., description=f"The last month of the period (included). {MONTH_HELP}")
    peer_group: PeerGroupChoice = Field(
        PeerGroupChoice.ALL,
        description="Who is compared: every provider reporting in the period (`all`), those "
        "in the provider's city (`city`) or of its legal type (`legal_type`).",
    )
    provider: int | None = Field(
        None,
        description="The provider compared with its peers (provider staff: their own, the "
        "default); required for the `city` and `legal_type` groups.",
    )
    basis: Basis = Field(
        Basis.APPROVED,
        description="`approved`: approved reports only; `reported`: submitted ones too.",
    )


# What they answer


class IndicatorOut(Schema):
    id: str = Field(..., description="The indicator's identifier; it never changes.")
    family: str
    family_name: str = Field(..., description="In the request's language.")
    name: str = Field(..., description="In the request's language.")
    definition: str = Field(..., description="In the request's language.")
    formula: str = Field(..., description="In the measures' identifiers, in every language.")
    unit: Unit
    direction: Direction = Field(..., description="Which way is good; neutral: not ranked.")
    source: Source
    available: bool = Field(..., description="False for indicators of modules to come.")
    ranked: bool = Field(..., description="Whether a benchmark ranks providers on it.")


Figure = int | str | None


class GroupOut(Schema):
    key: dict[str, int | str | None] = Field(
        ...,
        description="One value per grouping: a provider's or city's ID, a sector's code, a "
        "choice's code, a month `2003-05`, a quarter `2003-Q2` or a year `2003`.",
    )
    labels: dict[str, str] = Field(..., description="The same values as people read them.")
    values: dict[str, Figure] = Field(..., description=f"Per indicator id. {FIGURE_HELP}")
    shares: dict[str, str | None] = Field(
        ..., description="Per count or amount: the group's share of the total."
    )


class TotalOut(Schema):
    values: dict[str, Figure] = Field(..., description=f"Per indicator id. {FIGURE_HELP}")


class FilterValueOut(Schema):
    value: int | str = Field(..., description="A city's ID, a sector's code or a choice's code.")
    label: str


class ScopeOut(Schema):
    first: str = Field(..., description="YYYY-MM.")
    last: str = Field(..., description="YYYY-MM.")
    period: str = Field(..., description="The period in short: 2003, 2003-Q2, 2003-05…")
    providers: list[ProviderRef] | None = Field(..., description="null: every provider.")
    filters: dict[str, list[FilterValueOut]]


class IndicatorsOut(Schema):
    scope: ScopeOut = Field(..., description="The scope as understood.")
    basis: Basis
    includes_unapproved: bool = Field(..., description="Whether submitted reports count too.")
    cut_off: datetime | None = Field(
        ..., description="When the figures were last taken from the reports."
    )
    has_data: bool = Field(..., description="Whether any report of the basis is in the scope.")
    currency: str = Field(..., description="The program's currency, for money figures.")
    group_by: list[str]
    indicators: list[IndicatorOut]
    groups: list[GroupOut]
    total: TotalOut


class PeerOut(Schema):
    pseudonym: str = Field(..., description="The provider's stable pseudonym.")
    provider: ProviderRef | None = Field(
        ..., description="Who it is, for program staff (provider staff: their own only)."
    )
    own: bool = Field(..., description="Whether this is the provider compared.")
    value: Figure
    rank: int | None = Field(..., description="1 = best; ties share a rank; null: not ranked.")
    previous: Figure = Field(..., description="The value in the previous period.")
    change: Figure = Field(..., description="value - previous.")


class BenchmarkItemOut(Schema):
    indicator: IndicatorOut
    lower_quartile: str | None
    median: str | None
    upper_quartile: str | None
    count: int = Field(..., description="How many peers have a value.")
    peers: list[PeerOut] = Field(..., description="Best first.")


class BenchmarkOut(Schema):
    first: str
    last: str
    period: str
    peer_group: PeerGroupChoice
    provider: ProviderRef | None
    basis: Basis
    includes_unapproved: bool
    cut_off: datetime | None
    currency: str
    peers: int = Field(..., description="How many providers are compared.")
    benchmarks: list[BenchmarkItemOut]


# Reading the query string


def _refuse_unless_reader(user: User) -> None:
    if not permissions.can_see_figures(user):
        raise PermissionDenied(_("Your role does not see the program's indicators."))


def _items(text: str | None) -> list[str]:
    """Return the comma-separated items of `text`, each once, in order."""
    return list(dict.fromkeys(item.strip() for item in (text or "").split(",") if item.strip()))


def _month(value: str, parameter: str) -> date:
    month = parse_month(value)
    if month is None:
        raise ApiValidationError.at(
            ["query", parameter], _("“%(value)s” is not a month: use YYYY-MM.") % {"value": value}
        )
    return month


def _invalid(error: IndicatorError) -> ApiValidationError:
    parameter = PARAMETERS.get(error.parameter, error.parameter)
    code = error.code or ERROR_CODES.get(error.parameter, "invalid")
    return ApiValidationError.at(["query", parameter], error.message, code)


def _unknown_provider(parameter: str, value: object) -> ApiValidationError:
    return ApiValidationError.at(
        ["query", parameter], _("No provider with ID %(id)s.") % {"id": value}, "unknown_provider"
    )


def _providers(user: User, text: str | None) -> frozenset[int] | None:
    """Return the providers asked for, within the caller's scope (None: all of them)."""
    if not text:
        return permissions.figure_providers_for(user)
    ids = []
    for item in _items(text):
        if not item.isdigit():
            raise ApiValidationError.at(
                ["query", "providers"],
                _("“%(value)s” is not a provider ID: give numeric IDs separated by commas.")
                % {"value": item},
            )
        ids.append(int(item))
    visible = permissions.providers_with_figures_visible_to(user).filter(pk__in=ids)
    found = set(visible.values_list("pk", flat=True))
    for provider_id in ids:
        if provider_id not in found:
            raise _unknown_provider("providers", provider_id)
    return frozenset(ids)


def _choice_filter(text: str, parameter: str, choices: Any) -> frozenset[str]:
    values = _items(text)
    for value in values:
        if value not in choices.values:
            raise ApiValidationError.at(
                ["query", parameter],
                _("“%(value)s” is not one of the accepted codes: %(expected)s.")
                % {"value": value, "expected": ", ".join(choices.values)},
                "enum",
            )
    return frozenset(values)


def _filters(query: IndicatorsQuery) -> dict[str, frozenset[str]]:
    """Return the dimension filters asked for, as the engine takes them (ids as text)."""
    filters: dict[str, frozenset[str]] = {}
    for parameter, choices in (
        ("client_type", ClientType),
        ("client_gender", Gender),
        ("service_type", ServiceType),
    ):
        text = getattr(query, parameter)
        if text:
            filters[parameter] = _choice_filter(text, parameter, choices)
    if query.client_sector:
        sectors = set()
        for value in _items(query.client_sector):
            sector = sector_find(value)
            if sector is None:
                raise ApiValidationError.at(
                    ["query", "client_sector"],
                    _(
                        "Unknown sector “%(value)s”: use a sector's code, English or Spanish "
                        "name, or an ISIC/CIIU code."
                    )
                    % {"value": value},
                    "unknown_sector",
                )
            sectors.add(str(sector.pk))
        filters["client_sector"] = frozenset(sectors)
    if query.client_city:
        cities = set()
        for value in _items(query.client_city):
            city = city_find(value)
            if city is None:
                raise ApiValidationError.at(
                    ["query", "client_city"],
                    _("Unknown city “%(value)s”: use the name of one of the program's cities.")
                    % {"value": value},
                    "unknown_city",
                )
            cities.add(str(city.pk))
        filters["client_city"] = frozenset(cities)
    return filters


def _span(first: str, last: str) -> tuple[date, date]:
    first_month, last_month = _month(first, "first"), _month(last, "last")
    if last_month < first_month:
        raise ApiValidationError.at(["query", "last"], _("The period ends before it begins."))
    return first_month, last_month


def _ids(text: str | None) -> list[str]:
    return _items(text) or [indicator.id for indicator in definitions.AVAILABLE]


# The endpoints


@router.get(
    "/indicators",
    response={200: IndicatorsOut, **error_responses(401, 403, 422)},
    summary="Indicators over a scope",
    description="Indicators over whole months, providers and filters on the delivery "
    "dimensions, grouped as asked, with the total and each group's share of it. Program "
    "staff and auditors see every provider, provider staff their own; evaluators none (403). "
    f"{FIGURE_HELP}",
)
def indicator_figures(request: HttpRequest, query: Query[IndicatorsQuery]) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_reader(user)
    first, last = _span(query.first, query.last)
    providers = _providers(user, query.providers)
    filters = _filters(query)
    try:
        scope = Scope(first, last, providers=providers, filters=filters, basis=query.basis)
        result = indicators_compute(scope, _ids(query.ids), _items(query.group_by))
    except IndicatorError as error:
        raise _invalid(error) from error
    return documents.result_document(result, currency=documents.program_currency())


@router.get(
    "/indicators/benchmark",
    response={200: BenchmarkOut, **error_responses(401, 403, 422)},
    summary="Benchmark providers",
    description="For each indicator, the peers' quartiles over the period and each peer's "
    "value, rank (1 = best) and change from the previous period of the same length. Program "
    "staff and auditors see the peers by name; provider staff see their own provider by "
    "name and the others under pseudonyms.",
)
def indicator_benchmark(request: HttpRequest, query: Query[BenchmarkQuery]) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_reader(user)
    first, last = _span(query.first, query.last)
    try:
        asked = benchmark_request(
            actor=user,
            provider=_benchmarked(user, query.provider),
            peer_group=str(query.peer_group),
        )
        benchmarks = benchmarks_compute(
            first,
            last,
            _ids(query.ids),
            peer_group=asked.peer_group,
            provider=asked.provider,
            basis=query.basis,
        )
    except IndicatorError as error:
        raise _invalid(error) from error
    provider = asked.provider
    peers = documents.peers_view(
        benchmarks, names=asked.names, own=provider.pk if provider is not None else None
    )
    return documents.benchmark_document(
        benchmarks,
        peers,
        peer_group=asked.peer_group,
        provider=provider,
        basis=query.basis,
        cut_off=basis_cut_off(query.basis),
        currency=documents.program_currency(),
    )


def _benchmarked(user: User, provider_id: int | None) -> Provider | None:
    """Return the provider a benchmark names, within the caller's scope (None: none named;
    benchmark_request decides the default)."""
    if provider_id is None:
        return None
    provider = permissions.providers_with_figures_visible_to(user).filter(pk=provider_id).first()
    if provider is None:
        raise _unknown_provider("provider", provider_id)
    return provider


@router.get(
    "/indicators/definitions",
    response={200: list[IndicatorOut], **error_responses(401)},
    summary="Indicator definitions",
    description="Every indicator's metadata in the request's language, including those of "
    "modules to come (`available: false`).",
)
def indicator_definitions(request: HttpRequest) -> list[dict[str, Any]]:
    return [documents.indicator_document(indicator) for indicator in definitions.ALL]
