"""Settings come from the environment; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

from bdsmarket.settings import database_from_url


def test_a_postgres_url_becomes_a_postgres_database(tmp_path):
    database = database_from_url("postgres://app:s%40cret@db.example.org:6432/bds", tmp_path)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("bds", "app", "s@cret")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", "6432")


def test_a_relative_sqlite_url_lives_in_the_data_directory(tmp_path):
    assert database_from_url("sqlite:///program.db", tmp_path)["NAME"] == str(
        tmp_path / "program.db"
    )
    assert database_from_url("sqlite:////srv/p.db", tmp_path)["NAME"] == "/srv/p.db"


def test_sqlite_runs_in_wal_mode(tmp_path):
    database = database_from_url("sqlite:///x.db", tmp_path)
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_an_unknown_database_scheme_is_refused(tmp_path):
    try:
        database_from_url("mongodb://localhost/x", tmp_path)
    except ValueError as error:
        assert "mongodb" in str(error)
    else:
        raise AssertionError("mongodb:// was accepted")


def _bdsmarket(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bdsmarket.cli", *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks_with_no_warning(tmp_path: Path):
    result = _bdsmarket(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "False",
            "SECRET_KEY": "k7#Yq2!vR9@pL4$wZ8^nB6&mT3*cX5(hJ1)fD0_gS-aE+uQ=oI~yW",
            "ALLOWED_HOSTS": "bds.example.org",
            "BDSMARKET_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_one_is_made_once_and_kept_in_the_data_directory(tmp_path: Path):
    for _ in range(2):
        result = _bdsmarket(
            ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
            {"BDSMARKET_DATA_DIR": str(tmp_path)},
        )
        assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert result.stdout.strip().splitlines()[-1] == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_passwords_are_hashed_with_argon2():
    import bdsmarket.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
