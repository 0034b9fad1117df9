"""The monthly bulletin: each provider's benchmark against its peers, and the program-wide
bulletin for the program's staff, as an HTML e-mail and the same pages in a PDF.

The reference program sent every center its results against all the others each month;
this is that letter. `provider_bulletin` and `program_bulletin` gather the figures (reads
only); `bulletin_html` and `bulletin_pdf` write them in a language, from one template, so
the e-mail, its PDF and the preview page show the same thing. Sending is services.py's.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from bdsmarket.core.months import month_add
from bdsmarket.registry.models import Program, Provider

from . import page_queries
from .page_queries import BenchmarkView
from .periods import Period
from .queries import PeerGroup, Result, Scope, indicators_compute

TREND = ("attentions", "income", "end_user_share", "repeat_rate")
TREND_MONTHS = 12


@dataclass
class ProviderBulletin:
    """A provider's benchmark for one month: the dashboard's benchmark (page_queries), among
    every provider reporting that month, the peers under their pseudonyms."""

    provider: Provider
    month: date
    benchmark: BenchmarkView
    trend: Result
    figures_as_of: datetime | None
    currency: str
    program_name: str
    kind: str = "provider"

    @property
    def has_data(self) -> bool:
        """Whether the provider has an approved report for the month (else: nothing to send)."""
        return self.benchmark.reports

    @property
    def peers(self) -> int:
        return self.benchmark.peers


@dataclass
class ProgramBulletin:
    """The whole program's month, every provider by name, for the program's staff."""

    month: date
    totals: Result
    by_provider: Result
    year_to_date: Result
    names: dict[int, str]
    figures_as_of: datetime | None
    currency: str
    program_name: str
    kind: str = "program"

    @property
    def has_data(self) -> bool:
        return self.totals.has_data

    @property
    def rows(self) -> list[tuple[str, Any]]:
        """Return (provider's name, its group of figures) for each provider of the month."""
        return [(self.names.get(group.key[0], ""), group) for group in self.by_provider.groups]


def _program() -> tuple[str, str]:
    program = Program.current()
    return (program.name, program.currency) if program else ("bdsmarket", "")


def provider_bulletin(provider: Provider, month: date) -> ProviderBulletin:
    """Return `provider`'s benchmark for `month` against every provider reporting then."""
    month = month.replace(day=1)
    name, currency = _program()
    benchmark = page_queries.provider_benchmark(
        provider, period=Period(month, month), peer_group=PeerGroup.ALL, names=False
    )
    first = month_add(month, -(TREND_MONTHS - 1))
    trend = indicators_compute(
        Scope(first, month, providers=frozenset([provider.pk])), TREND, ["month"]
    )
    return ProviderBulletin(
        provider=provider,
        month=month,
        benchmark=benchmark,
        trend=trend,
        figures_as_of=benchmark.cut_off,
        currency=currency,
        program_name=name,
    )


PROGRAM_FIGURES = ("attentions", "clients", "income", "end_user_share", "repeat_rate",
                   "women_share", "cost_recovery", "active_providers")  # fmt: skip
PROVIDER_FIGURES = ("attentions", "income", "end_user_share", "repeat_rate", "cost_recovery")


def program_bulletin(month: date) -> ProgramBulletin:
    """Return the program's figures for `month`, the year so far, and each provider's."""
    month = month.replace(day=1)
    name, currency = _program()
    scope = Scope(month, month)
    by_provider = indicators_compute(scope, PROVIDER_FIGURES, ["provider"])
    names = dict(
        Provider.objects.filter(pk__in=[group.key[0] for group in by_provider.groups]).values_list(
            "pk", "name"
        )
    )
    totals = indicators_compute(scope, PROGRAM_FIGURES)
    return ProgramBulletin(
        month=month,
        totals=totals,
        by_provider=by_provider,
        year_to_date=indicators_compute(Scope(month.replace(month=1), month), PROGRAM_FIGURES),
        names=names,
        figures_as_of=totals.cut_off,
        currency=currency,
        program_name=name,
    )


def bulletin_html(bulletin: ProviderBulletin | ProgramBulletin, language: str, *,
                  for_pdf: bool = False) -> str:  # fmt: skip
    """Return the bulletin written in `language`: the e-mail's body, or the PDF's pages."""
    with translation.override(language):
        return render_to_string(
            f"indicators/bulletin/{bulletin.kind}.html",
            {
                "bulletin": bulletin,
                "for_pdf": for_pdf,
                "site_url": settings.SITE_URL,
                "program": Program.current(),  # the figures' currency
            },
        )


def bulletin_text(bulletin: ProviderBulletin | ProgramBulletin, language: str) -> str:
    """Return the bulletin as plain text, for mail readers that show no HTML."""
    with translation.override(language):
        return render_to_string(
            f"indicators/bulletin/{bulletin.kind}.txt",
            {"bulletin": bulletin, "program": Program.current()},
        )


def bulletin_pdf(bulletin: ProviderBulletin | ProgramBulletin, language: str) -> bytes:
    """Return the bulletin as a PDF in `language` (WeasyPrint: the same HTML and CSS)."""
    from weasyprint import HTML

    return HTML(string=bulletin_html(bulletin, language, for_pdf=True)).write_pdf()


def bulletin_subject(bulletin: ProviderBulletin | ProgramBulletin) -> str:
    """Return the e-mail's subject, in the active language."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    month = date_format(bulletin.month, "YEAR_MONTH_FORMAT")
    if isinstance(bulletin, ProviderBulletin):
        return _("%(provider)s: your benchmark for %(month)s") % {
            "provider": bulletin.provider.name,
            "month": month,
        }
    return _("%(program)s in %(month)s") % {"program": bulletin.program_name, "month": month}


def bulletin_filename(bulletin: ProviderBulletin | ProgramBulletin) -> str:
    """Return the PDF's file name, e.g. bulletin-2004-03-CDE-CIX-02.pdf."""
    suffix = f"-{bulletin.provider.code}" if isinstance(bulletin, ProviderBulletin) else ""
    return f"bulletin-{bulletin.month:%Y-%m}{suffix}.pdf"
