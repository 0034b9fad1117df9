"""`bdsmarket incentives compute|simulate|export`: statements computed and stored (or, in a
dry run, not), simulations and exports written to real files and read back, wrong options
refused with what was expected, and nothing stored or written half."""

import csv
import json
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from bdsmarket.core.commands import project_commands
from bdsmarket.incentives import services
from bdsmarket.incentives.models import Statement
from tests.incentives import conftest as incentives
from tests.incentives.conftest import JUNE, MAY, PAID, WOMEN, scheme_make

# The approved months and the scheme of the incentive tests (tests/incentives/conftest.py).
months = incentives.months
scheme = incentives.scheme


def run(*args: str, language: str = "en") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("incentives", *args, "--language", language, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored() -> dict[tuple[str, str], D]:
    return {
        (code, f"{month:%Y-%m}"): total
        for code, month, total in Statement.objects.exclude(status="superseded").values_list(
            "provider__code", "month", "total"
        )
    }


@pytest.fixture
def computed(months, scheme, officer):
    """May and June computed: provider_a 55.00 and 65.00, provider_b 12.00 in May."""
    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE)


def test_the_command_is_one_of_bdsmarkets():
    assert dict(project_commands())["incentives"].startswith("Compute a month's incentive")


# compute


def test_compute_stores_the_months_statements_and_lists_them(months, scheme):
    out, _err = run("compute", "--month", "2003-05")

    # 150.00 paid by clients x 0.30 + two attentions to women x 5.00; 40.00 x 0.30
    assert stored() == {
        ("CDE-LIM-01", "2003-05"): D("55.00"),
        ("CDE-CIX-01", "2003-05"): D("12.00"),
    }
    lines = out.splitlines()
    assert lines[0].split() == ["Provider", "code", "Month", "Version", "Status", "Amount",
                                "Difference"]  # fmt: skip
    assert lines[2].split() == ["CDE-CIX-01", "2003-05", "1", "Computed", "12.00", "12.00"]
    assert lines[3].split() == ["CDE-LIM-01", "2003-05", "1", "Computed", "55.00", "55.00"]
    assert lines[-1] == (
        "Statements computed from 2003-05 on: 2 stored, 0 unchanged, 0 superseded."
    )


def test_computing_again_changes_nothing(months, scheme):
    run("compute", "--month", "2003-05")
    before = list(Statement.objects.values_list("pk", "total", "version").order_by("pk"))

    out, _err = run("compute", "--month", "2003-05")

    assert list(Statement.objects.values_list("pk", "total", "version").order_by("pk")) == before
    assert out.splitlines()[-1] == (
        "Statements computed from 2003-05 on: 0 stored, 2 unchanged, 0 superseded."
    )


def test_compute_may_keep_to_some_providers(months, scheme):
    out, _err = run("compute", "--month", "2003-05", "--provider", "cde-lim-01")

    assert stored() == {("CDE-LIM-01", "2003-05"): D("55.00")}
    assert "CDE-CIX-01" not in out


def test_a_dry_run_computes_but_stores_nothing(months, scheme):
    out, _err = run("compute", "--month", "2003-05", "--dry-run")

    assert not Statement.objects.exists()
    listed = [line.split() for line in out.splitlines()]
    assert ["CDE-LIM-01", "2003-05", "1", "Computed", "55.00", "55.00"] in listed
    assert out.splitlines()[-1].startswith("Dry run: statements computed from 2003-05 on: 2 "
                                           "would be stored")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2003-13"], "--month: “2003-13” is not a month; use YYYY-MM."),
        (["--month", "2003-05", "--provider", "CDE-XXX-99"],
         "--provider: no provider has the code “CDE-XXX-99”."),
        (["--month", "2003-05", "--user", "nobody"], "No user is named “nobody”."),
        (["--month", "2003-05", "--user", "evaluator"],
         "--user: evaluator may not compute statements."),
    ],
)  # fmt: skip
def test_compute_refuses_a_wrong_option_and_stores_nothing(months, scheme, evaluator, args,
                                                           message):  # fmt: skip
    with pytest.raises(CommandError) as error:
        run("compute", *args)

    assert str(error.value) == message
    assert not Statement.objects.exists()


