"""A fingerprint of the whole database, for tests that assert a refused request changed
nothing at all."""

import hashlib

from django.apps import apps

# Bookkeeping that any request may touch without changing anything a person owns: the
# session, the moment of the last login, the moment a token was last used.
NOT_STATE = {"last_login", "last_used_at"}


def database_digest() -> str:
    """Return a SHA-256 hex digest of every row of every table but the sessions'."""
    hashed = hashlib.sha256()
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if not model._meta.managed or model._meta.app_label == "sessions":
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in NOT_STATE]
        hashed.update(model._meta.label.encode())
        for values in model._default_manager.order_by("pk").values_list(*names):
            hashed.update(repr(values).encode())
    return hashed.hexdigest()
