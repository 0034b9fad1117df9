"""Helpers of the indicator pages' tests (their fixtures are in conftest.py): the months
the reports are of, and how to read the engine's figures and a page's text."""

import re
from datetime import date
from decimal import Decimal

from bdsmarket.indicators.queries import Scope, indicators_compute
from bdsmarket.indicators.services import facts_refresh
from bdsmarket.monitoring import generate, services
from tests.reporting import approve, report, store  # noqa: F401  # the tests' helpers

MAY, JUNE, JULY = date(2003, 5, 1), date(2003, 6, 1), date(2003, 7, 1)
TODAY = date(2003, 8, 20)


def costs(actor, provider, month, staff: str, other_income: str = "0") -> None:
    services.cost_report_store(
        actor=actor,
        report=services.CostInput(
            provider=provider,
            month=month,
            staff_costs=Decimal(staff),
            premises_costs=Decimal("100.00"),
            other_costs=Decimal("0"),
            other_income=Decimal(other_income),
        ),
    )


def engine(indicators, *, first=MAY, last=JUNE, providers=None, group_by=(), **filters):
    """The engine's result for a scope, the figures the pages must show."""
    scope = Scope(
        first,
        last,
        providers=None if providers is None else frozenset(p.pk for p in providers),
        filters={name: frozenset(values) for name, values in filters.items()},
    )
    return indicators_compute(scope, indicators, group_by)


def text_of(response) -> str:
    """The page's text without tags, spaces squeezed (to find figures as people see them)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def national_data_generate_more() -> None:
    """Twelve providers more, reporting the same months."""
    generate.CODE_PREFIX, prefix = "MORE-", generate.CODE_PREFIX
    try:
        generate.national_data_generate(
            providers=12, deliveries=480, months=3, first_month=date(2003, 1, 1), seed=2
        )
    finally:
        generate.CODE_PREFIX = prefix
    facts_refresh()