def test_a_service_refusal_names_the_option(months, scheme, provider_b):
    provider_b.package.ends_on = date(2003, 4, 30)
    provider_b.package.save()

    with pytest.raises(CommandError) as error:
        run("compute", "--month", "2003-05", "--provider", "CDE-CIX-01")

    assert str(error.value) == "--provider: No support package covers 2003-05 for CDE-CIX-01."


def test_a_month_without_a_scheme_is_refused_in_the_chosen_language(months):
    with pytest.raises(CommandError) as english:
        run("compute", "--month", "2003-05")
    with pytest.raises(CommandError) as spanish:
        run("compute", "--month", "2003-05", language="es")

    assert str(english.value) == "No incentive scheme is in force in 2003-05."
    assert str(spanish.value) == "No hay un esquema de incentivos vigente en 2003-05."
    assert not Statement.objects.exists()


def test_an_officer_may_compute_as_themself(months, scheme, officer):
    run("compute", "--month", "2003-06", "--user", "officer")

    assert stored() == {("CDE-LIM-01", "2003-06"): D("65.00")}


# simulate


@pytest.fixture
def drafts(months, manager):
    """Two drafts: `pic` as the incentive tests' scheme, `thrifty` without the women's rule."""
    return (
        scheme_make(manager, PAID, WOMEN, adopt=False),
        scheme_make(manager, PAID, adopt=False, code="thrifty"),
    )


def test_a_simulation_reads_on_the_terminal(drafts):
    out, err = run("simulate", "--scheme", "pic", "--scheme", "thrifty", "--from", "2003-05",
                   "--to", "2003-06")  # fmt: skip

    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["Provider", "code", "Provider", "pic", "v1", "thrifty", "v1", "Difference"]
    # provider_a: May 45.00 + 10.00, June 60.00 + 5.00; provider_b: May 12.00
    assert rows[2] == ["CDE-CIX-01", "Centro", "Chiclayo", "12.00", "12.00", "0.00"]
    assert rows[3] == ["CDE-LIM-01", "Centro", "Lima", "Norte", "120.00", "105.00", "-15.00"]
    assert rows[4] == ["Total", "132.00", "117.00", "-15.00"]
    assert "From: 2003-05" in out
    assert err.strip() == (
        "pic v1: 132.00 USD; thrifty v1: 117.00 USD over 2 months for 2 providers; nothing was "
        "stored."
    )
    assert not Statement.objects.exists()


def test_a_simulation_as_json_holds_each_providers_months(drafts, tmp_path):
    path = tmp_path / "simulation.json"

    out, _err = run("simulate", "--scheme", "pic:1", "--from", "2003-05", "--to", "2003-06",
                    "--provider", "CDE-LIM-01", "--format", "json",
                    "--output", str(path))  # fmt: skip

    assert out == ""
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["first"], document["last"], document["totals"]) == (
        "2003-05", "2003-06", ["120.00"]
    )  # fmt: skip
    (lima,) = document["providers"]
    assert lima["months"] == [
        {"month": "2003-05", "amounts": ["55.00"]},
        {"month": "2003-06", "amounts": ["65.00"]},
    ]
    assert document["schemes"][0]["by_rule"] == {"paid": "105.00", "women": "15.00"}


