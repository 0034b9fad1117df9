"""Writes of indicators: the facts, rebuilt from the rows whenever a report enters or leaves a
basis. Everything else in this app reads.

The facts are derived data: `facts_refresh` deletes a provider's facts and computes them
again from its reports' rows and cost reports, in SQL (one pass that numbers each client's
visits to the provider, then one GROUP BY per dimension). Monitoring calls it when a report
is submitted, returned, approved or reopened, inside the same transaction, so a figure never
lags the reports it counts.
"""

from collections.abc import Collection
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from bdsmarket.monitoring.models import (
    CostReport,
    Delivery,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from bdsmarket.registry.models import City, ClientType, Gender

from .models import DIMENSIONS, Basis, Fact

# Which report statuses each basis counts.
BASIS_STATUSES: dict[str, tuple[str, ...]] = {
    Basis.APPROVED: (SubmissionStatus.APPROVED,),
    Basis.REPORTED: (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.RESUBMITTED,
        SubmissionStatus.APPROVED,
    ),
}
RANKED = "indicators_ranked_rows"

# What each measure adds up over the ranked rows (see `_ranked_rows`): the one definition of
# the measures in SQL, for the facts and for the scopes read from the rows (queries.py).
MEASURE_SQL: dict[str, str] = {
    "attentions": "COUNT(*)",
    "participants": "SUM(participants)",
    "income": "SUM(price)",
    "paid_by_client": "SUM(paid_by_client)",
    "paid_by_voucher": "SUM(paid_by_voucher)",
    "paid_by_third_party": "SUM(paid_by_third_party)",
    "priced": "SUM(CASE WHEN price > 0 THEN 1 ELSE 0 END)",
    "fully_paid": "SUM(CASE WHEN price > 0 AND paid_by_client = price THEN 1 ELSE 0 END)",
    "partially_subsidized": (
        "SUM(CASE WHEN paid_by_client > 0 AND paid_by_client < price THEN 1 ELSE 0 END)"
    ),
    "fully_subsidized": "SUM(CASE WHEN price > 0 AND paid_by_client = 0 THEN 1 ELSE 0 END)",
    "free": "SUM(CASE WHEN price = 0 THEN 1 ELSE 0 END)",
    "repeats": "SUM(CASE WHEN visit > 1 THEN 1 ELSE 0 END)",
    "women": f"SUM(CASE WHEN client_gender = '{Gender.FEMALE}' THEN 1 ELSE 0 END)",
    "gendered": f"SUM(CASE WHEN client_gender <> '{Gender.NA}' THEN 1 ELSE 0 END)",
    "micro_and_pre": (
        f"SUM(CASE WHEN client_type IN ('{ClientType.MICRO}', '{ClientType.PRE_ENTERPRISE}') "
        "THEN 1 ELSE 0 END)"
    ),
    "outside_capital": "SUM(CASE WHEN in_capital = 1 THEN 0 ELSE 1 END)",
}
ROW_MEASURES = tuple(MEASURE_SQL)
COST_MEASURES = ("costs", "other_income", "cost_reports")
# A dimension's value as the facts keep it: text.
DIMENSION_SQL = {
    "client_type": "client_type",
    "client_gender": "client_gender",
    "client_sector": "CAST(client_sector_id AS VARCHAR(20))",
    "client_city": "CAST(client_city_id AS VARCHAR(20))",
    "service_type": "service_type",
}


def _cents(column: str) -> str:
    """An amount column as whole cents: exact sums on SQLite too (it adds decimals as floats)."""
    return f"CAST(ROUND(({column}) * 100) AS BIGINT)"


def ranked_rows_sql(
    statuses: tuple[str, ...], providers: Collection[int] | None
) -> tuple[str, list]:
    """Return the SELECT of the rows a basis counts (of `providers`, or all), with each row's
    month, money in cents, whether its client's city is the capital, and `visit`: the
    how-manyeth attention of its client by its provider this is (1 = the first; on the same
    day, the row stored first comes first)."""
    delivery = Delivery._meta.db_table
    submission = Submission._meta.db_table
    period = ReportingPeriod._meta.db_table
    city = City._meta.db_table
    params: list = list(statuses)
    where = f"s.status IN ({', '.join(['%s'] * len(statuses))})"
    if providers is not None:
        where += f" AND d.provider_id IN ({', '.join(['%s'] * len(providers))})"
        params += list(providers)
    sql = (
        "SELECT d.id AS delivery_id, d.provider_id, p.month, d.date, d.client_key, "
        "d.client_type, d.client_gender, "
        "d.client_sector_id, d.client_city_id, d.service_type, d.participants, "
        f"{_cents('d.price')} AS price, {_cents('d.paid_by_client')} AS paid_by_client, "
        f"{_cents('d.paid_by_voucher')} AS paid_by_voucher, "
        f"{_cents('d.paid_by_third_party')} AS paid_by_third_party, "
        "CASE WHEN c.is_capital THEN 1 ELSE 0 END AS in_capital, "
        "ROW_NUMBER() OVER (PARTITION BY d.provider_id, d.client_key ORDER BY d.date, d.id) "
        "AS visit "
        f"FROM {delivery} d JOIN {submission} s ON s.id = d.submission_id "
        f"JOIN {period} p ON p.id = s.period_id JOIN {city} c ON c.id = d.client_city_id "
        f"WHERE {where}"
    )
    return sql, params


@transaction.atomic
def facts_refresh(*, providers: Collection[int] | None = None, at: datetime | None = None) -> int:
    """Compute the facts of `providers` (every provider when None) again from their reports;
    return how many fact rows there are now. `at` is the moment they record (default now:
    a result's data cut-off)."""
    facts = Fact.objects.all() if providers is None else Fact.objects.filter(provider__in=providers)
    facts.delete()
    if providers is not None and not providers:
        return 0
    written = 0
    for basis, statuses in BASIS_STATUSES.items():
        written += _facts_write(basis, statuses, providers, at or timezone.now())
    return written


def _facts_write(
    basis: str, statuses: tuple[str, ...], providers: Collection[int] | None, now: datetime
) -> int:
    fact = Fact._meta.db_table
    ranked, params = ranked_rows_sql(statuses, providers)
    measures = ", ".join(MEASURE_SQL.values())
    row_columns = ", ".join(ROW_MEASURES)
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RANKED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {RANKED} AS {ranked}", params)
        # The whole month: every report of the basis has one, rows or not, with its costs.
        submission = Submission._meta.db_table
        period = ReportingPeriod._meta.db_table
        costs = CostReport._meta.db_table
        where = f"s.status IN ({', '.join(['%s'] * len(statuses))})"
        where_params: list = list(statuses)
        if providers is not None:
            where += f" AND s.provider_id IN ({', '.join(['%s'] * len(providers))})"
            where_params += list(providers)
        totals = ", ".join(f"COALESCE(a.{name}, 0)" for name in ROW_MEASURES)
        cursor.execute(
            f"INSERT INTO {fact} (basis, provider_id, month, dimension, value, refreshed_at, "
            f"{row_columns}, costs, other_income, cost_reports) "
            f"SELECT %s, s.provider_id, p.month, '', '', %s, {totals}, "
            f"COALESCE({_cents('cr.staff_costs + cr.premises_costs + cr.other_costs')}, 0), "
            f"COALESCE({_cents('cr.other_income')}, 0), "
            "CASE WHEN cr.id IS NULL THEN 0 ELSE 1 END "
            f"FROM {submission} s JOIN {period} p ON p.id = s.period_id "
            f"LEFT JOIN {costs} cr ON cr.submission_id = s.id "
            f"LEFT JOIN (SELECT provider_id, month, {_named(MEASURE_SQL)} FROM {RANKED} "
            "GROUP BY provider_id, month) a ON a.provider_id = s.provider_id AND a.month = p.month "
            f"WHERE {where}",
            [basis, now, *where_params],
        )
        written += cursor.rowcount
        for dimension in DIMENSIONS:
            value = DIMENSION_SQL[dimension]
            cursor.execute(
                f"INSERT INTO {fact} (basis, provider_id, month, dimension, value, refreshed_at, "
                f"{row_columns}, costs, other_income, cost_reports) "
                f"SELECT %s, provider_id, month, %s, {value}, %s, {measures}, 0, 0, 0 "
                f"FROM {RANKED} GROUP BY provider_id, month, {value}",
                [basis, dimension, now],
            )
            written += cursor.rowcount
        cursor.execute(f"DROP TABLE {RANKED}")
    return written


def _named(measures: dict[str, str]) -> str:
    return ", ".join(f"{sql} AS {name}" for name, sql in measures.items())


__all__ = ["BASIS_STATUSES", "MEASURE_SQL", "facts_refresh", "ranked_rows_sql"]
