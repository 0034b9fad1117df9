"""The spreadsheet reader and template writer every import uses."""

import io
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from bdsmarket.core.tabular import (
    Column,
    Spec,
    TableRefused,
    open_table,
    parse_date,
    parse_decimal,
    parse_month,
    template_csv,
    template_xlsx,
)
from bdsmarket.registry.models import Gender

SPEC = Spec(
    (
        Column("code", "codigo", required=True, max_length=10),
        Column(
            "price",
            "precio",
            type="decimal",
            required=True,
            min_value=Decimal(0),
            decimal_places=2,
        ),
        Column("day", "fecha", type="date"),
        Column("count", "cantidad", type="int", min_value=1),
        Column(
            "gender",
            "genero",
            type="enum",
            choices=Gender,
            choice_aliases={"female": ["mujer", "femenino"], "male": ["hombre"]},
        ),
        Column("active", "activo", type="bool"),
        Column("month", "mes", type="month"),
    )
)


def read(data: bytes, name: str = "file.csv", spec: Spec = SPEC, **options):
    """Return (header errors, rows) of `data` read as an uploaded file called `name`."""
    with open_table(SimpleUploadedFile(name, data), spec, **options) as table:
        return table.errors, list(table)


def xlsx(rows: list[list[object]], start_row: int = 1) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, cells in enumerate(rows):
        for column, value in enumerate(cells, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Encodings and delimiters


def test_it_reads_utf8_csv_separated_by_commas():
    errors, rows = read("code,price,fecha\nÑandú,1234.50,2003-05-31\n".encode())
    assert errors == []
    assert rows[0].number == 2
    assert rows[0].values["code"] == "Ñandú"
    assert rows[0].values["price"] == Decimal("1234.50")
    assert rows[0].values["day"] == date(2003, 5, 31)


def test_it_reads_utf8_with_a_byte_order_mark():
    errors, rows = read(b"\xef\xbb\xbfcode,price\nA\xc3\xb1o,7\n")
    assert errors == []
    assert rows[0].values == {**rows[0].values, "code": "Año", "price": Decimal("7.00")}


def test_it_reads_windows_1252_with_semicolons_decimal_commas_and_day_first_dates():
    text = "Código;Precio;Fecha;Género\nPiñata;1.234,50;31/05/2003;Mujer\nCañete;12,5;1/6/2003;\n"
    errors, rows = read(text.encode("cp1252"))
    assert errors == []
    assert [row.values["code"] for row in rows] == ["Piñata", "Cañete"]
    assert [row.values["price"] for row in rows] == [Decimal("1234.50"), Decimal("12.50")]
    assert [row.values["day"] for row in rows] == [date(2003, 5, 31), date(2003, 6, 1)]
    assert [row.values["gender"] for row in rows] == ["female", None]


def test_it_reads_tab_separated_text():
    errors, rows = read(b"code\tprice\tcount\nA\t1,234.50\t3\n", name="export.txt")
    assert errors == []
    assert rows[0].values["price"] == Decimal("1234.50")
    assert rows[0].values["count"] == 3


def test_it_follows_excels_separator_hint_line():
    errors, rows = read(b"sep=;\ncode;price\nA;1,5\n")
    assert errors == []
    assert (rows[0].number, rows[0].values["price"]) == (3, Decimal("1.50"))


def test_it_reads_utf16_unicode_text_from_excel():
    errors, rows = read("code\tprice\nÁrbol\t2\n".encode("utf-16"), name="unicode.txt")
    assert errors == []
    assert rows[0].values["code"] == "Árbol"


def test_it_reads_the_first_sheet_of_an_xlsx_workbook():
    data = xlsx(
        [
            ["CODE", "Price", "Fecha", "Cantidad", "Género", "Activo", "Mes"],
            ["A-1", 1234.5, date(2003, 5, 31), 3, "femenino", True, "2003-05"],
            [12345678, "1.234,50", "31/05/2003", 4.0, "male", "no", datetime(2003, 6, 1)],
        ]
    )
    errors, rows = read(data, name="book.xlsx")
    assert errors == []
    first, second = rows
    assert (first.number, second.number) == (2, 3)
    assert first.values == {
        "code": "A-1",
        "price": Decimal("1234.50"),
        "day": date(2003, 5, 31),
        "count": 3,
        "gender": "female",
        "active": True,
        "month": date(2003, 5, 1),
    }
    # A number typed in a text column reads as it shows, without ".0".
    assert second.values["code"] == "12345678"
    assert second.values["price"] == Decimal("1234.50")
    assert second.values["month"] == date(2003, 6, 1)
    assert second.values["active"] is False


def test_xlsx_row_numbers_are_the_sheets_even_below_empty_rows():
    data = xlsx([["code", "price"], ["A", 1], [None, None], ["B", "x"]], start_row=3)
    errors, rows = read(data, name="book.xlsx")
    assert errors == []
    assert [row.number for row in rows] == [4, 6]
    assert rows[1].errors[0].row == 6


def test_it_reads_a_file_given_by_path_and_an_upload_kept_on_disk(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_bytes(b"code,price\nA,1\n")
    with open_table(path, SPEC) as table:
        assert [row.values["code"] for row in table] == ["A"]
    upload = TemporaryUploadedFile("prices.csv", "text/csv", 15, "utf-8")
    upload.write(b"code,price\nB,2\n")
    with open_table(upload, SPEC) as table:
        assert [row.values["code"] for row in table] == ["B"]


def test_an_uploaded_file_can_be_read_twice():
    upload = SimpleUploadedFile("prices.csv", b"code,price\nA,1\n")
    for _reading in range(2):
        with open_table(upload, SPEC) as table:
            assert [row.values["code"] for row in table] == ["A"]


# Headers


def test_headers_match_ignoring_case_accents_spaces_and_underscores():
    errors, rows = read(" CÓDIGO ,P_R_E_C_I_O,fe cha,Cantidad\nA,1,2003-05-31,2\n".encode())
    assert errors == []
    assert rows[0].values["code"] == "A"
    assert rows[0].values["day"] == date(2003, 5, 31)
    assert rows[0].values["count"] == 2


def test_unknown_columns_are_ignored():
    errors, rows = read(b"notes,code,price,whatever\nhello,A,1,x\n")
    assert errors == []
    assert rows[0].ok
    assert rows[0].values["code"] == "A"


def test_each_missing_required_column_is_one_error_on_the_header_row():
    with translation.override("en"):
        errors, _rows = read(b"fecha\n2003-05-31\n")
    assert [(e.row, e.column, e.value) for e in errors] == [(1, "code", ""), (1, "price", "")]
    assert "codigo" in errors[0].expected


def test_a_missing_column_is_named_in_the_users_language():
    with translation.override("es"):
        errors, _rows = read(b"fecha\n2003-05-31\n")
    assert [e.column for e in errors] == ["codigo", "precio"]


def test_a_column_given_twice_is_an_error():
    errors, _rows = read(b"code,price,precio\nA,1,2\n")
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (1, "precio")


# Values and their errors


@pytest.mark.parametrize(
    ("header", "cell", "expected_words"),
    [
        ("precio", "12,3,4", "number"),
        ("precio", "-5", "at least 0"),
        ("precio", "12.345", "number"),
        ("fecha", "31/02/2003", "date"),
        ("fecha", "2003/05/31", "date"),
        ("cantidad", "2.5", "whole number"),
        ("cantidad", "0", "at least 1"),
        ("genero", "alien", "female (Female)"),
        ("activo", "maybe", "yes or no"),
        ("mes", "2003-13", "month"),
        ("codigo", "ABCDEFGHIJK", "at most 10 characters"),
    ],
)
def test_a_bad_value_is_an_error_with_row_column_value_and_expected(header, cell, expected_words):
    base = {"codigo": "A", "precio": "1"}
    base[header] = cell
    headers = list(base)
    data = ";".join(headers) + "\n\n" + ";".join(base[h] for h in headers) + "\n"
    errors, rows = read(data.encode())
    assert errors == []
    (error,) = rows[0].errors
    assert error.row == 3  # the blank line is row 2
    assert error.column == header  # as named in the file
    assert error.value == cell  # as given
    assert expected_words in error.expected
    assert str(error).startswith(f"Row 3, column “{header}”: “{cell}”")


def test_an_empty_required_cell_is_an_error_and_an_empty_optional_one_is_missing():
    errors, rows = read(b"code,price,count\n,1,\n")
    assert errors == []
    (error,) = rows[0].errors
    assert (error.row, error.column, error.value) == (2, "code", "")
    assert "required" in error.expected
    assert rows[0].values["count"] is None


def test_blank_rows_are_skipped_and_row_numbers_stay_the_files():
    errors, rows = read(b"\ncode,price\n\nA,1\n , \nB,2\n")
    assert errors == []
    assert [(row.number, row.values["code"]) for row in rows] == [(4, "A"), (6, "B")]


def test_rows_collect_every_error_of_the_row():
    _errors, rows = read(b"code,price,count,genero\n,x,0,alien\n")
    assert [error.column for error in rows[0].errors] == ["code", "price", "count", "genero"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1234.50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234.567", "1234567"),
        ("1 234,5", "1234.5"),
        ("-12", "-12"),
        (",5", "0.5"),
        ("1,234", "1.234"),  # one separator is always the decimal mark
    ],
)
def test_decimals_are_read_with_either_decimal_mark(text, number):
    assert parse_decimal(text) == Decimal(number)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3.4.5", "1.23.4", "12a", "1..2"])
def test_text_that_is_no_number_is_refused(text):
    assert parse_decimal(text) is None


def test_dates_and_months_are_read_in_the_accepted_shapes():
    assert parse_date("2003-05-31") == date(2003, 5, 31)
    assert parse_date("31/05/2003") == date(2003, 5, 31)
    assert parse_date("2003-05-31 00:00:00") == date(2003, 5, 31)
    assert parse_date("05/31/2003") is None
    assert parse_month("2003-05") == date(2003, 5, 1)
    assert parse_month("05/2003") == date(2003, 5, 1)
    assert parse_month(date(2003, 5, 17)) == date(2003, 5, 1)


def test_an_alias_of_a_choice_is_accepted_whoever_asked_for_the_choices_first():
    other = Spec((Column("gender", "genero", type="enum", choices=Gender),))
    read(b"gender\nfemale\n", spec=other)  # caches the choice keys without aliases
    _errors, rows = read(b"code,price,genero\nA,1,Femenino\n")
    assert rows[0].values["gender"] == "female"


# Refused files


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02", "report.pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png"),
        (b"code,price\nA,1\n", "notes.docx"),
        (b"\x00\x01\x02\x03" * 50, "data.csv"),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(data, name):
    with pytest.raises(TableRefused, match="neither a CSV file nor an Excel workbook"):
        read(data, name=name)


def test_a_zip_archive_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(TableRefused, match="neither a CSV file nor an Excel workbook"):
        read(buffer.getvalue(), name="book.xlsx")


def test_an_old_xls_file_is_refused_with_advice():
    with pytest.raises(TableRefused, match=r"old Excel file \(\.xls\)"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="old.xls")


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(TableRefused, match="is empty"):
        read(data)


def test_a_file_with_a_header_and_no_rows_is_refused():
    with pytest.raises(TableRefused, match="no rows under its header"):
        read(b"code,price\n\n")


def test_a_file_larger_than_the_limit_is_refused(settings):
    settings.BDSMARKET_MAX_UPLOAD_BYTES = 20
    with pytest.raises(TableRefused, match="files up to 20"):
        read(b"code,price\nA,1\nB,2\nC,3\n")


def test_a_csv_that_stops_being_utf8_half_way_is_refused_at_that_row():
    data = b"code,price\n" + b"A,1\n" * 20000 + "Ñ,1\n".encode("cp1252")
    with pytest.raises(TableRefused, match=r"Row 20002 .* not UTF-8"):
        read(data)


# Streaming


def _peak_reading(rows: int) -> tuple[int, int]:
    """Return (rows read without error, peak bytes allocated) for a CSV of `rows` rows."""
    data = b"code,price,fecha\n" + b"ABCDEFGH,12.5,31/05/2003\n" * rows
    upload = SimpleUploadedFile("big.csv", data)
    tracemalloc.start()
    try:
        with open_table(upload, SPEC) as table:
            count = sum(1 for row in table if row.ok)
            assert table.fraction_read() == 1.0
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_reading_a_large_csv_keeps_memory_flat():
    # Rows are read a block at a time: four times the rows, about the same memory.
    small_count, small_peak = _peak_reading(20_000)
    large_count, large_peak = _peak_reading(80_000)
    assert (small_count, large_count) == (20_000, 80_000)
    assert large_peak < small_peak * 1.5, (
        f"{small_peak} bytes for 20,000 rows, {large_peak} for 80,000"
    )
    assert large_peak < 16 * 1024 * 1024


# Templates


def test_the_csv_template_has_the_header_row_in_the_chosen_language():
    english = template_csv(SPEC, "en").decode("utf-8-sig")
    spanish = template_csv(SPEC, "es").decode("utf-8-sig")
    assert english == "code,price,day,count,gender,active,month\r\n"
    assert spanish == "codigo;precio;fecha;cantidad;genero;activo;mes\r\n"
    assert template_csv(SPEC, "es").startswith(b"\xef\xbb\xbf")


def test_the_xlsx_template_has_drop_down_lists_with_the_languages_labels():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(SPEC, "en", rows=10)))
    data = workbook.worksheets[0]
    assert [cell.value for cell in data[1]] == [
        "code",
        "price",
        "day",
        "count",
        "gender",
        "active",
        "month",
    ]
    validations = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert set(validations) == {"E2:E11", "F2:F11"}
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"
    labels = [cell.value for cell in lists["A"][1:]]
    assert labels == ["Female", "Male", "Mixed", "Not applicable"]
    assert [cell.value for cell in lists["B"][1:3]] == ["yes", "no"]
    assert "Not applicable" in workbook["columns"]["E6"].value  # accepted values explained


def test_a_filled_in_template_reads_back():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(SPEC, "es", rows=10)))
    workbook.worksheets[0].append(["007", "1.234,50", "31/05/2003", 2, "Female", "yes", "2003-05"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors, rows = read(buffer.getvalue(), name="plantilla.xlsx")
    assert errors == []
    assert rows[0].ok, rows[0].errors
    assert rows[0].values["code"] == "007"  # a text column keeps its leading zeros
    assert rows[0].values["price"] == Decimal("1234.50")


def test_a_csv_row_shorter_than_the_header_reads_its_missing_cells_as_empty():
    errors, rows = read(b"code,price,fecha,cantidad\nA1,12.5\n")

    assert errors == []
    assert rows[0].values == {
        "code": "A1",
        "price": Decimal("12.5"),
        "day": None,
        "count": None,
        "gender": None,
        "active": None,
        "month": None,
    }


def test_rows_of_blanks_and_delimiters_are_skipped():
    errors, rows = read(b"code,price\nA1,1\n\n  ,  \n,\nA2,2\n")

    assert errors == []
    assert [(row.number, row.values["code"]) for row in rows] == [(2, "A1"), (6, "A2")]
