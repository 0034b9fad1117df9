"""Imports of what providers report, from CSV or XLSX: deliveries and monthly cost reports.

The columns are `validation.DELIVERY_SPEC` and `validation.COST_SPEC` (docs/formats.md);
every row goes through the same checker as a row sent over the API. As for every import,
the file is read twice: the first reading checks every row and stores nothing; only when
no row has an error, the second reading streams the rows into the services
(`deliveries_store`, `cost_reports_store`) inside one transaction, so a file is stored
whole or not at all, even when the process is killed halfway.

Program staff may import rows of any provider; provider staff only rows of their own
provider (a row with another provider's code is an error on that row).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Hashable, Iterable, Iterator
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
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
    open_table,
    register,
)

from . import services
from .models import ImportBatch
from .validation import (
    COST_SPEC,
    DELIVERY_SPEC,
    CostChecker,
    DeliveryChecker,
    cost_key,
    delivery_key,
    may_send_rows,
)


def file_sha256(source: Source) -> str:
    """Return the SHA-256 of the file's bytes, leaving a file object at its start."""
    digest = hashlib.sha256()
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    if isinstance(source, UploadedFile):
        for chunk in source.chunks():
            digest.update(chunk)
        source.seek(0)
        return digest.hexdigest()
    source.seek(0)
    for chunk in iter(lambda: source.read(1 << 20), b""):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


class _ReportImporter(Importer):
    """What deliveries and cost reports share: the checker, the permission, streamed writes."""

    checker_class: ClassVar[type[DeliveryChecker] | type[CostChecker]]
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
        sha256 = file_sha256(source)
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
                stored = self.store(items(), file_name=table.name, file_sha256=sha256)
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
class DeliveryImporter(_ReportImporter):
    kind = "deliveries"
    noun = gettext_lazy("delivery")
    noun_plural = gettext_lazy("deliveries")
    description = gettext_lazy(
        "The services providers sold or gave, one row per client and service, for their "
        "monthly reports."
    )
    spec = DELIVERY_SPEC
    checker_class = DeliveryChecker
    # Rows inserted per statement: big enough to be fast, small enough to keep memory flat.
    store_batch_size: ClassVar[int] = 2000
    # A report locked between the two readings is refused with a message for the whole row.
    field_columns = {"": "date", "__all__": "date"}

    def key(self, row: Row) -> Hashable | None:
        return delivery_key(row)

    def duplicate_column(self) -> str:
        return "reference"

    def store(
        self, items: Iterable[Any], *, file_name: str, file_sha256: str
    ) -> services.StoreResult:
        return services.deliveries_store(
            actor=self.actor,
            rows=items,
            source=ImportBatch.Source.FILE,
            file_name=file_name,
            file_sha256=file_sha256,
            batch_size=self.store_batch_size,
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


__all__ = ["CostReportImporter", "DeliveryImporter", "file_sha256"]
