from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "bdsmarket.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from bdsmarket.core.events import subscribe
        from bdsmarket.monitoring import events

        from . import services

        # Figures kept from reports follow the reports, in monitoring's transaction.
        subscribe(events.ReportEvent, services.facts_refresh_on_report)
        subscribe(events.DeliveriesStored, services.facts_refresh_on_load)
        subscribe(events.ReportApproved, services.bulletin_queue_on_approval)
