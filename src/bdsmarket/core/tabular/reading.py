"""Reading a CSV or XLSX file against a Spec, one row at a time."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import CellInvalid, Column, Spec, cell_text

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


class RowLike(Protocol):
    """What checks need of one row: a `Row` of a file, or an item of an API request."""

    number: int
    values: dict[str, Any]

    def given(self, name: str) -> str: ...

    def fail(self, name: str, expected: str, value: str | None = None) -> None: ...

    @property
    def ok(self) -> bool: ...


class Block:
    """A run of rows held column by column: row numbers, cells as given, values, errors.

    Checks that run over a million rows work on whole columns (a lookup per distinct
    value, not per row); `Table.blocks()` reads a file this way, and `Block.of(rows)`
    gathers rows that were read one at a time (an API request, a form), so that both go
    through the same checks. `values[name][i]` is None when the cell is empty or wrong;
    `texts(name)` gives the cells as the user wrote them.
    """

    def __init__(
        self,
        numbers: list[int],
        cells: dict[str, list[str]],
        values: dict[str, list[Any]],
        *,
        table: Table | None = None,
        rows: Sequence[RowLike] | None = None,
        raw: dict[str, Sequence[Any]] | None = None,
    ) -> None:
        self.numbers = numbers
        self.values = values
        # What tells rows' cells apart cheaply: equal keys, equal values (the cell itself, for
        # a file's column of codes, dates or amounts; else the value).
        self.keys: dict[str, Sequence[Any]] = {}
        # Columns with an empty cell in some row.
        self.empty: set[str] = set()
        self.failed: set[int] = set()
        # A file's errors, in the order found (`sorted_errors` orders them as the file does).
        self.errors: list[TableError] = []
        self._cells = cells
        # Cells not yet turned into text: most columns never need it (see Table._parse_column).
        self._raw = raw if raw is not None else {}
        self._table = table
        self._rows = rows
        # A CSV file's rows as read, and where each column is in them (see combinations).
        self.records: list[list[Any]] | None = None
        self.positions: dict[str, int] | None = None
        # What combinations() returned, by the names asked for: several checks ask alike.
        self._combinations: dict[tuple[str, ...], tuple[Sequence[Any], dict[Any, int]]] = {}

    @classmethod
    def of(cls, spec: Spec, rows: Sequence[RowLike]) -> Block:
        """Return the rows as one block; its errors are recorded on the rows themselves."""
        cells = {column.name: [row.given(column.name) for row in rows] for column in spec}
        values = {column.name: [row.values.get(column.name) for row in rows] for column in spec}
        block = cls([row.number for row in rows], cells, values, rows=rows)
        block.keys = dict(values)
        block.empty = {name for name, texts in cells.items() if "" in texts}
        block.failed = {index for index, row in enumerate(rows) if not row.ok}
        return block

    def __len__(self) -> int:
        return len(self.numbers)

    def combinations(self, *names: str) -> tuple[Sequence[Any], dict[Any, int]]:
        """Return each row's combination of the cells of columns `names`, and a row index for
        each distinct combination: checks that need several cells run once per combination.

        Equal combinations have equal values. A file's rows are keyed by their cells as read
        (text compares faster than numbers and dates), other blocks by their values.
        """
        found = self._combinations.get(names)
        if found is not None:
            return found
        keys: Sequence[Any]
        if len(names) == 1:
            keys = self.keys[names[0]]
        elif self.records is not None and self.positions is not None:
            positions = [self.positions[name] for name in names if name in self.positions]
            if not positions:
                keys = [()] * len(self)
            else:
                keys = list(map(itemgetter(*positions), self.records))
        else:
            keys = list(zip(*(self.keys[name] for name in names), strict=True))
        found = self._combinations[names] = (keys, dict(zip(keys, range(len(keys)), strict=True)))
        return found

    def texts(self, name: str) -> list[str]:
        """Return column `name`'s cells as written ("" for an empty cell), trimmed."""
        texts = self._cells.get(name)
        if texts is None:
            raw = self._raw.pop(name)
            csv_text = self._table is not None and self._table.format == "csv"
            texts = self._cells[name] = list(map(str.strip if csv_text else cell_text, raw))
        return texts

    def given(self, name: str, index: int) -> str:
        return self.texts(name)[index]

    def fail(self, index: int, name: str, expected: str, value: str | None = None) -> None:
        """Record that column `name` of row `index` does not hold what was `expected`."""
        self.failed.add(index)
        if self.values[name] is self._cells.get(name):  # text values that share the texts
            self.values[name] = list(self.values[name])
        self.values[name][index] = None
        if self._rows is not None:
            self._rows[index].fail(name, expected, value)
            return
        assert self._table is not None
        self.errors.append(
            TableError(
                row=self.numbers[index],
                column=self._table.column_title(name),
                value=self.given(name, index) if value is None else value,
                expected=expected,
            )
        )

    def ok(self, index: int) -> bool:
        return index not in self.failed

    def sorted_errors(self) -> list[TableError]:
        """Return the errors by row, and within a row in the order of the file's columns."""
        table = self._table
        if table is None:
            return list(self.errors)
        return sorted(self.errors, key=lambda error: (error.row, table.position(error.column)))

    def rows(self) -> Iterator[Row]:
        """Yield the block's rows one at a time, each with its own errors."""
        assert self._table is not None, "a block of a file"
        by_row: dict[int, list[TableError]] = {}
        for error in self.sorted_errors():
            by_row.setdefault(error.row, []).append(error)
        names = list(self.values)
        texts = {name: self.texts(name) for name in names}
        for index, number in enumerate(self.numbers):
            yield Row(
                number=number,
                values={name: self.values[name][index] for name in names},
                cells={name: texts[name][index] for name in names},
                errors=by_row.get(number, []),
                table=self._table,
            )


