"""Running an import: check every row, then store all rows or none; the kinds registry."""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .columns import Spec
from .reading import Row, Source, TableError, TableRefused, open_table

if TYPE_CHECKING:
    from bdsmarket.core.models import User

# Importing


@dataclass
class ImportResult:
    """What an import did: why the file was refused, its errors, or what it stored."""

    kind: str
    noun: str
    noun_plural: str
    dry_run: bool = False
    refused: str = ""
    errors: list[TableError] = field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rejected(self) -> bool:
        return bool(self.refused or self.error_count)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors)

    def summary(self) -> str:
        """Return the one-line outcome, e.g. "42 providers: 40 created, 2 updated, 0 unchanged"."""
        if self.refused:
            return self.refused
        if self.error_count:
            return ngettext(
                "The file has %(count)s error; nothing was stored. Correct it and try again.",
                "The file has %(count)s errors; nothing was stored. Correct them and try again.",
                self.error_count,
            ) % {"count": self.error_count}
        text = _(
            "%(rows)s %(things)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % {
            "rows": self.rows,
            "things": self.noun if self.rows == 1 else self.noun_plural,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            text += " " + _("(dry run: nothing was stored)")
        return text


Progress = Callable[[str, float], None]


@contextmanager
def few_collections() -> Iterator[None]:
    """Run Python's cycle collector seldom for a while.

    A large import makes millions of short-lived objects (cells, rows, values) that hold
    no reference cycles; by default every few hundred of them start a collection that
    walks the live ones, which costs an import of a million rows a fifth of its time.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 200_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class Importer:
    """One kind of import. Subclasses set the class attributes and override the hooks.

    `run()` reads the file twice: first it checks every row (`check`, and duplicates by
    `key` within the file), keeping only keys in memory; then, when nothing was wrong, it
    writes batch by batch in one transaction (`existing`, `create`, `changes`, `update`).
    A ValidationError from a service becomes an error of the row, at the column that
    `field_columns` maps its field to; any error undoes the whole file.
    """

    kind: ClassVar[str]
    spec: ClassVar[Spec]
    noun: ClassVar[str | Promise]
    noun_plural: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    # Service field name -> spec column, for fields that are not named like their column.
    field_columns: ClassVar[dict[str, str]] = {}
    batch_size: ClassVar[int] = 500
    max_errors: ClassVar[int] = 1000
    # Templates receive importer classes; without this they would try to call them.
    do_not_call_in_templates: ClassVar[bool] = True

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        """Return whether `user` may import this kind (None: the system, always may)."""
        return user is None

    # Hooks

    def check(self, row: Row) -> None:
        """Add errors to `row` that need more than its own cells (e.g. unknown references)."""

    def key(self, row: Row) -> Hashable | None:
        """Return the identity of the row's record (None: always a new record)."""
        return None

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """Return the stored records whose keys are in `keys`, by key."""
        return {}

    def create(self, row: Row) -> None:
        raise NotImplementedError

    def changes(self, record: Any, row: Row) -> dict[str, Any]:
        """Return the fields of `record` that the row changes, with their new values."""
        return {}

    def update(self, record: Any, changes: dict[str, Any], row: Row) -> None:
        raise NotImplementedError

    def duplicate_column(self) -> str:
        """Return the column that names a row's key, where duplicate rows are reported."""
        return self.spec.columns[0].name

    # Running

    def run(
        self, source: Source, *, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        """Import `source`; return what happened. Raise PermissionDenied if not allowed."""
        if not self.can_import(self.actor):
            raise PermissionDenied
        result = ImportResult(
            kind=self.kind, noun=str(self.noun), noun_plural=str(self.noun_plural), dry_run=dry_run
        )
        try:
            self.run_into(result, source, dry_run=dry_run, progress=progress)
        except TableRefused as refusal:
            result.refused = refusal.message
        if result.rejected:
            result.created = result.updated = result.unchanged = 0
        return result

    def run_into(
        self, result: ImportResult, source: Source, *, dry_run: bool, progress: Progress | None
    ) -> None:
        """Check `source` and store it when nothing is wrong, counting into `result`.

        A kind that reads its file another way overrides this (e.g. in one reading).
        """
        self._check_all(source, result, progress)
        if not result.error_count:
            self._write_all(source, result, progress, dry_run=dry_run)

    def record_errors(self, result: ImportResult, errors: Iterable[TableError]) -> None:
        for error in errors:
            result.error_count += 1
            if len(result.errors) < self.max_errors:
                result.errors.append(error)

    def _check_all(self, source: Source, result: ImportResult, progress: Progress | None) -> None:
        seen: dict[Hashable, int] = {}
        with open_table(source, self.spec) as table:
            self.record_errors(result, table.errors)
            if table.errors:
                return  # without the columns, every row would repeat the same errors
            for row in table:
                # Checked even when a cell is wrong, so that one reading reports every error;
                # `check` and `key` skip the values that are missing (None).
                self.check(row)
                key = self.key(row)
                if key is not None:
                    if key in seen:
                        column = self.duplicate_column()
                        row.fail(
                            column,
                            _("a value not already used in row %(row)s of this file")
                            % {"row": seen[key]},
                        )
                    else:
                        seen[key] = row.number
                row.errors.sort(key=lambda error: table.position(error.column))
                self.record_errors(result, row.errors)
                if progress:
                    progress("check", table.fraction_read())

    def _write_all(
        self,
        source: Source,
        result: ImportResult,
        progress: Progress | None,
        *,
        dry_run: bool,
    ) -> None:
        with transaction.atomic(), open_table(source, self.spec) as table:
            batch: list[Row] = []
            for row in table:
                self.check(row)
                batch.append(row)
                if len(batch) >= self.batch_size:
                    self.write_batch(batch, result)
                    batch = []
                    if progress:
                        progress("write", table.fraction_read())
            self.write_batch(batch, result)
            if progress:
                progress("write", 1.0)
            if result.error_count or dry_run:
                transaction.set_rollback(True)

    def write_batch(self, rows: list[Row], result: ImportResult) -> None:
        """Store a batch of checked rows, one service call each, counting what was done.

        Errors go on the rows and into `result` (see `record_errors`); override to store in bulk.
        """
        keys = [key for key in (self.key(row) for row in rows) if key is not None]
        stored = self.existing(keys) if keys else {}
        for row in rows:
            if not row.ok:  # the second reading found what the first did not (data changed)
                self.record_errors(result, row.errors)
                continue
            key = self.key(row)
            record = stored.get(key) if key is not None else None
            try:
                with transaction.atomic():
                    if record is None:
                        self.create(row)
                        result.created += 1
                    elif changes := self.changes(record, row):
                        self.update(record, changes, row)
                        result.updated += 1
                    else:
                        result.unchanged += 1
            except ValidationError as error:
                self._fail_from_service(row, error)
            except PermissionDenied:
                row.fail(self.duplicate_column(), _("a record you may change"))
            self.record_errors(result, row.errors)

    def _fail_from_service(self, row: Row, error: ValidationError) -> None:
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        names = {column.name for column in self.spec}
        for field_name, field_messages in messages.items():
            column = self.field_columns.get(field_name, field_name)
            if column not in names:
                column = self.duplicate_column()
            for message in field_messages:
                row.fail(column, message, value=row.given(column))


_importers: dict[str, type[Importer]] = {}
_discovered = False


def register(importer: type[Importer]) -> type[Importer]:
    """Class decorator: make `importer` available to the CLI and the import page."""
    _importers[importer.kind] = importer
    return importer


def importers() -> dict[str, type[Importer]]:
    """Return every registered importer by kind, discovering apps' `importers` modules."""
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True
    return dict(_importers)


def importer_class(kind: str) -> type[Importer] | None:
    return importers().get(kind)
