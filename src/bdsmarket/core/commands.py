"""What every bdsmarket command shares, and the list `bdsmarket --help` prints."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class TranslatedCommand(BaseCommand):
    """A command whose `help` is a lazy translation, read in the language active when the
    help is shown (the user's, or the one `--language` gives)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs a plain string: translate the help into the language now active.
        self.help = str(self.help)  # type: ignore[assignment]
        return super().create_parser(prog_name, subcommand, **kwargs)


def error_text(error: ValidationError, options: dict[str, str] | None = None) -> str:
    """Return a service's ValidationError as one line, each field named as the user typed it.

    `options` maps a field to the command-line option that sets it (e.g. "time_zone" to
    "--time-zone").
    """
    options = options or {}
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(
        f"{options.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


def pending_migrations() -> int:
    """Return how many migrations the default database still needs."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


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
