"""The statements listed are the same on the page, over the API and in the command's
export for the same filters: each door parses its input into incentives.queries
.statement_list, and "the current statement" is Statement.objects.current() everywhere."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from bdsmarket.incentives import queries
from bdsmarket.incentives.models import Statement, StatementLine
from bdsmarket.monitoring.models import Submission, SubmissionStatus
from tests.incentives import conftest as incentives
from tests.incentives.conftest import MAY

from . import test_incentives
from .test_incentives import amended_may

pytestmark = pytest.mark.django_db

months = incentives.months
scheme = incentives.scheme
computed = test_incentives.computed


def on_page(client, params) -> list[int]:
    response = client.get(reverse("incentives:statements"), params)
    assert response.status_code == 200
    return [statement.pk for statement in response.context["page"].object_list]


def over_api(client, params) -> list[int]:
    response = client.get("/incentives/statements", params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "params",
    [{}, {"month": "2003-05"}, {"status": "superseded"}, {"month": "2003-06"},
     {"month": "2003-05", "status": "computed"}],
)  # fmt: skip
def test_the_page_and_the_api_list_the_same_statements(
    login, api_as, computed, officer, manager, staff_a, provider_a, params
):
    amended_may(officer, manager, staff_a, provider_a)

    listed = over_api(api_as(manager), params)

    assert listed
    assert on_page(login(manager), params) == listed


def test_the_page_and_the_api_give_provider_staff_the_same_statements(
    login, api_as, computed, staff_a, provider_a
):
    listed = over_api(api_as(staff_a), {})

    assert on_page(login(staff_a), {}) == listed
    assert set(Statement.objects.filter(pk__in=listed).values_list("provider", flat=True)) == {
        provider_a.pk
    }


def test_the_export_command_writes_the_statements_the_api_lists(
    api_as, computed, officer, manager, staff_a, provider_a
):
    amended_may(officer, manager, staff_a, provider_a)
    out = StringIO()
    call_command(
        "incentives", "export", "--month", "2003-05", "--format", "json", "--user", "staff_a",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    exported = sorted(statement["id"] for statement in json.loads(out.getvalue())["statements"])

    assert exported == sorted(over_api(api_as(staff_a), {"month": "2003-05"}))
    assert Statement.objects.get(pk=exported[0]).version == 2


def test_the_current_statements_are_those_no_version_supersedes(
    computed, officer, manager, staff_a, provider_a
):
    old = amended_may(officer, manager, staff_a, provider_a)

    current = Statement.objects.current()

    assert old not in current
    assert current.filter(provider=provider_a, month=MAY).get().version == 2
    assert Statement.objects.count() == current.count() + 1
    assert not StatementLine.objects.current().filter(statement=old).exists()
    assert (
        StatementLine.objects.current().count()
        == StatementLine.objects.exclude(statement=old).count()
    )


def test_the_system_lists_every_providers_statements(computed, staff_a):
    every = queries.statement_list(actor=None, filters=queries.StatementFilters(month=MAY))
    own = queries.statement_list(actor=staff_a, filters=queries.StatementFilters(month=MAY))

    assert every.count() == 2
    assert [statement.provider_id for statement in own] == [staff_a.provider_id]


def test_the_approved_reports_are_those_in_the_approved_status(months):
    approved = Submission.objects.approved()

    assert approved.exists()
    assert set(approved.values_list("status", flat=True)) == {SubmissionStatus.APPROVED}
    assert approved.count() == Submission.objects.filter(status="approved").count()
