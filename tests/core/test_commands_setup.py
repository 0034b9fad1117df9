"""The setup commands: `init`, `createuser` and `serve`."""

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, load_command_class

from bdsmarket.core.management.commands import serve
from bdsmarket.core.models import Role, User
from bdsmarket.registry.models import City, Program
from tests.conftest import PASSWORD


def _run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        sys.stdin, saved = io.StringIO(stdin), sys.stdin
    try:
        call_command(*args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = saved
    return out.getvalue()


# init

INIT = ["init", "--name=Programa Norte", "--capital=Trujillo", "--capital-region=La Libertad"]


def test_init_creates_the_program_with_its_capital(db):
    output = _run(*INIT, "--currency=pen", "--time-zone=America/Lima")
    program = Program.current()
    assert (program.name, program.currency, program.time_zone) == (
        "Programa Norte",
        "PEN",
        "America/Lima",
    )
    capital = City.objects.get(is_capital=True)
    assert (capital.name, capital.region) == ("Trujillo", "La Libertad")
    assert "Programa Norte" in output and output.count("\n") == 1


def test_init_refuses_to_change_an_existing_program(program):
    with pytest.raises(CommandError, match="--force-update"):
        _run(*INIT)
    assert Program.current().name == "Programa de prueba"
    assert City.objects.get(is_capital=True).name == "Lima"


def test_init_changes_an_existing_program_when_forced(program):
    _run(*INIT, "--force-update")
    assert Program.objects.get().name == "Programa Norte"
    assert City.objects.get(is_capital=True).name == "Trujillo"


def test_init_dry_run_stores_nothing(db):
    output = _run(*INIT, "--dry-run")
    assert Program.current() is None
    assert not City.objects.exists()
    assert "Programa Norte" in output and output.count("\n") == 1


def test_init_names_the_option_of_an_unknown_time_zone(db):
    with pytest.raises(CommandError, match=r"--time-zone.*Mars/Olympus"):
        _run(*INIT, "--time-zone=Mars/Olympus")
    assert Program.current() is None


def test_init_refuses_a_country_whose_rules_it_does_not_know(db):
    with pytest.raises(CommandError, match="--country"):
        _run(*INIT, "--country=XX")
    assert Program.current() is None


def test_init_creates_the_database_of_a_new_data_directory(tmp_path: Path):
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "BDSMARKET_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bdsmarket.cli", *INIT],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "bdsmarket.sqlite3") as database:
        assert database.execute("SELECT name FROM registry_program").fetchall() == [
            ("Programa Norte",)
        ]


# createuser


def test_createuser_creates_a_login_with_a_role(db):
    output = _run(
        "createuser",
        "rosa",
        "--role=officer",
        f"--password={PASSWORD}",
        "--email=rosa@example.org",
        "--language=es",
    )
    user = User.objects.get(username="rosa")
    assert (user.role, user.email, user.language, user.provider) == (
        Role.OFFICER,
        "rosa@example.org",
        "es",
        None,
    )
    assert user.check_password(PASSWORD)
    assert "rosa" in output


def test_createuser_accepts_the_role_by_its_name(db):
    _run("createuser", "ana", "--role=Program manager", f"--password={PASSWORD}")
    assert User.objects.get(username="ana").role == Role.MANAGER


def test_createuser_binds_provider_staff_to_the_provider_named_by_code(provider_b):
    _run(
        "createuser",
        "carmen",
        "--role=provider",
        "--provider=cde-cix-01",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    user = User.objects.get(username="carmen")
    assert (user.role, user.provider) == (Role.PROVIDER, provider_b)
    assert user.check_password(PASSWORD)


def test_createuser_rejects_an_unknown_role_and_lists_the_roles(db):
    with pytest.raises(CommandError, match=r"--role.*chief.*manager, officer"):
        _run("createuser", "x", "--role=chief", f"--password={PASSWORD}")
    assert not User.objects.exists()


def test_createuser_requires_a_provider_for_provider_staff(program):
    with pytest.raises(CommandError, match="--provider"):
        _run("createuser", "x", "--role=provider", f"--password={PASSWORD}")
    assert not User.objects.exists()


def test_createuser_rejects_a_provider_for_program_staff(provider_a):
    with pytest.raises(CommandError, match="--provider"):
        _run("createuser", "x", "--role=manager", "--provider=CDE-LIM-01", f"--password={PASSWORD}")
    assert not User.objects.exists()


def test_createuser_rejects_an_unknown_provider_code(program):
    with pytest.raises(CommandError, match="CDE-XXX-09"):
        _run(
            "createuser",
            "x",
            "--role=provider",
            "--provider=cde-xxx-09",
            "--password-stdin",
            stdin=PASSWORD,
        )
    assert not User.objects.exists()


def test_createuser_rejects_a_weak_password(db):
    with pytest.raises(CommandError, match="--password"):
        _run("createuser", "x", "--role=auditor", "--password=123")
    assert not User.objects.exists()


def test_createuser_rejects_a_username_taken(manager):
    with pytest.raises(CommandError, match="USERNAME"):
        _run("createuser", "manager", "--role=auditor", f"--password={PASSWORD}")
    assert User.objects.get(username="manager").role == Role.MANAGER


def test_createuser_dry_run_stores_nothing(db):
    output = _run("createuser", "x", "--role=auditor", f"--password={PASSWORD}", "--dry-run")
    assert not User.objects.exists()
    assert "x" in output


def test_createuser_without_a_password_on_a_pipe_says_how_to_give_one(db):
    with pytest.raises(CommandError, match="--password-stdin"):
        _run("createuser", "x", "--role=auditor", stdin="")
    assert not User.objects.exists()


# serve


def test_serve_explains_itself_in_its_help():
    command = load_command_class("bdsmarket.core", "serve")
    text = command.create_parser("bdsmarket", "serve").format_help()
    assert "gunicorn" in text and "--addrport" in text and "--workers" in text


def test_serve_hands_over_to_gunicorn_with_the_address_and_workers(monkeypatch, db):
    calls = []
    monkeypatch.setattr(serve, "static_files_stale", lambda: False)
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(argv))
    _run("serve", "--addrport=0.0.0.0:9000", "--workers=3")
    [argv] = calls
    assert argv[argv.index("-m") + 1] == "gunicorn"
    assert "bdsmarket.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9000"
    assert argv[argv.index("--workers") + 1] == "3"


def test_serve_collects_static_files_only_when_they_changed(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert serve.static_files_stale()
    call_command("collectstatic", interactive=False, verbosity=0)
    assert not serve.static_files_stale()
    for path in tmp_path.rglob("*"):
        os.utime(path, (0, 0))  # collected long before the sources last changed
    assert serve.static_files_stale()


def test_serve_takes_its_default_workers_from_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert serve.default_workers() == 5
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert 1 <= serve.default_workers() <= 8
