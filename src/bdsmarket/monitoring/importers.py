"""Imports of what providers report, from CSV or XLSX: deliveries and monthly cost reports.

The columns are `validation.DELIVERY_SPEC` and `validation.COST_SPEC` (docs/formats.md);
every row goes through the same checker as a row sent over the API or typed in a form.
A file is stored whole or not at all, inside one transaction, even when the process is
killed halfway:

- deliveries (a national program's file may hold a million rows) are read once, a block
  at a time: each block is checked and its sound rows streamed into deliveries_load; any
  error rolls the whole file back at the end, with every error reported;
- cost reports (one row per provider and month) are read twice, as the registry's files
  are: the first reading checks every row, the second stores them when none was wrong.

Program staff may import rows of any provider; provider staff only rows of their own
provider (a row with another provider's code is an error on that row).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.models import User
from bdsmarket.core.tabular import (
    Importer,
    ImportResult,
    Progress,
    Row,
    Source,
    TableError,
    few_collections,
    open_table,
    register,
    source_name,
)

from . import services
from .models import ImportBatch
from .validation import (
    COST_SPEC,
    DELIVERY_SPEC,
    CostChecker,
    DeliveryChecker,
    cost_key,
    duplicate_expected,
    may_send_rows,
)


class _ReportImporter(Importer):
    """What deliveries and cost reports share: the checker, the permission, streamed writes."""

    checker_class: ClassVar[type[CostChecker]]
    # How often (in rows) the second reading reports its progress.
    progress_every: ClassVar[int] = 1000

    def __init__(self, *, actor: User | None) -> None:
        super().__init__(actor=actor)
        self.checker = self.checker_class(actor=actor)

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return may_send_rows(user)

    def check(self, row: Row) -> None:
        self.checker.check(row)

    def store(self, items: Iterable[Any], *, file_name: str, file_sha256: str) -> Any:
        """Store the checked rows through the kind's service; return its StoreResult."""
        raise NotImplementedError

    def _write_all(
        self,
        source: Source,
        result: ImportResult,
        progress: Progress | None,
        *,
        dry_run: bool,
    ) -> None:
        # Instead of the batch-by-batch hooks, the rows flow as one stream into the service:
        # it keeps what must span the whole file (one import record, the count of identical
        # rows that makes re-imports idempotent) and inserts in batches of its own.
        with transaction.atomic(), open_table(source, self.spec) as table:
            current: list[Row] = []

            def items() -> Iterator[Any]:
                for row in table:
                    item = self.checker.check(row)
                    if item is None:  # the file changed between the two readings
                        self.record_errors(result, row.errors)
                        continue
                    current[:] = [row]
                    yield item
                    if progress and row.number % self.progress_every == 0:
                        progress("write", table.fraction_read())

            try:
                stored = self.store(items(), file_name=table.name, file_sha256=table.sha256())
            except ValidationError as error:
                # Only a report locked between the two readings gets here.
                if current:
                    self._fail_from_service(current[0], error)
                    self.record_errors(result, current[0].errors)
                else:
                    raise
            except PermissionDenied:
                if not current:
                    raise
                current[0].fail("provider_code", _("the code of a provider you may report for"))
                self.record_errors(result, current[0].errors)
            else:
                result.created += stored.created
                result.updated += stored.updated
                result.unchanged += stored.unchanged
            if progress:
                progress("write", 1.0)
            if result.error_count or dry_run:
                transaction.set_rollback(True)


