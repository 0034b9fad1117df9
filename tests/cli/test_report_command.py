"""`bdsmarket report KIND --period …`: the engine's figures as JSON, CSV or XLSX, as the
user named may see them, with a one-line summary on stderr."""

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from bdsmarket.core.commands import project_commands
from bdsmarket.indicators import definitions
from bdsmarket.indicators.queries import Scope, benchmarks_compute, indicators_compute
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission
from tests.reporting import approve_month

MAY, JUNE = date(2003, 5, 1), date(2003, 6, 1)
IDS = ["attentions", "income", "repeat_rate", "end_user_share"]


@pytest.fixture
def reported(officer, provider_a, provider_b, delivery_row, chiclayo):
    approve_month(officer, provider_a, MAY, [
        delivery_row(provider_a, reference="A-1"),
        delivery_row(provider_a, reference="A-2", client_id="C-9", price=Decimal("50.00"),
                     paid_by_client=Decimal("50.00"), paid_by_voucher=Decimal(0),
                     voucher_code=""),
    ])  # fmt: skip
    approve_month(
        officer,
        provider_a,
        JUNE,
        [
            delivery_row(provider_a, date=date(2003, 6, 3), reference="A-3"),
        ],
    )
    approve_month(officer, provider_b, MAY, [
        delivery_row(provider_b, reference="B-1", client_id="10203040", client_city=chiclayo,
                     price=Decimal(0), paid_by_client=Decimal(0), paid_by_voucher=Decimal(0),
                     voucher_code=""),
    ])  # fmt: skip


def report(*args: str, language: str = "en") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("report", *args, "--language", language, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def engine(ids=IDS, group_by=(), providers=None):
    return indicators_compute(Scope(MAY, JUNE, providers=providers), ids, group_by)


def number(text: str) -> Decimal | None:
    return Decimal(text) if text != "" else None


def test_the_command_is_one_of_bdsmarkets():
    assert dict(project_commands())["report"].startswith("Write a report of the program's")


# The three formats


def test_json_holds_the_engines_figures(reported, provider_a, provider_b):
    out, _err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", ",".join(IDS),
        "--group-by", "provider", "--format", "json",
    )  # fmt: skip

    document = json.loads(out)
    computed = engine(group_by=["provider"])
    assert document["scope"]["period"] == "2003-05..2003-06"
    assert document["basis"] == "approved"
    assert [i["id"] for i in document["indicators"]] == IDS
    assert [g["key"] for g in document["groups"]] == [
        {"provider": g.key[0]} for g in computed.groups
    ]
    for answered, group in zip(document["groups"], computed.groups, strict=True):
        for indicator_id, value in group.values.items():
            given = answered["values"][indicator_id]
            assert (Decimal(given) if isinstance(given, str) else given) == value
    assert document["total"]["values"]["attentions"] == 4
    assert document["total"]["values"]["income"] == "110.00"


def test_csv_has_a_column_per_grouping_and_indicator_and_a_total_row(reported, provider_a):
    out, _err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", ",".join(IDS),
        "--group-by", "provider",
    )  # fmt: skip

    rows = list(csv.reader(StringIO(out)))
    names = [str(definitions.BY_ID[i].name) for i in IDS]
    assert rows[0] == [
        "Provider",
        *names,
        "Attentions: share of the total",
        "Income: share of the total",
    ]
    computed = engine(group_by=["provider"])
    assert [row[0] for row in rows[1:]] == ["CDE-LIM-01 · Centro Lima Norte",
                                            "CDE-CIX-01 · Centro Chiclayo", "Total"]  # fmt: skip
    for row, group in zip(rows[1:], [*computed.groups, computed.total], strict=True):
        assert [number(cell) for cell in row[1:5]] == [group.values[i] for i in IDS]
    assert rows[-1][1:5] == ["4", "110.00", "0.25", str(Decimal("90.00") / Decimal("110.00"))]
    assert rows[1][5:] == ["0.75", str(Decimal("110.00") / Decimal("110.00"))]


def test_a_figure_that_is_not_defined_is_an_empty_cell(reported):
    out, _err = report("indicators", "--period", "2001", "--indicators", "attentions,repeat_rate")

    assert list(csv.reader(StringIO(out))) == [["Attentions", "Repeat attentions"], ["0", ""]]


