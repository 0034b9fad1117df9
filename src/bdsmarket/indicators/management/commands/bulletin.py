"""`bdsmarket bulletin send|retry`: queue the monthly bulletins, or hand waiting ones to the
worker again.

Meant for cron: e.g. on the 20th, `bdsmarket bulletin send` queues last month's bulletins
(each provider's benchmark to its staff, the program-wide one to the program's staff); the
worker sends them and retries while the mail server fails. A bulletin already queued or
sent for a person and month is not queued again, so running it twice sends nothing twice.
"""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bdsmarket.core.clock import program_today
from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.months import month_add
from bdsmarket.indicators.services import bulletins_queue, dispatches_retry_due
from bdsmarket.registry.models import Provider


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise CommandError(
            _("--month: “%(value)s” is not a month; use YYYY-MM.") % {"value": value}
        ) from error


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Queue the monthly bulletins for the background worker: each provider's benchmark "
        "to its staff and the program-wide bulletin to the program's staff (`send`), or hand "
        "the bulletins waiting for another attempt to the worker again (`retry`). A bulletin "
        "already queued or sent for a person and month is not queued twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["send", "retry"],
            help=_("send: queue a month's bulletins; retry: queue again those waiting"),
        )
        parser.add_argument(
            "--month",
            metavar="YYYY-MM",
            help=_("the month of the bulletins (default: last month)"),
        )
        parser.add_argument(
            "--provider",
            metavar="CODE",
            help=_("only this provider's benchmark (and no program-wide bulletin)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            count = dispatches_retry_due()
            self.stdout.write(
                ngettext(
                    "%(count)s bulletin handed to the worker again.",
                    "%(count)s bulletins handed to the worker again.",
                    count,
                )
                % {"count": count}
            )
            return
        if options["month"]:
            month = _month(options["month"])
        else:
            month = month_add(program_today().replace(day=1), -1)
        provider = None
        if options["provider"]:
            provider = Provider.objects.filter(code=options["provider"].strip().upper()).first()
            if provider is None:
                raise CommandError(
                    _("--provider: no provider has the code “%(code)s”.")
                    % {"code": options["provider"]}
                )
        queued = bulletins_queue(month=month, provider=provider, program=provider is None)
        for dispatch in queued:
            self.stdout.write(f"{dispatch.email}: {dispatch.get_kind_display()}")
        self.stdout.write(
            ngettext(
                "%(count)s bulletin of %(month)s queued for the worker.",
                "%(count)s bulletins of %(month)s queued for the worker.",
                len(queued),
            )
            % {"count": len(queued), "month": f"{month:%Y-%m}"}
        )
