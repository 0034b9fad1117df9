"""Cost reports over the API: batches validated like files, idempotent, scoped."""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.monitoring.models import CostReport, ImportBatch

from .helpers import assert_error, detail_at

LIMA_MAY = {
    "provider_code": "CDE-LIM-01",
    "month": "2003-05",
    "staff_costs": "1200.00",
    "premises_costs": 300,
    "other_costs": "150,50",
    "other_income": 80,
    "staff_count": 4,
}
CHICLAYO_MAY = {
    "provider_code": "CDE-CIX-01",
    "month": "2003-05",
    "staff_costs": 900,
    "premises_costs": 200,
    "other_costs": 75,
}


def test_program_staff_send_cost_reports_and_they_are_stored(
    api_as, officer, provider_a, provider_b
):
    response = api_as(officer).post("/costs", [LIMA_MAY, CHICLAYO_MAY])

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert ImportBatch.objects.get(pk=body["batch"]).source == "api"
    lima = CostReport.objects.get(provider=provider_a)
    assert lima.submission.period.month == date(2003, 5, 1)
    assert (lima.other_costs, lima.other_income, lima.staff_count) == (Decimal("150.50"), 80, 4)
    assert CostReport.objects.get(provider=provider_b).staff_count is None


def test_sending_a_month_again_changes_only_what_differs(api_as, staff_a, provider_a):
    client = api_as(staff_a)
    client.post("/costs", [LIMA_MAY])

    same = client.post("/costs", [LIMA_MAY]).json()
    changed = client.post("/costs", [{**LIMA_MAY, "staff_costs": 1300}]).json()

    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 1)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 0)
    assert CostReport.objects.get().staff_costs == Decimal("1300.00")


def test_a_batch_with_a_wrong_report_stores_none(api_as, manager, provider_a, provider_b):
    batch = [LIMA_MAY, {**CHICLAYO_MAY, "month": "2099-01", "premises_costs": -1}, LIMA_MAY]

    response = api_as(manager).post("/costs", batch)

    error = assert_error(response, 422, "validation_error")
    assert [detail["loc"] for detail in error["details"]] == [
        ["body", 1, "month"],
        ["body", 1, "premises_costs"],
        ["body", 2, "month"],
    ]
    assert "a month that has begun" in detail_at(error, "body", 1, "month")["message"]
    assert "item 0 of this request" in detail_at(error, "body", 2, "month")["message"]
    assert CostReport.objects.count() == 0


def test_staff_b_cannot_send_costs_of_provider_a(api_as, staff_b, provider_a):
    response = api_as(staff_b).post("/costs", [LIMA_MAY])

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", 0, "provider_code")
    assert CostReport.objects.count() == 0


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_evaluators_and_auditors_cannot_send_costs(api_as, request, role, provider_a):
    assert_error(
        api_as(request.getfixturevalue(role)).post("/costs", [LIMA_MAY]), 403, "permission_denied"
    )
    assert CostReport.objects.count() == 0


@pytest.fixture
def reports(api_as, manager, provider_a, provider_b):
    api_as(manager).post("/costs", [LIMA_MAY, CHICLAYO_MAY, {**LIMA_MAY, "month": "2003-06"}])


def months(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return [(item["provider"]["code"], item["month"]) for item in response.json()["items"]]


def test_staff_b_sees_only_its_own_cost_reports(api_as, staff_b, reports, provider_a):
    client = api_as(staff_b)

    assert months(client.get("/costs")) == [("CDE-CIX-01", "2003-05")]
    assert months(client.get("/costs", {"provider": provider_a.pk})) == []


def test_cost_reports_are_listed_latest_month_first_and_filtered(
    api_as, auditor, reports, provider_a
):
    client = api_as(auditor)

    assert months(client.get("/costs")) == [
        ("CDE-LIM-01", "2003-06"),
        ("CDE-CIX-01", "2003-05"),
        ("CDE-LIM-01", "2003-05"),
    ]
    assert months(client.get("/costs", {"month": "2003-05", "provider": provider_a.pk})) == [
        ("CDE-LIM-01", "2003-05")
    ]
    item = client.get("/costs", {"month": "2003-06"}).json()["items"][0]
    assert (item["total_costs"], item["other_income"], item["report_status"]) == (
        "1650.50",
        "80.00",
        "draft",
    )


def test_an_evaluator_sees_no_cost_report(api_as, evaluator, reports):
    assert months(api_as(evaluator).get("/costs")) == []
