"""Incentives as documents and files, for every door that hands them out: a payment batch
as the file the bank takes, statements and schemes as JSON documents (the API answers with
them, the `incentives` command writes them), the statements of a month as a table of lines
(CSV or XLSX), and a simulation's totals. Nothing here knows about requests or views.

The batch's CSV holds the transfers only (one per provider, its statements' differences
added up), so a bank's upload form reads it as it is; the XLSX adds a sheet about the batch
(when it was made, its statements, the total).

In documents, money is a decimal string with two decimals ("55.00"); a base, and what is
counted of it, is money ("150.00") or a count ("2") as the base is; rates, factors and
shares are fractions at full precision ("0.3" for 30 %); a figure that is not defined is
null. Headers and words are in the reader's language.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bdsmarket.core.money import money_text
from bdsmarket.indicators import definitions
from bdsmarket.indicators.definitions import Unit
from bdsmarket.indicators.documents import Column, Table, program_currency, utc
from bdsmarket.indicators.exports import CONTENT_TYPES, table_csv, table_xlsx

from . import queries, wording
from .models import (
    IncentiveRule,
    IncentiveScheme,
    PaymentBatch,
    Statement,
    StatementLine,
)

if TYPE_CHECKING:
    from .simulation import Simulation

FORMATS = ("csv", "xlsx")
STATEMENT_FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {**CONTENT_TYPES, "json": "application/json; charset=utf-8"}


def batch_table(batch: PaymentBatch) -> Table:
    """Return the batch's transfers: one row per provider, by provider code. A negative
    amount is a claw-back the program recovers rather than pays."""
    statements, transfers = queries.batch_transfers(batch)
    rows = [
        [
            transfer.provider.code,
            transfer.provider.name,
            transfer.provider.tax_id,
            transfer.package.bank_name if transfer.package else "",
            transfer.package.bank_account if transfer.package else "",
            transfer.account_holder,
            transfer.amount,
            _("pay") if transfer.direction == "pay" else _("recover"),
            ", ".join(f"{s.month:%Y-%m} v{s.version}" for s in transfer.statements),
        ]
        for transfer in transfers
    ]
    total = sum((transfer.amount for transfer in transfers), Decimal(0))
    return Table(
        title=_("Payment batch %(number)s") % {"number": batch.pk},
        columns=[
            Column(_("Provider code")),
            Column(_("Provider")),
            Column(_("Tax number")),
            Column(_("Bank")),
            Column(_("Account")),
            Column(_("Account holder")),
            Column(_("Amount"), Unit.MONEY),
            Column(_("Direction")),
            Column(_("Statements")),
        ],
        rows=rows,
        notes=[
            (_("Payment batch"), str(batch.pk)),
            (_("Made"), f"{batch.created_at:%Y-%m-%d %H:%M}"),
            (_("Statements"), str(len(statements))),
            (_("Total"), f"{total:.2f}"),
            (_("Currency"), program_currency()),
            (_("Paid on"), f"{batch.paid_on:%Y-%m-%d}" if batch.paid_on else "—"),
        ],
    )


def batch_file(batch: PaymentBatch, format: str) -> tuple[bytes, str, str]:
    """Return the batch as (content, file name, content type) in `format` (csv or xlsx)."""
    table = batch_table(batch)
    name = f"payment-batch-{batch.pk}-{batch.created_at:%Y%m%d}.{format}"
    if format == "csv":
        # Banks read amounts with their two decimals, and no notes below the transfers.
        rows = [[f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row]
                for row in table.rows]  # fmt: skip
        return table_csv(Table(table.title, table.columns, rows)), name, CONTENT_TYPES[format]
    if format == "xlsx":
        return table_xlsx(table), name, CONTENT_TYPES[format]
    raise ValueError(format)


# Figures as documents and tables write them


def fraction(value: object) -> str | None:
    """Return a rate, factor or share at full precision, without trailing zeros ("0.3")."""
    if value is None or value == "":
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number.normalize():f}"


def base_unit(base: str) -> Unit:
    """Return the unit of a base: money for amounts, a count for everything else."""
    known = queries.BASES.get(base)
    return definitions.BY_ID[known.indicator].unit if known else Unit.COUNT


def base_figure(base: str, value: object) -> str | None:
    """Return a figure of a base ("150.00" of money, "2" of a count); None: not defined."""
    if value is None:
        return None
    unit = base_unit(base)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return money_text(number) if unit == Unit.MONEY else fraction(number)


def field_header(model: type[Model], field: str) -> str:
    """Return a field's name as a header: the model's own, so pages and files agree."""
    return str(capfirst(model._meta.get_field(field).verbose_name))  # type: ignore[union-attr]


def line_reason(line: StatementLine) -> str:
    """Return why a line pays what it pays, in the words the pages use."""
    return wording.reason_text(line) or _("Paid.")


def _month(value: date) -> str:
    return f"{value:%Y-%m}"


# Schemes as documents


def tiers_document(rule: IncentiveRule) -> list[dict[str, str | None]]:
    return [
        {
            "lower": base_figure(rule.base, tier.get("lower")),
            "upper": base_figure(rule.base, tier.get("upper")),
            "rate": fraction(tier.get("rate")),
        }
        for tier in rule.tiers
    ]


def rule_document(rule: IncentiveRule) -> dict[str, Any]:
    """Return one rule of a scheme: what it pays on, how much and its limits."""
    return {
        "position": rule.position,
        "code": rule.code,
        "label": rule.label,
        "kind": rule.kind,
        "base": rule.base,
        "base_name": wording.base_name(rule.base),
        "rate": fraction(rule.rate),
        "tiers": tiers_document(rule),
        "amount_per_unit": money_text(rule.amount_per_unit),
        "base_floor": base_figure(rule.base, rule.base_floor),
        "year_factors": [fraction(factor) for factor in rule.year_factors],
        "cap_per_period": money_text(rule.cap_per_period),
        "cap_per_year": money_text(rule.cap_per_year),
        "cap_total": money_text(rule.cap_total),
        "threshold_indicator": rule.threshold_indicator or None,
        "threshold_minimum": fraction(rule.threshold_minimum),
        "on_time_only": rule.on_time_only,
    }


def scheme_reference(scheme: IncentiveScheme) -> dict[str, Any]:
    return {
        "id": scheme.pk,
        "code": scheme.code,
        "version": scheme.version,
        "name": scheme.name,
        "status": scheme.status,
    }


def scheme_document(scheme: IncentiveScheme) -> dict[str, Any]:
    """Return a scheme with its rules (`scheme.rules` prefetched, or one query)."""
    return {
        **scheme_reference(scheme),
        "description": scheme.description,
        "effective_from": scheme.effective_from,
        "effective_to": scheme.effective_to,
        "penalty_measure": scheme.penalty_measure,
        "penalty_bands": [
            {"from_gap": fraction(band["from_gap"]), "keep": fraction(band["keep"])}
            for band in scheme.penalty_bands
        ],
        "unverified_keep": fraction(scheme.unverified_keep),
        "adopted_at": utc(scheme.adopted_at),
        "rules": [rule_document(rule) for rule in scheme.rules.all()],
    }


# Statements as documents


def statement_document(statement: Statement) -> dict[str, Any]:
    """Return a statement without its lines: who, which month, which version, how much.

    `superseded_by` is read from the statement (select it with `superseded_by` to spare a
    query per statement)."""
    successor = getattr(statement, "superseded_by", None)
    return {
        "id": statement.pk,
        "provider": {
            "id": statement.provider.pk,
            "code": statement.provider.code,
            "name": statement.provider.name,
        },
        "month": _month(statement.month),
        "version": statement.version,
        "status": statement.status,
        "scheme": scheme_reference(statement.scheme),
        "total": money_text(statement.total),
        "difference": money_text(statement.difference),
        "verification_gap": fraction(statement.verification_gap),
        "penalty_keep": fraction(statement.penalty_keep),
        "program_year": statement.program_year,
        "on_time": statement.on_time,
        "supersedes": statement.supersedes_id,
        "superseded_by": successor.pk if successor is not None else None,
        "batch": statement.batch_id,
        "computed_at": utc(statement.computed_at),
        "approved_at": utc(statement.approved_at),
        "figures_as_of": utc(statement.figures_as_of),
    }


def line_document(
    statement: Statement, line: StatementLine, absolute: Callable[[str], str]
) -> dict[str, Any]:
    """Return one line with every step of its amount; `absolute` makes the address of the
    rows behind its base a full URL."""
    rule = line.rule
    return {
        "position": line.position,
        "rule_code": rule.code,
        "rule_label": rule.label,
        "kind": rule.kind,
        "base": rule.base,
        "base_name": wording.base_name(rule.base),
        "base_value": base_figure(rule.base, line.base),
        "counted": base_figure(rule.base, line.counted),
        "rate": fraction(rule.rate),
        "tiers": tiers_document(rule),
        "amount_per_unit": money_text(rule.amount_per_unit),
        "gross": money_text(line.gross),
        "year_factor": fraction(line.year_factor),
        "penalty_keep": fraction(line.penalty_keep),
        "before_caps": money_text(line.before_caps),
        "cap": line.cap or None,
        "amount": money_text(line.amount),
        "reason": line.reason,
        "reason_text": line_reason(line),
        "rows_url": absolute(queries.line_rows_url(statement, rule.base)),
    }


def statement_detail_document(
    statement: Statement, absolute: Callable[[str], str]
) -> dict[str, Any]:
    """Return a statement with every line (`lines__rule` prefetched, or two queries)."""
    return {
        **statement_document(statement),
        "lines": [line_document(statement, line, absolute) for line in statement.lines.all()],
    }


def batch_document(batch: PaymentBatch) -> dict[str, Any]:
    """Return a payment batch: its transfers (one per provider, as the bank's file has
    them) and the statements they pay, each without its lines."""
    statements, transfers = queries.batch_transfers(batch)
    creator = batch.created_by
    return {
        "id": batch.pk,
        "created_at": utc(batch.created_at),
        "created_by": creator.get_username() if creator is not None else None,
        "paid_on": batch.paid_on,
        "reference": batch.reference,
        "currency": program_currency(),
        "total": money_text(sum((transfer.amount for transfer in transfers), Decimal(0))),
        "transfers": [
            {
                "provider": {
                    "id": transfer.provider.pk,
                    "code": transfer.provider.code,
                    "name": transfer.provider.name,
                },
                "tax_id": transfer.provider.tax_id,
                "bank": transfer.package.bank_name if transfer.package else "",
                "account": transfer.package.bank_account if transfer.package else "",
                "account_holder": transfer.account_holder,
                "amount": money_text(transfer.amount),
                "direction": transfer.direction,
                "statements": [statement.pk for statement in transfer.statements],
            }
            for transfer in transfers
        ],
        "statements": [statement_document(statement) for statement in statements],
    }


# Statements as a table: one row per line


def _tiers_text(rule: IncentiveRule) -> str:
    return "; ".join(
        f"{tier['lower']}\N{EN DASH}{tier['upper'] or ''}: {tier['rate']}"
        for tier in tiers_document(rule)
    )


def statements_table(statements: Iterable[Statement]) -> Table:
    """Return the lines of `statements`, one row per line with its statement's month,
    version and figures; money, factors and bases as numbers (each base in its own unit)."""
    chosen = list(statements)
    rows: list[list[Any]] = []
    for statement in chosen:
        for line in statement.lines.all():
            rule = line.rule
            unit = base_unit(rule.base)
            rows.append(
                [
                    statement.provider.code,
                    statement.provider.name,
                    _month(statement.month),
                    statement.version,
                    statement.get_status_display(),
                    f"{statement.scheme.code} v{statement.scheme.version}",
                    statement.program_year,
                    _("Yes") if statement.on_time else _("No"),
                    statement.verification_gap,
                    rule.code,
                    rule.label,
                    wording.base_name(rule.base),
                    (line.base, unit),
                    (line.counted, unit),
                    rule.rate,
                    _tiers_text(rule),
                    rule.amount_per_unit,
                    line.gross,
                    line.year_factor,
                    line.penalty_keep,
                    line.before_caps,
                    capfirst(wording.cap_name(line.cap)),
                    line.amount,
                    line_reason(line),
                ]
            )
    total = sum((statement.total for statement in chosen), Decimal(0))
    months = sorted({_month(statement.month) for statement in chosen})
    return Table(
        title=_("Statements"),
        columns=[
            Column(_("Provider code")),
            Column(_("Provider")),
            Column(_("Month")),
            Column(field_header(Statement, "version")),
            Column(field_header(Statement, "status")),
            Column(field_header(Statement, "scheme")),
            Column(field_header(Statement, "program_year"), Unit.COUNT),
            Column(field_header(Statement, "on_time")),
            Column(field_header(Statement, "verification_gap"), Unit.SHARE),
            Column(_("Rule code")),
            Column(_("Rule")),
            Column(field_header(StatementLine, "base")),
            Column(_("Value of the base")),
            Column(field_header(StatementLine, "counted")),
            Column(field_header(IncentiveRule, "rate"), Unit.SHARE),
            Column(field_header(IncentiveRule, "tiers")),
            Column(field_header(IncentiveRule, "amount_per_unit"), Unit.MONEY),
            Column(field_header(StatementLine, "gross"), Unit.MONEY),
            Column(field_header(StatementLine, "year_factor"), Unit.RATIO),
            Column(field_header(StatementLine, "penalty_keep"), Unit.RATIO),
            Column(field_header(StatementLine, "before_caps"), Unit.MONEY),
            Column(field_header(StatementLine, "cap")),
            Column(field_header(StatementLine, "amount"), Unit.MONEY),
            Column(field_header(StatementLine, "reason")),
        ],
        rows=rows,
        notes=[
            (_("Month"), ", ".join(months) or "—"),
            (_("Statements"), str(len(chosen))),
            (_("Total"), f"{total:.2f}"),
            (_("Currency"), program_currency()),
        ],
    )


def _csv_cell(cell: Any, unit: Unit | None) -> Any:
    """Return a cell as a CSV shows it: money with its two decimals, other numbers plain."""
    if isinstance(cell, tuple):
        cell, unit = cell
    if isinstance(cell, Decimal):
        return money_text(cell) if unit == Unit.MONEY else fraction(cell)
    return "" if cell is None else cell


def csv_rows(table: Table) -> Table:
    """Return `table` with its cells as a CSV file shows them, and without its notes: a
    program reads the file as it is, one header row and the rows."""
    rows = [[_csv_cell(cell, column.unit) for cell, column in zip(row, table.columns,
                                                                  strict=True)]
            for row in table.rows]  # fmt: skip
    return Table(table.title, table.columns, rows)


def statements_file(
    statements: Sequence[Statement], format: str, *, month: date, absolute: Callable[[str], str]
) -> tuple[bytes, str]:
    """Return the statements of `month` as (content, file name) in `format`: csv or xlsx
    (one row per line), or json (each statement with its lines, as the API gives it)."""
    name = f"statements-{month:%Y-%m}.{format}"
    if format == "json":
        document = {
            "month": _month(month),
            "currency": program_currency(),
            "statements": [statement_detail_document(s, absolute) for s in statements],
        }
        text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8"), name
    table = statements_table(statements)
    if format == "csv":
        return table_csv(csv_rows(table)), name
    if format == "xlsx":
        return table_xlsx(table), name
    raise ValueError(format)


# A simulation's totals


def _difference(amounts: Sequence[Decimal]) -> Decimal | None:
    """Two schemes side by side: what the second pays more (negative: less) than the first."""
    return amounts[-1] - amounts[0] if len(amounts) == 2 else None


def simulation_table(simulation: "Simulation") -> Table:
    """Return what each scheme of a simulation pays each provider over the span, the
    difference when two schemes are compared, and the totals last."""
    runs = simulation.runs
    rows: list[list[Any]] = []
    for provider in simulation.providers:
        amounts = [run.provider_total(provider.pk) for run in runs]
        rows.append([provider.code, provider.name, *amounts, _difference(amounts)])
    totals = [run.total for run in runs]
    rows.append([_("Total"), "", *totals, _difference(totals)])
    columns = [
        Column(_("Provider code")),
        Column(_("Provider")),
        *(Column(f"{run.scheme.code} v{run.scheme.version}", Unit.MONEY) for run in runs),
        Column(_("Difference"), Unit.MONEY),
    ]
    if len(runs) != 2:
        columns, rows = columns[:-1], [row[:-1] for row in rows]
    return Table(
        title=_("Simulation"),
        columns=columns,
        rows=rows,
        notes=[
            (_("From"), _month(simulation.first_month)),
            (_("To"), _month(simulation.last_month)),
            *(
                (f"{run.scheme.code} v{run.scheme.version}", run.scheme.name)
                for run in simulation.runs
            ),
            (_("Currency"), program_currency()),
        ],
    )


def simulation_document(simulation: "Simulation") -> dict[str, Any]:
    """Return a simulation: the schemes and their totals (by rule too), and each provider's
    amounts under each scheme, in all and month by month (lists in the schemes' order)."""
    runs = simulation.runs
    providers = []
    for provider in simulation.providers:
        amounts = [run.provider_total(provider.pk) for run in runs]
        months = [
            {
                "month": _month(month),
                "amounts": [money_text(run.by_provider_month.get(provider.pk, {}).get(month))
                            for run in runs],
            }
            for month in simulation.months
            if any(month in run.by_provider_month.get(provider.pk, {}) for run in runs)
        ]  # fmt: skip
        providers.append(
            {
                "provider": {"id": provider.pk, "code": provider.code, "name": provider.name},
                "totals": [money_text(amount) for amount in amounts],
                "difference": money_text(_difference(amounts)),
                "months": months,
            }
        )
    totals = [run.total for run in runs]
    return {
        "first": _month(simulation.first_month),
        "last": _month(simulation.last_month),
        "currency": program_currency(),
        "schemes": [
            {
                **scheme_reference(run.scheme),
                "total": money_text(run.total),
                "by_rule": {
                    code: money_text(amount) for code, amount in sorted(run.by_rule.items())
                },
            }
            for run in runs
        ],
        "providers": providers,
        "totals": [money_text(total) for total in totals],
        "difference": money_text(_difference(totals)),
    }


def simulation_file(simulation: "Simulation", format: str) -> tuple[bytes, str]:
    """Return a simulation as (content, file name) in `format`: csv or xlsx (its table),
    or json (its document, as the API gives it)."""
    name = f"simulation-{simulation.first_month:%Y-%m}-{simulation.last_month:%Y-%m}.{format}"
    if format == "json":
        text = json.dumps(
            simulation_document(simulation), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        )
        return (text + "\n").encode("utf-8"), name
    table = simulation_table(simulation)
    if format == "csv":
        return table_csv(csv_rows(table)), name
    if format == "xlsx":
        return table_xlsx(table), name
    raise ValueError(format)
