"""Providers' service catalogues over the API."""

from decimal import Decimal

import pytest

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ProviderService, Sector, ServiceType

from .helpers import assert_error, detail_at

NEW_SERVICE = {
    "service_type": "training",
    "name": "Costing for garment workshops",
    "price": "120.00",
    "sectors": ["garments", "Calzado", "1520"],
}


@pytest.fixture
def service_a(provider_a, garments) -> ProviderService:
    return registry.service_create(
        actor=None,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Basic accounting",
        price=Decimal("80"),
        sectors=[garments],
    )


@pytest.fixture
def service_b(provider_b) -> ProviderService:
    return registry.service_create(
        actor=None,
        provider=provider_b,
        service_type=ServiceType.TECHNICAL_ASSISTANCE,
        name="Plant layout",
        price=Decimal("300"),
        active=False,
    )


def names(response) -> list[str]:
    body = response.json()
    return [item["name"] for item in (body["items"] if isinstance(body, dict) else body)]


# Reading


def test_it_returns_a_providers_catalogue(api_as, staff_a, provider_a, service_a):
    response = api_as(staff_a).get(f"/providers/{provider_a.pk}/services")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": service_a.pk,
            "provider": {"id": provider_a.pk, "code": "CDE-LIM-01", "name": "Centro Lima Norte"},
            "service_type": "training",
            "name": "Basic accounting",
            "description": "",
            "sectors": [{"code": "garments", "name": "Garments"}],
            "price": "80.00",
            "active": True,
        }
    ]


def test_another_providers_staff_get_404_for_its_catalogue(api_as, staff_b, provider_a, service_a):
    assert_error(api_as(staff_b).get(f"/providers/{provider_a.pk}/services"), 404, "not_found")


def test_another_providers_staff_get_404_for_its_service(api_as, staff_b, service_a):
    assert_error(api_as(staff_b).get(f"/services/{service_a.pk}"), 404, "not_found")


def test_provider_staff_list_only_their_services(api_as, staff_a, service_a, service_b):
    response = api_as(staff_a).get("/services")

    assert response.json()["count"] == 1
    assert names(response) == ["Basic accounting"]


@pytest.mark.parametrize("role", ["manager", "officer", "evaluator", "auditor"])
def test_program_wide_roles_list_every_service(request, api_as, role, service_a, service_b):
    response = api_as(request.getfixturevalue(role)).get("/services")

    assert response.json()["count"] == 2


def test_an_anonymous_caller_cannot_list_services(api_as, service_a):
    assert_error(api_as(None).get("/services"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service_type": "training"}, ["Basic accounting"]),
        ({"active": "false"}, ["Plant layout"]),
        ({"active": "true"}, ["Basic accounting"]),
    ],
)
def test_it_filters_services(api_as, manager, service_a, service_b, params, expected):
    assert names(api_as(manager).get("/services", params)) == expected


def test_it_filters_services_by_provider(api_as, manager, provider_b, service_a, service_b):
    assert names(api_as(manager).get("/services", {"provider": provider_b.pk})) == ["Plant layout"]


def test_it_refuses_an_unknown_service_type_filter(api_as, manager, service_a):
    response = api_as(manager).get("/services", {"service_type": "coaching"})

    assert detail_at(assert_error(response, 422, "validation_error"), "query", "service_type")


def test_listing_services_takes_a_bounded_number_of_queries(
    api_as, manager, provider_a, garments, django_assert_max_num_queries
):
    sectors = list(Sector.objects.all())
    for number in range(30):
        registry.service_create(
            actor=None,
            provider=provider_a,
            service_type=ServiceType.TRAINING,
            name=f"Course {number}",
            price=Decimal(number),
            sectors=sectors[:3],
        )
    client = api_as(manager)
    client.get("/me")

    with django_assert_max_num_queries(5):
        response = client.get("/services", {"limit": 20})

    assert len(response.json()["items"]) == 20
    assert len(response.json()["items"][0]["sectors"]) == 3


# Writing


