"""The one validation of what providers report, whichever door the rows come in by.

A file (`importers.py`), the API (`api.py`), the CLI (through the importers) and the forms
all describe a delivery or a cost report with the same columns (`DELIVERY_SPEC`,
`COST_SPEC`, documented in docs/formats.md) and check it with the same checker
(`DeliveryChecker`, `CostChecker`). A checker turns one row's values into a
`DeliveryInput` or `CostInput` for the services, or records what is wrong on the row, one
problem per column, with the value as given and what was expected, in the active language.

A row is anything shaped like `core.tabular.Row`: a row of a file, or a `Record` made from
one JSON object of an API request. Types, required values, enums and text lengths are the
columns' business (they are checked while a row is read); the checkers add what needs
more than one cell or the database: known providers, cities and sectors, who may report
for whom, valid national IDs, dates not in the future, payers adding up to the price,
voucher codes, and months whose report can no longer change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.models import Role, User
from bdsmarket.core.tabular import CellInvalid, Column, Spec, cell_text
from bdsmarket.core.text import normalize_key
from bdsmarket.registry.importers import GENDER_ALIASES, client_type_column
from bdsmarket.registry.models import (
    City,
    Gender,
    Program,
    Provider,
    Sector,
    ServiceType,
)
from bdsmarket.registry.queries import city_find, sector_find
from bdsmarket.registry.rules import InvalidNationalId, classify_national_id, id_digits

from . import permissions, rules
from .models import EDITABLE_STATUSES, Submission, SubmissionStatus
from .services import CostInput, DeliveryInput

ZERO = Decimal(0)
# Money columns are NUMERIC(14, 2): twelve digits before the decimal mark.
MONEY_LIMIT = Decimal(10) ** 12

SERVICE_TYPE_ALIASES = {
    "training": ["capacitacion", "curso", "taller", "course", "workshop"],
    "technical_assistance": [
        "asistencia tecnica",
        "asesoria",
        "consultoria",
        "consulting",
        "assistance",
    ],
    "information": ["info"],
    "marketing": ["mercadeo", "comercializacion"],
    "internet_access": ["internet", "cabina de internet"],
    "business_plan": ["plan de negocio"],
    "other": ["otro", "otros", "otra"],
}


def _below_money_limit(value: Decimal) -> None:
    if value >= MONEY_LIMIT:
        raise ValidationError(_("an amount below 1,000,000,000,000"))


def _money(name: str, name_es: str, *, required: bool, help: Any) -> Column:
    return Column(
        name,
        name_es,
        type="decimal",
        required=required,
        min_value=ZERO,
        decimal_places=2,
        validators=(_below_money_limit,),
        help=help,
    )


def _provider_code() -> Column:
    return Column(
        "provider_code",
        "codigo_proveedor",
        required=True,
        max_length=30,
        help=gettext_lazy("the provider's code in the program, e.g. CDE-LIM-01"),
    )


# The columns (docs/formats.md is their description for users; none is ever renamed)

DELIVERY_SPEC = Spec(
    (
        _provider_code(),
        Column(
            "date",
            "fecha",
            type="date",
            required=True,
            help=gettext_lazy("the day of the service; not in the future"),
        ),
        Column(
            "client_id",
            "id_cliente",
            required=True,
            max_length=30,
            help=gettext_lazy(
                "the client's DNI (8 digits) or RUC (11 digits, check digit verified) or, "
                "for a client without one, the provider's own client number"
            ),
        ),
        client_type_column(),
        Column(
            "client_gender",
            "genero",
            type="enum",
            required=True,
            aliases=("gender",),
            choices=Gender,
            choice_aliases=GENDER_ALIASES,
            help=gettext_lazy(
                "gender of the owner or manager, or of the person for pre-enterprises"
            ),
        ),
        Column(
            "client_sector",
            "sector",
            required=True,
            max_length=100,
            help=gettext_lazy("the program's sector: code, name or an ISIC/CIIU code"),
        ),
        Column(
            "client_city",
            "ciudad",
            required=True,
            max_length=100,
            help=gettext_lazy("one of the program's cities; accents optional"),
        ),
        Column(
            "service_type",
            "tipo_servicio",
            type="enum",
            required=True,
            choices=ServiceType,
            choice_aliases=SERVICE_TYPE_ALIASES,
            help=gettext_lazy("what kind of service it was"),
        ),
        Column(
            "service_name",
            "servicio",
            max_length=200,
            help=gettext_lazy("the provider's own name for the service"),
        ),
        Column(
            "participants",
            "participantes",
            type="int",
            min_value=1,
            help=gettext_lazy("people who attended in this row (default 1)"),
        ),
        _money(
            "price",
            "precio",
            required=True,
            help=gettext_lazy("the full amount charged for this row, in the program currency"),
        ),
        _money(
            "paid_by_client",
            "pagado_cliente",
            required=True,
            help=gettext_lazy("the part the client paid"),
        ),
        _money(
            "paid_by_voucher",
            "pagado_bono",
            required=False,
            help=gettext_lazy("the part covered by a voucher (default 0)"),
        ),
        Column(
            "voucher_code",
            "codigo_bono",
            max_length=40,
            help=gettext_lazy("the voucher's code; required when a part is paid by voucher"),
        ),
        _money(
            "paid_by_third_party",
            "pagado_terceros",
            required=False,
            help=gettext_lazy("the part paid by an institution, project or donor (default 0)"),
        ),
        Column(
            "third_party",
            "tercero",
            max_length=200,
            help=gettext_lazy("who paid that part"),
        ),
        Column(
            "reference",
            "referencia",
            max_length=64,
            help=gettext_lazy(
                "the provider's own row ID; with the provider's code it makes sending the "
                "row again harmless"
            ),
        ),
    )
)

COST_SPEC = Spec(
    (
        _provider_code(),
        Column(
            "month",
            "mes",
            type="month",
            required=True,
            help=gettext_lazy("the month reported, e.g. 2003-05"),
        ),
        _money(
            "staff_costs",
            "costos_personal",
            required=True,
            help=gettext_lazy("salaries, fees and charges of the people working that month"),
        ),
        _money(
            "premises_costs",
            "costos_local",
            required=True,
            help=gettext_lazy("rent, utilities and upkeep of the premises"),
        ),
        _money(
            "other_costs",
            "otros_costos",
            required=True,
            help=gettext_lazy("every other cost of the month"),
        ),
        _money(
            "other_income",
            "otros_ingresos",
            required=False,
            help=gettext_lazy("income not from services, such as grants or stipends (default 0)"),
        ),
        Column(
            "staff_count",
            "personal",
            type="int",
            min_value=0,
            help=gettext_lazy("people working at the provider that month"),
        ),
    )
)


# Rows


class RowLike(Protocol):
    """What a checker needs of a row: `core.tabular.Row` and `Record` both are one."""

    number: int
    values: dict[str, Any]

    def given(self, name: str) -> str: ...

    def fail(self, name: str, expected: str, value: str | None = None) -> None: ...

    @property
    def ok(self) -> bool: ...


@dataclass(frozen=True)
class RecordError:
    """One problem in one item of an API request: its field, the value sent, what was expected."""

    field: str
    value: str
    expected: str
    code: str = "invalid"

    def message(self) -> str:
        if not self.value:
            return _("Nothing given (expected: %(expected)s)") % {"expected": self.expected}
        return _("“%(value)s” (expected: %(expected)s)") % {
            "value": self.value,
            "expected": self.expected,
        }


@dataclass
class Record:
    """One item of an API request read against a Spec, exactly as a row of a file is read."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)

    @classmethod
    def read(cls, spec: Spec, number: int, data: Mapping[str, Any]) -> Record:
        """Return the item `data` (field name -> JSON value) with its values parsed."""
        record = cls(number=number)
        for column in spec:
            cell = data.get(column.name)
            text = cell_text(cell)
            record.cells[column.name] = text
            record.values[column.name] = None
            if not text:
                if column.required:
                    record.fail(column.name, _("a value: this column is required"))
                continue
            try:
                record.values[column.name] = column.parse(cell)
            except CellInvalid as invalid:
                record.fail(column.name, invalid.expected)
        return record

    def given(self, name: str) -> str:
        return self.cells.get(name, "")

    def fail(self, name: str, expected: str, value: str | None = None) -> None:
        given = self.given(name) if value is None else value
        code = "missing" if not given else "invalid"
        self.errors.append(RecordError(field=name, value=given, expected=expected, code=code))
        self.values[name] = None

    @property
    def ok(self) -> bool:
        return not self.errors


