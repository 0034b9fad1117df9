"""Pure rules of monitoring: periods, client keys, row keys, payer splits. No Django here."""

import hashlib
import random
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bdsmarket.core.months import month_add
from bdsmarket.registry.rules import IdKind, InvalidNationalId, classify_national_id, id_digits


def due_date(month: date, due_day: int) -> date:
    """Return the day a month's report is due: `due_day` of the following month (or its end)."""
    following = month_add(month, 1)
    for day in range(min(due_day, 31), 0, -1):
        try:
            return following.replace(day=day)
        except ValueError:
            continue
    raise ValueError(due_day)


def client_key(provider_code: str, client_id: str) -> str:
    """Return the key that identifies a client across the program (see clients_identify)."""
    return clients_identify([provider_code], [client_id]).keys[0]


# Eight ASCII digits, every one: what classify_national_id calls a DNI, without spaces.
_ALL_DNIS = re.compile(r"[0-9]{8}(?:\x1f[0-9]{8})*")


@dataclass(frozen=True)
class Clients:
    """Clients as a file names them, one entry per row (see clients_identify)."""

    ids: list[str]  # the ID as stored: a DNI's or RUC's digits, any other number trimmed
    keys: list[str]  # the client key
    invalid: list[int]  # rows whose ID has a DNI's or RUC's shape but fails its check


def clients_identify(provider_codes: Sequence[str], client_ids: Sequence[str]) -> Clients:
    """Return each client's stored ID and client key, and which IDs are invalid.

    A valid DNI or RUC is the same person or firm whichever provider served it, so its key
    is the ID alone; any other client number is only meaningful within its provider, so
    its key is the provider's code and the number. Made for a million rows at a time.
    """
    if _ALL_DNIS.fullmatch("\x1f".join(client_ids)):
        # Most clients are people with a DNI, which has no check digit: a whole block of
        # them is recognised at once.
        return Clients(ids=list(client_ids), keys=list(map("dni:".__add__, client_ids)), invalid=[])
    ids, keys, invalid = [], [], []
    # Clients come back: each ID is checked once. None: the ID fails its check.
    verdicts: dict[str, IdKind | None] = {}
    for index, (code, given) in enumerate(zip(provider_codes, client_ids, strict=True)):
        value = given.strip()
        digits = id_digits(value)
        kind = None
        if len(digits) in (8, 11) and digits.isdigit():  # only such values can be IDs
            if digits not in verdicts:
                try:
                    verdicts[digits] = classify_national_id(digits)
                except InvalidNationalId:
                    verdicts[digits] = None
            kind = verdicts[digits]
            if kind is None:
                invalid.append(index)
        if kind is None:
            ids.append(value)
            keys.append(f"{code.upper()}:{value}")
        else:
            ids.append(digits)
            keys.append(f"{kind}:{digits}")
    return Clients(ids=ids, keys=keys, invalid=invalid)


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
    return f"row:{row_fingerprint(values)}:{occurrence}"


def row_fingerprint(values: Iterable[object]) -> str:
    """Return the digest of a row's values that tells identical rows of an upload apart."""
    text = "\x1f".join("" if value is None else str(value) for value in values)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


# Robust statistics for the warning rules: the median and the median absolute deviation
# (MAD) barely move when a few values are wild, so one past mistake does not hide the next.

# The 75th percentile of the standard normal distribution: it scales the MAD to a standard
# deviation, so a robust z-score reads like an ordinary one (Iglewicz and Hoaglin, 1993).
ROBUST_Z_FACTOR = 0.6745


def median(values: Sequence[float]) -> float:
    """Return the median of `values` (the mean of the middle two when their count is even)."""
    if not values:
        raise ValueError("the median of no values")
    return float(statistics.median(values))


def median_absolute_deviation(values: Sequence[float]) -> float:
    """Return the median of the values' distances from their median."""
    centre = median(values)
    return median([abs(value - centre) for value in values])


def robust_z(value: float, centre: float, mad: float) -> float:
    """Return the robust z-score 0.6745 * (value - median) / MAD; MAD must not be zero."""
    if mad == 0:
        raise ZeroDivisionError("a robust z-score needs a spread (MAD) above zero")
    return ROBUST_Z_FACTOR * (value - centre) / mad


@dataclass(frozen=True)
class Spread:
    """Where a history of values lies: its median, MAD, minimum and maximum."""

    median: float
    mad: float
    low: float
    high: float


def spread_of(history: Sequence[float]) -> Spread:
    """Return the median, MAD and bounds of `history` (which must not be empty)."""
    centre = median(history)
    mad = median([abs(value - centre) for value in history])
    return Spread(centre, mad, min(history), max(history))


