"""The simulator runs draft schemes over past months, side by side, storing nothing."""

from decimal import Decimal as D

from bdsmarket.incentives.models import Statement
from bdsmarket.incentives.services import RuleInput
from bdsmarket.incentives.simulation import simulate

from .conftest import JUNE, MAY, PAID, WOMEN, scheme_make


def test_two_drafts_side_by_side_over_past_months(months, manager):
    provider_a, provider_b = months
    generous = scheme_make(manager, PAID, WOMEN, adopt=False)
    capped = RuleInput(code="paid", label="capped", base="paid_by_client", rate=D("0.30"),
                       cap_total=D("50.00"))  # fmt: skip
    thrifty = scheme_make(manager, capped, adopt=False, code="thrifty")

    result = simulate([generous, thrifty], MAY, JUNE)

    one, other = result.runs
    # provider_a: May 45.00 + 10.00, June 60.00 + 5.00; provider_b: May 12.00
    assert one.by_provider_month[provider_a.pk] == {MAY: D("55.00"), JUNE: D("65.00")}
    assert (one.provider_total(provider_b.pk), one.total) == (D("12.00"), D("132.00"))
    assert one.by_rule == {"paid": D("117.00"), "women": D("15.00")}
    # the cap of 50.00 in total: May 45.00, June only the 5.00 left
    assert other.by_provider_month[provider_a.pk] == {MAY: D("45.00"), JUNE: D("5.00")}
    assert (other.month_total(MAY), other.total) == (D("57.00"), D("62.00"))
    assert [p.code for p in result.providers] == ["CDE-CIX-01", "CDE-LIM-01"]
    assert result.months == (MAY, JUNE)
    assert not Statement.objects.exists()


def test_the_simulation_agrees_with_the_statements_it_foresees(months, manager, officer):
    from bdsmarket.incentives import services

    scheme = scheme_make(manager, PAID, WOMEN)
    foreseen = simulate([scheme], MAY, JUNE).runs[0]

    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE)

    computed = {(s.provider_id, s.month): s.total for s in Statement.objects.all()}
    expected = {
        (pk, month): amount
        for pk, amounts in foreseen.by_provider_month.items()
        for month, amount in amounts.items()
    }
    assert computed == expected
