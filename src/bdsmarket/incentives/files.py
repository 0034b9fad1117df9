"""A payment batch as the file the bank takes: one transfer per provider (its statements'
differences added up), CSV or XLSX, headers in the reader's language.

The CSV holds the transfers only, so a bank's upload form reads it as it is; the XLSX adds
a sheet about the batch (when it was made, its statements, the total).
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from bdsmarket.indicators.definitions import Unit
from bdsmarket.indicators.exports import CONTENT_TYPES, table_csv, table_xlsx
from bdsmarket.indicators.files import Column, Table, program_currency

from .models import PaymentBatch, Statement, SupportPackage

FORMATS = ("csv", "xlsx")


def batch_table(batch: PaymentBatch) -> Table:
    """Return the batch's transfers: one row per provider, by provider code. A negative
    amount is a claw-back the program recovers rather than pays."""
    statements = list(
        Statement.objects.filter(batch=batch)
        .select_related("provider")
        .order_by("provider__code", "month", "version")
    )
    packages = {
        package.provider_id: package
        for package in SupportPackage.objects.filter(
            provider__in={statement.provider_id for statement in statements}
        )
    }
    by_provider: dict[int, list[Statement]] = {}
    for statement in statements:
        by_provider.setdefault(statement.provider_id, []).append(statement)
    rows = []
    for provider_statements in by_provider.values():
        provider = provider_statements[0].provider
        package = packages.get(provider.pk)
        amount = sum((statement.difference for statement in provider_statements), Decimal(0))
        rows.append(
            [
                provider.code,
                provider.name,
                provider.tax_id,
                package.bank_name if package else "",
                package.bank_account if package else "",
                (package.account_holder if package else "") or provider.name,
                amount,
                _("pay") if amount >= 0 else _("recover"),
                ", ".join(f"{s.month:%Y-%m} v{s.version}" for s in provider_statements),
            ]
        )
    total = sum((row[6] for row in rows), Decimal(0))
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
