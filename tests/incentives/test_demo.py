"""The demo's incentives tell the reference program's story: packages for the sixteen
selected centers, a scheme in two versions, statements approved and paid month after month,
a verified month that keeps part of its amounts and an amended month clawed back.

The demo is loaded once for the whole run (`demo_program`, tests/conftest.py); each test
runs in a savepoint inside it. The figures are computed here from the stored rows.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from bdsmarket.core.demo.context import DEMO_NOW
from bdsmarket.incentives import queries, services
from bdsmarket.incentives.models import (
    Commitment,
    Component,
    IncentiveScheme,
    Payment,
    PaymentBatch,
    Statement,
    SupportPackage,
)
from bdsmarket.monitoring.models import Submission
from bdsmarket.registry.models import Provider

pytestmark = [pytest.mark.usefixtures("demo_program", "db"), pytest.mark.xdist_group("demo")]


def test_every_selected_center_has_a_package_with_its_four_parts():
    selected = Provider.objects.filter(selection_round__isnull=False)
    assert SupportPackage.objects.count() == selected.count() == 16
    for package in SupportPackage.objects.select_related("provider"):
        components = set(package.commitments.values_list("component", flat=True))
        expected = {Component.INVESTMENT, Component.INCENTIVES, Component.TECHNICAL_ASSISTANCE}
        if package.provider.selection_round == 3:
            expected.add(Component.STIPENDS)
        assert components == expected
        assert package.bank_account and package.account_holder == package.provider.name
        for balance in queries.package_balances(package):
            assert balance.paid <= balance.committed or balance.committed == 0


def test_the_first_investment_tranche_is_paid_when_the_package_starts():
    first = Commitment.objects.filter(label="Inversión, primer tramo")
    assert first.count() == 16
    for commitment in first.select_related("package"):
        paid = commitment.payments.aggregate(total=Sum("amount"))["total"]
        assert paid == commitment.amount == Decimal("15000.00")
        assert commitment.payments.get().paid_on == commitment.package.starts_on


def test_the_scheme_has_two_adopted_versions_the_second_with_a_cost_recovery_threshold():
    first, second = IncentiveScheme.objects.filter(code="results").order_by("version")
    assert (first.status, second.status) == (IncentiveScheme.Status.ADOPTED,) * 2
    assert (first.effective_from, second.effective_from) == (date(2003, 1, 1), date(2004, 1, 1))
    assert not first.rules.get(code="income").threshold_indicator
    income = second.rules.get(code="income")
    assert (income.threshold_indicator, income.threshold_minimum) == (
        "market_cost_recovery",
        Decimal("0.1500"),
    )
    assert Statement.objects.filter(month__lt=date(2004, 1, 1)).exclude(scheme=first).count() == 0
    assert Statement.objects.filter(month__gte=date(2004, 1, 1)).exclude(scheme=second).count() == 0


def test_months_through_february_2004_are_paid_and_march_waits_for_approval():
    current = Statement.objects.exclude(status=Statement.Status.SUPERSEDED)
    assert set(current.filter(month__lte=date(2004, 2, 1)).values_list("status", flat=True)) == {
        Statement.Status.PAID
    }
    march = current.filter(month=date(2004, 3, 1))
    assert march.exists()
    assert set(march.values_list("status", flat=True)) == {Statement.Status.COMPUTED}


def test_every_statement_adds_up_its_lines_and_only_approved_reports_have_one():
    for statement in Statement.objects.prefetch_related("lines"):
        assert statement.total == sum(line.amount for line in statement.lines.all())
    for statement in Statement.objects.select_related("provider"):
        report = Submission.objects.get(provider=statement.provider, period__month=statement.month)
        assert report.approved_versions.exists()


def test_the_ledger_holds_what_the_bank_was_sent_for_each_center():
    for package in SupportPackage.objects.all():
        sent = Statement.objects.filter(provider=package.provider, batch__paid_on__isnull=False)
        expected = sent.aggregate(total=Sum("difference"))["total"] or Decimal(0)
        ledger = Payment.objects.filter(package=package, component=Component.INCENTIVES)
        assert (ledger.aggregate(total=Sum("amount"))["total"] or Decimal(0)) == expected
    assert PaymentBatch.objects.filter(paid_on__isnull=True).count() == 0


def test_the_verified_month_keeps_the_share_of_its_gap_band():
    statement = Statement.objects.get(
        provider__code="CDE-CIX-02", month=date(2003, 6, 1), status=Statement.Status.PAID
    )
    gap = statement.verification_gap
    assert gap is not None and gap > 0
    # Bands of the scheme: from 10 % keep 75 %, from 25 % keep half, from 50 % nothing.
    keep = Decimal("1") if gap < Decimal("0.10") else Decimal("0.75")
    if gap >= Decimal("0.25"):
        keep = Decimal("0.5") if gap < Decimal("0.5") else Decimal(0)
    assert statement.penalty_keep == keep
    for line in statement.lines.all():
        assert line.penalty_keep == keep


def test_the_amended_month_is_superseded_and_its_claw_back_paid_in_a_later_batch():
    old = Statement.objects.get(status=Statement.Status.SUPERSEDED)
    new = Statement.objects.get(supersedes=old)
    assert old.provider.code == new.provider.code == "CDE-CIX-02"
    assert new.version == old.version + 1 and new.month == old.month
    assert new.total < old.total
    assert new.difference == new.total - old.total
    assert new.status == Statement.Status.PAID
    assert new.batch.paid_on > old.batch.paid_on
    in_batch = Statement.objects.filter(batch=new.batch, provider=new.provider)
    sent = Payment.objects.filter(batch=new.batch, package__provider=new.provider)
    assert sent.aggregate(total=Sum("amount")) == in_batch.aggregate(total=Sum("difference"))
    assert sent.filter(amount=new.difference).exists()  # the claw-back, as a negative payment


def test_computing_a_paid_month_again_changes_nothing():
    before = list(Statement.objects.order_by("pk").values_list("pk", "status", "total"))
    result = services.statements_compute(actor=None, month=date(2003, 8, 1))
    assert result.created == result.superseded == 0
    assert list(Statement.objects.order_by("pk").values_list("pk", "status", "total")) == before


def test_nothing_is_stamped_after_the_end_of_the_demo():
    for field in ("computed_at", "approved_at", "figures_as_of"):
        latest = Statement.objects.order_by(f"-{field}").values_list(field, flat=True)
        assert latest.exclude(**{field: None}).first() <= DEMO_NOW
    assert PaymentBatch.objects.order_by("-paid_on").first().paid_on <= DEMO_NOW.date()
