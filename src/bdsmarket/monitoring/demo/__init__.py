"""The monitoring part of the demo: the centers' monthly reports, January 1996 to April 2004.

Shaped like the reference program's final report (src/bdsmarket/demo/README.md): 36,968
attentions, split by city exactly as reported (Lima 15,027 of which SENATI 5,519; Chiclayo
12,467 of which SENATI 7,475; ... Cajamarca 555), each center reporting only while it was in
the program; the client mix (80% micro- and pre-enterprises over the years, 51% micro and 35%
pre-enterprises in 2003); training two thirds of the services (6,500 training attentions
against 242 technical assistances in 2003); an average price falling from USD 71 (1999) to
USD 28 (2003) as cheap internet access came in; one attention in five from a repeat client,
and 42% of the clients who bought again going back to the same center; income in 2003 by
client type as the report's table (USD 270,399, 45% paid by the end users); USD 662,488 of
income in 2000, USD 300,000 of it from the large Trujillo firm that then left; monthly cost
reports under which five centers cover their costs in 2002 and six in 2003.

`plan` draws every row from the seed (no database); `loading` writes them. Some reports went
through the review workflow visibly, through the services: returned with comments on rows
and corrected, one amended after approval (so its two approved versions differ), a few still
returned, waiting for review or in draft in March and April 2004, so the officer's queue has
work. The thousand plain monthly approvals before them are stored in bulk with the rows the
services make (see `loading`).
"""

from datetime import date

from django.utils.translation import gettext as _

from bdsmarket.core.demo.context import DemoContext
from bdsmarket.core.demo.fake import NationalIds
from bdsmarket.registry.models import Enterprise, Provider

from ..models import CostReport, Delivery, MonitoringSettings, Submission
from .loading import Loader, centers_read, demo_users, registered_clients
from .plan import plan_draw


def load(context: DemoContext) -> None:
    """Load eight years of monthly reports, their reviews and the centers' cost reports."""
    context.progress(_("monitoring"), 0.0)
    # The reference program's monitoring ran until April 2004; nothing is owed after it.
    reporting = MonitoringSettings.current()
    reporting.reporting_ends = date(2004, 4, 30)
    reporting.save(update_fields=["reporting_ends"])
    officer, staff = demo_users()
    ids = NationalIds(context.rng)
    # Clients the demo makes up must not take the national ID of a registered enterprise.
    ids.used.update(
        Enterprise.objects.exclude(national_id="").values_list("national_id", flat=True)
    )
    ids.used.update(Provider.objects.exclude(tax_id="").values_list("tax_id", flat=True))
    planned = plan_draw(context.rng, centers_read(), registered_clients(), ids)
    loader = Loader(context, planned, officer, staff)
    loader.store()
    loader.tell_stories()
    context.progress(_("monitoring"), 1.0)
    context.note(
        _(
            "monitoring: %(deliveries)s deliveries in %(submissions)s monthly reports "
            "(%(approved)s approved), %(costs)s cost reports"
        )
        % {
            "deliveries": Delivery.objects.count(),
            "submissions": Submission.objects.count(),
            "approved": Submission.objects.approved().count(),
            "costs": CostReport.objects.count(),
        }
    )