class _Invalid:
    """A cell that is not a value of its column, and what was expected instead."""

    __slots__ = ("expected",)

    def __init__(self, expected: str) -> None:
        self.expected = expected


# Distinct cells remembered per column: enough for any column of repeated values (codes,
# dates, prices), little memory for one where nearly every cell differs.
MEMO_LIMIT = 100_000
BLOCK_ROWS = 5000


# Rows come from a file in chunks: (the first row's number, the rows' cells).
Chunk = tuple[int, list[list[Any]]]
CHUNK_ROWS = 5000


class Table:
    """An open CSV or XLSX file read against a `Spec`. Iterate it for its `Row`s, or read
    it `blocks()` at a time."""

    def __init__(
        self,
        spec: Spec,
        name: str,
        format: Literal["csv", "xlsx"],
        chunks: Iterator[Chunk],
        progress: Callable[[], float],
        close: Callable[[], None],
    ) -> None:
        self.spec = spec
        self.name = name
        self.format = format
        self._chunks = chunks
        # Rows read ahead (to find the header and the first data row), not yet handed out.
        self._ahead: list[tuple[list[int], list[list[Any]]]] = []
        self._progress = progress
        self._close = close
        # The SHA-256 of the file's bytes; a CSV's is known once it has been read to the end.
        self.sha256: Callable[[], str] = lambda: _file_digest(self._source)
        self._source: Source | None = None
        self.errors: list[TableError] = []
        self.header_row, self.headers = self._read_header()
        self._positions: dict[str, int] = {}
        self._titles: dict[str, str] = {}
        self._match_header()
        self._memos: dict[str, dict[Any, Any]] = {column.name: {} for column in spec}
        self._invalid: dict[str, set[Any]] = {column.name: set() for column in spec}
        self._blank: dict[str, set[Any]] = {column.name: set() for column in spec}
        if not self._has_data_row():
            raise TableRefused(_("“%(name)s” has no rows under its header row.") % {"name": name})

    def _read_header(self) -> tuple[int, list[str]]:
        for start, rows in self._chunks:
            for offset, cells in enumerate(rows):
                texts = [cell_text(cell) for cell in cells]
                if any(texts):
                    rest = rows[offset + 1 :]
                    first = start + offset + 1
                    self._ahead.append((list(range(first, first + len(rest))), rest))
                    return start + offset, texts
        raise TableRefused(_("“%(name)s” is empty.") % {"name": self.name})

    def _has_data_row(self) -> bool:
        """Whether any row under the header holds something (reading ahead to find it)."""
        while True:
            for numbers, rows in self._ahead:
                if self._without_blanks(numbers, rows)[0]:
                    return True
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            start, rows = chunk
            self._ahead.append((list(range(start, start + len(rows))), rows))

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

    def _without_blanks(
        self, numbers: list[int], rows: list[list[Any]]
    ) -> tuple[list[int], list[list[Any]]]:
        """Return the rows (and their numbers) that hold anything but blanks."""
        filled: list[Any]
        if self.format == "csv":  # every cell is text
            try:
                # A row whose first cell holds something is filled: nearly every row.
                if all(map(str.strip, map(itemgetter(0), rows))):
                    return numbers, rows
            except IndexError:  # an empty line has no first cell
                pass
            filled = list(map(str.strip, map("".join, rows)))
        else:
            filled = [any(cell_text(cell) for cell in cells) for cells in rows]
        if all(filled):
            return numbers, rows
        kept = [index for index, full in enumerate(filled) if full]
        return [numbers[index] for index in kept], [rows[index] for index in kept]

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
        for block in self.blocks():
            yield from block.rows()

    def blocks(self, size: int = BLOCK_ROWS) -> Iterator[Block]:
        """Yield the data rows `size` at a time, parsed column by column (blank rows skipped)."""
        numbers: list[int] = []
        rows: list[list[Any]] = []
        while True:
            if self._ahead:
                chunk_numbers, chunk_rows = self._ahead.pop(0)
            else:
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                start, chunk_rows = chunk
                chunk_numbers = list(range(start, start + len(chunk_rows)))
            chunk_numbers, chunk_rows = self._without_blanks(chunk_numbers, chunk_rows)
            numbers += chunk_numbers
            rows += chunk_rows
            while len(rows) >= size:
                yield self._block(numbers[:size], rows[:size])
                numbers, rows = numbers[size:], rows[size:]
        if rows:
            yield self._block(numbers, rows)

    def _block(self, numbers: list[int], rows: list[list[Any]]) -> Block:
        width = max(self._positions.values(), default=-1) + 1
        if rows and min(map(len, rows)) < width:
            padding = ["" if self.format == "csv" else None] * width
            rows = [cells if len(cells) >= width else [*cells, *padding][:width] for cells in rows]
        columns = list(zip(*rows, strict=False)) if width else []
        cells: dict[str, list[str]] = {}
        values: dict[str, list[Any]] = {}
        raw: dict[str, Sequence[Any]] = {}
        block = Block(numbers, cells, values, table=self, raw=raw)
        if self.format == "csv":
            block.records, block.positions = rows, self._positions
        for column in self.spec:
            position = self._positions.get(column.name)
            if position is None:
                cells[column.name] = [""] * len(rows)
                values[column.name] = block.keys[column.name] = [None] * len(rows)
                block.empty.add(column.name)
                continue
            self._parse_column(block, column, columns[position], cells, raw)
        return block

    def _parse_column(
        self,
        block: Block,
        column: Column,
        column_cells: Sequence[Any],
        cells: dict[str, list[str]],
        raw: dict[str, Sequence[Any]],
    ) -> None:
        """Fill the block's values of `column` from the column's cells.

        Each distinct cell is parsed once (`Column.parse`, the one parser of every import)
        and remembered for the rest of the file: a column of codes, dates or prices costs a
        dictionary lookup per row.
        """
        name = column.name
        csv_file = self.format == "csv"
        if column.type == "text" and not column.validators:
            # Text is its own value: only the length and the required value are checked.
            texts = cells[name] = list(map(str.strip if csv_file else cell_text, column_cells))
            # The texts are the values, but empty ones are None (a copy only when needed).
            values: list[Any] = [text or None for text in texts] if "" in texts else texts
            block.values[name] = values
            block.keys[name] = texts
            if "" in texts:
                block.empty.add(name)
            if column.max_length and max(map(len, texts), default=0) > column.max_length:
                for index, text in enumerate(texts):
                    if len(text) > column.max_length:
                        block.fail(
                            index,
                            name,
                            _("text of at most %(max)s characters (this one has %(length)s)")
                            % {"max": column.max_length, "length": len(text)},
                        )
        else:
            raw[name] = column_cells  # trimmed only when a message needs the text
            memo, invalid, blank = self._memos[name], self._invalid[name], self._blank[name]
            if len(memo) > MEMO_LIMIT:
                memo.clear()
                invalid.clear()
                blank.clear()
            # A workbook's cells are typed: True, 1 and 1.0 are equal keys but not one value.
            keys: Sequence[Any] = (
                column_cells
                if csv_file
                else list(zip(map(type, column_cells), column_cells, strict=True))
            )
            for key in set(keys).difference(memo):
                cell = key if csv_file else key[1]
                memo[key] = value = self._parse_cell(column, cell, cell_text(cell))
                if isinstance(value, _Invalid):
                    invalid.add(key)
                elif value is None:
                    blank.add(key)
            values = list(map(memo.__getitem__, keys))
            block.values[name] = values
            block.keys[name] = keys
            # Sets of the few distinct cells, not `None in values`: comparing a million
            # decimals with None costs more than the parsing.
            if blank and not blank.isdisjoint(keys):
                block.empty.add(name)
            if invalid and not invalid.isdisjoint(keys):
                for index, value in enumerate(values):
                    if isinstance(value, _Invalid):
                        values[index] = None
                        block.fail(index, name, value.expected)
        if column.required and name in block.empty:
            texts = block.texts(name)
            for index, value in enumerate(values):
                if value is None and not texts[index]:
                    block.fail(index, name, _("a value: this column is required"))

    @staticmethod
    def _parse_cell(column: Column, cell: Any, text: str) -> Any:
        """Return the cell's value, None when empty, or _Invalid with what was expected."""
        if not text:
            return None
        try:
            return column.parse(cell if cell is not None else text)
        except CellInvalid as invalid:
            return _Invalid(invalid.expected)

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


