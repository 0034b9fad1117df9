"""Monitoring's audit trail names who made each change, whatever door it came through: the
command line and the background worker, where no web request says who is at work, as much
as the pages."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from bdsmarket.core.models import ImportJob
from bdsmarket.core.services import import_job_run, import_job_start
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import CostReport, ImportBatch, Submission, VerificationCheck
from bdsmarket.monitoring.verification import verification_check_record, verification_sample_draw

from .test_validation import COLUMNS, GOOD

COSTS = (
    "codigo_proveedor;mes;costos_personal;costos_local;otros_costos;otros_ingresos;personal\n"
    "CDE-LIM-01;05/2003;1.200,00;300,50;150;80;4\n"
)


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--language", "en", stdout=out, stderr=StringIO())
    return out.getvalue()


def authors(records) -> list:
    return [(record.history_type, record.history_user) for record in records]


def deliveries_text(*clients: str) -> str:
    lines = [",".join(COLUMNS)]
    for client in clients:
        values = {**GOOD, "client_id": client}
        lines.append(",".join(values[column] for column in COLUMNS))
    return "\n".join(lines) + "\n"


@pytest.fixture
def costs_csv(tmp_path) -> Path:
    path = tmp_path / "costos.csv"
    path.write_text(COSTS, encoding="cp1252")
    return path


def test_costs_imported_with_a_user_name_that_user_in_the_report_and_its_costs(staff_a, costs_csv):
    run_import("costs", str(costs_csv), "--user", "staff_a")
    corrected = costs_csv.parent / "corregido.csv"
    corrected.write_text(COSTS.replace("1.200,00", "1.250,00"), encoding="cp1252")
    run_import("costs", str(corrected), "--user", "staff_a")

    report = CostReport.objects.get()
    assert authors(report.history.order_by("history_id")) == [("+", staff_a), ("~", staff_a)]
    # The month's report was opened by the costs: its history names who sent them.
    assert authors(report.submission.history.all()) == [("+", staff_a)]


def test_deliveries_imported_with_a_user_open_the_months_report_in_their_name(staff_a, tmp_path):
    path = tmp_path / "entregas.csv"
    path.write_text(deliveries_text("44556677", "C-0012"))

    run_import("deliveries", str(path), "--user", "staff_a")

    submission = Submission.objects.get()
    assert authors(submission.history.all()) == [("+", staff_a)]
    assert ImportBatch.objects.get().created_by == staff_a


def test_a_review_done_outside_a_request_names_each_person(staff_a, officer, delivery_row):
    (submission,) = services.deliveries_store(
        actor=staff_a, rows=[delivery_row(staff_a.provider)], source="file"
    ).submissions
    services.submission_submit(actor=staff_a, submission=submission)
    sample = verification_sample_draw(actor=officer, submission=submission, size=1, seed=1)
    check = sample.checks.get()
    verification_check_record(actor=officer, check=check, confirmed=True)
    services.submission_approve(actor=officer, submission=submission)

    assert authors(submission.history.order_by("history_id")) == [
        ("+", staff_a),
        ("~", staff_a),
        ("~", officer),
    ]
    # The sampled row is on record from the draw, by the officer who drew it.
    assert authors(VerificationCheck.history.filter(id=check.pk).order_by("history_id")) == [
        ("+", officer),
        ("~", officer),
    ]


def test_a_report_started_on_its_page_is_opened_by_its_provider(staff_a, login):
    response = login(staff_a).post(reverse("monitoring:month_open"), {"month": "2003-05"})

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert submission.period.month == date(2003, 5, 1)
    assert authors(submission.history.all()) == [("+", staff_a)]


def test_a_deliveries_file_imported_by_the_worker_names_its_uploader(staff_a, settings, tmp_path):
    settings.BDSMARKET_IMPORT_INLINE_BYTES = 10
    upload = SimpleUploadedFile("entregas.csv", deliveries_text("44556677").encode())
    job = import_job_start(actor=staff_a, kind="deliveries", upload=upload)
    assert job.status == ImportJob.Status.QUEUED

    job = import_job_run(job_id=job.pk)  # what the worker's task does

    assert job.status == ImportJob.Status.DONE
    assert authors(Submission.objects.get().history.all()) == [("+", staff_a)]
    assert ImportBatch.objects.get().created_by == staff_a
