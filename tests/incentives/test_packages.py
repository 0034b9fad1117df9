"""Support packages: commitments by component, payments against them, balances."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bdsmarket.incentives import queries, services
from bdsmarket.incentives.models import Budget, Component, Payment


@pytest.fixture
def package(manager, provider_a):
    package = services.package_create(
        actor=manager, provider=provider_a, starts_on=date(2002, 6, 1)
    )
    services.commitment_add(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        label="First tranche",
        amount=D("8000.00"),
        due_on=date(2002, 7, 1),
    )
    services.commitment_add(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        label="Second tranche",
        amount=D("7000.00"),
        milestone="Three courses a month for six months",
    )
    services.commitment_add(
        actor=manager,
        package=package,
        component=Component.TECHNICAL_ASSISTANCE,
        label="Advice on costing",
        hours=120,
    )
    return package


def commitment(package, label):
    return package.commitments.get(label=label)


def test_a_tranche_tied_to_a_milestone_waits_for_it(manager, package):
    second = commitment(package, "Second tranche")
    with pytest.raises(ValidationError, match="milestone is not met"):
        services.payment_record(
            actor=manager,
            package=package,
            component="investment",
            amount=D("7000.00"),
            paid_on=date(2003, 1, 5),
            commitment=second,
        )
    services.milestone_met(actor=manager, commitment=second, on=date(2003, 1, 2))
    services.payment_record(
        actor=manager,
        package=package,
        component="investment",
        amount=D("7000.00"),
        paid_on=date(2003, 1, 5),
        commitment=second,
    )
    assert Payment.objects.filter(commitment=second).count() == 1


def test_no_commitment_is_overpaid(manager, package):
    first = commitment(package, "First tranche")
    services.payment_record(
        actor=manager,
        package=package,
        component="investment",
        amount=D("5000.00"),
        paid_on=date(2002, 7, 1),
        commitment=first,
    )
    with pytest.raises(ValidationError, match=r"1000\.00 more than was committed"):
        services.payment_record(
            actor=manager,
            package=package,
            component="investment",
            amount=D("4000.00"),
            paid_on=date(2002, 8, 1),
            commitment=first,
        )
    assert Payment.objects.count() == 1


def test_incentives_are_paid_only_through_statements(manager, package):
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=manager,
            package=package,
            component="incentives",
            amount=D("10.00"),
            paid_on=date(2003, 1, 1),
        )


def test_the_balances_add_up_by_component_and_against_the_budget(manager, package):
    Budget.objects.create(component=Component.INVESTMENT, amount=D("100000.00"))
    services.payment_record(
        actor=manager,
        package=package,
        component="investment",
        amount=D("8000.00"),
        paid_on=date(2002, 7, 1),
        commitment=commitment(package, "First tranche"),
    )
    services.payment_record(
        actor=manager,
        package=package,
        component="technical_assistance",
        amount=D("0"),
        hours=30,
        paid_on=date(2002, 9, 1),
        commitment=commitment(package, "Advice on costing"),
    )

    balances = {b.component: b for b in queries.package_balances(package)}
    assert (balances["investment"].committed, balances["investment"].paid) == (
        D("15000.00"),
        D("8000.00"),
    )
    assert balances["investment"].balance == D("7000.00")
    assert (
        balances["technical_assistance"].hours_committed,
        balances["technical_assistance"].hours_paid,
    ) == (120, 30)
    program = {b.component: b for b in queries.program_balances()}
    assert (program["investment"].budget, program["investment"].committed) == (
        D("100000.00"),
        D("15000.00"),
    )
    assert program["investment"].uncommitted == D("85000.00")


def test_only_the_manager_keeps_the_packages(officer, provider_b):
    with pytest.raises(PermissionDenied):
        services.package_create(actor=officer, provider=provider_b, starts_on=date(2003, 1, 1))
