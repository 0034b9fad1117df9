"""The explorer's downloads hold the page's table: the same numbers (numbers in a spreadsheet,
plain decimals in CSV), headers in the reader's language, the basis and cut-off in notes."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .page_data import engine

pytestmark = pytest.mark.django_db
QUERY = {
    "indicator": ["attentions", "income", "end_user_share"],
    "group_by": "client_type",
    "period": "",
    "first": "2003-05",
    "last": "2003-06",
}


def download(client, format, **query):
    return client.get(reverse("indicators:explore_export", args=[format]), {**QUERY, **query})


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_the_tables_numbers(login, manager, reported):
    response = download(login(manager), "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="indicators-2003-05..2003-06.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response)
    header, *body = rows
    assert header == [
        "Client type",
        "Attentions",
        "Income",
        "Paid by the end users",
        "Attentions: share of the total",
        "Income: share of the total",
    ]
    expected = engine(["attentions", "income", "end_user_share"], group_by=["client_type"])
    by_label = {row[0]: row for row in body if row}
    micro = next(g for g in expected.groups if g.key == ("micro",))
    assert by_label["Micro-enterprise"][1:4] == [
        "5",
        "110",
        str(micro.values["end_user_share"]),
    ]
    assert Decimal(by_label["Micro-enterprise"][4]) == micro.shares["attentions"]
    assert by_label["Total"][1:3] == ["9", "340"]
    notes = dict(row for row in body if len(row) == 2)
    assert notes["Basis"] == "approved reports"
    assert notes["Data cut-off"] != "—"
    assert notes["Period"] == "2003-05..2003-06"


def test_the_spreadsheet_holds_numbers_as_numbers(login, manager, reported):
    response = download(login(manager), "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    data, about = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert rows[0][:3] == ("Client type", "Attentions", "Income")
    by_label = {row[0]: row for row in rows[1:]}
    expected = engine(["attentions", "income", "end_user_share"], group_by=["client_type"])
    micro = next(g for g in expected.groups if g.key == ("micro",))
    assert by_label["Micro-enterprise"][1] == 5
    assert by_label["Micro-enterprise"][2] == 110
    assert by_label["Micro-enterprise"][3] == pytest.approx(float(micro.values["end_user_share"]))
    assert by_label["Total"][1:3] == (9, 340)
    assert data["C2"].number_format == "#,##0.00"
    notes = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert notes["Basis"] == "approved reports" and notes["Data cut-off"]


def test_headers_and_notes_follow_the_readers_language(login, manager, reported):
    response = download(login(manager, "es"), "xlsx")
    data, about = load_workbook(io.BytesIO(response.content)).worksheets
    header = next(data.iter_rows(values_only=True))
    assert header[1:3] == ("Atenciones", "Ingresos")
    assert {row[1] for row in about.iter_rows(values_only=True)} >= {"informes aprobados"}


def test_provider_staff_download_their_own_figures_only(login, staff_a, provider_b, reported):
    rows = csv_rows(download(login(staff_a), "csv", group_by="provider"))
    table = rows[1 : rows.index([])]
    providers = [row[0] for row in table if row[0] != "Total"]
    assert providers == ["CDE-LIM-01 · Centro Lima Norte"]
    assert download(login(staff_a), "csv", provider=str(provider_b.pk)).status_code == 404


def test_a_wrong_name_gets_the_page_with_its_message(login, manager, reported):
    response = download(login(manager), "csv", indicator="happiness")
    assert response.status_code == 400
    assert "There is no indicator “happiness”." in response.content.decode()


def test_an_unknown_format_is_not_there(login, manager):
    assert download(login(manager), "pdf").status_code == 404


def test_evaluators_are_kept_out(login, evaluator):
    assert download(login(evaluator), "csv").status_code == 403
