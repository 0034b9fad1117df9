"""Pure rules of the registry: national IDs and size classes. No Django import here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pe import cui, ruc


class IdKind(StrEnum):
    DNI = "dni"
    RUC = "ruc"


class InvalidNationalId(ValueError):
    """The value looks like a national ID of `kind` but fails its check."""

    def __init__(self, value: str, kind: IdKind | None) -> None:
        self.value = value
        self.kind = kind
        super().__init__(value)


def id_digits(value: str) -> str:
    """Return `value` without the spaces, dots and dashes people type inside IDs."""
    return value.strip().replace(" ", "").replace(".", "").replace("-", "")


def classify_national_id(value: str) -> IdKind | None:
    """Return DNI or RUC when `value` has the shape of one, None when it has neither shape.

    Raises InvalidNationalId when it has the shape (8 or 11 digits) but is not valid:
    a RUC's check digit is wrong or its type prefix unknown.
    """
    digits = id_digits(value)
    if not digits.isdigit():
        return None
    if len(digits) == 8:
        if digits.isascii():
            # A DNI has no check digit: stdnum accepts any eight digits 0-9. Said here
            # because imports classify a million IDs (tests/registry/test_rules.py holds
            # this to stdnum's verdict).
            return IdKind.DNI
        try:
            cui.validate(digits)
        except StdnumError as error:
            raise InvalidNationalId(value, IdKind.DNI) from error
        return IdKind.DNI
    if len(digits) == 11:
        try:
            ruc.validate(digits)
        except StdnumError as error:
            raise InvalidNationalId(value, IdKind.RUC) from error
        return IdKind.RUC
    return None


def is_valid_ruc(value: str) -> bool:
    try:
        ruc.validate(id_digits(value))
    except StdnumError:
        return False
    return True


@dataclass(frozen=True)
class SizeBounds:
    """One size class as the law defined it for a span of dates."""

    code: str
    rank: int  # smaller enterprises first
    max_workers: int | None
    max_annual_sales: Decimal | None
    valid_from: date
    valid_to: date | None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def admits(self, workers: int | None, annual_sales: Decimal | None) -> bool:
        if workers is not None and self.max_workers is not None and workers > self.max_workers:
            return False
        return not (
            annual_sales is not None
            and self.max_annual_sales is not None
            and annual_sales > self.max_annual_sales
        )


def size_class_for(
    classes: list[SizeBounds], *, workers: int | None, annual_sales: Decimal | None, on: date
) -> str | None:
    """Return the code of the smallest size class in force on `on` that admits the figures.

    An enterprise belongs to a class only when it is within every bound that class sets for
    the figures known. None when no figure is known or no class admits them (larger firms).
    """
    if workers is None and annual_sales is None:
        return None
    in_force = sorted((c for c in classes if c.in_force_on(on)), key=lambda c: c.rank)
    for size_class in in_force:
        if size_class.admits(workers, annual_sales):
            return size_class.code
    return None