def test_xlsx_holds_numbers_formatted_by_their_unit(reported, tmp_path):
    path = tmp_path / "figures.xlsx"
    out, _err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", ",".join(IDS),
        "--group-by", "month", "--format", "xlsx", "--output", str(path),
    )  # fmt: skip

    assert out == ""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Month", "Attentions", "Income", "Repeat attentions",
                           "Paid by the end users")  # fmt: skip
    computed = engine(group_by=["month"])
    assert [row[0] for row in rows[1:]] == ["2003-05", "2003-06", "Total"]
    for row, group in zip(rows[1:], [*computed.groups, computed.total], strict=True):
        for cell, indicator_id in zip(row[1:5], IDS, strict=True):
            value = group.values[indicator_id]
            assert cell == (pytest.approx(float(value)) if value is not None else None)
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].number_format == "0.0%"
    about = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert about["Period"] == "2003-05..2003-06"
    assert about["Basis"] == "approved reports"


def test_csv_and_json_can_go_to_a_file(reported, tmp_path):
    path = tmp_path / "figures.csv"

    out, _err = report("indicators", "--period", "2003-05", "--output", str(path))

    assert out == ""
    assert path.read_text(encoding="utf-8").startswith("Attentions,")


def test_it_ends_with_a_one_line_summary_on_stderr(reported):
    out, err = report("indicators", "--period", "2003-Q2", "--indicators", ",".join(IDS))

    assert "indicators over" not in out
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("4 indicators over 2003-Q2 for 2 providers, approved reports as of ")


def test_the_summary_says_when_no_report_counts_yet(program):
    _out, err = report("indicators", "--period", "2003", "--indicators", "attentions")

    assert err == "1 indicator over 2003: no approved reports yet\n"


def test_the_reported_basis_counts_submitted_reports(reported, officer, provider_a, delivery_row):
    services.deliveries_store(
        actor=officer, rows=[delivery_row(provider_a, date=date(2003, 7, 8))], source="api"
    )
    july = Submission.objects.get(provider=provider_a, period__month=date(2003, 7, 1))
    services.submission_submit(actor=officer, submission=july)

    approved, _err = report("indicators", "--period", "2003-07", "--indicators", "attentions")
    reported_too, err = report(
        "indicators", "--period", "2003-07", "--indicators", "attentions", "--basis", "reported"
    )

    assert approved.splitlines() == ["Attentions", "0"]
    assert reported_too.splitlines() == ["Attentions", "1"]
    assert "approved and submitted reports as of" in err


# Benchmarks


def test_a_benchmark_names_the_peers_for_the_system(reported, provider_a, provider_b):
    out, err = report(
        "benchmark", "--period", "2003-05..2003-06", "--indicators", "attentions",
        "--format", "json",
    )  # fmt: skip

    document = json.loads(out)
    computed = benchmarks_compute(MAY, JUNE, ["attentions"])[0]
    peers = document["benchmarks"][0]["peers"]
    assert [(p["provider"]["code"], p["value"], p["rank"]) for p in peers] == [
        ("CDE-LIM-01", 3, 1),
        ("CDE-CIX-01", 1, 2),
    ]
    assert Decimal(document["benchmarks"][0]["median"]) == computed.spread.median
    assert err.startswith("1 indicator over 2003-05..2003-06 for 2 peers, approved reports")


def test_a_providers_staff_see_their_peers_under_pseudonyms(
    reported, staff_a, provider_a, provider_b
):
    out, _err = report(
        "benchmark", "--period", "2003-05..2003-06", "--indicators", "attentions",
        "--user", "staff_a",
    )  # fmt: skip

    rows = list(csv.DictReader(StringIO(out)))
    assert [(row["Provider"], row["Rank"]) for row in rows] == [
        ("CDE-LIM-01 · Centro Lima Norte", "1"),
        ("", "2"),
    ]
    assert len(rows[1]["Pseudonym"]) == 6
    assert provider_b.code not in out and provider_b.name not in out


def test_a_providers_staff_get_their_own_figures_only(reported, staff_a, provider_a):
    out, err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", "attentions",
        "--group-by", "provider", "--user", "staff_a",
    )  # fmt: skip

    assert list(csv.reader(StringIO(out)))[1:] == [
        ["CDE-LIM-01 · Centro Lima Norte", "3", "1"],
        ["Total", "3", "1"],
    ]
    assert "for 1 provider," in err


