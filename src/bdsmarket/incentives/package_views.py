"""The support packages' pages: every package and the program's balances against its
budget, one package's commitments by component, its ledger and balances, and the program
manager's forms to open a package, say where its transfers go, commit, pay and record a
milestone met.

Thin doors, as in views.py: every lookup goes through packages_visible_to (another
provider's package is a 404), every write through a service.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bdsmarket.core.clock import program_today
from bdsmarket.core.forms import show_service_errors
from bdsmarket.core.views import AuthenticatedRequest

from . import page_queries, permissions, queries, services
from .forms import (
    CommitmentForm,
    MilestoneForm,
    PackageBankForm,
    PackageCreateForm,
    PaymentForm,
)
from .models import Commitment, SupportPackage
from .views import form_error_messages


def _package(request: AuthenticatedRequest, pk: int) -> SupportPackage:
    if not permissions.can_see_incentives(request.user):
        raise PermissionDenied
    return get_object_or_404(permissions.packages_visible_to(request.user), pk=pk)


def _manageable_package(request: AuthenticatedRequest, pk: int) -> SupportPackage:
    package = _package(request, pk)
    if not permissions.can_manage_packages(request.user):
        raise PermissionDenied
    return package


def _to_package(package: SupportPackage, fragment: str = "") -> HttpResponse:
    url = reverse("incentives:package_detail", args=[package.pk])
    return redirect(f"{url}#{fragment}" if fragment else url)


@login_required
def package_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every support package with what it committed and paid, and the program's balances
    by component against its budget; provider staff go to their own package."""
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    if user.is_provider_staff:
        own = permissions.packages_visible_to(user).first()
        if own is not None:
            return redirect("incentives:package_detail", pk=own.pk)
        return render(request, "incentives/package_none.html")
    if not permissions.can_see_program_packages(user):
        raise PermissionDenied
    packages = permissions.packages_visible_to(user)
    context = {
        "packages": page_queries.packages_listed(packages),
        "balances": queries.program_balances(packages),
        "can_manage": permissions.can_manage_packages(user),
    }
    return render(request, "incentives/package_list.html", context)


@login_required
def package_create(request: AuthenticatedRequest) -> HttpResponse:
    """Open a support package for a selected provider."""
    user = request.user
    if not permissions.can_manage_packages(user):
        raise PermissionDenied
    form = PackageCreateForm(
        request.POST or None, providers=page_queries.providers_without_package()
    )
    if request.method == "POST" and form.is_valid():
        try:
            package = services.package_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The support package of %(provider)s was opened.")
                % {"provider": package.provider.code},
            )
            return _to_package(package)
    return render(request, "incentives/package_form.html", {"form": form, "package": None})


@login_required
def package_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A package: where its transfers go, its commitments by component with what was paid
    against each, its ledger and its balances."""
    user = request.user
    package = _package(request, pk)
    can_manage = permissions.can_manage_packages(user)
    context = {
        "package": package,
        "provider": package.provider,
        "balances": queries.package_balances(package),
        "commitments": page_queries.package_commitments(package),
        "payments": page_queries.package_payments(package),
        "can_manage": can_manage,
        "can_see_program": permissions.can_see_program_packages(user),
        "milestone_form": MilestoneForm() if can_manage else None,
    }
    return render(request, "incentives/package_detail.html", context)


@login_required
def package_bank(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change where the package's transfers go, when its support ends, and its note."""
    package = _manageable_package(request, pk)
    initial = {
        name: getattr(package, name)
        for name in ("bank_name", "bank_account", "account_holder", "ends_on", "note")
    }
    form = PackageBankForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.package_update(actor=request.user, package=package, **form.cleaned_data)
        except ValidationError as error:
            package.refresh_from_db()
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The package of %(provider)s was saved.") % {"provider": package.provider.code},
            )
            return _to_package(package)
    return render(request, "incentives/package_form.html", {"form": form, "package": package})


@login_required
def commitment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Commit an amount (or hours) of one component to the package."""
    package = _manageable_package(request, pk)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {**form.cleaned_data}
        data["amount"] = data["amount"] or Decimal(0)
        try:
            services.commitment_add(actor=request.user, package=package, **data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The commitment was added."))
            return _to_package(package, "commitments")
    context = {"form": form, "package": package, "what": "commitment"}
    return render(request, "incentives/package_entry_form.html", context)


@login_required
def payment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record a payment (or hours delivered) against the package, maybe against one of its
    commitments (`?commitment=` chooses it)."""
    package = _manageable_package(request, pk)
    commitments = package.commitments.all()
    initial: dict[str, Any] = {"paid_on": program_today()}
    chosen = commitments.filter(pk=request.GET.get("commitment") or 0).first()
    if chosen is not None:
        initial.update(commitment=chosen.pk, component=chosen.component)
    form = PaymentForm(request.POST or None, commitments=commitments, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_record(actor=request.user, package=package, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("The payment was recorded."))
            return _to_package(package, "payments")
    context = {"form": form, "package": package, "what": "payment"}
    return render(request, "incentives/package_entry_form.html", context)


@login_required
@require_POST
def milestone_met(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that a commitment's milestone was met: its tranche may then be paid."""
    user = request.user
    if not permissions.can_see_incentives(user):
        raise PermissionDenied
    commitment = get_object_or_404(
        Commitment.objects.filter(package__in=permissions.packages_visible_to(user)).select_related(
            "package__provider"
        ),
        pk=pk,
    )
    if not permissions.can_manage_packages(user):
        raise PermissionDenied
    package = commitment.package
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return _to_package(package, f"commitment-{commitment.pk}")
    try:
        services.milestone_met(actor=user, commitment=commitment, on=form.cleaned_data["on"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The milestone was recorded as met: its tranche may be paid."),
        )
    return _to_package(package, f"commitment-{commitment.pk}")
