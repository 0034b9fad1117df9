"""Columns of an import: names, types, limits, and how one cell becomes a value."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from bdsmarket.core.text import normalize_key, parse_choice

ColumnType = Literal["text", "int", "decimal", "date", "month", "enum", "bool"]
TRUE_WORDS = {"yes", "y", "si", "s", "true", "verdadero", "v", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "falso", "f", "0"}


# Describing columns


@dataclass(frozen=True)
class Column:
    """One column of an import: its names, type, limits and meaning."""

    name: str
    name_es: str
    type: ColumnType = "text"
    required: bool = False
    help: str | Promise = ""
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    min_value: Decimal | int | None = None
    decimal_places: int | None = None
    choices: builtins.type[models.TextChoices] | None = None
    choice_aliases: Mapping[str, Iterable[str]] = field(default_factory=dict)
    validators: tuple[Callable[[Any], None], ...] = ()
    # Overrides the expectation derived from the type, e.g. "an e-mail address".
    expected: str | Promise = ""

    def title(self, language: str | None = None) -> str:
        """Return the column's header in `language` (default: the active language)."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return self.name_es if language.startswith("es") else self.name

    def header_keys(self) -> set[str]:
        return {normalize_key(name) for name in (self.name, self.name_es, *self.aliases)}

    def choice_labels(self, language: str) -> list[str]:
        """Return the labels of the column's choices in `language` (yes/no for a bool)."""
        with translation.override(language):
            if self.type == "bool":
                return [_("yes"), _("no")]
            if self.choices is None:
                return []
            return [str(label) for label in self.choices.labels]

    def describe(self) -> str:
        """Return what a valid value of this column looks like, in the active language."""
        if self.expected:
            return str(self.expected)
        if self.type == "text":
            if self.max_length:
                return _("text of at most %(max)s characters") % {"max": self.max_length}
            return _("text")
        if self.type == "int":
            if self.min_value is not None:
                return _("a whole number of at least %(min)s") % {"min": self.min_value}
            return _("a whole number")
        if self.type == "decimal":
            text = _("a number such as 1234.50, 1234,50 or 1.234,50")
            if self.min_value is not None:
                text += " " + _("(at least %(min)s)") % {"min": self.min_value}
            return text
        if self.type == "date":
            return _("a date such as 2003-05-31 or 31/05/2003")
        if self.type == "month":
            return _("a month such as 2003-05 or 05/2003")
        if self.type == "bool":
            return _("yes or no (sí/no, true/false, 1/0)")
        if self.type == "enum" and self.choices is not None:
            options = ", ".join(
                f"{code} ({label})"
                for code, label in zip(self.choices.values, self.choices.labels, strict=True)
            )
            return _("one of: %(choices)s") % {"choices": options}
        return _("a value")

    def parse(self, cell: Any) -> Any:
        """Return the cell's value in the column's type; raise CellInvalid when it has none."""
        parser = _PARSERS[self.type]
        value = parser(self, cell)
        if value is None:
            raise CellInvalid(self.describe())
        if self.type == "text" and self.max_length and len(value) > self.max_length:
            raise CellInvalid(
                _("text of at most %(max)s characters (this one has %(length)s)")
                % {"max": self.max_length, "length": len(value)}
            )
        if self.min_value is not None and value < self.min_value:
            raise CellInvalid(self.describe())
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as error:
                raise CellInvalid(str(self.expected) or " ".join(error.messages)) from error
        return value


@dataclass(frozen=True)
class Spec:
    """The columns of one kind of file, in the order the template shows them."""

    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for column in self.columns:
            for key in column.header_keys():
                if seen.setdefault(key, column.name) != column.name:
                    raise ValueError(f"{column.name} and {seen[key]} share the header {key!r}")

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def match(self, header: str) -> Column | None:
        """Return the column a file's header names, or None when it names none."""
        key = normalize_key(header)
        for column in self.columns:
            if key in column.header_keys():
                return column
        return None


class CellInvalid(ValueError):
    """A cell's value does not fit its column; `expected` says what would."""

    def __init__(self, expected: str) -> None:
        self.expected = expected
        super().__init__(expected)


