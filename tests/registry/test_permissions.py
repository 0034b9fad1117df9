"""Who sees and changes which registry records: one test per rule, both sides of it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from bdsmarket.registry import permissions as perms
from bdsmarket.registry import services


@pytest.fixture
def enterprises(officer, staff_a, staff_b):
    return {
        "program": services.enterprise_create(
            actor=officer, name="Del programa", client_type="micro"
        ),
        "a": services.enterprise_create(actor=staff_a, name="De A", client_type="micro"),
        "b": services.enterprise_create(actor=staff_b, name="De B", client_type="small"),
    }


@pytest.mark.parametrize("role", ["manager", "officer", "auditor", "evaluator"])
def test_program_roles_see_every_provider(request, role, provider_a, provider_b):
    user = request.getfixturevalue(role)
    assert set(perms.providers_visible_to(user)) == {provider_a, provider_b}


def test_provider_staff_see_only_their_own_provider(staff_a, provider_a, provider_b):
    assert list(perms.providers_visible_to(staff_a)) == [provider_a]
    assert not perms.providers_visible_to(staff_a).filter(pk=provider_b.pk).exists()


def test_nobody_logged_out_sees_a_provider(provider_a):
    assert not perms.providers_visible_to(AnonymousUser()).exists()


def test_an_inactive_user_sees_nothing(staff_a, manager):
    manager.is_active = False
    assert not perms.providers_visible_to(manager).exists()
    assert not perms.can_edit_provider(manager, staff_a.provider)


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
def test_program_readers_see_every_enterprise(request, role, enterprises):
    user = request.getfixturevalue(role)
    assert perms.enterprises_visible_to(user).count() == 3


def test_evaluators_see_no_enterprise(evaluator, enterprises):
    assert not perms.enterprises_visible_to(evaluator).exists()


def test_provider_staff_see_the_enterprises_their_provider_registered(staff_a, enterprises):
    assert list(perms.enterprises_visible_to(staff_a)) == [enterprises["a"]]


def test_only_the_manager_registers_providers(manager, officer, auditor, evaluator, staff_a):
    assert perms.can_create_provider(manager)
    for user in (officer, auditor, evaluator, staff_a):
        assert not perms.can_create_provider(user)


def test_provider_staff_edit_their_contacts_only(staff_a, provider_a, provider_b, manager):
    assert (
        perms.provider_fields_editable_by(staff_a, provider_a) == perms.PROVIDER_SELF_SERVICE_FIELDS
    )
    assert "code" not in perms.provider_fields_editable_by(staff_a, provider_a)
    assert perms.provider_fields_editable_by(staff_a, provider_b) == frozenset()
    assert "code" in perms.provider_fields_editable_by(manager, provider_a)


@pytest.mark.parametrize("role", ["officer", "auditor", "evaluator"])
def test_readers_do_not_edit_providers(request, role, provider_a):
    user = request.getfixturevalue(role)
    assert not perms.can_edit_provider(user, provider_a)
    assert not perms.can_change_provider_status(user, provider_a)
    assert not perms.can_edit_catalogue(user, provider_a)


def test_the_catalogue_is_kept_by_the_manager_and_the_providers_staff(
    manager, staff_a, staff_b, provider_a
):
    assert perms.can_edit_catalogue(manager, provider_a)
    assert perms.can_edit_catalogue(staff_a, provider_a)
    assert not perms.can_edit_catalogue(staff_b, provider_a)


def test_services_of_other_providers_are_invisible_to_provider_staff(staff_a, staff_b, provider_a):
    service = services.service_create(
        actor=staff_a, provider=provider_a, service_type="training", name="Curso", price=10
    )
    assert list(perms.services_visible_to(staff_a)) == [service]
    assert not perms.services_visible_to(staff_b).exists()


def test_enterprise_editing(manager, officer, auditor, evaluator, staff_a, staff_b, enterprises):
    assert perms.can_edit_enterprise(manager, enterprises["b"])
    assert perms.can_edit_enterprise(officer, enterprises["b"])
    assert perms.can_edit_enterprise(staff_a, enterprises["a"])
    assert not perms.can_edit_enterprise(staff_a, enterprises["b"])
    assert not perms.can_edit_enterprise(staff_b, enterprises["program"])
    assert not perms.can_edit_enterprise(auditor, enterprises["a"])
    assert not perms.can_edit_enterprise(evaluator, enterprises["a"])
    assert not perms.can_create_enterprise(auditor)
    assert not perms.can_create_enterprise(evaluator)


def test_history_is_for_program_staff_and_auditors(manager, officer, auditor, evaluator, staff_a):
    for user in (manager, officer, auditor):
        assert perms.can_see_history(user)
    for user in (evaluator, staff_a, AnonymousUser()):
        assert not perms.can_see_history(user)


def test_program_lists_are_the_managers(manager, officer, staff_a):
    assert perms.can_edit_program_lists(manager)
    assert not perms.can_edit_program_lists(officer)
    assert not perms.can_edit_program_lists(staff_a)
