"""`bdsmarket generate`: a national-scale program of generated data, for benchmarks.

bdsmarket generate --providers 500 --deliveries 10000000 --seed 7
"""

import time
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.progress import ProgressBar
from bdsmarket.monitoring.generate import national_data_generate


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise CommandError(
            _("--first-month: “%(value)s” is not a month; use YYYY-MM.") % {"value": value}
        ) from error


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Generate a national-scale program for benchmarks and load tests: providers (and the "
        "cities and sectors they need), monthly periods, approved reports with cost reports, "
        "and deliveries loaded through the fast path (COPY on PostgreSQL, batched inserts on "
        "SQLite). The same seed and sizes give the same data. Fills a database once: it "
        "refuses when generated providers (codes GEN-…) are already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--providers",
            type=int,
            default=500,
            metavar="N",
            help=_("how many providers (default %(default)s)"),
        )
        parser.add_argument(
            "--deliveries",
            type=int,
            default=1_000_000,
            metavar="N",
            help=_("how many deliveries in all (default %(default)s)"),
        )
        parser.add_argument(
            "--months",
            type=int,
            default=24,
            metavar="N",
            help=_("how many monthly periods (default %(default)s)"),
        )
        parser.add_argument(
            "--first-month",
            default="2023-01",
            metavar="YYYY-MM",
            help=_("the first period (default %(default)s)"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="N",
            help=_("seed of the random data: the same seed gives the same data (default 1)"),
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=50_000,
            metavar="N",
            help=_("deliveries written per transaction (default %(default)s)"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("say what would be generated, write nothing"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        first_month = _month(options["first_month"])
        values = {
            "providers": options["providers"],
            "deliveries": options["deliveries"],
            "months": options["months"],
            "first": first_month.strftime("%Y-%m"),
            "seed": options["seed"],
        }
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Dry run: would generate %(providers)s providers reporting %(deliveries)s "
                    "deliveries over %(months)s months from %(first)s (seed %(seed)s)."
                )
                % values
            )
            return
        bar = ProgressBar(self.stderr)
        started = time.perf_counter()
        try:
            result = national_data_generate(
                providers=options["providers"],
                deliveries=options["deliveries"],
                seed=options["seed"],
                batch=options["batch"],
                first_month=first_month,
                months=options["months"],
                progress=bar.show if options["verbosity"] > 0 else lambda label, fraction: None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Generated %(providers)s providers, %(submissions)s approved reports, "
                    "%(costs)s cost reports and %(deliveries)s deliveries in %(seconds).1f s "
                    "(%(rate)s deliveries a second)."
                )
                % {
                    "providers": result.providers,
                    "submissions": result.submissions,
                    "costs": result.cost_reports,
                    "deliveries": result.deliveries,
                    "seconds": seconds,
                    "rate": round(result.deliveries / seconds) if seconds else result.deliveries,
                }
            )
        )
