"""Helpers for the API tests: a JSON client and assertions on the error shape."""

from typing import Any

from django.test import Client

BASE = "/api/v1"


class ApiClient:
    """A test client that talks JSON to /api/v1/ and returns Django's test responses.

    Requests go over HTTPS, as in production (where plain HTTP is redirected).
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, params: dict[str, Any] | None = None, headers=None):
        return self.client.get(BASE + path, params or {}, secure=True, headers=headers)

    def post(self, path: str, body: Any = None, headers=None):
        return self.client.post(
            BASE + path,
            body if body is not None else {},
            "application/json",
            secure=True,
            headers=headers,
        )

    def patch(self, path: str, body: Any = None, headers=None):
        return self.client.patch(
            BASE + path,
            body if body is not None else {},
            "application/json",
            secure=True,
            headers=headers,
        )

    def request(self, method: str, path: str, headers=None):
        return getattr(self.client, method.lower())(BASE + path, secure=True, headers=headers)


def assert_error(response, status: int, code: str) -> dict[str, Any]:
    """Assert `response` is an error in the API's one shape; return its `error` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def detail_at(error: dict[str, Any], *loc: str | int) -> dict[str, Any]:
    """Return the first detail of `error` located at `loc`, failing when there is none."""
    for detail in error["details"]:
        if detail["loc"] == list(loc):
            assert set(detail) == {"loc", "message", "code"}
            return detail
    raise AssertionError(f"no detail at {list(loc)} in {error['details']}")
