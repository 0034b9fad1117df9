"""The program's dashboard: for program staff and auditors; its figures are the engine's,
each with its definition, basis and cut-off; a scope without approved reports says so."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bdsmarket.indicators.definitions import BY_ID
from bdsmarket.indicators.formatting import figure
from bdsmarket.indicators.models import Target
from bdsmarket.indicators.services import facts_refresh
from bdsmarket.monitoring.generate import national_data_generate
from bdsmarket.monitoring.queries import reporting_completeness
from bdsmarket.registry.models import ProviderStatusChange

from .page_data import JUNE, MAY, engine, national_data_generate_more, text_of

pytestmark = pytest.mark.django_db
URL = reverse("indicators:index")


def test_program_staff_and_auditors_open_the_dashboard(login, manager, officer, auditor, reported):
    for user in (manager, officer, auditor):
        response = login(user).get(URL)
        assert response.status_code == 200, user.username
        assert "The program's figures" in text_of(response)


def test_provider_staff_land_on_their_own_dashboard(login, staff_a, provider_a):
    response = login(staff_a).get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:provider", args=[provider_a.pk])


def test_evaluators_are_kept_out_and_visitors_sent_to_log_in(client, login, evaluator):
    assert login(evaluator).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_menu_shows_figures_to_those_who_may_see_them(login, manager, staff_a, evaluator):
    figures = reverse("indicators:index")
    assert f'href="{figures}"' in login(manager).get(reverse("home")).content.decode()
    assert f'href="{figures}"' in login(staff_a).get(reverse("home")).content.decode()
    assert f'href="{figures}"' not in login(evaluator).get(reverse("home")).content.decode()


def test_the_key_indicators_are_the_engines_by_year(login, manager, reported, today):
    response = login(manager).get(URL)
    dashboard = response.context["dashboard"]
    expected = engine(["attentions", "income", "end_user_share", "cost_recovery"], last=JUNE)
    trends = {trend.indicator.id: trend for trend in dashboard.trends}
    assert dashboard.span.first == date(2003, 1, 1) and dashboard.span.last == JUNE
    for indicator in ("attentions", "income", "end_user_share", "cost_recovery"):
        assert trends[indicator].total == expected.total.values[indicator]
        assert [point.value for point in trends[indicator].points] == [
            expected.total.values[indicator]
        ]
    assert [point.value for point in trends["active_providers"].points] == [3]
    page = text_of(response)
    assert figure(BY_ID["income"], expected.total.values["income"], currency="USD") in page
    assert "About this figure: Attentions" in page
    assert str(BY_ID["repeat_rate"].definition) in page
    assert "Data cut-off" in page and "approved reports" in page


def test_the_last_twelve_months_go_by_month(login, manager, reported, today):
    response = login(manager).get(URL, {"span": "months"})
    trends = {trend.indicator.id: trend for trend in response.context["dashboard"].trends}
    points = trends["attentions"].points
    assert len(points) == 12 and points[-1].key == JUNE
    by_month = engine(["attentions"], group_by=["month"])
    assert [p.value for p in points[-2:]] == [g.values["attentions"] for g in by_month.groups]
    assert points[0].value is None  # no report in July 2002
    assert trends["active_providers"].points[-1].value == 2  # provider_c reported May only


def test_without_approved_reports_the_dashboard_says_so(login, manager, program, today):
    response = login(manager).get(URL)
    assert response.status_code == 200
    assert "No approved reports in this period." in text_of(response)
    assert "<svg" not in response.content.decode()


def test_each_figure_opens_its_rows(login, manager, reported, today):
    response = login(manager).get(URL)
    trends = {trend.indicator.id: trend for trend in response.context["dashboard"].trends}
    rows_page = login(manager).get(trends["attentions"].points[0].url)
    assert rows_page.context["figures"].figures.attentions == 9  # May and June, approved


def test_income_by_client_type_is_the_reference_table(login, manager, reported, today):
    response = login(manager).get(URL, {"year": 2003})
    table = response.context["dashboard"].income
    expected = engine(["income"], group_by=["client_type"])
    assert {line.label: line.value for line in table.lines} == {
        "Micro-enterprise": Decimal("110.00"),
        "Small enterprise": Decimal("20.00"),
        "Institution": Decimal("200.00"),
        "Pre-enterprise": Decimal("10.00"),
    }
    assert table.total == expected.total.values["income"] == Decimal("340.00")
    shares = {line.label: line.share for line in table.lines}
    assert shares["Institution"] == Decimal(200) / Decimal(340)
    assert table.lines[0].label == "Institution"  # the largest first


def test_an_empty_year_of_the_income_table_says_so(login, manager, reported, today):
    response = login(manager).get(URL, {"year": 2001})
    assert not response.context["dashboard"].income.has_data
    assert "No approved reports in this period." in text_of(response)


def test_attentions_by_city_count_the_providers_cities_with_the_capitals_share(
    login, manager, reported, today
):
    table = login(manager).get(URL).context["dashboard"].cities
    assert [(line.label, line.value) for line in table.lines] == [("Lima", 6), ("Chiclayo", 3)]
    assert table.highlight_share == Decimal(6) / Decimal(9)
    assert [line.highlighted for line in table.lines] == [True, False]


def test_targets_are_set_against_actuals(login, manager, reported, today):
    Target.objects.create(
        indicator="attentions", first_month=MAY, last_month=JUNE, value=Decimal(8), note="Eight"
    )
    Target.objects.create(
        indicator="end_user_share", first_month=MAY, last_month=MAY, value=Decimal("0.9")
    )
    lines = login(manager).get(URL).context["dashboard"].targets
    attentions, share = lines
    assert attentions.actual == 9 and attentions.met is True
    assert share.actual == engine(["end_user_share"], last=MAY).total.values["end_user_share"]
    assert share.met is False


def test_the_reporting_record_counts_reports_due_sent_approved_and_late(
    reported, provider_a, provider_b, provider_c
):
    ProviderStatusChange.objects.update(date=date(2003, 5, 1))
    records = reporting_completeness(
        first_month=MAY, last_month=date(2003, 7, 1), today=date(2003, 8, 20)
    )
    by_code = {record.provider.code: record for record in records}
    a, b, c = (by_code[p.code] for p in (provider_a, provider_b, provider_c))
    # Every report was sent today, long after its due date.
    assert (a.due, a.sent, a.approved, a.late, a.missing) == (3, 3, 2, 3, 0)
    assert (b.due, b.sent, b.approved, b.missing) == (3, 2, 2, 1)
    assert (c.due, c.sent, c.approved, c.missing) == (3, 1, 1, 2)


def test_the_dashboard_shows_the_reporting_record(login, manager, reported, today):
    lines = login(manager).get(URL).context["dashboard"].reporting
    assert {line.provider.code for line in lines} == {"CDE-LIM-01", "CDE-CIX-01", "CDE-LIM-02"}


def test_spanish_pages_speak_spanish_with_decimal_commas(login, manager, reported, today):
    response = login(manager, "es").get(URL)
    page = text_of(response)
    assert "Atenciones" in page and "Pagado por los usuarios finales" in page
    share = engine(["end_user_share"]).total.values["end_user_share"]
    assert f"{share * 100:.1f}".replace(".", ",") + " %" in page
    assert "USD 340,00" in page


def test_the_dashboard_costs_the_same_queries_whatever_the_number_of_providers(
    login, manager, program, today, django_assert_max_num_queries
):
    national_data_generate(providers=3, deliveries=120, months=3, first_month=date(2003, 1, 1))
    facts_refresh()
    client = login(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    national_data_generate_more()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_htmx_redraws_only_the_part_asked_for(login, manager, reported, today):
    client = login(manager)
    trends = client.get(URL, {"span": "months"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="trends")
    assert trends.content.decode().lstrip().startswith('<section id="trends"')
    assert "Income by client type" not in trends.content.decode()
    income = client.get(URL, {"year": 2003}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="income")
    assert income.content.decode().lstrip().startswith('<section id="income"')
    assert "Key indicators over time" not in income.content.decode()
