"""Who sees and does what with incentives: a provider sees its own statements only."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from bdsmarket.incentives import permissions, services
from bdsmarket.incentives.models import Statement

from .conftest import MAY


@pytest.fixture
def computed(months, scheme, officer):
    services.statements_compute(actor=officer, month=MAY)
    return months


def codes(statements) -> list[str]:
    return sorted(statements.values_list("provider__code", flat=True))


def test_a_provider_sees_only_its_own_statements(computed, staff_a, staff_b):
    assert codes(permissions.statements_visible_to(staff_a)) == ["CDE-LIM-01"]
    assert codes(permissions.statements_visible_to(staff_b)) == ["CDE-CIX-01"]


def test_the_program_and_its_auditors_see_every_statement_evaluators_none(
    computed, manager, officer, auditor, evaluator
):
    for user in (manager, officer, auditor):
        assert codes(permissions.statements_visible_to(user)) == ["CDE-CIX-01", "CDE-LIM-01"]
    assert codes(permissions.statements_visible_to(evaluator)) == []


def test_provider_staff_can_neither_compute_approve_nor_pay(computed, staff_a, officer, auditor):
    statement = Statement.objects.get(provider=computed[0])
    with pytest.raises(PermissionDenied):
        services.statements_compute(actor=staff_a, month=MAY)
    for user in (staff_a, officer, auditor):
        with pytest.raises(PermissionDenied):
            services.statement_approve(actor=user, statement=statement)
        with pytest.raises(PermissionDenied):
            services.payment_batch_create(actor=user)
    statement.refresh_from_db()
    assert statement.status == "computed"


def test_a_provider_sees_its_own_package_only(manager, staff_a, provider_a, provider_b):
    for provider in (provider_a, provider_b):
        services.package_create(actor=manager, provider=provider, starts_on=date(2003, 1, 1))
    assert [p.provider for p in permissions.packages_visible_to(staff_a)] == [provider_a]
