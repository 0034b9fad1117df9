"""`bdsmarket worker`: run the queued background work (imports of large files)."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.worker import tasks_are_queued

# After the database stops answering, wait this long before trying again.
RETRY_SECONDS = 5


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Run the background work that the pages queue, such as imports of large files, one "
        "task at a time. `bdsmarket serve` starts one worker by itself; start more, on this "
        "or other machines sharing the database and the data directory, to run several "
        "tasks at once. SIGTERM or Ctrl-C lets the running task finish first; a second one "
        "abandons it (an import is then rolled back and marked failed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help=_("run the tasks waiting now, then stop (e.g. from cron)"),
        )
        parser.add_argument(
            "--interval",
            type=float,
            metavar="SECONDS",
            default=1.0,
            help=_("how often an idle worker looks for new tasks (default %(default)s)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not tasks_are_queued():
            raise CommandError(
                _(
                    "Background work is not queued (TASKS_BACKEND is not “database”), so "
                    "there is nothing for a worker to do."
                )
            )
        if options["interval"] < 0:
            raise CommandError(_("--interval must be 0 or more."))
        while True:
            try:
                call_command(
                    "db_worker",
                    batch=options["batch"],
                    interval=options["interval"],
                    reload=False,
                    startup_delay=not options["batch"],
                    verbosity=options["verbosity"],
                )
                return
            except DatabaseError as error:
                # A worker beside the web server outlives a database restart.
                if options["batch"]:
                    raise
                self.stderr.write(
                    _("The database did not answer (%(error)s); trying again in %(seconds)s s.")
                    % {"error": error, "seconds": RETRY_SECONDS}
                )
                connections.close_all()
                time.sleep(RETRY_SECONDS)
