"""How fast indicators answer at national scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bdsmarket python bench/bench_indicators.py
    … --providers 500 --deliveries 10000000     (the issue's scale; the default)
    … --deliveries 1000000                      (quicker)

Generates a national program into a fresh database `<name>_bench_indicators` beside the
DATABASE_URL's (`bdsmarket generate`: 500 providers, 24 approved months, then the facts),
dropped afterwards, and measures in a child process:

- the monthly benchmark of every provider on every available indicator
  (`benchmarks_compute`), against one hand-written SQL query that computes the same figures
  from the same tables (the facts, and the delivery rows for distinct clients and returns to
  the same provider). Limit: 1.5.
- a provider's dashboard (its indicators month by month over two years, with distinct
  clients) and explorer queries (program-wide by a dimension, by year or quarter, with a
  filter): the 95th percentile of their times against 300 ms. Limit: 1.0.

Each figure is printed as a ratio against its named limit; the script exits 1 when any is
over. Without DATABASE_URL it says so and stops (the targets are PostgreSQL's).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent
BENCHMARK_LIMIT = 1.5
P95_LIMIT_MS = 300.0


def generate(url: str, providers: int, deliveries: int) -> None:
    environment = {**os.environ, "DATABASE_URL": url}
    for command in (
        ["migrate", "-v", "0"],
        ["generate", "--providers", str(providers), "--deliveries", str(deliveries)],
    ):
        started = time.perf_counter()
        done = subprocess.run(
            [str(BIN / "bdsmarket"), *command], env=environment, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"`bdsmarket {' '.join(command)}` failed:\n{done.stderr[-3000:]}")
        print(f"bdsmarket {command[0]}: {time.perf_counter() - started:.1f} s")


def measure() -> list[bool]:
    """Run inside the bench database (django set up by the caller)."""
    from datetime import date

    from django.db import connection

    from bdsmarket.indicators import definitions
    from bdsmarket.indicators.queries import Scope, benchmarks_compute, indicators_compute
    from bdsmarket.indicators.services import BASIS_STATUSES
    from bdsmarket.registry.models import Provider

    month = date(2024, 12, 1)
    ids = [indicator.id for indicator in definitions.AVAILABLE]
    engine = []
    for _run in range(3):
        started = time.perf_counter()
        benchmarks_compute(month, month, ids)
        engine.append(time.perf_counter() - started)
    sql = hand_written_benchmark_sql()
    statuses = list(BASIS_STATUSES["approved"])
    hand = []
    for _run in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, {"month": month, "previous": date(2024, 11, 1),
                                 "statuses": statuses})  # fmt: skip
            cursor.fetchall()
        hand.append(time.perf_counter() - started)
    ratio = min(engine) / min(hand)
    results = [
        report(
            "monthly benchmark, all providers x all indicators",
            f"engine {min(engine):.2f} s, hand-written SQL {min(hand):.2f} s",
            ratio,
            BENCHMARK_LIMIT,
        )
    ]
    providers = list(Provider.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(7)
    dashboard_ids = ["attentions", "clients", "income", "repeat_rate", "end_user_share",
                     "women_share", "cost_recovery", "average_price"]  # fmt: skip
    times = []
    for _run in range(40):
        provider = rng.choice(providers)
        scope = Scope(date(2023, 1, 1), date(2024, 12, 1), providers=frozenset([provider]))
        started = time.perf_counter()
        indicators_compute(scope, dashboard_ids, ["month"])
        times.append(time.perf_counter() - started)
    results.append(p95_report("provider dashboard", times))
    explorer = [
        (Scope(date(2024, 1, 1), date(2024, 12, 1)), ["attentions", "income", "end_user_share"],
         ["client_type"]),
        (Scope(date(2023, 1, 1), date(2024, 12, 1)), ["attentions", "women_share"],
         ["client_city", "year"]),
        (Scope(date(2024, 1, 1), date(2024, 12, 1), filters={"service_type": frozenset(
            ["training"])}), ["income", "average_price"], ["quarter"]),
        (Scope(date(2024, 1, 1), date(2024, 12, 1)), ["attentions", "repeat_rate", "income"],
         ["provider"]),
    ]  # fmt: skip
    times = []
    for _run in range(10):
        for scope, chosen, grouping in explorer:
            started = time.perf_counter()
            indicators_compute(scope, chosen, grouping)
            times.append(time.perf_counter() - started)
    results.append(p95_report("explorer queries", times))
    return results


def hand_written_benchmark_sql() -> str:
    """One query for the month's benchmark of every provider on every available indicator:
    the facts' measures of the month and the month before, distinct clients from the rows,
    and each provider's returning clients; the ranks and quartiles follow from its rows."""
    measures = ("attentions", "participants", "income", "paid_by_client", "paid_by_voucher",
                "paid_by_third_party", "priced", "fully_paid", "partially_subsidized",
                "fully_subsidized", "free", "repeats", "women", "gendered", "micro_and_pre",
                "outside_capital", "costs", "other_income", "cost_reports")  # fmt: skip
    sums = ", ".join(f"SUM(f.{m}) AS {m}" for m in measures)
    return f"""
    WITH now AS (
        SELECT f.provider_id, {sums} FROM indicators_fact f
        WHERE f.basis = 'approved' AND f.dimension = '' AND f.month = %(month)s
        GROUP BY f.provider_id),
    before AS (
        SELECT f.provider_id, {sums} FROM indicators_fact f
        WHERE f.basis = 'approved' AND f.dimension = '' AND f.month = %(previous)s
        GROUP BY f.provider_id),
    clients AS (
        SELECT d.provider_id,
               COUNT(DISTINCT d.client_key) FILTER (WHERE p.month = %(month)s) AS clients,
               COUNT(DISTINCT d.client_key) FILTER (WHERE p.month = %(previous)s)
                   AS previous_clients
        FROM monitoring_delivery d JOIN monitoring_submission s ON s.id = d.submission_id
        JOIN monitoring_reportingperiod p ON p.id = s.period_id
        WHERE s.status = ANY(%(statuses)s) AND p.month IN (%(month)s, %(previous)s)
        GROUP BY d.provider_id),
    visits AS (  -- one pass: each client's attentions numbered, each knowing the first's
        SELECT d.provider_id, p.month, ROW_NUMBER() OVER w AS n,
               FIRST_VALUE(d.provider_id) OVER w AS first
        FROM monitoring_delivery d JOIN monitoring_submission s ON s.id = d.submission_id
        JOIN monitoring_reportingperiod p ON p.id = s.period_id
        WHERE s.status = ANY(%(statuses)s)
        WINDOW w AS (PARTITION BY d.client_key ORDER BY d.date, d.id)),
    returns AS (
        SELECT first AS provider_id,
               COUNT(*) FILTER (WHERE month = %(month)s) AS came_back,
               COUNT(*) FILTER (WHERE month = %(month)s AND provider_id = first) AS returned,
               COUNT(*) FILTER (WHERE month = %(previous)s) AS previous_came_back,
               COUNT(*) FILTER (WHERE month = %(previous)s AND provider_id = first)
                   AS previous_returned
        FROM visits WHERE n = 2 AND month IN (%(month)s, %(previous)s)
        GROUP BY first),
    quartiles AS (  -- an ordered-set aggregate takes no OVER (): one row, joined to all
        SELECT PERCENTILE_CONT(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY attentions)
               AS attentions_quartiles
        FROM now)
    SELECT now.*, before.income AS previous_income, c.clients, c.previous_clients, r.*,
           RANK() OVER (ORDER BY now.attentions DESC) AS attentions_rank,
           q.attentions_quartiles
    FROM now CROSS JOIN quartiles q
    LEFT JOIN before ON before.provider_id = now.provider_id
    LEFT JOIN clients c ON c.provider_id = now.provider_id
    LEFT JOIN returns r ON r.provider_id = now.provider_id
    """


def report(name: str, detail: str, ratio: float, limit: float) -> bool:
    print(f"{name}: {detail}, ratio {ratio:.2f} (limit {limit:.1f})")
    return ratio <= limit


def p95_report(name: str, seconds: list[float]) -> bool:
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[18] * 1000
    ratio = p95 / P95_LIMIT_MS
    print(f"{name}: p95 {p95:.0f} ms over {len(seconds)} queries, ratio {ratio:.2f} "
          f"(limit {P95_LIMIT_MS:.0f} ms)")  # fmt: skip
    return ratio <= 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=500)
    parser.add_argument("--deliveries", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure_only:
        import django

        django.setup()
        return 0 if all(measure()) else 1
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("indicators: skipped (set DATABASE_URL=postgres://… to bench them)")
        return 0
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_indicators"
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        generate(bench_url, options.providers, options.deliveries)
        environment = {**os.environ, "DATABASE_URL": bench_url}
        environment["DJANGO_SETTINGS_MODULE"] = "bdsmarket.settings"
        done = subprocess.run([sys.executable, __file__, "--measure-only"], env=environment)
        return done.returncode
    finally:
        if not options.keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
