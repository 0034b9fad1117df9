"""The audit trail as people read it: who changed which field of which record, when, from
what to what. Built from django-simple-history records; nothing here writes."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.formats import localize
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Bookkeeping columns that mean nothing to a reader of the trail.
HIDDEN_FIELDS = frozenset({"id", "name_key"})

ACTIONS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
}


# (related model, primary key): how the names of related objects are looked up.
RelatedKey = tuple[Any, Any]


@dataclass(frozen=True)
class HistoryRow:
    """One changed field of one record (or its creation or deletion, with `field` empty)."""

    when: datetime
    who: str
    record: str
    action: str
    field: str
    before: str
    after: str


def who_did(record: Any) -> str:
    """Return the name of the person who made `record`, or "system" for imports and scripts."""
    user = record.history_user
    if user is None:
        return _("system")
    return user.get_full_name() or str(user.username)


def _model_of(record: Any) -> type[models.Model]:
    return record.instance_type


def _m2m_accessor(history_model: type[models.Model], m2m: models.ManyToManyField) -> str:
    """Return the name under which a history record reaches its rows of `m2m`."""
    wanted = {m2m.m2m_field_name(), m2m.m2m_reverse_field_name()}
    for relation in history_model._meta.related_objects:
        accessor = relation.get_accessor_name()
        if accessor and wanted <= {field.name for field in relation.related_model._meta.fields}:
            return accessor
    return m2m.name


def with_m2m_rows(records: models.QuerySet) -> models.QuerySet:
    """Return a history queryset that fetches its many-to-many rows in one query each."""
    history_model = records.model
    accessors = [
        _m2m_accessor(history_model, m2m)
        for m2m in getattr(history_model, "_history_m2m_fields", [])
    ]
    return records.prefetch_related(*accessors) if accessors else records


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _changes(record: Any, previous: Any) -> list[tuple[models.Field, Any, Any]]:
    """Return (field, before, after) for every field that differs between two versions.

    simple-history's own diff skips fields that are not editable in forms (a provider's
    status, which the trail must show) and queries twice per many-to-many field; this
    compares in memory, reading many-to-many rows through any `prefetch_related`.
    """
    model = _model_of(record)
    changes: list[tuple[models.Field, Any, Any]] = []
    for field in record.tracked_fields:
        if field.name in HIDDEN_FIELDS:
            continue
        before, after = getattr(previous, field.attname), getattr(record, field.attname)
        if before != after:
            changes.append((_field(model, field.name), before, after))
    for m2m in record._history_m2m_fields:
        accessor = _m2m_accessor(type(record), m2m)
        target = f"{m2m.m2m_reverse_field_name()}_id"
        before = sorted(getattr(row, target) for row in getattr(previous, accessor).all())
        after = sorted(getattr(row, target) for row in getattr(record, accessor).all())
        if before != after:
            changes.append((_field(model, m2m.name), before, after))
    return changes


def _related_names(
    lookups: Iterable[RelatedKey],
) -> dict[RelatedKey, str]:
    """Fetch the names of every related object the changes mention, one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for related_model, value in lookups:
        values = value if isinstance(value, list | tuple | set) else [value]
        wanted[related_model].update(v for v in values if v is not None)
    names: dict[RelatedKey, str] = {}
    for related_model, pks in wanted.items():
        for pk, obj in related_model._default_manager.in_bulk(pks).items():
            names[(related_model, pk)] = str(obj)
    return names


def _display(field: models.Field, value: Any, names: dict[RelatedKey, str]) -> str:
    """Return `value` of `field` as a reader wants to see it."""
    if field.many_to_many:
        if not value:
            return "—"
        labels = [names.get((field.related_model, pk), f"#{pk}") for pk in value]
        return ", ".join(sorted(labels))
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(localize(value))


def history_rows(records: Iterable[Any], *, record_labels: bool = False) -> list[HistoryRow]:
    """Return the audit trail of the given history records, newest first.

    `records` may mix several objects (and models); each object's versions are compared
    with the version before. A save that changed nothing gives no row.
    """
    by_object: dict[RelatedKey, list[Any]] = defaultdict(list)
    for record in records:
        by_object[(_model_of(record), record.id)].append(record)

    # First pass: the raw changes, so that related names can be fetched in bulk.
    raw: list[tuple[Any, models.Field | None, Any, Any]] = []
    lookups: list[RelatedKey] = []
    for versions in by_object.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            if previous is None or record.history_type != "~":
                raw.append((record, None, None, None))
            else:
                for field, old, new in _changes(record, previous):
                    if field.is_relation:
                        lookups.append((field.related_model, old))
                        lookups.append((field.related_model, new))
                    raw.append((record, field, old, new))
            previous = record

    names = _related_names(lookups)
    rows = []
    for record, changed, old, new in raw:
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=who_did(record),
                record=_record_label(record) if record_labels else "",
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                field=str(changed.verbose_name) if changed is not None else "",
                before=_display(changed, old, names) if changed is not None else "",
                after=_display(changed, new, names) if changed is not None else "",
            )
        )
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows


def _record_label(record: Any) -> str:
    model = _model_of(record)
    return f"{capfirst(model._meta.verbose_name)}: {record.instance}"


def changed_field_names(record: Any) -> list[str]:
    """Return the names of the fields `record` changed against the version before it.

    Costs a query for the version before; meant for short lists such as recent changes.
    """
    if record.history_type != "~":
        return []
    previous = record.prev_record
    if previous is None:
        return []
    return [str(field.verbose_name) for field, _before, _after in _changes(record, previous)]
