"""Reading a CSV or XLSX file against a Spec, one row at a time."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import CellInvalid, Spec, cell_text

Source = str | os.PathLike | UploadedFile | IO[bytes]

HEAD_BYTES = 64 * 1024
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (",", ";", "\t")

# Errors


@dataclass(frozen=True)
class TableError:
    """One problem in a file: where it is, what was there, and what was expected."""

    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: “%(value)s” (expected: %(expected)s)") % {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
        }


class TableRefused(Exception):
    """The file cannot be read at all; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# Reading


@dataclass
class Row:
    """One data row: its number in the file, parsed values, cells as given, and errors."""

    number: int
    values: dict[str, Any]
    cells: dict[str, str]
    errors: list[TableError]
    table: Table

    def given(self, name: str) -> str:
        """Return the cell of column `name` as written in the file ("" when absent)."""
        return self.cells.get(name, "")

    def fail(self, name: str, expected: str, value: str | None = None) -> None:
        """Record that column `name` of this row does not hold what was `expected`."""
        self.errors.append(
            TableError(
                row=self.number,
                column=self.table.column_title(name),
                value=self.given(name) if value is None else value,
                expected=expected,
            )
        )
        self.values[name] = None

    @property
    def ok(self) -> bool:
        return not self.errors


class Table:
    """An open CSV or XLSX file read against a `Spec`. Iterate it for its `Row`s."""

    def __init__(
        self,
        spec: Spec,
        name: str,
        format: Literal["csv", "xlsx"],
        records: Iterator[tuple[int, list[Any]]],
        progress: Callable[[], float],
        close: Callable[[], None],
    ) -> None:
        self.spec = spec
        self.name = name
        self.format = format
        self._records = records
        self._progress = progress
        self._close = close
        self.errors: list[TableError] = []
        self.header_row, self.headers = self._read_header()
        self._positions: dict[str, int] = {}
        self._titles: dict[str, str] = {}
        self._match_header()
        self._first = self._next_data_record()
        if self._first is None:
            raise TableRefused(_("“%(name)s” has no rows under its header row.") % {"name": name})

    def _read_header(self) -> tuple[int, list[str]]:
        for number, cells in self._records:
            texts = [cell_text(cell) for cell in cells]
            if any(texts):
                return number, texts
        raise TableRefused(_("“%(name)s” is empty.") % {"name": self.name})

    def _match_header(self) -> None:
        for position, header in enumerate(self.headers):
            column = self.spec.match(header) if header else None
            if column is None:
                continue  # columns the spec does not know are the file owner's business
            if column.name in self._positions:
                self.errors.append(
                    TableError(
                        row=self.header_row,
                        column=header,
                        value=header,
                        expected=_("each column once: “%(first)s” is the same column")
                        % {"first": self._titles[column.name]},
                    )
                )
                continue
            self._positions[column.name] = position
            self._titles[column.name] = header
        for column in self.spec:
            if column.required and column.name not in self._positions:
                self.errors.append(
                    TableError(
                        row=self.header_row,
                        column=column.title(),
                        value="",
                        expected=_("a column named “%(name)s” or “%(name_es)s”")
                        % {"name": column.name, "name_es": column.name_es},
                    )
                )

    def _next_data_record(self) -> tuple[int, list[Any]] | None:
        for number, cells in self._records:
            if any(cell_text(cell) for cell in cells):
                return number, cells
        return None

    def column_title(self, name: str) -> str:
        """Return column `name` as the file names it, else its name in the active language."""
        return self._titles.get(name) or self.spec.column(name).title()

    def position(self, title: str) -> int:
        """Return where the column headed `title` is in the file (unknown ones last)."""
        return self.headers.index(title) if title in self.headers else len(self.headers)

    def has_column(self, name: str) -> bool:
        return name in self._positions

    def fraction_read(self) -> float:
        """Return how much of the file has been read, from 0 to 1 (for progress bars)."""
        return min(1.0, max(0.0, self._progress()))

    def __iter__(self) -> Iterator[Row]:
        record = self._first
        while record is not None:
            yield self._row(*record)
            record = self._next_data_record()

    def _row(self, number: int, cells: list[Any]) -> Row:
        row = Row(number=number, values={}, cells={}, errors=[], table=self)
        for column in self.spec:
            position = self._positions.get(column.name)
            cell = cells[position] if position is not None and position < len(cells) else None
            text = cell_text(cell)
            row.cells[column.name] = text
            row.values[column.name] = None
            if not text:
                if column.required and position is not None:
                    row.fail(column.name, _("a value: this column is required"))
                continue
            try:
                row.values[column.name] = column.parse(cell if cell is not None else text)
            except CellInvalid as invalid:
                row.fail(column.name, invalid.expected)
        return row

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass
class _Opened:
    """A source opened as bytes, with what we know about it."""

    name: str
    size: int
    file: IO[bytes]
    path: str | None
    owned: bool  # whether closing the table closes the file


