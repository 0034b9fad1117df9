"""The simulator's page: two schemes run side by side over past approved months, what each
provider would have been paid, the difference and the total cost, and its downloads.
Nothing is stored; only the program's staff and auditors simulate."""

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from bdsmarket.incentives.models import Statement
from bdsmarket.incentives.services import RuleInput

from .conftest import PAID, WOMEN, scheme_make

pytestmark = pytest.mark.django_db

URL = reverse("incentives:simulator")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def drafts(months, manager):
    """The generous draft (30% and 5.00 a woman) and a thrifty one capped at 50.00 in all:
    over May and June 2003 they cost 132.00 and 62.00."""
    generous = scheme_make(manager, PAID, WOMEN, adopt=False)
    capped = RuleInput(code="paid", label="Capped", base="paid_by_client", rate=D("0.30"),
                       cap_total=D("50.00"))  # fmt: skip
    thrifty = scheme_make(manager, capped, adopt=False, code="thrifty")
    return generous, thrifty


def query(generous, thrifty, **more) -> dict:
    return {"scheme": generous.pk, "other": thrifty.pk, "first": "2003-05", "last": "2003-06",
            **more}  # fmt: skip


def test_two_schemes_side_by_side_with_the_difference_and_the_cost(login, manager, drafts):
    generous, thrifty = drafts

    response = login(manager).get(URL, query(generous, thrifty))

    tables = response.context["tables"]
    assert tables.totals.amounts == [D("132.00"), D("62.00")]
    assert tables.totals.difference == D("-70.00")
    by_provider = {row.label: (row.amounts, row.difference) for row in tables.providers}
    assert by_provider == {
        "CDE-CIX-01": ([D("12.00"), D("12.00")], D("0.00")),
        "CDE-LIM-01": ([D("120.00"), D("50.00")], D("-70.00")),
    }
    assert [row.amounts for row in tables.months] == [
        [D("67.00"), D("57.00")],
        [D("65.00"), D("5.00")],
    ]
    page = text(response)
    assert "132.00" in page and "62.00" in page and "-70.00" in page
    assert "May 2003" in page and "Centro Lima Norte" in page
    assert not Statement.objects.exists()


def test_one_scheme_for_some_providers(login, manager, drafts, provider_b):
    generous, _thrifty = drafts
    response = login(manager).get(
        URL, {"scheme": generous.pk, "first": "2003-05", "last": "2003-06",
              "provider": provider_b.pk},
    )  # fmt: skip
    tables = response.context["tables"]
    assert [row.label for row in tables.providers] == ["CDE-CIX-01"]
    assert tables.totals.amounts == [D("12.00")] and tables.totals.difference is None


def test_the_simulation_downloads_as_csv_and_xlsx(login, manager, drafts, tmp_path):
    client = login(manager)

    response = client.get(reverse("incentives:simulator_export", args=["csv"]), query(*drafts))

    assert 'filename="simulation-2003-05-2003-06.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Provider code", "Provider", "pic v1", "thrifty v1", "Difference"]
    assert rows[1:4] == [
        ["CDE-CIX-01", "Centro Chiclayo", "12", "12", "0"],
        ["CDE-LIM-01", "Centro Lima Norte", "120", "50", "-70"],
        ["Total", "", "132", "62", "-70"],
    ]
    xlsx = client.get(reverse("incentives:simulator_export", args=["xlsx"]), query(*drafts))
    path = tmp_path / "simulation.xlsx"
    path.write_bytes(xlsx.content)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [sheet["C4"].value, sheet["D4"].value] == [D("132"), D("62")]


def test_the_simulator_reads_in_spanish(login, manager, drafts):
    page = text(login(manager, "es").get(URL, query(*drafts)))
    assert "Incentivos" in page and "mayo de 2003" in page and "132,00" in page


def test_a_span_that_ends_before_it_begins_is_explained(login, manager, drafts):
    generous, thrifty = drafts
    response = login(manager).get(URL, query(generous, thrifty, first="2003-06", last="2003-05"))
    assert response.context["tables"] is None
    assert response.context["form"].errors == {"last": ["The period ends before it begins."]}
    assert "The period ends before it begins." in text(response)
    download = login(manager).get(
        reverse("incentives:simulator_export", args=["csv"]),
        query(generous, thrifty, first="2003-06", last="2003-05"),
    )
    assert download.status_code == 400


def test_the_same_scheme_twice_is_refused(login, manager, drafts):
    generous, _thrifty = drafts
    response = login(manager).get(URL, query(generous, generous))
    assert response.context["form"].errors == {
        "other": ["Choose another scheme to compare with, or none."]
    }


def test_a_schemes_page_leads_to_the_simulator_with_the_scheme_chosen(login, manager, drafts):
    generous, _thrifty = drafts
    client = login(manager)
    link = f"{URL}?scheme={generous.pk}"
    assert link in text(client.get(reverse("incentives:scheme_detail", args=[generous.pk])))
    response = client.get(link)
    assert response.context["tables"] is None and not response.context["form"].errors
    assert f'<option value="{generous.pk}" selected>' in text(response)


def test_only_the_programs_staff_and_auditors_simulate(
    login, auditor, officer, staff_a, evaluator, drafts
):
    for user in (auditor, officer):
        assert login(user).get(URL, query(*drafts)).status_code == 200
    for user in (staff_a, evaluator):
        assert login(user).get(URL, query(*drafts)).status_code == 403
        assert (
            login(user)
            .get(reverse("incentives:simulator_export", args=["csv"]), query(*drafts))
            .status_code
            == 403
        )
