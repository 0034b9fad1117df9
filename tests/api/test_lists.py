"""The reference lists and business organizations over the API."""

import pytest

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import OrganizationKind, Sector

from .helpers import assert_error, detail_at

ROLES = ["manager", "officer", "evaluator", "auditor", "staff_a"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_cities(request, api_as, role):
    response = api_as(request.getfixturevalue(role)).get("/cities")

    assert response.status_code == 200
    cities = {city["name"]: city for city in response.json()}
    assert set(cities) == {"Arequipa", "Chiclayo", "Huancayo", "Huánuco", "Lima", "Trujillo"}
    assert cities["Lima"]["is_capital"] is True
    assert cities["Huánuco"]["region"] == "Huánuco"


@pytest.mark.parametrize("path", ["/cities", "/sectors", "/size-classes", "/organizations"])
def test_an_anonymous_caller_cannot_read_the_lists(api_as, program, path):
    assert_error(api_as(None).get(path), 401, "not_authenticated")


def test_it_lists_the_sectors_with_their_isic_codes(api_as, officer):
    response = api_as(officer).get("/sectors")

    assert response.status_code == 200
    sectors = {sector["code"]: sector for sector in response.json()}
    assert len(sectors) == Sector.objects.count()
    assert sectors["agroindustry"]["isic_codes"] == ["10", "11"]
    assert sectors["garments"]["name"] == "Garments"
    assert sectors["garments"]["name_es"] == "Confecciones"
    assert sectors["garments"]["is_manufacturing"] is True


def test_it_names_sectors_in_the_requests_language(api_as, officer):
    response = api_as(officer, language="es").get("/sectors")

    garments = next(sector for sector in response.json() if sector["code"] == "garments")
    assert garments["name"] == "Confecciones"


def test_it_lists_the_size_classes_with_their_bounds(api_as, staff_a):
    response = api_as(staff_a).get("/size-classes")

    assert response.status_code == 200
    micro = next(item for item in response.json() if item["code"] == "micro")
    assert micro["max_workers"] == 10
    assert micro["max_annual_sales"] == "60000.00"
    assert micro["valid_from"] == "1994-01-01"
    assert micro["valid_to"] == "2002-12-31"


@pytest.fixture
def organizations(lima, garments):
    chamber = registry.organization_create(
        actor=None,
        name="Cámara de Comercio de Lima",
        kind=OrganizationKind.CHAMBER,
        city=lima,
        sectors=[garments],
        member_count=1200,
    )
    network = registry.organization_create(
        actor=None, name="Red de CDE", kind=OrganizationKind.NETWORK
    )
    return chamber, network


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_business_organizations(request, api_as, role, organizations):
    response = api_as(request.getfixturevalue(role)).get("/organizations")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    chamber = response.json()["items"][0]
    assert chamber["name"] == "Cámara de Comercio de Lima"
    assert chamber["kind"] == "chamber"
    assert chamber["sectors"] == [{"code": "garments", "name": "Garments"}]
    assert chamber["city"]["name"] == "Lima"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "network"}, ["Red de CDE"]),
        ({"city": "lima"}, ["Cámara de Comercio de Lima"]),
        ({"q": "red"}, ["Red de CDE"]),
    ],
)
def test_it_filters_organizations(api_as, officer, organizations, params, expected):
    response = api_as(officer).get("/organizations", params)

    assert [item["name"] for item in response.json()["items"]] == expected


def test_it_refuses_an_unknown_organization_kind(api_as, officer, organizations):
    response = api_as(officer).get("/organizations", {"kind": "club"})

    detail_at(assert_error(response, 422, "validation_error"), "query", "kind")


def test_listing_organizations_takes_a_bounded_number_of_queries(
    api_as, officer, lima, django_assert_max_num_queries
):
    sectors = list(Sector.objects.all())
    for number in range(25):
        registry.organization_create(
            actor=None,
            name=f"Asociación {number:02}",
            kind=OrganizationKind.ASSOCIATION,
            city=lima,
            sectors=sectors[:2],
        )
    client = api_as(officer)
    client.get("/me")

    with django_assert_max_num_queries(5):
        response = client.get("/organizations", {"limit": 10})

    assert response.json()["count"] == 25


def test_listing_the_reference_lists_takes_one_query_each(
    api_as, officer, django_assert_max_num_queries
):
    client = api_as(officer)
    client.get("/me")

    for path in ("/cities", "/sectors", "/size-classes"):
        with django_assert_max_num_queries(2):
            assert client.get(path).status_code == 200
