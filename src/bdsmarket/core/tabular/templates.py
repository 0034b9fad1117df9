"""Empty files to fill in: the template of an import in CSV or XLSX."""

import codecs
import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _

from .columns import Spec

# Writing templates

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_csv(spec: Spec, language: str) -> bytes:
    """Return an empty CSV file with the header row in `language`.

    UTF-8 with a BOM, so that Excel shows accents right; the Spanish template is separated
    by `;`, as Excel expects under Spanish regional settings.
    """
    buffer = io.StringIO()
    delimiter = ";" if language.startswith("es") else ","
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        [column.title(language) for column in spec]
    )
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_xlsx(spec: Spec, language: str, *, rows: int = 5000) -> bytes:
    """Return an empty XLSX workbook with the header row in `language`.

    Enum and yes/no columns get a drop-down of the labels in `language` for the first
    `rows` data rows; text columns are formatted as text (IDs keep their leading zeros);
    a second sheet explains every column.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override(language):
        workbook = Workbook()
        data = workbook.active
        data.title = _("data")
        help_sheet = workbook.create_sheet(_("columns"))
        lists = workbook.create_sheet(_("lists"))
        lists.sheet_state = "hidden"
        bold = Font(bold=True)
        list_column = 0
        for position, column in enumerate(spec, start=1):
            letter = get_column_letter(position)
            cell = data.cell(row=1, column=position, value=column.title(language))
            cell.font = bold
            data.column_dimensions[letter].width = max(12, len(column.title(language)) + 4)
            if column.type == "text":
                for row in range(2, rows + 2):
                    data.cell(row=row, column=position).number_format = "@"
            labels = column.choice_labels(language)
            if labels:
                list_column += 1
                list_letter = get_column_letter(list_column)
                lists.cell(row=1, column=list_column, value=column.title(language))
                for index, label in enumerate(labels, start=2):
                    lists.cell(row=index, column=list_column, value=label)
                validation = DataValidation(
                    type="list",
                    formula1=f"'{lists.title}'!${list_letter}$2:${list_letter}${len(labels) + 1}",
                    allow_blank=True,
                    showErrorMessage=True,
                    # A warning, not a stop: codes and other spellings are accepted too.
                    errorStyle="warning",
                    error=_("Choose a value from the list."),
                )
                validation.add(f"{letter}2:{letter}{rows + 1}")
                data.add_data_validation(validation)
        data.freeze_panes = "A2"
        headings = [_("column"), _("required"), _("type"), _("meaning"), _("accepted values")]
        help_sheet.append(headings)
        for cell in help_sheet[1]:
            cell.font = bold
        for column in spec:
            help_sheet.append(
                [
                    column.title(language),
                    _("yes") if column.required else _("no"),
                    column.type,
                    str(column.help),
                    column.describe(),
                ]
            )
        for letter, width in zip("ABCDE", (22, 10, 10, 60, 60), strict=True):
            help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_file(spec: Spec, *, format: str, language: str) -> tuple[bytes, str]:
    """Return a template's bytes and content type, for `format` csv or xlsx."""
    if format == "csv":
        return template_csv(spec, language), CSV_CONTENT_TYPE
    if format == "xlsx":
        return template_xlsx(spec, language), XLSX_CONTENT_TYPE
    raise ValueError(f"unknown template format {format!r}")