def _open_source(source: Source) -> _Opened:
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return _Opened(Path(path).name, os.path.getsize(path), open(path, "rb"), path, True)
    if isinstance(source, UploadedFile):
        temporary = getattr(source, "temporary_file_path", None)
        path = temporary() if temporary else None
        handle = source.file
        assert handle is not None, "an uploaded file has its content"
        handle.seek(0)
        return _Opened(source.name or "", source.size or 0, handle, path, False)
    handle = source
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return _Opened(Path(getattr(handle, "name", "") or "").name, size, handle, None, False)


def open_table(source: Source, spec: Spec, *, max_bytes: int | None = None) -> Table:
    """Open a CSV or XLSX file and return its `Table`; raise TableRefused when it cannot.

    `max_bytes` defaults to `settings.BDSMARKET_MAX_UPLOAD_BYTES`.
    """
    limit = settings.BDSMARKET_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    opened = _open_source(source)
    try:
        if opened.size > limit:
            raise TableRefused(
                _("“%(name)s” is %(size)s; files up to %(limit)s are accepted.")
                % {
                    "name": opened.name,
                    "size": filesizeformat(opened.size),
                    "limit": filesizeformat(limit),
                }
            )
        if opened.size == 0:
            raise TableRefused(_("“%(name)s” is empty.") % {"name": opened.name})
        head = opened.file.read(HEAD_BYTES)
        opened.file.seek(0)
        if _is_xlsx(opened, head):
            return _open_xlsx(opened, spec)
        return _open_csv(opened, head, spec)
    except BaseException:
        if opened.owned:
            opened.file.close()
        raise


def _table(
    spec: Spec,
    name: str,
    format: Literal["csv", "xlsx"],
    records: Iterator[tuple[int, list[Any]]],
    progress: Callable[[], float],
    close: Callable[[], None],
) -> Table:
    """Return the Table; if reading its header fails, release the file before re-raising."""
    try:
        return Table(spec, name, format, records, progress, close)
    except BaseException:
        close()
        raise


def _refuse_format(name: str) -> TableRefused:
    return TableRefused(
        _("“%(name)s” is neither a CSV file nor an Excel workbook (.xlsx).") % {"name": name}
    )


