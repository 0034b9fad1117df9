"""Every page and API operation, for every role, against the answer declared in
tests/security/matrix.py; a route without a declared rule fails, as does a rule for a route
that is gone. A denied write changes nothing in the database."""

import json
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from bdsmarket.api import api
from tests.database import database_digest

from .matrix import ACTORS, KNOCKS, LOGIN, ROWS, Outcome, Row, render, url_patterns
from .world import World, world_build

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of tests/security/world.py, built once for the module inside a transaction
    that is rolled back after its last test; each test runs in a savepoint of its own."""
    data_dir = tmp_path_factory.mktemp("matrix")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings = override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=fast)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        world = world_build()
        world.digest = database_digest()
        yield world
        transaction.set_rollback(True)


def client_for(world: World, username: str | None) -> Client:
    """A client logged in as `username` (with a session; None: anonymous)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if username is not None:
        client.force_login(world.cast[username])
    return client


def knock(world: World, row: Row, actor: str) -> tuple[Outcome, bool]:
    """Send `row`'s request as `actor`; return the outcome and, when it is a denied write,
    whether the database changed all the same.

    The request runs in a savepoint rolled back afterwards, so every actor finds the same
    world, whatever the one before it did.
    """
    username, side_name = KNOCKS[actor]
    side = world.sides[side_name]
    kwargs = row.args(side, world, username) if row.args else {}
    data = row.data(side, world, username) if callable(row.data) else (row.data or {})
    client = client_for(world, None if row.api else username)
    with transaction.atomic():
        if row.api:
            path = row.route.format(**kwargs)
            headers = {}
            if username is not None:
                headers["Authorization"] = f"Bearer {world.keys[username]}"
            method = getattr(client, row.method.lower())
            if row.method == "GET":
                query = row.query(side, world, username) if row.query else {}
                response = method(path, query, secure=True, headers=headers)
            else:
                body = json.dumps(data)
                response = method(path, body, "application/json", secure=True, headers=headers)
        else:
            url = reverse(row.route, kwargs=kwargs)
            response = getattr(client, row.method.lower())(url, data, secure=True)
        outcome = outcome_of(row, response)
        changed = row.method in WRITES and denied(outcome) and database_digest() != world.digest
        transaction.set_rollback(True)
    return outcome, changed


def denied(outcome: Outcome) -> bool:
    return outcome == LOGIN or (isinstance(outcome, int) and outcome >= 400)


def outcome_of(row: Row, response) -> Outcome:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("login")):
        return LOGIN
    if row.api and response.status_code == 401:
        return LOGIN
    return response.status_code


def _api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}


def _pages() -> set[str]:
    """Every named URL pattern that is a page: the admin counts as one (its index), and the
    API's operations are checked against the OpenAPI schema instead."""
    operations = {path for path, _method in _api_operations()}
    names = set()
    for name, route in url_patterns():
        if route.startswith("admin/"):
            continue
        as_api_path = "/" + route.replace("<", "{").replace(">", "}")
        if name is None and route == "api/v1/^.*$":
            continue  # the API's answer for unknown paths, tested in tests/api/test_errors.py
        assert name is not None, f"the URL pattern {route} has no name, so no row can declare it"
        if as_api_path in operations:
            continue
        names.add(name)
    return names | {"admin:index"}


def undeclared(rows: list[Row]) -> set[object]:
    """Return the pages and API operations that no row of `rows` declares."""
    pages = _pages() - {row.route for row in rows if not row.api}
    return pages | (_api_operations() - {row.key for row in rows if row.api})


def gone(rows: list[Row]) -> set[object]:
    """Return the routes that rows of `rows` declare and the site no longer has."""
    pages = {row.route for row in rows if not row.api} - _pages()
    return pages | ({row.key for row in rows if row.api} - _api_operations())


def test_every_page_and_api_operation_is_declared():
    assert undeclared(ROWS) == set(), "routes without a row in tests/security/matrix.py"


def test_every_declared_route_exists():
    assert gone(ROWS) == set(), "rows of tests/security/matrix.py for routes that are gone"


def test_a_route_left_out_of_the_table_or_no_longer_there_is_caught():
    without = [row for row in ROWS if row.route not in ("registry:provider_edit", "/api/v1/costs")]
    assert undeclared(without) == {
        "registry:provider_edit",
        ("/api/v1/costs", "GET"),
        ("/api/v1/costs", "POST"),
    }
    stale = Row("registry:provider_delete", "POST", (403,) * 7)
    stale_api = Row("/api/v1/providers/{provider_id}", "DELETE", (403,) * 7)
    assert gone([*ROWS, stale, stale_api]) == {
        "registry:provider_delete",
        ("/api/v1/providers/{provider_id}", "DELETE"),
    }


def test_no_route_and_method_is_declared_twice():
    keys = [row.key for row in ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.method} {row.route}" for row in ROWS])
def test_each_actor_gets_the_declared_answer(world, row):
    wrong = []
    for actor in ACTORS:
        outcome, changed = knock(world, row, actor)
        if outcome != row.outcome(actor):
            wrong.append(f"{actor}: expected {row.outcome(actor)}, got {outcome}")
        if changed:
            wrong.append(f"{actor}: refused ({outcome}) but the database changed")
    assert not wrong, f"{row.method} {row.route}: " + "; ".join(wrong)


def test_the_denied_writes_are_checked_against_a_digest_that_sees_a_change(world):
    """The check of denied writes would see a change: a write that the table declares
    allowed changes the digest."""
    (row,) = [r for r in ROWS if r.key == ("monitoring:delivery_delete", "POST")]
    username, side = KNOCKS["provider_own"]
    client = client_for(world, username)
    with transaction.atomic():
        url = reverse(row.route, kwargs=row.args(world.sides[side], world, username))
        assert client.post(url, secure=True).status_code == 302
        assert database_digest() != world.digest
        transaction.set_rollback(True)
    assert database_digest() == world.digest


def test_docs_security_md_is_the_table():
    docs = Path(__file__).resolve().parents[2] / "docs" / "security.md"
    assert docs.read_text() == render(), (
        "docs/security.md is stale: python -m tests.security.matrix > docs/security.md"
    )
