"""Delivery rows into the database by the hundred thousand: the writers behind deliveries_load.

services.deliveries_load decides what goes where (which report, who may); a writer turns
checked rows (services.DeliveryRows) into the table's columns and sends them the fastest
way each database has, within the caller's transaction:

- PostgreSQL, first attempt: COPY straight into the table, while Python reads the next
  block (the server works on the other core). COPY cannot skip a row whose key is stored,
  so the first such row ends the attempt (KeysTaken) and the caller starts again, carefully:
- PostgreSQL, careful: COPY into a temporary table, then one INSERT … ON CONFLICT DO
  NOTHING; what was skipped is told apart afterwards (stored before: unchanged; stored by
  this upload: a repeated reference).
- SQLite: one prepared INSERT … ON CONFLICT DO NOTHING per block, in-process; a block that
  inserted fewer rows than it had is looked at the same way.

Rows are written without a history entry each (the import, ImportBatch, says who sent them
and when; services.delivery_update records a row's first state when it first changes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.db import connection

from . import rules
from .models import Delivery

if TYPE_CHECKING:
    from .models import Submission
    from .services import DeliveryRows

TABLE = Delivery._meta.db_table
# The columns every writer fills, in this order.
COLUMNS = (
    "provider_id", "submission_id", "date", "client_id", "client_key", "client_type",
    "client_gender", "client_sector_id", "client_city_id", "service_type", "service_name",
    "participants", "price", "paid_by_client", "paid_by_voucher", "voucher_code",
    "paid_by_third_party", "third_party", "reference", "row_key", "batch_id", "row_number",
)  # fmt: skip
TEXT_COLUMNS = frozenset(
    ("client_id", "client_key", "client_type", "client_gender", "service_type", "service_name",
     "voucher_code", "third_party", "reference", "row_key")
)  # fmt: skip
# The text columns a provider writes freely; the others are choices or are made of these
# (the client key of the client ID, the row key of the reference), so that a character
# COPY must escape can only come in through one of these.
TYPED_COLUMNS = ("client_id", "service_name", "voucher_code", "third_party", "reference")
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")


_ID = attrgetter("id")


class KeysTaken(Exception):
    """A row's key is stored already, or repeats one of the same upload (PostgreSQL's COPY)."""


@dataclass(frozen=True)
class Repeat:
    """A row of an upload whose reference an earlier row of the same upload has."""

    row_number: int | None
    first_row_number: int | None
    reference: str


@dataclass
class Written:
    """What a writer stored: rows created, rows left as stored, and repeated references."""

    created: int = 0
    unchanged: int = 0
    repeats: list[Repeat] = field(default_factory=list)
    submissions: dict[tuple[int, date], Submission] = field(default_factory=dict)


def months_of(days: Sequence[date]) -> list[date]:
    """Return the first day of each day's month."""
    firsts = {day: day.replace(day=1) for day in set(days)}
    return list(map(firsts.__getitem__, days))


def writer_for(batch_id: int, *, optimistic: bool) -> Writer:
    """Return the writer for this database; `optimistic` tries PostgreSQL's plain COPY first."""
    if connection.vendor == "postgresql":
        return CopyWriter(batch_id) if optimistic else StagedWriter(batch_id)
    return InsertWriter(batch_id)


class Writer:
    """Turns blocks of checked rows into the table's columns; subclasses send them."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.written = Written()
        # Rows without a reference are told apart by their values and by how many identical
        # rows came before them in the upload (rules.delivery_row_key).
        self._occurrences: dict[str, int] = {}

    def write(self, rows: DeliveryRows, submission_ids: list[int]) -> None:
        """Store `rows`, each in the report `submission_ids` names."""
        raise NotImplementedError

    def pause(self) -> None:
        """Let the connection run other statements before the next `write`."""

    @contextmanager
    def giving_way(self) -> Iterator[None]:
        """Within this block, pause the writer before any other statement on the connection.

        A PostgreSQL connection runs nothing else while a COPY is open: without this, a
        lookup made between two blocks (a provider's code first seen, the report of a
        month the file reaches) would wait forever for the COPY to end.
        """

        def pausing_first(execute: Callable, sql: str, params: Any, many: bool, context: Any):
            self.pause()
            return execute(sql, params, many, context)

        with connection.execute_wrapper(pausing_first):
            yield

    def finish(self) -> Written:
        return self.written

    def abort(self, error: BaseException) -> None:
        """Give up after `error`, leaving the connection able to roll back."""

    def columns(self, rows: DeliveryRows, submission_ids: list[int]) -> list[list[Any]]:
        """Return the values of COLUMNS for `rows`, one list per column."""
        # `.id`, not `.pk`: the property costs more than the attribute a million times over.
        provider_ids = list(map(_ID, rows.provider))
        count = len(provider_ids)
        return [
            provider_ids,
            submission_ids,
            rows.date,
            rows.client_id,
            rows.client_key,
            rows.client_type,
            rows.client_gender,
            list(map(_ID, rows.client_sector)),
            list(map(_ID, rows.client_city)),
            rows.service_type,
            rows.service_name,
            rows.participants,
            rows.price,
            rows.paid_by_client,
            rows.paid_by_voucher,
            rows.voucher_code,
            rows.paid_by_third_party,
            rows.third_party,
            rows.reference,
            self._row_keys(rows, provider_ids),
            [self.batch_id] * count,
            rows.row_number,
        ]

    def _row_keys(self, rows: DeliveryRows, provider_ids: list[int]) -> list[str]:
        if "" not in rows.reference:
            return list(map("ref:".__add__, rows.reference))
        keys = ["ref:" + reference if reference else "" for reference in rows.reference]
        occurrences = self._occurrences
        for index, key in enumerate(keys):
            if key:
                continue
            digest = rules.row_fingerprint(_fingerprint(rows, index, provider_ids[index]))
            occurrences[digest] = occurrence = occurrences.get(digest, 0) + 1
            keys[index] = f"row:{digest}:{occurrence}"
        return keys


def _fingerprint(rows: DeliveryRows, index: int, provider_id: int) -> tuple:
    """Return row `index`'s values as services.DeliveryInput.fingerprint gives them."""
    return (
        provider_id,
        rows.date[index].isoformat(),
        rows.client_id[index],
        rows.client_type[index],
        rows.client_gender[index],
        rows.client_sector[index].pk,
        rows.client_city[index].pk,
        rows.service_type[index],
        rows.service_name[index],
        rows.participants[index],
        rows.price[index],
        rows.paid_by_client[index],
        rows.paid_by_voucher[index],
        rows.paid_by_third_party[index],
        rows.voucher_code[index],
        rows.third_party[index],
    )


