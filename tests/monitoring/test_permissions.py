"""Who sees and handles which reports: both sides of every rule."""

import pytest
from django.contrib.auth.models import AnonymousUser

from bdsmarket.monitoring import permissions as perms
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission, SubmissionStatus


@pytest.fixture
def reports(staff_a, staff_b, provider_a, provider_b, delivery_row):
    services.deliveries_store(actor=staff_a, rows=[delivery_row(provider_a)], source="form")
    services.deliveries_store(actor=staff_b, rows=[delivery_row(provider_b)], source="form")
    return Submission.objects.get(provider=provider_a), Submission.objects.get(provider=provider_b)


@pytest.mark.parametrize("role", ["manager", "officer", "auditor"])
def test_program_readers_see_every_report_and_row(request, role, reports):
    user = request.getfixturevalue(role)
    assert perms.submissions_visible_to(user).count() == 2
    assert perms.deliveries_visible_to(user).count() == 2


def test_provider_staff_see_only_their_own_reports(staff_a, reports):
    mine, theirs = reports
    assert list(perms.submissions_visible_to(staff_a)) == [mine]
    assert not perms.deliveries_visible_to(staff_a).filter(provider=theirs.provider).exists()


def test_evaluators_and_strangers_see_no_report(evaluator, reports):
    for user in (evaluator, AnonymousUser()):
        assert not perms.submissions_visible_to(user).exists()
        assert not perms.deliveries_visible_to(user).exists()
        assert not perms.cost_reports_visible_to(user).exists()


def test_reports_are_prepared_by_their_provider_or_program_staff(
    manager, officer, auditor, evaluator, staff_a, staff_b, reports
):
    mine, _theirs = reports
    for user in (manager, officer, staff_a):
        assert perms.can_edit_submission(user, mine)
        assert perms.can_submit(user, mine)
    for user in (auditor, evaluator, staff_b):
        assert not perms.can_edit_submission(user, mine)


def test_only_program_staff_review(manager, officer, auditor, staff_a, reports):
    mine, _theirs = reports
    assert perms.can_review(manager, mine) and perms.can_review(officer, mine)
    assert not perms.can_review(auditor, mine)
    assert not perms.can_review(staff_a, mine)


def test_an_approved_report_is_amended_by_its_provider_or_program_staff(
    officer, staff_a, staff_b, auditor, reports
):
    mine, _theirs = reports
    assert not perms.can_amend(staff_a, mine)  # not approved yet
    mine.status = SubmissionStatus.APPROVED
    assert perms.can_amend(staff_a, mine) and perms.can_amend(officer, mine)
    assert not perms.can_amend(staff_b, mine)
    assert not perms.can_amend(auditor, mine)
    assert not perms.can_edit_submission(staff_a, mine)
