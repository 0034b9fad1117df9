"""Who may see the records core keeps about people's work. Every door uses these.

An import job (an uploaded file and what came of it) is seen by the person who uploaded
it and by program managers; to anyone else it does not exist.
"""

from django.db.models import QuerySet

from .models import ImportJob, Role, User


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """Return the import jobs `user` may see: their own; every job, for a program manager."""
    jobs = ImportJob.objects.select_related("user")
    if not (user.is_authenticated and user.is_active):
        return jobs.none()
    if user.role == Role.MANAGER:
        return jobs
    return jobs.filter(user=user)


def can_see_import_job(user: User, job: ImportJob) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.role == Role.MANAGER or job.user_id == user.pk