def _texts(name: str, values: list[Any], *, escaped: bool = True) -> list[str]:
    """Return a column's values in COPY's text format (None as \\N); text as it is unless
    `escaped`."""
    if name in TEXT_COLUMNS:
        return [value.translate(_COPY_ESCAPES) for value in values] if escaped else values
    if name == "row_number":  # a file's rows all have one; a form's or the API's have none
        if None not in values:
            return list(map(str, values))
        return [r"\N" if value is None else str(value) for value in values]
    if name == "date":
        isoformats = {value: value.isoformat() for value in set(values)}
        return list(map(isoformats.__getitem__, values))
    # Ids, counts and amounts: few distinct values, each written out once.
    texts = {value: str(value) for value in set(values)}
    return list(map(texts.__getitem__, values))


def copy_text(columns: Sequence[tuple[str, list[Any]]]) -> str:
    """Return rows as the lines a COPY … FROM STDIN in text format reads."""
    typed = "\x00".join(chain.from_iterable(v for name, v in columns if name in TYPED_COLUMNS))
    escaped = any(special in typed for special in _COPY_SPECIAL)
    texts = [_texts(name, values, escaped=escaped) for name, values in columns]
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


class CopyWriter(Writer):
    """PostgreSQL: COPY straight into the table; any key already taken ends the attempt."""

    def __init__(self, batch_id: int) -> None:
        super().__init__(batch_id)
        self._cursor: Any = None
        self._copy: Any = None

    def write(self, rows: DeliveryRows, submission_ids: list[int]) -> None:
        import psycopg

        text = copy_text(list(zip(COLUMNS, self.columns(rows, submission_ids), strict=True)))
        # Errors of the driver itself become Django's (IntegrityError…), as the ORM's do.
        with connection.wrap_database_errors:
            if self._copy is None:
                self._open()
            try:
                self._copy.write(text)
            except psycopg.Error as error:
                self._abandon(error)
                if isinstance(error, psycopg.errors.UniqueViolation):
                    raise KeysTaken from error
                raise
        self.written.created += len(rows)

    def _abandon(self, error: BaseException) -> None:
        """End a COPY that failed, so the transaction can roll back to its savepoint."""
        import psycopg

        context, self._copy = self._copy_context, None
        try:
            context.__exit__(type(error), error, error.__traceback__)
        except psycopg.Error:
            pass  # the error being handled is the one that counts
        finally:
            self._cursor.close()

    def _open(self) -> None:
        self._cursor = connection.cursor()
        self._copy_context = self._cursor.cursor.copy(
            f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
        )
        self._copy = self._copy_context.__enter__()

    def pause(self) -> None:
        import psycopg

        if self._copy is None:
            return
        self._copy = None
        with connection.wrap_database_errors:
            try:
                self._copy_context.__exit__(None, None, None)
            except psycopg.errors.UniqueViolation as error:
                raise KeysTaken from error
            finally:
                self._cursor.close()

    def finish(self) -> Written:
        self.pause()
        return self.written

    def abort(self, error: BaseException) -> None:
        if self._copy is not None:
            self._abandon(error)


