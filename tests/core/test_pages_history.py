"""The audit trail as the pages show it: who, when, which field, before and after."""

from datetime import date

import pytest
from django.utils import translation

from bdsmarket.core.history import changed_field_names, history_rows, with_m2m_rows
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import ProviderService, ProviderStatus, ServiceType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Field names and labels are asserted in English; the default language is Spanish."""
    with translation.override("en"):
        yield


def test_it_names_the_person_the_field_and_both_values(manager, provider_a, chiclayo):
    registry.provider_update(
        actor=manager, provider=provider_a, changes={"city": chiclayo, "staff_count": 7}
    )
    rows = history_rows(provider_a.history.all())
    changed = {row.field: (row.who, row.before, row.after) for row in rows if row.field}
    assert changed["city"] == ("manager", "Lima", "Chiclayo")
    assert changed["staff"] == ("manager", "—", "7")
    assert rows[-1].action == "created" and rows[-1].who == "system"


def test_it_shows_status_changes_with_their_labels(manager, provider_a):
    registry.provider_change_status(
        actor=manager,
        provider=provider_a,
        status=ProviderStatus.SUSPENDED,
        on=date.today(),
        reason="No reports",
    )
    rows = history_rows(provider_a.history.all())
    status = next(row for row in rows if row.field == "status")
    assert (status.before, status.after) == ("Active", "Suspended")


def test_it_shows_sectors_added_to_a_service(manager, provider_a, garments):
    service = registry.service_create(
        actor=manager,
        provider=provider_a,
        service_type=ServiceType.TRAINING,
        name="Costing",
        price=10,
    )
    registry.service_update(actor=manager, service=service, changes={"sectors": [garments]})
    with translation.override("en"):
        rows = history_rows(
            with_m2m_rows(ProviderService.history.filter(id=service.pk)), record_labels=True
        )
    sectors = next(row for row in rows if row.field == "sectors served")
    assert (sectors.before, sectors.after) == ("—", "Garments")
    assert sectors.record == "Service: Costing"


def test_a_save_that_changes_nothing_gives_no_row(manager, provider_a):
    registry.provider_update(actor=manager, provider=provider_a, changes={})
    rows = history_rows(provider_a.history.all())
    assert [row.action for row in rows] == ["created"]


def test_changed_field_names_lists_what_one_save_changed(manager, provider_a):
    registry.provider_update(
        actor=manager, provider=provider_a, changes={"phone": "1", "email": "a@example.org"}
    )
    assert sorted(changed_field_names(provider_a.history.first())) == ["e-mail", "phone"]