def test_provider_staff_add_a_service_to_their_catalogue(api_as, staff_a, provider_a):
    response = api_as(staff_a).post(f"/providers/{provider_a.pk}/services", NEW_SERVICE)

    assert response.status_code == 201, response.content
    service = ProviderService.objects.get(name="Costing for garment workshops")
    assert service.provider == provider_a
    assert service.price == Decimal("120.00")
    assert service.active
    assert sorted(sector.code for sector in service.sectors.all()) == ["footwear", "garments"]
    assert service.history.first().history_user == staff_a


def test_the_manager_adds_a_service_to_any_catalogue(api_as, manager, provider_b):
    response = api_as(manager).post(f"/providers/{provider_b.pk}/services", NEW_SERVICE)

    assert response.status_code == 201
    assert ProviderService.objects.get().provider == provider_b


def test_another_providers_staff_get_404_when_adding_to_its_catalogue(api_as, staff_b, provider_a):
    response = api_as(staff_b).post(f"/providers/{provider_a.pk}/services", NEW_SERVICE)

    assert_error(response, 404, "not_found")
    assert not ProviderService.objects.exists()


@pytest.mark.parametrize("role", ["officer", "evaluator", "auditor"])
def test_roles_without_the_catalogue_cannot_add_services(request, api_as, role, provider_a):
    response = api_as(request.getfixturevalue(role)).post(
        f"/providers/{provider_a.pk}/services", NEW_SERVICE
    )

    assert_error(response, 403, "permission_denied")
    assert not ProviderService.objects.exists()


def test_it_refuses_an_unknown_sector_at_its_place_in_the_list(api_as, staff_a, provider_a):
    response = api_as(staff_a).post(
        f"/providers/{provider_a.pk}/services", {**NEW_SERVICE, "sectors": ["garments", "mining"]}
    )

    error = assert_error(response, 422, "validation_error")
    assert "mining" in detail_at(error, "body", "sectors", 1)["message"]
    assert not ProviderService.objects.exists()


def test_it_refuses_a_negative_price(api_as, staff_a, provider_a):
    response = api_as(staff_a).post(
        f"/providers/{provider_a.pk}/services", {**NEW_SERVICE, "price": -5}
    )

    detail_at(assert_error(response, 422, "validation_error"), "body", "price")


def test_it_refuses_a_price_that_is_not_a_number(api_as, staff_a, provider_a):
    response = api_as(staff_a).post(
        f"/providers/{provider_a.pk}/services", {**NEW_SERVICE, "price": "cheap"}
    )

    detail = detail_at(assert_error(response, 422, "validation_error"), "body", "price")
    assert "cheap" in detail["message"]


def test_provider_staff_change_their_service(api_as, staff_a, service_a):
    response = api_as(staff_a).patch(
        f"/services/{service_a.pk}", {"price": 95, "active": False, "sectors": ["commerce"]}
    )

    assert response.status_code == 200, response.content
    assert response.json()["sectors"] == [{"code": "commerce", "name": "Commerce"}]
    service_a.refresh_from_db()
    assert service_a.price == Decimal("95")
    assert not service_a.active
    assert [sector.code for sector in service_a.sectors.all()] == ["commerce"]
    assert service_a.name == "Basic accounting"


def test_another_providers_staff_get_404_when_changing_its_service(api_as, staff_b, service_a):
    response = api_as(staff_b).patch(f"/services/{service_a.pk}", {"price": 1})

    assert_error(response, 404, "not_found")
    service_a.refresh_from_db()
    assert service_a.price == Decimal("80")


@pytest.mark.parametrize("role", ["officer", "evaluator", "auditor"])
def test_roles_without_the_catalogue_cannot_change_a_service(request, api_as, role, service_a):
    response = api_as(request.getfixturevalue(role)).patch(
        f"/services/{service_a.pk}", {"price": 1}
    )

    assert_error(response, 403, "permission_denied")
    service_a.refresh_from_db()
    assert service_a.price == Decimal("80")


def test_a_service_cannot_move_to_another_provider(api_as, manager, service_a, provider_b):
    response = api_as(manager).patch(f"/services/{service_a.pk}", {"provider": provider_b.pk})

    assert_error(response, 422, "validation_error")
    service_a.refresh_from_db()
    assert service_a.provider_id != provider_b.pk
