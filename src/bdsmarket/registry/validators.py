"""Field validators built on the pure rules, so every form (the admin's too) checks IDs."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import rules


def validate_ruc(value: str) -> None:
    if value and not rules.is_valid_ruc(value):
        raise ValidationError(
            _("“%(value)s” is not a valid RUC: 11 digits with a correct check digit.")
            % {"value": value},
            code="invalid_ruc",
        )


def validate_national_id(value: str) -> None:
    if not value.strip():
        return
    try:
        kind = rules.classify_national_id(value)
    except rules.InvalidNationalId as error:
        message = (
            _("“%(value)s” is not a valid RUC: the check digit does not match.")
            if error.kind == rules.IdKind.RUC
            else _("“%(value)s” is not a valid DNI.")
        )
        raise ValidationError(message % {"value": value}, code="invalid_national_id") from error
    if kind is None:
        raise ValidationError(
            _("“%(value)s” is neither a DNI (8 digits) nor a RUC (11 digits).") % {"value": value},
            code="invalid_national_id",
        )
