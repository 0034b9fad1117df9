"""The home page: the program at a glance for program roles, the own provider for its staff."""

import pytest
from django.urls import reverse

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ClientType, ServiceType

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(provider_a, provider_b):
    registry.service_create(
        actor=None,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costing",
        price=100,
    )
    registry.service_create(
        actor=None,
        provider=provider_b,
        service_type=ServiceType.TRAINING,
        name="Sales",
        price=80,
    )
    registry.service_create(
        actor=None,
        provider=provider_b,
        service_type=ServiceType.MARKETING,
        name="Fairs",
        price=50,
        active=False,
    )


def tally(rows) -> dict[str, int]:
    return {row.label: row.count for row in rows}


@pytest.mark.parametrize("role", ["manager", "officer", "auditor", "evaluator"])
def test_program_roles_land_on_the_program_at_a_glance(request, login, role, catalogue):
    response = login(request.getfixturevalue(role)).get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "registry/home_staff.html"
    context = response.context
    assert context["provider_count"] == 2
    assert tally(context["by_status"])["Active"] == 2
    assert tally(context["by_city"]) == {"Chiclayo": 1, "Lima": 1}
    assert tally(context["by_round"]) == {"Round 1": 1, "Round 2": 1}
    # Inactive services are not part of the catalogue on offer.
    assert tally(context["by_service_type"]) == {"Training": 2}


def test_the_staff_home_counts_enterprises_and_lists_recent_changes(
    login, manager, provider_a, lima
):
    registry.enterprise_create(
        actor=manager, name="Taller Luz", client_type=ClientType.MICRO, city=lima
    )
    registry.provider_update(actor=manager, provider=provider_a, changes={"phone": "01 234"})
    response = login(manager).get(reverse("home"))
    assert response.context["enterprise_count"] == 1
    changes = response.context["recent_changes"]
    assert len(changes) <= 10
    latest = changes[0]
    assert (latest["who"], latest["record"], latest["fields"]) == (
        "manager",
        str(provider_a),
        ["phone"],
    )
    assert latest["url"] == reverse("registry:provider_detail", args=[provider_a.pk])
    assert "Taller Luz" in response.content.decode()


def test_evaluators_see_neither_enterprise_counts_nor_the_change_log(
    login, evaluator, provider_a, lima
):
    registry.enterprise_create(actor=None, name="Taller Luz", client_type="micro", city=lima)
    response = login(evaluator).get(reverse("home"))
    assert response.context["enterprise_count"] is None
    assert response.context["recent_changes"] is None
    assert "Taller Luz" not in response.content.decode()


def test_provider_staff_land_on_their_own_provider_and_see_nothing_of_others(
    login, staff_a, staff_b, catalogue, provider_a, provider_b
):
    response = login(staff_a).get(reverse("home"))
    assert response.templates[0].name == "registry/home_provider.html"
    assert response.context["provider"] == provider_a
    content = response.content.decode()
    assert "Costing" in content
    assert "staff_a@example.org" in content
    for other in (provider_b.name, provider_b.code, "Sales", "staff_b@example.org"):
        assert other not in content


def test_the_home_page_uses_a_bounded_number_of_queries(
    login, manager, catalogue, django_assert_max_num_queries
):
    client = login(manager)
    with django_assert_max_num_queries(40):
        client.get(reverse("home"))
