"""The `bdsmarket` command: Django's management commands with the project's settings.

`bdsmarket`, `bdsmarket --help` and `bdsmarket help` list the project's own commands (those
of the bdsmarket apps, found automatically, plus the Django commands a user needs); every
Django command is still there (`bdsmarket help --all`). `bdsmarket help COMMAND` and
`bdsmarket COMMAND --help` are Django's. The listing is core/commands.py's, and the progress
bar long commands show is core/progress.py's: apps use them without importing this entry
point, which sits above every app.
"""

import os
import sys

from bdsmarket.core.commands import HELP_FLAGS, overview


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


if __name__ == "__main__":
    main()