def _file_digest(source: Source | None) -> str:
    """Return the SHA-256 of the file's bytes, leaving a file object at its start."""
    digest = hashlib.sha256()
    if source is None:
        return ""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    handle: IO[bytes] | None = source.file if isinstance(source, UploadedFile) else source
    assert handle is not None
    position = handle.tell()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(position)
    return digest.hexdigest()


def source_name(source: Source) -> str:
    """Return the file name of `source` (a path, an upload, a named file object)."""
    if isinstance(source, str | os.PathLike):
        return Path(os.fspath(source)).name
    if isinstance(source, UploadedFile):
        return source.name or ""
    return Path(getattr(source, "name", "") or "").name


def _open_source(source: Source) -> _Opened:
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return _Opened(source_name(path), os.path.getsize(path), open(path, "rb"), path, True)
    if isinstance(source, UploadedFile):
        temporary = getattr(source, "temporary_file_path", None)
        path = temporary() if temporary else None
        handle = source.file
        assert handle is not None, "an uploaded file has its content"
        handle.seek(0)
        return _Opened(source_name(source), source.size or 0, handle, path, False)
    handle = source
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return _Opened(source_name(handle), size, handle, None, False)


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
            table = _open_xlsx(opened, spec)
            table._source = source
            return table
        return _open_csv(opened, head, spec)
    except BaseException:
        if opened.owned:
            opened.file.close()
        raise


