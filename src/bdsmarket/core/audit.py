"""Writes that name their author in the audit trail.

Every service that stores a record with a history (django-simple-history) saves, deletes or
bulk-writes it through these functions, with the actor it was given: the history then names
who made the change whichever door it came through (a page, the API, a command, the
background worker). None is the system: the demo, generated data, `bdsmarket init`, and a
command run without --user.

simple-history would otherwise take the user of the web request in progress (its
middleware, kept for the admin's own edits); outside a request there is none, and the change
would be stored with no author. core/history.py reads the trail.
"""

from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db.models import Model
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import User

M = TypeVar("M", bound=Model)


def record_as(instance: M, *, actor: User | None) -> M:
    """Mark `instance` so that its next history record names `actor`; return it.

    For bulk writes whose rows have different authors (the demo's); a single write uses
    record_save or record_delete.
    """
    instance._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    return instance


def record_save(instance: M, *, actor: User | None, fields: Iterable[str] | None = None) -> M:
    """Save `instance` (only `fields`, when given), its history naming `actor`; return it.

    A new instance is inserted. Validation is the caller's: nothing is checked here.
    """
    record_as(instance, actor=actor).save(update_fields=fields)
    return instance


def record_delete(instance: Model, *, actor: User | None) -> None:
    """Delete `instance`, its last history record naming `actor`."""
    record_as(instance, actor=actor).delete()


def record_bulk_create(
    instances: Sequence[M], *, actor: User | None, batch_size: int | None = None
) -> list[M]:
    """Insert `instances` (all of one model) and a history record for each naming `actor`;
    return them, with their primary keys."""
    if not instances:
        return []
    return list(
        bulk_create_with_history(
            instances, type(instances[0]), batch_size=batch_size, default_user=actor
        )
    )


def record_bulk_update(
    instances: Sequence[Model],
    fields: Sequence[str],
    *,
    actor: User | None,
    batch_size: int | None = None,
) -> int:
    """Store `fields` of `instances` (all of one model, every tracked field loaded) and a
    history record for each naming `actor`; return how many rows were updated."""
    if not instances:
        return 0
    updated: int = bulk_update_with_history(
        instances, type(instances[0]), list(fields), batch_size=batch_size, default_user=actor
    )
    return updated
