"""What every bdsmarket command shares."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class TranslatedCommand(BaseCommand):
    """A command whose `help` is a lazy translation, read in the language active when the
    help is shown (the user's, or the one `--language` gives)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs a plain string: translate the help into the language now active.
        self.help = str(self.help)  # type: ignore[assignment]
        return super().create_parser(prog_name, subcommand, **kwargs)
