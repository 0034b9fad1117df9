"""Reads for the officer: the overdue list, a report's totals and the rows behind each."""

from datetime import date
from decimal import Decimal

import pytest

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import ReportingPeriod, Submission, ValidationWarning
from bdsmarket.monitoring.permissions import deliveries_visible_to
from bdsmarket.monitoring.queries import (
    deliveries_behind,
    deliveries_totals,
    overdue_submissions,
    submission_totals,
)
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import City, LegalType, ProviderStatus, Sector

# The overdue list (due day 10: May's report is due on 10 June)


def _provider(code: str, city: City, since: date, status: str = ProviderStatus.ACTIVE):
    return registry.provider_create(
        actor=None,
        code=code,
        name=f"Centro {code}",
        legal_type=LegalType.NGO,
        city=city,
        status=status,
        status_date=since,
    )


def _month_report(delivery_row, provider, month: date, submit: bool, staff=None) -> Submission:
    result = services.deliveries_store(
        actor=None,
        rows=[delivery_row(provider, date=month.replace(day=5), reference=f"{month}")],
        source="cli",
    )
    (submission,) = result.submissions
    if submit:
        services.submission_submit(actor=staff, submission=submission)
    return submission


def _listed(today: date) -> list[tuple[str, str, int]]:
    return [
        (report.provider.code, f"{report.month:%Y-%m}", report.days_late)
        for report in overdue_submissions(today)
    ]


def test_the_overdue_list_names_each_unsent_month_with_its_days_late(
    program, lima, chiclayo, delivery_row, manager
):
    since_march = _provider("CDE-A", lima, date(2003, 3, 1))
    _provider("CDE-B", chiclayo, date(2003, 5, 14))
    _month_report(delivery_row, since_march, date(2003, 4, 1), submit=True, staff=manager)

    assert _listed(date(2003, 6, 15)) == [
        ("CDE-A", "2003-05", 5),  # due 10 June
        ("CDE-B", "2003-05", 5),  # active from mid-May: May is owed
        ("CDE-A", "2003-03", 66),  # due 10 April: 20 + 31 + 15 days
    ]


def test_a_report_is_not_overdue_on_its_due_day(program, lima):
    _provider("CDE-A", lima, date(2003, 5, 1))
    assert _listed(date(2003, 6, 10)) == []
    assert _listed(date(2003, 6, 11)) == [("CDE-A", "2003-05", 1)]


def test_a_draft_is_listed_with_its_submission(program, lima, delivery_row):
    provider = _provider("CDE-A", lima, date(2003, 5, 1))
    draft = _month_report(delivery_row, provider, date(2003, 5, 1), submit=False)
    (report,) = overdue_submissions(date(2003, 6, 20))
    assert (report.submission, report.due_date) == (draft, date(2003, 6, 10))


def test_sent_returned_approved_and_amended_reports_are_not_overdue(
    program, lima, delivery_row, manager, officer
):
    provider = _provider("CDE-A", lima, date(2003, 2, 1))
    _month_report(delivery_row, provider, date(2003, 2, 1), submit=True, staff=manager)
    returned = _month_report(delivery_row, provider, date(2003, 3, 1), submit=True, staff=manager)
    services.submission_return(actor=officer, submission=returned, comment="Fix the prices")
    approved = _month_report(delivery_row, provider, date(2003, 4, 1), submit=True, staff=manager)
    for warning in ValidationWarning.objects.filter(submission=approved):
        services.warning_acknowledge(actor=officer, warning=warning)
    services.submission_approve(actor=officer, submission=approved)
    services.submission_amend(actor=manager, submission=approved, reason="A wrong price")
    assert _listed(date(2003, 5, 20)) == []


def test_only_active_providers_are_listed(program, lima):
    _provider("CDE-S", lima, date(2003, 1, 1), status=ProviderStatus.SUSPENDED)
    _provider("CDE-X", lima, date(2003, 1, 1), status=ProviderStatus.APPLICANT)
    assert _listed(date(2003, 6, 15)) == []


def test_a_period_keeps_its_own_due_date(program, lima):
    _provider("CDE-A", lima, date(2003, 5, 1))
    period = services.period_get_or_create(date(2003, 5, 1))
    ReportingPeriod.objects.filter(pk=period.pk).update(due_date=date(2003, 6, 20))
    assert _listed(date(2003, 6, 15)) == []
    assert _listed(date(2003, 6, 21)) == [("CDE-A", "2003-05", 1)]


def test_a_month_is_owed_even_before_anyone_opened_its_period(program, lima):
    _provider("CDE-A", lima, date(2003, 5, 1))
    assert ReportingPeriod.objects.count() == 0
    assert _listed(date(2003, 7, 11)) == [("CDE-A", "2003-06", 1), ("CDE-A", "2003-05", 31)]


