"""`bdsmarket report KIND --period …`: indicators or a benchmark as JSON, CSV or XLSX."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.models import User
from bdsmarket.indicators import bulletin, definitions, documents, permissions
from bdsmarket.indicators.models import Basis
from bdsmarket.indicators.periods import Period, parse_period
from bdsmarket.indicators.queries import (
    GROUPINGS,
    IndicatorError,
    PeerGroup,
    Scope,
    basis_cut_off,
    benchmark_request,
    benchmarks_compute,
    indicators_compute,
)
from bdsmarket.registry.models import Provider

TABULAR = ("json", "csv", "xlsx")
FORMATS = (*TABULAR, "pdf", "html")  # pdf and html: the bulletin's
# The engine names its parameters as the code does; the command as its options do.
OPTIONS = {
    "indicators": "--indicators",
    "group_by": "--group-by",
    "peer_group": "--peer-group",
    "provider": "--provider",
    "basis": "--basis",
    "period": "--period",
}


@dataclass
class Report:
    """What a kind of report made: a document (JSON), a table (CSV, XLSX) and a summary."""

    document: dict[str, Any]
    table: documents.Table
    summary: str

    def write(self, file_format: str, stream: IO[str] | None, path: Path | None) -> None:
        """Write the report as `file_format` to `path`, or else to `stream`."""
        if file_format == "xlsx":
            assert path is not None
            documents.write_xlsx(self.table, path)
            return
        writer = documents.write_json if file_format == "json" else documents.write_csv
        content: Any = self.document if file_format == "json" else self.table
        if path is None:
            assert stream is not None
            writer(content, stream)
            return
        with path.open("w", encoding="utf-8", newline="") as out:
            writer(content, out)


@dataclass(frozen=True)
class Request:
    """A report as asked for, checked: who asks, the period and the options."""

    actor: User | None  # None: the system, which sees everything
    period: Period
    indicators: list[str]
    group_by: list[str]
    provider: Provider | None
    peer_group: str
    basis: str


@dataclass(frozen=True)
class Kind:
    help: Promise
    formats: tuple[str, ...]
    make: Callable[[Request], Report]


def _summary(period: Period, indicators: int, whom: str, basis: str, cut_off: Any) -> str:
    counted = ngettext("%(count)s indicator", "%(count)s indicators", indicators) % {
        "count": indicators
    }
    if cut_off is None:
        return _("%(indicators)s over %(period)s: no %(basis)s yet") % {
            "indicators": counted,
            "period": period,
            "basis": Basis(basis).label,
        }
    return _("%(indicators)s over %(period)s for %(whom)s, %(basis)s as of %(cut_off)s") % {
        "indicators": counted,
        "period": period,
        "whom": whom,
        "basis": Basis(basis).label,
        "cut_off": documents.cut_off_text(cut_off),
    }


def indicators_report(request: Request) -> Report:
    """Return the indicators asked for over the period, as the actor may see them."""
    if request.peer_group:
        raise CommandError(_("--peer-group is for the benchmark report."))
    reach = permissions.figure_providers_for(request.actor) if request.actor else None
    providers = reach
    if request.provider is not None:
        providers = frozenset({request.provider.pk})
    scope = Scope(
        request.period.first, request.period.last, providers=providers, basis=request.basis
    )
    result = indicators_compute(scope, request.indicators, request.group_by)
    currency = documents.program_currency()
    keys = documents.Keys.of(result)
    active = int(result.total.measures.get("providers") or 0)
    whom = ngettext("%(count)s provider", "%(count)s providers", active) % {"count": active}
    return Report(
        documents.result_document(result, currency=currency, keys=keys),
        documents.result_table(result, currency=currency, keys=keys),
        _summary(request.period, len(result.indicators), whom, request.basis, result.cut_off),
    )


def benchmark_report(request: Request) -> Report:
    """Return the benchmark asked for: peers by name for program staff and the system,
    under pseudonyms (but for their own provider) for a provider's staff."""
    if request.group_by:
        raise CommandError(_("--group-by is for the indicators report."))
    asked = benchmark_request(
        actor=request.actor, provider=request.provider, peer_group=request.peer_group
    )
    peer_group, provider = asked.peer_group, asked.provider
    benchmarks = benchmarks_compute(
        request.period.first,
        request.period.last,
        request.indicators,
        peer_group=peer_group,
        provider=provider,
        basis=request.basis,
    )
    peers = documents.peers_view(
        benchmarks, names=asked.names, own=provider.pk if provider is not None else None
    )
    cut_off = basis_cut_off(request.basis)
    currency = documents.program_currency()
    count = benchmarks[0].peers
    whom = ngettext("%(count)s peer", "%(count)s peers", count) % {"count": count}
    return Report(
        documents.benchmark_document(
            benchmarks,
            peers,
            peer_group=peer_group,
            provider=provider,
            basis=request.basis,
            cut_off=cut_off,
            currency=currency,
        ),
        documents.benchmark_table(
            benchmarks, peers, basis=request.basis, cut_off=cut_off, currency=currency
        ),
        _summary(request.period, len(benchmarks), whom, request.basis, cut_off),
    )


