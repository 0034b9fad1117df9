"""Forms of the registry pages. They only parse input: the services validate and store."""

from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.forms import PageForm

from .models import (
    City,
    ClientType,
    Enterprise,
    LegalType,
    Provider,
    ProviderService,
    ProviderStatus,
    Sector,
)
from .queries import (
    EnterpriseFilters,
    ProviderFilters,
    selection_rounds,
    size_class_code,
    size_class_code_choices,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _form_field(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Make the form field for a model field; web addresses typed without a scheme get https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


# Filters


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ProviderFilterForm(PageForm):
    q = forms.CharField(
        label=_("Code or name"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, empty_label=_("All cities")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Any status")) + ProviderStatus.choices
    )
    legal_type = forms.ChoiceField(
        label=_("Legal type"), required=False, choices=_any(_("Any type")) + LegalType.choices
    )
    selection_round = forms.TypedChoiceField(
        label=_("Selection round"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rounds = self.fields["selection_round"]
        assert isinstance(rounds, forms.TypedChoiceField)
        rounds.choices = _any(_("Any round")) + [
            (number, str(number)) for number in selection_rounds()
        ]

    def filters(self) -> ProviderFilters:
        """Return the valid filters (invalid ones are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        return ProviderFilters(
            q=data.get("q") or "",
            city=data.get("city"),
            status=data.get("status") or "",
            legal_type=data.get("legal_type") or "",
            selection_round=data.get("selection_round"),
        )


class SizeClassCodeField(forms.ChoiceField):
    """A size class code; a size class's ID is read as its code (see `size_class_code`)."""

    def valid_value(self, value: Any) -> bool:
        return size_class_code(value) is not None

    def clean(self, value: Any) -> str:
        return size_class_code(super().clean(value)) or ""


class EnterpriseFilterForm(PageForm):
    q = forms.CharField(
        label=_("Name or national ID"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, empty_label=_("All cities")
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("All sectors"),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"), required=False, choices=_any(_("Any type")) + ClientType.choices
    )
    size_class = SizeClassCodeField(label=_("Size class"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size_class = self.fields["size_class"]
        assert isinstance(size_class, forms.ChoiceField)
        size_class.choices = _any(_("Any size")) + size_class_code_choices()

    def filters(self) -> EnterpriseFilters:
        """Return the valid filters (invalid ones are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        return EnterpriseFilters(
            q=data.get("q") or "",
            city=data.get("city"),
            sector=data.get("sector"),
            client_type=data.get("client_type") or "",
            size_class=data.get("size_class") or "",
        )


# Providers

PROVIDER_FIELDS = [
    "code",
    "name",
    "legal_type",
    "city",
    "tax_id",
    "selection_round",
    "address",
    "phone",
    "email",
    "website",
    "contact_name",
    "staff_count",
    "description",
]


class ProviderForm(PageForm):
    """The provider fields the user may change (and only those)."""

    def __init__(self, *args: Any, editable: frozenset[str] | set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [name for name in PROVIDER_FIELDS if name in editable]
        self.fields.update(
            fields_for_model(
                Provider,
                fields=names,
                widgets={"description": forms.Textarea(attrs={"rows": 4})},
                formfield_callback=_form_field,
            )
        )
        # fields_for_model follows the model's order; keep ours.
        self.order_fields(names)


class ProviderCreateForm(ProviderForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=ProviderStatus.choices, initial=ProviderStatus.APPLICANT
    )
    status_date = forms.DateField(
        label=_("Status since"), required=False, widget=DATE_WIDGET, initial=date.today
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, editable=set(PROVIDER_FIELDS), **kwargs)
        self.order_fields([*PROVIDER_FIELDS[:4], "status", "status_date"])


class ProviderStatusForm(PageForm):
    status = forms.ChoiceField(label=_("New status"), choices=ProviderStatus.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, initial=date.today)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the status changes, e.g. the decision or the letter that decided it."),
    )


# Catalogue

SERVICE_FIELDS = ["service_type", "name", "description", "sectors", "price", "active"]


class ServiceForm(PageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                ProviderService,
                fields=SERVICE_FIELDS,
                widgets={
                    "description": forms.Textarea(attrs={"rows": 3}),
                    "sectors": forms.CheckboxSelectMultiple,
                },
            )
        )
        self.fields["price"].widget.attrs.update({"inputmode": "decimal", "min": "0"})
        self.order_fields(SERVICE_FIELDS)


# Enterprises

ENTERPRISE_FIELDS = [
    "national_id",
    "name",
    "client_type",
    "owner_gender",
    "sector",
    "city",
    "workers",
    "annual_sales",
    "figures_as_of",
    "phone",
    "email",
]


class EnterpriseForm(PageForm):
    """An enterprise's fields. The size class is never typed in: the service derives it."""

    def __init__(
        self, *args: Any, registered_by: QuerySet[Provider] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Enterprise, fields=ENTERPRISE_FIELDS, widgets={"figures_as_of": DATE_WIDGET}
            )
        )
        if registered_by is not None:
            self.fields["registered_by"] = forms.ModelChoiceField(
                label=_("Registered by"),
                queryset=registered_by,
                required=False,
                empty_label=_("The program"),
                help_text=_("The provider whose client this is, if any."),
            )
        self.order_fields(ENTERPRISE_FIELDS)