# Totals, and the rows behind them


@pytest.fixture
def may(delivery_row, provider_a, provider_b, staff_a, staff_b, program) -> Submission:
    chiclayo = City.objects.get(name="Chiclayo")
    footwear = Sector.objects.get(code="footwear")
    money = Decimal
    rows = [
        # micro, training: 30 = 20 client + 10 voucher
        delivery_row(provider_a, reference="1"),
        delivery_row(provider_a, reference="2", client_gender="male", participants=3),
        # micro, in Chiclayo, for footwear, technical assistance paid by a third party
        delivery_row(
            provider_a,
            reference="3",
            client_city=chiclayo,
            client_sector=footwear,
            service_type="technical_assistance",
            price=money("100"),
            paid_by_client=money("60"),
            paid_by_voucher=money("0"),
            voucher_code="",
            paid_by_third_party=money("40"),
            third_party="Municipalidad",
        ),
        # small, paid in full
        delivery_row(
            provider_a,
            reference="4",
            client_type="small",
            price=money("55.50"),
            paid_by_client=money("55.50"),
            paid_by_voucher=money("0"),
            voucher_code="",
        ),
        # June: another month of the same provider
        delivery_row(provider_a, reference="5", date=date(2003, 6, 2)),
    ]
    services.deliveries_store(actor=staff_a, rows=rows, source="file")
    services.deliveries_store(
        actor=staff_b, rows=[delivery_row(provider_b, reference="B")], source="file"
    )
    return Submission.objects.get(provider=provider_a, period__month=date(2003, 5, 1))


def test_a_reports_totals(may):
    totals = submission_totals(may)
    assert (totals.attentions, totals.rows, totals.participants) == (4, 4, 6)
    assert totals.income == Decimal("215.50")  # 30 + 30 + 100 + 55.50
    assert totals.paid_by_client == Decimal("155.50")  # 20 + 20 + 60 + 55.50
    assert totals.paid_by_voucher == Decimal("20.00")
    assert totals.paid_by_third_party == Decimal("40.00")


def test_a_reports_totals_by_client_type(may):
    by_type = submission_totals(may).by_client_type
    assert set(by_type) == {"micro", "small"}
    micro, small = by_type["micro"], by_type["small"]
    assert (micro.attentions, micro.participants, micro.income) == (3, 5, Decimal("160.00"))
    assert (micro.paid_by_third_party, micro.paid_by_voucher) == (Decimal("40"), Decimal("20"))
    assert (small.attentions, small.income, small.paid_by_client) == (
        1,
        Decimal("55.50"),
        Decimal("55.50"),
    )


def test_totals_take_two_queries(may, django_assert_num_queries):
    with django_assert_num_queries(2):
        submission_totals(may)


def test_an_empty_report_totals_zero(provider_a, program):
    empty = services.submission_get_or_create(
        actor=None, provider=provider_a, month=date(2003, 1, 1)
    )
    totals = submission_totals(empty)
    assert (totals.attentions, totals.participants, totals.income) == (0, 0, Decimal("0"))
    assert totals.by_client_type == {}


def test_the_rows_behind_each_total_add_up_to_it(may, officer):
    visible = deliveries_visible_to(officer)
    for client_type, total in submission_totals(may).by_client_type.items():
        rows = deliveries_behind(
            visible, provider=may.provider, month=date(2003, 5, 20), client_type=client_type
        )
        assert deliveries_totals(rows) == total


def test_the_rows_behind_a_total_by_each_filter(may, officer, provider_a):
    visible = deliveries_visible_to(officer)
    may_rows = {"provider": provider_a, "month": date(2003, 5, 1)}

    def references(**filters) -> list[str]:
        return [row.reference for row in deliveries_behind(visible, **filters)]

    assert references(**may_rows) == ["1", "2", "3", "4"]
    assert references(provider=provider_a.pk) == ["1", "2", "3", "4", "5"]
    assert references(**may_rows, client_gender="male") == ["2"]
    assert references(**may_rows, service_type="technical_assistance") == ["3"]
    assert references(**may_rows, city=City.objects.get(name="Chiclayo")) == ["3"]
    assert references(**may_rows, sector=Sector.objects.get(code="footwear").pk) == ["3"]
    assert references(month=date(2003, 5, 31)) == ["1", "2", "3", "4", "B"]
    assert references(month=date(2003, 6, 1)) == ["5"]


def test_the_rows_behind_a_total_never_leave_the_users_scope(may, staff_b, provider_a):
    mine = deliveries_behind(deliveries_visible_to(staff_b), month=date(2003, 5, 1))
    assert [row.provider for row in mine] == [staff_b.provider]
    assert not deliveries_behind(deliveries_visible_to(staff_b), provider=provider_a).exists()