def program_today() -> date:
    """Return today's date where the program works (its time zone), not the server's."""
    program = Program.current()
    name = program.time_zone if program else settings.TIME_ZONE
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.now().astimezone(zone).date()


def may_send_rows(user: User | None) -> bool:
    """Whether `user` may send rows at all (None: the system, always may)."""
    return user is None or permissions.can_report(user)


# Checking


class _Checker:
    """Lookups shared by both kinds, asked once per spelling for the whole file or request."""

    def __init__(self, *, actor: User | None, today: date | None = None) -> None:
        self.actor = actor
        self.today = today or program_today()
        self._providers: dict[str, Provider | None] = {}
        self._statuses: dict[tuple[int, date], str | None] = {}

    def provider(self, row: RowLike, column: str = "provider_code") -> Provider | None:
        """Return the provider the row reports for; record an error when it may not."""
        code = row.values.get(column)
        if code is None:
            return None
        code = code.strip().upper()
        actor = self.actor
        if actor is not None and actor.role == Role.PROVIDER:
            own = actor.provider
            if own is None or code != own.code:
                # Said the same way whether or not the code exists: staff cannot probe codes.
                row.fail(
                    column,
                    _(
                        "your own provider's code (%(code)s): provider staff report only "
                        "for their provider"
                    )
                    % {"code": own.code if own else ""},
                )
                return None
            return own
        if code not in self._providers:
            self._providers[code] = Provider.objects.filter(code=code).first()
        provider = self._providers[code]
        if provider is None:
            example = Provider.objects.values_list("code", flat=True).first() or "CDE-LIM-01"
            row.fail(
                column,
                _("the code of a provider of the program, such as %(example)s")
                % {"example": example},
            )
            return None
        if actor is not None and not permissions.can_report_for(actor, provider.pk):
            row.fail(column, _("the code of a provider you may report for"))
            return None
        return provider

    def month_open(self, row: RowLike, column: str, provider: Provider, month: date) -> bool:
        """Whether `provider`'s report for `month` can still take rows; else an error on the row.

        A month without a report yet is open: its report is created as a draft.
        """
        key = (provider.pk, month)
        if key not in self._statuses:
            self._statuses[key] = (
                Submission.objects.filter(provider=provider, period__month=month)
                .values_list("status", flat=True)
                .first()
            )
        status = self._statuses[key]
        if status is None or status in EDITABLE_STATUSES:
            return True
        values = {"provider": provider.code, "month": f"{month:%Y-%m}"}
        if status == SubmissionStatus.APPROVED:
            expected = (
                _(
                    "a month whose report can still change: the report of %(provider)s for "
                    "%(month)s is approved; ask for an amendment to correct it"
                )
                % values
            )
        else:
            expected = (
                _(
                    "a month whose report can still change: the report of %(provider)s for "
                    "%(month)s is under review; ask the monitoring officer to return it, or "
                    "for an amendment once it is approved"
                )
                % values
            )
        row.fail(column, expected)
        return False


