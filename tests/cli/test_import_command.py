"""`bdsmarket import KIND FILE`: one line per error, or a one-line summary."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bdsmarket.registry.models import City, Provider


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--language", "en", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def cities_file(tmp_path) -> Path:
    path = tmp_path / "ciudades.csv"
    path.write_text("nombre;región\nPiura;Piura\nCajamarca;Cajamarca\n", encoding="cp1252")
    return path


def test_it_imports_a_file_and_prints_a_one_line_summary(program, cities_file):
    out = run_import("cities", str(cities_file))
    assert out == "2 cities: 2 created, 0 updated, 0 unchanged\n"
    assert City.objects.filter(name__in=["Piura", "Cajamarca"]).count() == 2
    assert run_import("cities", str(cities_file)) == "2 cities: 0 created, 0 updated, 2 unchanged\n"


def test_a_rejected_file_prints_one_line_per_error_and_fails(program, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("code,name,legal_type,city\nCDE-X,X,charity,Lima\nCDE-Y,Y,firm,Atlantis\n")
    out = StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was stored"):
        call_command("import", "providers", str(path), "--language", "en", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Row 2, column “legal_type”: “charity” (expected: one of: ngo (NGO)")
    assert lines[1].startswith("Row 3, column “city”: “Atlantis” (expected: a city of the program")
    assert Provider.objects.count() == 0


def test_a_dry_run_stores_nothing(program, cities_file):
    out = run_import("cities", str(cities_file), "--dry-run")
    assert out.startswith("2 cities: 2 created, 0 updated, 0 unchanged (dry run")
    assert not City.objects.filter(name="Piura").exists()


def test_it_imports_as_a_user_with_their_permissions(staff_a, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("code,name,legal_type,city\nCDE-X,X,firm,Lima\n")
    with pytest.raises(CommandError, match="staff_a may not import providers"):
        run_import("providers", str(path), "--user", "staff_a")
    clients = tmp_path / "clients.csv"
    clients.write_text("name,client_type\nRosa Quispe,micro\n")
    assert run_import("enterprises", str(clients), "--user", "staff_a").startswith("1 enterprise:")
    assert Provider.objects.filter(code="CDE-X").count() == 0


def test_an_unknown_user_or_a_missing_file_is_a_clear_error(program, cities_file, tmp_path):
    with pytest.raises(CommandError, match="No user is named “nobody”"):
        run_import("cities", str(cities_file), "--user", "nobody")
    with pytest.raises(CommandError, match="There is no file at"):
        run_import("cities", str(tmp_path / "missing.csv"))


def test_a_refused_file_says_why(program, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\x00\x01")
    with pytest.raises(CommandError, match="neither a CSV file nor an Excel workbook"):
        run_import("cities", str(path))


def test_the_installed_command_imports_into_a_fresh_data_directory(tmp_path):
    """The real console script, in its own process, on an SQLite file made by `migrate`."""
    bdsmarket = Path(sys.executable).parent / "bdsmarket"
    if not bdsmarket.exists():
        pytest.skip("the bdsmarket console script is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "COLUMNS")}
    env["BDSMARKET_DATA_DIR"] = str(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(bdsmarket), *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert run("migrate", "--verbosity", "0").returncode == 0
    good = tmp_path / "cities.csv"
    good.write_text("name,region\nPiura,Piura\nTumbes,Tumbes\n")
    done = run("import", "cities", str(good), "--language", "en")
    assert (done.returncode, done.stdout) == (0, "2 cities: 2 created, 0 updated, 0 unchanged\n")
    assert done.stderr == ""  # no progress bar when not on a terminal

    bad = tmp_path / "bad.csv"
    bad.write_text("name,is_capital\nCusco,maybe\n")
    refused = run("import", "cities", str(bad), "--language", "en")
    assert refused.returncode == 1
    assert refused.stdout.startswith("Row 2, column “is_capital”: “maybe”")
    assert "nothing was stored" in refused.stderr

    with sqlite3.connect(tmp_path / "bdsmarket.sqlite3") as database:
        names = [row[0] for row in database.execute("select name from registry_city order by 1")]
    assert names == ["Piura", "Tumbes"]
