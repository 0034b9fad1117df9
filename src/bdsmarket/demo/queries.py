"""Reads about the demo: a fingerprint of what it loaded."""

import hashlib

from django.apps import apps
from django.db import models

# Logins, sessions and Django's own bookkeeping are not part of the demo's data.
NOT_DEMO_DATA = frozenset({"admin", "auth", "contenttypes", "sessions", "core"})


def demo_digest() -> str:
    """Return a SHA-256 hex digest of every row of the apps the demo loads.

    Primary keys enter as each row's position in its table and foreign keys as the position
    of the row they point to, so two databases holding the same rows created in the same
    order give the same digest even when their sequences started at different numbers.
    """
    ordinals = _Ordinals()
    digest = hashlib.sha256()
    demo_models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in NOT_DEMO_DATA and model._meta.managed
    ]
    for model in sorted(demo_models, key=lambda m: m._meta.label):
        fields = model._meta.concrete_fields
        digest.update(model._meta.label.encode())
        # A historical row keeps its original row's key in a plain integer field.
        original = getattr(model, "instance_type", None)
        original_pk = original._meta.pk.attname if original is not None else None
        rows = model._default_manager.order_by("pk").values_list(*(f.attname for f in fields))
        for row in rows.iterator(chunk_size=2000):
            values = []
            for field, value in zip(fields, row, strict=True):
                if field.primary_key:
                    value = ordinals.of(model, value)
                elif field.is_relation and field.related_model is not None:
                    value = ordinals.of(field.related_model, value)
                elif original is not None and field.attname == original_pk:
                    value = ordinals.of(original, value)
                values.append(value)
            digest.update(repr(values).encode())
    return digest.hexdigest()


class _Ordinals:
    """The position of each primary key in its table, loaded once per table."""

    def __init__(self) -> None:
        self.tables: dict[type[models.Model], dict[object, int]] = {}

    def of(self, model: type[models.Model], pk: object) -> int | str | None:
        if pk is None:
            return None
        if model not in self.tables:
            keys = model._default_manager.order_by("pk").values_list("pk", flat=True)
            self.tables[model] = {key: position for position, key in enumerate(keys)}
        # A history row may point to a row deleted since; say so rather than fail.
        return self.tables[model].get(pk, "gone")
