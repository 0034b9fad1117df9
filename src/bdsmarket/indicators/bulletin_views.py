"""The bulletin's pages: the log of what was sent to whom, queueing a month's bulletins,
resending one, and a preview of a bulletin exactly as it goes out (e-mail or PDF).

Thin doors: permissions.py says who may, services.py queues and sends, bulletin.py writes.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from bdsmarket.core.clock import program_today
from bdsmarket.core.forms import PageForm
from bdsmarket.core.months import month_add
from bdsmarket.core.views import AuthenticatedRequest
from bdsmarket.registry.models import Provider
from bdsmarket.registry.permissions import providers_visible_to

from . import bulletin, permissions, services
from .models import Dispatch

PAGE_SIZE = 50


class MonthForm(PageForm):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("As 2004-03."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> date:
        value = self.cleaned_data["month"]
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError as error:
            raise forms.ValidationError(
                _("“%(value)s” is not a month; use YYYY-MM.") % {"value": value}
            ) from error


def _last_month() -> date:
    return month_add(program_today().replace(day=1), -1)


@login_required
def bulletins(request: AuthenticatedRequest) -> HttpResponse:
    """The log of the bulletins: who got which month's, when, and what became of each."""
    if not permissions.can_see_bulletin_log(request.user):
        raise PermissionDenied
    dispatches = Dispatch.objects.select_related("provider", "recipient").order_by(
        "-created_at", "-pk"
    )
    status = request.GET.get("status", "")
    if status in Dispatch.Status.values:
        dispatches = dispatches.filter(status=status)
    context = {
        "page": Paginator(dispatches, PAGE_SIZE).get_page(request.GET.get("page")),
        "status": status,
        "statuses": Dispatch.Status.choices,
        "form": MonthForm(initial={"month": f"{_last_month():%Y-%m}"}),
        "can_send": permissions.can_send_bulletins(request.user),
        "section": "figures",
    }
    return render(request, "indicators/bulletins.html", context)


@login_required
@require_POST
def bulletins_send(request: AuthenticatedRequest) -> HttpResponse:
    """Queue a month's bulletins for the worker."""
    if not permissions.can_send_bulletins(request.user):
        raise PermissionDenied
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["month"]))
        return redirect("indicators:bulletins")
    queued = services.bulletins_queue(month=form.cleaned_data["month"], actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s bulletin queued; the worker sends it in a moment.",
            "%(count)s bulletins queued; the worker sends them in a moment.",
            len(queued),
        )
        % {"count": len(queued)}
        if queued
        else _("Every bulletin of that month was queued already: nothing new to send."),
    )
    return redirect("indicators:bulletins")


@login_required
@require_POST
def dispatch_resend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send one bulletin again to the same person, with today's figures."""
    if not permissions.can_send_bulletins(request.user):
        raise PermissionDenied
    dispatch = get_object_or_404(Dispatch, pk=pk)
    services.dispatch_resend(actor=request.user, dispatch=dispatch)
    messages.success(
        request, _("The bulletin is queued again for %(email)s.") % {"email": dispatch.email}
    )
    return redirect("indicators:bulletins")


@login_required
def bulletin_preview(request: AuthenticatedRequest) -> HttpResponse:
    """A bulletin as it goes out: `?month=2004-03&provider=<id>&language=es&format=pdf`.

    Without a provider, the program-wide bulletin. Provider staff see their own only.
    """
    form = MonthForm(request.GET or None)
    month = form.cleaned_data["month"] if form.is_valid() else _last_month()
    provider = None
    if request.GET.get("provider"):
        provider = (
            providers_visible_to(request.user).filter(pk=request.GET["provider"]).first()
            if request.GET["provider"].isdigit()
            else None
        )
        if provider is None:
            raise Http404
    elif request.user.is_authenticated and request.user.is_provider_staff:
        provider = get_object_or_404(Provider, pk=request.user.provider_id)
    if not permissions.can_preview_bulletin(request.user, provider):
        raise Http404 if provider is not None else PermissionDenied
    language = request.GET.get("language") or request.LANGUAGE_CODE
    content: bulletin.ProviderBulletin | bulletin.ProgramBulletin = (
        bulletin.provider_bulletin(provider, month)
        if provider is not None
        else bulletin.program_bulletin(month)
    )
    if request.GET.get("format") == "pdf":
        response = HttpResponse(bulletin.bulletin_pdf(content, language), "application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{bulletin.bulletin_filename(content)}"'
        )
        return response
    return HttpResponse(bulletin.bulletin_html(content, language))
