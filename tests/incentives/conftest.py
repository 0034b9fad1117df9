"""The reports the incentive tests pay on (the cast and `delivery_row` are in
tests/conftest.py), and a scheme like the reference program's, small enough to work out by
hand.

    provider_a   May 2003: three rows, 180.00 of income, 150.00 paid by clients, two to
                 women; costs of 250.00 (clients paid 0.6 of them)
                 June 2003: two rows, 200.00 paid by clients, one to a woman; no costs
    provider_b   May 2003: one row, 40.00 paid by its client (a man)

Every report was sent on the 5th of the next month, before its due day. Both providers
have a support package from January 2003 (incentives are part of it).
"""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from bdsmarket.incentives import services
from bdsmarket.incentives.models import SupportPackage
from bdsmarket.incentives.services import RuleInput
from bdsmarket.monitoring.models import Submission
from tests.indicators.page_data import costs
from tests.reporting import approve, report, store

MAY, JUNE = date(2003, 5, 1), date(2003, 6, 1)


def sent_on(submission: Submission, day: date) -> None:
    """Date a report's sending (and its history's) as if it had been sent on `day`."""
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))
    Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
    Submission.history.filter(id=submission.pk).update(submitted_at=moment)  # type: ignore[attr-defined]


def row(delivery_row, provider, reference, day, price, paid, gender="female", **more):
    return delivery_row(
        provider,
        reference=reference,
        client_id=reference,
        date=day,
        client_gender=gender,
        price=D(price),
        paid_by_client=D(paid),
        paid_by_voucher=D(price) - D(paid),
        voucher_code="BP-1" if D(price) > D(paid) else "",
        **more,
    )


@pytest.fixture
def months(staff_a, staff_b, officer, provider_a, provider_b, delivery_row):
    """The approved months of the module's docstring."""
    store(
        staff_a,
        row(delivery_row, provider_a, "A-1", date(2003, 5, 6), "30.00", "20.00"),
        row(delivery_row, provider_a, "A-2", date(2003, 5, 9), "50.00", "50.00", "male"),
        row(delivery_row, provider_a, "A-3", date(2003, 5, 21), "100.00", "80.00"),
        row(delivery_row, provider_a, "A-4", date(2003, 6, 2), "120.00", "120.00", "male"),
        row(delivery_row, provider_a, "A-5", date(2003, 6, 12), "90.00", "80.00"),
    )
    costs(staff_a, provider_a, MAY, "150.00")
    store(staff_b, row(delivery_row, provider_b, "B-1", date(2003, 5, 6), "40.00", "40.00", "male"))
    for provider, staff, month in (
        (provider_a, staff_a, MAY),
        (provider_a, staff_a, JUNE),
        (provider_b, staff_b, MAY),
    ):
        submission = report(provider, month)
        approve(staff, officer, submission)
        sent_on(submission, date(month.year, month.month + 1, 5))
    for provider in (provider_a, provider_b):
        SupportPackage.objects.create(provider=provider, starts_on=date(2003, 1, 1))
    return provider_a, provider_b


def scheme_make(manager, *rules_given: RuleInput, adopt=True, code="pic", **options):
    scheme = services.scheme_create(
        actor=manager,
        code=code,
        name="Pago por resultados",
        effective_from=options.pop("effective_from", date(2003, 1, 1)),
        rules_given=rules_given,
        **options,
    )
    return services.scheme_adopt(actor=manager, scheme=scheme) if adopt else scheme


PAID = RuleInput(code="paid", label="30% of what clients paid", base="paid_by_client",
                 rate=D("0.30"))  # fmt: skip
WOMEN = RuleInput(code="women", label="5.00 per attention to a woman", kind="bonus",
                  base="women_attentions", amount_per_unit=D("5.00"))  # fmt: skip


@pytest.fixture
def scheme(manager):
    """30% of what clients paid, and 5.00 for each attention to a woman."""
    return scheme_make(manager, PAID, WOMEN)
