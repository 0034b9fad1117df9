"""The background worker: `bdsmarket worker`, and the one `serve` and `demo` start beside
their web server."""

import io
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, load_command_class

from bdsmarket.core import worker
from bdsmarket.core.management.commands import serve
from bdsmarket.core.models import ImportJob
from bdsmarket.core.services import import_job_start
from bdsmarket.demo.management.commands import demo
from bdsmarket.registry.models import City

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_worker_explains_itself_in_its_help():
    command = load_command_class("bdsmarket.core", "worker")
    text = command.create_parser("bdsmarket", "worker").format_help()
    assert "background work" in text and "--batch" in text and "--interval" in text


@pytest.mark.django_db(transaction=True)  # the worker commits as it goes
def test_the_worker_runs_what_is_queued_and_stops_with_batch(manager, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.BDSMARKET_IMPORT_INLINE_BYTES = 10
    upload = SimpleUploadedFile("ciudades.csv", b"name\nPiura\n")
    job = import_job_start(actor=manager, kind="cities", upload=upload)

    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert City.objects.filter(name="Piura").exists()
    # No request tells the worker who is at work: the job's uploader is named in the history.
    assert City.objects.get(name="Piura").history.get().history_user == manager


def test_the_worker_refuses_to_run_when_nothing_is_queued_in_the_database(settings):
    settings.TASKS = IMMEDIATE
    with pytest.raises(CommandError, match="TASKS_BACKEND"):
        call_command("worker", "--batch", verbosity=0)


# serve


def _serve(monkeypatch, *args: str) -> list[str]:
    calls: list[list[str]] = []
    monkeypatch.setattr(serve, "static_files_stale", lambda: False)
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(argv))
    call_command("serve", *args, stdout=io.StringIO())
    [argv] = calls
    return argv


def test_serve_has_gunicorn_start_a_background_worker(monkeypatch, db):
    argv = _serve(monkeypatch)
    assert argv[argv.index("--config") + 1] == "python:bdsmarket.core.worker"


def test_serve_starts_no_worker_when_asked_not_to(monkeypatch, db):
    assert "--config" not in _serve(monkeypatch, "--no-worker")


def test_serve_starts_no_worker_when_tasks_run_at_once(monkeypatch, db, settings):
    settings.TASKS = IMMEDIATE
    assert "--config" not in _serve(monkeypatch)


class FakeProcess:
    pid = 4242


class FakeGunicorn:
    """The master process as gunicorn passes it to its hooks: only its log is used."""

    class log:
        @staticmethod
        def info(message, *args):
            pass


def test_gunicorn_starts_the_worker_when_ready_and_stops_it_on_exit(monkeypatch):
    started, stopped = [], []
    monkeypatch.setattr(worker, "_process", None)
    monkeypatch.setattr(
        worker, "background_worker_start", lambda: started.append(FakeProcess()) or started[-1]
    )
    monkeypatch.setattr(worker, "background_worker_stop", stopped.append)

    worker.when_ready(FakeGunicorn)
    worker.on_reload(FakeGunicorn)  # a reload (after an upgrade) brings a worker with new code
    worker.on_exit(FakeGunicorn)

    assert len(started) == 2
    assert stopped == started


def test_stopping_a_worker_waits_for_it_and_ends_it_if_it_will_not_stop(monkeypatch):
    monkeypatch.setattr(worker, "STOP_GRACE_SECONDS", 0.2)
    monkeypatch.setattr(worker, "STOP_FORCE_SECONDS", 0.2)
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(15, lambda *a: None); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
    started = time.monotonic()

    code = worker.background_worker_stop(stubborn)

    assert code == -9  # killed, after two SIGTERMs it ignored
    assert time.monotonic() - started < 5


def test_a_worker_that_stops_when_asked_is_not_killed():
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert worker.background_worker_stop(polite) == -15


# demo


def test_the_demo_serves_with_a_worker_beside_its_server_and_stops_both(monkeypatch, db, tmp_path):
    events = []
    monkeypatch.setattr(
        demo, "background_worker_start", lambda env: events.append("worker") or FakeProcess()
    )
    monkeypatch.setattr(demo, "background_worker_stop", lambda process: events.append("stop"))
    monkeypatch.setattr(demo, "_run_child", lambda arguments, env: events.append(arguments[0]))

    demo.Command(stdout=io.StringIO())._serve(tmp_path, "127.0.0.1:8000")

    assert events == ["worker", "runserver", "stop"]
