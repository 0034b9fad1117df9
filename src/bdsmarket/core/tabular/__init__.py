"""Spreadsheets in and out: the one reader, template writer and import runner of bdsmarket.

Every import in the product (cities, providers, enterprises, and later deliveries and cost
reports) goes through this module, so that every file is read, checked and reported on the
same way. The formats themselves are documented for users in docs/formats.md.

Describing the columns
    A `Spec` is a tuple of `Column`s. A column has an English `name` (the contract: never
    renamed), a Spanish `name_es`, optional extra `aliases`, a `type` (text, int, decimal,
    date, month, enum, bool), whether it is `required`, and limits (`max_length`,
    `min_value`, `decimal_places`, enum `choices` with `choice_aliases`, Django
    `validators`). Headers in a file match a column's names case-, accent-, space- and
    underscore-insensitively (`core.text.normalize_key`); unknown columns are ignored.

        SPEC = Spec((
            Column("provider_code", "codigo_proveedor", required=True, max_length=30),
            Column("date", "fecha", type="date", required=True),
            Column("price", "precio", type="decimal", required=True, min_value=Decimal(0),
                   decimal_places=2),
            Column("client_gender", "genero", type="enum", choices=Gender,
                   choice_aliases={"female": ["mujer", "femenino"]}),
        ))

Reading a file
    `open_table(source, spec)` takes a path, a Django `UploadedFile` or a binary file object
    and returns a `Table` (a context manager). It refuses, with `TableRefused`, a file that
    is larger than `settings.BDSMARKET_MAX_UPLOAD_BYTES`, empty, without data rows, or
    neither CSV nor XLSX. Iterating the table yields one `Row` at a time; nothing holds the
    whole file:

        with open_table(upload, SPEC) as table:
            errors = list(table.errors)          # missing required columns, one error each
            for row in table:                    # blank rows are skipped
                row.number                       # the file's row number (header row = 1)
                row.values["price"]              # Decimal, or None when empty or invalid
                row.given("price")               # the cell as written in the file
                row.errors                       # this row's TableErrors
                row.fail("price", _("a price the provider charges"))  # add your own

    CSV: UTF-8 with or without BOM, else Windows-1252 (decided on the first 64 KiB), UTF-16
    with a BOM; the delimiter is the one of `,` `;` or tab that the header row uses most.
    XLSX: the first sheet, read with python-calamine. Calamine keeps the sheet's cells in
    compact native memory and this module turns them into Python one row at a time; for
    files of a million rows, CSV keeps memory flat.

Values (empty cells are missing; a missing required value is an error)
    decimal   `1234.50`, `1234,50`, `1.234,50`, `1,234.50`; a single `.` or `,` is always
              the decimal separator (`1,234` is one point two three four)
    int       a whole number (`12`, or `12.0` from a spreadsheet)
    date      `2003-05-31` or `31/05/2003` (day first), or a date cell
    month     `2003-05` or `05/2003`, or a date cell (its month); read as the month's first day
    enum      the code or its Spanish or English label or an alias (`core.text.parse_choice`)
    bool      yes/no, sí/no, true/false, verdadero/falso, 1/0, x (yes)

Errors
    A `TableError` has `row` (the file's row number), `column` (as named in the file),
    `value` (as given) and `expected` (what was expected). Messages are rendered in the
    language active while reading: doors activate the user's language first.

Templates
    `template_csv(spec, language)` and `template_xlsx(spec, language)` return an empty file
    with the header row in English or Spanish; the workbook has drop-down lists with the
    chosen language's labels for enum and yes/no columns, and a sheet explaining the columns.

Importing
    An `Importer` subclass, decorated with `@register`, names its `kind`, `spec` and
    how to check, find, create and update one row's record. Django apps declare theirs in
    an `importers` module, found automatically (`importers()`, `importer_class(kind)`), so
    the `bdsmarket import` command and the import page offer every kind without edits.
    `Importer.run(source)` checks every row first, then, only when no row has an error,
    writes every row in one transaction; an error while writing undoes the whole file.
    It returns an `ImportResult` with the errors or the created/updated/unchanged counts.

        @register
        class CostReportImporter(Importer):
            kind = "costs"
            spec = COST_REPORT_SPEC
            noun, noun_plural = gettext_lazy("cost report"), gettext_lazy("cost reports")

            @classmethod
            def can_import(cls, user): ...          # a rule from permissions.py
            def check(self, row): ...               # row.fail(...) for unknown providers
            def key(self, row): ...                 # (provider code, month): no duplicates
            def existing(self, keys): ...           # {key: stored record} for a batch
            def create(self, row): ...              # a service call
            def changes(self, record, row): ...     # {field: new value}; {} = unchanged
            def update(self, record, changes, row): ...

    A kind with millions of rows overrides `write_batch` to store a batch at once.
"""

from .columns import (
    CellInvalid,
    Column,
    ColumnType,
    Spec,
    cell_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_month,
)
from .importing import (
    Importer,
    ImportResult,
    Progress,
    few_collections,
    importer_class,
    importers,
    register,
)
from .reading import (
    Block,
    Row,
    RowLike,
    Source,
    Table,
    TableError,
    TableRefused,
    open_table,
    source_name,
)
from .templates import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    template_csv,
    template_file,
    template_xlsx,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "Block",
    "CellInvalid",
    "Column",
    "ColumnType",
    "ImportResult",
    "Importer",
    "Progress",
    "Row",
    "RowLike",
    "Source",
    "Spec",
    "Table",
    "TableError",
    "TableRefused",
    "cell_text",
    "few_collections",
    "importer_class",
    "importers",
    "open_table",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_month",
    "register",
    "source_name",
    "template_csv",
    "template_file",
    "template_xlsx",
]
