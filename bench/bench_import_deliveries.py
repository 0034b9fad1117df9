"""How fast and how lean `bdsmarket import deliveries FILE` is, against the databases' own ways.

    python bench/bench_import_deliveries.py                # 1,000,000 rows
    python bench/bench_import_deliveries.py --rows 100000

Writes a CSV of N valid delivery rows (docs/formats.md), then on each database:
- PostgreSQL (when DATABASE_URL is set; skipped otherwise): the import's time against a plain
  COPY of the same file into a table without constraints or indexes. Limit: 3.0.
- SQLite: the import's time against a bare executemany of the same rows (read with the csv
  module) into such a table, in one transaction. Limit: 3.0.
- Both: the import's time against the database's own load of the rows the import stored
  (COPY on PostgreSQL, executemany on SQLite) into a table like the delivery table, with
  its keys, indexes and checks: what any import pays before reading a cell. Limit: 3.0.
  The first ratio cannot be met on PostgreSQL: this load alone takes about three times the
  plain COPY (docs/decisions.md, 51).
- Both: the import's peak memory (the child process's maximum resident set) against 300 MB.

Each database is a fresh one made for the run (PostgreSQL: `<name>_bench_import` beside the
DATABASE_URL's database, dropped afterwards), set up with `bdsmarket generate` (providers,
cities, sectors; no deliveries). Each figure is printed as a ratio against its named limit;
the script exits 1 when any is over.
"""

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

TIME_LIMIT = 3.0  # import / the database's own bulk load
MEMORY_LIMIT_MB = 300.0
BIN = Path(sys.executable).parent
PROVIDERS = 20
HEADER = [
    "provider_code", "date", "client_id", "client_type", "client_gender", "client_sector",
    "client_city", "service_type", "service_name", "participants", "price", "paid_by_client",
    "paid_by_voucher", "voucher_code", "paid_by_third_party", "third_party", "reference",
]  # fmt: skip
CITIES = ["Lima", "Arequipa", "Trujillo", "Chiclayo", "Piura", "Cusco", "Huancayo", "Huánuco"]
SECTORS = ["garments", "services", "commerce", "agroindustry", "footwear", "metalworking"]
SERVICES = [("training", "Taller de costos", 2500), ("training", "Curso de ventas", 3000),
            ("technical_assistance", "Diagnóstico", 12000), ("internet_access", "Internet", 150),
            ("information", "Información de mercados", 800)]  # fmt: skip


