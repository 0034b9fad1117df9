"""`bdsmarket demo`: a fresh data directory with the demo program and a login per role, served.

Settings are read once, when Django starts, from the environment. So when `--data-dir`
names another directory than the settings', the command runs itself again in a child
process with BDSMARKET_DATA_DIR pointing there; and the server always runs in a child
process with DEBUG on (the development server, static files served from the apps), with
a background worker beside it for the imports of large files, as `bdsmarket serve` has.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.models import Role
from bdsmarket.core.progress import ProgressBar
from bdsmarket.core.worker import (
    background_worker_start,
    background_worker_stop,
    tasks_are_queued,
)
from bdsmarket.demo.datadir import DemoRefused, demo_database_clear, demo_marker_write
from bdsmarket.demo.services import (
    DEFAULT_ENTERPRISES,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    demo_load,
    demo_logins_create,
)


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Load the demo program (Peru, 1994-2004) into a fresh data directory, create one "
        "login per role and serve it."
    )
    # The database may not exist yet: this command creates it.
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help=_("load the demo and stop, without serving it")
        )
        parser.add_argument(
            "--seed",
            type=int,
            metavar="N",
            default=DEFAULT_SEED,
            help=_(
                "seed of the random data: the same seed gives the same data (default %(default)s)"
            ),
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            metavar="N",
            default=DEFAULT_ENTERPRISES,
            help=_("how many client enterprises to create (default %(default)s)"),
        )
        parser.add_argument(
            "--data-dir",
            metavar="DIR",
            help=_("directory for the database and files (default: $BDSMARKET_DATA_DIR or ./data)"),
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            metavar="ADDRESS:PORT",
            help=_("address and port to serve on (default %(default)s)"),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("replace the database even if the demo did not create it"),
        )

    def handle(self, *args, **options) -> None:
        if options["enterprises"] < 0:
            raise CommandError(_("--enterprises must be 0 or more."))
        data_dir = Path(options["data_dir"] or settings.DATA_DIR).expanduser().resolve()
        if data_dir != Path(settings.DATA_DIR).resolve():
            self._run_again_in(data_dir, options)
            return
        started = time.perf_counter()
        verbose = options["verbosity"] > 0
        try:
            demo_database_clear(data_dir=data_dir, force=options["force"])
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if verbose:
            self.stdout.write(_("Creating the database in %(path)s …") % {"path": data_dir})
        call_command("migrate", interactive=False, verbosity=0)
        bar = ProgressBar(self.stderr)

        def say(message: str) -> None:
            bar.close()  # a message starts on a line of its own, not after the bar
            self.stdout.write(message)

        context = demo_load(
            seed=options["seed"],
            enterprises=options["enterprises"],
            say=say if verbose else lambda message: None,
            progress=bar.show if verbose else lambda label, fraction: None,
        )
        bar.close()
        users = demo_logins_create()
        demo_marker_write(
            data_dir=data_dir, seed=options["seed"], enterprises=options["enterprises"]
        )
        elapsed = time.perf_counter() - started
        if verbose:
            self._print_logins(users, options["addrport"])
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo program loaded in %(seconds).1f s (seed %(seed)s, %(enterprises)s "
                    "enterprises, %(logins)s logins) into %(path)s."
                )
                % {
                    "seconds": elapsed,
                    "seed": context.seed,
                    "enterprises": context.enterprises,
                    "logins": len(users),
                    "path": data_dir,
                }
            )
        )
        if not options["no_serve"]:
            self._serve(data_dir, options["addrport"])

    def _print_logins(self, users, addrport: str) -> None:
        rows = [(_("username"), _("role"), _("provider"))]
        for user in users:
            provider = str(user.provider) if user.role == Role.PROVIDER and user.provider else ""
            rows.append((user.username, str(user.get_role_display()), provider))
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        self.stdout.write("")
        for username, role, provider in rows:
            self.stdout.write(
                f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {provider}".rstrip()
            )
        self.stdout.write("")
        self.stdout.write(_("Every login's password is %(password)s") % {"password": DEMO_PASSWORD})
        self.stdout.write(_("Address: http://%(addrport)s/") % {"addrport": addrport})

    def _run_again_in(self, data_dir: Path, options: dict) -> None:
        """Run this command in a child process whose settings point at `data_dir`."""
        arguments = [
            "demo",
            f"--seed={options['seed']}",
            f"--enterprises={options['enterprises']}",
            f"--addrport={options['addrport']}",
            f"--verbosity={options['verbosity']}",
        ]
        arguments += ["--no-serve"] * options["no_serve"] + ["--force"] * options["force"]
        environment = {**os.environ, "BDSMARKET_DATA_DIR": str(data_dir)}
        code = _run_child(arguments, environment)
        if code != 0:
            raise CommandError(
                _("The demo did not load (see the messages above)."), returncode=code
            )

    def _serve(self, data_dir: Path, addrport: str) -> None:
        self.stdout.write(_("Serving the demo; press Ctrl-C to stop."))
        self.stdout.flush()
        # The development server with DEBUG on, which serves the static files from the apps,
        # and beside it the background worker that imports large files.
        environment = {**os.environ, "BDSMARKET_DATA_DIR": str(data_dir), "DEBUG": "True"}
        worker = background_worker_start(environment) if tasks_are_queued() else None
        try:
            _run_child(["runserver", "--noreload", addrport], environment)
        finally:
            if worker is not None:
                background_worker_stop(worker)


def _run_child(arguments: list[str], environment: dict[str, str]) -> int:
    """Run `bdsmarket <arguments>` in a child process; return its exit code.

    A SIGTERM sent to this process is passed on, so that stopping the command stops the
    server it started instead of leaving it behind.
    """
    child = subprocess.Popen([sys.executable, "-m", "bdsmarket.cli", *arguments], env=environment)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
    try:
        return child.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the child as well; give it a moment to stop cleanly.
        try:
            return child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.terminate()
            return child.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