@register
class DeliveryImporter(Importer):
    """Deliveries, by the million: one reading, checked and stored a block at a time.

    Every block is checked as the file is read and its sound rows go straight to
    deliveries_load, while the rows with errors are counted; a file with any error is rolled
    back whole at the end, with every error of every row reported (a reference repeated
    within the file is found by the database, on the rows stored so far).
    """

    kind = "deliveries"
    noun = gettext_lazy("delivery")
    noun_plural = gettext_lazy("deliveries")
    description = gettext_lazy(
        "The services providers sold or gave, one row per client and service, for their "
        "monthly reports."
    )
    spec = DELIVERY_SPEC
    # Rows checked and sent at once: big enough to be fast, small enough to keep memory flat.
    block_rows: ClassVar[int] = 5000

    def __init__(self, *, actor: User | None) -> None:
        super().__init__(actor=actor)
        self.checker = DeliveryChecker(actor=actor)

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return may_send_rows(user)

    def duplicate_column(self) -> str:
        return "reference"

    def run_into(
        self, result: ImportResult, source: Source, *, dry_run: bool, progress: Progress | None
    ) -> None:
        titles: dict[str, str] = {}
        digests: list[Callable[[], str]] = []
        with few_collections(), transaction.atomic():
            try:
                stored = services.deliveries_load(
                    actor=self.actor,
                    blocks=lambda: self._blocks(source, result, titles, digests, progress),
                    source=ImportBatch.Source.FILE,
                    file_name=source_name(source),
                    file_sha256=lambda: digests[-1]() if digests else "",
                )
            except services.ReportLocked as locked:
                # Locked between the check and the write: the row is told why.
                self.record_errors(
                    result,
                    [self._error(titles, locked.row_number, "date", "", locked.messages[0])],
                )
            except services.RowsRepeated as repeated:
                self.record_errors(
                    result,
                    [
                        self._error(
                            titles,
                            repeat.row_number,
                            "reference",
                            repeat.reference,
                            duplicate_expected(repeat.first_row_number or 0),
                        )
                        for repeat in repeated.repeats
                    ],
                )
            else:
                result.created, result.unchanged = stored.created, stored.unchanged
            if progress:
                progress("write", 1.0)
            if result.error_count or dry_run:
                transaction.set_rollback(True)

    def _blocks(
        self,
        source: Source,
        result: ImportResult,
        titles: dict[str, str],
        digests: list[Callable[[], str]],
        progress: Progress | None,
    ) -> Iterator[services.DeliveryRows]:
        """Yield each block's sound rows; count every error of the file into `result`.

        Called again from the start when the database asks for a second, careful attempt
        (see deliveries_load): the file is read anew and its errors counted anew.
        """
        result.errors, result.error_count = [], 0
        with open_table(source, self.spec) as table:
            digests.append(table.sha256)
            titles.update({column.name: table.column_title(column.name) for column in self.spec})
            self.record_errors(result, table.errors)
            if table.errors:
                return  # without the columns, every row would repeat the same errors
            for block in table.blocks(self.block_rows):
                rows = self.checker.check_block(block)
                self.record_errors(result, block.sorted_errors())
                if progress:
                    progress("write", table.fraction_read())
                yield rows

    @staticmethod
    def _error(
        titles: dict[str, str], row: int | None, column: str, value: str, expected: str
    ) -> TableError:
        return TableError(
            row=row or 0, column=titles.get(column, column), value=value, expected=expected
        )


@register
class CostReportImporter(_ReportImporter):
    kind = "costs"
    noun = gettext_lazy("cost report")
    noun_plural = gettext_lazy("cost reports")
    description = gettext_lazy(
        "Each provider's costs and non-service income, one row per provider and month."
    )
    spec = COST_SPEC
    checker_class = CostChecker
    field_columns = {"": "month", "__all__": "month"}

    def key(self, row: Row) -> Hashable | None:
        return cost_key(row)

    def duplicate_column(self) -> str:
        return "month"

    def store(
        self, items: Iterable[Any], *, file_name: str, file_sha256: str
    ) -> services.StoreResult:
        return services.cost_reports_store(
            actor=self.actor,
            reports=items,
            source=ImportBatch.Source.FILE,
            file_name=file_name,
            file_sha256=file_sha256,
        )


__all__ = ["CostReportImporter", "DeliveryImporter"]
