"""Enterprises (the providers' clients) over the API."""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ClientType, Enterprise

from .helpers import assert_error, detail_at

NEW_ENTERPRISE = {
    "name": "Confecciones Rosa",
    "client_type": "micro",
    "national_id": "20-100047218",
    "owner_gender": "female",
    "sector": "Confecciones",
    "city": "chiclayo",
    "workers": 6,
    "annual_sales": "40000",
    "figures_as_of": "2001-03-01",
    "phone": "074 555 0199",
}


@pytest.fixture
def client_a(provider_a, lima, garments) -> Enterprise:
    """An enterprise that provider_a registered."""
    return registry.enterprise_create(
        actor=None,
        name="Calzados Pérez",
        client_type=ClientType.SMALL,
        national_id="44556677",
        registered_by=provider_a,
        city=lima,
        sector=garments,
        workers=20,
    )


@pytest.fixture
def client_b(provider_b, chiclayo) -> Enterprise:
    """An enterprise that provider_b registered."""
    return registry.enterprise_create(
        actor=None,
        name="Bodega Chiclayo",
        client_type=ClientType.MICRO,
        registered_by=provider_b,
        city=chiclayo,
    )


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


# Reading


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
def test_program_wide_roles_list_every_enterprise(request, api_as, role, client_a, client_b):
    response = api_as(request.getfixturevalue(role)).get("/enterprises")

    assert response.status_code == 200
    assert names(response) == ["Bodega Chiclayo", "Calzados Pérez"]


def test_provider_staff_list_the_enterprises_they_registered(api_as, staff_a, client_a, client_b):
    response = api_as(staff_a).get("/enterprises")

    assert response.json()["count"] == 1
    assert names(response) == ["Calzados Pérez"]


def test_an_evaluator_cannot_list_enterprises(api_as, evaluator, client_a):
    assert_error(api_as(evaluator).get("/enterprises"), 403, "permission_denied")


def test_an_evaluator_cannot_read_an_enterprise(api_as, evaluator, client_a):
    assert_error(api_as(evaluator).get(f"/enterprises/{client_a.pk}"), 403, "permission_denied")


def test_an_anonymous_caller_cannot_list_enterprises(api_as, client_a):
    assert_error(api_as(None).get("/enterprises"), 401, "not_authenticated")


def test_another_providers_staff_get_404_for_its_client(api_as, staff_b, client_a):
    assert_error(api_as(staff_b).get(f"/enterprises/{client_a.pk}"), 404, "not_found")


def test_it_returns_an_enterprise_with_its_links(api_as, officer, client_a, provider_a):
    response = api_as(officer).get(f"/enterprises/{client_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["national_id"] == "44556677"
    assert body["id_kind"] == "dni"
    assert body["client_type"] == "small"
    assert body["sector"] == {"code": "garments", "name": "Garments"}
    assert body["city"]["name"] == "Lima"
    assert body["registered_by"]["id"] == provider_a.pk


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "Chiclayo"}, ["Bodega Chiclayo"]),
        ({"sector": "14"}, ["Calzados Pérez"]),
        ({"sector": "Confecciones"}, ["Calzados Pérez"]),
        ({"client_type": "micro"}, ["Bodega Chiclayo"]),
        ({"q": "perez"}, []),  # the name has an accent and the search is plain
        ({"q": "Pérez"}, ["Calzados Pérez"]),
        ({"q": "4455"}, ["Calzados Pérez"]),
    ],
)
def test_it_filters_enterprises(api_as, manager, client_a, client_b, params, expected):
    response = api_as(manager).get("/enterprises", params)

    assert response.status_code == 200
    assert names(response) == expected


def test_it_filters_enterprises_by_size_class(api_as, officer):
    registry.enterprise_create(
        actor=officer, name="Taller", client_type="micro", workers=4, figures_as_of=date(2001, 1, 1)
    )
    registry.enterprise_create(
        actor=officer,
        name="Fábrica",
        client_type="small",
        workers=40,
        figures_as_of=date(2001, 1, 1),
    )

    response = api_as(officer).get("/enterprises", {"size_class": "micro"})

    assert names(response) == ["Taller"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"size_class": "huge"}, "size_class"),
        ({"sector": "mining"}, "sector"),
        ({"city": "Oz"}, "city"),
    ],
)
def test_it_refuses_unknown_names_in_filters(api_as, manager, program, params, field):
    error = assert_error(api_as(manager).get("/enterprises", params), 422, "validation_error")

    assert params[field] in detail_at(error, "query", field)["message"]


def test_listing_enterprises_takes_a_bounded_number_of_queries(
    api_as, manager, provider_a, lima, garments, django_assert_max_num_queries
):
    for number in range(30):
        registry.enterprise_create(
            actor=None,
            name=f"Client {number:02}",
            client_type="micro",
            registered_by=provider_a,
            city=lima,
            sector=garments,
            workers=3,
            figures_as_of=date(2001, 1, 1),
        )
    client = api_as(manager)
    client.get("/me")

    with django_assert_max_num_queries(4):
        response = client.get("/enterprises", {"limit": 20})

    assert len(response.json()["items"]) == 20
    assert response.json()["items"][0]["size_class"]["code"] == "micro"


