"""The one validation of cost reports: each rule, with its row, column and value."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bdsmarket.core.clock import program_today
from bdsmarket.core.tabular import ImportResult, TableError
from bdsmarket.monitoring.importers import CostReportImporter
from bdsmarket.monitoring.models import CostReport, ImportBatch, Submission, SubmissionStatus
from bdsmarket.monitoring.services import submission_get_or_create

HEADER = "provider_code,month,staff_costs,premises_costs,other_costs,other_income,staff_count"
GOOD = "CDE-LIM-01,2003-05,1200.00,300.00,150.00,0,4"


def import_costs(actor, *lines: str, header: str = HEADER) -> ImportResult:
    text = "\n".join([header, *lines]) + "\n"
    with translation.override("en"):
        return CostReportImporter(actor=actor).run(SimpleUploadedFile("costos.csv", text.encode()))


def the_error(result: ImportResult) -> TableError:
    assert result.rejected
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def assert_nothing_stored() -> None:
    assert CostReport.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Submission.objects.count() == 0


@pytest.fixture
def sender(manager, provider_a, provider_b):
    return manager


def test_a_good_row_is_stored_in_the_month_s_report(sender, provider_a):
    result = import_costs(sender, GOOD)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    report = CostReport.objects.get()
    assert (report.provider, report.submission.period.month) == (provider_a, date(2003, 5, 1))
    assert (report.staff_costs, report.premises_costs, report.other_costs) == (1200, 300, 150)
    assert (report.other_income, report.staff_count) == (0, 4)


def test_it_rejects_a_file_without_a_required_column(sender):
    result = import_costs(sender, "CDE-LIM-01,2003-05,1,2", header="provider_code,month,a,b")

    assert [(e.row, e.column) for e in result.errors] == [
        (1, "staff_costs"),
        (1, "premises_costs"),
        (1, "other_costs"),
    ]
    assert_nothing_stored()


def test_it_rejects_a_month_that_is_no_month(sender):
    result = import_costs(sender, GOOD.replace("2003-05", "2003-13"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "month", "2003-13")
    assert error.expected == "a month such as 2003-05 or 05/2003"
    assert_nothing_stored()


def test_it_rejects_a_month_that_has_not_begun(sender):
    following = program_today().replace(day=1) + timedelta(days=32)
    month = f"{following:%Y-%m}"

    result = import_costs(sender, GOOD.replace("2003-05", month))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "month", month)
    assert error.expected == f"a month that has begun ({program_today():%Y-%m} at the latest)"
    assert_nothing_stored()


def test_the_current_month_may_be_reported(sender):
    month = f"{program_today():%Y-%m}"

    assert import_costs(sender, GOOD.replace("2003-05", month)).created == 1


def test_it_rejects_a_negative_cost(sender):
    result = import_costs(sender, "CDE-LIM-01,2003-05,1200,-300,150,,")

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "premises_costs", "-300")
    assert "(at least 0)" in error.expected
    assert_nothing_stored()


def test_it_rejects_an_unknown_provider(sender):
    result = import_costs(sender, GOOD.replace("CDE-LIM-01", "CDE-XXX-99"))

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "provider_code", "CDE-XXX-99")
    assert_nothing_stored()


def test_it_rejects_the_same_provider_and_month_twice(sender):
    result = import_costs(sender, GOOD, "CDE-LIM-01,2003-06,1,1,1,,", "cde-lim-01,05/2003,1,1,1,,")

    error = the_error(result)
    assert (error.row, error.column, error.value) == (4, "month", "05/2003")
    assert error.expected == "a value not already used in row 2 of this file"
    assert_nothing_stored()


def test_it_rejects_a_month_whose_report_is_approved(sender, provider_a):
    submission = submission_get_or_create(actor=None, provider=provider_a, month=date(2003, 5, 1))
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.APPROVED)

    result = import_costs(sender, GOOD)

    error = the_error(result)
    assert (error.row, error.column, error.value) == (2, "month", "2003-05")
    assert "is approved; ask for an amendment" in error.expected
    assert CostReport.objects.count() == 0


def test_provider_staff_report_only_their_own_costs(staff_b, provider_a):
    result = import_costs(staff_b, GOOD.replace("CDE-LIM-01", "CDE-CIX-01"), GOOD)

    error = the_error(result)
    assert (error.row, error.column, error.value) == (3, "provider_code", "CDE-LIM-01")
    assert_nothing_stored()
