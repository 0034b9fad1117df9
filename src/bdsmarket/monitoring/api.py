"""What providers report, over the REST API: deliveries and monthly cost reports.

A provider's own system sends its rows in batches (`POST /deliveries`, `POST /costs`) with
the same fields as the files (docs/formats.md) and goes through the same validation
(`validation.py`): a batch with any wrong row stores nothing and is answered 422 with one
detail per problem, located at the row's index and field. Sending a batch again is
harmless: rows are recognised by their reference (or their values) and stored once.
Lists are scoped with the permission helpers: provider staff see their own rows only.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, WithJsonSchema

from bdsmarket.core.api import (
    ApiValidationError,
    Paging,
    ProviderRef,
    actor,
    error_responses,
    page,
)
from bdsmarket.core.tabular import Spec, parse_month
from bdsmarket.registry.models import ClientType, Gender, ServiceType
from bdsmarket.registry.schemas import CITY_HELP, SECTOR_HELP, CityRef, SectorRef

from . import permissions, queries, services
from .models import CostReport, Delivery, ImportBatch, SubmissionStatus
from .validation import (
    COST_SPEC,
    DELIVERY_SPEC,
    CostChecker,
    DeliveryChecker,
    Record,
    cost_key,
    delivery_key,
    duplicate_expected,
    may_send_rows,
)

router = Router()

# A request is read whole into memory; bigger loads go through files or several requests.
MAX_ROWS = 5000
MAX_DETAILS = 1000

# Values travel as in a file: a number or its text ("1234.50", "1234,50"), a code or a label.
# The schema takes any JSON value, so that every value, even one of the wrong JSON type, is
# judged by the same columns as a file's cell, and reported the same way.
Text = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]})]
Value = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}),
]

CODES_HELP = "A code ({codes}), or its Spanish or English label."
MONEY_HELP = "A number, or a decimal string such as “1234.50”; at most two decimals; 0 or more."


def _codes(choices: Any) -> str:
    return CODES_HELP.format(codes=", ".join(choices.values))


def _required(spec: Spec) -> dict[str, Any]:
    """Return the JSON schema's list of the fields a file requires."""
    return {"required": [column.name for column in spec if column.required]}


class RowIn(Schema):
    # Every field is read by the same columns as a file (validation.py), so a missing
    # required value is reported like any other problem; the schema still says which are
    # required. A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class DeliveryIn(RowIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_required(DELIVERY_SPEC))

    provider_code: Text = Field(None, description="The provider's code, e.g. CDE-LIM-01.")
    date: Value = Field(None, description="The day of the service, YYYY-MM-DD; not in the future.")
    client_id: Value = Field(
        None,
        description="The client's DNI (8 digits) or RUC (11 digits, check digit verified), "
        "or the provider's own client number.",
    )
    client_type: Text = Field(None, description=_codes(ClientType))
    client_gender: Text = Field(None, description=_codes(Gender))
    client_sector: Value = Field(None, description=SECTOR_HELP)
    client_city: Text = Field(None, description=CITY_HELP)
    service_type: Text = Field(None, description=_codes(ServiceType))
    service_name: Text = Field(None, description="The provider's own name for it.")
    participants: Value = Field(None, description="People attended in this row (default 1).")
    price: Value = Field(None, description=f"The full amount charged. {MONEY_HELP}")
    paid_by_client: Value = Field(None, description=f"The part the client paid. {MONEY_HELP}")
    paid_by_voucher: Value = Field(
        None, description=f"The part covered by a voucher (default 0). {MONEY_HELP}"
    )
    voucher_code: Value = Field(None, description="Required when paid_by_voucher is above 0.")
    paid_by_third_party: Value = Field(
        None, description=f"The part paid by an institution or donor (default 0). {MONEY_HELP}"
    )
    third_party: Text = Field(None, description="Who paid that part.")
    reference: Value = Field(
        None,
        description="The provider's own ID of the row: sending a row with the same "
        "reference again stores nothing new.",
    )


