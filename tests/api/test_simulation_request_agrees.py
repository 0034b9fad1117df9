"""A simulation is checked once, by incentives.simulation.simulation_request, whichever door
asks: the simulator's form, the API and `bdsmarket incentives simulate`. Each keeps the
message at its own field; the span limit of a request is the pages' and the API's only."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from bdsmarket.incentives.simulation import MAX_MONTHS, simulation_request
from tests.incentives import conftest as incentives

from .helpers import assert_error, detail_at

pytestmark = pytest.mark.django_db

months = incentives.months
scheme = incentives.scheme
URL = reverse("incentives:simulator")


def page_errors(client, **query) -> dict:
    response = client.get(URL, {"first": "2003-05", "last": "2003-06", **query})
    assert response.status_code == 200
    return response.context["form"].errors


def api_detail(client, loc, **body) -> dict:
    response = client.post(
        "/incentives/simulations", {"first": "2003-05", "last": "2003-06", **body}
    )
    return detail_at(assert_error(response, 422, "validation_error"), *loc)


def command_refusal(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command(
            "incentives", "simulate", "--language", "en", *args, stdout=StringIO(),
            stderr=StringIO(),
        )  # fmt: skip
    return str(refused.value)


def test_the_same_scheme_twice_is_refused_the_same_way_by_every_door(
    login, api_as, months, scheme, manager
):
    message = "Choose another scheme to compare with, or none."

    assert page_errors(login(manager), scheme=scheme.pk, other=scheme.pk) == {"other": [message]}
    detail = api_detail(api_as(manager), ["body", "schemes", 1], schemes=[scheme.pk, scheme.pk])
    assert detail["message"] == message
    assert command_refusal("--scheme", "pic", "--scheme", "pic:1", "--from", "2003-05",
                           "--to", "2003-06") == f"--scheme: {message}"  # fmt: skip


def test_a_span_ending_before_it_begins_is_refused_the_same_way_by_every_door(
    login, api_as, months, scheme, manager
):
    message = "The period ends before it begins."

    assert page_errors(login(manager), scheme=scheme.pk, last="2003-04") == {"last": [message]}
    assert (
        api_detail(api_as(manager), ["body", "last"], schemes=[scheme.pk], last="2003-04")[
            "message"
        ]
        == message
    )
    assert command_refusal("--scheme", "pic", "--from", "2003-05", "--to", "2003-04") == (
        f"--to: {message}"
    )


def test_a_span_too_long_for_a_request_is_refused_by_the_page_and_the_api_only(
    login, api_as, months, scheme, manager
):
    message = f"Simulate at most {MAX_MONTHS} months at once."
    long = {"first": "1990-01", "last": "2010-01"}  # 241 months

    assert page_errors(login(manager), scheme=scheme.pk, **long) == {"last": [message]}
    assert (
        api_detail(api_as(manager), ["body", "last"], schemes=[scheme.pk], **long)["message"]
        == message
    )
    out = StringIO()
    call_command("incentives", "simulate", "--scheme", "pic", "--from", "1990-01",
                 "--to", "2010-01", "--language", "en", stdout=out, stderr=StringIO())  # fmt: skip
    assert "CDE-LIM-01" in out.getvalue()


def test_a_request_is_read_by_whole_months_with_each_provider_once(months, scheme, provider_a):
    asked = simulation_request(
        schemes=[scheme], first=date(2003, 5, 17), last=date(2003, 6, 2),
        providers=[provider_a, provider_a],
    )  # fmt: skip

    assert (asked.first_month, asked.last_month) == (date(2003, 5, 1), date(2003, 6, 1))
    assert asked.providers == [provider_a]
    assert simulation_request(schemes=[scheme], first=date(2003, 5, 1),
                              last=date(2003, 5, 1)).providers is None  # fmt: skip


def test_a_request_names_every_part_at_fault(scheme):
    with pytest.raises(ValidationError) as refused:
        simulation_request(schemes=[], first=date(2003, 6, 1), last=date(2003, 5, 1))

    assert refused.value.message_dict == {
        "schemes": ["Give one scheme, or two to compare them."],
        "last": ["The period ends before it begins."],
    }
    simulation_request(
        schemes=[scheme], first=date(1990, 1, 1), last=date(2010, 1, 1), max_months=None
    )