def test_a_simulation_as_csv_and_xlsx_holds_the_same_figures(drafts, tmp_path):
    csv_path, xlsx_path = tmp_path / "simulation.csv", tmp_path / "simulation.xlsx"
    span = ["--scheme", "pic", "--scheme", "thrifty", "--from", "2003-05", "--to", "2003-06"]

    run("simulate", *span, "--format", "csv", "--output", str(csv_path))
    run("simulate", *span, "--format", "xlsx", "--output", str(xlsx_path))

    rows = list(csv.reader(StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["Provider code", "Provider", "pic v1", "thrifty v1", "Difference"],
        ["CDE-CIX-01", "Centro Chiclayo", "12.00", "12.00", "0.00"],
        ["CDE-LIM-01", "Centro Lima Norte", "120.00", "105.00", "-15.00"],
        ["Total", "", "132.00", "117.00", "-15.00"],
    ]
    sheet = load_workbook(xlsx_path).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Provider code", "Provider", "pic v1", "thrifty v1", "Difference")
    assert [row[2:] for row in values[1:]] == [
        (pytest.approx(12), pytest.approx(12), pytest.approx(0)),
        (pytest.approx(120), pytest.approx(105), pytest.approx(-15)),
        (pytest.approx(132), pytest.approx(117), pytest.approx(-15)),
    ]


def test_a_simulation_takes_a_version_of_a_scheme(drafts, manager):
    scheme_make(manager, PAID, adopt=False)  # pic v2: without the women's rule

    newest, _err = run("simulate", "--scheme", "pic", "--from", "2003-05", "--to", "2003-05",
                       "--format", "csv")  # fmt: skip
    first, _err = run("simulate", "--scheme", "pic:1", "--from", "2003-05", "--to", "2003-05",
                      "--format", "csv")  # fmt: skip

    assert list(csv.reader(StringIO(newest)))[-1] == ["Total", "", "57.00"]
    assert list(csv.reader(StringIO(first)))[-1] == ["Total", "", "67.00"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheme", "pic:one"],
         "--scheme “pic:one”: write a scheme's code, or CODE:VERSION (e.g. pic:2)."),
        (["--scheme", "generous"], "--scheme: no scheme has the code “generous”."),
        (["--scheme", "pic:7"], "--scheme: scheme “pic” has no version 7."),
        (["--scheme", "pic", "--scheme", "thrifty", "--scheme", "pic:1"],
         "--scheme: Give one scheme, or two to compare them."),
        (["--scheme", "pic", "--scheme", "pic:1"],
         "--scheme: Choose another scheme to compare with, or none."),
        (["--scheme", "pic", "--to", "2003-04"], "--to: The period ends before it begins."),
        (["--scheme", "pic", "--from", "05/2003"],
         "--from: “05/2003” is not a month; use YYYY-MM."),
        (["--scheme", "pic", "--format", "xlsx"],
         "--format xlsx writes a file: name it with --output."),
        (["--scheme", "pic", "--user", "staff_a"], "--user: staff_a may not simulate schemes."),
    ],
)  # fmt: skip
def test_simulate_refuses_a_wrong_option(drafts, staff_a, args, message):
    span = {"--from": "2003-05", "--to": "2003-06"}
    for option in ("--from", "--to"):
        if option in args:
            span.pop(option)

    with pytest.raises(CommandError) as error:
        run("simulate", *args, *[part for pair in span.items() for part in pair])

    assert str(error.value) == message


# export


def test_a_months_statements_as_csv_have_one_row_per_line(computed, tmp_path):
    path = tmp_path / "statements.csv"

    out, err = run("export", "--month", "2003-05", "--output", str(path))

    assert out == ""
    rows = list(csv.DictReader(StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(row["Provider code"], row["Rule code"], row["Value of the base"], row["Amount"])
            for row in rows] == [
        ("CDE-CIX-01", "paid", "40.00", "12.00"),
        ("CDE-CIX-01", "women", "0", "0.00"),
        ("CDE-LIM-01", "paid", "150.00", "45.00"),
        ("CDE-LIM-01", "women", "2", "10.00"),
    ]  # fmt: skip
    assert {row["Month"] for row in rows} == {"2003-05"}
    assert rows[2]["Rate"] == "0.3" and rows[3]["Amount per unit"] == "5.00"
    assert err.strip() == "2 statements of 2003-05, 67.00 USD in all."


def test_a_months_statements_as_xlsx_hold_numbers_and_spanish_headers(computed, tmp_path):
    path = tmp_path / "statements.xlsx"

    run("export", "--month", "2003-05", "--format", "xlsx", "--output", str(path), language="es")

    sheet = load_workbook(path).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    headers = values[0]
    assert headers[0] == "Código del proveedor"
    amounts = [row[headers.index("Monto")] for row in values[1:]]
    assert amounts == [pytest.approx(12), pytest.approx(0), pytest.approx(45), pytest.approx(10)]


def test_a_months_statements_as_json_are_the_apis_documents(computed, tmp_path, settings):
    settings.SITE_URL = "https://bds.example.org"
    path = tmp_path / "statements.json"

    run("export", "--month", "2003-06", "--format", "json", "--output", str(path))

    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["month"], document["currency"]) == ("2003-06", "USD")
    (june,) = document["statements"]
    assert (june["provider"]["code"], june["total"], june["version"]) == ("CDE-LIM-01", "65.00", 1)
    paid, women = june["lines"]
    assert (paid["base_value"], paid["amount"], women["counted"]) == ("200.00", "60.00", "1")
    assert paid["rows_url"].startswith("https://bds.example.org/")


