"""Every error leaves the API in one shape: {"error": {"code", "message", "details"}}."""

import pytest
from django.test import Client

from bdsmarket.core.services import api_token_create
from bdsmarket.registry import services as registry

from .helpers import ApiClient, assert_error, detail_at


def test_a_wrong_method_is_a_405_in_the_error_shape(api_as, manager):
    response = api_as(manager).request("DELETE", "/providers")

    error = assert_error(response, 405, "method_not_allowed")
    assert "DELETE" in error["message"]
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_an_unknown_path_is_a_404_in_the_error_shape(api_as, manager):
    assert_error(api_as(manager).get("/providerz"), 404, "not_found")


def test_a_non_numeric_id_is_a_422_at_the_path(api_as, manager, program):
    error = assert_error(api_as(manager).get("/providers/abc"), 422, "validation_error")

    detail_at(error, "path", "provider_id")


def test_a_body_that_is_not_json_is_a_400(api_as, manager, program):
    response = api_as(manager).client.post(
        "/api/v1/providers", "{not json", content_type="application/json", secure=True
    )

    assert_error(response, 400, "bad_request")


def test_a_body_that_is_not_an_object_is_a_422(api_as, manager, program):
    response = api_as(manager).post("/providers", ["a", "list"])

    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["loc"] == ["body"]


def test_a_server_error_is_a_500_in_the_error_shape(manager, program, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registry, "provider_update", broken)
    _token, key = api_token_create(user=manager, name="tests")
    client = ApiClient(Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}"))
    provider = registry.provider_create(
        actor=None, code="X-1", name="X", legal_type="firm", city=registry.city_create(name="Ica")
    )

    response = client.patch(f"/providers/{provider.pk}", {"phone": "1"})

    error = assert_error(response, 500, "server_error")
    assert "disk on fire" not in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tax_id": "20100047219"}, "tax_id"),
        ({"code": "CDE-LIM-01"}, "code"),
        ({"city": "Ciudad Perdida"}, "city"),
        ({"legal_type": "cooperativa"}, "legal_type"),
        ({"staff_count": -1}, "staff_count"),
    ],
)
def test_a_spanish_request_gets_the_error_shape_with_the_field(
    api_as, manager, provider_a, body, field
):
    new = {"code": "N-1", "name": "Nuevo", "legal_type": "ngo", "city": "Lima", **body}

    response = api_as(manager, language="es").post("/providers", new)

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", field)["message"]
    assert response["Content-Language"] == "es"


def test_a_spanish_request_for_a_hidden_record_gets_a_404_in_the_shape(api_as, staff_b, provider_a):
    response = api_as(staff_b, language="es").get(f"/providers/{provider_a.pk}")

    assert_error(response, 404, "not_found")
    assert response["Content-Language"] == "es"


def test_a_spanish_request_succeeds(api_as, staff_a, provider_a):
    response = api_as(staff_a, language="es").get("/providers")

    assert response.status_code == 200
    assert response["Content-Language"] == "es"


def test_an_english_request_gets_english_messages(api_as, manager, program):
    response = api_as(manager, language="en").post("/providers", {"code": "X"})

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "body", "name")["message"] == "This field is required."
    assert response["Content-Language"] == "en"
