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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.clock import program_today
from bdsmarket.core.models import Role, User
from bdsmarket.core.money import ZERO
from bdsmarket.core.months import month_start
from bdsmarket.core.tabular import Block, CellInvalid, Column, RowLike, Spec, cell_text
from bdsmarket.registry.importers import GENDER_ALIASES, client_type_column
from bdsmarket.registry.models import (
    Gender,
    Provider,
    ServiceType,
)
from bdsmarket.registry.queries import References

from . import permissions, rules
from .models import EDITABLE_STATUSES, Submission, SubmissionStatus
from .services import CostInput, DeliveryInput, DeliveryRows

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


def may_send_rows(user: User | None) -> bool:
    """Whether `user` may send rows at all (None: the system, always may)."""
    return user is None or permissions.can_report(user)


# Checking
#
# The checkers work on a Block: rows held column by column (core.tabular). A file is read a
# block at a time; an API request or a form row becomes a block of its own (`Block.of`), so
# every door runs these same lines. Each lookup is made once per distinct value (a code, a
# city, a month), which is what makes a million rows cheap.


class _Checker:
    """Lookups shared by both kinds, asked once per spelling for the whole file or request."""

    spec: Spec

    def __init__(self, *, actor: User | None, today: date | None = None) -> None:
        self.actor = actor
        self.today = today or program_today()
        self.references = References()
        self._providers: dict[str, Provider | str] = {}
        self._statuses: dict[tuple[int, date], str | None] = {}

    def providers(self, block: Block, column: str = "provider_code") -> list[Provider | None]:
        """Return the provider each row reports for; record an error where it may not."""
        codes = block.values[column]
        for code in set(codes).difference(self._providers):
            if code is not None:
                self._providers[code] = self._provider(code.strip().upper())
        found: list[Any] = list(map(self._providers.get, codes))
        refused = [index for index, provider in enumerate(found) if isinstance(provider, str)]
        for index in refused:
            block.fail(index, column, found[index])
            found[index] = None
        return found

    def _provider(self, code: str) -> Provider | str:
        """Return the provider of `code`, or what was expected instead."""
        actor = self.actor
        if actor is not None and actor.role == Role.PROVIDER:
            own = actor.provider
            if own is None or code != own.code:
                # Said the same way whether or not the code exists: staff cannot probe codes.
                return _(
                    "your own provider's code (%(code)s): provider staff report only "
                    "for their provider"
                ) % {"code": own.code if own else ""}
            return own
        provider = Provider.objects.filter(code=code).first()
        if provider is None:
            example = Provider.objects.values_list("code", flat=True).first() or "CDE-LIM-01"
            return _("the code of a provider of the program, such as %(example)s") % {
                "example": example
            }
        if actor is not None and not permissions.can_report_for(actor, provider.pk):
            return _("the code of a provider you may report for")
        return provider

    def months_open(self, block: Block, column: str, providers: list[Provider | None]) -> None:
        """Record an error on each row whose month's report can no longer take rows.

        `column` holds the row's day (or month); a month without a report yet is open: its
        report is created as a draft.
        """
        days = block.values[column]
        # Distinct days first (a few hundred), then distinct (provider, month) pairs.
        day_keys, distinct_days = block.combinations(column)
        months_by_key = {
            key: month_start(days[index])
            for key, index in distinct_days.items()
            if days[index] is not None
        }
        codes = block.values["provider_code"]
        pairs = list(zip(codes, map(months_by_key.get, day_keys), strict=True))
        wanted: dict[Any, tuple[Provider, date]] = {}
        for pair, index in dict(zip(pairs, range(len(pairs)), strict=True)).items():
            provider, month = providers[index], pair[1]
            if provider is not None and month is not None:
                wanted[pair] = (provider, month)
        self._statuses_fetch({(provider.id, month) for provider, month in wanted.values()})
        closed = {
            pair: expected
            for pair, (provider, month) in wanted.items()
            if (expected := self._month_closed(provider, month))
        }
        if not closed:
            return
        for index, pair in enumerate(pairs):
            # A row whose provider or day failed has no month to close.
            if pair in closed and providers[index] is not None and days[index] is not None:
                block.fail(index, column, closed[pair])  # type: ignore[index]

    def _statuses_fetch(self, keys: set[tuple[int, date]]) -> None:
        """Learn the report status of each (provider, month) not known yet, in one query."""
        unknown = {key for key in keys if key not in self._statuses}
        if not unknown:
            return
        # Read whole before anything is remembered: a query that fails (a file's second
        # attempt starts from one, see storing.py) must not leave its months taken as open.
        stored = list(
            Submission.objects.filter(
                provider_id__in={provider_id for provider_id, _month in unknown},
                period__month__in={month for _provider_id, month in unknown},
            ).values_list("provider_id", "period__month", "status")
        )
        self._statuses.update(dict.fromkeys(unknown))
        for provider_id, month, status in stored:
            if (provider_id, month) in unknown:
                self._statuses[(provider_id, month)] = status

    def _month_closed(self, provider: Provider, month: date) -> str:
        """Return why `provider`'s report for `month` takes no rows ("" when it does)."""
        self._statuses_fetch({(provider.pk, month)})
        status = self._statuses[(provider.pk, month)]
        if status is None or status in EDITABLE_STATUSES:
            return ""
        values = {"provider": provider.code, "month": f"{month:%Y-%m}"}
        if status == SubmissionStatus.APPROVED:
            return (
                _(
                    "a month whose report can still change: the report of %(provider)s for "
                    "%(month)s is approved; ask for an amendment to correct it"
                )
                % values
            )
        return (
            _(
                "a month whose report can still change: the report of %(provider)s for "
                "%(month)s is under review; ask the monitoring officer to return it, or "
                "for an amendment once it is approved"
            )
            % values
        )


