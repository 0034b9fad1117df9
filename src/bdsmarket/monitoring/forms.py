"""Forms of the monitoring pages. They parse what a person types into the values the services
take (DeliveryInput, CostInput); the services store and enforce the workflow.

A row typed in a form goes through the same checker as a row of a file or of the API
(validation.DeliveryChecker); the forms add only what a form knows better: a date must fall
in the report's month. An empty client part means the client paid the rest
(validation.payers_complete).
"""

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.forms import PageForm, show_service_errors
from bdsmarket.core.months import month_start
from bdsmarket.registry.models import City, ClientType, Gender, Provider, Sector, ServiceType

from .models import Delivery, ReportingPeriod, SubmissionStatus
from .page_queries import PAYER_CHOICES, RowCriteria
from .services import CostInput, DeliveryInput
from .validation import (
    DELIVERY_SPEC,
    PAYER_COLUMNS,
    DeliveryChecker,
    Record,
    payers_complete,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_FORMATS = ["%Y-%m", "%m/%Y"]
MONEY_ATTRS = {"inputmode": "decimal", "min": "0", "step": "0.01", "autocomplete": "off"}


def _money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m")


def _month_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=MONTH_FORMATS,
        widget=MonthInput(),
        help_text=_("Year and month, e.g. 2003-05."),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2003-05.")},
    )


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


# Starting a month


class StartMonthForm(PageForm):
    month = _month_field(_("Month"))

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_month(self) -> datetime.date:
        month = month_start(self.cleaned_data["month"])
        if month > month_start(self.today):
            raise ValidationError(
                _("%(month)s has not begun yet: report a month up to the current one.")
                % {"month": f"{month:%Y-%m}"}
            )
        return month


# Rows
#
# A row typed in a form is checked by the same checker as a row of a file or of an API
# request (validation.DeliveryChecker): the form's fields parse what was typed, then the
# row is handed to the checker as the cells of a file would be, and each problem it finds
# is shown next to its field.


def _cells(values: dict[str, Any]) -> dict[str, str]:
    """Return a row's cleaned values as the text cells the shared checker reads."""
    cells = {}
    for name, value in values.items():
        if isinstance(value, Sector):
            cells[name] = value.code
        elif isinstance(value, City):
            cells[name] = value.name
        elif isinstance(value, datetime.date):
            cells[name] = value.isoformat()
        else:
            cells[name] = "" if value is None else str(value)
    return cells


def check_row(
    form: forms.Form, checker: DeliveryChecker, provider: Provider, values: dict[str, Any]
) -> DeliveryInput | None:
    """Check one row with the shared checker; put its problems on `form`.

    Return the row for the services, or None when it has a problem.
    """
    record = Record.read(DELIVERY_SPEC, 1, {**_cells(values), "provider_code": provider.code})
    row = checker.check(record)
    for error in record.errors:
        form.add_error(error.field if error.field in form.fields else None, error.message())
    return row if record.ok else None


