from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "bdsmarket.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from bdsmarket.core.clock import time_zone_source_set

        from .models import Program

        # The program clock (core) reads the program's time zone from its settings here.
        time_zone_source_set(Program.current_time_zone)