def test_a_providers_staff_may_not_name_another_provider(reported, staff_a, provider_b):
    with pytest.raises(CommandError, match="--provider: no provider has the code “CDE-CIX-01”"):
        report("indicators", "--period", "2003", "--provider", "CDE-CIX-01", "--user", "staff_a")


def test_a_city_benchmark_needs_a_provider(reported):
    with pytest.raises(CommandError, match=r"^--provider: "):
        report("benchmark", "--period", "2003", "--peer-group", "city")

    out, _err = report(
        "benchmark", "--period", "2003-05..2003-06", "--indicators", "attentions",
        "--peer-group", "city", "--provider", "cde-lim-01", "--format", "json",
    )  # fmt: skip
    assert json.loads(out)["peers"] == 1


# Spanish


def test_spanish_output_with_language_es(reported):
    out, _err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", "attentions,income",
        "--group-by", "client_sector", language="es",
    )  # fmt: skip

    rows = list(csv.reader(StringIO(out)))
    assert rows[0][:3] == ["Sector", "Atenciones", "Ingresos"]
    assert rows[1][0] == "Confecciones"


def test_spanish_errors_with_language_es(program):
    with pytest.raises(CommandError, match="ningún usuario"):
        report("indicators", "--period", "2003", "--user", "nobody", language="es")


# Bad input: an error naming the option


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--period", "2003-13"], "--period"),
        (["--period", "2003-06..2003-01"], "--period"),
        (["--period", "last year"], "--period"),
        (["--period", "2003", "--indicators", "attentions,bogus"], "--indicators"),
        (["--period", "2003", "--indicators", "vouchers_issued"], "--indicators"),
        (["--period", "2003", "--group-by", "planet"], "--group-by"),
        (["--period", "2003", "--group-by", "month,year"], "--group-by"),
        (["--period", "2003", "--provider", "CDE-NONE"], "--provider"),
        (["--period", "2003", "--format", "xlsx"], "--output"),
        (["--period", "2003", "--format", "pdf"], "--format"),
        (["--period", "2003", "--format", "html"], "--format"),
        (["--period", "2003", "--peer-group", "city"], "--peer-group"),
        (["--period", "2003", "--user", "evaluator"], "--user"),
    ],
)
def test_bad_input_is_an_error_naming_the_option(program, evaluator, args, option):
    with pytest.raises(CommandError) as raised:
        report("indicators", *args)

    assert option in str(raised.value)


def test_a_benchmark_cannot_be_grouped(program):
    with pytest.raises(CommandError, match="--group-by"):
        report("benchmark", "--period", "2003", "--group-by", "provider")


def test_an_unknown_user_is_an_error(program):
    with pytest.raises(CommandError, match="No user is named “nobody”"):
        report("indicators", "--period", "2003", "--user", "nobody")


def test_the_json_file_is_what_the_api_answers(reported, manager):
    out, _err = report(
        "indicators", "--period", "2003-05..2003-06", "--indicators", ",".join(IDS),
        "--group-by", "provider,month", "--format", "json",
    )  # fmt: skip
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    answer = client.get(
        "/api/v1/indicators",
        {"first": "2003-05", "last": "2003-06", "ids": ",".join(IDS), "group_by": "provider,month"},
        secure=True,
    )

    assert answer.status_code == 200
    assert json.loads(out) == answer.json()


def test_the_bulletin_of_a_month_is_written_as_html_or_pdf(reported, provider_a, tmp_path):
    program_wide, summary = report("bulletin", "--period", "2003-05", "--format", "html")
    benchmark, _summary = report(
        "bulletin", "--period", "2003-05", "--provider", provider_a.code, "--format", "html"
    )
    pdf = tmp_path / "bulletin.pdf"
    report("bulletin", "--period", "2003-05", "--format", "pdf", "--output", str(pdf))

    assert "in May 2003" in program_wide and "in May 2003" in summary
    assert "your benchmark for May 2003" in benchmark
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_bulletin_is_a_month_s_and_its_pdf_goes_to_a_file(reported):
    with pytest.raises(CommandError, match="a bulletin is a month"):
        report("bulletin", "--period", "2003", "--format", "html")
    with pytest.raises(CommandError, match="--output"):
        report("bulletin", "--period", "2003-05", "--format", "pdf")
