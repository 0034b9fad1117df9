"""The indicators part of the demo: the facts of eight years of reports, and the targets the
reference program could have set itself (reaching more women, more paid by the end users)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from bdsmarket.core.demo.context import DemoContext

from .models import Target
from .services import facts_refresh

TARGETS = [
    ("end_user_share", date(2003, 1, 1), date(2003, 12, 1), Decimal("0.5000"),
     "Half of the income paid by the end users"),
    ("women_share", date(2003, 1, 1), date(2003, 12, 1), Decimal("0.5000"),
     "As many women as men among clients"),
    ("attentions", date(2003, 1, 1), date(2003, 12, 1), Decimal("9000"),
     "Attentions in the year, all centers"),
    ("cost_recovery", date(2003, 1, 1), date(2003, 12, 1), Decimal("1.0000"),
     "Every center covering its costs"),
]  # fmt: skip


def load(context: DemoContext) -> None:
    """Take the facts from the demo's reports and set the program's targets."""
    context.progress(_("indicators"), 0.0)
    facts_refresh(at=context.now)
    Target.objects.bulk_create(
        Target(indicator=indicator, first_month=first, last_month=last, value=value, note=note)
        for indicator, first, last, value, note in TARGETS
    )
    context.progress(_("indicators"), 1.0)
