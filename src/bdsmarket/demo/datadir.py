"""Making room for a fresh demo without ever wiping a real program's database.

The demo leaves a marker file in the data directory naming the database it loaded. A
database is replaced only when that marker names it, when it is empty, or when the user
forces it.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils.translation import gettext as _

MARKER_NAME = ".bdsmarket-demo"


class DemoRefused(Exception):
    """The database holds data the demo did not put there."""


def database_label(database: dict | None = None) -> str:
    """Return what identifies a database (default: the default one): its SQLite file, or
    its vendor, host, port and name."""
    database = database or settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return str(Path(database["NAME"]).resolve())
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    host, port = database.get("HOST") or "localhost", database.get("PORT") or ""
    return f"{vendor}://{host}:{port}/{database['NAME']}"


def is_demo_database(data_dir: Path, label: str) -> bool:
    """Return True when the marker in `data_dir` says the demo loaded the database `label`."""
    marker = data_dir / MARKER_NAME
    return marker.is_file() and label in marker.read_text().splitlines()


def demo_database_clear(*, data_dir: Path, force: bool = False) -> None:
    """Remove the previous demo's data from the default database, ready to migrate and load.

    A SQLite database file is deleted (see sqlite_file_clear); any other database has its
    tables emptied. Raises DemoRefused when the database holds data that no demo marker
    accounts for and `force` is off.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        connections.close_all()  # the file is about to go
        sqlite_file_clear(path=Path(database["NAME"]), data_dir=data_dir, force=force)
        return
    tables = connection.introspection.table_names()
    if not tables:
        return
    if not (force or is_demo_database(data_dir, database_label())) and _holds_a_program(tables):
        raise DemoRefused(
            _(
                "The database %(database)s holds a program the demo did not load. Use an "
                "empty database, or pass --force to empty this one."
            )
            % {"database": database_label()}
        )
    call_command("flush", interactive=False, verbosity=0)


def sqlite_file_clear(*, path: Path, data_dir: Path, force: bool = False) -> None:
    """Delete the SQLite database at `path` (with its journal files) if the demo made it.

    Raises DemoRefused, leaving the file alone, when it holds data, the marker in `data_dir`
    does not name it, and `force` is off. A database with tables but no rows (created by
    `migrate` alone) holds no data.
    """
    ours = force or is_demo_database(data_dir, str(path.resolve()))
    if not ours and _sqlite_holds_data(path):
        raise DemoRefused(
            _(
                "%(path)s holds a database the demo did not create. Choose another "
                "directory with --data-dir, or pass --force to replace it."
            )
            % {"path": path}
        )
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Filled by `migrate` itself: rows there are no one's data.
SCHEMA_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)


def _sqlite_holds_data(path: Path) -> bool:
    """Return True when the SQLite file at `path` has a row in a table other than Django's
    bookkeeping, or cannot be read as a database (then it is someone else's file)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as database:
            tables = [
                name
                for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if name not in SCHEMA_TABLES
            ]
            return any(
                database.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in tables
            )
    except sqlite3.DatabaseError:
        return True


def _holds_a_program(tables: list[str]) -> bool:
    from bdsmarket.registry.models import Program

    return Program._meta.db_table in tables and Program.objects.exists()


def demo_marker_write(*, data_dir: Path, seed: int, enterprises: int) -> Path:
    """Record in `data_dir` that the demo loaded the default database; return the marker."""
    marker = data_dir / MARKER_NAME
    marker.write_text(
        "This directory holds the bdsmarket demo; `bdsmarket demo` may replace its database.\n"
        f"{database_label()}\nseed {seed}, {enterprises} enterprises\n"
    )
    return marker