@dataclass(frozen=True)
class Deviation:
    """How far a value lies from a history, and whether that is beyond the threshold.

    `z` is the robust z-score; it is None when the history has no spread (MAD zero: more
    than half of it is one value), and then the history's bounds decide.
    """

    value: float
    spread: Spread
    z: float | None
    is_outlier: bool

    @property
    def by_bounds(self) -> bool:
        return self.z is None

    @property
    def is_above(self) -> bool:
        return self.value > self.spread.median


def deviation_from(value: float, spread: Spread, threshold: float) -> Deviation:
    """Return how far `value` lies from a history summed up by `spread`.

    An outlier has |robust z| > `threshold`; when the history's MAD is zero, an outlier is a
    value outside the history's minimum and maximum.
    """
    if spread.mad > 0:
        z = robust_z(value, spread.median, spread.mad)
        return Deviation(value, spread, z, abs(z) > threshold)
    return Deviation(value, spread, None, not spread.low <= value <= spread.high)


def deviation(value: float, history: Sequence[float], threshold: float) -> Deviation:
    """Return how far `value` lies from `history` (see `deviation_from`)."""
    return deviation_from(value, spread_of(history), threshold)


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Return each key's share of the counts' total, in percent (nothing when it is zero)."""
    total = sum(counts.values())
    if total == 0:
        return {}
    return {key: 100.0 * count / total for key, count in counts.items()}


def share_shifts(
    current: Mapping[str, int], usual: Mapping[str, int]
) -> dict[str, tuple[float, float]]:
    """Return (current share, usual share), in percent, for every key of either count.

    A key missing on one side has a share of 0 there.
    """
    now, before = shares(current), shares(usual)
    return {
        key: (now.get(key, 0.0), before.get(key, 0.0)) for key in sorted(set(current) | set(usual))
    }


# Verification samples and reminders


def sample_draw(ids: Iterable[int], size: int, seed: int) -> list[int]:
    """Return `size` of `ids` (all of them when fewer) drawn at random from `seed`, ascending.

    The same ids, size and seed always give the same rows, so anyone can repeat a draw
    from the seed stored with it.
    """
    ordered = sorted(set(ids))
    return sorted(random.Random(seed).sample(ordered, min(max(size, 0), len(ordered))))


def reminder_kind(today: date, due: date, days_before: int, days_after: int) -> str | None:
    """Return "before", "after" or None: whether a report due on `due` is reminded `today`.

    Before: exactly `days_before` days ahead of the due date. After: `days_after` days past
    it, then every 7 days until the report is in. A zero switches that reminder off. Each
    day gets one answer, so a daily run reminds each report at most once a day.
    """
    late = (today - due).days
    if days_before > 0 and late == -days_before:
        return "before"
    if days_after > 0 and late >= days_after and (late - days_after) % 7 == 0:
        return "after"
    return None


# What the report pages show: lateness, and an amendment against what was approved


def is_late(due: date, submitted_on: date | None, today: date) -> bool:
    """Whether a month's report is late: first sent after its due date, or still unsent after it."""
    if submitted_on is None:
        return today > due
    return submitted_on > due


@dataclass(frozen=True)
class RowChange:
    """One row present in both versions with different values: (field, before, after)."""

    key: str
    before: Mapping[str, object]
    after: Mapping[str, object]
    fields: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True)
class RowsDiff:
    added: list[Mapping[str, object]]
    removed: list[Mapping[str, object]]
    changed: list[RowChange]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def rows_compare(
    before: Iterable[Mapping[str, object]],
    after: Iterable[Mapping[str, object]],
    *,
    key: str = "row_key",
    ignore: frozenset[str] = frozenset({"id"}),
) -> RowsDiff:
    """Return the rows added, removed and changed from `before` to `after`, matched by `key`.

    A changed row lists each field whose value differs, in the order of the row's fields;
    fields in `ignore` (database ids, which a re-created row does not keep) are not compared.
    """
    old = {str(row[key]): row for row in before}
    new = {str(row[key]): row for row in after}
    changed: list[RowChange] = []
    unchanged = 0
    for row_key, row in new.items():
        if row_key not in old:
            continue
        was = old[row_key]
        names = [name for name in (*was, *(n for n in row if n not in was)) if name not in ignore]
        fields = tuple(
            (name, was.get(name), row.get(name))
            for name in names
            if name != key and was.get(name) != row.get(name)
        )
        if fields:
            changed.append(RowChange(row_key, was, row, fields))
        else:
            unchanged += 1
    return RowsDiff(
        added=[row for row_key, row in new.items() if row_key not in old],
        removed=[row for row_key, row in old.items() if row_key not in new],
        changed=changed,
        unchanged=unchanged,
    )
