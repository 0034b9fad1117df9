"""`bdsmarket init`: start a new, empty program (creating the database first if needed)."""

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand, error_text, pending_migrations

from ...models import Program
from ...services import program_configure

# The national-ID rules (DNI, RUC) and the size-class laws the registry knows are Peru's.
SUPPORTED_COUNTRIES = ("PE",)


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Start a new, empty program: its name, currency, capital city and time zone. "
        "Creates the database first when it is new; refuses to change an existing program "
        "unless --force-update is given. The audit trail names the system as the author "
        "of these settings."
    )
    requires_migrations_checks = False  # this command applies them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help=_("the program's name"))
        parser.add_argument(
            "--currency",
            default="USD",
            help=_(
                "three-letter ISO code of the currency amounts are kept in (default %(default)s)"
            ),
        )
        parser.add_argument("--capital", required=True, help=_("the capital city, e.g. Lima"))
        parser.add_argument(
            "--capital-region", default="", help=_("the capital's region, e.g. Lima")
        )
        parser.add_argument(
            "--time-zone",
            default="America/Lima",
            help=_("time zone of the program's dates (default %(default)s)"),
        )
        parser.add_argument(
            "--country",
            default="PE",
            help=_("country code, which decides the national-ID rules; supported: PE (default)"),
        )
        parser.add_argument(
            "--force-update",
            action="store_true",
            help=_("change the settings of the program that exists already"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check everything, store nothing")
        )

    def handle(self, *args, **options) -> None:
        country = options["country"].strip().upper()
        if country not in SUPPORTED_COUNTRIES:
            raise CommandError(
                _("--country: “%(value)s” is not supported yet; supported: %(supported)s.")
                % {"value": options["country"], "supported": ", ".join(SUPPORTED_COUNTRIES)}
            )
        dry_run = options["dry_run"]
        pending = pending_migrations()
        if pending and dry_run:
            self.stdout.write(
                _(
                    "Dry run: the database needs %(count)s migrations first; nothing was "
                    "checked or stored. Run without --dry-run to create the program."
                )
                % {"count": pending}
            )
            return
        if pending:
            call_command("migrate", interactive=False, verbosity=max(options["verbosity"] - 1, 0))
        existing = Program.current()
        if existing and not options["force_update"]:
            raise CommandError(
                _(
                    "A program exists already (“%(name)s”). Pass --force-update to change "
                    "its settings."
                )
                % {"name": existing.name}
            )
        try:
            with transaction.atomic():
                program = program_configure(
                    name=options["name"].strip(),
                    currency=options["currency"].strip(),
                    time_zone=options["time_zone"].strip(),
                    capital_city=options["capital"].strip(),
                    capital_region=options["capital_region"].strip(),
                )
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(
                error_text(error, {"time_zone": "--time-zone", "currency": "--currency"})
            ) from error
        values = {
            "name": program.name,
            "currency": program.currency,
            "capital": options["capital"].strip(),
            "time_zone": program.time_zone,
        }
        if dry_run:
            message = _(
                "Dry run: program “%(name)s” (%(currency)s, capital %(capital)s, "
                "%(time_zone)s) would be saved; nothing was stored."
            )
        elif existing:
            message = _(
                "Program “%(name)s” updated (%(currency)s, capital %(capital)s, %(time_zone)s)."
            )
        else:
            message = _(
                "Program “%(name)s” created (%(currency)s, capital %(capital)s, %(time_zone)s)."
            )
        self.stdout.write(self.style.SUCCESS(message % values))
