"""Registry pages: providers, their catalogue, enterprises. Thin: every read goes through a
scoping helper (so another provider's records are a 404), every write through a service."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bdsmarket.core.forms import show_service_errors
from bdsmarket.core.history import HistoryRow, history_rows, with_m2m_rows
from bdsmarket.core.pages import list_response
from bdsmarket.core.views import AuthenticatedRequest

from . import permissions, queries, services
from .forms import (
    EnterpriseFilterForm,
    EnterpriseForm,
    ProviderCreateForm,
    ProviderFilterForm,
    ProviderForm,
    ProviderStatusForm,
    ServiceForm,
)
from .models import Provider, ProviderService

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# Providers


@login_required
def provider_list(request: AuthenticatedRequest) -> HttpResponse:
    """The providers, filtered; provider staff go straight to their own provider."""
    user = request.user
    if user.is_provider_staff:
        return redirect("registry:provider_detail", pk=user.provider_id)
    form = ProviderFilterForm(request.GET)
    providers = queries.provider_list(actor=user, filters=form.filters())
    context = {
        "form": form,
        "page": _page(request, providers),
        "can_create_provider": permissions.can_create_provider(user),
    }
    return list_response(
        request, "registry/provider_list.html", "registry/_provider_table.html", context
    )


@login_required
def provider_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    provider = get_object_or_404(permissions.providers_visible_to(user), pk=pk)
    can_see_history = permissions.can_see_history(user)
    services_ = provider.services.prefetch_related("sectors")
    context = {
        "provider": provider,
        "status_changes": provider.status_changes.select_related("recorded_by"),
        "services": services_,
        "staff": (
            provider.staff.filter(is_active=True).order_by("last_name", "username")
            if permissions.can_see_provider_staff(user, provider)
            else None
        ),
        "history": _provider_history(provider) if can_see_history else None,
        "can_edit_provider": permissions.can_edit_provider(user, provider),
        "can_change_status": permissions.can_change_provider_status(user, provider),
        "can_edit_catalogue": permissions.can_edit_catalogue(user, provider),
    }
    return render(request, "registry/provider_detail.html", context)


def _provider_history(provider: Provider) -> list[HistoryRow]:
    """Return the audit trail of the provider's record and of its catalogue."""
    records = [
        *provider.history.select_related("history_user"),
        *with_m2m_rows(
            ProviderService.history.filter(provider_id=provider.pk).select_related("history_user")
        ),
    ]
    return history_rows(records, record_labels=True)


@login_required
def provider_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_create_provider(request.user):
        raise PermissionDenied
    form = ProviderCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            provider = services.provider_create(
                actor=request.user,
                status=data.pop("status"),
                status_date=data.pop("status_date"),
                **data,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("The provider %(provider)s was registered.") % {"provider": provider}
            )
            return redirect("registry:provider_detail", pk=provider.pk)
    return render(request, "registry/provider_form.html", {"form": form, "provider": None})


@login_required
def provider_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change the provider fields the user may change; the form shows no others."""
    user = request.user
    provider = get_object_or_404(permissions.providers_visible_to(user), pk=pk)
    editable = permissions.provider_fields_editable_by(user, provider)
    if not editable:
        raise PermissionDenied
    form = ProviderForm(
        request.POST or None, editable=editable, initial=model_to_dict(provider, fields=editable)
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.provider_update(actor=user, provider=provider, changes=changes)
        except ValidationError as error:
            provider.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, _("The provider's record was saved."))
            return redirect("registry:provider_detail", pk=provider.pk)
    return render(request, "registry/provider_form.html", {"form": form, "provider": provider})


@login_required
def provider_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record a change of the provider's status in the program."""
    user = request.user
    provider = get_object_or_404(permissions.providers_visible_to(user), pk=pk)
    if not permissions.can_change_provider_status(user, provider):
        raise PermissionDenied
    form = ProviderStatusForm(request.POST or None, initial={"status": provider.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_change_status(
                actor=user,
                provider=provider,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            provider.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, _("The status was recorded."))
            return redirect("registry:provider_detail", pk=provider.pk)
    return render(
        request, "registry/provider_status_form.html", {"form": form, "provider": provider}
    )


# Catalogue


@login_required
def service_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    provider = get_object_or_404(permissions.providers_visible_to(user), pk=pk)
    if not permissions.can_edit_catalogue(user, provider):
        raise PermissionDenied
    form = ServiceForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["sectors"] = list(data["sectors"])
        try:
            service = services.service_create(actor=user, provider=provider, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("“%(service)s” was added to the catalogue.") % {"service": service}
            )
            return redirect("registry:provider_detail", pk=provider.pk)
    context = {"form": form, "provider": provider, "service": None}
    return render(request, "registry/service_form.html", context)


@login_required
def service_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    service = get_object_or_404(permissions.services_visible_to(user), pk=pk)
    provider = service.provider
    if not permissions.can_edit_catalogue(user, provider):
        raise PermissionDenied
    initial = model_to_dict(service, fields=["service_type", "name", "description", "price"])
    initial.update(active=service.active, sectors=list(service.sectors.all()))
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if "sectors" in changes:
            changes["sectors"] = list(changes["sectors"])
        try:
            if changes:
                services.service_update(actor=user, service=service, changes=changes)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("registry:provider_detail", pk=provider.pk)
    context = {"form": form, "provider": provider, "service": service}
    return render(request, "registry/service_form.html", context)


# Enterprises


@login_required
def enterprise_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = EnterpriseFilterForm(request.GET)
    enterprises = queries.enterprise_list(actor=user, filters=form.filters())
    context = {
        "form": form,
        "page": _page(request, enterprises),
        "can_create_enterprise": permissions.can_create_enterprise(user),
    }
    return list_response(
        request, "registry/enterprise_list.html", "registry/_enterprise_table.html", context
    )


@login_required
def enterprise_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = get_object_or_404(
        permissions.enterprises_visible_to(user).select_related("registered_by"), pk=pk
    )
    history = None
    if permissions.can_see_history(user):
        history = history_rows(enterprise.history.select_related("history_user"))
    context = {
        "enterprise": enterprise,
        "history": history,
        "can_edit_enterprise": permissions.can_edit_enterprise(user, enterprise),
    }
    return render(request, "registry/enterprise_detail.html", context)


@login_required
def enterprise_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_create_enterprise(user):
        raise PermissionDenied
    # Program staff may register a client on a provider's behalf; provider staff register
    # for their own provider (the service sees to it).
    choose_provider = not user.is_provider_staff
    form = EnterpriseForm(
        request.POST or None,
        registered_by=permissions.providers_visible_to(user) if choose_provider else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enterprise = services.enterprise_create(actor=user, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("%(enterprise)s was registered.") % {"enterprise": enterprise}
            )
            return redirect("registry:enterprise_detail", pk=enterprise.pk)
    return render(request, "registry/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
def enterprise_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = get_object_or_404(permissions.enterprises_visible_to(user), pk=pk)
    if not permissions.can_edit_enterprise(user, enterprise):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, initial=model_to_dict(enterprise))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.enterprise_update(actor=user, enterprise=enterprise, changes=changes)
        except ValidationError as error:
            enterprise.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(request, _("The enterprise was saved."))
            return redirect("registry:enterprise_detail", pk=enterprise.pk)
    context = {"form": form, "enterprise": enterprise}
    return render(request, "registry/enterprise_form.html", context)
