"""The same seed gives the same demo, row for row; another seed gives another one."""

from django.core.management import call_command
from django.db import connection

from bdsmarket.demo.queries import demo_digest
from bdsmarket.demo.services import demo_load
from bdsmarket.registry.models import Enterprise


def _load_afresh(seed: int) -> str:
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to empty tables whose deferred foreign-key checks are pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    demo_load(seed=seed, enterprises=80)
    return demo_digest()


def test_the_same_seed_stores_identical_rows_and_another_seed_other_rows(db):
    first = _load_afresh(seed=5)
    assert Enterprise.objects.count() == 80
    assert _load_afresh(seed=5) == first
    assert _load_afresh(seed=6) != first