# Registering


def test_provider_staff_register_a_client_for_their_provider(api_as, staff_a, provider_a):
    response = api_as(staff_a).post("/enterprises", NEW_ENTERPRISE)

    assert response.status_code == 201, response.content
    enterprise = Enterprise.objects.get()
    assert response.json()["id"] == enterprise.pk
    assert enterprise.registered_by == provider_a
    assert enterprise.national_id == "20100047218"
    assert enterprise.id_kind == "ruc"
    assert enterprise.sector.code == "garments"
    assert enterprise.city.name == "Chiclayo"
    assert enterprise.annual_sales == Decimal("40000")
    assert enterprise.size_class.code == "micro"
    assert response.json()["size_class"]["code"] == "micro"
    assert enterprise.history.first().history_user == staff_a


def test_provider_staff_cannot_register_a_client_for_another_provider(api_as, staff_a, provider_b):
    response = api_as(staff_a).post(
        "/enterprises", {**NEW_ENTERPRISE, "registered_by": provider_b.pk}
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "registered_by")
    assert not Enterprise.objects.exists()


def test_the_officer_registers_a_client_for_a_provider(api_as, officer, provider_b):
    response = api_as(officer).post(
        "/enterprises", {**NEW_ENTERPRISE, "registered_by": provider_b.pk}
    )

    assert response.status_code == 201
    assert Enterprise.objects.get().registered_by == provider_b


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_read_only_roles_cannot_register_enterprises(request, api_as, role, program):
    response = api_as(request.getfixturevalue(role)).post("/enterprises", NEW_ENTERPRISE)

    assert_error(response, 403, "permission_denied")
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("bad", ["20100047219", "1234", "ABCDEFGH"])
def test_it_refuses_a_bad_national_id_at_its_field(api_as, officer, program, bad):
    response = api_as(officer).post("/enterprises", {**NEW_ENTERPRISE, "national_id": bad})

    error = assert_error(response, 422, "validation_error")
    assert bad in detail_at(error, "body", "national_id")["message"]
    assert not Enterprise.objects.exists()


def test_it_refuses_a_duplicate_national_id(api_as, officer, client_a):
    response = api_as(officer).post("/enterprises", {**NEW_ENTERPRISE, "national_id": "4455 6677"})

    error = assert_error(response, 422, "validation_error")
    assert error["details"]
    assert Enterprise.objects.filter(national_id="44556677").count() == 1


def test_it_refuses_an_invalid_client_type(api_as, officer, program):
    response = api_as(officer).post("/enterprises", {**NEW_ENTERPRISE, "client_type": "huge"})

    detail = detail_at(assert_error(response, 422, "validation_error"), "body", "client_type")
    assert detail["code"] == "enum"


def test_it_refuses_an_unknown_sector_naming_it(api_as, officer, program):
    response = api_as(officer).post("/enterprises", {**NEW_ENTERPRISE, "sector": "Mining"})

    error = assert_error(response, 422, "validation_error")
    assert "Mining" in detail_at(error, "body", "sector")["message"]


# Changing


def test_provider_staff_change_their_client(api_as, staff_a, client_a):
    response = api_as(staff_a).patch(
        f"/enterprises/{client_a.pk}",
        {"workers": 5, "figures_as_of": "2001-06-30", "city": None, "phone": "01 444"},
    )

    assert response.status_code == 200, response.content
    client_a.refresh_from_db()
    assert client_a.workers == 5
    assert client_a.city is None
    assert client_a.phone == "01 444"
    assert client_a.size_class.code == "micro"
    assert client_a.name == "Calzados Pérez"


def test_another_providers_staff_get_404_when_changing_its_client(api_as, staff_b, client_a):
    response = api_as(staff_b).patch(f"/enterprises/{client_a.pk}", {"workers": 1})

    assert_error(response, 404, "not_found")
    client_a.refresh_from_db()
    assert client_a.workers == 20


def test_an_auditor_cannot_change_an_enterprise(api_as, auditor, client_a):
    response = api_as(auditor).patch(f"/enterprises/{client_a.pk}", {"workers": 1})

    assert_error(response, 403, "permission_denied")
    client_a.refresh_from_db()
    assert client_a.workers == 20


def test_a_client_cannot_be_moved_to_another_provider(api_as, manager, client_a, provider_b):
    response = api_as(manager).patch(
        f"/enterprises/{client_a.pk}", {"registered_by": provider_b.pk}
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "registered_by")


def test_a_patch_with_a_bad_national_id_stores_nothing(api_as, officer, client_a):
    response = api_as(officer).patch(
        f"/enterprises/{client_a.pk}", {"national_id": "20100047219", "workers": 1}
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "national_id")
    client_a.refresh_from_db()
    assert (client_a.national_id, client_a.workers) == ("44556677", 20)