def _table(
    spec: Spec,
    name: str,
    format: Literal["csv", "xlsx"],
    chunks: Iterator[Chunk],
    progress: Callable[[], float],
    close: Callable[[], None],
) -> Table:
    """Return the Table; if reading its header fails, release the file before re-raising."""
    try:
        return Table(spec, name, format, chunks, progress, close)
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

    def chunks() -> Iterator[Chunk]:
        # Calamine yields rows from the sheet's first row (A1), so the index is the row number.
        rows = sheet.iter_rows()
        number = 1
        while chunk := list(islice(rows, CHUNK_ROWS)):
            yield number, chunk
            number += len(chunk)
            position["row"] = number - 1

    def close() -> None:
        workbook.close()
        if opened.owned:
            opened.file.close()

    return _table(spec, opened.name, "xlsx", chunks(), lambda: position["row"] / total, close)


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


class _Digesting(io.BufferedIOBase):
    """A file's bytes passed through as read, and their SHA-256 (one reading, not two)."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__()
        self._file = file
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._file.read(-1 if size is None else size)
        self.digest.update(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        read1 = getattr(self._file, "read1", None)
        data = read1(size) if read1 else self._file.read(size)
        self.digest.update(data)
        return data

    def close(self) -> None:
        """Closing the digest leaves the file as it is: its owner closes it."""


def _open_csv(opened: _Opened, head: bytes, spec: Spec) -> Table:
    encoding, errors = _csv_encoding(head)
    digesting = _Digesting(opened.file)
    text = io.TextIOWrapper(
        digesting,  # type: ignore[type-var]  # a BufferedIOBase, as TextIOWrapper wants
        encoding=encoding,
        errors=errors,
        newline="",
    )
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

    check_utf8 = errors == "surrogateescape"
    # Set once a stretch of the file holds bytes that are not UTF-8: from then on each row is
    # looked at, to name the first row that holds them (most files never get here).
    suspect = [False]

    def line_chunks() -> Iterator[list[str]]:
        yield leading
        for chunk in iter(lambda: text.readlines(1 << 16), []):
            if check_utf8 and not suspect[0]:
                try:
                    "".join(chunk).encode("utf-8")
                except UnicodeEncodeError:
                    suspect[0] = True
            yield chunk

    def chunks() -> Iterator[Chunk]:
        # The lines flow through a C iterator: a generator would cost a frame per line.
        reader = csv.reader(chain.from_iterable(line_chunks()), delimiter=delimiter)
        number = 1
        while True:
            try:
                rows = list(islice(reader, CHUNK_ROWS))
            except csv.Error as error:
                raise TableRefused(
                    _("Row %(row)s of “%(name)s” cannot be read as CSV: %(error)s")
                    % {"row": reader.line_num, "name": opened.name, "error": error}
                ) from error
            if not rows:
                return
            if suspect[0]:
                for offset, cells in enumerate(rows):
                    try:
                        "\x1f".join(cells).encode("utf-8")
                    except UnicodeEncodeError as error:
                        raise TableRefused(
                            _(
                                "Row %(row)s of “%(name)s” is not UTF-8 text, unlike the rows "
                                "before it: save the file again as “CSV UTF-8”."
                            )
                            % {"row": number + offset, "name": opened.name}
                        ) from error
            yield number, rows
            number += len(rows)

    def progress() -> float:
        try:
            return opened.file.tell() / max(1, opened.size)
        except (OSError, ValueError):
            return 0.0

    def close() -> None:
        text.detach()
        if opened.owned:
            opened.file.close()  # else the caller owns the upload: leave it open

    table = _table(spec, opened.name, "csv", chunks(), progress, close)
    table.sha256 = digesting.digest.hexdigest
    return table
