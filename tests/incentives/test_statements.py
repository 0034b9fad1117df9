"""Statements computed from approved reports through the indicator engine, on a real
database: each amount worked out by hand from the rows of conftest.py."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from bdsmarket.incentives import services
from bdsmarket.incentives.models import Payment, Statement
from bdsmarket.incentives.services import RuleInput
from bdsmarket.monitoring import services as monitoring
from bdsmarket.monitoring.verification import verification_check_record, verification_sample_draw
from tests.reporting import report

from .conftest import JUNE, MAY, PAID, WOMEN, scheme_make, sent_on


def current(provider, month) -> Statement:
    return Statement.objects.exclude(status="superseded").get(provider=provider, month=month)


def lines(statement) -> dict[str, tuple]:
    return {
        line.rule.code: (line.base, line.amount, line.reason, line.cap)
        for line in statement.lines.select_related("rule")
    }


def test_a_month_pays_each_rule_on_its_base(months, scheme, officer):
    provider_a, provider_b = months

    result = services.statements_compute(actor=officer, month=MAY)

    assert (result.created, result.unchanged) == (2, 0)
    a = current(provider_a, MAY)
    # 150.00 paid by clients x 0.30 = 45.00; two attentions to women x 5.00 = 10.00
    assert lines(a) == {
        "paid": (D("150.0000"), D("45.00"), "paid", ""),
        "women": (D("2.0000"), D("10.00"), "paid", ""),
    }
    assert (a.total, a.difference, a.status, a.version) == (D("55.00"), D("55.00"), "computed", 1)
    # 40.00 x 0.30; no woman attended
    assert current(provider_b, MAY).total == D("12.00")
    assert lines(current(provider_b, MAY))["women"][:2] == (D("0.0000"), D("0.00"))


def test_computing_again_gives_the_same_statement(months, scheme, officer):
    services.statements_compute(actor=officer, month=MAY)
    before = list(Statement.objects.values_list("pk", "total", "version").order_by("pk"))

    again = services.statements_compute(actor=officer, month=MAY)

    assert (again.created, again.unchanged) == (0, 2)
    assert list(Statement.objects.values_list("pk", "total", "version").order_by("pk")) == before


def test_only_providers_with_a_support_package_in_force_get_statements(
    months, scheme, officer, provider_a, provider_b
):
    provider_b.package.ends_on = date(2003, 4, 30)
    provider_b.package.save()

    services.statements_compute(actor=officer, month=MAY)

    assert list(Statement.objects.values_list("provider", flat=True)) == [provider_a.pk]
    with pytest.raises(ValidationError, match="No support package covers 2003-05 for CDE-CIX-01"):
        services.statements_compute(actor=officer, month=MAY, providers=[provider_b])


def test_only_approved_reports_are_paid(months, scheme, officer, staff_a, provider_a):
    monitoring.submission_amend(actor=staff_a, submission=report(provider_a, MAY), reason="Typo")

    services.statements_compute(actor=officer, month=MAY)

    assert list(Statement.objects.values_list("provider__code", flat=True)) == ["CDE-CIX-01"]


def test_a_month_without_a_scheme_in_force_is_refused(months, manager, officer):
    scheme_make(manager, PAID, effective_from=date(2003, 6, 1))
    with pytest.raises(ValidationError, match="No incentive scheme is in force in 2003-05"):
        services.statements_compute(actor=officer, month=MAY)
    assert not Statement.objects.exists()


def test_a_total_cap_carries_over_from_month_to_month(months, manager, officer, provider_a):
    capped = RuleInput(code="paid", label="capped", base="paid_by_client", rate=D("0.30"),
                       cap_total=D("80.00"))  # fmt: skip
    scheme_make(manager, capped)

    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE, providers=[provider_a])

    assert current(provider_a, MAY).total == D("45.00")
    # June's 200.00 x 0.30 = 60.00, but only 80.00 - 45.00 = 35.00 is left under the cap
    assert lines(current(provider_a, JUNE))["paid"] == (D("200.0000"), D("35.00"), "paid", "total")


def test_a_changed_earlier_month_recomputes_the_later_ones(months, manager, officer, provider_a):
    capped = RuleInput(code="paid", label="capped", base="paid_by_client", rate=D("0.30"),
                       cap_total=D("50.00"))  # fmt: skip
    scheme_make(manager, capped)
    services.statements_compute(actor=officer, month=JUNE, providers=[provider_a])
    assert current(provider_a, JUNE).total == D("50.00")  # alone, June reaches the cap

    services.statements_compute(actor=officer, month=MAY)

    # May takes 45.00 of the 50.00; June, computed again, keeps the 5.00 left
    assert current(provider_a, MAY).total == D("45.00")
    assert current(provider_a, JUNE).total == D("5.00")


def test_a_threshold_pays_only_the_months_that_reach_it(months, manager, officer, provider_a):
    rule = RuleInput(code="paid", label="if it covers half its costs", base="paid_by_client",
                     rate=D("0.30"), threshold_indicator="market_cost_recovery",
                     threshold_minimum=D("0.5"))  # fmt: skip
    scheme_make(manager, rule)

    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE)

    # May: clients paid 150.00 of 250.00 of costs, 0.6; June has no costs reported
    assert lines(current(provider_a, MAY))["paid"][1:3] == (D("45.00"), "paid")
    assert lines(current(provider_a, JUNE))["paid"][1:3] == (D("0.00"), "below_threshold")


def test_a_late_report_loses_what_only_timely_reports_earn(months, manager, officer, provider_b):
    timely = RuleInput(code="paid", label="on time", base="paid_by_client", rate=D("0.30"),
                       on_time_only=True)  # fmt: skip
    scheme_make(manager, timely, WOMEN)
    sent_on(report(provider_b, MAY), date(2003, 6, 25))  # due on 10 June

    services.statements_compute(actor=officer, month=MAY)

    statement = current(provider_b, MAY)
    assert lines(statement)["paid"][1:3] == (D("0.00"), "late")
    assert statement.on_time is False
    assert current(months[0], MAY).total == D("55.00")  # provider_a sent it on 5 June


def test_a_declining_rate_follows_the_providers_program_year(months, manager, officer, provider_a):
    declining = RuleInput(code="paid", label="declining", base="paid_by_client", rate=D("0.30"),
                          year_factors=("1", "0.5"))  # fmt: skip
    scheme_make(manager, declining)
    provider_a.package.starts_on = date(2002, 6, 1)
    provider_a.package.save()

    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE, providers=[provider_a])

    # May 2003 is the twelfth month from June 2002; June 2003 starts its second year
    assert (current(provider_a, MAY).program_year, current(provider_a, MAY).total) == (
        1,
        D("45.00"),
    )
    june = current(provider_a, JUNE)
    assert (june.program_year, june.total) == (2, D("30.00"))  # 200.00 x 0.30 x 0.5


def _verify(officer, submission, verified: dict[str, tuple]):
    sample = verification_sample_draw(actor=officer, submission=submission, size=10)
    for check in sample.checks.select_related("delivery"):
        confirmed, price, paid = verified[check.delivery.reference]
        verification_check_record(
            actor=officer,
            check=check,
            confirmed=confirmed,
            verified_price=price,
            verified_paid_by_client=paid,
        )


def test_the_verification_gap_cuts_the_amounts_by_band(months, manager, officer, provider_a):
    scheme_make(manager, PAID, WOMEN, penalty_bands=[(D("0.10"), D("0.5")), (D("0.50"), D(0))])
    _verify(officer, report(provider_a, MAY), {
        "A-1": (True, None, None), "A-2": (True, None, None),
        "A-3": (True, D("50.00"), D("30.00")),  # the client paid for half the service
    })  # fmt: skip
    _verify(officer, report(months[1], MAY), {"B-1": (False, None, None)})

    services.statements_compute(actor=officer, month=MAY)

    a = current(provider_a, MAY)
    # claimed 180.00, verified 30 + 50 + 50 = 130.00: a gap of 1 - 130/180 = 0.2778, in the
    # band from 0.10 that keeps half: 45.00 x 0.5 and 10.00 x 0.5
    assert a.verification_gap == D("0.2778")
    assert (a.penalty_keep, a.total) == (D("0.5"), D("27.50"))
    # provider_b's only client denies the service: a gap of 1, nothing paid
    b = current(months[1], MAY)
    assert (b.verification_gap, b.total) == (D("1"), D("0.00"))
    assert lines(b)["paid"][2] == "penalized"


def _pay(manager, statements) -> list[Payment]:
    batch = services.payment_batch_create(actor=manager, statements=statements)
    return services.payment_batch_paid(
        actor=manager, batch=batch, paid_on=date(2003, 7, 15), reference="TR-1"
    )


def test_statements_go_from_computed_to_approved_to_paid(months, scheme, officer, manager):
    services.statements_compute(actor=officer, month=MAY)
    statement = current(months[0], MAY)

    services.statement_approve(actor=manager, statement=statement)
    payments = _pay(manager, [statement])

    statement.refresh_from_db()
    assert statement.status == "paid"
    assert [(p.amount, p.component, p.package.provider) for p in payments] == [
        (D("55.00"), "incentives", months[0])
    ]
    with pytest.raises(ValidationError):
        services.statement_approve(actor=manager, statement=statement)


def test_an_amended_month_gives_a_new_version_that_claws_back(
    months, scheme, officer, manager, staff_a, provider_a
):
    services.statements_compute(actor=officer, month=MAY)
    paid = current(provider_a, MAY)
    services.statement_approve(actor=manager, statement=paid)
    _pay(manager, [paid])
    # The client of A-3 paid 40.00 of 100.00, not 80.00: the voucher paid the rest.
    may = report(provider_a, MAY)
    monitoring.submission_amend(actor=staff_a, submission=may, reason="A-3's part was wrong")
    a3 = may.deliveries.get(reference="A-3")
    monitoring.delivery_update(
        actor=staff_a,
        delivery=a3,
        changes={"paid_by_client": D("40.00"), "paid_by_voucher": D("60.00")},
    )
    monitoring.submission_submit(actor=staff_a, submission=may)
    monitoring.submission_approve(actor=officer, submission=may)

    result = services.statements_compute(actor=officer, month=MAY)

    assert result.superseded == 1
    new = current(provider_a, MAY)
    paid.refresh_from_db()
    # (20 + 50 + 40) x 0.30 = 33.00, plus 10.00 for two women: 43.00, 12.00 less than paid
    assert (new.version, new.total, new.difference) == (2, D("43.00"), D("-12.00"))
    assert (paid.status, new.supersedes) == ("superseded", paid)
    with pytest.raises(ValidationError):  # what was paid stays as it was
        services.statement_approve(actor=manager, statement=paid)
    services.statement_approve(actor=manager, statement=new)
    (claw_back,) = _pay(manager, [new])
    assert claw_back.amount == D("-12.00")
    ledger = Payment.objects.filter(package__provider=provider_a, component="incentives")
    assert sum(p.amount for p in ledger) == D("43.00")


def test_an_approved_statement_not_yet_paid_is_superseded_in_full(
    months, scheme, officer, manager, staff_a, provider_a
):
    services.statements_compute(actor=officer, month=MAY)
    services.statement_approve(actor=manager, statement=current(provider_a, MAY))
    may = report(provider_a, MAY)
    monitoring.submission_amend(actor=staff_a, submission=may, reason="One row too many")
    monitoring.delivery_delete(actor=staff_a, delivery=may.deliveries.get(reference="A-2"))
    monitoring.submission_submit(actor=staff_a, submission=may)
    monitoring.submission_approve(actor=officer, submission=may)

    services.statements_compute(actor=officer, month=MAY)

    # nothing was paid yet: the new version pays its whole (20 + 80) x 0.30 + 10.00
    new = current(provider_a, MAY)
    assert (new.version, new.total, new.difference) == (2, D("40.00"), D("40.00"))


def test_a_batch_superseded_at_the_bank_is_still_paid_and_its_successor_counts_it(
    months, scheme, officer, manager, staff_a, provider_a
):
    services.statements_compute(actor=officer, month=MAY)
    first = current(provider_a, MAY)
    services.statement_approve(actor=manager, statement=first)
    batch = services.payment_batch_create(actor=manager, statements=[first])
    may = report(provider_a, MAY)
    monitoring.submission_amend(actor=staff_a, submission=may, reason="One row too many")
    monitoring.delivery_delete(actor=staff_a, delivery=may.deliveries.get(reference="A-2"))
    monitoring.submission_submit(actor=staff_a, submission=may)
    monitoring.submission_approve(actor=officer, submission=may)
    services.statements_compute(actor=officer, month=MAY)

    services.payment_batch_paid(actor=manager, batch=batch, paid_on=date(2003, 7, 1))

    first.refresh_from_db()
    assert (first.status, first.payment.amount) == ("superseded", D("55.00"))
    assert current(provider_a, MAY).difference == D("-15.00")  # 40.00 - 55.00


def test_only_approved_statements_can_be_put_in_a_batch(months, scheme, officer, manager):
    services.statements_compute(actor=officer, month=MAY)
    with pytest.raises(ValidationError):
        services.payment_batch_create(actor=manager, statements=[current(months[0], MAY)])
    with pytest.raises(ValidationError):
        services.payment_batch_create(actor=manager)  # none approved yet