def _is_xlsx(opened: _Opened, head: bytes) -> bool:
    """Return True for an XLSX workbook, False for text; refuse anything else."""
    suffix = Path(opened.name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(opened.file).namelist())
        except zipfile.BadZipFile:
            names = set()
        opened.file.seek(0)
        if "xl/workbook.xml" in names:
            return True
        raise _refuse_format(opened.name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableRefused(
            _("“%(name)s” is an old Excel file (.xls): save it as .xlsx or CSV and try again.")
            % {"name": opened.name}
        )
    if suffix and suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise _refuse_format(opened.name)
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Text has no NUL bytes and few control characters; PDFs, images and archives do.
        controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
        if b"\x00" in head or controls > len(head) // 100:
            raise _refuse_format(opened.name)
    if suffix in XLSX_SUFFIXES:
        raise _refuse_format(opened.name)
    return False


def _open_xlsx(opened: _Opened, spec: Spec) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        if opened.path:
            workbook = CalamineWorkbook.from_path(opened.path)
        else:
            workbook = CalamineWorkbook.from_filelike(opened.file)
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as error:
        raise TableRefused(
            _("“%(name)s” could not be read as an Excel workbook (.xlsx): %(error)s")
            % {"name": opened.name, "error": error}
        ) from error
    total = max(1, sheet.end[0] + 1) if sheet.end else 1
    position = {"row": 0}

    def records() -> Iterator[tuple[int, list[Any]]]:
        # Calamine yields rows from the sheet's first row (A1), so the index is the row number.
        for index, cells in enumerate(sheet.iter_rows(), start=1):
            position["row"] = index
            yield index, cells

    def close() -> None:
        workbook.close()
        if opened.owned:
            opened.file.close()

    return _table(spec, opened.name, "xlsx", records(), lambda: position["row"] / total, close)


def _csv_encoding(head: bytes) -> tuple[str, str]:
    """Return the encoding of a CSV file judged from its first bytes, and its error mode."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "surrogateescape"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "strict"
    try:
        # final=False: the 64 KiB may end inside a character; that is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows writes the ANSI code page; cp1252 leaves five bytes
        # undefined, which become U+FFFD instead of failing the file.
        return "cp1252", "replace"
    # Bytes that are not UTF-8 further down become lone surrogates, so that the row holding
    # them can be named (a strict decoder fails a whole read-ahead chunk earlier).
    return "utf-8", "surrogateescape"


def _sniff_delimiter(line: str) -> str:
    """Return the delimiter among `,` `;` tab that `line` (the header row) uses most."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _open_csv(opened: _Opened, head: bytes, spec: Spec) -> Table:
    encoding, errors = _csv_encoding(head)
    text = io.TextIOWrapper(opened.file, encoding=encoding, errors=errors, newline="")
    leading: list[str] = []
    for line in text:
        leading.append(line)
        if line.strip():
            break
    delimiter = _sniff_delimiter(leading[-1] if leading else "")
    hint = leading[-1].strip().lower() if leading else ""
    if len(hint) == 5 and hint.startswith("sep="):
        # Excel's own hint line ("sep=;"): it names the delimiter and is no header.
        delimiter = leading[-1].strip()[4]
        leading[-1] = "\n"
        for line in text:
            leading.append(line)
            if line.strip():
                break

    def lines() -> Iterator[str]:
        yield from leading
        # Not `yield from text`: closing this generator would then close the file as well.
        for line in text:  # noqa: UP028
            yield line

    def records() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(lines(), delimiter=delimiter)
        number = 0
        check_utf8 = errors == "surrogateescape"
        try:
            for number, cells in enumerate(reader, start=1):
                if check_utf8:
                    try:
                        "\x1f".join(cells).encode("utf-8")
                    except UnicodeEncodeError as error:
                        raise TableRefused(
                            _(
                                "Row %(row)s of “%(name)s” is not UTF-8 text, unlike the rows "
                                "before it: save the file again as “CSV UTF-8”."
                            )
                            % {"row": number, "name": opened.name}
                        ) from error
                yield number, cells
        except csv.Error as error:
            raise TableRefused(
                _("Row %(row)s of “%(name)s” cannot be read as CSV: %(error)s")
                % {"row": number + 1, "name": opened.name, "error": error}
            ) from error

    def progress() -> float:
        try:
            return opened.file.tell() / max(1, opened.size)
        except (OSError, ValueError):
            return 0.0

    def close() -> None:
        if opened.owned:
            text.close()
        else:
            text.detach()  # the caller owns an uploaded file; leave it open

    return _table(spec, opened.name, "csv", records(), progress, close)
