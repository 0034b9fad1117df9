"""Forms of the account pages, and the helpers every form uses: to show a service's errors,
and to show what was typed without judging it."""

import ipaddress
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services


def show_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on `form`: each message next to its field.

    Messages about a field the form does not show go at the top, under the field's name,
    so that no message is lost.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages)
        elif name == "__all__":
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{name}: {message}" for message in messages])


def show_as_typed(form: forms.BaseForm | BaseFormSet) -> None:
    """Let a bound form or formset show what was typed without judging it yet.

    A button that asks for more room (more participants, one more rule) is not a request to
    check what is there: the page comes back with every value as typed and no error.
    """
    # Django keeps a form's verdict in private attributes (the stubs do not declare them):
    # emptied, they leave the bound data, what was typed, to be shown as it is.
    if isinstance(form, BaseFormSet):
        form._errors = []  # type: ignore[attr-defined]
        form._non_form_errors = ErrorList()  # type: ignore[attr-defined]
        for each in form.forms:
            show_as_typed(each)
        return
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}


def client_address(request: Any) -> str | None:
    """Return the address a request came from.

    Behind the reverse proxy that production runs behind, REMOTE_ADDR is the proxy's own
    address for everyone, so throttling it would lock every user out at once; the proxy
    appends the real client's address to X-Forwarded-For, so the last entry is the one to
    trust. A forged header without a proxy only changes the address count, never the
    per-username one.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


class PageLook:
    """The look every form of the pages shares: labels without a colon, CSS hooks."""

    required_css_class = "required"
    error_css_class = "has-error"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


class PageForm(PageLook, forms.Form):
    pass


class LoginForm(PageLook, AuthenticationForm):
    """Django's login form, refusing to try once a username or address failed too often."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        if username and services.login_is_throttled(username=username, ip_address=address):
            minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
            raise ValidationError(
                ngettext(
                    "Too many failed attempts to log in. Wait %(minutes)s minute and try again.",
                    "Too many failed attempts to log in. Wait %(minutes)s minutes and try again.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                services.login_failure_record(username=username, ip_address=address)
            raise
        if self.user_cache is not None:
            services.login_success_record(username=username)
        return cleaned


class PasswordForm(PageLook, PasswordChangeForm):
    pass


class AccountForm(PageForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow my browser")), *settings.LANGUAGES],
        help_text=_("The language of the pages and e-mails you receive."),
    )


class ApiTokenForm(PageForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the token, e.g. “our accounting system”."),
    )
