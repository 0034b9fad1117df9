"""Fixtures for monitoring (the cast and `delivery_row` are in tests/conftest.py)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted in English; the program's default language is Spanish.

    Pages still follow the request's Accept-Language, as Spanish tests check.
    """
    with translation.override("en"):
        yield
