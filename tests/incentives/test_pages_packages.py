"""The support packages' pages: the program's packages and balances against its budget,
one package's commitments, ledger and balances, and the program manager's forms (open a
package, bank details, commit, pay, milestone met), each checked in the database. A
provider's staff see their own package only."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bdsmarket.incentives import services
from bdsmarket.incentives.models import Budget, Commitment, Component, Payment, SupportPackage
from tests.database import database_digest

pytestmark = pytest.mark.django_db

LIST = reverse("incentives:packages")


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def package(manager, provider_a) -> SupportPackage:
    """provider_a's package: a first tranche of 8,000.00 (paid 3,000.00), a second of
    7,000.00 once a milestone is met, and 120 hours of technical assistance."""
    package = services.package_create(
        actor=manager, provider=provider_a, starts_on=date(2002, 6, 1)
    )
    first = services.commitment_add(
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
    services.payment_record(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        amount=D("3000.00"),
        paid_on=date(2002, 7, 3),
        commitment=first,
    )
    Budget.objects.create(component=Component.INVESTMENT, amount=D("100000.00"))
    return package


def detail(package) -> str:
    return reverse("incentives:package_detail", args=[package.pk])


def second_tranche(package) -> Commitment:
    return package.commitments.get(label="Second tranche")


# Reading


def test_the_program_sees_every_package_and_its_balances_against_the_budget(
    login, manager, package
):
    response = login(manager).get(LIST)

    packages = list(response.context["packages"])
    assert [(p.provider.code, p.committed, p.paid) for p in packages] == [
        ("CDE-LIM-01", D("15000.00"), D("3000.00"))
    ]
    investment = next(b for b in response.context["balances"] if b.component == "investment")
    assert (investment.budget, investment.uncommitted, investment.balance) == (
        D("100000.00"),
        D("85000.00"),
        D("12000.00"),
    )
    page = text(response)
    assert "100,000.00" in page and "85,000.00" in page and detail(package) in page


def test_a_package_shows_its_commitments_ledger_and_balances(login, manager, package):
    response = login(manager).get(detail(package))

    page = text(response)
    views = {view.commitment.label: view for view in response.context["commitments"]}
    assert (views["First tranche"].paid, views["First tranche"].balance) == (
        D("3000.00"),
        D("5000.00"),
    )
    assert views["Second tranche"].waits_for_milestone
    assert "Three courses a month for six months" in page and "not met yet" in page
    assert "120 hours" in page
    assert [p.amount for p in response.context["payments"]] == [D("3000.00")]
    balances = {b.component: b for b in response.context["balances"]}
    assert balances["technical_assistance"].hours_committed == 120


def test_the_packages_read_in_spanish(login, manager, package):
    page = text(login(manager, "es").get(LIST))
    assert "Incentivos" in page and "Inversión inicial cofinanciada" in page
    page = text(login(manager, "es").get(detail(package)))
    # A decimal comma, and a space between thousands.
    assert "Asistencia técnica" in page and "3\xa0000,00" in page


def test_provider_staff_land_on_their_own_package_and_never_on_another(
    login, manager, staff_a, staff_b, package, provider_b
):
    client = login(staff_a)
    assert client.get(LIST)["Location"] == detail(package)
    assert client.get(detail(package)).status_code == 200
    other = services.package_create(actor=manager, provider=provider_b, starts_on=date(2003, 1, 1))
    assert client.get(detail(other)).status_code == 404
    assert login(staff_b).get(detail(package)).status_code == 404


def test_provider_staff_without_a_package_are_told_so(login, staff_b, package):
    response = login(staff_b).get(LIST)
    assert response.status_code == 200
    assert "has not opened a support package for your provider yet" in text(response)


def test_evaluators_see_no_package(login, evaluator, package):
    client = login(evaluator)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(package)).status_code == 403


# The program manager's forms


def test_a_package_is_opened_for_a_provider_without_one(login, manager, package, provider_b):
    client = login(manager)
    form = client.get(reverse("incentives:package_create")).context["form"]
    assert list(form.fields["provider"].queryset) == [provider_b]  # provider_a has one

    response = client.post(
        reverse("incentives:package_create"),
        {"provider": provider_b.pk, "starts_on": "2003-01-01", "note": "Round 2"},
        follow=True,
    )

    opened = SupportPackage.objects.get(provider=provider_b)
    assert (opened.starts_on, opened.note) == (date(2003, 1, 1), "Round 2")
    assert response.redirect_chain[-1][0] == detail(opened)
    assert messages_of(response) == ["The support package of CDE-CIX-01 was opened."]


def test_a_second_package_for_a_provider_is_refused(login, manager, package, provider_a):
    response = login(manager).post(
        reverse("incentives:package_create"),
        {"provider": provider_a.pk, "starts_on": "2003-01-01"},
    )
    assert "provider" in response.context["form"].errors
    assert SupportPackage.objects.count() == 1


def test_the_bank_details_are_kept_and_an_end_before_the_start_is_refused(login, manager, package):
    client = login(manager)
    url = reverse("incentives:package_bank", args=[package.pk])
    values = {"bank_name": "Banco de la Nación", "bank_account": "00-123-456789",
              "account_holder": "", "note": ""}  # fmt: skip

    refused = client.post(url, {**values, "ends_on": "2001-12-31"})

    assert refused.context["form"].errors == {
        "ends_on": ["The support cannot end before it starts."]
    }
    package.refresh_from_db()
    assert package.bank_name == ""
    client.post(url, {**values, "ends_on": "2005-05-31"})
    package.refresh_from_db()
    assert (package.bank_name, package.bank_account, package.ends_on) == (
        "Banco de la Nación",
        "00-123-456789",
        date(2005, 5, 31),
    )


def test_a_commitment_is_added_and_a_negative_one_refused(login, manager, package):
    client = login(manager)
    url = reverse("incentives:commitment_create", args=[package.pk])
    values = {"component": "stipends", "label": "Two interns", "hours": "", "due_on": "",
              "milestone": ""}  # fmt: skip

    refused = client.post(url, {**values, "amount": "-5"})
    assert refused.context["form"].errors == {"amount": ["This cannot be negative."]}
    assert not package.commitments.filter(component="stipends").exists()

    client.post(url, {**values, "amount": "1200.50"})
    assert package.commitments.get(component="stipends").amount == D("1200.50")


def test_a_tranche_waits_for_its_milestone_then_is_paid(login, manager, package):
    client = login(manager)
    second = second_tranche(package)
    pay = reverse("incentives:payment_create", args=[package.pk])
    form = client.get(pay, {"commitment": second.pk}).context["form"]
    assert form.initial["commitment"] == second.pk
    values = {"component": "investment", "commitment": second.pk, "amount": "7000",
              "hours": "", "paid_on": "2003-02-01", "reference": "TR-9"}  # fmt: skip

    refused = client.post(pay, values)
    assert refused.context["form"].errors == {
        "commitment": ["Its milestone is not met yet: record it first."]
    }
    assert not Payment.objects.filter(commitment=second).exists()

    met = client.post(
        reverse("incentives:milestone_met", args=[second.pk]), {"on": "2003-01-20"}, follow=True
    )
    second.refresh_from_db()
    assert second.milestone_met_on == date(2003, 1, 20)
    assert "met on" in text(met)

    client.post(pay, values)
    assert Payment.objects.get(commitment=second).amount == D("7000.00")


def test_a_payment_above_the_commitment_is_refused(login, manager, package):
    first = package.commitments.get(label="First tranche")
    response = login(manager).post(
        reverse("incentives:payment_create", args=[package.pk]),
        {"component": "investment", "commitment": first.pk, "amount": "6000",
         "paid_on": "2003-02-01"},
    )  # fmt: skip
    assert response.context["form"].errors == {
        "amount": ["This would pay 1000.00 more than was committed."]
    }
    assert Payment.objects.count() == 1


def test_incentives_are_not_paid_by_hand(login, manager, package):
    form = (
        login(manager).get(reverse("incentives:payment_create", args=[package.pk])).context["form"]
    )
    assert "incentives" not in dict(form.fields["component"].choices)


def test_a_milestone_met_without_a_date_is_refused(login, manager, package):
    second = second_tranche(package)
    response = login(manager).post(
        reverse("incentives:milestone_met", args=[second.pk]), {"on": ""}, follow=True
    )
    second.refresh_from_db()
    assert second.milestone_met_on is None
    assert messages_of(response) == ["Met on: This field is required."]


def test_only_the_program_manager_keeps_the_packages(
    login, officer, auditor, staff_a, package, provider_b
):
    second = second_tranche(package)
    for user in (officer, auditor, staff_a):
        client = login(user)
        assert client.get(reverse("incentives:package_create")).status_code == 403
        assert (
            client.post(
                reverse("incentives:commitment_create", args=[package.pk]),
                {"component": "stipends", "label": "x", "amount": "1"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("incentives:payment_create", args=[package.pk]),
                {"component": "investment", "amount": "1", "paid_on": "2003-01-01"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("incentives:milestone_met", args=[second.pk]), {"on": "2003-01-01"}
            ).status_code
            == 403
        )
        assert client.get(reverse("incentives:package_bank", args=[package.pk])).status_code == 403
    second.refresh_from_db()
    assert second.milestone_met_on is None
    assert package.commitments.count() == 3 and Payment.objects.count() == 1
    assert "Add a commitment" not in text(login(staff_a).get(detail(package)))


def test_another_providers_commitment_is_not_there_for_provider_staff(login, staff_b, package):
    client = login(staff_b)
    before = database_digest()
    response = client.post(
        reverse("incentives:milestone_met", args=[second_tranche(package).pk]), {"on": "2003-01-01"}
    )
    assert response.status_code == 404
    assert second_tranche(package).milestone_met_on is None
    assert database_digest() == before


def test_the_package_list_takes_a_constant_number_of_queries(
    login, manager, package, provider_b, django_assert_max_num_queries
):
    client = login(manager)
    client.get(LIST)  # sessions, the program: warm
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    services.package_create(actor=manager, provider=provider_b, starts_on=date(2003, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(LIST).context["packages"]) == 2
