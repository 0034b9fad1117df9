"""The import page with a large file: it is queued, the job page shows its progress, and the
background worker imports it; a small file still answers at once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bdsmarket.core.models import ImportJob
from bdsmarket.core.services import PROGRESS_FILE, ProgressFile
from bdsmarket.core.tabular import importer_class
from bdsmarket.registry.models import City, Enterprise, Provider

pytestmark = pytest.mark.django_db

# The worker commits as it goes, as it does in production, so the tests that run it cannot
# sit inside a transaction that is rolled back afterwards (PostgreSQL would see the worker
# close the connection under it): their database is emptied after each instead.
runs_the_worker = pytest.mark.django_db(transaction=True)

BAD_PROVIDERS = "codigo;nombre;tipo_legal;ciudad\nCDE-X;X;ong;Lima\nCDE-Y;Y;firm;Atlantis\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Keep the uploads of these tests in a data directory of their own."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def large(settings):
    """Make every file of these tests "large": above the size imported within the request."""
    settings.BDSMARKET_IMPORT_INLINE_BYTES = 10


def csv_file(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def upload(client, kind: str, text: str, **data):
    return client.post(reverse("imports:upload", args=[kind]), {"file": csv_file(text), **data})


def run_the_worker() -> None:
    call_command("worker", "--batch", verbosity=0)


def stored_files(data_dir) -> list:
    return [path for path in data_dir.rglob("*") if path.is_file() and path.name != "secret_key"]


def test_a_small_file_is_imported_within_the_request(login, manager, data_dir):
    response = upload(login(manager), "cities", "name\nPiura\n")

    assert response.status_code == 200
    assert "1 city: 1 created, 0 updated, 0 unchanged" in response.content.decode()
    assert City.objects.filter(name="Piura").exists()
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.user, job.file_name) == ("done", 1, manager, "file.csv")
    assert DBTaskResult.objects.count() == 0
    assert stored_files(data_dir) == []


def test_a_large_file_is_queued_and_its_page_shows_it_waiting(login, manager, large, data_dir):
    client = login(manager)

    response = upload(client, "cities", "name\nPiura\nTumbes\n")

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == "queued"
    assert not City.objects.filter(name="Piura").exists()
    assert [path.name for path in stored_files(data_dir)] == ["file.csv"]
    assert DBTaskResult.objects.get().args_kwargs == {"args": [], "kwargs": {"job_id": job.pk}}
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page


@runs_the_worker
def test_the_worker_imports_a_queued_file_and_the_page_shows_what_was_stored(
    login, manager, large, data_dir
):
    client = login(manager)
    location = upload(client, "cities", "name\nPiura\nTumbes\n")["Location"]

    run_the_worker()

    job = ImportJob.objects.get()
    assert (job.status, job.created, job.error_count) == ("done", 2, 0)
    assert job.started_at is not None and job.finished_at is not None
    assert set(
        City.objects.filter(name__in=["Piura", "Tumbes"]).values_list("name", flat=True)
    ) == {
        "Piura",
        "Tumbes",
    }
    assert stored_files(data_dir) == []
    assert job.file_path == ""
    page = client.get(location).content.decode()
    assert "The file was imported" in page
    assert "2 cities: 2 created, 0 updated, 0 unchanged" in page
    assert "<progress" not in page
    assert "hx-get" not in page  # finished: the page stops asking


@runs_the_worker
def test_the_job_page_shows_the_errors_of_a_bad_file_as_the_upload_page_does(login, manager, large):
    client = login(manager)
    location = upload(client, "providers", BAD_PROVIDERS)["Location"]

    run_the_worker()

    job = ImportJob.objects.get()
    assert (job.status, job.error_count, job.created) == ("done", 1, 0)
    assert job.errors[0]["row"] == 3
    assert (job.errors[0]["column"], job.errors[0]["value"]) == ("ciudad", "Atlantis")
    assert Provider.objects.count() == 0
    page = client.get(location).content.decode()
    assert "The file was not imported" in page
    assert "<td>3</td>" in page
    assert "<td>ciudad</td>" in page
    assert "<code>Atlantis</code>" in page
    assert "a city of the program" in page


@runs_the_worker
def test_errors_beyond_those_kept_are_counted_on_the_job_page(login, manager, large, monkeypatch):
    monkeypatch.setattr(importer_class("providers"), "max_errors", 2)
    rows = "".join(f"CDE-{n};Centro {n};firm;Atlantis\n" for n in range(5))
    client = login(manager)
    location = upload(client, "providers", "codigo;nombre;tipo_legal;ciudad\n" + rows)["Location"]

    run_the_worker()

    job = ImportJob.objects.get()
    assert (job.error_count, len(job.errors)) == (5, 2)
    assert "… and 3 more errors." in client.get(location).content.decode()


@runs_the_worker
def test_checking_a_large_file_only_stores_nothing(login, manager, large):
    client = login(manager)
    location = upload(client, "cities", "name\nPiura\n", dry_run="on")["Location"]

    run_the_worker()

    assert not City.objects.filter(name="Piura").exists()
    assert ImportJob.objects.get().dry_run
    assert "The file is correct" in client.get(location).content.decode()


def test_a_running_import_shows_the_progress_its_file_reports(login, manager, large, data_dir):
    client = login(manager)
    location = upload(client, "cities", "name\nPiura\n")["Location"]
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running")  # as the worker does
    # The worker's importer reports its progress into the job's folder.
    ProgressFile((data_dir / job.file_path).parent / PROGRESS_FILE)("write", 0.42)

    page = client.get(location).content.decode()

    assert "Storing the rows" in page
    assert '<progress id="import-progress-bar" max="100" value="42">' in page
    assert "42%" in page


@runs_the_worker
def test_the_page_refreshes_only_its_status_for_htmx(login, manager, large):
    client = login(manager)
    location = upload(client, "cities", "name\nPiura\n")["Location"]

    response = client.get(location, headers={"HX-Request": "true"})

    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="import-job-status"')
    assert "<html" not in fragment
    assert "HX-Request" in response["Vary"]
    run_the_worker()
    fragment = client.get(location, headers={"HX-Request": "true"}).content.decode()
    assert "1 city: 1 created" in fragment
    assert "hx-trigger" not in fragment


@runs_the_worker
def test_a_failing_import_marks_the_job_failed_with_a_message_for_its_user(
    login, manager, large, data_dir, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire at /srv/secret")

    monkeypatch.setattr(importer_class("cities"), "run", explode)
    client = login(manager)
    location = upload(client, "cities", "name\nPiura\n")["Location"]

    run_the_worker()

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.summary.startswith("The import stopped because of an unexpected problem")
    assert job.finished_at is not None
    assert stored_files(data_dir) == []
    page = client.get(location).content.decode()
    assert "The file was not imported" in page
    assert "The import stopped because of an unexpected problem" in page
    assert "disk on fire" not in page and "Traceback" not in page


def test_a_small_file_that_fails_leads_to_its_job_page(login, manager, monkeypatch):
    monkeypatch.setattr(
        importer_class("cities"),
        "run",
        lambda *args, **kwargs: 1 / 0,
    )

    response = upload(login(manager), "cities", "name\nPiura\n")

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert response["Location"] == reverse("imports:job", args=[job.pk])


@runs_the_worker
def test_the_job_speaks_the_language_its_user_worked_in(login, manager, large):
    location = upload(login(manager, "es"), "providers", BAD_PROVIDERS)["Location"]

    run_the_worker()

    job = ImportJob.objects.get()
    assert job.language == "es"
    assert job.errors[0]["expected"].startswith("una ciudad del programa")
    page = login(manager, "es").get(location).content.decode()
    assert "El archivo no se importó" in page
    assert "una ciudad del programa" in page


# Who sees a job


@pytest.fixture
def staff_a_job(login, staff_a, large) -> ImportJob:
    upload(login(staff_a), "enterprises", "nombre,tipo_cliente\nRosa Quispe,Microempresa\n")
    return ImportJob.objects.get(user=staff_a)


@runs_the_worker
def test_the_person_who_uploaded_a_file_follows_its_job(login, staff_a, provider_a, staff_a_job):
    client = login(staff_a)
    url = reverse("imports:job", args=[staff_a_job.pk])
    assert client.get(url).status_code == 200
    run_the_worker()
    assert "1 enterprise: 1 created" in client.get(url).content.decode()
    assert Enterprise.objects.get().registered_by == provider_a


def test_a_program_manager_sees_anyones_job(login, manager, staff_a_job):
    response = login(manager).get(reverse("imports:job", args=[staff_a_job.pk]))
    assert response.status_code == 200
    assert "staff_a" in response.content.decode()


@pytest.mark.parametrize("person", ["staff_b", "officer", "auditor", "evaluator"])
def test_nobody_else_finds_a_job(login, request, staff_a_job, person):
    client = login(request.getfixturevalue(person))
    url = reverse("imports:job", args=[staff_a_job.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_an_outsider_is_sent_to_log_in(client, staff_a_job):
    response = client.get(reverse("imports:job", args=[staff_a_job.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_unknown_job_is_not_found(login, manager):
    assert login(manager).get(reverse("imports:job", args=[999])).status_code == 404


# The import page lists recent jobs


def test_the_import_page_lists_ones_own_recent_imports(login, staff_a, staff_b, staff_a_job):
    page = login(staff_a).get(reverse("imports:index")).content.decode()
    assert "Recent imports" in page
    assert reverse("imports:job", args=[staff_a_job.pk]) in page
    assert "Enterprises" in page and "Queued" in page
    other = login(staff_b).get(reverse("imports:index")).content.decode()
    assert reverse("imports:job", args=[staff_a_job.pk]) not in other


def test_the_list_of_imports_costs_the_same_queries_however_long(
    login, manager, large, django_assert_num_queries
):
    client = login(manager)
    upload(client, "cities", "name\nPiura\n")
    client.get(reverse("imports:index"))  # the session and program are read once
    with django_assert_num_queries(4):  # session, user, program, jobs with their users
        client.get(reverse("imports:index"))
    for _ in range(3):
        upload(client, "cities", "name\nPiura\n")
    with django_assert_num_queries(4):
        page = client.get(reverse("imports:index")).content.decode()
    assert page.count(reverse("imports:job", args=[ImportJob.objects.first().pk])) == 1
