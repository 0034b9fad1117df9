"""The registry's audit trail names who made each change, whatever door it came through:
here the command line, where no web request says who is at work."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from bdsmarket.core.history import history_rows
from bdsmarket.registry import services
from bdsmarket.registry.models import City, Enterprise, Provider


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--language", "en", stdout=out, stderr=StringIO())
    return out.getvalue()


def authors(records) -> list:
    return [(record.history_type, record.history_user) for record in records]


@pytest.fixture
def providers_csv(tmp_path) -> Path:
    path = tmp_path / "providers.csv"
    path.write_text("code,name,legal_type,city\nCDE-PIU-01,Centro Piura,ngo,Lima\n")
    return path


def test_providers_imported_with_a_user_name_that_user_in_their_history(
    manager, providers_csv, tmp_path
):
    run_import("providers", str(providers_csv), "--user", "manager")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("code,name,legal_type,city\nCDE-PIU-01,Centro Piura Norte,ngo,Lima\n")
    run_import("providers", str(renamed), "--user", "manager")

    provider = Provider.objects.get(code="CDE-PIU-01")
    assert authors(provider.history.order_by("history_id")) == [("+", manager), ("~", manager)]


def test_cities_and_enterprises_imported_with_a_user_name_that_user(manager, staff_a, tmp_path):
    cities = tmp_path / "cities.csv"
    cities.write_text("name,region\nPiura,Piura\n")
    clients = tmp_path / "clients.csv"
    clients.write_text("name,client_type\nRosa Quispe,micro\n")

    run_import("cities", str(cities), "--user", "manager")
    run_import("enterprises", str(clients), "--user", "staff_a")

    assert authors(City.objects.get(name="Piura").history.all()) == [("+", manager)]
    assert authors(Enterprise.objects.get(name="Rosa Quispe").history.all()) == [("+", staff_a)]


def test_an_import_without_a_user_is_the_systems(program, providers_csv):
    run_import("providers", str(providers_csv))

    record = Provider.objects.get(code="CDE-PIU-01").history.get()
    assert record.history_user is None
    assert history_rows([record])[0].who == "system"


def test_a_new_size_table_records_who_moved_each_enterprise(officer, manager):
    enterprise = services.enterprise_create(
        actor=officer,
        name="Taller",
        client_type="micro",
        workers=8,
        annual_sales=Decimal("100000"),
        figures_as_of=date(2004, 1, 10),
    )
    services.size_class_create(
        code="micro",
        name_en="Micro",
        name_es="Micro",
        rank=1,
        max_workers=10,
        max_annual_sales=Decimal("133000"),
        valid_from=date(2003, 7, 1),
        actor=manager,
    )
    services.enterprise_update(actor=officer, enterprise=enterprise, changes={"phone": "074-1"})

    records = list(Enterprise.history.filter(id=enterprise.pk).order_by("history_id"))
    assert authors(records) == [("+", officer), ("~", manager), ("~", officer)]
    # The trail gives the move to the manager's new table, not to the officer's next edit.
    rows = {(row.who, row.field) for row in history_rows(records) if row.field}
    assert ("manager", "size class") in rows
    assert ("officer", "size class") not in rows


def test_moving_the_capital_records_who_took_it_from_the_old_one(program, manager):
    services.program_configure(
        name=program.name,
        currency="USD",
        time_zone="America/Lima",
        capital_city="Chiclayo",
        actor=manager,
    )

    lima = City.objects.get(name="Lima")
    assert lima.is_capital is False
    assert lima.history.latest("history_id").history_user == manager
