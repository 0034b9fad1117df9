"""The explorer: any indicators, grouped by one dimension and one period, over any scope the
user may see; a wrong name in the address gets the engine's message on the page."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bdsmarket.indicators.services import facts_refresh
from bdsmarket.monitoring.generate import national_data_generate

from .page_data import JULY, JUNE, MAY, engine, national_data_generate_more, text_of

pytestmark = pytest.mark.django_db
URL = reverse("indicators:explore")
MAY_JUNE = {"first": "2003-05", "last": "2003-06"}


def explore(client, **query):
    return client.get(URL, query)


def test_program_readers_and_provider_staff_explore(login, manager, auditor, staff_a, reported):
    for user in (manager, auditor, staff_a):
        assert explore(login(user)).status_code == 200, user.username


def test_evaluators_are_kept_out_and_visitors_sent_to_log_in(client, login, evaluator):
    assert explore(login(evaluator)).status_code == 403
    assert explore(client)["Location"].startswith(reverse("login"))


def test_the_first_visit_shows_the_last_twelve_months_by_month(login, manager, reported, today):
    exploration = explore(login(manager)).context["exploration"]
    scope = exploration.result.scope
    assert (scope.first_month, scope.last_month) == (date(2002, 7, 1), JUNE)
    assert exploration.result.group_by == ("month",)
    assert [row.cells[0].value for row in exploration.rows] == [6, 3]  # May, June


def test_the_table_is_the_engines(login, manager, reported):
    response = explore(
        login(manager),
        indicator=["attentions", "income", "women_share"],
        group_by="client_type",
        period="",
        **MAY_JUNE,
    )
    exploration = response.context["exploration"]
    expected = engine(["attentions", "income", "women_share"], group_by=["client_type"])
    assert [row.labels for row in exploration.rows] == [
        ["Institution"],
        ["Micro-enterprise"],
        ["Pre-enterprise"],
        ["Small enterprise"],
    ]
    for row, group in zip(exploration.rows, expected.groups, strict=True):
        assert [cell.value for cell in row.cells] == [
            group.values[i] for i in ("attentions", "income", "women_share")
        ]
        assert row.cells[0].share == group.shares["attentions"]
    assert [cell.value for cell in exploration.total.cells] == [
        expected.total.values[i] for i in ("attentions", "income", "women_share")
    ]
    assert exploration.shared == ["attentions", "income"]
    assert "<svg" in response.content.decode()  # a bar chart per indicator


def test_filters_narrow_the_scope(login, manager, provider_a, chiclayo, reported):
    response = explore(
        login(manager),
        indicator="attentions",
        period="",
        client_gender="male",
        client_city=str(chiclayo.pk),
        **MAY_JUNE,
    )
    assert response.context["exploration"].total.cells[0].value == 1  # B-2
    response = explore(
        login(manager), indicator="attentions", period="", provider=str(provider_a.pk), **MAY_JUNE
    )
    assert response.context["exploration"].total.cells[0].value == 5


def test_the_submitted_basis_says_so(login, manager, reported):
    response = explore(
        login(manager), indicator="attentions", period="", first="2003-05", last="2003-07",
        basis="reported",
    )  # fmt: skip
    assert response.context["exploration"].total.cells[0].value == 10
    assert "reports submitted but not yet approved" in text_of(response)
    approved = explore(login(manager), indicator="attentions", period="", first="2003-05",
                       last="2003-07")  # fmt: skip
    assert approved.context["exploration"].total.cells[0].value == 9
    assert "These figures count approved reports only." in text_of(approved)


def test_active_providers_are_counted_in_each_group(login, manager, reported):
    response = explore(login(manager), indicator="active_providers", period="month", **MAY_JUNE)
    assert [row.cells[0].value for row in response.context["exploration"].rows] == [3, 2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"indicator": "happiness"}, "There is no indicator “happiness”."),
        ({"indicator": "vouchers_issued"}, "“vouchers_issued” needs the Vouchers module"),
        ({"group_by": "colour"}, "“colour” is none of the groupings"),
        ({"group_by": "month"}, "“month” cannot be chosen here"),
        ({"period": "week"}, "“week” is none of the groupings"),
        ({"first": "2003-13"}, "“2003-13” is not a month"),
        ({"first": "2003-07", "last": "2003-05"}, "The period ends before it begins."),
        ({"basis": "rumours"}, "Unknown basis “rumours”."),
    ],
)
def test_a_wrong_name_gets_a_clear_message(login, manager, reported, query, message):
    response = explore(login(manager), **{**MAY_JUNE, **query})
    assert response.status_code == 200
    assert message in text_of(response)
    assert response.context["exploration"] is None


def test_provider_staff_explore_their_own_provider_only(
    login, staff_a, provider_a, provider_b, reported
):
    response = explore(login(staff_a), indicator="attentions", group_by="provider", **MAY_JUNE)
    exploration = response.context["exploration"]
    assert exploration.result.scope.providers == {provider_a.pk}
    assert exploration.total.cells[0].value == 5
    assert provider_b.name not in response.content.decode()
    assert explore(login(staff_a), provider=str(provider_b.pk)).status_code == 404


def test_every_cell_opens_its_rows(login, manager, reported):
    response = explore(login(manager), indicator="income", group_by="provider", period="month",
                       **MAY_JUNE)  # fmt: skip
    row = response.context["exploration"].rows[0]
    rows_page = login(manager).get(row.cells[0].url)
    assert rows_page.status_code == 200
    assert rows_page.context["figures"].recomputed == row.cells[0].value


def test_htmx_redraws_only_the_results(login, manager, reported):
    response = login(manager).get(
        URL, {"indicator": "attentions", **MAY_JUNE}, HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="explore-results",
    )  # fmt: skip
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="explore-results"')
    assert "<form" not in html


def test_spanish_pages_show_spanish_labels_and_decimal_commas(login, manager, reported):
    response = explore(login(manager, "es"), indicator=["income", "end_user_share"],
                       period="", **MAY_JUNE)  # fmt: skip
    page = text_of(response)
    assert "Ingresos" in page and "Pagado por los usuarios finales" in page
    assert "USD 340,00" in page
    share = engine(["end_user_share"]).total.values["end_user_share"]
    assert f"{share * 100:.1f}".replace(".", ",") + " %" in page
    assert Decimal(share) < 1


def test_the_explorer_costs_the_same_queries_whatever_the_number_of_providers(
    login, manager, program, django_assert_max_num_queries
):
    national_data_generate(providers=3, deliveries=120, months=3, first_month=date(2003, 1, 1))
    facts_refresh()
    query = {"indicator": ["attentions", "income", "active_providers"], "group_by": "provider",
             "period": "month", "first": "2003-01", "last": "2003-03"}  # fmt: skip
    client = login(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, query).status_code == 200
    national_data_generate_more()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, query)
    assert len(response.context["exploration"].rows) == 15 * 3


__all__ = ["JULY", "MAY"]