def _amount(row: RowLike, name: str) -> Decimal | None:
    """Return a money value, 0 for an empty optional cell, None when the cell was wrong."""
    value = row.values.get(name)
    if value is None and not row.given(name):
        return ZERO
    return value


class DeliveryChecker(_Checker):
    """Checks delivery rows for one actor and turns them into `DeliveryInput`s."""

    spec = DELIVERY_SPEC

    def __init__(self, *, actor: User | None, today: date | None = None) -> None:
        super().__init__(actor=actor, today=today)
        self._cities: dict[str, City | None] = {}
        self._sectors: dict[str, Sector | None] = {}

    def check(self, row: RowLike) -> DeliveryInput | None:
        """Return the row as a DeliveryInput, or None when it has errors (recorded on it)."""
        values = row.values
        provider = self.provider(row)
        city = self.city(row)
        sector = self.sector(row)
        client_id = self.client_id(row)
        day = values["date"]
        if day is not None:
            if day > self.today:
                row.fail(
                    "date",
                    _("a date not after today (%(today)s)") % {"today": self.today.isoformat()},
                )
            elif provider is not None:
                self.month_open(row, "date", provider, rules.month_start(day))
        price = values["price"]
        paid_by_client = _amount(row, "paid_by_client")
        paid_by_voucher = _amount(row, "paid_by_voucher")
        paid_by_third_party = _amount(row, "paid_by_third_party")
        if (
            price is not None
            and paid_by_client is not None
            and paid_by_voucher is not None
            and paid_by_third_party is not None
            and not rules.payers_add_up(price, paid_by_client, paid_by_voucher, paid_by_third_party)
        ):
            total = paid_by_client + paid_by_voucher + paid_by_third_party
            row.fail(
                "price",
                _(
                    "the sum of the parts paid by the client, by voucher and by third "
                    "parties, which is %(sum)s"
                )
                % {"sum": f"{total:.2f}"},
            )
        voucher_code = values["voucher_code"]
        if paid_by_voucher and not voucher_code and not row.given("voucher_code"):
            row.fail(
                "voucher_code", _("the voucher's code: required when a part is paid by voucher")
            )
        if not row.ok:
            return None
        assert provider and city and sector and client_id and day and price is not None
        assert paid_by_client is not None and paid_by_voucher is not None
        assert paid_by_third_party is not None
        return DeliveryInput(
            provider=provider,
            date=day,
            client_id=client_id,
            client_type=values["client_type"],
            client_gender=values["client_gender"],
            client_sector=sector,
            client_city=city,
            service_type=values["service_type"],
            service_name=values["service_name"] or "",
            participants=values["participants"] or 1,
            price=price,
            paid_by_client=paid_by_client,
            paid_by_voucher=paid_by_voucher,
            paid_by_third_party=paid_by_third_party,
            voucher_code=voucher_code or "",
            third_party=values["third_party"] or "",
            reference=values["reference"] or "",
            row_number=row.number,
        )

    def client_id(self, row: RowLike) -> str | None:
        """Return the client's ID, as digits when it is a DNI or RUC; errors when invalid."""
        value = row.values["client_id"]
        if value is None:
            return None
        try:
            kind = classify_national_id(value)
        except InvalidNationalId:
            row.fail(
                "client_id",
                _("a DNI (8 digits) or a RUC (11 digits with a correct check digit)"),
            )
            return None
        return id_digits(value) if kind is not None else value.strip()

    def city(self, row: RowLike) -> City | None:
        value = row.values["client_city"]
        if value is None:
            return None
        key = normalize_key(value)
        if key not in self._cities:
            self._cities[key] = city_find(value)
        city = self._cities[key]
        if city is None:
            names = list(City.objects.values_list("name", flat=True)[:13])
            listed = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
            row.fail(
                "client_city",
                _("a city of the program (%(cities)s); accents are optional") % {"cities": listed},
            )
        return city

    def sector(self, row: RowLike) -> Sector | None:
        value = row.values["client_sector"]
        if value is None:
            return None
        key = normalize_key(value)
        if key not in self._sectors:
            self._sectors[key] = sector_find(value)
        sector = self._sectors[key]
        if sector is None:
            codes = ", ".join(Sector.objects.values_list("code", flat=True))
            row.fail(
                "client_sector",
                _("a sector of the program by code, name or ISIC code (%(sectors)s)")
                % {"sectors": codes},
            )
        return sector