class StagedWriter(CopyWriter):
    """PostgreSQL, carefully: COPY into a temporary table, then insert what is not stored."""

    STAGE = "monitoring_delivery_stage"

    def __init__(self, batch_id: int) -> None:
        super().__init__(batch_id)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.STAGE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.STAGE} ON COMMIT DROP AS "
                f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WITH NO DATA"
            )
        self._rows = 0

    def _open(self) -> None:
        self._cursor = connection.cursor()
        self._copy_context = self._cursor.cursor.copy(
            f"COPY {self.STAGE} ({', '.join(COLUMNS)}) FROM STDIN"
        )
        self._copy = self._copy_context.__enter__()

    def write(self, rows: DeliveryRows, submission_ids: list[int]) -> None:
        super().write(rows, submission_ids)
        self._rows += len(rows)

    def finish(self) -> Written:
        self.pause()
        columns = ", ".join(COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {self.STAGE} "
                "ORDER BY row_number ON CONFLICT (provider_id, row_key) DO NOTHING"
            )
            created = cursor.rowcount
            # A skipped row whose key this very upload stored repeats an earlier row of it.
            cursor.execute(
                f"SELECT s.row_number, d.row_number, s.reference FROM {self.STAGE} s "
                f"JOIN {TABLE} d ON d.provider_id = s.provider_id AND d.row_key = s.row_key "
                "WHERE d.batch_id = %s AND d.row_number IS DISTINCT FROM s.row_number "
                "ORDER BY s.row_number",
                [self.batch_id],
            )
            repeats = [Repeat(*found) for found in cursor.fetchall()]
            cursor.execute(f"DROP TABLE {self.STAGE}")
        self.written = Written(
            created=created, unchanged=self._rows - created - len(repeats), repeats=repeats
        )
        return self.written


class InsertWriter(Writer):
    """SQLite: one prepared INSERT … ON CONFLICT DO NOTHING per block, in this process."""

    def __init__(self, batch_id: int) -> None:
        super().__init__(batch_id)
        connection.ensure_connection()
        self._database = connection.connection
        marks = ", ".join("?" * len(COLUMNS))
        self._sql = (
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
            "ON CONFLICT (provider_id, row_key) DO NOTHING"
        )
        self._cache: int | None = None

    def finish(self) -> Written:
        if self._cache is not None:
            self._database.execute(f"PRAGMA cache_size = {self._cache}")
        return self.written

    # SQLite's page cache for the import, in KiB: the table's indexes stay in memory while a
    # million rows go in (SQLite's default, 2 MiB, makes the insert half again as slow).
    CACHE_KIB = 64 * 1024

    def write(self, rows: DeliveryRows, submission_ids: list[int]) -> None:
        if self.written.created == 0 and self._cache is None:
            self._cache = self._database.execute("PRAGMA cache_size").fetchone()[0]
            self._database.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")
        columns = self.columns(rows, submission_ids)
        position = dict(zip(COLUMNS, range(len(COLUMNS)), strict=True))
        for name in ("price", "paid_by_client", "paid_by_voucher", "paid_by_third_party", "date"):
            columns[position[name]] = _texts(name, columns[position[name]])
        before = self._database.total_changes
        with connection.wrap_database_errors:
            self._database.executemany(self._sql, zip(*columns, strict=True))
        created = self._database.total_changes - before
        self.written.created += created
        if created < len(rows):
            self._skipped(
                columns[position["provider_id"]],
                columns[position["row_key"]],
                rows.row_number,
                skipped=len(rows) - created,
            )

    def _skipped(
        self,
        provider_ids: list[int],
        keys: list[str],
        numbers: list[int | None],
        *,
        skipped: int,
    ) -> None:
        """Tell the rows a block skipped apart: stored before (unchanged) or repeated."""
        stored: dict[tuple[int, str], int | None] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found = self._database.execute(
                f"SELECT provider_id, row_key, row_number FROM {TABLE} "
                f"WHERE batch_id = ? AND row_key IN ({marks})",
                [self.batch_id, *chunk],
            )
            stored.update({(provider, key): number for provider, key, number in found})
        repeats = []
        for provider_id, key, number in zip(provider_ids, keys, numbers, strict=True):
            first = stored.get((provider_id, key), number)
            if first != number:
                repeats.append(Repeat(number, first, key.removeprefix("ref:")))
        self.written.repeats.extend(repeats)
        self.written.unchanged += skipped - len(repeats)


def deliveries_copy(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows of values (text, numbers, dates; None for NULL) into the delivery table;
    return how many. PostgreSQL only: the generator's way in."""
    count = 0
    lines = []
    for row in rows:
        count += 1
        lines.append(
            "\t".join(
                r"\N"
                if value is None
                else (value.translate(_COPY_ESCAPES) if isinstance(value, str) else str(value))
                for value in row
            )
        )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {TABLE} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        copy.write("\n".join(lines) + "\n" if lines else "")
    return count


def deliveries_insert(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows of values into the delivery table with one prepared statement; return how
    many. SQLite's way in for the generator (dates and decimals as text)."""
    values = [
        [
            value.isoformat()
            if isinstance(value, date)
            else (str(value) if isinstance(value, Decimal) else value)
            for value in row
        ]
        for row in rows
    ]
    connection.ensure_connection()
    marks = ", ".join("?" * len(columns))
    connection.connection.executemany(
        f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})", values
    )
    return len(values)
