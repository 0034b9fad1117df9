"""The program clock: today's date where the program works, not where the server runs.

The program's time zone is the registry's data (Program.time_zone); core reads it through
a source the registry sets when it starts (`time_zone_source_set` in its apps.py), so core
imports no app. Without a source, or with a name the machine does not know, the clock
falls back to settings.TIME_ZONE.
"""

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone


def _no_source() -> str | None:
    return None


_time_zone_source: Callable[[], str | None] = _no_source


def time_zone_source_set(source: Callable[[], str | None]) -> None:
    """Read the program's time zone name from `source()` (None: not configured yet)."""
    global _time_zone_source
    _time_zone_source = source


def program_zone() -> ZoneInfo:
    """Return the program's time zone (settings.TIME_ZONE when it has none it can use)."""
    name = _time_zone_source() or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def program_today() -> date:
    """Return today's date where the program works (its time zone), not the server's."""
    return timezone.now().astimezone(program_zone()).date()
