"""Clients for the REST API: a token client per user, an anonymous one, a browser session."""

from collections.abc import Callable

import pytest
from django.test import Client

from bdsmarket.core.models import User
from bdsmarket.core.services import api_token_create

from .helpers import ApiClient


@pytest.fixture
def api_as() -> Callable[..., ApiClient]:
    """Return a function giving an API client for a user's fresh token (None: anonymous)."""

    def make(user: User | None, language: str = "en") -> ApiClient:
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return ApiClient(Client(**headers))

    return make


@pytest.fixture
def session_as() -> Callable[..., ApiClient]:
    """Return a function giving an API client logged in with a browser session (CSRF on)."""

    def make(user: User, language: str = "en") -> ApiClient:
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return ApiClient(client)

    return make
