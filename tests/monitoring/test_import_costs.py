"""Importing monthly cost reports from files: stored, replaced, left alone, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bdsmarket.monitoring.importers import CostReportImporter
from bdsmarket.monitoring.models import CostReport, ImportBatch

SPANISH_EXCEL_CSV = (
    "codigo_proveedor;mes;costos_personal;costos_local;otros_costos;otros_ingresos;personal\r\n"
    "CDE-LIM-01;05/2003;1.200,00;300,50;150;80;4\r\n"
    "CDE-CIX-01;2003-05;900;200;75,25;;\r\n"
).encode("cp1252")


def run(actor, content: bytes, name: str = "costos.csv"):
    with translation.override("en"):
        return CostReportImporter(actor=actor).run(SimpleUploadedFile(name, content))


def test_excel_s_spanish_csv_of_costs_just_works(manager, provider_a, provider_b):
    result = run(manager, SPANISH_EXCEL_CSV)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    lima = CostReport.objects.get(provider=provider_a)
    assert lima.submission.period.month == date(2003, 5, 1)
    assert (lima.staff_costs, lima.premises_costs, lima.other_costs) == (
        Decimal("1200.00"),
        Decimal("300.50"),
        Decimal("150.00"),
    )
    assert (lima.other_income, lima.staff_count) == (Decimal("80.00"), 4)
    chiclayo = CostReport.objects.get(provider=provider_b)
    assert (chiclayo.other_costs, chiclayo.other_income, chiclayo.staff_count) == (
        Decimal("75.25"),
        Decimal("0.00"),
        None,
    )
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.rows) == ("costs", 2)
    assert set(CostReport.objects.values_list("batch", flat=True)) == {batch.pk}


def test_the_same_file_twice_leaves_the_reports_alone(manager, provider_a, provider_b):
    run(manager, SPANISH_EXCEL_CSV)

    again = run(manager, SPANISH_EXCEL_CSV)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert CostReport.objects.count() == 2


def test_a_month_sent_with_other_figures_replaces_them_and_history_keeps_the_old(
    manager, provider_a, provider_b
):
    run(manager, SPANISH_EXCEL_CSV)
    corrected = SPANISH_EXCEL_CSV.replace(b"1.200,00", b"1.250,00")

    result = run(manager, corrected)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    report = CostReport.objects.get(provider=provider_a)
    assert report.staff_costs == Decimal("1250.00")
    before = report.history.order_by("history_date")[0]
    assert before.staff_costs == Decimal("1200.00")
    assert report.history.latest("history_date").history_user == manager


def test_one_bad_row_stores_no_report(manager, provider_a, provider_b):
    content = SPANISH_EXCEL_CSV + b"CDE-LIM-01;2003-06;mil;0;0;;\r\n"

    result = run(manager, content)

    assert [(e.row, e.column, e.value) for e in result.errors] == [(4, "costos_personal", "mil")]
    assert CostReport.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_provider_staff_import_their_own_costs_only(staff_a, provider_a, provider_b):
    own = b"provider_code,month,staff_costs,premises_costs,other_costs\nCDE-LIM-01,2003-05,1,2,3\n"

    assert run(staff_a, own).created == 1
    result = run(staff_a, own.replace(b"CDE-LIM-01", b"CDE-CIX-01"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "provider_code")]
    assert CostReport.objects.get().provider == provider_a


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_evaluators_and_auditors_cannot_import_costs(request, role, provider_a):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        run(user, SPANISH_EXCEL_CSV)
    assert CostReport.objects.count() == 0
