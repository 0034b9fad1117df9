"""The page, the API and the commands list the same rows for the same filters: each door
parses its input into one read function (registry.queries.provider_list, enterprise_list)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ClientType, Enterprise, SizeClass

pytestmark = pytest.mark.django_db

RUC = "20100047218"


@pytest.fixture
def rosa(provider_a, garments, lima) -> Enterprise:
    return registry.enterprise_create(
        actor=None,
        name="Confecciones Rosa",
        client_type=ClientType.MICRO,
        national_id=RUC,
        registered_by=provider_a,
        sector=garments,
        city=lima,
        workers=4,
        annual_sales=Decimal("30000"),
        figures_as_of=date(2000, 6, 1),
    )


@pytest.fixture
def later_micro(program) -> Enterprise:
    """A micro-enterprise classified by the size table in force from 2003."""
    registry.size_class_create(
        code="micro",
        name_en="Micro-enterprise",
        name_es="Microempresa",
        rank=1,
        max_workers=10,
        max_annual_sales=Decimal("150000"),
        valid_from=date(2003, 1, 1),
    )
    return registry.enterprise_create(
        actor=None,
        name="Panadería Sol",
        client_type=ClientType.MICRO,
        workers=3,
        annual_sales=Decimal("20000"),
        figures_as_of=date(2004, 3, 1),
    )


def page_names(client, params) -> list[str]:
    response = client.get(reverse("registry:enterprise_list"), params)
    assert response.status_code == 200
    return [enterprise.name for enterprise in response.context["page"].object_list]


def api_names(api, path, params) -> list[str]:
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("typed", ["20-100 047 218", "20.100.047", "20100047218", " 2010 "])
def test_a_national_id_typed_with_dashes_finds_the_same_enterprise_on_the_page_and_the_api(
    login, api_as, officer, rosa, typed
):
    assert page_names(login(officer), {"q": typed}) == ["Confecciones Rosa"]
    assert api_names(api_as(officer), "/enterprises", {"q": typed}) == ["Confecciones Rosa"]


def test_a_size_class_code_finds_its_class_in_every_table_on_the_page_and_the_api(
    login, api_as, officer, rosa, later_micro
):
    assert later_micro.size_class.valid_from == date(2003, 1, 1)
    assert rosa.size_class.valid_from == date(1994, 1, 1)
    expected = ["Confecciones Rosa", "Panadería Sol"]

    assert sorted(page_names(login(officer), {"size_class": "micro"})) == expected
    assert sorted(api_names(api_as(officer), "/enterprises", {"size_class": "micro"})) == expected


def test_a_size_class_id_is_read_as_its_code_by_both_doors(
    login, api_as, officer, rosa, later_micro
):
    old_micro = SizeClass.objects.get(code="micro", valid_from=date(1994, 1, 1))
    expected = ["Confecciones Rosa", "Panadería Sol"]

    assert sorted(page_names(login(officer), {"size_class": old_micro.pk})) == expected
    assert sorted(api_names(api_as(officer), "/enterprises", {"size_class": old_micro.pk})) == (
        expected
    )


def test_the_page_offers_each_size_class_code_once(login, officer, rosa, later_micro):
    response = login(officer).get(reverse("registry:enterprise_list"))
    choices = [value for value, _label in response.context["form"].fields["size_class"].choices]
    assert choices == ["", "micro", "small"]


@pytest.mark.parametrize(
    "params",
    [{"q": "cde"}, {"status": "active"}, {"legal_type": "ngo"}, {"selection_round": 1}, {}],
)
def test_the_provider_list_is_the_same_on_the_page_and_the_api(
    login, api_as, manager, provider_a, provider_b, params
):
    response = login(manager).get(reverse("registry:provider_list"), params)
    on_page = [provider.code for provider in response.context["page"].object_list]
    over_api = [item["code"] for item in api_as(manager).get("/providers", params).json()["items"]]
    assert on_page == over_api


def test_the_provider_list_filters_by_city_the_same_on_the_page_and_the_api(
    login, api_as, manager, provider_a, provider_b, chiclayo
):
    response = login(manager).get(reverse("registry:provider_list"), {"city": chiclayo.pk})
    on_page = [provider.code for provider in response.context["page"].object_list]
    over_api = [
        item["code"]
        for item in api_as(manager).get("/providers", {"city": "Chiclayo"}).json()["items"]
    ]
    assert on_page == over_api == [provider_b.code]


def test_an_evaluator_is_refused_enterprises_by_the_page_and_the_api(login, api_as, evaluator):
    assert login(evaluator).get(reverse("registry:enterprise_list")).status_code == 403
    assert api_as(evaluator).get("/enterprises").status_code == 403
