"""`bdsmarket serve`: the production server (gunicorn), with static files collected first,
and the background worker beside it (see bdsmarket.core.worker)."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand, pending_migrations
from bdsmarket.core.worker import tasks_are_queued


def default_workers() -> int:
    """Return $WEB_CONCURRENCY, or two workers per processor plus one, at most eight."""
    if os.getenv("WEB_CONCURRENCY", "").isdigit():
        return int(os.environ["WEB_CONCURRENCY"])
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def static_files_stale() -> bool:
    """Return True when STATIC_ROOT lacks the static files or holds older copies of them.

    Compares the newest source file of the apps with the newest collected file, so an
    upgrade that changes a stylesheet is collected again and an unchanged one is not.
    """
    root = Path(settings.STATIC_ROOT)
    collected = [path.stat().st_mtime for path in root.rglob("*") if path.is_file()]
    if not collected:
        return True
    newest_source = max(
        (
            Path(storage.path(name)).stat().st_mtime
            for finder in get_finders()
            for name, storage in finder.list([])
        ),
        default=0.0,
    )
    return newest_source > max(collected)


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Serve bdsmarket in production with gunicorn (collects the static files first when "
        "they changed). Gunicorn also starts one background worker (`bdsmarket worker`) for "
        "the imports of large files, and stops it when it stops."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            metavar="ADDRESS:PORT",
            help=_("address and port to listen on (default %(default)s)"),
        )
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            default=default_workers(),
            help=_("worker processes (default: $WEB_CONCURRENCY, or 2 per CPU + 1 up to 8)"),
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_(
                "start no background worker (run `bdsmarket worker` yourself, e.g. on "
                "another machine)"
            ),
        )

    def handle(self, *args, **options) -> None:
        if options["workers"] < 1:
            raise CommandError(_("--workers must be 1 or more."))
        if static_files_stale():
            call_command("collectstatic", interactive=False, verbosity=0)
        pending = pending_migrations()
        if pending:
            self.stderr.write(
                _("%(count)s migrations are not applied: run `bdsmarket migrate`.")
                % {"count": pending}
            )
        if not settings.DEBUG and getattr(settings, "SECURE_SSL_REDIRECT", False):
            self.stderr.write(
                _(
                    "Plain HTTP requests are redirected to HTTPS: serve behind a TLS proxy, "
                    "or set SECURE_SSL_REDIRECT=False to test without one."
                )
            )
        with_worker = not options["no_worker"] and tasks_are_queued()
        self.stdout.write(
            _("Serving bdsmarket with gunicorn at http://%(addrport)s/ (%(workers)s workers).")
            % {"addrport": options["addrport"], "workers": options["workers"]}
        )
        if with_worker:
            self.stdout.write(_("A background worker runs the imports of large files."))
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "bdsmarket.wsgi:application",
            "--bind",
            options["addrport"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
        ]
        if with_worker:
            # Gunicorn's master starts, restarts and stops the worker (its server hooks).
            argv += ["--config", "python:bdsmarket.core.worker"]
        # Gunicorn takes over this process, so a service manager's signals reach it directly.
        os.execv(sys.executable, argv)
