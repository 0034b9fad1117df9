"""Background work of indicators, run by `bdsmarket worker`: sending the monthly bulletins."""

from django_tasks import task

from .services import dispatch_send


@task()
def dispatch_send_task(dispatch_id: int) -> str:
    """Send the bulletin of dispatch `dispatch_id`; return its status afterwards."""
    return dispatch_send(dispatch_id=dispatch_id)