class CostIn(RowIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_required(COST_SPEC))

    provider_code: Text = Field(None, description="The provider's code, e.g. CDE-LIM-01.")
    month: Text = Field(None, description="The month reported, YYYY-MM.")
    staff_costs: Value = Field(None, description=MONEY_HELP)
    premises_costs: Value = Field(None, description=MONEY_HELP)
    other_costs: Value = Field(None, description=MONEY_HELP)
    other_income: Value = Field(
        None, description=f"Income not from services (default 0). {MONEY_HELP}"
    )
    staff_count: Value = Field(None, description="People working at the provider that month.")


class DeliveryBatchOut(Schema):
    created: int = Field(..., description="Rows stored now.")
    unchanged: int = Field(..., description="Rows already stored before (sent again).")
    batch: int = Field(..., description="The ID of the import that stored them.")


class CostBatchOut(Schema):
    created: int
    updated: int = Field(..., description="Months whose figures this batch replaced.")
    unchanged: int
    batch: int


class DeliveryOut(Schema):
    id: int
    provider: ProviderRef
    month: str = Field(..., description="The month of the report it belongs to, YYYY-MM.")
    report_status: SubmissionStatus = Field(..., description="The status of that report.")
    date: dt.date
    client_id: str
    client_type: ClientType
    client_gender: Gender
    client_sector: SectorRef
    client_city: CityRef
    service_type: ServiceType
    service_name: str
    participants: int
    price: Decimal
    paid_by_client: Decimal
    paid_by_voucher: Decimal
    voucher_code: str
    paid_by_third_party: Decimal
    third_party: str
    reference: str

    @staticmethod
    def resolve_month(obj: Delivery) -> str:
        return f"{obj.date:%Y-%m}"

    @staticmethod
    def resolve_report_status(obj: Delivery) -> str:
        return obj.submission.status


class DeliveryPage(Schema):
    count: int = Field(..., description="How many rows match the filters in all.")
    items: list[DeliveryOut]


class CostOut(Schema):
    id: int
    provider: ProviderRef
    month: str = Field(..., description="YYYY-MM.")
    report_status: SubmissionStatus
    staff_costs: Decimal
    premises_costs: Decimal
    other_costs: Decimal
    total_costs: Decimal = Field(..., description="Staff, premises and other costs together.")
    other_income: Decimal
    staff_count: int | None

    @staticmethod
    def resolve_month(obj: CostReport) -> str:
        return f"{obj.submission.period.month:%Y-%m}"

    @staticmethod
    def resolve_report_status(obj: CostReport) -> str:
        return obj.submission.status


class CostPage(Schema):
    count: int
    items: list[CostOut]


class DeliveryFilters(Schema):
    provider: int | None = Field(None, description="A provider's ID.")
    month: str | None = Field(None, description="A month, YYYY-MM.")
    service_type: ServiceType | None = None
    client_type: ClientType | None = None


class CostFilters(Schema):
    provider: int | None = Field(None, description="A provider's ID.")
    month: str | None = Field(None, description="A month, YYYY-MM.")


# Reading a batch


def _refuse_unless_sender(request: HttpRequest, things: str) -> None:
    if not may_send_rows(actor(request)):
        raise PermissionDenied(_("Your role does not report %(things)s.") % {"things": things})


def _refuse_oversized(items: list[Any]) -> None:
    if not items:
        raise ApiValidationError.at(["body"], _("Send at least one row."), "empty")
    if len(items) > MAX_ROWS:
        raise ApiValidationError.at(
            ["body"],
            _("Send at most %(max)s rows per request; this one has %(count)s.")
            % {"max": MAX_ROWS, "count": len(items)},
            "too_many_rows",
        )


def _checked(
    items: Sequence[RowIn], spec: Spec, checker: DeliveryChecker | CostChecker, key: Any
) -> list[Any]:
    """Return each item's input for the services; raise ApiValidationError listing every
    problem at its item's index and field when any item is wrong."""
    inputs: list[Any] = []
    details: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    order = {column.name: position for position, column in enumerate(spec)}
    for index, item in enumerate(items):
        record = Record.read(spec, index, item.dict())
        checked = checker.check(record)
        identity = key(record)
        if identity is not None:
            if identity in seen:
                column = "reference" if spec is DELIVERY_SPEC else "month"
                record.fail(column, duplicate_expected(seen[identity], file=False))
            else:
                seen[identity] = index
        for error in sorted(record.errors, key=lambda error: order[error.field]):
            details.append(
                {
                    "loc": ["body", index, error.field],
                    "message": error.message(),
                    "code": error.code,
                }
            )
        if record.ok:
            inputs.append(checked)
    if details:
        raise ApiValidationError(details[:MAX_DETAILS])
    return inputs


