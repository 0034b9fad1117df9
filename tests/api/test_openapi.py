"""The OpenAPI schema and docs/api.md: every endpoint is described in both."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

ENDPOINTS = {
    "GET /api/v1/me",
    "GET /api/v1/me/token",
    "GET /api/v1/cities",
    "GET /api/v1/sectors",
    "GET /api/v1/size-classes",
    "GET /api/v1/providers",
    "POST /api/v1/providers",
    "GET /api/v1/providers/{provider_id}",
    "PATCH /api/v1/providers/{provider_id}",
    "POST /api/v1/providers/{provider_id}/status",
    "GET /api/v1/providers/{provider_id}/status-history",
    "GET /api/v1/providers/{provider_id}/services",
    "POST /api/v1/providers/{provider_id}/services",
    "GET /api/v1/services",
    "GET /api/v1/services/{service_id}",
    "PATCH /api/v1/services/{service_id}",
    "GET /api/v1/enterprises",
    "POST /api/v1/enterprises",
    "GET /api/v1/enterprises/{enterprise_id}",
    "PATCH /api/v1/enterprises/{enterprise_id}",
    "GET /api/v1/organizations",
    "GET /api/v1/deliveries",
    "POST /api/v1/deliveries",
    "GET /api/v1/costs",
    "POST /api/v1/costs",
    "GET /api/v1/indicators",
    "GET /api/v1/indicators/benchmark",
    "GET /api/v1/indicators/definitions",
    "GET /api/v1/incentives/statements",
    "GET /api/v1/incentives/statements/{statement_id}",
    "GET /api/v1/incentives/schemes",
    "GET /api/v1/incentives/schemes/{scheme_id}",
    "GET /api/v1/incentives/batches/{batch_id}",
    "POST /api/v1/incentives/simulations",
}


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/v1/openapi.json", secure=True)
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def test_the_schema_lists_every_endpoint(schema):
    assert set(operations(schema)) == ENDPOINTS


def test_every_operation_has_a_summary_a_tag_and_documented_errors(schema):
    for name, operation in operations(schema).items():
        assert operation.get("summary"), name
        assert operation.get("tags"), name
        assert "401" in operation["responses"], name
        error = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorOut"}, name


def test_every_operation_takes_a_token_or_a_session(schema):
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for name, operation in operations(schema).items():
        assert {"ApiTokenAuth": []} in operation["security"], name
        assert {"BrowserSessionAuth": []} in operation["security"], name


def test_choices_are_documented_as_their_codes(schema):
    components = schema["components"]["schemas"]

    assert components["LegalType"]["enum"] == [
        "ngo",
        "firm",
        "individual",
        "public_institute",
        "university",
        "other",
    ]
    assert "suspended" in components["ProviderStatus"]["enum"]
    assert "technical_assistance" in components["ServiceType"]["enum"]


def test_the_interactive_docs_page_renders(db):
    response = Client().get("/api/v1/docs", secure=True)

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_api_root_leads_to_the_docs(db):
    response = Client().get("/api/v1/", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"


def test_docs_api_md_describes_every_endpoint(schema):
    text = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"`((?:GET|POST|PATCH|PUT|DELETE) /api/v1/[^`\s]*)`", text))

    missing = sorted(set(operations(schema)) - documented)
    assert missing == [], "add these endpoints to docs/api.md"
    stale = sorted(documented - set(operations(schema)))
    assert stale == [], "docs/api.md names endpoints that no longer exist"
