"""The facts follow the reports: they count approved months (or, when asked, submitted ones
too), change the moment a report enters or leaves a basis, and count repeat clients across
months the way the definitions say."""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.indicators.models import Basis, Fact
from bdsmarket.indicators.queries import IndicatorError, Scope, indicators_compute
from bdsmarket.monitoring import services
from tests.reporting import approve, report, store

MAY, JUNE = date(2003, 5, 1), date(2003, 6, 1)


def figures(month_first=MAY, month_last=JUNE, basis=Basis.APPROVED, providers=None, **options):
    scope = Scope(month_first, month_last, providers=providers, basis=basis)
    return indicators_compute(scope, ["attentions", "income", "repeat_rate", "clients"], **options)


@pytest.fixture
def may_rows(staff_a, provider_a, delivery_row):
    store(
        staff_a,
        delivery_row(provider_a, reference="A-1"),
        delivery_row(provider_a, reference="A-2", client_id="C-9", price=Decimal("50.00"),
                     paid_by_client=Decimal("50.00"), paid_by_voucher=Decimal(0), voucher_code=""),
    )  # fmt: skip
    return report(provider_a, MAY)


def test_a_draft_counts_nowhere(may_rows):
    result = figures()

    assert not result.has_data
    assert result.total.values["attentions"] == 0
    assert result.total.values["repeat_rate"] is None
    assert not Fact.objects.exists()


def test_a_submitted_report_counts_only_when_submitted_reports_are_asked_for(staff_a, may_rows):
    services.submission_submit(actor=staff_a, submission=may_rows)

    assert figures().total.values["attentions"] == 0
    reported = figures(basis=Basis.REPORTED)
    assert reported.scope.includes_unapproved
    assert reported.total.values["attentions"] == 2
    assert reported.total.values["income"] == Decimal("80.00")


def test_approval_brings_the_month_into_the_figures_at_once(staff_a, officer, may_rows):
    approve(staff_a, officer, may_rows)

    result = figures()
    assert result.has_data
    assert result.total.values["attentions"] == 2
    assert result.total.values["income"] == Decimal("80.00")
    assert result.total.values["clients"] == 2
    assert result.cut_off is not None


def test_a_returned_report_leaves_the_submitted_figures(staff_a, officer, may_rows):
    services.submission_submit(actor=staff_a, submission=may_rows)
    services.submission_return(actor=officer, submission=may_rows, comment="Check the prices.")

    assert figures(basis=Basis.REPORTED).total.values["attentions"] == 0


def test_an_approved_month_reopened_for_amendment_leaves_the_figures_until_approved_again(
    staff_a, officer, may_rows
):
    approve(staff_a, officer, may_rows)
    services.submission_amend(actor=officer, submission=may_rows, reason="A row was missing.")

    assert figures().total.values["attentions"] == 0
    may_rows.refresh_from_db()
    approve(staff_a, officer, may_rows)
    assert figures().total.values["attentions"] == 2


def test_a_client_attended_again_next_month_is_a_repeat_even_when_only_that_month_is_shown(
    staff_a, officer, provider_a, delivery_row, may_rows
):
    store(staff_a, delivery_row(provider_a, date=date(2003, 6, 3), reference="A-3"))
    approve(staff_a, officer, may_rows)
    approve(staff_a, officer, report(provider_a, JUNE))

    june = figures(JUNE, JUNE)
    assert june.total.values["attentions"] == 1
    assert june.total.values["repeat_rate"] == 1  # May's visit counts as history
    assert figures().total.values["repeat_rate"] == Decimal(1) / 3


def test_two_rows_of_one_client_on_one_day_make_one_repeat(
    staff_a, officer, provider_a, delivery_row
):
    store(
        staff_a,
        delivery_row(provider_a, reference="A-1"),
        delivery_row(provider_a, reference="A-2", service_name="Otro curso"),
    )
    approve(staff_a, officer, report(provider_a, MAY))

    assert figures().total.values["repeat_rate"] == Decimal("0.5")


def test_the_same_client_with_two_providers_is_no_repeat_but_one_client(
    staff_a, staff_b, officer, provider_a, provider_b, delivery_row, chiclayo
):
    store(staff_a, delivery_row(provider_a, reference="A-1"))
    store(staff_b, delivery_row(provider_b, reference="B-1", client_city=chiclayo))
    approve(staff_a, officer, report(provider_a, MAY))
    approve(staff_b, officer, report(provider_b, MAY))

    result = figures()
    assert result.total.values["attentions"] == 2
    assert result.total.values["repeat_rate"] == 0
    assert result.total.values["clients"] == 1  # one DNI: one person


def test_facts_split_by_one_dimension_add_up_to_the_month(
    staff_a, officer, provider_a, delivery_row, may_rows
):
    approve(staff_a, officer, may_rows)

    by_type = figures(group_by=["client_type"])
    assert [group.key for group in by_type.groups] == [("micro",)]
    assert by_type.groups[0].shares["attentions"] == 1
    by_month = figures(group_by=["month"])
    assert [(group.key, group.values["attentions"]) for group in by_month.groups] == [((MAY,), 2)]


def test_a_scope_of_one_provider_leaves_the_others_out(
    staff_a, staff_b, officer, provider_a, provider_b, delivery_row, chiclayo
):
    store(staff_a, delivery_row(provider_a, reference="A-1"))
    store(staff_b, delivery_row(provider_b, reference="B-1", client_city=chiclayo))
    approve(staff_a, officer, report(provider_a, MAY))
    approve(staff_b, officer, report(provider_b, MAY))

    assert figures(providers=frozenset([provider_b.pk])).total.values["attentions"] == 1


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: indicators_compute(Scope(MAY, JUNE), ["attentionz"]), "indicators"),
        (lambda: indicators_compute(Scope(MAY, JUNE), ["vouchers_issued"]), "indicators"),
        (lambda: indicators_compute(Scope(MAY, JUNE), ["income"], ["colour"]), "group_by"),
        (lambda: Scope(JUNE, MAY), "period"),
        (lambda: Scope(MAY, JUNE, filters={"colour": frozenset("x")}), "colour"),
    ],
)
def test_an_unknown_indicator_grouping_or_period_is_refused_by_name(db, call, parameter):
    with pytest.raises(IndicatorError) as refused:
        call()
    assert refused.value.parameter == parameter
    assert refused.value.message
