"""A benchmark is asked for the same way through every door: indicators.queries
.benchmark_request decides whose benchmark it is, among which peers, and whether the peers
appear by name, for the API, the `report` command and the provider's dashboard."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bdsmarket.indicators.queries import IndicatorError, PeerGroup, benchmark_request

from . import test_indicators
from .helpers import assert_error, detail_at

pytestmark = pytest.mark.django_db

reported = test_indicators.reported
SPAN = {"first": "2003-05", "last": "2003-06", "ids": "attentions"}
MISSING = (
    "Name the provider whose peers to compare: the city and legal-type groups are a provider's."
)


def command(*args: str) -> dict:
    out = StringIO()
    call_command(
        "report", "benchmark", "--period", "2003-05..2003-06", "--indicators", "attentions",
        "--format", "json", "--language", "en", *args, stdout=out, stderr=StringIO(),
    )  # fmt: skip
    return json.loads(out.getvalue())


def test_a_city_benchmark_without_a_provider_is_refused_the_same_way_by_the_api_and_the_command(
    api_as, manager, reported
):
    response = api_as(manager).get("/indicators/benchmark", {**SPAN, "peer_group": "city"})
    detail = detail_at(assert_error(response, 422, "validation_error"), "query", "provider")

    assert (detail["code"], detail["message"]) == ("missing", MISSING)
    with pytest.raises(CommandError) as refused:
        command("--peer-group", "city", "--user", "manager")
    assert str(refused.value) == f"--provider: {MISSING}"


def test_the_api_and_the_command_give_provider_staff_the_same_benchmark(
    api_as, staff_a, provider_a, provider_b, reported
):
    over_api = api_as(staff_a).get("/indicators/benchmark", SPAN).json()
    by_command = command("--user", "staff_a")

    assert over_api["provider"] == by_command["provider"]
    assert over_api["provider"]["code"] == provider_a.code
    assert over_api["benchmarks"][0]["peers"] == by_command["benchmarks"][0]["peers"]
    assert provider_b.code not in json.dumps(over_api) + json.dumps(by_command)


def test_the_api_and_the_command_name_the_peers_for_program_staff(
    api_as, manager, provider_a, provider_b, reported
):
    over_api = api_as(manager).get("/indicators/benchmark", SPAN).json()
    by_command = command("--user", "manager")

    codes = {peer["provider"]["code"] for peer in by_command["benchmarks"][0]["peers"]}
    assert codes == {provider_a.code, provider_b.code}
    assert over_api["benchmarks"][0]["peers"] == by_command["benchmarks"][0]["peers"]


def test_provider_staff_benchmark_their_own_provider_under_pseudonyms(staff_a, provider_a):
    asked = benchmark_request(actor=staff_a, provider=None, peer_group="")

    assert (asked.provider, asked.peer_group, asked.names) == (provider_a, PeerGroup.ALL, False)


def test_provider_staff_may_not_ask_for_another_providers_benchmark(staff_a, provider_b):
    with pytest.raises(IndicatorError) as refused:
        benchmark_request(actor=staff_a, provider=provider_b, peer_group=PeerGroup.CITY)

    assert (refused.value.parameter, refused.value.code) == ("provider", "unknown_provider")


def test_program_staff_and_the_system_see_every_name(manager, provider_a):
    assert benchmark_request(actor=manager, provider=None).names
    assert benchmark_request(actor=None, provider=provider_a, peer_group="city").names


def test_the_dashboard_shows_provider_staff_the_peers_under_pseudonyms(
    login, staff_a, manager, provider_a, reported
):
    url = reverse("indicators:provider", args=[provider_a.pk])

    assert login(staff_a).get(url).context["names"] is False
    assert login(manager).get(url).context["names"] is True
