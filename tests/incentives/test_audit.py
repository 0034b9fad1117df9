"""The audit trail of incentives names who made each change: statements computed on the
command line, approved and paid, schemes set and adopted, packages kept, all outside a web
request, where nothing but the service's actor says who is at work."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

from django.core.management import call_command

from bdsmarket.incentives import services
from bdsmarket.incentives.models import (
    Commitment,
    Component,
    IncentiveScheme,
    Payment,
    Statement,
    SupportPackage,
)

from .conftest import PAID, WOMEN


def compute(*args: str) -> None:
    call_command(
        "incentives", "compute", *args, "--language", "en", stdout=StringIO(), stderr=StringIO()
    )


def authors(records) -> list:
    return [(record.history_type, record.history_user) for record in records]


def history_of(model, pk) -> list:
    return authors(model.history.filter(id=pk).order_by("history_id"))


def test_statements_computed_with_a_user_name_that_user(months, scheme, officer):
    compute("--month", "2003-05", "--user", "officer")

    statements = Statement.objects.all()
    assert len(statements) == 2
    for statement in statements:
        assert history_of(Statement, statement.pk) == [("+", officer)]


def test_statements_computed_without_a_user_are_the_systems(months, scheme):
    compute("--month", "2003-05")

    assert {record.history_user for record in Statement.history.all()} == {None}


def test_a_statement_computed_again_is_replaced_in_the_name_of_who_computed_it(
    months, scheme, officer, manager, provider_a
):
    compute("--month", "2003-05", "--user", "officer")
    replaced = Statement.objects.get(provider=provider_a)
    # The scheme changes: the computed statement, no one's word yet, is computed again.
    successor = services.scheme_create(
        actor=manager,
        code="pic",
        name="Pago por resultados",
        effective_from=date(2003, 5, 1),
        rules_given=[PAID],
    )
    services.scheme_adopt(actor=manager, scheme=successor)
    compute("--month", "2003-05", "--user", "manager")

    assert history_of(Statement, replaced.pk) == [("+", officer), ("-", manager)]
    again = Statement.objects.get(provider=provider_a)
    assert history_of(Statement, again.pk) == [("+", manager)]


def test_approving_and_paying_outside_a_request_names_who_did_each(
    months, scheme, officer, manager, provider_a
):
    compute("--month", "2003-05", "--user", "officer")
    statement = Statement.objects.get(provider=provider_a)

    services.statements_approve(actor=manager, statements=[statement])
    batch = services.payment_batch_create(actor=manager, statements=[statement])
    (payment,) = services.payment_batch_paid(actor=manager, batch=batch, paid_on=date(2003, 7, 1))

    records = list(Statement.history.filter(id=statement.pk).order_by("history_id"))
    assert authors(records) == [("+", officer), ("~", manager), ("~", manager), ("~", manager)]
    assert [record.status for record in records] == ["computed", "approved", "approved", "paid"]
    assert records[2].batch_id == batch.pk  # put in the batch: on record too
    assert history_of(Payment, payment.pk) == [("+", manager)]


def test_a_package_opened_to_pay_an_incentive_is_opened_by_who_paid(
    months, scheme, manager, provider_a
):
    compute("--month", "2003-05", "--user", "manager")
    statement = Statement.objects.get(provider=provider_a)
    services.statement_approve(actor=manager, statement=statement)
    batch = services.payment_batch_create(actor=manager, statements=[statement])
    SupportPackage.objects.filter(provider=provider_a).delete()  # paid without a package

    services.payment_batch_paid(actor=manager, batch=batch, paid_on=date(2003, 7, 1))

    package = SupportPackage.objects.get(provider=provider_a)
    assert history_of(SupportPackage, package.pk) == [("+", manager)]


def test_schemes_created_changed_and_adopted_name_who_did_it(manager):
    draft = services.scheme_create(
        actor=manager,
        code="pic",
        name="Pago",
        effective_from=date(2003, 1, 1),
        rules_given=[PAID],
    )
    services.scheme_update(
        actor=manager,
        scheme=draft,
        name="Pago por resultados",
        effective_from=date(2003, 1, 1),
        rules_given=[PAID, WOMEN],
    )
    services.scheme_adopt(actor=manager, scheme=draft)
    later = services.scheme_create(
        actor=manager,
        code="pic",
        name="Pago por resultados",
        effective_from=date(2004, 1, 1),
        rules_given=[PAID],
    )
    services.scheme_adopt(actor=manager, scheme=later)

    # Created, changed, adopted, then ended by the version adopted after it.
    assert history_of(IncentiveScheme, draft.pk) == [("+", manager)] + [("~", manager)] * 3
    assert history_of(IncentiveScheme, later.pk) == [("+", manager), ("~", manager)]


def test_a_packages_ledger_names_who_kept_it(manager, provider_a):
    package = services.package_create(
        actor=manager, provider=provider_a, starts_on=date(2003, 1, 1)
    )
    services.package_update(
        actor=manager,
        package=package,
        bank_name="Banco",
        bank_account="0011-22",
        account_holder="Centro Lima Norte",
    )
    tranche = services.commitment_add(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        label="Second tranche",
        amount=D("7000.00"),
        milestone="Three courses a month",
    )
    services.milestone_met(actor=manager, commitment=tranche, on=date(2003, 2, 1))
    payment = services.payment_record(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        commitment=tranche,
        amount=D("7000.00"),
        paid_on=date(2003, 2, 15),
    )

    assert history_of(SupportPackage, package.pk) == [("+", manager), ("~", manager)]
    assert history_of(Commitment, tranche.pk) == [("+", manager), ("~", manager)]
    assert history_of(Payment, payment.pk) == [("+", manager)]
