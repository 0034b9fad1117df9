"""`bdsmarket demo --no-serve` in a data directory of its own.

The command runs itself again with the directory in BDSMARKET_DATA_DIR (settings are read
at start-up), so these tests look at the SQLite file it leaves there, not at the test
database. DATABASE_URL is removed so that the child process uses that file.
"""

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bdsmarket.demo.datadir import MARKER_NAME, DemoRefused, database_label, sqlite_file_clear
from bdsmarket.demo.services import DEMO_PASSWORD
from tests.conftest import DEMO_ENTERPRISES, DEMO_SEED


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "demo-data"


def _demo(data_dir: Path, *extra: str) -> None:
    call_command("demo", "--no-serve", f"--data-dir={data_dir}", "--enterprises=25", *extra)


def _rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "bdsmarket.sqlite3") as database:
        return database.execute(sql).fetchall()


LOGINS = """
    SELECT u.username, u.role, p.code FROM core_user u
    LEFT JOIN registry_provider p ON p.id = u.provider_id ORDER BY u.username
"""

# Run in a child process whose settings point at the command's data directory.
DIGEST = (
    "import django; django.setup(); "
    "from bdsmarket.demo.queries import demo_digest; print(demo_digest())"
)


@dataclass(frozen=True)
class CommandRun:
    data_dir: Path
    output: str
    digest: str


def _earlier_demo_leave(data_dir: Path) -> None:
    """Leave in `data_dir` what an earlier `bdsmarket demo` leaves: a database holding rows,
    named by the demo's marker."""
    data_dir.mkdir(parents=True)
    database_path = data_dir / "bdsmarket.sqlite3"
    with sqlite3.connect(database_path) as database:
        database.execute("CREATE TABLE earlier_demo (value TEXT)")
        database.execute("INSERT INTO earlier_demo VALUES ('replace me')")
    label = database_label({"ENGINE": "django.db.backends.sqlite3", "NAME": database_path})
    (data_dir / MARKER_NAME).write_text(f"An earlier demo.\n{label}\nseed 3, 25 enterprises\n")


