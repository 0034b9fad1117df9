"""The rows behind a figure: exactly the delivery rows (and cost reports) the cell counts,
in the same basis, months, providers and groups, with the figures recomputed from them
equal to the cell's; nobody sees a row outside their role."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bdsmarket.indicators import rows
from bdsmarket.indicators.queries import Scope

from .page_data import JULY, JUNE, MAY, approve, engine, report, store, text_of

pytestmark = pytest.mark.django_db
URL = reverse("indicators:rows")
EXPLORE = reverse("indicators:explore")


def opened(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("indicators", "group_by", "period"),
    [
        (["attentions", "income", "repeat_rate"], "", "month"),
        (["attentions", "women_share", "end_user_share"], "client_type", ""),
        (["income", "cost_recovery", "cost_per_attention"], "provider", "month"),
        (["fully_paid_share", "clients", "participants"], "client_city", "quarter"),
        (["active_providers", "paid_by_third_party"], "service_type", "year"),
    ],
)
def test_the_rows_give_back_every_cells_figure(
    login, manager, reported, indicators, group_by, period
):
    client = login(manager)
    query = {"indicator": indicators, "group_by": group_by, "period": period,
             "first": "2003-05", "last": "2003-07"}  # fmt: skip
    exploration = client.get(EXPLORE, query).context["exploration"]
    for row in [*exploration.rows, exploration.total]:
        for cell in row.cells:
            figures = opened(client, cell.url).context["figures"]
            assert figures.matches, (row.labels, cell.indicator.id)
            assert figures.recomputed == cell.value
            assert figures.cell.value == cell.value


def test_the_rows_are_those_of_the_cell(login, manager, provider_a, reported):
    scope = Scope(MAY, JUNE, providers=frozenset((provider_a.pk,)),
                  filters={"client_type": frozenset(("micro",))})  # fmt: skip
    response = opened(login(manager), rows.rows_url(scope, indicator="income"))
    listed = list(response.context["page"].object_list)
    assert {(row.provider_id, row.client_type) for row in listed} == {(provider_a.pk, "micro")}
    assert [row.reference for row in listed] == ["A-1", "A-4"]
    assert response.context["figures"].recomputed == Decimal("60.00")
    assert response.context["repeats"] == {listed[1].pk}  # the client came back in June
    assert "repeat" in text_of(response)


def test_the_basis_decides_which_reports_count(login, manager, provider_a, reported):
    client = login(manager)
    approved = Scope(MAY, JULY, providers=frozenset((provider_a.pk,)))
    assert opened(client, rows.rows_url(approved)).context["page"].paginator.count == 5
    submitted = Scope(MAY, JULY, providers=frozenset((provider_a.pk,)), basis="reported")
    response = opened(client, rows.rows_url(submitted, indicator="attentions"))
    assert response.context["page"].paginator.count == 6
    assert response.context["figures"].recomputed == 6
    assert "approved and submitted reports" in text_of(response)


def test_the_cost_reports_behind_a_cost_figure_are_listed(login, manager, provider_a, reported):
    scope = Scope(MAY, JUNE, providers=frozenset((provider_a.pk,)))
    response = opened(login(manager), rows.rows_url(scope, indicator="cost_recovery"))
    assert len(response.context["cost_reports"]) == 2
    expected = engine(["cost_recovery"], providers=[provider_a]).total.values["cost_recovery"]
    assert response.context["figures"].recomputed == expected
    assert expected == (Decimal("280.00") + Decimal("20.00")) / Decimal("390.00")


def test_a_figure_that_needs_other_rows_says_so(login, manager, provider_a, reported):
    scope = Scope(JUNE, JUNE, providers=frozenset((provider_a.pk,)))
    response = opened(login(manager), rows.rows_url(scope, indicator="income_growth"))
    assert not response.context["figures"].recomputable
    assert "not recomputed here" in text_of(response)


def test_provider_staff_see_their_own_rows_only(login, staff_a, provider_a, provider_b, reported):
    client = login(staff_a)
    theirs = Scope(MAY, JUNE, providers=frozenset((provider_b.pk,)))
    assert client.get(rows.rows_url(theirs)).status_code == 404
    everyone = opened(client, URL + "?first=2003-05&last=2003-06&indicator=attentions")
    assert {row.provider_id for row in everyone.context["page"].object_list} == {provider_a.pk}
    assert everyone.context["figures"].recomputed == 5


def test_evaluators_are_kept_out_and_visitors_sent_to_log_in(client, login, evaluator):
    assert login(evaluator).get(URL).status_code == 403
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_a_wrong_name_gets_a_clear_message(login, manager, reported):
    response = opened(login(manager), URL + "?first=2003-05&last=2003-06&indicator=luck")
    assert "There is no indicator “luck”." in text_of(response)
    assert response.context["page"] is None


def test_many_rows_come_a_page_at_a_time_with_the_totals_of_all(
    login, manager, staff_a, provider_a, delivery_row, officer
):
    store(staff_a, *[delivery_row(provider_a, reference=f"R-{n}", client_id=f"K-{n}")
                     for n in range(60)])  # fmt: skip
    approve(staff_a, officer, report(provider_a, MAY))
    scope = Scope(MAY, MAY)
    response = opened(login(manager), rows.rows_url(scope, indicator="income"))
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 60
    assert response.context["figures"].recomputed == Decimal("1800.00")
    second = opened(login(manager), rows.rows_url(scope, indicator="income") + "&page=2")
    assert len(second.context["page"].object_list) == 10
