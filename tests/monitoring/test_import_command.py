"""`bdsmarket import deliveries FILE` and `bdsmarket import costs FILE` on the command line."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bdsmarket.monitoring.models import CostReport, Delivery

from .test_validation import COLUMNS, GOOD


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--language", "en", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def deliveries_csv(tmp_path) -> Path:
    path = tmp_path / "entregas.csv"
    lines = [";".join(COLUMNS)]
    for client in ("44556677", "C-0012"):
        values = {**GOOD, "client_id": client, "price": "30,00", "date": "12/05/2003"}
        lines.append(";".join(values[column] for column in COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    return path


def test_it_imports_deliveries_and_prints_a_one_line_summary(staff_a, deliveries_csv):
    out = run_import("deliveries", str(deliveries_csv), "--user", "staff_a")

    assert out == "2 deliveries: 2 created, 0 updated, 0 unchanged\n"
    assert Delivery.objects.filter(provider=staff_a.provider).count() == 2
    again = run_import("deliveries", str(deliveries_csv), "--user", "staff_a")
    assert again == "2 deliveries: 0 created, 0 updated, 2 unchanged\n"
    assert Delivery.objects.count() == 2


def test_the_system_imports_rows_of_any_provider(provider_a, deliveries_csv):
    assert run_import("deliveries", str(deliveries_csv)).startswith("2 deliveries: 2 created")


def test_a_rejected_file_prints_one_line_per_error_and_stores_nothing(provider_a, tmp_path):
    path = tmp_path / "entregas.csv"
    bad = {**GOOD, "client_city": "Atlantis", "price": "31"}
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(bad[column] for column in COLUMNS) + "\n")
    out = StringIO()

    with pytest.raises(CommandError, match="2 errors; nothing was stored"):
        call_command("import", "deliveries", str(path), "--language", "en", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Row 2, column “client_city”: “Atlantis” (expected: a city")
    assert lines[1].startswith("Row 2, column “price”: “31” (expected: the sum of the parts")
    assert len(lines) == 2
    assert Delivery.objects.count() == 0


def test_messages_follow_the_chosen_language(provider_a, tmp_path):
    path = tmp_path / "entregas.csv"
    bad = {**GOOD, "participants": "dos"}
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(bad[c] for c in COLUMNS) + "\n")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import", "deliveries", str(path), "--language", "es", stdout=out)

    assert out.getvalue().startswith("Fila 2, columna “participants”: “dos”")


def test_a_dry_run_stores_no_delivery(provider_a, deliveries_csv):
    out = run_import("deliveries", str(deliveries_csv), "--dry-run")

    assert out.startswith("2 deliveries: 2 created, 0 updated, 0 unchanged (dry run")
    assert Delivery.objects.count() == 0


def test_an_evaluator_may_not_import_deliveries(evaluator, deliveries_csv):
    with pytest.raises(CommandError, match="evaluator may not import deliveries"):
        run_import("deliveries", str(deliveries_csv), "--user", "evaluator")
    assert Delivery.objects.count() == 0


def test_it_imports_cost_reports(manager, provider_a, tmp_path):
    path = tmp_path / "costos.csv"
    path.write_text("codigo_proveedor;mes;costos_personal;costos_local;otros_costos\n")
    with path.open("a") as file:
        file.write("CDE-LIM-01;2003-05;1.200,00;300;150\nCDE-LIM-01;2003-06;1.200,00;300;150\n")

    out = run_import("costs", str(path), "--user", "manager")

    assert out == "2 cost reports: 2 created, 0 updated, 0 unchanged\n"
    assert CostReport.objects.count() == 2
