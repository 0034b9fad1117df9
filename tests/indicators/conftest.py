"""The reports of the indicator pages' tests: three providers, two approved months and one
month submitted and waiting (the cast and `delivery_row` are in tests/conftest.py).

    provider_a   Lima, NGO        May and June approved (a client returns in June), July
                                  submitted; cost reports in May and June
    provider_b   Chiclayo, firm   May and June approved, no cost report
    provider_c   Lima, firm       May approved
"""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.monitoring import services
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import LegalType, Provider, ProviderStatus

from .page_data import JULY, JUNE, MAY, TODAY, approve, costs, report, store


@pytest.fixture
def provider_c(lima) -> Provider:
    return registry.provider_create(
        actor=None,
        code="CDE-LIM-02",
        name="Centro Lima Sur",
        legal_type=LegalType.FIRM,
        city=lima,
        status=ProviderStatus.ACTIVE,
        selection_round=1,
    )


@pytest.fixture
def reported(
    staff_a, staff_b, officer, manager, provider_a, provider_b, provider_c, delivery_row, chiclayo
):
    """The three providers' months (see the module's docstring); returns the providers."""
    cheap = {"price": Decimal("10.00"), "paid_by_client": Decimal("10.00")}
    free = {"paid_by_voucher": Decimal(0), "voucher_code": ""}
    store(
        staff_a,
        delivery_row(provider_a, reference="A-1"),
        delivery_row(provider_a, reference="A-2", client_id="C-2", client_type="small",
                     client_gender="male", **cheap, **free),
        delivery_row(provider_a, reference="A-3", client_id="C-3", client_type="institution",
                     client_gender="na", price=Decimal("200.00"), paid_by_client=Decimal(0),
                     paid_by_voucher=Decimal(0), voucher_code="",
                     paid_by_third_party=Decimal("200.00"), third_party="Municipalidad"),
        delivery_row(provider_a, reference="A-4", date=date(2003, 6, 3)),
        delivery_row(provider_a, reference="A-5", date=date(2003, 6, 9), client_id="C-5",
                     client_type="pre_enterprise", service_type="technical_assistance", **cheap,
                     **free),
        delivery_row(provider_a, reference="A-6", date=date(2003, 7, 2), client_id="C-6"),
    )  # fmt: skip
    costs(staff_a, provider_a, MAY, "150.00", other_income="20.00")
    costs(staff_a, provider_a, JUNE, "40.00")
    store(
        staff_b,
        delivery_row(provider_b, reference="B-1", client_id="B-1", client_city=chiclayo),
        delivery_row(provider_b, reference="B-2", client_id="B-2", client_city=chiclayo,
                     client_gender="male", **cheap, **free),
        delivery_row(provider_b, reference="B-3", client_id="B-3", client_city=chiclayo,
                     date=date(2003, 6, 20), client_type="small", **cheap, **free),
    )  # fmt: skip
    store(
        manager,
        delivery_row(provider_c, reference="C-1", client_id="L-1", **cheap, **free),
    )
    for provider, staff in ((provider_a, staff_a), (provider_b, staff_b)):
        for month in (MAY, JUNE):
            approve(staff, officer, report(provider, month))
    approve(manager, officer, report(provider_c, MAY))
    services.submission_submit(actor=staff_a, submission=report(provider_a, JULY))
    return provider_a, provider_b, provider_c


@pytest.fixture
def today(monkeypatch):
    """The program's today for the pages: 20 August 2003."""
    monkeypatch.setattr("bdsmarket.indicators.views.program_today", lambda: TODAY)
    return TODAY
