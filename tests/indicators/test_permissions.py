"""Who may see which figures: program-wide readers see all of them and the peers' names;
provider staff see their own provider's, peers under pseudonyms; evaluators, inactive users
and anonymous visitors see none."""

import pytest
from django.contrib.auth.models import AnonymousUser

from bdsmarket.indicators import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(manager, officer, auditor, evaluator, staff_a, staff_b):
    return {
        "manager": manager,
        "officer": officer,
        "auditor": auditor,
        "evaluator": evaluator,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "anonymous": AnonymousUser(),
    }


def allowed(cast, rule) -> set[str]:
    return {name for name, user in cast.items() if rule(user)}


PROGRAM_READERS = {"manager", "officer", "auditor"}


def test_the_program_figures_are_for_program_staff_and_auditors(cast):
    assert allowed(cast, permissions.can_see_program_figures) == PROGRAM_READERS


def test_a_providers_figures_are_for_program_readers_and_its_own_staff(cast, provider_a):
    rule = lambda user: permissions.can_see_provider_figures(user, provider_a)  # noqa: E731
    assert allowed(cast, rule) == PROGRAM_READERS | {"staff_a"}


def test_another_providers_staff_are_kept_out(cast, provider_b):
    rule = lambda user: permissions.can_see_provider_figures(user, provider_b)  # noqa: E731
    assert allowed(cast, rule) == PROGRAM_READERS | {"staff_b"}


def test_only_program_readers_see_the_peers_by_name(cast):
    assert allowed(cast, permissions.can_see_peer_names) == PROGRAM_READERS


def test_the_explorer_and_its_exports_are_for_anyone_with_figures(cast):
    expected = PROGRAM_READERS | {"staff_a", "staff_b"}
    assert allowed(cast, permissions.can_see_figures) == expected
    assert allowed(cast, permissions.can_explore_figures) == expected
    assert allowed(cast, permissions.can_export_figures) == expected


def test_provider_staff_reach_their_own_provider_only(cast, provider_a, provider_b):
    reach = {name: permissions.figure_providers_for(user) for name, user in cast.items()}
    assert reach["manager"] is None and reach["auditor"] is None and reach["officer"] is None
    assert reach["staff_a"] == {provider_a.pk}
    assert reach["staff_b"] == {provider_b.pk}
    assert reach["evaluator"] == frozenset() and reach["anonymous"] == frozenset()
    visible = permissions.providers_with_figures_visible_to(cast["staff_a"])
    assert list(visible) == [provider_a]
    assert not permissions.providers_with_figures_visible_to(cast["evaluator"]).exists()
    assert set(permissions.providers_with_figures_visible_to(cast["auditor"])) == {
        provider_a,
        provider_b,
    }


def test_an_inactive_user_sees_nothing(manager, staff_a, provider_a):
    for user in (manager, staff_a):
        user.is_active = False
        user.save()
        assert not permissions.can_see_figures(user)
        assert not permissions.can_see_program_figures(user)
        assert not permissions.can_see_provider_figures(user, provider_a)
        assert permissions.figure_providers_for(user) == frozenset()