def _amounts(block: Block, name: str) -> list[Decimal | None]:
    """Return a money column: 0 for an empty optional cell, None where the cell was wrong."""
    amounts = block.values[name]
    if name in block.empty:
        amounts = list(amounts)
        texts = block.texts(name)
        for index, amount in enumerate(amounts):
            if amount is None and not texts[index]:
                amounts[index] = ZERO
    return amounts


class DeliveryChecker(_Checker):
    """Checks delivery rows for one actor and turns them into rows for the services."""

    spec = DELIVERY_SPEC

    def check(self, row: RowLike) -> DeliveryInput | None:
        """Return the row as a DeliveryInput, or None when it has errors (recorded on it)."""
        rows = self.check_block(Block.of(self.spec, [row]))
        return rows.input(0) if len(rows) else None

    def check_block(self, block: Block) -> DeliveryRows:
        """Check every row of `block`; return its rows without an error, for the services.

        Each problem is recorded on the block (on its row, at its column), whatever else is
        wrong on the row, so that one reading reports every error.
        """
        values = block.values
        providers = self.providers(block)
        cities = self._names(
            block, "client_city", self.references.city, self.references.city_expected
        )
        sectors = self._names(
            block, "client_sector", self.references.sector, self.references.sector_expected
        )
        clients = self._clients(block, providers)
        self._dates(block, providers)
        price = values["price"]
        amounts = [_amounts(block, name) for name in PAYER_COLUMNS]
        self._payers(block, price, amounts)
        paid_by_client, paid_by_voucher, paid_by_third_party = amounts
        voucher_codes = block.texts("voucher_code")
        for index in [index for index, part in enumerate(paid_by_voucher) if part]:
            if not voucher_codes[index]:
                block.fail(
                    index,
                    "voucher_code",
                    _("the voucher's code: required when a part is paid by voucher"),
                )
        texts = block.texts
        rows = DeliveryRows(
            provider=providers,  # type: ignore[arg-type]  # no row failed: none is None
            date=values["date"],
            client_id=clients.ids,
            client_type=values["client_type"],
            client_gender=values["client_gender"],
            client_sector=sectors,  # type: ignore[arg-type]
            client_city=cities,  # type: ignore[arg-type]
            service_type=values["service_type"],
            service_name=texts("service_name"),
            participants=[count or 1 for count in values["participants"]],
            price=price,
            paid_by_client=paid_by_client,  # type: ignore[arg-type]
            paid_by_voucher=paid_by_voucher,  # type: ignore[arg-type]
            paid_by_third_party=paid_by_third_party,  # type: ignore[arg-type]
            voucher_code=voucher_codes,
            third_party=texts("third_party"),
            reference=texts("reference"),
            row_number=list(block.numbers),
            client_key=clients.keys,
        )
        return rows.without(block.failed) if block.failed else rows

    @staticmethod
    def _names(
        block: Block, column: str, find: Callable[[str], Any], expected: Callable[[], str]
    ) -> list[Any]:
        """Return what each row's `column` names (a city, a sector); errors where nothing."""
        given = block.values[column]
        distinct = {value: find(value) for value in set(given) if value is not None}
        found = list(map(distinct.get, given))
        if None in distinct.values():
            for index, value in enumerate(given):
                if value is not None and found[index] is None:
                    block.fail(index, column, expected())
        return found

    @staticmethod
    def _clients(block: Block, providers: list[Provider | None]) -> rules.Clients:
        """Return the clients' stored IDs and keys; record an error on each invalid ID."""
        given = [value or "" for value in block.values["client_id"]]
        clients = rules.clients_identify(
            [provider.code if provider is not None else "" for provider in providers], given
        )
        for index in clients.invalid:
            block.fail(
                index,
                "client_id",
                _("a DNI (8 digits) or a RUC (11 digits with a correct check digit)"),
            )
        return clients

    def _dates(self, block: Block, providers: list[Provider | None]) -> None:
        """Record an error on each day in the future, or in a month that is closed."""
        days = block.values["date"]
        _keys, distinct = block.combinations("date")
        future = {
            days[i] for i in distinct.values() if days[i] is not None and days[i] > self.today
        }
        if future:
            expected = _("a date not after today (%(today)s)") % {"today": self.today.isoformat()}
            for index, day in enumerate(days):
                if day in future:
                    block.fail(index, "date", expected)
        self.months_open(block, "date", providers)

    @staticmethod
    def _payers(block: Block, price: list[Any], amounts: list[list[Decimal | None]]) -> None:
        """Record an error on each row whose payers do not add up to its price."""
        keys, distinct = block.combinations("price", *PAYER_COLUMNS)
        wrong = {}
        for key, index in distinct.items():
            split = (price[index], *(amount[index] for amount in amounts))
            if None not in split and not rules.payers_add_up(*split):
                wrong[key] = sum(split[1:], ZERO)
        if not wrong:
            return
        for index, key in enumerate(keys):
            if key in wrong:
                block.fail(
                    index,
                    "price",
                    _(
                        "the sum of the parts paid by the client, by voucher and by third "
                        "parties, which is %(sum)s"
                    )
                    % {"sum": f"{wrong[key]:.2f}"},
                )