@pytest.fixture(scope="module")
def english_demo(request, tmp_path_factory) -> CommandRun:
    """`bdsmarket demo` run once, in English, with the seed and size of the shared demo
    (`demo_template`, loaded in Spanish in the test database), and what it printed.

    A load takes most of a minute, so the tests of the command and the test that a second
    load stores the same rows share this one. It runs over a demo database left by an
    earlier run (`_earlier_demo_leave`), which it must replace. The command runs as a
    person runs it, in a process of its own, while this one loads the shared demo.
    """
    from tests.conftest import DemoTemplate

    data_dir = tmp_path_factory.mktemp("english-demo") / "demo-data"
    _earlier_demo_leave(data_dir)
    environment = {**os.environ, "LANGUAGE_CODE": "en", "BDSMARKET_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_URL", None)
    output = tmp_path_factory.mktemp("english-demo-output") / "stdout"
    command = [
        str(Path(sys.executable).with_name("bdsmarket")),
        "demo",
        "--no-serve",
        f"--data-dir={data_dir}",
        f"--seed={DEMO_SEED}",
        f"--enterprises={DEMO_ENTERPRISES}",
    ]
    errors = output.with_name("stderr")
    with output.open("w") as stdout, errors.open("w") as stderr:
        running = subprocess.Popen(command, env=environment, stdout=stdout, stderr=stderr)
        try:
            demo_template: DemoTemplate = request.getfixturevalue("demo_template")
        finally:
            running.wait(timeout=900)
    assert running.returncode == 0, errors.read_text()
    digest = subprocess.run(
        [sys.executable, "-c", DIGEST], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    if connection.vendor == "sqlite":
        # Read the shared demo's digest now, outside any test's transaction: the copy is put
        # into the test database page by page, which an open transaction would forbid.
        demo_template.digest()
    return CommandRun(data_dir=data_dir, output=output.read_text(), digest=digest)


pytestmark = pytest.mark.xdist_group("demo")


# The shared demo is in the test database, which pytest-django makes only for the tests
# that say they use it.
@pytest.mark.django_db
def test_it_loads_the_demo_with_a_login_per_role_over_the_demo_it_loaded_before(english_demo):
    data_dir = english_demo.data_dir
    expected = [
        ("auditor", "auditor", None),
        ("evaluator", "evaluator", None),
        ("manager", "manager", None),
        ("officer", "officer", None),
        ("provider", "provider", "CDE-CIX-02"),
    ]
    assert _rows(data_dir, LOGINS) == expected
    enterprises = _rows(data_dir, "SELECT count(*) FROM registry_enterprise")
    assert enterprises == [(DEMO_ENTERPRISES,)]
    assert _rows(data_dir, "SELECT count(*) FROM registry_provider") == [(19,)]
    assert _rows(data_dir, "SELECT status FROM registry_provider WHERE code = 'CDE-CIX-02'") == [
        ("active",)
    ]
    assert DEMO_PASSWORD in english_demo.output and "127.0.0.1:8000" in english_demo.output
    # The earlier demo's database, which the marker named, was replaced without --force.
    assert _rows(data_dir, "SELECT count(*) FROM sqlite_master WHERE name = 'earlier_demo'") == [
        (0,)
    ]
    marker = (data_dir / MARKER_NAME).read_text()
    assert f"seed {DEMO_SEED}, {DEMO_ENTERPRISES} enterprises" in marker


@pytest.mark.django_db
def test_the_same_seed_stores_the_same_rows_whatever_the_language_or_process_of_the_load(
    english_demo, demo_template
):
    if connection.vendor != "sqlite":
        pytest.skip("the command's database is an SQLite file: digests compare within one engine")
    # Warnings are stored as codes and parameters, so not even they depend on the language.
    warnings = _rows(english_demo.data_dir, "SELECT count(*) FROM monitoring_validationwarning")
    assert warnings[0][0] > 0
    assert english_demo.digest == demo_template.digest()
    assert len(english_demo.digest) == 64


def test_it_refuses_to_replace_a_database_it_did_not_create(data_dir, capfd):
    data_dir.mkdir()
    with sqlite3.connect(data_dir / "bdsmarket.sqlite3") as database:
        database.execute("CREATE TABLE precious (value TEXT)")
        database.execute("INSERT INTO precious VALUES ('keep me')")
    with pytest.raises(CommandError):
        _demo(data_dir)
    assert "--force" in capfd.readouterr().err
    assert _rows(data_dir, "SELECT value FROM precious") == [("keep me",)]
    assert not (data_dir / MARKER_NAME).exists()


def _foreign_database(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE precious (value TEXT)")
        database.execute("INSERT INTO precious VALUES ('keep me')")
    return path


def test_it_replaces_a_database_it_did_not_create_only_when_forced(tmp_path):
    path = _foreign_database(tmp_path / "bdsmarket.sqlite3")
    with pytest.raises(DemoRefused):
        sqlite_file_clear(path=path, data_dir=tmp_path)
    assert path.exists()
    sqlite_file_clear(path=path, data_dir=tmp_path, force=True)
    assert not path.exists()


def test_it_replaces_the_database_its_marker_names(tmp_path):
    path = _foreign_database(tmp_path / "bdsmarket.sqlite3")
    (tmp_path / MARKER_NAME).write_text(f"the demo\n{path.resolve()}\n")
    sqlite_file_clear(path=path, data_dir=tmp_path)
    assert not path.exists()
    other = _foreign_database(tmp_path / "other.sqlite3")
    with pytest.raises(DemoRefused):
        sqlite_file_clear(path=other, data_dir=tmp_path)


def test_it_rejects_a_negative_number_of_enterprises(data_dir):
    with pytest.raises(CommandError, match="--enterprises"):
        call_command("demo", "--no-serve", f"--data-dir={data_dir}", "--enterprises=-1")
    assert not data_dir.exists()


def test_it_replaces_a_database_that_holds_no_rows(tmp_path):
    path = tmp_path / "bdsmarket.sqlite3"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE django_migrations (app TEXT)")
        database.execute("INSERT INTO django_migrations VALUES ('core')")
        database.execute("CREATE TABLE core_user (username TEXT)")
    sqlite_file_clear(path=path, data_dir=tmp_path)
    assert not path.exists()


def test_it_leaves_alone_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "bdsmarket.sqlite3"
    path.write_text("my notes")
    with pytest.raises(DemoRefused):
        sqlite_file_clear(path=path, data_dir=tmp_path)
    assert path.read_text() == "my notes"
