"""What every demo step receives: the seed's random source, the fixed clock and shared notes."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")

# The demo world stands at the end of the reference program's monitoring (April 2004).
# Every date and timestamp the demo writes derives from these, never from the clock, so
# that the same seed gives the same database on any day.
DEMO_TODAY = date(2004, 4, 30)
DEMO_NOW = datetime.combine(DEMO_TODAY, time(18, 0), tzinfo=LIMA)


def at_noon(day: date) -> datetime:
    """Return noon of `day` in Lima: the timestamp the demo gives to a record made on `day`."""
    return datetime.combine(day, time(12, 0), tzinfo=LIMA)


@dataclass
class DemoContext:
    """The state passed to each app's demo step.

    `rng` is a random source of its own for each step (seeded from the seed and the app's
    label), so that one app adding or changing its step leaves the other apps' data as it was.
    `shared` holds what one step hands to the steps after it (keys prefixed by app label).
    """

    seed: int
    enterprises: int
    rng: random.Random = field(init=False)
    today: date = DEMO_TODAY
    now: datetime = DEMO_NOW
    shared: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    say: Callable[[str], None] = field(default=lambda message: None, repr=False)
    # progress(label, fraction done): long steps report how far they are (a terminal's bar).
    progress: Callable[[str, float], None] = field(default=lambda label, fraction: None, repr=False)

    def __post_init__(self) -> None:
        self.rng = self.rng_for("demo")

    def rng_for(self, label: str) -> random.Random:
        """Return a random source determined by the seed and `label` alone."""
        return random.Random(f"{self.seed}:{label}")

    def note(self, text: str) -> None:
        """Add a line to the summary printed when the demo has loaded."""
        self.notes.append(text)
        self.say(text)