@dataclass(frozen=True)
class BulletinReport:
    """A month's bulletin, written as its e-mail's HTML or its PDF."""

    content: "bulletin.ProviderBulletin | bulletin.ProgramBulletin"
    language: str
    summary: str

    def write(self, file_format: str, stream: IO[str] | None, path: Path | None) -> None:
        if file_format == "pdf":
            if path is None:
                raise CommandError(_("--format pdf writes a file: name it with --output."))
            path.write_bytes(bulletin.bulletin_pdf(self.content, self.language))
            return
        html = bulletin.bulletin_html(self.content, self.language)
        if path is None:
            assert stream is not None
            stream.write(html)
        else:
            path.write_text(html, encoding="utf-8")


def bulletin_report(request: Request) -> BulletinReport:
    """Return the month's bulletin: a provider's benchmark with --provider (for a provider's
    staff, their own), else the program-wide one."""
    period = request.period
    if period.first != period.last:
        raise CommandError(_("--period: a bulletin is a month's, e.g. 2004-03."))
    provider = request.provider
    if provider is None and request.actor is not None and request.actor.is_provider_staff:
        provider = request.actor.provider
    if request.actor is not None and not permissions.can_preview_bulletin(request.actor, provider):
        raise CommandError(_("--user: this user may not see that bulletin."))
    content: bulletin.ProviderBulletin | bulletin.ProgramBulletin = (
        bulletin.provider_bulletin(provider, period.first)
        if provider is not None
        else bulletin.program_bulletin(period.first)
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    return BulletinReport(content, language, bulletin.bulletin_subject(content))


# Every kind of report, and the formats it is written in.
KINDS: dict[str, Kind] = {
    "bulletin": Kind(
        gettext_lazy("the month's bulletin, as its e-mail (html) or its PDF"),
        ("html", "pdf"),
        bulletin_report,  # type: ignore[arg-type]
    ),
    "indicators": Kind(
        gettext_lazy("indicators over the period, grouped as asked"), TABULAR, indicators_report
    ),
    "benchmark": Kind(
        gettext_lazy("each provider's rank and change among its peers"), TABULAR, benchmark_report
    ),
}


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Write a report of the program's figures: the indicators over a period, grouped as "
        "asked, or a benchmark of the providers against their peers, as JSON, CSV or XLSX. "
        "The indicators are those of docs/indicators.md; the figures are the same as on the "
        "pages and over the API."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = "; ".join(f"{name}: {kind.help}" for name, kind in KINDS.items())
        parser.add_argument(
            "kind", choices=list(KINDS), help=_("what to report: %(kinds)s") % {"kinds": kinds}
        )
        parser.add_argument(
            "--period",
            required=True,
            help=_("the months to cover: a year (2003), a quarter (2003-Q2), a month (2003-05) "
                   "or a span of months (2003-01..2003-06)"),
        )  # fmt: skip
        parser.add_argument(
            "--indicators",
            metavar="IDS",
            help=_("comma-separated indicator ids (default: every indicator available; see "
                   "docs/indicators.md)"),
        )  # fmt: skip
        parser.add_argument(
            "--group-by",
            metavar="GROUPINGS",
            help=_("comma-separated groupings, for the indicators report: %(groupings)s")
            % {"groupings": ", ".join(GROUPINGS)},
        )
        parser.add_argument(
            "--provider",
            metavar="CODE",
            help=_("a provider's code: the indicators of that provider only, or the provider "
                   "compared with its peers in a benchmark"),
        )  # fmt: skip
        parser.add_argument(
            "--peer-group",
            choices=PeerGroup.CHOICES,
            help=_("who a benchmark compares: all providers reporting in the period (the "
                   "default), or those in the provider's city or of its legal type"),
        )  # fmt: skip
        parser.add_argument(
            "--basis",
            choices=Basis.values,
            default=Basis.APPROVED,
            help=_("which reports count: approved ones (the default), or submitted ones too"),
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="csv",
            help=_("the format to write (default: csv); xlsx needs --output; pdf and html are "
                   "the bulletin's"),
        )  # fmt: skip
        parser.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help=_("write to this file instead of the standard output"),
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("the report as this user may see it: a provider's staff get their own "
                   "provider only, and their peers under pseudonyms (default: the system, "
                   "which sees everything)"),
        )  # fmt: skip
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=_("language of the names, headers and messages (default: the LANGUAGE_CODE "
                   "setting)"),
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.report(options)

    def report(self, options: dict[str, Any]) -> None:
        kind = KINDS[options["kind"]]
        file_format, output = options["format"], options["output"]
        if file_format not in kind.formats:
            raise CommandError(
                _("--format %(format)s: the %(kind)s report is written as %(formats)s.")
                % {
                    "format": file_format,
                    "kind": options["kind"],
                    "formats": ", ".join(kind.formats),
                }
            )
        if file_format == "xlsx" and output is None:
            raise CommandError(_("--format xlsx writes a file: name it with --output."))
        request = self.request(options)
        try:
            report = kind.make(request)
        except IndicatorError as error:
            option = OPTIONS.get(error.parameter, f"--{error.parameter}")
            raise CommandError(f"{option}: {error.message}") from error
        # The stream under Django's wrapper, which would end every write with a newline.
        stream: IO[str] = getattr(self.stdout, "_out", self.stdout)  # type: ignore[arg-type]
        report.write(file_format, stream, output)
        self.stderr.write(report.summary)

    def request(self, options: dict[str, Any]) -> Request:
        """Return the report asked for; raise CommandError naming a wrong option."""
        period = parse_period(options["period"])
        if period is None:
            raise CommandError(
                _("--period “%(value)s” is not a period: write 2003, 2003-Q2, 2003-05 or "
                  "2003-01..2003-06.")
                % {"value": options["period"]}
            )  # fmt: skip
        actor = None
        if username := options["user"]:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No user is named “%(name)s”.") % {"name": username})
            if not permissions.can_see_figures(actor):
                raise CommandError(
                    _("--user: %(user)s may not see the program's figures.") % {"user": username}
                )
        provider = None
        if code := options["provider"]:
            providers = (
                permissions.providers_with_figures_visible_to(actor)
                if actor is not None
                else Provider.objects.all()
            )
            provider = providers.filter(code=code.strip().upper()).first()
            if provider is None:
                raise CommandError(
                    _("--provider: no provider has the code “%(code)s”.") % {"code": code}
                )
        indicators = _items(options["indicators"]) or [i.id for i in definitions.AVAILABLE]
        return Request(
            actor=actor,
            period=period,
            indicators=indicators,
            group_by=_items(options["group_by"]),
            provider=provider,
            peer_group=options["peer_group"] or "",
            basis=options["basis"],
        )


def _items(text: str | None) -> list[str]:
    """Return the comma-separated items of `text`, each once, in order."""
    return list(dict.fromkeys(item.strip() for item in (text or "").split(",") if item.strip()))
