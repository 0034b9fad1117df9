"""Compile the translation catalogues (.po to .mo) without GNU gettext.

Replaces Django's command of the same name, which needs `msgfmt`: a user's laptop
rarely has it, and `make demo` must work there.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the .po translation catalogues to .mo files (only those that changed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Compile even when up to date.")

    def handle(self, *args, force: bool = False, **options) -> None:
        compiled = 0
        catalogues = [po for folder in settings.LOCALE_PATHS for po in Path(folder).rglob("*.po")]
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            if (
                not force
                and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            ):
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"{compiled} of {len(catalogues)} catalogues compiled.")
