"""The program manager sets targets in the admin; nobody else uses it."""

from datetime import date
from decimal import Decimal

from bdsmarket.indicators.models import Target


def test_the_manager_sets_a_target_for_the_program(login, manager):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = login(manager)

    response = client.post(
        "/admin/indicators/target/add/",
        {
            "indicator": "women_share",
            "first_month": "2003-01-01",
            "last_month": "2003-12-01",
            "value": "0.5",
            "note": "Half of the clients women",
        },
    )

    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.indicator, target.provider, target.value) == (
        "women_share",
        None,
        Decimal("0.5"),
    )
    assert (target.first_month, target.created_by) == (date(2003, 1, 1), manager)


def test_the_officer_has_no_admin_of_targets(login, officer):
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])

    assert login(officer).get("/admin/indicators/target/").status_code in (302, 403)
