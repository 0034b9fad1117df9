"""`bdsmarket import KIND FILE`: import a CSV or XLSX file of any registered kind."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bdsmarket.core.commands import TranslatedCommand
from bdsmarket.core.models import User
from bdsmarket.core.progress import ProgressBar
from bdsmarket.core.tabular import importer_class, importers


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Import a CSV or XLSX file of one kind of record. Every row is checked first; the "
        "file is stored whole or not at all, and importing it again updates records instead "
        "of duplicating them. The columns of each kind are described in docs/formats.md."
    )
    # The system checks load every template library and admin module (a second and more):
    # a provider's monthly file waits for them for nothing. `bdsmarket check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(importers()), help=_("what the file holds"))
        parser.add_argument("file", type=Path, help=_("the CSV or XLSX file"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check and report as usual, but store nothing"),
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_(
                "import as this user, with their permissions; the audit trail names them as "
                "the author of every change (default: the system, which may import "
                "everything)"
            ),
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=_("language of the messages (default: the LANGUAGE_CODE setting)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.import_file(
                options["kind"], options["file"], options["user"], dry_run=options["dry_run"]
            )

    def import_file(self, kind: str, path: Path, username: str | None, *, dry_run: bool) -> None:
        importer = importer_class(kind)
        if importer is None:
            raise CommandError(_("Unknown kind “%(kind)s”.") % {"kind": kind})
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No user is named “%(name)s”.") % {"name": username})
        if not path.is_file():
            raise CommandError(_("There is no file at “%(path)s”.") % {"path": path})
        bar = ProgressBar(self.stderr)
        labels = {"check": _("checking"), "write": _("storing")}
        try:
            result = importer(actor=actor).run(
                path,
                dry_run=dry_run,
                progress=lambda phase, fraction: bar.show(labels[phase], fraction),
            )
        except PermissionDenied as error:
            raise CommandError(
                _("%(user)s may not import %(things)s.")
                % {"user": username, "things": importer.noun_plural}
            ) from error
        finally:
            bar.close()
        for problem in result.errors:
            self.stdout.write(str(problem))
        if count := result.errors_not_listed:
            self.stdout.write(
                ngettext("… and %(count)s more error.", "… and %(count)s more errors.", count)
                % {"count": count}
            )
        if result.rejected:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