# Parsing one value. Each returns None when the cell holds no valid value of its type.

_DECIMAL_PATTERNS = (
    (re.compile(r"[+-]?\d+"), "", ""),
    (re.compile(r"[+-]?\d*[.,]\d+"), "", ""),  # one separator: always the decimal one
    (re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"), ".", ","),  # 1.234.567,50
    (re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"), ",", "."),  # 1,234,567.50
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: [\d:.]+)?")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_FIRST = re.compile(r"(\d{1,2})/(\d{4})")
_SPACES = {ord(" "): None, ord("\u00a0"): None, ord("\u202f"): None, ord("'"): None}


def parse_decimal(text: object) -> Decimal | None:
    """Return the number in `text` (either decimal mark, optional thousands), or None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | Decimal):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    compact = str(text).translate(_SPACES)
    for pattern, thousands, decimal_mark in _DECIMAL_PATTERNS:
        if pattern.fullmatch(compact):
            if thousands:
                compact = compact.replace(thousands, "").replace(decimal_mark, ".")
            else:
                compact = compact.replace(",", ".")
            try:
                return Decimal(compact)
            except InvalidOperation:
                return None
    return None


def parse_date(text: object) -> date | None:
    """Return the date in `text` (ISO or day-first with slashes, or a date cell), or None."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    value = str(text).strip()
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_DAY_FIRST_DATE, (2, 1, 0))):
        match = pattern.fullmatch(value)
        if match:
            parts = [int(part) for part in match.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def parse_month(text: object) -> date | None:
    """Return the first day of the month in `text` (`2003-05`, `05/2003`, a date), or None."""
    if isinstance(text, date):
        return (text.date() if isinstance(text, datetime) else text).replace(day=1)
    value = str(text).strip()
    for pattern, year_index in ((_ISO_MONTH, 0), (_MONTH_FIRST, 1)):
        match = pattern.fullmatch(value)
        if match:
            year, month = int(match.group(year_index + 1)), int(match.group(2 - year_index))
            return date(year, month, 1) if 1 <= month <= 12 else None
    day = parse_date(value)
    return day.replace(day=1) if day else None


def parse_bool(text: object) -> bool | None:
    if isinstance(text, bool):
        return text
    key = normalize_key(cell_text(text))
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


def _parse_text(column: Column, cell: Any) -> str:
    return cell_text(cell)


def _parse_int(column: Column, cell: Any) -> int | None:
    number = parse_decimal(cell)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _parse_decimal(column: Column, cell: Any) -> Decimal | None:
    number = parse_decimal(cell)
    if number is None or column.decimal_places is None:
        return number
    places = Decimal(1).scaleb(-column.decimal_places)
    rounded = number.quantize(places)
    if rounded == number:
        return rounded
    # A spreadsheet's formula leaves binary noise (0.30000000000000004): round that away,
    # but a typed 12.345 in a money column is a mistake to report.
    if isinstance(cell, float) and abs(rounded - number) < Decimal("1e-9"):
        return rounded
    return None


def _parse_enum(column: Column, cell: Any) -> str | None:
    assert column.choices is not None, f"enum column {column.name} needs choices"
    text = cell_text(cell)
    code = parse_choice(text, column.choices, cast(dict, column.choice_aliases))
    if code is None:
        # parse_choice keeps the aliases it was first given for a choice class; a column's
        # own aliases must work whoever asked first.
        key = normalize_key(text)
        code = next(
            (
                choice
                for choice, spellings in column.choice_aliases.items()
                if key in {normalize_key(spelling) for spelling in spellings}
            ),
            None,
        )
    return code


_PARSERS: dict[str, Callable[[Column, Any], Any]] = {
    "text": _parse_text,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "date": lambda column, cell: parse_date(cell),
    "month": lambda column, cell: parse_month(cell),
    "enum": _parse_enum,
    "bool": lambda column, cell: parse_bool(cell),
}


def cell_text(cell: Any) -> str:
    """Return a cell as the user sees it: whole numbers without `.0`, dates in ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()