PAYER_COLUMNS = ("paid_by_client", "paid_by_voucher", "paid_by_third_party")


def payers_complete(
    price: Decimal,
    paid_by_client: Decimal | None,
    paid_by_voucher: Decimal | None,
    paid_by_third_party: Decimal | None,
) -> tuple[Decimal, Decimal, Decimal]:
    """Return the three payers' parts of a row typed in a form: a part left empty is zero,
    and an empty client part is what the voucher and third parties leave of the price (most
    clients pay it all). The checker then checks the row as it checks a file's.

    Raises ValidationError at "paid_by_voucher" when the voucher's and third parties' parts
    are more than the price, so that no client part is left to take.
    """
    voucher, third = paid_by_voucher or ZERO, paid_by_third_party or ZERO
    if paid_by_client is None:
        paid_by_client = price - voucher - third
        if paid_by_client < 0:
            raise ValidationError(
                {
                    "paid_by_voucher": _(
                        "The voucher's and third parties' parts (%(parts)s) are more than "
                        "the price (%(price)s)."
                    )
                    % {"parts": voucher + third, "price": price}
                }
            )
    return paid_by_client, voucher, third


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
        block = Block.of(self.spec, [row])
        [provider] = self.providers(block)
        [month] = block.values["month"]
        if month is not None:
            if month > month_start(self.today):
                block.fail(
                    0,
                    "month",
                    _("a month that has begun (%(month)s at the latest)")
                    % {"month": f"{self.today:%Y-%m}"},
                )
            else:
                self.months_open(block, "month", [provider])
        [other_income] = _amounts(block, "other_income")
        if block.failed:
            return None
        assert provider is not None and month is not None and other_income is not None
        values = row.values
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
]
