"""Background work of core, run by `bdsmarket worker` (the tasks framework's queue)."""

from django_tasks import task

from .services import import_job_run


@task()
def import_job_task(job_id: int) -> str:
    """Import the file of the queued import job `job_id`; return the status it ended in."""
    return import_job_run(job_id=job_id).status