def csv_write(path: Path, rows: int, seed: int = 1) -> None:
    """Write `rows` valid deliveries of the generated providers, months 2020 and 2021."""
    rng = random.Random(seed)
    first = date(2020, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            service_type, name, price = rng.choice(SERVICES)
            # Whole-dollar subsidies add up exactly in any arithmetic.
            third = rng.choice([0, 0, 0, 100, 500]) if price >= 500 else 0
            writer.writerow(
                [
                    f"GEN-{rng.randint(1, PROVIDERS):04d}",
                    (first + timedelta(days=rng.randrange(730))).isoformat(),
                    f"{rng.randint(1_000_000, 49_999_999):08d}",
                    rng.choice(["micro", "micro", "pre_enterprise", "small"]),
                    rng.choice(["female", "male"]),
                    rng.choice(SECTORS),
                    rng.choice(CITIES),
                    service_type,
                    name,
                    1,
                    f"{price / 100:.2f}",
                    f"{(price - third) / 100:.2f}",
                    "0",
                    "",
                    f"{third / 100:.2f}",
                    "Municipalidad" if third else "",
                    f"B{number}",
                ]
            )


def run(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Run a bdsmarket command; return its seconds and its peak memory (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(BIN / "bdsmarket"), *command],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # wait4 gives this child's own resource usage (ru_maxrss in kB on Linux).
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    output = (child.stdout.read() + child.stderr.read()).decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"`bdsmarket {' '.join(command)}` failed:\n{output[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def setup(environment: dict[str, str]) -> None:
    run(["migrate", "-v", "0"], environment)
    run(["generate", "--providers", str(PROVIDERS), "--deliveries", "0", "--months", "1",
         "--first-month", "2019-01"], environment)  # fmt: skip


def ratio_report(name: str, detail: str, ratio: float) -> bool:
    """Print a time ratio against TIME_LIMIT; return whether it is within."""
    print(f"{name}: {detail}, ratio {ratio:.2f} (limit {TIME_LIMIT:.1f})")
    return ratio <= TIME_LIMIT


def memory_report(name: str, megabytes: float) -> bool:
    """Print a peak memory against MEMORY_LIMIT_MB; return whether it is within."""
    ratio = megabytes / MEMORY_LIMIT_MB
    limit = f"limit {MEMORY_LIMIT_MB:.0f} MB"
    print(f"{name}: peak memory {megabytes:.0f} MB, ratio {ratio:.2f} ({limit})")
    return ratio <= 1


# The import fills every column of the delivery table but its id.
STORED_COLUMNS_SQL = (
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_name = 'monitoring_delivery' AND column_name <> 'id' ORDER BY ordinal_position"
)


def in_child(function: Callable[[str], float], argument: str) -> float:
    """Return `function(argument)` computed in a child process.

    A child's peak memory starts from its parent's at the fork: this process stays small, so
    that the imports it starts next are measured alone.
    """
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(function, (argument,))


def sqlite_floor(database_path: str) -> float:
    """Time an executemany of the stored deliveries into a copy of the delivery table (its
    keys and indexes), with the import's statement and page cache; return its seconds."""
    database = sqlite3.connect(database_path)
    schema = database.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'monitoring_delivery' AND sql IS NOT NULL"
    ).fetchall()
    for (sql,) in schema:
        database.execute(
            sql.replace('"monitoring_delivery"', '"bench_floor"').replace(
                'INDEX "', 'INDEX "bench_floor_'
            )
        )
    database.execute("PRAGMA cache_size = -65536")  # as the import's writer does
    names = [name for _, name, *_ in database.execute("PRAGMA table_info(monitoring_delivery)")]
    stored_columns = ", ".join(name for name in names if name != "id")
    marks = ", ".join("?" * (len(names) - 1))
    insert = (
        f"INSERT INTO bench_floor ({stored_columns}) VALUES ({marks}) "
        "ON CONFLICT (provider_id, row_key) DO NOTHING"
    )
    # Read and inserted in blocks, only the inserts timed.
    stored = database.execute(f"SELECT {stored_columns} FROM monitoring_delivery")
    seconds = 0.0
    with database:
        while block := stored.fetchmany(50_000):
            started = time.perf_counter()
            database.executemany(insert, block)
            seconds += time.perf_counter() - started
    database.close()
    return seconds


def bench_sqlite(path: Path, rows: int, folder: Path) -> list[bool]:
    data_dir = folder / "sqlite"
    data_dir.mkdir()
    environment = {**os.environ, "BDSMARKET_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_URL", None)
    setup(environment)
    seconds, memory = run(["import", "deliveries", str(path)], environment)
    database = sqlite3.connect(data_dir / "bdsmarket.sqlite3")
    database.execute(f"CREATE TABLE bench_insert ({', '.join(f'{c} TEXT' for c in HEADER)})")
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle, database:
        reader = csv.reader(handle)
        next(reader)
        placeholders = ", ".join("?" * len(HEADER))
        database.executemany(f"INSERT INTO bench_insert VALUES ({placeholders})", reader)
    baseline = time.perf_counter() - started
    stored = database.execute("SELECT count(*) FROM monitoring_delivery").fetchone()[0]
    database.close()
    if stored != rows:
        raise SystemExit(f"SQLite: the import stored {stored} rows of {rows}")
    floor = in_child(sqlite_floor, str(data_dir / "bdsmarket.sqlite3"))
    return [
        ratio_report(
            "SQLite", f"import: {seconds:.1f} s, executemany: {baseline:.1f} s", seconds / baseline
        ),
        ratio_report(
            "SQLite",
            f"import: {seconds:.1f} s, executemany into the delivery table: {floor:.1f} s",
            seconds / floor,
        ),
        memory_report("SQLite import", memory),
    ]


def bench_postgresql(path: Path, rows: int, url: str) -> list[bool]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_import"
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        environment = {**os.environ, "DATABASE_URL": bench_url}
        setup(environment)
        seconds, memory = run(["import", "deliveries", str(path)], environment)
        with psycopg.connect(bench_url, autocommit=True) as connection:
            columns = ", ".join(f"{c} text" for c in HEADER)
            connection.execute(f"CREATE TABLE bench_copy ({columns})")
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                path.open("rb") as handle,
                cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            baseline = time.perf_counter() - started
            stored = connection.execute("SELECT count(*) FROM monitoring_delivery").fetchone()[0]
            if stored != rows:
                raise SystemExit(f"PostgreSQL: the import stored {stored} rows of {rows}")
        floor = in_child(postgresql_floor, bench_url)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return [
        ratio_report(
            "PostgreSQL", f"import: {seconds:.1f} s, COPY: {baseline:.1f} s", seconds / baseline
        ),
        ratio_report(
            "PostgreSQL",
            f"import: {seconds:.1f} s, COPY into the delivery table: {floor:.1f} s",
            seconds / floor,
        ),
        memory_report("PostgreSQL import", memory),
    ]


def postgresql_floor(url: str) -> float:
    """Time a COPY of the stored deliveries, as the import sends them, into a copy of the
    delivery table (its keys, indexes and checks); return its seconds."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        stored_columns = ", ".join(name for (name,) in cursor.execute(STORED_COLUMNS_SQL))
        text = bytearray()
        with cursor.copy(f"COPY monitoring_delivery ({stored_columns}) TO STDOUT") as copy:
            for block in copy:
                text += block
        cursor.execute("CREATE TABLE bench_floor (LIKE monitoring_delivery INCLUDING ALL)")
        started = time.perf_counter()
        with cursor.copy(f"COPY bench_floor ({stored_columns}) FROM STDIN") as copy:
            for start in range(0, len(text), 1 << 20):
                copy.write(text[start : start + (1 << 20)])
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the file")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="bench one database only")
    options = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashed child leaves no core file
    results: list[bool] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deliveries.csv"
        started = time.perf_counter()
        csv_write(path, options.rows)
        print(f"{options.rows} rows written to a CSV in {time.perf_counter() - started:.1f} s")
        if options.only != "postgresql":
            results += bench_sqlite(path, options.rows, Path(folder))
        if options.only != "sqlite":
            url = os.environ.get("DATABASE_URL", "")
            if url.startswith(("postgres://", "postgresql://")):
                results += bench_postgresql(path, options.rows, url)
            else:
                print("PostgreSQL: skipped (set DATABASE_URL=postgres://… to bench it)")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
