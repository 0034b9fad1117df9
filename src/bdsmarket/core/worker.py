"""The background worker beside the web server: start it, stop it, and gunicorn's hooks.

`bdsmarket serve` hands its process over to gunicorn with this module as gunicorn's
configuration (`--config python:bdsmarket.core.worker`), so gunicorn's master starts one
`bdsmarket worker` once it listens, restarts it when gunicorn reloads (SIGHUP), and stops
it when gunicorn stops. `bdsmarket demo` uses the same two functions beside its server.

gunicorn reads this module's lower-case names as its settings: only the hooks below may
have a setting's name, so keep the rest private (underscore) or upper-case. It is loaded
before Django is set up, and imports nothing of Django until a function needs it.
"""

import os
import signal
import subprocess
import sys
from typing import Any

# How long a stopping worker may take to finish the import it is running; after that it
# is told again, abandons the import (rolled back; the job is marked failed) and exits.
STOP_GRACE_SECONDS = 30
STOP_FORCE_SECONDS = 10

_process: subprocess.Popen | None = None


def tasks_are_queued() -> bool:
    """Return True when background work is queued in the database, for a worker to run."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def background_worker_start(environment: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `bdsmarket worker` in a child process; return the process.

    The child runs in a session of its own, so Ctrl-C in a terminal reaches the server
    only, and the worker gets exactly one stop signal (from background_worker_stop): it
    finishes the import it is running instead of abandoning it.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "bdsmarket.cli", "worker"],
        env=environment if environment is not None else dict(os.environ),
        start_new_session=True,
    )


def background_worker_stop(process: subprocess.Popen) -> int | None:
    """Stop the worker `process`, letting it finish its current task first; return its code."""
    for signum, wait in (
        (signal.SIGTERM, STOP_GRACE_SECONDS),
        (signal.SIGTERM, STOP_FORCE_SECONDS),  # a second signal ends the task it runs
        (signal.SIGKILL, None),
    ):
        if process.poll() is not None:
            break
        process.send_signal(signum)
        try:
            return process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return process.returncode


# gunicorn's server hooks (https://docs.gunicorn.org/en/stable/settings.html#server-hooks)


def when_ready(server: Any) -> None:
    global _process
    _process = background_worker_start()
    server.log.info("Started the background worker (pid: %s)", _process.pid)


def on_reload(server: Any) -> None:
    """A reload (SIGHUP, e.g. after an upgrade) starts a worker with the new code too."""
    global _process
    if _process is not None:
        background_worker_stop(_process)
    _process = background_worker_start()
    server.log.info("Restarted the background worker (pid: %s)", _process.pid)


def on_exit(server: Any) -> None:
    if _process is not None:
        server.log.info("Stopping the background worker (pid: %s)", _process.pid)
        background_worker_stop(_process)
