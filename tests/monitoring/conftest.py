"""Fixtures for monitoring: a way to make valid delivery rows for the cast's providers."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from bdsmarket.monitoring.services import DeliveryInput
from bdsmarket.registry.models import City, Sector


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted in English; the program's default language is Spanish.

    Pages still follow the request's Accept-Language, as Spanish tests check.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def delivery_row(program):
    """Return a function making one valid delivery for a provider (override any field)."""
    lima = City.objects.get(name="Lima")
    garments = Sector.objects.get(code="garments")

    def make(provider, **overrides) -> DeliveryInput:
        values = {
            "provider": provider,
            "date": date(2003, 5, 12),
            "client_id": "44556677",
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": garments,
            "client_city": lima,
            "service_type": "training",
            "service_name": "Costos para confeccionistas",
            "price": Decimal("30.00"),
            "paid_by_client": Decimal("20.00"),
            "paid_by_voucher": Decimal("10.00"),
            "voucher_code": "BP-0001",
        }
        return DeliveryInput(**{**values, **overrides})

    return make
