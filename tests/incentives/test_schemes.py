"""Schemes as data: checked before anything is stored, adopted, versioned with the months
they are in force."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from bdsmarket.incentives import queries, services
from bdsmarket.incentives.models import IncentiveRule, IncentiveScheme
from bdsmarket.incentives.services import RuleInput

from .conftest import PAID, WOMEN, scheme_make


def problems_of(manager, *rules_given, **options) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        scheme_make(manager, *rules_given, adopt=False, **options)
    assert not IncentiveScheme.objects.exists() and not IncentiveRule.objects.exists()
    return error.value.message_dict


def test_a_rate_outside_0_and_1_is_refused_and_nothing_stored(manager):
    wrong = RuleInput(code="paid", label="x", base="paid_by_client", rate=D("1.5"))
    assert problems_of(manager, wrong) == {"paid.rate": ["1.5 is not between 0 and 1."]}


def test_tiers_that_overlap_or_leave_gaps_are_refused(manager):
    tiers = (
        {"lower": "0", "upper": "1000", "rate": "0.3"},
        {"lower": "900", "upper": "2000", "rate": "0.2"},
        {"lower": "2500", "upper": None, "rate": "0.1"},
    )
    wrong = RuleInput(code="paid", label="x", base="paid_by_client", tiers=tiers)
    assert problems_of(manager, wrong) == {
        "paid.tiers": [
            "The tiers overlap at 900.",
            "The tiers leave a gap from 2000 to 2500.",
        ]
    }


def test_negative_caps_and_unknown_bases_are_refused(manager):
    wrong = RuleInput(code="paid", label="x", base="sales", rate=D("0.1"), cap_per_year=D(-1))
    extra = RuleInput(code="paid2", label="x", base="paid_by_client", rate=D("0.1"),
                      threshold_indicator="happiness", threshold_minimum=D(1))  # fmt: skip
    assert problems_of(manager, wrong, extra) == {
        "paid.base": ["“sales” is none of the bases a rule may pay on."],
        "paid.cap_per_year": ["This cannot be negative."],
        "paid2.threshold": ["“happiness” is no indicator of a provider's month."],
    }


def test_a_count_cannot_be_paid_with_a_rate(manager):
    wrong = RuleInput(code="w", label="x", base="women_attentions", rate=D("0.1"))
    assert "w.base" in problems_of(manager, wrong)


def test_the_problems_are_told_in_spanish_to_a_spanish_reader(manager):
    wrong = RuleInput(code="paid", label="x", base="paid_by_client", rate=D("2"))
    with translation.override("es"):
        assert problems_of(manager, wrong) == {"paid.rate": ["2 no está entre 0 y 1."]}


def test_a_new_version_ends_the_one_before_and_leaves_its_months_alone(manager):
    first = scheme_make(manager, PAID)
    second = scheme_make(manager, PAID, WOMEN, effective_from=date(2004, 1, 1))

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.effective_to == date(2003, 12, 1)
    assert queries.scheme_in_force(date(2003, 12, 1)) == first
    assert queries.scheme_in_force(date(2004, 3, 1)) == second
    assert queries.scheme_in_force(date(2002, 12, 1)) is None


def test_an_adopted_scheme_cannot_be_adopted_again_or_before_a_later_one(manager):
    scheme = scheme_make(manager, PAID, effective_from=date(2004, 1, 1))
    with pytest.raises(ValidationError):
        services.scheme_adopt(actor=manager, scheme=scheme)
    earlier = scheme_make(manager, PAID, adopt=False, effective_from=date(2003, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.scheme_adopt(actor=manager, scheme=earlier)
    assert "effective_from" in error.value.message_dict


def test_only_the_program_manager_sets_schemes(officer, auditor, staff_a):
    for user in (officer, auditor, staff_a):
        with pytest.raises(PermissionDenied):
            scheme_make(user, PAID)
    assert not IncentiveScheme.objects.exists()
