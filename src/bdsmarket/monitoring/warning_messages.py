"""The wording of warnings, chosen when a warning is read.

A warning is stored as a message code and its parameters (plain JSON: numbers, decimal
strings, ISO dates, codes such as a service type), never as a sentence, so that each reader
gets it in their own language with numbers written their way. `warning_message` is the one
place that turns a code and its parameters into words.

A code's parameters never change meaning once rows carry it: a sentence that needs other
parameters gets a new code, so warnings stored earlier still read.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.money import money_round
from bdsmarket.registry.models import ClientType, ServiceType

# Warnings stored before codes existed keep their old sentence as {"text": ...}.
LEGACY = "legacy"

Params = Mapping[str, Any]

_PRICE_Z_ABOVE = gettext_lazy(
    "Row of %(date)s, client %(client)s: %(subject)s is %(z)s robust deviations "
    "above this provider's usual %(usual)s for %(service)s (the limit is "
    "%(limit)s)."
)
_PRICE_Z_BELOW = gettext_lazy(
    "Row of %(date)s, client %(client)s: %(subject)s is %(z)s robust deviations "
    "below this provider's usual %(usual)s for %(service)s (the limit is "
    "%(limit)s)."
)
_PRICE_BOUNDS_ABOVE = gettext_lazy(
    "Row of %(date)s, client %(client)s: %(subject)s is above anything this "
    "provider charged for %(service)s in its approved months (%(low)s to "
    "%(high)s). Those prices vary too little for a robust z-score, so their "
    "minimum and maximum are the bounds."
)
_PRICE_BOUNDS_BELOW = gettext_lazy(
    "Row of %(date)s, client %(client)s: %(subject)s is below anything this "
    "provider charged for %(service)s in its approved months (%(low)s to "
    "%(high)s). Those prices vary too little for a robust z-score, so their "
    "minimum and maximum are the bounds."
)
_VOLUME_Z_ABOVE = gettext_lazy(
    "The month's %(count)s attentions are %(z)s robust deviations above this "
    "provider's usual %(usual)s a month (the limit is %(limit)s)."
)
_VOLUME_Z_BELOW = gettext_lazy(
    "The month's %(count)s attentions are %(z)s robust deviations below this "
    "provider's usual %(usual)s a month (the limit is %(limit)s)."
)
_VOLUME_BOUNDS_ABOVE = gettext_lazy(
    "The month's %(count)s attentions are more than in any of this provider's "
    "approved months (%(low)s to %(high)s a month). Those counts vary too little for "
    "a robust z-score, so their minimum and maximum are the bounds."
)
_VOLUME_BOUNDS_BELOW = gettext_lazy(
    "The month's %(count)s attentions are fewer than in any of this provider's "
    "approved months (%(low)s to %(high)s a month). Those counts vary too little for "
    "a robust z-score, so their minimum and maximum are the bounds."
)
_CLIENT_MIX_SHIFT = gettext_lazy(
    "%(type)s: %(now)s%% of this month's attentions against %(usual)s%% in this "
    "provider's approved months, a move of %(points)s percentage points (the limit is "
    "%(limit)s)."
)
_SAME_CLIENT_SAME_DAY = gettext_lazy(
    "%(rows)s rows for client %(client)s on %(date)s (more than %(limit)s)."
)


def warning_message(code: str, params: Params) -> str:
    """Return the warning `code` with `params` worded in the active language."""
    if code == LEGACY:
        return str(params.get("text", ""))
    template, values = _WORDINGS[code]
    return str(template) % values(params)


def _money(value: Any) -> str:
    return number_format(money_round(Decimal(str(value))), 2)


def _limit(threshold: Any) -> str:
    # A threshold of 3.50 reads "3.5", one of 30.00 reads "30".
    return number_format(format(Decimal(str(threshold)).normalize(), "f"))


def _score(value: Any) -> str:
    return number_format(round(abs(float(value)), 1), 1)


def _tenths(value: Any) -> str:
    return number_format(round(float(value), 1), 1)


def _label(choices: type[TextChoices], code: str) -> str:
    """Return the label of `code` in the active language, or the code if it is no choice."""
    return str(choices(code).label) if code in choices.values else code


def _price_values(params: Params) -> dict[str, object]:
    """Return the values both price wordings share: the row and what it was charged."""
    if params["participants"] == 1:
        subject = _("price %(price)s") % {"price": _money(params["price"])}
    else:
        subject = _("price %(price)s for %(participants)s participants (%(unit)s each)") % {
            "price": _money(params["price"]),
            "participants": params["participants"],
            "unit": _money(params["unit"]),
        }
    return {
        "date": params["date"],
        "client": params["client"],
        "subject": subject,
        "service": _label(ServiceType, params["service_type"]),
    }


def _price_z_values(params: Params) -> dict[str, object]:
    return {
        **_price_values(params),
        "z": _score(params["z"]),
        "usual": _money(params["usual"]),
        "limit": _limit(params["limit"]),
    }


def _price_bounds_values(params: Params) -> dict[str, object]:
    return {**_price_values(params), "low": _money(params["low"]), "high": _money(params["high"])}


def _volume_z_values(params: Params) -> dict[str, object]:
    return {
        "count": params["count"],
        "z": _score(params["z"]),
        "usual": _tenths(params["usual"]),
        "limit": _limit(params["limit"]),
    }


def _volume_bounds_values(params: Params) -> dict[str, object]:
    return {"count": params["count"], "low": params["low"], "high": params["high"]}


def _mix_values(params: Params) -> dict[str, object]:
    return {
        "type": _label(ClientType, params["client_type"]),
        "now": _tenths(params["share"]),
        "usual": _tenths(params["usual_share"]),
        "points": _tenths(params["points"]),
        "limit": _limit(params["limit"]),
    }


def _same_day_values(params: Params) -> dict[str, object]:
    return {
        "rows": params["rows"],
        "client": params["client"],
        "date": params["date"],
        "limit": params["limit"],
    }


_WORDINGS: dict[str, tuple[Promise, Callable[[Params], dict[str, object]]]] = {
    "price_above_z": (_PRICE_Z_ABOVE, _price_z_values),
    "price_below_z": (_PRICE_Z_BELOW, _price_z_values),
    "price_above_bounds": (_PRICE_BOUNDS_ABOVE, _price_bounds_values),
    "price_below_bounds": (_PRICE_BOUNDS_BELOW, _price_bounds_values),
    "volume_above_z": (_VOLUME_Z_ABOVE, _volume_z_values),
    "volume_below_z": (_VOLUME_Z_BELOW, _volume_z_values),
    "volume_above_bounds": (_VOLUME_BOUNDS_ABOVE, _volume_bounds_values),
    "volume_below_bounds": (_VOLUME_BOUNDS_BELOW, _volume_bounds_values),
    "client_mix_shift": (_CLIENT_MIX_SHIFT, _mix_values),
    "same_client_same_day": (_SAME_CLIENT_SAME_DAY, _same_day_values),
}
