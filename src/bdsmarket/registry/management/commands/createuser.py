"""`bdsmarket createuser`: a login with a role (and, for provider staff, their provider)."""

import getpass
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.commands import TranslatedCommand, error_text
from bdsmarket.core.models import Role
from bdsmarket.core.services import user_create
from bdsmarket.core.text import parse_choice

from ...models import Provider

OPTIONS = {
    "username": "USERNAME",
    "role": "--role",
    "provider": "--provider",
    "email": "--email",
    "password": "--password",
    "language": "--language",
    "first_name": "--first-name",
    "last_name": "--last-name",
}


class Command(TranslatedCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a str in create_parser
        "Create a login with a role: manager, officer, evaluator, auditor, or provider (staff "
        "of the provider named with --provider). The password is asked for, or read from "
        "standard input with --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("the name to log in with"))
        parser.add_argument(
            "--role",
            required=True,
            help=_("manager, officer, evaluator, provider or auditor (or the role's name)"),
        )
        parser.add_argument(
            "--provider",
            metavar="CODE",
            help=_("code of the provider a provider-staff login works for"),
        )
        parser.add_argument("--email", default="", help=_("e-mail address"))
        parser.add_argument("--first-name", default="", help=_("first name"))
        parser.add_argument("--last-name", default="", help=_("last name"))
        parser.add_argument(
            "--language",
            default="",
            choices=[code for code, _name in settings.LANGUAGES],
            help=_("language of the pages for this login (default: the browser's)"),
        )
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument(
            "--password",
            help=_("the password (visible in the shell's history: prefer --password-stdin)"),
        )
        secret.add_argument(
            "--password-stdin",
            action="store_true",
            help=_("read the password from the first line of standard input"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check everything, store nothing")
        )

    def handle(self, *args, **options) -> None:
        role = parse_choice(options["role"], Role, aliases={})
        if role is None:
            raise CommandError(
                _("--role: unknown role “%(value)s”; use one of %(roles)s.")
                % {"value": options["role"], "roles": ", ".join(Role.values)}
            )
        provider = None
        if options["provider"]:
            code = options["provider"].strip().upper()
            provider = Provider.objects.filter(code=code).first()
            if provider is None:
                raise CommandError(
                    _("--provider: no provider has the code “%(code)s”.") % {"code": code}
                )
        password = self._password(options)
        try:
            with transaction.atomic():
                user = user_create(
                    username=options["username"].strip(),
                    password=password,
                    role=role,
                    provider=provider,
                    email=options["email"].strip(),
                    first_name=options["first_name"].strip(),
                    last_name=options["last_name"].strip(),
                    language=options["language"],
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(error_text(error, OPTIONS)) from error
        values = {
            "username": user.username,
            "role": user.get_role_display(),
            "provider": f" ({provider.code})" if provider else "",
        }
        if options["dry_run"]:
            message = _("Dry run: login “%(username)s” (%(role)s%(provider)s) would be created.")
        else:
            message = _("Login “%(username)s” created: %(role)s%(provider)s.")
        self.stdout.write(self.style.SUCCESS(message % values))

    def _password(self, options: dict) -> str:
        """Return the password from the options, standard input, or a prompt on a terminal."""
        if options["password"] is not None:
            return options["password"]
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError(
                _("No password given: pass it with --password-stdin (or --password).")
            )
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The two passwords differ; nothing was stored."))
        return password
