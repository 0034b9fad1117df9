"""The `bdsmarket` command: Django's management commands with the project's settings.

`bdsmarket`, `bdsmarket --help` and `bdsmarket help` list the project's own commands (those
of the bdsmarket apps, found automatically, plus the Django commands a user needs); every
Django command is still there (`bdsmarket help --all`). `bdsmarket help COMMAND` and
`bdsmarket COMMAND --help` are Django's. Also here: the progress bar long commands show.
"""

import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper

# Django's own commands that a bdsmarket user needs, shown among the project's commands.
FEATURED_DJANGO_COMMANDS = ("migrate", "check")
HELP_FLAGS = ("-h", "--help")


def project_commands() -> list[tuple[str, str]]:
    """Return (name, one-line description) of every bdsmarket command, by name.

    A command belongs to the project when a `bdsmarket.*` app provides it (so a new app's
    commands appear by themselves) or it is one of FEATURED_DJANGO_COMMANDS.
    """
    from django.core.management import get_commands, load_command_class

    commands = []
    for name, app in get_commands().items():
        if not (app.startswith("bdsmarket.") or name in FEATURED_DJANGO_COMMANDS):
            continue
        command = load_command_class(app, name)
        commands.append((name, first_sentence(str(command.help))))
    return sorted(commands)


def first_sentence(text: str) -> str:
    """Return the first sentence of `text` (up to its first full stop), on one line."""
    line = " ".join(text.split())
    end = line.find(". ")
    return line[: end + 1] if end >= 0 else line


def overview() -> str:
    """Return what `bdsmarket --help` prints: the project's commands, then where the rest are."""
    from django.utils.translation import gettext as _

    commands = project_commands()
    width = max(len(name) for name, _help in commands) + 2
    lines = [
        _("Usage: bdsmarket COMMAND [options]"),
        "",
        _("bdsmarket commands:"),
        *(f"  {name.ljust(width)}{text}".rstrip() for name, text in commands),
        "",
        _("Django's own commands are available too: `bdsmarket help --all` lists them."),
        _("`bdsmarket help COMMAND` or `bdsmarket COMMAND --help` explains one command."),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bdsmarket.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    if not args or args in (["help"], *([flag] for flag in HELP_FLAGS)):
        import django

        django.setup()
        sys.stdout.write(overview())
        return
    if args[0] in ("help", *HELP_FLAGS) and args[1:] == ["--all"]:
        args = ["help"]  # Django's own list of every command
    execute_from_command_line(["bdsmarket", *args])


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


if __name__ == "__main__":
    main()
