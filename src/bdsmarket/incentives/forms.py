"""Forms of the incentive pages. They read what a person types into what the services take
(a month, RuleInputs, penalty bands, amounts); the services check the scheme and store.

Tiers are typed one a line ("lower upper rate", the last one open: "5000 - 0.30"), the
factors of the program years in one line ("1, 0.75, 0.5"), the penalty bands one a line
("from_gap keep"). A scheme's problems found by services.scheme_check come back keyed
"rulecode.field" or "field": `scheme_errors_show` puts each next to its rule and field.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.clock import program_today
from bdsmarket.core.forms import PageForm, show_service_errors
from bdsmarket.indicators import definitions
from bdsmarket.monitoring.forms import DATE_WIDGET, MONTH_FORMATS, MonthInput
from bdsmarket.registry.models import Provider

from . import queries, rules
from .models import Commitment, Component, IncentiveRule, IncentiveScheme, Statement
from .queries import StatementFilters
from .services import RuleInput
from .simulation import simulation_request

DECIMAL_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}
OPEN_ENDS = {
    "",
    "-",
    "\N{EM DASH}",
    "\N{EN DASH}",
    "\N{HORIZONTAL ELLIPSIS}",
    "...",
    "none",
    "ninguno",
    "sin",
    "\N{INFINITY}",
}


def month_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=MONTH_FORMATS,
        widget=MonthInput(),
        help_text=_("Year and month, e.g. 2003-05."),
        error_messages={"invalid": _("Enter a month as year and month, e.g. 2003-05.")},
    )


def _decimal(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=4,
        help_text=help_text,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_ATTRS),
    )


def _money(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_ATTRS),
    )


def parse_decimal(text: str) -> Decimal:
    """Return a number typed with a decimal point or comma; ValueError when it is none."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def _lines(text: str) -> list[tuple[int, list[str]]]:
    return [
        (number, line.split())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def _not_a_number(number: int, value: str) -> ValidationError:
    return ValidationError(
        _("Line %(line)s: “%(value)s” is not a number."), params={"line": number, "value": value}
    )


# Statements


class StatementFilterForm(PageForm):
    month = month_field(_("Month"), required=False)
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Current statements")), *Statement.Status.choices],
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.empty_label = str(_("Every provider"))
        if providers is None:
            del self.fields["provider"]  # provider staff see their own provider only
        else:
            provider.queryset = providers

    def filters(self) -> StatementFilters:
        """Return the valid filters (invalid ones are ignored): the current versions unless
        the status asks for superseded ones."""
        data = self.cleaned_data if self.is_valid() else {}
        return StatementFilters(
            month=data.get("month"),
            provider=data.get("provider"),
            status=data.get("status") or "",
        )


class ComputeForm(PageForm):
    month = month_field(_("Month"))


class ApproveManyForm(forms.Form):
    """The statements ticked in the list, among `statements` (those that may be chosen)."""

    statement = forms.ModelMultipleChoiceField(
        queryset=Statement.objects.none(),
        error_messages={
            "required": _("Tick at least one statement."),
            "invalid_choice": _(
                "A statement ticked cannot be chosen any more (another person may have "
                "changed it): look at the list again."
            ),
        },
    )

    def __init__(self, *args: Any, statements: QuerySet[Statement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["statement"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = statements


class BatchCreateForm(ApproveManyForm):
    """The approved statements not in a batch yet that go to the bank together."""


class BatchPaidForm(PageForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The bank's reference of the transfers, e.g. its batch number."),
    )


# Schemes


def _penalty_measures() -> list[tuple[str, Any]]:
    return list(IncentiveScheme._meta.get_field("penalty_measure").choices or [])


class SchemeForm(PageForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; every version of a scheme keeps its code."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    effective_from = month_field(_("In force from"))
    penalty_measure = forms.ChoiceField(label=_("Verification measured on"), choices=())
    penalty_bands = forms.CharField(
        label=_("Penalty bands"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=_(
            "One band a line: the gap from which it applies and the share kept, e.g. "
            "“0.10 0.75” (from a gap of 10%, 75% is paid)."
        ),
    )
    unverified_keep = _decimal(
        _("Kept when not verified"),
        required=True,
        help_text=_("The share paid of a month whose sample nobody has checked yet, e.g. 1."),
    )

    def __init__(self, *args: Any, code_fixed: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("unverified_keep", Decimal(1))
        super().__init__(*args, **kwargs)
        measure = self.fields["penalty_measure"]
        assert isinstance(measure, forms.ChoiceField)
        measure.choices = _penalty_measures()
        if code_fixed:
            self.fields["code"].disabled = True

    def clean_penalty_bands(self) -> list[tuple[Decimal, Decimal]]:
        bands, errors = [], []
        for number, words in _lines(self.cleaned_data["penalty_bands"]):
            if len(words) != 2:
                errors.append(
                    ValidationError(
                        _("Line %(line)s: write the gap and the share kept, e.g. “0.10 0.75”."),
                        params={"line": number},
                    )
                )
                continue
            try:
                bands.append((parse_decimal(words[0]), parse_decimal(words[1])))
            except ValueError as error:
                errors.append(_not_a_number(number, str(error)))
        if errors:
            raise ValidationError(errors)
        return bands

    @staticmethod
    def initial_of(scheme: IncentiveScheme) -> dict[str, Any]:
        """Return the form's values for `scheme` (to change a draft or copy a version)."""
        return {
            "code": scheme.code,
            "name": scheme.name,
            "description": scheme.description,
            "effective_from": scheme.effective_from,
            "penalty_measure": scheme.penalty_measure,
            "penalty_bands": "\n".join(
                f"{band['from_gap']} {band['keep']}" for band in scheme.penalty_bands
            ),
            "unverified_keep": scheme.unverified_keep.normalize(),
        }


def _base_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose a base")), *((code, base.name) for code, base in queries.BASES.items())]


def _threshold_choices() -> list[tuple[str, Any]]:
    indicators = sorted(queries.threshold_indicators())
    return [
        ("", _("No threshold")),
        *((indicator, definitions.BY_ID[indicator].name) for indicator in indicators),
    ]


def _kinds() -> list[tuple[str, Any]]:
    return list(IncentiveRule._meta.get_field("kind").choices or [])


class RuleForm(PageForm):
    """One rule of a scheme; its problems as a scheme are found by services.scheme_check."""

    # The scheme's problems name these fields; they are shown next to the fields below.
    PROBLEM_FIELDS = {"threshold": "threshold_indicator"}

    code = forms.SlugField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=(), initial=rules.Kind.RATE)
    base = forms.ChoiceField(label=_("Base"), choices=())
    rate = _decimal(_("Rate"), help_text=_("A share between 0 and 1, e.g. 0.30 for 30%."))
    tiers = forms.CharField(
        label=_("Tiers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=_(
            "Instead of one rate: one tier a line, “lower upper rate”; the last may be "
            "open, e.g. “1000 - 0.30”."
        ),
    )
    amount_per_unit = _money(_("Amount per unit"))
    base_floor = _money(_("Baseline"), help_text=_("The part of the base that is not paid for."))
    year_factors = forms.CharField(
        label=_("Factors by program year"),
        required=False,
        help_text=_(
            "The factor of years 1, 2, 3…, e.g. “1, 0.75, 0.5”; the last holds for the later "
            "years. Empty: 1 every year."
        ),
    )
    cap_per_period = _money(_("Cap per month"))
    cap_per_year = _money(_("Cap per calendar year"))
    cap_total = _money(_("Cap in total"))
    threshold_indicator = forms.ChoiceField(
        label=_("Threshold indicator"), choices=(), required=False
    )
    threshold_minimum = _decimal(_("Threshold"), help_text=_("The least the indicator must reach."))
    on_time_only = forms.BooleanField(label=_("Only reports sent on time"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("kind", _kinds()),
            ("base", _base_choices()),
            ("threshold_indicator", _threshold_choices()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def clean_tiers(self) -> list[dict[str, Decimal | None]]:
        tiers, errors = [], []
        for number, words in _lines(self.cleaned_data["tiers"]):
            if len(words) == 2:  # "lower rate": the open tier at the top
                words = [words[0], "-", words[1]]
            if len(words) != 3:
                errors.append(
                    ValidationError(
                        _("Line %(line)s: write “lower upper rate”, e.g. “0 1000 0.10”."),
                        params={"line": number},
                    )
                )
                continue
            try:
                lower = parse_decimal(words[0])
                upper = None if words[1].lower() in OPEN_ENDS else parse_decimal(words[1])
                rate = parse_decimal(words[2])
            except ValueError as error:
                errors.append(_not_a_number(number, str(error)))
                continue
            tiers.append({"lower": lower, "upper": upper, "rate": rate})
        if errors:
            raise ValidationError(errors)
        return tiers

    def clean_year_factors(self) -> tuple[str, ...]:
        text = self.cleaned_data["year_factors"].strip()
        # "1; 0,75; 0,5" keeps decimal commas; otherwise commas and spaces separate.
        words = text.split(";") if ";" in text else re.split(r"[,\s]+", text)
        factors = []
        for word in (word.strip() for word in words):
            if not word:
                continue
            try:
                factors.append(str(parse_decimal(word)))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a number."), params={"value": word}
                ) from None
        return tuple(factors)

    def as_input(self) -> RuleInput:
        data = self.cleaned_data
        return RuleInput(
            code=data["code"],
            label=data["label"],
            base=data["base"],
            kind=data["kind"],
            rate=data["rate"],
            tiers=tuple(data["tiers"]),
            amount_per_unit=data["amount_per_unit"],
            base_floor=data["base_floor"] or Decimal(0),
            year_factors=data["year_factors"],
            cap_per_period=data["cap_per_period"],
            cap_per_year=data["cap_per_year"],
            cap_total=data["cap_total"],
            threshold_indicator=data["threshold_indicator"],
            threshold_minimum=data["threshold_minimum"],
            on_time_only=data["on_time_only"],
        )

    @staticmethod
    def initial_of(rule: IncentiveRule) -> dict[str, Any]:
        def shown(value: Any) -> Any:
            return None if value is None else Decimal(str(value)).normalize()

        return {
            "code": rule.code,
            "label": rule.label,
            "kind": rule.kind,
            "base": rule.base,
            "rate": shown(rule.rate),
            "tiers": "\n".join(
                f"{tier['lower']} {'-' if tier.get('upper') in (None, '') else tier['upper']} "
                f"{tier['rate']}"
                for tier in rule.tiers
            ),
            "amount_per_unit": shown(rule.amount_per_unit),
            "base_floor": shown(rule.base_floor) if rule.base_floor else None,
            "year_factors": ", ".join(str(factor) for factor in rule.year_factors),
            "cap_per_period": shown(rule.cap_per_period),
            "cap_per_year": shown(rule.cap_per_year),
            "cap_total": shown(rule.cap_total),
            "threshold_indicator": rule.threshold_indicator,
            "threshold_minimum": shown(rule.threshold_minimum),
            "on_time_only": rule.on_time_only,
        }


class BaseRuleFormSet(BaseFormSet):
    """The rules of a scheme: empty boxes are left out, a rule marked removed too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheme_errors: list[str] = []

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this rule")

    def kept(self) -> list[RuleForm]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]
        ]

    def inputs(self) -> list[RuleInput]:
        return [form.as_input() for form in self.kept()]  # type: ignore[attr-defined]


RuleFormSet = formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=1, can_delete=True, max_num=50, absolute_max=50
)


def rule_formset(data: Any = None, *, scheme: IncentiveScheme | None = None) -> BaseRuleFormSet:
    """Return the rules' formset: bound to `data`, or showing `scheme`'s rules (and one
    empty rule more), or two empty rules for a new scheme."""
    if data is not None:
        return RuleFormSet(data, prefix="rules")  # type: ignore[return-value]
    initial = [RuleForm.initial_of(rule) for rule in scheme.rules.all()] if scheme else []
    formset = RuleFormSet(initial=initial, prefix="rules")
    if not initial:
        formset.extra = 2
    return formset  # type: ignore[return-value]


def rule_formset_typed(data: Any) -> BaseRuleFormSet:
    """Return the rules typed in `data`, not checked yet, without those left empty or
    marked removed, and one empty rule more: what the "Add a rule" button shows."""
    posted = RuleFormSet(data, prefix="rules")
    typed = [
        {name: form[name].data for name in RuleForm.base_fields}
        for form in posted.forms
        if form.has_changed() and not form["DELETE"].data
    ]
    return RuleFormSet(initial=typed, prefix="rules")  # type: ignore[return-value]


def scheme_errors_show(
    error: ValidationError, scheme_form: SchemeForm, formset: BaseRuleFormSet
) -> None:
    """Put services.scheme_check's problems on the forms: "rulecode.field" next to the
    field of that rule, "field" next to the scheme's field, the rest above the rules."""
    if not hasattr(error, "error_dict"):
        scheme_form.add_error(None, error)
        return
    by_code: dict[str, list[RuleForm]] = {}
    for form in formset.kept():
        by_code.setdefault(form.cleaned_data.get("code", ""), []).append(form)
    scheme_level: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        code, _dot, name = key.rpartition(".")
        if not code:
            if name == "rules":
                formset.scheme_errors += messages
            else:
                scheme_level[name] = messages
            continue
        name = RuleForm.PROBLEM_FIELDS.get(name, name)
        for form in by_code.get(code, []):
            form.add_error(name if name in form.fields else None, messages)
        if code not in by_code:
            formset.scheme_errors += [f"{code}: {message}" for message in messages]
    if scheme_level:
        show_service_errors(scheme_form, ValidationError(scheme_level))


# The simulator


class SimulateForm(PageForm):
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=IncentiveScheme.objects.none())
    other = forms.ModelChoiceField(
        label=_("Compared with"),
        queryset=IncentiveScheme.objects.none(),
        required=False,
        help_text=_("Optional: a second scheme, side by side with the first."),
    )
    first = month_field(_("From"))
    last = month_field(_("To"))
    provider = forms.ModelMultipleChoiceField(
        label=_("Providers"),
        queryset=Provider.objects.none(),
        required=False,
        help_text=_("None chosen: the providers whose support package covers each month."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(
        self,
        *args: Any,
        schemes: QuerySet[IncentiveScheme],
        providers: QuerySet[Provider],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("scheme", "other"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = schemes
            field.label_from_instance = _scheme_choice  # type: ignore[method-assign, assignment]
            field.empty_label = str(_("Choose a scheme") if name == "scheme" else _("None"))
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelMultipleChoiceField)
        provider.queryset = providers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last, scheme = data.get("first"), data.get("last"), data.get("scheme")
        if first and last and scheme:
            try:
                data["request"] = simulation_request(
                    schemes=[scheme, *([data["other"]] if data.get("other") else [])],
                    first=first,
                    last=last,
                    providers=list(data.get("provider") or []),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(SIMULATION_FIELDS.get(name), messages)
        return data


# Where the form shows what simulation_request names.
SIMULATION_FIELDS = {"schemes": "scheme", "other": "other", "last": "last"}


def _scheme_choice(scheme: IncentiveScheme) -> str:
    return f"{scheme.name} v{scheme.version} ({scheme.get_status_display()})"


# Support packages


class PackageCreateForm(PageForm):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    starts_on = forms.DateField(
        label=_("Support starts"),
        widget=DATE_WIDGET,
        help_text=_("The provider's program years count from this month."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers


class PackageBankForm(PageForm):
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=50, required=False)
    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        required=False,
        help_text=_("Empty: the provider's name."),
    )
    ends_on = forms.DateField(label=_("Support ends"), widget=DATE_WIDGET, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommitmentForm(PageForm):
    component = forms.ChoiceField(label=_("Component"), choices=Component.choices)
    label = forms.CharField(label=_("What"), max_length=200)
    amount = _money(_("Amount"))
    hours = forms.IntegerField(
        label=_("Hours"), required=False, min_value=0, help_text=_("For technical assistance.")
    )
    due_on = forms.DateField(label=_("Due"), widget=DATE_WIDGET, required=False)
    milestone = forms.CharField(
        label=_("Milestone"),
        max_length=300,
        required=False,
        help_text=_("What the provider must have achieved before this is paid."),
    )


class PaymentForm(PageForm):
    component = forms.ChoiceField(label=_("Component"), choices=())
    commitment = forms.ModelChoiceField(
        label=_("Against the commitment"), queryset=Commitment.objects.none(), required=False
    )
    amount = _money(_("Amount"), required=True)
    hours = forms.IntegerField(label=_("Hours"), required=False, min_value=0)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, commitments: QuerySet[Commitment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        component = self.fields["component"]
        assert isinstance(component, forms.ChoiceField)
        # Incentives are paid through the statements' payment batches, not by hand.
        component.choices = [c for c in Component.choices if c[0] != Component.INCENTIVES]
        commitment = self.fields["commitment"]
        assert isinstance(commitment, forms.ModelChoiceField)
        commitment.queryset = commitments
        commitment.empty_label = str(_("None"))


class MilestoneForm(PageForm):
    on = forms.DateField(label=_("Met on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": program_today()})
        super().__init__(*args, **kwargs)
