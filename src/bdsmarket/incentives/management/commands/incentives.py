"""`bdsmarket incentives compute|simulate|export`: compute a month's statements, run schemes
over past months, or write a month's statements or a payment batch to a file."""

import argparse
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bdsmarket.core.commands import TranslatedCommand, error_text
from bdsmarket.core.models import User
from bdsmarket.incentives import documents, page_queries, permissions, queries, services
from bdsmarket.incentives.models import IncentiveScheme, PaymentBatch, Statement
from bdsmarket.incentives.simulation import Simulation, simulate, simulation_request
from bdsmarket.indicators.definitions import Unit
from bdsmarket.indicators.documents import Column, Table, program_currency
from bdsmarket.indicators.periods import parse_month
from bdsmarket.registry.models import Provider

# A service names its fields as the code does; the command as its options do.
OPTIONS = {"month": "--month", "providers": "--provider"}
SIMULATION_FORMATS = ("table", "csv", "xlsx", "json")


class ExamplesFormatter(argparse.HelpFormatter):
    """Wrap the help's paragraphs as usual, but keep an indented block (the examples) one
    command a line, as it is typed."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if len(lines) > 1 and all(line.startswith("  ") for line in lines[1:]):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


def _examples(*lines: str) -> str:
    return "\n".join([_("examples:"), *(f"  {line}" for line in lines)])


def text_table(table: Table) -> str:
    """Return `table` as a terminal shows it: aligned columns (numbers to the right), a rule
    under the headers, then its notes."""
    shown = documents.csv_rows(table)
    headers = [column.header for column in table.columns]
    cells = [[str(cell) for cell in row] for row in shown.rows]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells, strict=True)]
    numeric = [column.unit is not None for column in table.columns]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    lines = [line(headers), line(["-" * width for width in widths]), *map(line, cells)]
    if table.notes:
        lines += ["", *(f"{key}: {value}" for key, value in table.notes)]
    return "\n".join(lines) + "\n"


def _month(value: str, option: str) -> date:
    month = parse_month(value)
    if month is None:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a month; use YYYY-MM.")
            % {"option": option, "value": value}
        )
    return month


# The options that hold what simulation_request names.
SIMULATION_OPTIONS = {"schemes": "--scheme", "other": "--scheme", "last": "--to"}


def _codes(values: list[str] | None) -> list[str]:
    """Return the codes given with a repeatable option (each may list several, separated by
    commas), upper-case, each once, in order."""
    items = (item.strip().upper() for value in values or [] for item in value.split(","))
    return list(dict.fromkeys(item for item in items if item))


def _providers(values: list[str] | None) -> list[Provider] | None:
    """Return the providers named with --provider, in order (None: none named)."""
    codes = _codes(values)
    if not codes:
        return None
    found = {provider.code: provider for provider in Provider.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise CommandError(
                _("--provider: no provider has the code “%(code)s”.") % {"code": code}
            )
    return [found[code] for code in codes]


def _scheme(value: str, schemes: QuerySet[IncentiveScheme]) -> IncentiveScheme:
    """Return the scheme of `schemes` named `CODE` (its newest version) or `CODE:VERSION`."""
    code, separator, version = (part.strip() for part in value.strip().partition(":"))
    if not code or (separator and not version.isdigit()):
        raise CommandError(
            _("--scheme “%(value)s”: write a scheme's code, or CODE:VERSION (e.g. pic:2).")
            % {"value": value}
        )
    versions = schemes.filter(code=code).prefetch_related("rules").order_by("-version")
    scheme = versions.filter(version=int(version)).first() if version else versions.first()
    if scheme is not None:
        return scheme
    if not versions.exists():
        raise CommandError(_("--scheme: no scheme has the code “%(code)s”.") % {"code": code})
    raise CommandError(
        _("--scheme: scheme “%(code)s” has no version %(version)s.")
        % {"code": code, "version": version}
    )


class Output:
    """Where a command's file goes: `path`, written whole or not at all, or else the
    standard output (text formats only)."""

    def __init__(self, stream: IO[str], path: Path | None) -> None:
        self.stream, self.path = stream, path

    def refuse_binary(self, file_format: str) -> None:
        if file_format == "xlsx" and self.path is None:
            raise CommandError(_("--format xlsx writes a file: name it with --output."))

    def write(self, content: bytes) -> None:
        if self.path is None:
            # A terminal or a pipe needs no byte-order mark (spreadsheets do: files keep it).
            self.stream.write(content.decode("utf-8-sig"))
            return
        folder = self.path.parent if str(self.path.parent) else Path()
        try:
            # Written next to its place and moved there at once, so that a failure halfway
            # never leaves half a file where a whole one is expected.
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.")
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, self.path)
        except OSError as error:
            raise CommandError(
                _("--output: cannot write “%(path)s”: %(error)s.")
                % {"path": self.path, "error": error.strerror or error}
            ) from error


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Compute a month's incentive statements from the approved reports (`compute`), run "
        "one scheme or two side by side over past months without storing anything "
        "(`simulate`), or write a month's statements or a payment batch to a file "
        "(`export`). `bdsmarket incentives ACTION --help` explains each action."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="ACTION", title=_("actions")
        )
        self._compute_arguments(actions)
        self._simulate_arguments(actions)
        self._export_arguments(actions)

    def _action(self, actions: Any, name: str, summary: str, description: str,
                examples: str) -> CommandParser:  # fmt: skip
        parser: CommandParser = actions.add_parser(
            name,
            help=summary,
            description=description,
            epilog=examples,
            formatter_class=ExamplesFormatter,
        )
        return parser

    def _common_arguments(self, parser: CommandParser, user_help: str) -> None:
        parser.add_argument("--user", metavar="USERNAME", help=user_help)
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=_("language of the names, headers and messages (default: the LANGUAGE_CODE "
                   "setting)"),
        )  # fmt: skip

    def _compute_arguments(self, actions: Any) -> None:
        parser = self._action(
            actions,
            "compute",
            _("compute a month's statements"),
            _("Compute the incentive statements of a month under the scheme in force then, "
              "from the approved reports, for every provider whose support package covers "
              "the month (or those named). Later months already computed are computed "
              "again, since caps carry over. Computing twice changes nothing; an approved "
              "statement whose figures changed is superseded by a new version."),
            _examples(
                "bdsmarket incentives compute --month 2003-05",
                "bdsmarket incentives compute --month 2003-05 --provider CDE-LIM-01 --dry-run",
            ),
        )  # fmt: skip
        parser.add_argument("--month", metavar="YYYY-MM", required=True, help=_("the month"))
        parser.add_argument(
            "--provider",
            metavar="CODE",
            action="append",
            help=_("only this provider (repeat it, or separate codes with commas; default: "
                   "every provider whose support package covers the month)"),
        )  # fmt: skip
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("compute and report as usual, but store nothing"),
        )
        self._common_arguments(
            parser,
            _("compute as this user, with their permissions; the audit trail names them as "
              "the author of the statements (default: the system, which may compute "
              "everything)"),
        )  # fmt: skip

    def _simulate_arguments(self, actions: Any) -> None:
        parser = self._action(
            actions,
            "simulate",
            _("run schemes over past months, storing nothing"),
            _("Run a scheme (a draft or an adopted one), or two side by side, over the "
              "approved months of a past span as if it had been in force from the first "
              "month, and write what each provider would have been paid. Nothing is "
              "stored."),
            _examples(
                "bdsmarket incentives simulate --scheme pic --from 2003-01 --to 2003-12",
                "bdsmarket incentives simulate --scheme pic:1 --scheme pic:2 --from 2003-01 "
                "--to 2003-12 \\",
                "    --format xlsx --output pic-1-2.xlsx",
            ),
        )  # fmt: skip
        parser.add_argument(
            "--scheme",
            metavar="CODE[:VERSION]",
            action="append",
            required=True,
            help=_("a scheme's code (its newest version, a draft if there is one) or "
                   "CODE:VERSION; give it twice to compare two schemes"),
        )  # fmt: skip
        parser.add_argument(
            "--from", dest="first", metavar="YYYY-MM", required=True, help=_("the first month")
        )
        parser.add_argument(
            "--to",
            dest="last",
            metavar="YYYY-MM",
            required=True,
            help=_("the last month (included)"),
        )
        parser.add_argument(
            "--provider",
            metavar="CODE",
            action="append",
            help=_("only this provider (repeat it, or separate codes with commas; default: "
                   "those whose support package covers each month)"),
        )  # fmt: skip
        parser.add_argument(
            "--format",
            choices=SIMULATION_FORMATS,
            default="table",
            help=_("table (to read on the terminal, the default), csv, xlsx (needs --output) "
                   "or json"),
        )  # fmt: skip
        parser.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help=_("write to this file instead of the standard output"),
        )
        self._common_arguments(
            parser,
            _("simulate as this user, with their permissions (default: the system)"),
        )

    def _export_arguments(self, actions: Any) -> None:
        parser = self._action(
            actions,
            "export",
            _("write a month's statements or a payment batch to a file"),
            _("Write the current statements of a month, one row per line with every step "
              "of its amount (CSV or XLSX), or each statement with its lines (JSON, as the "
              "API gives them); or a payment batch as the file the bank takes (CSV, one "
              "transfer per provider; XLSX adds a sheet about the batch)."),
            _examples(
                "bdsmarket incentives export --month 2003-05 --format xlsx --output may.xlsx",
                "bdsmarket incentives export --month 2003-05 --format json --user staff_a",
                "bdsmarket incentives export --batch 12 --output batch-12.csv",
            ),
        )  # fmt: skip
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", metavar="YYYY-MM", help=_("the month's statements"))
        which.add_argument("--batch", metavar="ID", type=int, help=_("the payment batch"))
        parser.add_argument(
            "--format",
            choices=documents.STATEMENT_FORMATS,
            default="csv",
            help=_("csv (the default), xlsx (needs --output) or json (statements only)"),
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help=_("write to this file instead of the standard output"),
        )
        self._common_arguments(
            parser,
            _("export as this user may see it: a provider's staff get their own provider's "
              "statements only (default: the system, which sees everything)"),
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        run: dict[str, Callable[[dict[str, Any]], None]] = {
            "compute": self.compute,
            "simulate": self.simulate,
            "export": self.export,
        }
        with translation.override(options["language"]):
            run[options["action"]](options)

    # The actions

    def compute(self, options: dict[str, Any]) -> None:
        month = _month(options["month"], "--month")
        actor = self._actor(options["user"])
        providers = _providers(options["provider"])
        dry_run = options["dry_run"]
        try:
            with transaction.atomic():
                result = services.statements_compute(actor=actor, month=month, providers=providers)
                statements = queries.statements_current(month)
                if dry_run:
                    transaction.set_rollback(True)
        except PermissionDenied as error:
            raise CommandError(
                _("--user: %(user)s may not compute statements.") % {"user": options["user"]}
            ) from error
        except ValidationError as error:
            raise CommandError(error_text(error, OPTIONS)) from error
        if providers is not None:
            statements = [s for s in statements if s.provider in providers]
        if statements:
            self.stdout.write(text_table(_statements_table(statements)), ending="")
        values = {
            "month": f"{month:%Y-%m}",
            "created": result.created,
            "unchanged": result.unchanged,
            "superseded": result.superseded,
        }
        if dry_run:
            summary = _("Dry run: statements computed from %(month)s on: %(created)s would be "
                        "stored, %(unchanged)s unchanged, %(superseded)s superseded; nothing "
                        "was stored.")  # fmt: skip
        else:
            summary = _("Statements computed from %(month)s on: %(created)s stored, "
                        "%(unchanged)s unchanged, %(superseded)s superseded.")  # fmt: skip
        self.stdout.write(self.style.SUCCESS(summary % values))

    def simulate(self, options: dict[str, Any]) -> None:
        first = _month(options["first"], "--from")
        last = _month(options["last"], "--to")
        actor = self._actor(options["user"])
        if actor is not None and not permissions.can_simulate(actor):
            raise CommandError(
                _("--user: %(user)s may not simulate schemes.") % {"user": options["user"]}
            )
        visible = (
            permissions.schemes_visible_to(actor)
            if actor is not None
            else IncentiveScheme.objects.all()
        )
        schemes = [_scheme(value, visible) for value in options["scheme"]]
        try:
            asked = simulation_request(
                schemes=schemes,
                first=first,
                last=last,
                providers=_providers(options["provider"]),
                max_months=None,  # the command runs outside a request: any span
            )
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise CommandError(f"{SIMULATION_OPTIONS[name]}: {messages[0]}") from error
        file_format = options["format"]
        output = Output(self._stream(), options["output"])
        output.refuse_binary(file_format)
        simulation = simulate(asked.schemes, asked.first_month, asked.last_month, asked.providers)
        if file_format == "table":
            output.write(text_table(documents.simulation_table(simulation)).encode("utf-8"))
        else:
            output.write(documents.simulation_file(simulation, file_format)[0])
        self.stderr.write(_simulation_summary(simulation))

    def export(self, options: dict[str, Any]) -> None:
        actor = self._actor(options["user"])
        file_format = options["format"]
        output = Output(self._stream(), options["output"])
        output.refuse_binary(file_format)
        if options["batch"] is not None:
            self.export_batch(actor, options["batch"], file_format, output, options["user"])
            return
        month = _month(options["month"], "--month")
        if actor is not None and not permissions.can_see_incentives(actor):
            raise CommandError(
                _("--user: %(user)s may not see incentives.") % {"user": options["user"]}
            )
        statements = page_queries.statements_for_file(
            queries.statement_list(actor=actor, filters=queries.StatementFilters(month=month))
        )
        if not statements:
            raise CommandError(
                _("No statements of %(month)s to export: compute them first with "
                  "`bdsmarket incentives compute --month %(month)s`.")
                % {"month": f"{month:%Y-%m}"}
            )  # fmt: skip
        content, _name = documents.statements_file(
            statements, file_format, month=month, absolute=_absolute
        )
        output.write(content)
        total = sum((statement.total for statement in statements), Decimal(0))
        self.stderr.write(
            ngettext(
                "%(count)s statement of %(month)s, %(total)s %(currency)s in all.",
                "%(count)s statements of %(month)s, %(total)s %(currency)s in all.",
                len(statements),
            )
            % {
                "count": len(statements),
                "month": f"{month:%Y-%m}",
                "total": f"{total:.2f}",
                "currency": program_currency(),
            }
        )

    def export_batch(
        self, actor: User | None, batch_id: int, file_format: str, output: Output, user: str
    ) -> None:
        if file_format not in documents.FORMATS:
            raise CommandError(
                _("--format %(format)s: a payment batch is written as %(formats)s.")
                % {"format": file_format, "formats": ", ".join(documents.FORMATS)}
            )
        if actor is not None and not permissions.can_see_batches(actor):
            raise CommandError(
                _("--user: %(user)s may not see the payment batches.") % {"user": user}
            )
        batch = PaymentBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(_("--batch: no payment batch has the ID %(id)s.") % {"id": batch_id})
        content, _name, _type = documents.batch_file(batch, file_format)
        output.write(content)
        _statements, transfers = queries.batch_transfers(batch)
        total = sum((transfer.amount for transfer in transfers), Decimal(0))
        self.stderr.write(
            ngettext(
                "Payment batch %(number)s: %(count)s transfer, %(total)s %(currency)s in all.",
                "Payment batch %(number)s: %(count)s transfers, %(total)s %(currency)s in all.",
                len(transfers),
            )
            % {
                "number": batch.pk,
                "count": len(transfers),
                "total": f"{total:.2f}",
                "currency": program_currency(),
            }
        )

    # Helpers

    def _actor(self, username: str | None) -> User | None:
        """Return the user named with --user (None: the system, which may do everything)."""
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is named “%(name)s”.") % {"name": username})
        return user

    def _stream(self) -> IO[str]:
        # The stream under Django's wrapper, which would end every write with a newline.
        stream: IO[str] = getattr(self.stdout, "_out", self.stdout)  # type: ignore[arg-type]
        return stream


def _absolute(path: str) -> str:
    """Return the full address of a page of the site, as a file read elsewhere needs it."""
    return settings.SITE_URL.rstrip("/") + path


def _statements_table(statements: list[Statement]) -> Table:
    """Return the statements as `compute` lists them: one row each."""
    return Table(
        title=_("Statements"),
        columns=[
            Column(_("Provider code")),
            Column(_("Month")),
            Column(documents.field_header(Statement, "version")),
            Column(documents.field_header(Statement, "status")),
            Column(documents.field_header(Statement, "total"), Unit.MONEY),
            Column(documents.field_header(Statement, "difference"), Unit.MONEY),
        ],
        rows=[
            [
                statement.provider.code,
                f"{statement.month:%Y-%m}",
                str(statement.version),
                statement.get_status_display(),
                statement.total,
                statement.difference,
            ]
            for statement in statements
        ],
    )


def _simulation_summary(simulation: Simulation) -> str:
    months = len(simulation.months)
    providers = len(simulation.providers)
    currency = program_currency()
    totals = "; ".join(
        f"{run.scheme.code} v{run.scheme.version}: {run.total:.2f} {currency}"
        for run in simulation.runs
    )
    return _("%(totals)s over %(months)s for %(providers)s; nothing was stored.") % {
        "totals": totals,
        "months": ngettext("%(count)s month", "%(count)s months", months) % {"count": months},
        "providers": ngettext("%(count)s provider", "%(count)s providers", providers)
        % {"count": providers},
    }
