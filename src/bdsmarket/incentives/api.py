"""Incentives over the REST API: statements with every step of their amounts, the schemes,
payment batches and the simulator.

The endpoints answer with the documents of documents.py, so the API and the `incentives`
command's JSON files agree to the cent. Money is a decimal string with two decimals
("55.00"); rates, factors and shares are fractions at full precision ("0.3"); a base and
what is counted of it are money or a count as the base is; null when not defined. Access
follows permissions.py: program staff and auditors read everything, provider staff their
own provider's statements and the adopted schemes, evaluators nothing (403); a statement
outside the caller's scope is answered like one that does not exist (404).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from bdsmarket.core.api import (
    ApiValidationError,
    Paging,
    ProviderRef,
    actor,
    error_responses,
    page,
    visible_or_404,
)
from bdsmarket.core.models import User
from bdsmarket.indicators.periods import parse_month
from bdsmarket.registry.models import Provider

from . import documents, permissions, queries, rules
from .models import IncentiveScheme, Statement
from .simulation import MAX_MONTHS, simulate, simulation_request

router = Router(tags=["Incentives"])

MONTH_HELP = "A month, YYYY-MM."
MONEY_HELP = "A decimal string with two decimals, e.g. “55.00”."
FRACTION_HELP = "A fraction at full precision, e.g. “0.3” for 30 %; null when not defined."
FIGURE_HELP = (
    "As the base is: money with two decimals (“150.00”) or a count (“2”); null when the "
    "month has no figure for it."
)


def _codes(choices: Any) -> str:
    return "One of: " + ", ".join(f"`{choice.value}`" for choice in choices) + "."


class StatementStatus(StrEnum):
    COMPUTED = Statement.Status.COMPUTED
    APPROVED = Statement.Status.APPROVED
    PAID = Statement.Status.PAID
    SUPERSEDED = Statement.Status.SUPERSEDED


class SchemeStatus(StrEnum):
    DRAFT = IncentiveScheme.Status.DRAFT
    ADOPTED = IncentiveScheme.Status.ADOPTED


# What the endpoints take


class StatementFilters(Schema):
    month: str | None = Field(None, description=MONTH_HELP)
    provider: int | None = Field(None, description="A provider's ID.")
    provider_code: str | None = Field(None, description="A provider's code, e.g. CDE-LIM-01.")
    status: StatementStatus | None = Field(
        None, description="Only statements in this status (`superseded` includes them)."
    )
    include_superseded: bool = Field(
        False,
        description="Also list the versions a later one replaced (default: only the "
        "current version of each provider's month).",
    )


class SchemeFilters(Schema):
    code: str | None = Field(None, description="Every version of the scheme with this code.")
    status: SchemeStatus | None = None


class SimulationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    schemes: list[int] = Field(
        ...,
        description="The IDs of the schemes to run (drafts or adopted): one, or two to "
        "compare them side by side.",
    )
    first: str = Field(..., description=f"The first month. {MONTH_HELP}")
    last: str = Field(..., description=f"The last month (included). {MONTH_HELP}")
    providers: list[str] | None = Field(
        None,
        description="Provider codes (default: the providers whose support package covers "
        "each month).",
    )


# What they answer


class SchemeRef(Schema):
    id: int
    code: str
    version: int
    name: str
    status: SchemeStatus


class TierOut(Schema):
    lower: str | None = Field(..., description="Where the tier starts, in the base's unit.")
    upper: str | None = Field(..., description="Where it ends; null: open-ended.")
    rate: str | None = Field(..., description=FRACTION_HELP)


class RuleOut(Schema):
    position: int
    code: str
    label: str
    kind: str = Field(..., description=_codes(rules.Kind))
    base: str = Field(..., description="The code of the figure the rule pays on.")
    base_name: str = Field(..., description="In the request's language.")
    rate: str | None = Field(..., description=f"For a rate without tiers. {FRACTION_HELP}")
    tiers: list[TierOut] = Field(..., description="Marginal rates by slice of the base.")
    amount_per_unit: str | None = Field(..., description=f"For a bonus. {MONEY_HELP}")
    base_floor: str | None = Field(..., description="The part of the base not paid for.")
    year_factors: list[str | None] = Field(
        ..., description="The factor of program years 1, 2, 3 and later."
    )
    cap_per_period: str | None = Field(..., description="At most this a month.")
    cap_per_year: str | None = Field(..., description="At most this a calendar year.")
    cap_total: str | None = Field(..., description="At most this in all.")
    threshold_indicator: str | None = Field(
        ..., description="The indicator the month must reach to be paid."
    )
    threshold_minimum: str | None
    on_time_only: bool = Field(..., description="Whether a late report is paid nothing.")


class PenaltyBandOut(Schema):
    from_gap: str | None = Field(..., description="From this verification gap on…")
    keep: str | None = Field(..., description="…this share of the amount is kept.")


class SchemeOut(SchemeRef):
    description: str
    effective_from: date = Field(..., description="The first day of the first month in force.")
    effective_to: date | None = Field(..., description="null: until a newer version.")
    penalty_measure: str = Field(..., description=_codes(rules.PenaltyMeasure))
    penalty_bands: list[PenaltyBandOut]
    unverified_keep: str | None = Field(
        ..., description="The share kept when the month's report was not verified."
    )
    adopted_at: datetime | None
    rules: list[RuleOut]


class SchemePage(Schema):
    count: int
    items: list[SchemeOut]


class StatementOut(Schema):
    id: int
    provider: ProviderRef
    month: str = Field(..., description="YYYY-MM.")
    version: int = Field(..., description="1, then one more each time the month is amended.")
    status: StatementStatus
    scheme: SchemeRef
    total: str = Field(..., description=f"What the month earns. {MONEY_HELP}")
    difference: str = Field(
        ...,
        description="What this version adds to what was already sent to the bank for the "
        "month (negative: a claw-back).",
    )
    verification_gap: str | None = Field(..., description=FRACTION_HELP)
    penalty_keep: str | None = Field(..., description="The share kept after verification.")
    program_year: int
    on_time: bool = Field(..., description="Whether the month's report was sent on time.")
    supersedes: int | None = Field(..., description="The ID of the version this replaces.")
    superseded_by: int | None = Field(..., description="The ID of the version replacing it.")
    batch: int | None = Field(..., description="The ID of the payment batch it went in.")
    computed_at: datetime
    approved_at: datetime | None
    figures_as_of: datetime | None = Field(
        ..., description="When the figures were last taken from the reports."
    )


class LineOut(Schema):
    position: int
    rule_code: str
    rule_label: str
    kind: str = Field(..., description=_codes(rules.Kind))
    base: str
    base_name: str = Field(..., description="In the request's language.")
    base_value: str | None = Field(..., description=f"The month's figure. {FIGURE_HELP}")
    counted: str | None = Field(..., description="What is paid on, past the baseline.")
    rate: str | None
    tiers: list[TierOut]
    amount_per_unit: str | None
    gross: str | None = Field(..., description="Before the program-year factor and penalty.")
    year_factor: str | None
    penalty_keep: str | None
    before_caps: str | None
    cap: str | None = Field(..., description=f"The cap that bound, if any. {_codes(rules.Cap)}")
    amount: str | None = Field(..., description=f"What the line pays. {MONEY_HELP}")
    reason: str = Field(..., description=_codes(rules.Reason))
    reason_text: str = Field(..., description="Why it pays what it pays, in words.")
    rows_url: str = Field(..., description="The page listing the rows behind the base.")


class StatementDetailOut(StatementOut):
    lines: list[LineOut]


class StatementPage(Schema):
    count: int = Field(..., description="How many statements match the filters in all.")
    items: list[StatementOut]


class TransferOut(Schema):
    provider: ProviderRef
    tax_id: str
    bank: str
    account: str
    account_holder: str
    amount: str = Field(..., description="Negative: what the program takes back.")
    direction: str = Field(..., description="`pay` or `recover`.")
    statements: list[int] = Field(..., description="The IDs of the statements it pays.")


class BatchOut(Schema):
    id: int
    created_at: datetime
    created_by: str | None = Field(..., description="The username of who made it.")
    paid_on: date | None = Field(..., description="null: not recorded as paid yet.")
    reference: str
    currency: str
    total: str
    transfers: list[TransferOut] = Field(..., description="One per provider, by code.")
    statements: list[StatementOut]


class SimulatedSchemeOut(SchemeRef):
    total: str = Field(..., description="What the scheme would have paid in all.")
    by_rule: dict[str, str | None] = Field(..., description="The same by rule code.")


class SimulatedMonthOut(Schema):
    month: str
    amounts: list[str | None] = Field(..., description="One per scheme; null: no figures.")


class SimulatedProviderOut(Schema):
    provider: ProviderRef
    totals: list[str | None] = Field(..., description="One per scheme, in their order.")
    difference: str | None = Field(
        ..., description="What the second scheme pays more (negative: less) than the first."
    )
    months: list[SimulatedMonthOut]


class SimulationOut(Schema):
    first: str
    last: str
    currency: str
    schemes: list[SimulatedSchemeOut]
    providers: list[SimulatedProviderOut] = Field(
        ..., description="Those with an approved month in the span, by code."
    )
    totals: list[str | None]
    difference: str | None


# Reading the request


def _refuse_unless_reader(user: User) -> None:
    if not permissions.can_see_incentives(user):
        raise PermissionDenied(_("Your role does not see incentives."))


def _month(value: str, loc: list[str | int]) -> date:
    month = parse_month(value)
    if month is None:
        raise ApiValidationError.at(
            loc, _("“%(value)s” is not a month: use YYYY-MM.") % {"value": value}
        )
    return month


def _schemes(user: User, ids: list[int]) -> list[IncentiveScheme]:
    """Return the schemes to simulate, in the order given; raise ApiValidationError at the
    first ID that names none the caller may see."""
    found = {
        scheme.pk: scheme
        for scheme in permissions.schemes_visible_to(user)
        .filter(pk__in=ids)
        .prefetch_related("rules")
    }
    for index, scheme_id in enumerate(ids):
        if scheme_id not in found:
            raise ApiValidationError.at(
                ["body", "schemes", index],
                _("No %(object)s with ID %(id)s.")
                % {"object": IncentiveScheme._meta.verbose_name, "id": scheme_id},
                "unknown_scheme",
            )
    return [found[scheme_id] for scheme_id in ids]


def _providers(codes: list[str] | None) -> list[Provider] | None:
    """Return the providers named by code, in order (None: the simulator's default)."""
    if codes is None:
        return None
    wanted = [code.strip().upper() for code in codes]
    found = {provider.code: provider for provider in Provider.objects.filter(code__in=wanted)}
    for index, code in enumerate(wanted):
        if code not in found:
            raise ApiValidationError.at(
                ["body", "providers", index],
                _("No provider has the code “%(code)s”.") % {"code": codes[index]},
                "unknown_provider",
            )
    return list(dict.fromkeys(found[code] for code in wanted))


# Statements


@router.get(
    "/incentives/statements",
    response={200: StatementPage, **error_responses(401, 403, 422)},
    summary="List incentive statements",
    description="The statements the caller may see (provider staff: their own provider's), "
    "the latest month first, then by provider code: the current version of each provider's "
    "month unless `include_superseded` (or `status=superseded`). Filters: month, provider "
    "(ID or code), status; paged. Evaluators are refused (403).",
)
def statement_list(
    request: HttpRequest, filters: Query[StatementFilters], paging: Query[Paging]
) -> dict[str, Any]:
    wanted = queries.StatementFilters(
        month=_month(filters.month, ["query", "month"]) if filters.month is not None else None,
        provider=filters.provider,
        provider_code=filters.provider_code or "",
        status=filters.status or "",
        include_superseded=filters.include_superseded,
    )
    statements = queries.statement_list(actor=actor(request), filters=wanted).select_related(
        "superseded_by"
    )
    result = page(statements, paging)
    result["items"] = [documents.statement_document(statement) for statement in result["items"]]
    return result


@router.get(
    "/incentives/statements/{statement_id}",
    response={200: StatementDetailOut, **error_responses(401, 403, 404)},
    summary="Get an incentive statement",
    description="One statement with its lines: for each rule, the base and what is counted "
    "of it, the rate or amount per unit, the amount before and after the program-year "
    "factor, the verification penalty and the caps, and why it pays what it pays. "
    "`rows_url` leads to the rows behind the base. Another provider's statement is a 404 "
    "for provider staff.",
)
def statement_detail(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_reader(user)
    statements = (
        permissions.statements_visible_to(user)
        .select_related("superseded_by")
        .prefetch_related("lines__rule")
    )
    statement = visible_or_404(statements, statement_id)
    return documents.statement_detail_document(statement, request.build_absolute_uri)


# Schemes


@router.get(
    "/incentives/schemes",
    response={200: SchemePage, **error_responses(401, 403, 422)},
    summary="List incentive schemes",
    description="Every version of every scheme, with its rules, by code and the newest "
    "version first; provider staff see the adopted ones only. Filters: code, status; paged.",
)
def scheme_list(
    request: HttpRequest, filters: Query[SchemeFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_reader(user)
    schemes = permissions.schemes_visible_to(user)
    if filters.code:
        schemes = schemes.filter(code=filters.code.strip())
    if filters.status is not None:
        schemes = schemes.filter(status=filters.status)
    schemes = schemes.prefetch_related("rules").order_by("code", "-version")
    result = page(schemes, paging)
    result["items"] = [documents.scheme_document(scheme) for scheme in result["items"]]
    return result


@router.get(
    "/incentives/schemes/{scheme_id}",
    response={200: SchemeOut, **error_responses(401, 403, 404)},
    summary="Get an incentive scheme",
    description="One version of a scheme with its rules and verification penalty. A draft "
    "is a 404 for provider staff.",
)
def scheme_detail(request: HttpRequest, scheme_id: int) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_reader(user)
    schemes = permissions.schemes_visible_to(user).prefetch_related("rules")
    return documents.scheme_document(visible_or_404(schemes, scheme_id))


# Payment batches


@router.get(
    "/incentives/batches/{batch_id}",
    response={200: BatchOut, **error_responses(401, 403, 404)},
    summary="Get a payment batch",
    description="The transfers of a payment batch, one per provider (its statements' "
    "differences added up, with the bank account), and the statements it pays. The "
    "program's staff and auditors only (403 for the others).",
)
def batch_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    user = actor(request)
    if not permissions.can_see_batches(user):
        raise PermissionDenied(_("Your role does not see the payment batches."))
    return documents.batch_document(visible_or_404(permissions.batches_visible_to(user), batch_id))


# The simulator


@router.post(
    "/incentives/simulations",
    response={200: SimulationOut, **error_responses(401, 403, 422)},
    summary="Simulate schemes",
    description="Run one scheme, or two side by side, over the approved months of a past "
    "span as if it had been in force from the first month, and answer what each provider "
    "would have been paid, month by month and in all. Nothing is stored. The program's "
    f"staff and auditors only; at most {MAX_MONTHS} months.",
)
def simulation_run(request: HttpRequest, payload: SimulationIn) -> dict[str, Any]:
    user = actor(request)
    if not permissions.can_simulate(user):
        raise PermissionDenied(_("Your role does not simulate schemes."))
    schemes = _schemes(user, payload.schemes)
    first = _month(payload.first, ["body", "first"])
    last = _month(payload.last, ["body", "last"])
    providers = _providers(payload.providers)
    try:
        asked = simulation_request(schemes=schemes, first=first, last=last, providers=providers)
    except ValidationError as error:
        raise ApiValidationError(
            [
                {"loc": SIMULATION_FIELDS[name], "message": message, "code": "invalid"}
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
    return documents.simulation_document(
        simulate(asked.schemes, asked.first_month, asked.last_month, asked.providers)
    )


# Where the API's body holds what simulation_request names.
SIMULATION_FIELDS: dict[str, list[str | int]] = {
    "schemes": ["body", "schemes"],
    "other": ["body", "schemes", 1],
    "last": ["body", "last"],
}