def delivery_key(row: RowLike) -> tuple[str, str] | None:
    """Return what makes a delivery row the same row within one upload: its reference.

    Rows without a reference are never duplicates of each other: two identical rows may be
    two real services (monitoring.rules.delivery_row_key keeps them apart).
    """
    code, reference = row.values.get("provider_code"), row.values.get("reference")
    if not code or not reference or not reference.strip():
        return None
    return (code.strip().upper(), reference.strip())


class CostChecker(_Checker):
    """Checks cost report rows for one actor and turns them into `CostInput`s."""

    spec = COST_SPEC

    def check(self, row: RowLike) -> CostInput | None:
        """Return the row as a CostInput, or None when it has errors (recorded on it)."""
        values = row.values
        provider = self.provider(row)
        month = values["month"]
        if month is not None:
            if month > rules.month_start(self.today):
                row.fail(
                    "month",
                    _("a month that has begun (%(month)s at the latest)")
                    % {"month": f"{self.today:%Y-%m}"},
                )
            elif provider is not None:
                self.month_open(row, "month", provider, month)
        other_income = _amount(row, "other_income")
        if not row.ok:
            return None
        assert provider is not None and month is not None and other_income is not None
        return CostInput(
            provider=provider,
            month=month,
            staff_costs=values["staff_costs"],
            premises_costs=values["premises_costs"],
            other_costs=values["other_costs"],
            other_income=other_income,
            staff_count=values["staff_count"],
        )


def cost_key(row: RowLike) -> tuple[str, date] | None:
    """Return what makes a cost row the same report: its provider and month."""
    code, month = row.values.get("provider_code"), row.values.get("month")
    if not code or month is None:
        return None
    return (code.strip().upper(), month)


def duplicate_expected(first: int, *, file: bool = True) -> str:
    """Return what a row repeating row (or item) `first` was expected to be."""
    if file:
        return _("a value not already used in row %(row)s of this file") % {"row": first}
    return _("a value not already used in item %(index)s of this request") % {"index": first}


__all__ = [
    "COST_SPEC",
    "DELIVERY_SPEC",
    "CostChecker",
    "DeliveryChecker",
    "Record",
    "RecordError",
    "cost_key",
    "delivery_key",
    "duplicate_expected",
    "may_send_rows",
    "program_today",
]
