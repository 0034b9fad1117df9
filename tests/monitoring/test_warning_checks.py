"""Warnings from the program's tunable rules: prices and volumes far from the provider's
approved history, and sudden changes in its client mix. A warning is stored as a code and
its parameters and worded in the reader's language."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission, ValidationRule, ValidationWarning
from bdsmarket.monitoring.warning_checks import warnings_refresh

PRICE = ValidationRule.Kind.PRICE_OUTLIER
VOLUME = ValidationRule.Kind.VOLUME_OUTLIER
MIX = ValidationRule.Kind.CLIENT_MIX_SHIFT


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _row(delivery_row, provider, month: date, number: int, price: str = "30", **overrides):
    """A row of `month` paid in full by its client, for a client of its own number."""
    values = {
        "date": month.replace(day=1 + number % 28),
        "client_id": f"C-{month:%Y%m}-{number}",
        "price": Decimal(price),
        "paid_by_client": Decimal(price),
        "paid_by_voucher": Decimal(0),
        "voucher_code": "",
        "reference": f"{month:%Y%m}-{number}",
    }
    return delivery_row(provider, **{**values, **overrides})


def _store(rows, actor) -> Submission:
    result = services.deliveries_store(actor=actor, rows=rows, source="file")
    (submission,) = result.submissions
    return submission


def _approve(submission: Submission, staff, officer) -> Submission:
    """Submit the month, acknowledge whatever it warned about, approve it."""
    services.submission_submit(actor=staff, submission=submission)
    for warning in ValidationWarning.objects.filter(submission=submission):
        services.warning_acknowledge(actor=officer, warning=warning)
    services.submission_approve(actor=officer, submission=submission)
    return submission


def _submitted(rows, staff) -> Submission:
    submission = _store(rows, staff)
    services.submission_submit(actor=staff, submission=submission)
    return submission


def _warnings(submission: Submission, kind: str) -> list[ValidationWarning]:
    return list(ValidationWarning.objects.filter(submission=submission, kind=kind).order_by("pk"))


HISTORY_MONTHS = [date(2003, 2, 1), date(2003, 3, 1), date(2003, 4, 1)]
MAY = date(2003, 5, 1)


@pytest.fixture
def price_history(delivery_row, provider_a, staff_a, officer):
    """Three approved months of training at 20, 25, 30, 35 and 40 a participant: median 30,
    median absolute deviation 5."""
    for month in HISTORY_MONTHS:
        rows = [
            _row(delivery_row, provider_a, month, n, price)
            for n, price in enumerate(["20", "25", "30", "35", "40"])
        ]
        _approve(_store(rows, staff_a), staff_a, officer)


# price_outlier


def test_a_price_far_above_the_providers_usual_price_is_flagged_with_how_far(
    price_history, delivery_row, provider_a, staff_a
):
    may = _submitted(
        [
            _row(delivery_row, provider_a, MAY, 1, "450", client_id="44556677"),
            _row(delivery_row, provider_a, MAY, 2, "33"),
        ],
        staff_a,
    )
    (warning,) = _warnings(may, PRICE)
    # z = 0.6745 * (450 - 30) / 5 = 56.658
    assert warning.code == "price_above_z"
    assert warning.message == (
        "Row of 2003-05-02, client 44556677: price 450.00 is 56.7 robust deviations above "
        "this provider's usual 30.00 for Training (the limit is 3.5)."
    )
    assert warning.delivery == may.deliveries.get(price=Decimal("450"))
    assert warning.details["method"] == "robust_z"
    assert warning.details["z"] == pytest.approx(56.658)
    assert (warning.details["median"], warning.details["mad"]) == (30.0, 5.0)


def test_a_price_far_below_is_flagged_too(price_history, delivery_row, provider_a, staff_a):
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "1")], staff_a)
    (warning,) = _warnings(may, PRICE)
    # z = 0.6745 * (1 - 30) / 5 = -3.91, beyond the default 3.5
    assert warning.code == "price_below_z"
    assert "is 3.9 robust deviations below this provider's usual 30.00" in warning.message
    assert warning.details["z"] == pytest.approx(-3.9121)


def test_the_price_is_compared_per_participant(price_history, delivery_row, provider_a, staff_a):
    group = _row(delivery_row, provider_a, MAY, 1, "150", participants=5)
    alone = _row(delivery_row, provider_a, MAY, 2, "150", participants=1)
    may = _submitted([group, alone], staff_a)
    (warning,) = _warnings(may, PRICE)
    assert warning.delivery.participants == 1
    assert "price 150.00 is 16.2 robust deviations above" in warning.message


def test_a_group_row_says_its_price_per_participant(
    price_history, delivery_row, provider_a, staff_a
):
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "900", participants=3)], staff_a)
    (warning,) = _warnings(may, PRICE)
    assert "price 900.00 for 3 participants (300.00 each) is 36.4 robust" in warning.message


def test_usual_prices_stay_quiet(price_history, delivery_row, provider_a, staff_a):
    rows = [_row(delivery_row, provider_a, MAY, n, p) for n, p in enumerate(["20", "33", "40"])]
    may = _submitted(rows, staff_a)
    assert _warnings(may, PRICE) == []


def test_the_threshold_is_the_rules_own(price_history, delivery_row, provider_a, staff_a):
    ValidationRule.objects.filter(kind=PRICE).update(threshold=Decimal("60"))
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    assert _warnings(may, PRICE) == []
    ValidationRule.objects.filter(kind=PRICE).update(threshold=Decimal("50"))
    assert len([w for w in warnings_refresh(may) if w.kind == PRICE]) == 1


def test_a_disabled_rule_gives_no_warning(price_history, delivery_row, provider_a, staff_a):
    ValidationRule.objects.filter(kind=PRICE).update(enabled=False)
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    assert _warnings(may, PRICE) == []


def test_a_service_type_without_enough_approved_months_is_not_checked(
    price_history, delivery_row, provider_a, staff_a
):
    may = _submitted(
        [_row(delivery_row, provider_a, MAY, 1, "450", service_type="marketing")], staff_a
    )
    assert _warnings(may, PRICE) == []


def test_it_waits_for_min_history_months(delivery_row, provider_a, staff_a, officer):
    for month in HISTORY_MONTHS[:2]:
        rows = [_row(delivery_row, provider_a, month, n, p) for n, p in enumerate(["20", "40"])]
        _approve(_store(rows, staff_a), staff_a, officer)
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    assert _warnings(may, PRICE) == []
    ValidationRule.objects.filter(kind=PRICE).update(min_history_months=2)
    assert [w.kind for w in warnings_refresh(may)] == [PRICE]


def test_only_approved_months_make_the_history(delivery_row, provider_a, staff_a, officer):
    for month in HISTORY_MONTHS[:2]:
        rows = [_row(delivery_row, provider_a, month, n, p) for n, p in enumerate(["20", "40"])]
        _approve(_store(rows, staff_a), staff_a, officer)
    # A third month, submitted but not approved, with the same wild price.
    _submitted([_row(delivery_row, provider_a, HISTORY_MONTHS[2], 1, "450")], staff_a)
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    assert _warnings(may, PRICE) == []


def test_another_providers_history_does_not_count(price_history, delivery_row, provider_b, staff_b):
    may = _submitted([_row(delivery_row, provider_b, MAY, 1, "450")], staff_b)
    assert _warnings(may, PRICE) == []


def test_without_spread_the_history_bounds_decide_and_the_message_says_so(
    delivery_row, provider_a, staff_a, officer
):
    for month in HISTORY_MONTHS:
        rows = [_row(delivery_row, provider_a, month, n, "30") for n in range(3)]
        _approve(_store(rows, staff_a), staff_a, officer)
    may = _submitted(
        [_row(delivery_row, provider_a, MAY, 1, "35"), _row(delivery_row, provider_a, MAY, 2)],
        staff_a,
    )
    (warning,) = _warnings(may, PRICE)
    assert (warning.code, warning.params["low"], warning.params["high"]) == (
        "price_above_bounds",
        "30.00",
        "30.00",
    )
    assert warning.message == (
        "Row of 2003-05-02, client C-200305-1: price 35.00 is above anything this provider "
        "charged for Training in its approved months (30.00 to 30.00). Those prices vary too "
        "little for a robust z-score, so their minimum and maximum are the bounds."
    )
    assert warning.details["method"] == "bounds"
    assert warning.details["z"] is None


# volume_outlier


def _months_of(delivery_row, provider, staff, officer, counts: list[int]) -> None:
    for month, count in zip(HISTORY_MONTHS, counts, strict=True):
        rows = [_row(delivery_row, provider, month, n) for n in range(count)]
        _approve(_store(rows, staff), staff, officer)


def test_a_month_with_far_more_attentions_than_usual_is_flagged(
    delivery_row, provider_a, staff_a, officer
):
    _months_of(delivery_row, provider_a, staff_a, officer, [4, 5, 6])
    may = _submitted([_row(delivery_row, provider_a, MAY, n) for n in range(20)], staff_a)
    (warning,) = _warnings(may, VOLUME)
    # median 5, MAD 1: z = 0.6745 * 15 = 10.1
    assert warning.code == "volume_above_z"
    assert warning.message == (
        "The month's 20 attentions are 10.1 robust deviations above this provider's usual "
        "5.0 a month (the limit is 3.5)."
    )
    assert warning.delivery is None
    assert warning.details["months"] == 3


def test_a_usual_volume_stays_quiet(delivery_row, provider_a, staff_a, officer):
    _months_of(delivery_row, provider_a, staff_a, officer, [4, 5, 6])
    may = _submitted([_row(delivery_row, provider_a, MAY, n) for n in range(8)], staff_a)
    assert _warnings(may, VOLUME) == []


def test_a_volume_outside_constant_months_is_flagged_by_their_bounds(
    delivery_row, provider_a, staff_a, officer
):
    _months_of(delivery_row, provider_a, staff_a, officer, [5, 5, 5])
    few = _submitted([_row(delivery_row, provider_a, MAY, n) for n in range(2)], staff_a)
    (warning,) = _warnings(few, VOLUME)
    assert (warning.code, warning.params) == (
        "volume_below_bounds",
        {"count": 2, "low": 5, "high": 5},
    )
    assert warning.message.startswith(
        "The month's 2 attentions are fewer than in any of this provider's approved months "
        "(5 to 5 a month)."
    )
    assert "minimum and maximum are the bounds" in warning.message


def test_a_volume_within_constant_months_stays_quiet(delivery_row, provider_a, staff_a, officer):
    _months_of(delivery_row, provider_a, staff_a, officer, [5, 5, 5])
    may = _submitted([_row(delivery_row, provider_a, MAY, n) for n in range(5)], staff_a)
    assert _warnings(may, VOLUME) == []


def test_volume_waits_for_min_history_months(delivery_row, provider_a, staff_a, officer):
    for month in HISTORY_MONTHS[:2]:
        _approve(_store([_row(delivery_row, provider_a, month, 0)], staff_a), staff_a, officer)
    may = _submitted([_row(delivery_row, provider_a, MAY, n) for n in range(30)], staff_a)
    assert _warnings(may, VOLUME) == []


# client_mix_shift


def _mix_history(delivery_row, provider, staff, officer):
    """Three approved months of 8 micro-enterprises and 2 small enterprises."""
    for month in HISTORY_MONTHS:
        rows = [
            _row(delivery_row, provider, month, n, client_type="micro" if n < 8 else "small")
            for n in range(10)
        ]
        _approve(_store(rows, staff), staff, officer)


def test_a_sudden_change_in_client_mix_is_flagged_for_each_type_that_moved(
    delivery_row, provider_a, staff_a, officer
):
    _mix_history(delivery_row, provider_a, staff_a, officer)
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_type="micro" if n < 3 else "small")
        for n in range(10)
    ]
    may = _submitted(rows, staff_a)
    micro, small = _warnings(may, MIX)
    assert (micro.code, micro.params) == (
        "client_mix_shift",
        {
            "client_type": "micro",
            "share": 30.0,
            "usual_share": 80.0,
            "points": 50.0,
            "limit": "30.00",
        },
    )
    assert micro.message == (
        "Micro-enterprise: 30.0% of this month's attentions against 80.0% in this provider's "
        "approved months, a move of 50.0 percentage points (the limit is 30)."
    )
    assert small.details == {
        "client_type": "small",
        "share": 70.0,
        "usual_share": 20.0,
        "rows": 7,
        "usual_rows": 6,
        "threshold": "30.00",
    }


def test_a_new_client_type_counts_from_a_usual_share_of_zero(
    delivery_row, provider_a, staff_a, officer
):
    _mix_history(delivery_row, provider_a, staff_a, officer)
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_type="micro" if n < 5 else "institution")
        for n in range(10)
    ]
    may = _submitted(rows, staff_a)
    moved = {w.details["client_type"]: w.details["usual_share"] for w in _warnings(may, MIX)}
    assert moved == {"institution": 0.0}


def test_a_steady_client_mix_stays_quiet(delivery_row, provider_a, staff_a, officer):
    _mix_history(delivery_row, provider_a, staff_a, officer)
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_type="micro" if n < 7 else "small")
        for n in range(10)
    ]
    may = _submitted(rows, staff_a)
    assert _warnings(may, MIX) == []


def test_the_mix_threshold_is_tunable(delivery_row, provider_a, staff_a, officer):
    _mix_history(delivery_row, provider_a, staff_a, officer)
    ValidationRule.objects.filter(kind=MIX).update(threshold=Decimal("5"))
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_type="micro" if n < 7 else "small")
        for n in range(10)
    ]
    may = _submitted(rows, staff_a)
    assert {w.details["client_type"] for w in _warnings(may, MIX)} == {"micro", "small"}


def test_no_mix_warning_before_enough_approved_months(delivery_row, provider_a, staff_a):
    rows = [_row(delivery_row, provider_a, MAY, n, client_type="small") for n in range(10)]
    may = _submitted(rows, staff_a)
    assert _warnings(may, MIX) == []


# warnings_refresh


def test_refreshing_replaces_the_versions_warnings_instead_of_adding(
    price_history, delivery_row, provider_a, staff_a
):
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    warnings_refresh(may)
    warnings_refresh(may)
    assert ValidationWarning.objects.filter(submission=may, kind=PRICE).count() == 1


def test_same_client_same_day_still_fires(delivery_row, provider_a, staff_a):
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_id="C-1", date=date(2003, 5, 7))
        for n in range(4)
    ]
    may = _submitted(rows, staff_a)
    (warning,) = _warnings(may, ValidationRule.Kind.SAME_CLIENT_SAME_DAY)
    assert warning.details["rows"] == 4
    assert warning.code == "same_client_same_day"
    assert warning.message == "4 rows for client C-1 on 2003-05-07 (more than 3)."


def test_approval_waits_for_the_new_warnings(price_history, delivery_row, provider_a, staff_a):
    may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450")], staff_a)
    assert ValidationWarning.objects.filter(submission=may, acknowledged_at__isnull=True).exists()


# wording


def test_it_stores_the_code_and_parameters_of_a_warning_not_a_sentence(
    price_history, delivery_row, provider_a, staff_a
):
    may = _submitted(
        [_row(delivery_row, provider_a, MAY, 1, "900", client_id="44556677", participants=3)],
        staff_a,
    )
    stored = ValidationWarning.objects.filter(submission=may, kind=PRICE).values("code", "params")
    # z = 0.6745 * (300 - 30) / 5 = 36.423
    assert list(stored) == [
        {
            "code": "price_above_z",
            "params": {
                "date": "2003-05-02",
                "client": "44556677",
                "service_type": "training",
                "price": "900.00",
                "participants": 3,
                "unit": "300.00",
                "z": 36.423,
                "usual": "30.00",
                "limit": "3.50",
            },
        }
    ]
    assert "message" not in {field.name for field in ValidationWarning._meta.concrete_fields}


def test_it_words_a_warning_found_in_spanish_in_english_for_an_english_reader(
    price_history, delivery_row, provider_a, staff_a
):
    with translation.override("es"):
        may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450.5")], staff_a)
    (warning,) = _warnings(may, PRICE)
    with translation.override("en"):
        assert warning.message == (
            "Row of 2003-05-02, client C-200305-1: price 450.50 is 56.7 robust deviations "
            "above this provider's usual 30.00 for Training (the limit is 3.5)."
        )
        assert str(warning) == warning.message[:60]


def test_it_words_a_warning_found_in_english_in_spanish_for_a_spanish_reader(
    price_history, delivery_row, provider_a, staff_a
):
    with translation.override("en"):
        may = _submitted([_row(delivery_row, provider_a, MAY, 1, "450.5")], staff_a)
    (warning,) = _warnings(may, PRICE)
    with translation.override("es"):
        assert warning.message == (
            "Fila del 2003-05-02, cliente C-200305-1: el precio 450,50 está 56,7 desviaciones "
            "robustas por encima del valor habitual de este proveedor, 30,00, para "
            "Capacitación (el límite es 3,5)."
        )


def test_it_words_client_types_and_percentages_in_the_readers_language(
    delivery_row, provider_a, staff_a, officer
):
    _mix_history(delivery_row, provider_a, staff_a, officer)
    rows = [
        _row(delivery_row, provider_a, MAY, n, client_type="micro" if n < 3 else "small")
        for n in range(10)
    ]
    with translation.override("en"):
        micro, _small = _warnings(_submitted(rows, staff_a), MIX)
    with translation.override("es"):
        assert micro.message == (
            "Microempresa: 30,0% de las atenciones de este mes frente a 80,0% en los meses "
            "aprobados de este proveedor, un cambio de 50,0 puntos porcentuales (el límite "
            "es 30)."
        )


def test_it_reads_a_warning_stored_before_codes_as_its_old_text(delivery_row, provider_a, staff_a):
    may = _store([_row(delivery_row, provider_a, MAY, 1)], staff_a)
    warning = ValidationWarning.objects.create(
        submission=may,
        version=1,
        kind=PRICE,
        code="legacy",
        params={"text": "Precio lejos de lo habitual"},
    )
    with translation.override("en"):
        assert ValidationWarning.objects.get(pk=warning.pk).message == (
            "Precio lejos de lo habitual"
        )
