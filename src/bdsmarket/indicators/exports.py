"""The explorer's table as a file to download: CSV or XLSX, the same figures as the page.

The table itself is documents.result_table (what `bdsmarket report` and the API write too), so
every door hands out the same columns: one per grouping, per indicator and per group's
share; the total last; numbers as numbers (plain decimals in CSV, numeric cells in XLSX);
headers in the reader's language; the period, the basis, the data cut-off and each
indicator's definition as notes (rows after a blank one in CSV, a second sheet in XLSX).
"""

import codecs
import csv
import io
from typing import Any

from django.utils import translation

from .documents import Table, program_currency, result_table, write_xlsx
from .formatting import plain
from .page_queries import Exploration
from .periods import period_name

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _text(cell: Any) -> str:
    if isinstance(cell, tuple):  # a value with its own unit
        cell = cell[0]
    if isinstance(cell, str):
        return cell
    return plain(cell)


def table_csv(table: Table) -> bytes:
    """Return `table` as CSV: UTF-8 with a BOM (so that spreadsheets show accents right),
    comma-separated, the header row first, then the rows, and a blank row and the notes if
    there are any."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow([_text(cell) for cell in row])
    if table.notes:
        writer.writerow([])
    for key, value in table.notes:
        writer.writerow([key, value])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    """Return `table` as an XLSX workbook: numbers as numbers, notes on a second sheet."""
    buffer = io.BytesIO()
    write_xlsx(table, buffer)  # type: ignore[arg-type]
    return buffer.getvalue()


def exploration_table(exploration: Exploration) -> Table:
    """Return the explorer's result as the table every door writes."""
    return result_table(exploration.result, currency=program_currency(), keys=exploration.keys)


def exploration_file(exploration: Exploration, *, format: str, language: str) -> tuple[bytes, str]:
    """Return the explorer's table as `format` (csv or xlsx) and its content type.

    Headers and notes are in `language`, the one the page is shown in."""
    with translation.override(language):
        table = exploration_table(exploration)
        content = table_csv(table) if format == "csv" else table_xlsx(table)
    return content, CONTENT_TYPES[format]


def file_name(exploration: Exploration, format: str) -> str:
    """Return the download's name, e.g. "indicators-2003-01..2003-12.csv"."""
    scope = exploration.result.scope
    return f"indicators-{period_name(scope.first_month, scope.last_month)}.{format}"
