"""The progress bar long commands show on a terminal."""

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal.

    `show(label, fraction)` draws nothing for the first half second (short work needs no
    bar), then redraws at most ten times a second; `close()` ends the line.
    """

    WIDTH = 30
    DELAY = 0.5
    INTERVAL = 0.1

    def __init__(self, stream: "TextIO | OutputWrapper") -> None:
        # A command's self.stderr wraps the real stream and would add a newline to each write.
        self.stream: TextIO = getattr(stream, "_out", stream)  # type: ignore[arg-type]
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._line = ""

    def show(self, label: str, fraction: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._started < self.DELAY:
            return
        filled = round(self.WIDTH * fraction)
        line = f"{label:<10} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {fraction:4.0%}"
        if line == self._line or (now - self._drawn_at < self.INTERVAL and fraction < 1):
            return
        self.stream.write("\r" + line)
        self.stream.flush()
        self._drawn_at, self._line = now, line

    def close(self) -> None:
        if self._line:
            self.stream.write("\n")
            self.stream.flush()
            self._line = ""
