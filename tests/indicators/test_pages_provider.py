"""A provider's dashboard: its figures over time and its benchmark. Its own staff and the
program's readers open it; to another provider's staff it does not exist. Provider staff
see their peers under pseudonyms, program staff by name."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bdsmarket.indicators import rules
from bdsmarket.indicators.models import IndicatorSettings
from bdsmarket.indicators.queries import benchmarks_compute

from .page_data import JUNE, MAY, engine, text_of

pytestmark = pytest.mark.django_db


def url(provider, **query) -> str:
    base = reverse("indicators:provider", args=[provider.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_its_staff_and_program_readers_open_it(
    login, staff_a, manager, officer, auditor, provider_a, reported, today
):
    for user in (staff_a, manager, officer, auditor):
        assert login(user).get(url(provider_a)).status_code == 200, user.username


def test_another_providers_staff_find_nothing_there(login, staff_b, provider_a, reported):
    assert login(staff_b).get(url(provider_a)).status_code == 404


def test_evaluators_are_kept_out_and_visitors_sent_to_log_in(client, login, evaluator, provider_a):
    assert login(evaluator).get(url(provider_a)).status_code == 403
    assert client.get(url(provider_a))["Location"].startswith(reverse("login"))


def test_the_home_page_of_provider_staff_links_their_figures(login, staff_a, provider_a):
    home = login(staff_a).get(reverse("home")).content.decode()
    assert f'href="{url(provider_a)}"' in home


def test_the_benchmark_defaults_to_the_last_month_with_approved_reports(
    login, staff_a, provider_a, reported, today
):
    benchmark = login(staff_a).get(url(provider_a)).context["benchmark"]
    assert (benchmark.period.first, benchmark.period.last) == (JUNE, JUNE)
    assert benchmark.peers == 2  # provider_c did not report in June


def test_the_benchmark_is_the_engines(login, staff_a, provider_a, reported, today):
    response = login(staff_a).get(url(provider_a, period="2003-05"))
    view = response.context["benchmark"]
    lines = {line.indicator.id: line for line in view.lines}
    expected = {
        b.indicator.id: b for b in benchmarks_compute(MAY, MAY, list(lines), provider=provider_a)
    }
    for indicator_id, line in lines.items():
        engine_line = expected[indicator_id]
        assert line.spread == engine_line.spread
        assert line.own.standing == engine_line.standings[provider_a.pk]
    attentions = lines["attentions"]
    assert attentions.own.standing.value == 3 and attentions.rank_text == "1st of 3"
    assert attentions.spread.median == 2
    assert lines["income"].own.standing.value == Decimal("240.00")
    page = text_of(response)
    assert "1st of 3" in page
    assert "May 2003, compared with: All providers reporting in the period (3" in page


def test_the_change_is_since_the_previous_period(login, staff_a, provider_a, reported, today):
    response = login(staff_a).get(url(provider_a, period="2003-06"))
    view = response.context["benchmark"]
    attentions = next(line for line in view.lines if line.indicator.id == "attentions")
    assert attentions.own.standing.value == 2
    assert attentions.own.standing.change == -1  # 3 in May
    assert "Changes are since May 2003." in text_of(response)


def test_a_quarter_or_a_year_is_a_period_too(login, manager, provider_a, reported, today):
    for period in ("2003-Q2", "2003"):
        view = login(manager).get(url(provider_a, period=period)).context["benchmark"]
        attentions = next(line for line in view.lines if line.indicator.id == "attentions")
        assert attentions.own.standing.value == 5, period


def test_peer_groups_narrow_the_peers(login, manager, provider_a, reported, today):
    city = login(manager).get(url(provider_a, period="2003-05", peer_group="city"))
    assert city.context["benchmark"].peers == 2  # provider_a and provider_c, in Lima
    legal = login(manager).get(url(provider_a, period="2003-05", peer_group="legal_type"))
    assert legal.context["benchmark"].peers == 1  # the only NGO


def test_provider_staff_see_their_peers_under_pseudonyms(
    login, staff_a, provider_a, provider_b, reported, today
):
    page = login(staff_a).get(url(provider_a, period="2003-05")).content.decode()
    salt = IndicatorSettings.current().pseudonym_salt
    assert rules.pseudonym(salt, provider_b.pk) in page
    assert provider_b.name not in page and provider_b.code not in page
    assert provider_a.name in page  # their own name


def test_program_staff_see_the_peers_by_name(
    login, manager, provider_a, provider_b, reported, today
):
    page = login(manager).get(url(provider_a, period="2003-05")).content.decode()
    assert provider_b.code in page and provider_b.name in page


def test_a_period_that_does_not_exist_is_said_so(login, staff_a, provider_a, reported, today):
    response = login(staff_a).get(url(provider_a, period="2003-13"))
    assert response.status_code == 200
    assert "“2003-13” is not a period" in text_of(response)
    assert response.context["benchmark"] is None


def test_an_unknown_peer_group_gets_the_engines_message(
    login, staff_a, provider_a, reported, today
):
    response = login(staff_a).get(url(provider_a, peer_group="friends"))
    assert response.status_code == 200
    assert "“friends” is none of the peer groups" in text_of(response)


def test_a_period_without_reports_says_so(login, staff_a, manager, provider_a, reported, today):
    response = login(staff_a).get(url(provider_a, period="2001-05"))
    assert "No approved reports in this period." in text_of(response)
    june = login(manager).get(url(provider_c_of(reported), period="2003-06"))
    assert "CDE-LIM-02 has no approved report in this period." in text_of(june)


def provider_c_of(reported):
    return reported[2]


def test_the_figures_over_time_are_the_providers_own(login, staff_a, provider_a, reported, today):
    trends = login(staff_a).get(url(provider_a, span="months")).context["trends"]
    by_id = {trend.indicator.id: trend for trend in trends.trends}
    expected = engine(["attentions", "repeat_rate"], providers=[provider_a], group_by=["month"])
    assert [p.value for p in by_id["attentions"].points[-2:]] == [3, 2]
    assert by_id["repeat_rate"].points[-1].value == expected.groups[-1].values["repeat_rate"]
    assert by_id["repeat_rate"].points[-1].value == Decimal("0.5")


def test_htmx_redraws_only_the_benchmark(login, staff_a, provider_a, reported, today):
    response = login(staff_a).get(
        url(provider_a, period="2003-05"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="benchmark"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="benchmark"')
    assert 'id="trends"' not in html
    assert "trends" not in response.context


def test_spanish_pages_show_spanish_labels_and_decimal_commas(
    login, staff_a, provider_a, reported, today
):
    page = text_of(login(staff_a, "es").get(url(provider_a, period="2003-05")))
    assert "Atenciones" in page
    assert "USD 240,00" in page
