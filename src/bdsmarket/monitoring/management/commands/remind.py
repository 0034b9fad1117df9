"""`bdsmarket remind`: e-mail providers about monthly reports coming due or overdue.

Meant to run once a day from cron, e.g. `15 7 * * * bdsmarket remind`: which reports get
a reminder follows from the date alone, so each daily run sends each reminder once.
"""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bdsmarket.core.clock import program_today
from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.monitoring.notifications import reminders_send


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--today: “%(value)s” is not a date; use YYYY-MM-DD.") % {"value": value}
        ) from error


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "E-mail each provider's staff about the monthly reports that are due soon or overdue, "
        "in each person's language. Run it once a day (from cron): reminders go out the "
        "configured number of days before the due day, and after it, then every 7 days "
        "until the report is sent; the date alone decides, so a daily run sends each once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help=_("send the reminders due on this day (default: today in the program's time)"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("list who would get which reminder, send nothing"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else program_today()
        messages = reminders_send(today=today, dry_run=options["dry_run"])
        for message in messages:
            self.stdout.write(f"{', '.join(message.to)}: {message.subject}")
        values = {"count": len(messages), "day": today.isoformat()}
        if options["dry_run"]:
            summary = ngettext(
                "Dry run: %(count)s reminder would be sent for %(day)s.",
                "Dry run: %(count)s reminders would be sent for %(day)s.",
                len(messages),
            )
        else:
            summary = ngettext(
                "%(count)s reminder sent for %(day)s.",
                "%(count)s reminders sent for %(day)s.",
                len(messages),
            )
        self.stdout.write(self.style.SUCCESS(summary % values))
