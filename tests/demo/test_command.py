"""`bdsmarket demo --no-serve` in a data directory of its own.

The command runs itself again with the directory in BDSMARKET_DATA_DIR (settings are read
at start-up), so these tests look at the SQLite file it leaves there, not at the test
database. DATABASE_URL is removed so that the child process uses that file.
"""

import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bdsmarket.demo.datadir import MARKER_NAME, DemoRefused, sqlite_file_clear
from bdsmarket.demo.services import DEMO_PASSWORD


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


def test_it_loads_the_demo_with_a_login_per_role_and_can_run_again(data_dir, capfd):
    _demo(data_dir)
    output = capfd.readouterr().out
    expected = [
        ("auditor", "auditor", None),
        ("evaluator", "evaluator", None),
        ("manager", "manager", None),
        ("officer", "officer", None),
        ("provider", "provider", "CDE-CIX-02"),
    ]
    assert _rows(data_dir, LOGINS) == expected
    assert _rows(data_dir, "SELECT count(*) FROM registry_enterprise") == [(25,)]
    assert _rows(data_dir, "SELECT status FROM registry_provider WHERE code = 'CDE-CIX-02'") == [
        ("active",)
    ]
    assert DEMO_PASSWORD in output and "127.0.0.1:8000" in output
    assert (data_dir / MARKER_NAME).is_file()

    _demo(data_dir, "--seed=3")
    assert _rows(data_dir, LOGINS) == expected
    assert _rows(data_dir, "SELECT count(*) FROM registry_provider") == [(19,)]


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
