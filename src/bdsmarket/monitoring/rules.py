"""Pure rules of monitoring: periods, client keys, row keys, payer splits. No Django here."""

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from bdsmarket.registry.rules import IdKind, InvalidNationalId, classify_national_id, id_digits


def month_start(day: date) -> date:
    return day.replace(day=1)


def due_date(month: date, due_day: int) -> date:
    """Return the day a month's report is due: `due_day` of the following month (or its end)."""
    year, next_month = month.year + month.month // 12, month.month % 12 + 1
    for day in range(min(due_day, 31), 0, -1):
        try:
            return date(year, next_month, day)
        except ValueError:
            continue
    raise ValueError(due_day)


def client_key(provider_code: str, client_id: str) -> str:
    """Return the key that identifies a client across the program.

    A valid DNI or RUC is the same person or firm whichever provider served it; any other
    client number is only meaningful within its provider.
    """
    try:
        kind = classify_national_id(client_id)
    except InvalidNationalId:
        kind = None
    if kind in (IdKind.DNI, IdKind.RUC):
        return f"{kind}:{id_digits(client_id)}"
    return f"{provider_code.upper()}:{client_id.strip()}"


def payers_add_up(
    price: Decimal, paid_by_client: Decimal, paid_by_voucher: Decimal, paid_by_third_party: Decimal
) -> bool:
    """Whether the three payers' parts make up the price to the cent."""
    return paid_by_client + paid_by_voucher + paid_by_third_party == price


def delivery_row_key(reference: str, values: Iterable[object], occurrence: int) -> str:
    """Return the key that makes a re-sent row the same row.

    The provider's own reference when there is one; otherwise a fingerprint of the row's
    values plus how many identical rows came before it in the same upload (so two genuine
    identical rows stay two, and sending the file again stores neither twice).
    """
    if reference.strip():
        return "ref:" + reference.strip()
    text = "\x1f".join("" if value is None else str(value) for value in values)
    digest = hashlib.sha256(text.encode()).hexdigest()[:40]
    return f"row:{digest}:{occurrence}"
