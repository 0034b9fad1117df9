"""Writes that name their author (core/audit.py): the history names the actor a service was
given, with no web request to say who is at work, as in the background worker."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

import bdsmarket
from bdsmarket.core.audit import (
    record_bulk_create,
    record_bulk_update,
    record_delete,
    record_save,
)
from bdsmarket.core.models import ImportJob
from bdsmarket.core.services import import_job_run, import_job_start
from bdsmarket.registry.models import City


def authors(records) -> list:
    return [(record.history_type, record.history_user) for record in records]


def test_a_save_and_a_delete_name_their_actor(program, manager, officer):
    city = record_save(City(name="Piura", region="Piura"), actor=manager)
    city.region = "Piura Norte"
    record_save(city, actor=officer, fields=["region"])
    record_delete(city, actor=manager)

    records = City.history.filter(name="Piura").order_by("history_id")
    assert authors(records) == [("+", manager), ("~", officer), ("-", manager)]
    assert records[1].region == "Piura Norte"


def test_bulk_writes_name_their_actor_on_every_record(program, manager, officer):
    cities = record_bulk_create(
        [City(name="Piura", name_key="piura"), City(name="Tumbes", name_key="tumbes")],
        actor=manager,
    )
    for city in cities:
        city.region = "Norte"
    assert record_bulk_update(cities, ["region"], actor=officer) == 2

    records = City.history.filter(name__in=["Piura", "Tumbes"]).order_by("history_id")
    assert authors(records) == [("+", manager)] * 2 + [("~", officer)] * 2
    assert record_bulk_create([], actor=manager) == []
    assert record_bulk_update([], ["region"], actor=manager) == 0


def test_none_is_the_system(program):
    city = record_save(City(name="Piura"), actor=None)
    assert city.history.get().history_user is None


def test_an_import_run_by_the_worker_names_its_uploader(manager, settings):
    settings.BDSMARKET_IMPORT_INLINE_BYTES = 10
    upload = SimpleUploadedFile("ciudades.csv", b"name\nPiura\nTumbes\n", content_type="text/csv")
    job = import_job_start(actor=manager, kind="cities", upload=upload)
    assert job.status == ImportJob.Status.QUEUED

    job = import_job_run(job_id=job.pk)  # what the worker's task does, outside any request

    assert job.status == ImportJob.Status.DONE
    records = City.history.filter(name__in=["Piura", "Tumbes"])
    assert authors(records) == [("+", manager)] * 2


def test_only_the_audit_module_tells_simple_history_who_acted():
    """One way to name the author: a second helper with its own rules is how a door ends up
    storing changes with no author."""
    source = Path(bdsmarket.__file__).parent
    setters = sorted(
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "_history_user" in path.read_text(encoding="utf-8")
    )
    assert setters == ["core/audit.py"]
