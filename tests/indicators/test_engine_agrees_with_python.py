"""The engine's database aggregation gives what a plain Python reading of the definitions
gives (docs/indicators.md), on random data, on whichever database the suite runs on.

The reference below reads every row in Python, the slow and obvious way: it is what the
definitions say, and the engine (facts or rows, GROUP BY in SQL) must agree with it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdsmarket.indicators.queries import Scope, indicators_compute, returns_read_once
from bdsmarket.indicators.services import facts_refresh
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission, SubmissionStatus
from bdsmarket.registry.models import City, Sector

MONTHS = [date(2003, month, 1) for month in (1, 2, 3, 4)]
CLIENTS = ["44556677", "10203040", "C-1", "C-2", "C-3"]  # two DNIs, three own numbers


@dataclass(frozen=True)
class Planned:
    provider: int  # index into the providers
    month: int  # index into MONTHS
    day: int
    client: int
    client_type: str
    gender: str
    city: int
    price: int  # cents
    client_part: int  # of the price, in hundredths


rows_strategy = st.lists(
    st.builds(
        Planned,
        provider=st.integers(0, 2),
        month=st.integers(0, 3),
        day=st.integers(1, 3),
        client=st.integers(0, 4),
        client_type=st.sampled_from(["micro", "pre_enterprise", "small"]),
        gender=st.sampled_from(["female", "male", "na"]),
        city=st.integers(0, 1),
        price=st.sampled_from([0, 1500, 2999, 10000]),
        client_part=st.sampled_from([0, 50, 100]),
    ),
    max_size=30,
)
INDICATORS = [
    "attentions",
    "participants",
    "clients",
    "repeat_rate",
    "new_clients",
    "income",
    "paid_by_client",
    "end_user_share",
    "fully_paid_share",
    "partially_subsidized_share",
    "fully_subsidized_share",
    "free_attentions",
    "average_price",
    "women_share",
    "micro_and_pre_share",
    "outside_capital_share",
    "active_providers",
    "return_to_same_provider",
]


def _key(provider_code: str, client_id: str) -> str:
    return f"dni:{client_id}" if client_id.isdigit() else f"{provider_code}:{client_id}"


def reference(stored, providers, scope_months, approved):
    """Return the indicators over the rows of approved months in `scope_months`, the way
    the definitions read."""
    universe = [row for row in stored if (row["provider"], row["month"]) in approved]
    # A repeat: an earlier row (date, then the order stored) of the same client and provider.
    seen: set[tuple] = set()
    repeats = set()
    for row in sorted(universe, key=lambda row: (row["date"], row["order"])):
        client = (row["provider"], row["key"])
        if client in seen:
            repeats.add(row["order"])
        seen.add(client)
    # Returns: each client's first two attentions anywhere, the second in the scope.
    by_client: dict[str, list[dict]] = {}
    for row in sorted(universe, key=lambda row: (row["date"], row["order"])):
        by_client.setdefault(row["key"], []).append(row)
    seconds = [
        (visits[0], visits[1])
        for visits in by_client.values()
        if len(visits) > 1 and visits[1]["month"] in scope_months
    ]
    rows = [row for row in universe if row["month"] in scope_months]
    attentions = len(rows)
    priced = [row for row in rows if row["price"] > 0]
    income = sum(row["price"] for row in rows)
    paid = sum(row["paid"] for row in rows)
    gendered = [row for row in rows if row["gender"] != "na"]

    def share(part, whole):
        return None if not whole else Decimal(part) / Decimal(whole)

    return {
        "attentions": attentions,
        "participants": attentions,
        "clients": len({row["key"] for row in rows}),
        "repeat_rate": share(len([r for r in rows if r["order"] in repeats]), attentions),
        "new_clients": attentions - len([r for r in rows if r["order"] in repeats]),
        "income": Decimal(income) / 100,
        "paid_by_client": Decimal(paid) / 100,
        "end_user_share": share(paid, income),
        "fully_paid_share": share(len([r for r in priced if r["paid"] == r["price"]]), len(priced)),
        "partially_subsidized_share": share(
            len([r for r in priced if 0 < r["paid"] < r["price"]]), len(priced)
        ),
        "fully_subsidized_share": share(len([r for r in priced if r["paid"] == 0]), len(priced)),
        "free_attentions": len([r for r in rows if r["price"] == 0]),
        "average_price": None if not attentions else Decimal(income) / 100 / attentions,
        "women_share": share(len([r for r in gendered if r["gender"] == "female"]), len(gendered)),
        "micro_and_pre_share": share(
            len([r for r in rows if r["type"] in ("micro", "pre_enterprise")]), attentions
        ),
        "outside_capital_share": share(len([r for r in rows if not r["capital"]]), attentions),
        "active_providers": len({row["provider"] for row in rows}),
        "return_to_same_provider": share(
            len([1 for first, second in seconds if first["provider"] == second["provider"]]),
            len(seconds),
        ),
    }


@pytest.fixture
def three_providers(provider_a, provider_b, lima):
    from bdsmarket.registry import services as registry
    from bdsmarket.registry.models import LegalType, ProviderStatus

    third = registry.provider_create(
        actor=None,
        code="CDE-HYO-01",
        name="Centro Huancayo",
        legal_type=LegalType.INDIVIDUAL,
        city=City.objects.get(name="Huancayo"),
        status=ProviderStatus.ACTIVE,
    )
    return [provider_a, provider_b, third]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(planned=rows_strategy, approved_months=st.sets(st.integers(0, 3), min_size=1))
def test_the_database_aggregation_equals_a_plain_reading_of_the_definitions(
    three_providers, planned, approved_months
):
    cities = [City.objects.get(name="Lima"), City.objects.get(name="Chiclayo")]
    garments = Sector.objects.get(code="garments")
    with transaction.atomic():
        stored = []
        inputs = []
        for order, row in enumerate(planned):
            provider = three_providers[row.provider]
            price = Decimal(row.price) / 100
            paid = (Decimal(row.price) * row.client_part / 100).quantize(Decimal(1)) / 100
            inputs.append(
                services.DeliveryInput(
                    provider=provider,
                    date=MONTHS[row.month].replace(day=row.day),
                    client_id=CLIENTS[row.client],
                    client_type=row.client_type,
                    client_gender=row.gender,
                    client_sector=garments,
                    client_city=cities[row.city],
                    service_type="training",
                    price=price,
                    paid_by_client=paid,
                    paid_by_third_party=price - paid,
                    reference=f"R{order}",
                )
            )
            stored.append(
                {
                    "order": order,
                    "provider": provider.pk,
                    "month": MONTHS[row.month],
                    "date": MONTHS[row.month].replace(day=row.day),
                    "key": _key(provider.code, CLIENTS[row.client]),
                    "type": row.client_type,
                    "gender": row.gender,
                    "capital": row.city == 0,
                    "price": row.price,
                    "paid": int(paid * 100),
                }
            )
        if inputs:
            services.deliveries_store(actor=None, rows=inputs, source="api")
        approved = {(p.pk, MONTHS[m]) for p in three_providers for m in approved_months}
        Submission.objects.filter(period__month__in=[MONTHS[m] for m in approved_months]).update(
            status=SubmissionStatus.APPROVED
        )
        facts_refresh()
        for first, last in ((0, 3), (1, 2), (2, 2)):
            scope = Scope(MONTHS[first], MONTHS[last])
            expected = reference(stored, three_providers, set(MONTHS[first : last + 1]), approved)
            # The whole scope from the facts, and split by a second dimension (from the rows).
            result = indicators_compute(scope, INDICATORS)
            by_rows = indicators_compute(
                Scope(
                    MONTHS[first],
                    MONTHS[last],
                    filters={"client_gender": frozenset(("female", "male", "na"))},
                ),
                INDICATORS,
                ["client_type"],
            )
            for indicator in INDICATORS:
                assert result.total.values[indicator] == expected[indicator], indicator
            for indicator in ("attentions", "income", "repeat_rate", "clients"):
                assert by_rows.total.values[indicator] == expected[indicator], indicator
            # Returns summed from one pass over a wider span give each provider the same.
            returns = ["return_to_same_provider"]
            alone = indicators_compute(scope, returns, ["provider"])
            with returns_read_once(Scope(MONTHS[0], MONTHS[3])):
                held = indicators_compute(scope, returns, ["provider"])
            assert [(g.key, g.values) for g in held.groups] == [
                (g.key, g.values) for g in alone.groups
            ]
            assert held.total.values == alone.total.values
        transaction.set_rollback(True)


def test_the_reference_counts_a_repeat_the_definitions_way():
    rows = [
        {"order": 0, "provider": 1, "month": MONTHS[0], "date": MONTHS[0], "key": "k",
         "type": "micro", "gender": "na", "capital": True, "price": 0, "paid": 0},
        {"order": 1, "provider": 1, "month": MONTHS[1], "date": MONTHS[1], "key": "k",
         "type": "micro", "gender": "na", "capital": True, "price": 0, "paid": 0},
    ]  # fmt: skip
    approved = {(1, MONTHS[0]), (1, MONTHS[1])}

    only_february = reference(rows, None, {MONTHS[1]}, approved)

    assert only_february["repeat_rate"] == 1  # January's visit is history before the scope