def _month(value: str | None) -> dt.date | None:
    if value is None:
        return None
    month = parse_month(value)
    if month is None:
        raise ApiValidationError.at(
            ["query", "month"],
            _("“%(value)s” is not a month: use YYYY-MM.") % {"value": value},
        )
    return month


# Deliveries


@router.post(
    "/deliveries",
    response={200: DeliveryBatchOut, **error_responses(401, 403, 422)},
    tags=["Deliveries"],
    summary="Send deliveries",
    description="A list of rows with the fields of the deliveries file (docs/formats.md). "
    "Program staff send rows of any provider, provider staff of their own. The whole batch "
    "is stored or, when any row is wrong, nothing (422, one detail per problem at "
    '`["body", index, field]`). A row sent again (same reference, or the same values) is '
    f"counted as unchanged. At most {MAX_ROWS} rows per request.",
)
def delivery_batch(request: HttpRequest, rows: list[DeliveryIn]) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_sender(request, _("deliveries"))
    _refuse_oversized(rows)
    inputs = _checked(rows, DELIVERY_SPEC, DeliveryChecker(actor=user), delivery_key)
    result = services.deliveries_store(actor=user, rows=inputs, source=ImportBatch.Source.API)
    assert result.batch is not None
    return {"created": result.created, "unchanged": result.unchanged, "batch": result.batch.pk}


@router.get(
    "/deliveries",
    response={200: DeliveryPage, **error_responses(401, 422)},
    tags=["Deliveries"],
    summary="List deliveries",
    description="The delivery rows the caller may see (provider staff: their own "
    "provider's), by date. Filters: provider, month, service type, client type; paged.",
)
def delivery_list(
    request: HttpRequest, filters: Query[DeliveryFilters], paging: Query[Paging]
) -> dict[str, Any]:
    deliveries = queries.deliveries_behind(
        permissions.deliveries_visible_to(actor(request)),
        provider=filters.provider,
        month=_month(filters.month),
        service_type=filters.service_type or "",
        client_type=filters.client_type or "",
    ).select_related("submission")
    return page(deliveries, paging)


# Cost reports


@router.post(
    "/costs",
    response={200: CostBatchOut, **error_responses(401, 403, 422)},
    tags=["Cost reports"],
    summary="Send cost reports",
    description="A list of monthly cost reports with the fields of the cost reports file "
    "(docs/formats.md), one per provider and month. All or nothing, as for deliveries. "
    "A month sent again with other figures replaces the stored report (`updated`).",
)
def cost_batch(request: HttpRequest, rows: list[CostIn]) -> dict[str, Any]:
    user = actor(request)
    _refuse_unless_sender(request, _("cost reports"))
    _refuse_oversized(rows)
    inputs = _checked(rows, COST_SPEC, CostChecker(actor=user), cost_key)
    result = services.cost_reports_store(actor=user, reports=inputs, source=ImportBatch.Source.API)
    assert result.batch is not None
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "batch": result.batch.pk,
    }


@router.get(
    "/costs",
    response={200: CostPage, **error_responses(401, 422)},
    tags=["Cost reports"],
    summary="List cost reports",
    description="The cost reports the caller may see (provider staff: their own "
    "provider's), the latest month first. Filters: provider, month; paged.",
)
def cost_list(
    request: HttpRequest, filters: Query[CostFilters], paging: Query[Paging]
) -> dict[str, Any]:
    reports: QuerySet[CostReport] = permissions.cost_reports_visible_to(actor(request))
    if filters.provider is not None:
        reports = reports.filter(provider_id=filters.provider)
    month = _month(filters.month)
    if month is not None:
        reports = reports.filter(submission__period__month=month)
    reports = reports.select_related("provider", "submission__period").order_by(
        "-submission__period__month", "provider__code", "pk"
    )
    return page(reports, paging)
