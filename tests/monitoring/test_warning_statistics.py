"""The pure statistics behind the warnings, the sample draw and the reminder calendar."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdsmarket.monitoring import rules

values = st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=1, max_size=60)
floats = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=60
)


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert rules.median([4, 1, 3, 2]) == 2.5
    assert rules.median([7]) == 7.0


def test_the_median_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        rules.median([])


def test_the_mad_and_robust_z_by_hand():
    history = [20, 25, 30, 35, 40, 1000]
    # median 32.5; distances 12.5, 7.5, 2.5, 2.5, 7.5, 967.5: their median is 7.5
    assert rules.median_absolute_deviation(history) == 7.5
    assert rules.robust_z(450, 32.5, 7.5) == pytest.approx(0.6745 * 417.5 / 7.5)


def test_a_robust_z_needs_a_spread():
    with pytest.raises(ZeroDivisionError):
        rules.robust_z(3, 3, 0)


@given(floats)
def test_the_median_lies_within_the_values(history):
    assert min(history) <= rules.median(history) <= max(history)


@given(floats, st.randoms())
def test_the_median_ignores_the_order(history, rnd):
    shuffled = list(history)
    rnd.shuffle(shuffled)
    assert rules.median(shuffled) == rules.median(history)


@given(values, st.integers(min_value=-1000, max_value=1000))
def test_the_mad_ignores_a_shift(history, shift):
    assert rules.median_absolute_deviation([v + shift for v in history]) == pytest.approx(
        rules.median_absolute_deviation(history)
    )


@given(values, st.integers(min_value=-50, max_value=50))
def test_the_mad_scales_with_the_values(history, factor):
    assert rules.median_absolute_deviation([v * factor for v in history]) == pytest.approx(
        abs(factor) * rules.median_absolute_deviation(history)
    )


@given(values)
def test_the_mad_is_never_negative(history):
    assert rules.median_absolute_deviation(history) >= 0


@given(values, st.integers(min_value=-(10**6), max_value=10**6), st.integers(1, 100))
def test_a_robust_z_survives_a_change_of_unit(history, value, factor):
    spread = rules.spread_of(history)
    if spread.mad == 0:
        return
    scaled = rules.spread_of([v * factor + 7 for v in history])
    assert rules.robust_z(value * factor + 7, scaled.median, scaled.mad) == pytest.approx(
        rules.robust_z(value, spread.median, spread.mad)
    )


@given(values, st.floats(min_value=0, max_value=10))
def test_the_median_itself_is_never_an_outlier(history, threshold):
    centre = rules.median(history)
    assert not rules.deviation(centre, history, threshold).is_outlier


@given(values, st.integers(min_value=-(10**7), max_value=10**7), st.floats(0, 10))
def test_an_outlier_is_beyond_the_threshold_or_outside_the_bounds(history, value, threshold):
    found = rules.deviation(value, history, threshold)
    if found.by_bounds:
        assert found.spread.mad == 0
        assert found.is_outlier == (not min(history) <= value <= max(history))
    else:
        assert found.is_outlier == (abs(found.z) > threshold)
        assert found.is_above == (found.z > 0)


@given(st.integers(min_value=-1000, max_value=1000), st.integers(1, 30))
def test_a_history_without_spread_flags_every_other_value(constant, count):
    history = [constant] * count
    assert not rules.deviation(constant, history, 3.5).is_outlier
    assert rules.deviation(constant + 1, history, 3.5).is_outlier
    assert rules.deviation(constant - 0.5, history, 3.5).is_outlier


counts = st.dictionaries(st.sampled_from(["micro", "small", "pre", "large"]), st.integers(0, 500))


@given(counts)
def test_shares_add_up_to_a_hundred(found):
    shares = rules.shares(found)
    if sum(found.values()):
        assert sum(shares.values()) == pytest.approx(100)
    else:
        assert shares == {}


@given(counts.filter(lambda c: sum(c.values()) > 0), counts.filter(lambda c: sum(c.values()) > 0))
def test_share_shifts_balance_out(current, usual):
    shifts = rules.share_shifts(current, usual)
    assert set(shifts) == set(current) | set(usual)
    assert sum(now - before for now, before in shifts.values()) == pytest.approx(0, abs=1e-9)


ids = st.lists(st.integers(1, 10**6), unique=True, max_size=80)


@given(ids, st.integers(0, 100), st.integers(0, 2**62))
def test_a_sample_is_a_subset_of_the_requested_size(rows, size, seed):
    drawn = rules.sample_draw(rows, size, seed)
    assert len(drawn) == min(size, len(rows))
    assert set(drawn) <= set(rows)
    assert drawn == sorted(set(drawn))


@given(ids, st.integers(0, 100), st.integers(0, 2**62), st.randoms())
def test_the_same_seed_draws_the_same_rows_whatever_their_order(rows, size, seed, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert rules.sample_draw(shuffled, size, seed) == rules.sample_draw(rows, size, seed)


def test_different_seeds_draw_different_rows():
    rows = list(range(1, 1001))
    assert rules.sample_draw(rows, 5, 1) != rules.sample_draw(rows, 5, 2)


days = st.dates(min_value=date(1996, 1, 1), max_value=date(2030, 12, 31))


@given(days, st.integers(0, 15), st.integers(0, 15))
def test_reminders_follow_the_calendar(due, before, after):
    calendar = {
        due + timedelta(days=offset): rules.reminder_kind(
            due + timedelta(days=offset), due, before, after
        )
        for offset in range(-40, 60)
    }
    before_days = [day for day, kind in calendar.items() if kind == "before"]
    after_days = [day for day, kind in calendar.items() if kind == "after"]
    assert before_days == ([due - timedelta(days=before)] if before else [])
    if after:
        assert after_days[0] == due + timedelta(days=after)
        assert all((b - a).days == 7 for a, b in pairwise(after_days))
    else:
        assert after_days == []
    assert calendar[due] is None
