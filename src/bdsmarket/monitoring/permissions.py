"""Who may see and change what providers report. Every door uses these.

Program-wide readers (manager, officer, auditor) see every submission and row; provider
staff see their own provider's; evaluators see none. Provider staff prepare and submit their
own reports; program staff (manager, officer) may add rows for any provider (a file from
the program mixes providers), review, return, approve and draw verification samples.
"""

from django.db.models import QuerySet

from bdsmarket.core.models import Role, User

from .models import CostReport, Delivery, Submission, SubmissionStatus


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_program_staff(user: User) -> bool:
    return _active(user) and user.role in (Role.MANAGER, Role.OFFICER)


def _is_staff_of(user: User, provider_id: int) -> bool:
    return _active(user) and user.role == Role.PROVIDER and user.provider_id == provider_id


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Return the submissions `user` may see."""
    submissions = Submission.objects.select_related("provider", "period")
    if not _active(user):
        return submissions.none()
    if user.reads_whole_program:
        return submissions
    if user.role == Role.PROVIDER:
        return submissions.filter(provider_id=user.provider_id or 0)
    return submissions.none()


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    """Return the delivery rows `user` may see."""
    deliveries = Delivery.objects.all()
    if not _active(user):
        return deliveries.none()
    if user.reads_whole_program:
        return deliveries
    if user.role == Role.PROVIDER:
        return deliveries.filter(provider_id=user.provider_id or 0)
    return deliveries.none()


def cost_reports_visible_to(user: User) -> QuerySet[CostReport]:
    """Return the cost reports `user` may see."""
    reports = CostReport.objects.select_related("provider", "submission__period")
    if not _active(user):
        return reports.none()
    if user.reads_whole_program:
        return reports
    if user.role == Role.PROVIDER:
        return reports.filter(provider_id=user.provider_id or 0)
    return reports.none()


def can_see_reports(user: User) -> bool:
    """Whether `user` has any monthly reports to look at: their provider's, or the program's."""
    return _active(user) and (user.reads_whole_program or user.role == Role.PROVIDER)


def can_see_all_reports(user: User) -> bool:
    """The review queue and the overdue list: program staff and auditors (read-only)."""
    return _active(user) and user.reads_whole_program


def can_report(user: User) -> bool:
    """Whether `user` reports rows for some provider: program staff, or a provider's staff."""
    return _is_program_staff(user) or (
        _active(user) and user.role == Role.PROVIDER and user.provider_id is not None
    )


def can_report_for(user: User, provider_id: int) -> bool:
    """Whether `user` may add or change rows of `provider_id`'s reports."""
    return _is_program_staff(user) or _is_staff_of(user, provider_id)


def can_edit_submission(user: User, submission: Submission) -> bool:
    """Rows can change while the report is a draft or returned, by its preparers."""
    return submission.is_editable and can_report_for(user, submission.provider_id)


def can_submit(user: User, submission: Submission) -> bool:
    return can_edit_submission(user, submission)


def can_review(user: User, submission: Submission) -> bool:
    """Return, approve, comment on rows, acknowledge warnings, verify: program staff."""
    return _is_program_staff(user)


def can_amend(user: User, submission: Submission) -> bool:
    """An approved report may be reopened by program staff or the provider's own staff."""
    return submission.status == SubmissionStatus.APPROVED and can_report_for(
        user, submission.provider_id
    )