class ClientFields(PageForm):
    """Who was served and who paid: the part of a row the form of one delivery and each
    participant of a training event share."""

    CLIENT_FIELDS = (
        "client_id",
        "client_type",
        "client_gender",
        "client_sector",
        "client_city",
        "paid_by_client",
        "paid_by_voucher",
        "voucher_code",
        "paid_by_third_party",
        "third_party",
    )

    client_id = forms.CharField(
        label=_("Client ID"),
        max_length=30,
        help_text=_("DNI (8 digits) or RUC (11 digits), or your own client number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    # No choice is made for the person typing: a blank box stays blank (and is left out).
    client_type = forms.ChoiceField(
        label=_("Client type"), choices=_any(_("Choose a type")) + ClientType.choices
    )
    client_gender = forms.ChoiceField(
        label=_("Gender"),
        choices=_any(_("Choose a gender")) + Gender.choices,
        help_text=_("Of the owner or manager; of the person for a pre-enterprise."),
    )
    client_sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), empty_label=_("Choose a sector")
    )
    client_city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), empty_label=_("Choose a city")
    )
    paid_by_client = _money(
        _("Paid by the client"),
        required=False,
        help_text=_("Leave empty when the client paid the rest of the price."),
    )
    paid_by_voucher = _money(_("Paid by voucher"), required=False)
    voucher_code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        required=False,
        help_text=_("Needed when a voucher paid a part."),
    )
    paid_by_third_party = _money(_("Paid by a third party"), required=False)
    third_party = forms.CharField(
        label=_("Third party"),
        max_length=200,
        required=False,
        help_text=_("The institution, project or donor that paid."),
    )

    def __init__(
        self, *args: Any, provider: Provider, checker: DeliveryChecker, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.provider, self.checker = provider, checker
        self.row: DeliveryInput | None = None
        # Most clients are in the provider's own city.
        self.fields["client_city"].initial = provider.city_id

    # Most rows are paid by the client alone: the page folds these away until needed.
    OTHER_PAYER_FIELDS = ("paid_by_voucher", "voucher_code", "paid_by_third_party", "third_party")

    @property
    def other_payers_open(self) -> bool:
        """Whether the fields of the other payers hold a value or an error (show them open)."""
        if self.is_bound:
            return any(
                self.data.get(self.add_prefix(name)) or name in self.errors
                for name in self.OTHER_PAYER_FIELDS
            )
        return any(self.initial.get(name) for name in self.OTHER_PAYER_FIELDS)

    def client_values(self, price: Decimal) -> dict[str, Any]:
        """Return the client's fields, the parts not typed in taken as zero and an empty
        client part as the rest of the price (what is left for the client to have paid)."""
        values = {name: self.cleaned_data.get(name) for name in self.CLIENT_FIELDS}
        try:
            parts = payers_complete(price, *(values[name] for name in PAYER_COLUMNS))
        except ValidationError as error:
            show_service_errors(self, error)  # the row goes no further
        else:
            values.update(zip(PAYER_COLUMNS, parts, strict=True))
        return values


class DeliveryForm(ClientFields):
    """One delivery: the fields of a row of docs/formats.md, one column, big inputs."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    service_name = forms.CharField(
        label=_("Service"),
        max_length=200,
        required=False,
        help_text=_("Your own name for the service."),
    )
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
    )
    price = _money(_("Price"), help_text=_("The full amount charged for this row."))

    field_order = [
        "date",
        "client_id",
        "client_type",
        "client_gender",
        "client_sector",
        "client_city",
        "service_type",
        "service_name",
        "participants",
        "price",
        "paid_by_client",
        "paid_by_voucher",
        "voucher_code",
        "paid_by_third_party",
        "third_party",
    ]

    def __init__(
        self, *args: Any, period: ReportingPeriod, today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.period, self.today = period, today
        _date_in_month(self.fields["date"], period, today)
        self.fields["service_name"].widget.attrs["list"] = "catalogue"

    def clean_date(self) -> datetime.date:
        return _check_date(self.cleaned_data["date"], self.period, self.today)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        values = {
            **self.client_values(cleaned["price"]),
            **{
                name: cleaned[name]
                for name in ("date", "service_type", "service_name", "participants", "price")
            },
        }
        if not self.errors:
            self.row = check_row(self, self.checker, self.provider, values)
        return cleaned

    def changes(self, delivery: Delivery) -> dict[str, Any]:
        """Return the fields of the checked row that differ from the stored row's."""
        assert self.row is not None
        return {
            name: getattr(self.row, name)
            for name in self.field_order
            if getattr(delivery, name) != getattr(self.row, name)
        }


def _date_in_month(field: forms.Field, period: ReportingPeriod, today: datetime.date) -> None:
    """Let the browser's date picker offer only the days of the report's month."""
    field.widget.attrs.update(
        {"min": period.month.isoformat(), "max": min(period.last_day, today).isoformat()}
    )
    field.help_text = _("A day of %(month)s.") % {
        "month": date_format(period.month, "YEAR_MONTH_FORMAT")
    }


def _check_date(day: datetime.date, period: ReportingPeriod, today: datetime.date) -> datetime.date:
    if not period.month <= day <= period.last_day:
        raise ValidationError(
            _("%(day)s is not in %(month)s: enter a day of the report's month.")
            % {"day": day.isoformat(), "month": f"{period.month:%Y-%m}"}
        )
    if day > today:
        raise ValidationError(
            _("%(day)s is in the future: enter the day the service was given.")
            % {"day": day.isoformat()}
        )
    return day


# A training event: one delivery per participant


class TrainingEventForm(PageForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    service_type = forms.ChoiceField(
        label=_("Service type"), choices=ServiceType.choices, initial=ServiceType.TRAINING
    )
    service_name = forms.CharField(
        label=_("Service"),
        max_length=200,
        help_text=_("Your own name for the course or workshop."),
    )
    price = _money(
        _("Price per participant"),
        help_text=_("The full amount charged to each participant."),
    )

    def __init__(
        self, *args: Any, period: ReportingPeriod, today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.period, self.today = period, today
        _date_in_month(self.fields["date"], period, today)
        self.fields["service_name"].widget.attrs["list"] = "catalogue"

    def clean_date(self) -> datetime.date:
        return _check_date(self.cleaned_data["date"], self.period, self.today)


class ParticipantForm(ClientFields):
    field_order = list(ClientFields.CLIENT_FIELDS)

    def __init__(self, *args: Any, event: dict[str, Any] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        # The page explains the fields once, above the participants.
        for field in self.fields.values():
            field.help_text = ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors or self.event is None:
            return cleaned
        values = {**self.client_values(self.event["price"]), **self.event, "participants": 1}
        if not self.errors:
            self.row = check_row(self, self.checker, self.provider, values)
        return cleaned


class BaseParticipantFormSet(BaseFormSet):
    """The participants of a training event. `event`: the event's cleaned values, or None
    while the event itself has errors (then each participant is only parsed)."""

    def __init__(
        self,
        *args: Any,
        provider: Provider,
        checker: DeliveryChecker,
        event: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.provider, self.checker, self.event = provider, checker, event
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"provider": self.provider, "checker": self.checker, "event": self.event}

    def rows(self) -> list[DeliveryInput]:
        """Return one delivery per filled-in participant (the checker made them)."""
        return [form.row for form in self.forms if form.has_changed() and form.row is not None]


ParticipantFormSet = cast(
    type[BaseParticipantFormSet],
    formset_factory(
        ParticipantForm,
        formset=BaseParticipantFormSet,
        extra=4,
        min_num=1,
        validate_min=True,
        max_num=200,
        validate_max=True,
    ),
)


# The cost report


class CostReportForm(PageForm):
    staff_costs = _money(_("Staff costs"))
    premises_costs = _money(_("Premises costs"))
    other_costs = _money(_("Other costs"))
    other_income = _money(
        _("Other income"),
        required=False,
        help_text=_("Income not from services: grants, stipends."),
    )
    staff_count = forms.IntegerField(
        label=_("Staff"),
        required=False,
        min_value=0,
        help_text=_("People working at the provider that month."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
    )

    def as_input(self, provider: Provider, month: datetime.date) -> CostInput:
        data = self.cleaned_data
        return CostInput(
            provider=provider,
            month=month,
            staff_costs=data["staff_costs"],
            premises_costs=data["premises_costs"],
            other_costs=data["other_costs"],
            other_income=data["other_income"] or Decimal(0),
            staff_count=data["staff_count"],
        )


# The review


class ReturnForm(PageForm):
    comment = forms.CharField(
        label=_("Comment on the whole report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the provider must correct. Comments on single rows go next to them."),
    )

    ROW_PREFIX = "row-"

    @classmethod
    def row_comments(cls, data: Any) -> dict[int, str]:
        """Return the comments typed next to rows (fields row-<id>), by delivery id."""
        comments = {}
        for name, text in data.items():
            suffix = name.removeprefix(cls.ROW_PREFIX)
            if name.startswith(cls.ROW_PREFIX) and suffix.isdigit() and text.strip():
                comments[int(suffix)] = text
        return comments


class AmendForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What must change in the approved report, and why. The approved version is kept."
        ),
    )


class AcknowledgeForm(PageForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("Why the rows stand, e.g. “a group of workers of one firm”."),
    )


# Filters


REVIEW_WAITING = "waiting"
REVIEW_ALL = "all"


class ReviewFilterForm(PageForm):
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Provider.objects.none(),
        required=False,
        empty_label=_("All providers"),
    )
    period = forms.ModelChoiceField(
        label=_("Month"),
        queryset=ReportingPeriod.objects.all(),
        required=False,
        empty_label=_("All months"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (REVIEW_WAITING, _("Waiting for review")),
            (REVIEW_ALL, _("Any status")),
            *SubmissionStatus.choices,
        ],
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelChoiceField)
        provider_field.queryset = providers

    def filter(self, submissions: QuerySet[Any]) -> QuerySet[Any]:
        """Return `submissions` narrowed by the valid filters; waiting for review by default."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("provider"):
            submissions = submissions.filter(provider=data["provider"])
        if data.get("period"):
            submissions = submissions.filter(period=data["period"])
        status = data.get("status") or REVIEW_WAITING
        if status == REVIEW_WAITING:
            submissions = submissions.filter(
                status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED]
            )
        elif status != REVIEW_ALL:
            submissions = submissions.filter(status=status)
        return submissions


class RowFilterForm(PageForm):
    """The rows behind a figure: a provider's month, narrowed by one or more dimensions."""

    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.none(), empty_label=_("Choose a provider")
    )
    month = _month_field(_("Month"))
    client_type = forms.ChoiceField(
        label=_("Client type"), required=False, choices=_any(_("Any type")) + ClientType.choices
    )
    client_gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=_any(_("Any gender")) + Gender.choices
    )
    service_type = forms.ChoiceField(
        label=_("Service type"),
        required=False,
        choices=_any(_("Any service")) + ServiceType.choices,
    )
    client_sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("All sectors"),
    )
    client_city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, empty_label=_("All cities")
    )
    payer = forms.ChoiceField(
        label=_("Paid by"), required=False, choices=_any(_("Anyone")) + PAYER_CHOICES
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelChoiceField)
        provider_field.queryset = providers

    def criteria(self) -> RowCriteria:
        data = self.cleaned_data
        return RowCriteria(
            provider=data["provider"],
            month=data["month"],
            client_type=data.get("client_type") or "",
            client_gender=data.get("client_gender") or "",
            service_type=data.get("service_type") or "",
            client_sector=data.get("client_sector"),
            client_city=data.get("client_city"),
            payer=data.get("payer") or "",
        )
