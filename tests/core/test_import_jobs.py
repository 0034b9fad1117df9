"""Import jobs: the upload is kept until the import has run, the outcome is recorded on the
job, progress goes through a small file, and only the uploader and managers see a job."""

import json
import os
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from bdsmarket.core.models import ImportJob
from bdsmarket.core.permissions import can_see_import_job, import_jobs_visible_to
from bdsmarket.core.services import (
    PROGRESS_FILE,
    ImportProgress,
    ProgressFile,
    import_job_progress,
    import_job_run,
    import_job_settle_abandoned,
    import_job_start,
)
from bdsmarket.core.tabular import importer_class
from bdsmarket.registry.models import City

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def large(settings):
    settings.BDSMARKET_IMPORT_INLINE_BYTES = 10


def cities(text: str = "name\nPiura\n", name: str = "ciudades.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def files_in(folder) -> list:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


# Starting and running


def test_a_large_file_is_kept_in_a_folder_of_its_own_until_the_worker_runs(
    manager, large, data_dir
):
    job = import_job_start(actor=manager, kind="cities", upload=cities(name="Ciudades 2003.csv"))

    assert job.status == ImportJob.Status.QUEUED
    assert job.file_path.startswith("imports/")
    assert (data_dir / job.file_path).read_bytes() == b"name\nPiura\n"
    assert (data_dir / job.file_path).name == "Ciudades 2003.csv"  # as the user named it
    assert (job.file_name, job.file_size, job.language) == ("Ciudades 2003.csv", 11, "en")
    assert DBTaskResult.objects.filter(task_path="bdsmarket.core.tasks.import_job_task").exists()


def test_two_uploads_of_one_name_get_two_folders(manager, large, data_dir):
    first = import_job_start(actor=manager, kind="cities", upload=cities())
    second = import_job_start(actor=manager, kind="cities", upload=cities())
    assert first.file_path != second.file_path
    assert files_in(data_dir) == ["ciudades.csv", "ciudades.csv"]


def test_someone_who_may_not_import_the_kind_starts_nothing(staff_a, data_dir):
    with pytest.raises(PermissionDenied):
        import_job_start(actor=staff_a, kind="cities", upload=cities())
    assert ImportJob.objects.count() == 0
    assert files_in(data_dir) == []


def test_a_file_over_the_size_limit_is_refused_at_once_and_never_kept(
    manager, large, settings, data_dir
):
    settings.BDSMARKET_MAX_UPLOAD_BYTES = 5

    job = import_job_start(actor=manager, kind="cities", upload=cities())

    assert job.status == ImportJob.Status.DONE
    assert "files up to" in job.refused
    assert DBTaskResult.objects.count() == 0
    assert files_in(data_dir) == []


def test_running_records_the_outcome_and_removes_the_file(manager, large, data_dir):
    job = import_job_start(actor=manager, kind="cities", upload=cities("name\nPiura\nPiura\n"))

    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.DONE
    assert job.error_count == 1
    assert job.errors == [
        {
            "row": 3,
            "column": "name",
            "value": "Piura",
            "expected": "a value not already used in row 2 of this file",
        }
    ]
    assert job.summary.startswith("The file has 1 error; nothing was stored.")
    assert files_in(data_dir) == []
    assert not City.objects.filter(name="Piura").exists()


def test_a_job_runs_once_even_when_its_task_is_delivered_twice(manager, large):
    job = import_job_start(actor=manager, kind="cities", upload=cities())
    import_job_run(job_id=job.pk)
    City.objects.filter(name="Piura").delete()

    again = import_job_run(job_id=job.pk)

    assert again.status == ImportJob.Status.DONE
    assert not City.objects.filter(name="Piura").exists()


def test_a_user_who_lost_the_right_to_import_gets_a_failed_job(manager, large):
    job = import_job_start(actor=manager, kind="cities", upload=cities())
    manager.role = "officer"
    manager.save()

    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.FAILED
    assert job.summary == "You may no longer import cities; nothing was stored."


def test_a_stopped_worker_marks_its_import_interrupted_and_stops(
    manager, large, monkeypatch, data_dir
):
    def stopped(*args, **kwargs):
        raise SystemExit(1)  # what the worker's second stop signal raises

    monkeypatch.setattr(importer_class("cities"), "run", stopped)
    job = import_job_start(actor=manager, kind="cities", upload=cities())

    with pytest.raises(SystemExit):
        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "interrupted" in job.summary
    assert files_in(data_dir) == []


def test_the_immediate_backend_imports_a_large_file_without_a_worker(manager, large, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    job = import_job_start(actor=manager, kind="cities", upload=cities())

    assert job.status == ImportJob.Status.DONE
    assert City.objects.filter(name="Piura").exists()


# Progress


def test_the_importer_reports_its_progress_into_the_jobs_folder(manager, large, monkeypatch):
    seen = []
    write = ProgressFile.__call__

    def spy(self, phase, fraction):
        write(self, phase, fraction)
        seen.append((self.path.name, json.loads(self.path.read_text())))

    monkeypatch.setattr(ProgressFile, "__call__", spy)
    job = import_job_start(actor=manager, kind="cities", upload=cities())

    import_job_run(job_id=job.pk)

    assert {name for name, _ in seen} == {PROGRESS_FILE}
    assert {data["phase"] for _, data in seen} == {"check", "write"}
    assert seen[-1][1] == {"phase": "write", "fraction": 1.0}


def test_progress_is_written_a_few_times_a_second_at_most(tmp_path):
    path = tmp_path / PROGRESS_FILE
    progress = ProgressFile(path)

    progress("check", 0.1)
    progress("check", 0.2)  # too soon: not written
    assert json.loads(path.read_text()) == {"phase": "check", "fraction": 0.1}
    progress("write", 0.0)  # a new phase is written at once
    assert json.loads(path.read_text())["phase"] == "write"
    progress("write", 1.0)  # and so is the end
    assert json.loads(path.read_text())["fraction"] == 1.0
    assert [child.name for child in tmp_path.iterdir()] == [PROGRESS_FILE]


def test_a_running_jobs_progress_is_read_from_its_file(manager, large, data_dir):
    job = import_job_start(actor=manager, kind="cities", upload=cities())
    assert import_job_progress(job) is None  # queued: nothing to show yet
    job.status = ImportJob.Status.RUNNING
    assert import_job_progress(job) is None  # running, but it has not said how far yet
    progress_path = (data_dir / job.file_path).parent / PROGRESS_FILE

    ProgressFile(progress_path)("check", 0.256)

    assert import_job_progress(job) == ImportProgress(phase="check", fraction=0.256)
    assert import_job_progress(job).percent == 25
    progress_path.write_text("{half a fi")
    assert import_job_progress(job) is None


# A job whose import was killed


def _running(job: ImportJob, started_minutes_ago: int) -> ImportJob:
    """Mark `job` as claimed by a worker `started_minutes_ago`, as import_job_run does."""
    started = timezone.now() - timedelta(minutes=started_minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=started)
    job.refresh_from_db()
    return job


def test_a_job_silent_for_half_an_hour_is_settled_as_failed_and_its_file_removed(
    manager, large, data_dir
):
    job = _running(import_job_start(actor=manager, kind="cities", upload=cities()), 45)
    progress_path = (data_dir / job.file_path).parent / PROGRESS_FILE
    ProgressFile(progress_path)("write", 0.4)
    forty_minutes_ago = time.time() - 40 * 60
    os.utime(progress_path, (forty_minutes_ago, forty_minutes_ago))

    settled = import_job_settle_abandoned(job)

    assert settled.status == ImportJob.Status.FAILED
    assert settled.summary == (
        "The import stopped without finishing (its server was stopped or restarted), and "
        "nothing was stored. Upload the file again."
    )
    assert settled.finished_at is not None and settled.file_path == ""
    assert files_in(data_dir) == []


def test_a_job_that_said_how_far_it_got_lately_is_left_running(manager, large, data_dir):
    job = _running(import_job_start(actor=manager, kind="cities", upload=cities()), 45)
    ProgressFile((data_dir / job.file_path).parent / PROGRESS_FILE)("write", 0.4)  # just now

    assert import_job_settle_abandoned(job).status == ImportJob.Status.RUNNING
    assert import_job_settle_abandoned(_running(job, 5)).status == ImportJob.Status.RUNNING
    assert (data_dir / job.file_path).exists()


def test_a_job_that_never_said_how_far_it_got_is_settled_from_its_start(manager, large):
    job = _running(import_job_start(actor=manager, kind="cities", upload=cities()), 31)

    assert import_job_settle_abandoned(job).status == ImportJob.Status.FAILED


def test_the_job_page_shows_a_killed_import_as_failed_in_the_users_language(login, manager, large):
    with translation.override("es"):
        job = import_job_start(actor=manager, kind="cities", upload=cities())
    _running(job, 60)

    page = login(manager).get(f"/registry/import/jobs/{job.pk}/").content.decode()

    assert "no se guardó nada" in page
    assert 'hx-trigger="every 1s"' not in page  # it no longer asks for itself


# Who sees a job


@pytest.fixture
def job_of_staff_a(staff_a, large) -> ImportJob:
    return import_job_start(
        actor=staff_a,
        kind="enterprises",
        upload=cities("nombre,tipo_cliente\nRosa Quispe,Microempresa\n"),
    )


def test_the_uploader_and_program_managers_see_a_job(staff_a, manager, job_of_staff_a):
    assert can_see_import_job(staff_a, job_of_staff_a)
    assert can_see_import_job(manager, job_of_staff_a)
    assert list(import_jobs_visible_to(staff_a)) == [job_of_staff_a]
    assert list(import_jobs_visible_to(manager)) == [job_of_staff_a]


def test_nobody_else_sees_a_job(staff_b, officer, auditor, evaluator, job_of_staff_a):
    for person in (staff_b, officer, auditor, evaluator):
        assert not can_see_import_job(person, job_of_staff_a)
        assert not import_jobs_visible_to(person).exists()


def test_a_deactivated_uploader_no_longer_sees_their_job(staff_a, job_of_staff_a):
    staff_a.is_active = False
    assert not can_see_import_job(staff_a, job_of_staff_a)
    assert not import_jobs_visible_to(staff_a).exists()


def test_the_manager_reads_import_jobs_in_the_admin_and_changes_none(login, manager, large):
    job = import_job_start(actor=manager, kind="cities", upload=cities())
    client = login(manager)

    assert "ciudades.csv" in client.get("/admin/core/importjob/").content.decode()
    assert client.get(f"/admin/core/importjob/{job.pk}/change/").status_code == 200
    assert client.get("/admin/core/importjob/add/").status_code == 403
    response = client.post(f"/admin/core/importjob/{job.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()