def test_a_providers_staff_export_their_own_statements_only(computed, staff_a):
    out, _err = run("export", "--month", "2003-05", "--format", "json", "--user", "staff_a")

    document = json.loads(out)
    assert [s["provider"]["code"] for s in document["statements"]] == ["CDE-LIM-01"]


def test_a_month_without_statements_writes_no_file(months, scheme, tmp_path):
    path = tmp_path / "statements.csv"

    with pytest.raises(CommandError) as error:
        run("export", "--month", "2003-05", "--output", str(path))

    assert str(error.value) == ("No statements of 2003-05 to export: compute them first with "
                                "`bdsmarket incentives compute --month 2003-05`.")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_an_output_in_a_folder_that_does_not_exist_is_refused(computed, tmp_path):
    path = tmp_path / "missing" / "statements.csv"

    with pytest.raises(CommandError, match="--output: cannot write"):
        run("export", "--month", "2003-05", "--output", str(path))


@pytest.fixture
def batch(computed, manager, provider_a):
    for statement in Statement.objects.filter(month=MAY):
        services.statement_approve(actor=manager, statement=statement)
    package = provider_a.package
    package.bank_name, package.bank_account = "Banco de la Nación", "00-123-456789"
    package.save()
    return services.payment_batch_create(actor=manager)


def test_a_batch_is_the_banks_file(batch, tmp_path):
    csv_path, xlsx_path = tmp_path / "batch.csv", tmp_path / "batch.xlsx"

    _out, err = run("export", "--batch", str(batch.pk), "--output", str(csv_path))
    run("export", "--batch", str(batch.pk), "--format", "xlsx", "--output", str(xlsx_path))

    rows = list(csv.reader(StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [(row[0], row[4], row[6], row[7]) for row in rows[1:]] == [
        ("CDE-CIX-01", "", "12.00", "pay"),
        ("CDE-LIM-01", "00-123-456789", "55.00", "pay"),
    ]
    assert err.strip() == f"Payment batch {batch.pk}: 2 transfers, 67.00 USD in all."
    transfers, about = load_workbook(xlsx_path).worksheets
    assert [transfers["G2"].value, transfers["G3"].value] == [pytest.approx(12), pytest.approx(55)]
    assert {row[0].value: row[1].value for row in about.iter_rows()}["Total"] == "67.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "999999"], "--batch: no payment batch has the ID 999999."),
        (["--format", "json"], "--format json: a payment batch is written as csv, xlsx."),
        (["--user", "staff_a"], "--user: staff_a may not see the payment batches."),
    ],
)
def test_export_of_a_batch_refuses_a_wrong_option(batch, staff_a, args, message):
    batch_args = [] if "--batch" in args else ["--batch", str(batch.pk)]

    with pytest.raises(CommandError) as error:
        run("export", *batch_args, *args)

    assert str(error.value) == message


def test_export_needs_a_month_or_a_batch(computed):
    with pytest.raises(CommandError, match="one of the arguments --month --batch is required"):
        run("export")
