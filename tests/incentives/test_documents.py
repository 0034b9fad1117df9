"""The payment batch as the bank receives it, in real CSV and XLSX files."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import openpyxl
from django.utils import translation

from bdsmarket.incentives import documents, services
from bdsmarket.incentives.models import Statement

from .conftest import MAY


def batch_of_may(officer, manager, provider_a):
    services.statements_compute(actor=officer, month=MAY)
    for statement in Statement.objects.all():
        services.statement_approve(actor=manager, statement=statement)
    package = provider_a.package
    package.bank_name, package.bank_account = "Banco de la Nación", "00-123-456789"
    package.save()
    return services.payment_batch_create(actor=manager)


def test_the_csv_holds_one_transfer_per_provider_and_nothing_else(
    months, scheme, officer, manager, provider_a
):
    batch = batch_of_may(officer, manager, provider_a)

    content, name, content_type = documents.batch_file(batch, "csv")

    assert name.endswith(".csv") and content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        ["Provider code", "Provider", "Tax number", "Bank", "Account", "Account holder",
         "Amount", "Direction", "Statements"],
        ["CDE-CIX-01", "Centro Chiclayo", "", "", "", "Centro Chiclayo", "12.00", "pay",
         "2003-05 v1"],
        ["CDE-LIM-01", "Centro Lima Norte", "20100047218", "Banco de la Nación",
         "00-123-456789", "Centro Lima Norte", "55.00", "pay", "2003-05 v1"],
    ]  # fmt: skip


def test_the_spreadsheet_has_numbers_as_numbers_and_a_sheet_about_the_batch(
    months, scheme, officer, manager, provider_a, tmp_path
):
    batch = batch_of_may(officer, manager, provider_a)
    services.payment_batch_paid(actor=manager, batch=batch, paid_on=date(2003, 7, 10))

    with translation.override("es"):
        content, _name, _type = documents.batch_file(batch, "xlsx")
    path = tmp_path / "batch.xlsx"
    path.write_bytes(content)

    workbook = openpyxl.load_workbook(path)
    transfers, about = workbook.worksheets
    assert transfers["A1"].value == "Código del proveedor"
    assert [transfers["G2"].value, transfers["G3"].value] == [D("12"), D("55")]
    notes = {row[0].value: row[1].value for row in about.iter_rows()}
    assert (notes["Total"], notes["Pagado el"]) == ("67.00", "2003-07-10")
