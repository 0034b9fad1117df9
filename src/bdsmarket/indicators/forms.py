"""Forms of the indicator pages: they read the query string into what the engine takes (a
Scope, indicator ids, a grouping, a period) and show the choices again.

A wrong name (an indicator, a grouping, a period, a basis that does not exist) is checked
by the engine's own rules, and its IndicatorError message is the form's error: the page
shows it instead of failing.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.forms import PageForm
from bdsmarket.registry.models import City, ClientType, Gender, Provider, Sector, ServiceType

from . import definitions
from .documents import GROUPING_NAMES
from .models import DIMENSIONS, Basis
from .page_queries import SPANS, period_parse
from .periods import Period
from .queries import TIME_GRAINS, IndicatorError, PeerGroup, Scope, indicators_check
from .rows import month_parse

GROUPINGS = ("provider", *DIMENSIONS)


def _engine_checked(check: Callable[[], Any]) -> Any:
    """Run one of the engine's checks; its IndicatorError becomes the field's error."""
    try:
        return check()
    except IndicatorError as error:
        raise ValidationError(error.message) from error


class ManyValues(forms.Select):
    """A drop-down of one value that reads every value the query string gives: a link from
    a cell of a table may keep several."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


class ValuesField(forms.MultipleChoiceField):
    """Values of one dimension to keep; empty keeps every value."""

    widget = ManyValues

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        values = [value] if isinstance(value, str) else list(value)
        return [str(item) for item in values if item not in (None, "")]


def _values(label: Any, any_label: Any, choices: Any) -> ValuesField:
    return ValuesField(label=label, required=False, choices=[("", any_label), *choices])


def _month_input(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2003-05"}),
        help_text=_("Year and month, e.g. 2003-05."),
    )


class ScopeForm(PageForm):
    """Whose rows count: a span of months, providers, dimension values and a basis."""

    first = _month_input(_("From"))
    last = _month_input(_("To"))
    provider = forms.ModelMultipleChoiceField(
        label=_("Providers"),
        queryset=Provider.objects.none(),
        required=False,
        help_text=_("None chosen: every provider."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    client_type = _values(_("Client type"), _("Any type"), ClientType.choices)
    client_gender = _values(_("Gender"), _("Any gender"), Gender.choices)
    service_type = _values(_("Service type"), _("Any service"), ServiceType.choices)
    client_sector = _values(_("Sector"), _("All sectors"), [])
    client_city = _values(_("City"), _("All cities"), [])
    basis = forms.CharField(
        label=_("Reports counted"),
        required=False,
        widget=forms.Select(choices=Basis.choices),
    )

    def __init__(
        self,
        *args: Any,
        providers: QuerySet[Provider],
        default_span: tuple[date, date],
        fixed_providers: frozenset[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_span = default_span
        self.fixed_providers = fixed_providers
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelMultipleChoiceField)
        provider_field.queryset = providers
        if fixed_providers is not None:
            provider_field.widget = forms.MultipleHiddenInput()
        sector = self.fields["client_sector"]
        assert isinstance(sector, ValuesField)
        sector.choices = [
            ("", _("All sectors")),
            *((str(s.pk), s.name) for s in Sector.objects.all()),
        ]
        city = self.fields["client_city"]
        assert isinstance(city, ValuesField)
        city.choices = [("", _("All cities")), *((str(c.pk), c.name) for c in City.objects.all())]

    def clean_first(self) -> date:
        text = self.cleaned_data.get("first") or ""
        return _engine_checked(lambda: month_parse(text, "first")) if text else self.default_span[0]

    def clean_last(self) -> date:
        text = self.cleaned_data.get("last") or ""
        return _engine_checked(lambda: month_parse(text, "last")) if text else self.default_span[1]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        data["scope"] = _engine_checked(lambda: self._scope(data))
        return data

    def _scope(self, data: dict[str, Any]) -> Scope:
        chosen = data.get("provider")
        providers = frozenset(provider.pk for provider in chosen) if chosen else None
        if self.fixed_providers is not None:
            providers = self.fixed_providers
        filters = {name: frozenset(data[name]) for name in DIMENSIONS if data.get(name)}
        basis = data.get("basis") or Basis.APPROVED
        return Scope(data["first"], data["last"], providers, filters, basis)

    def scope(self) -> Scope:
        """Return the scope asked for (the form must be valid)."""
        return self.cleaned_data["scope"]


def _indicator_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for indicator in definitions.AVAILABLE:
        family = str(definitions.FAMILY_NAMES[indicator.family])
        groups.setdefault(family, []).append((indicator.id, str(indicator.name)))
    return list(groups.items())


class IndicatorsField(forms.MultipleChoiceField):
    """Indicator ids, checked by the engine (a wrong one gets the engine's message)."""

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        _engine_checked(lambda: indicators_check(value))


class GroupingField(forms.CharField):
    """One grouping of the engine, or none; checked by the engine."""

    def __init__(self, *, names: Sequence[str], **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.names = names

    def clean(self, value: Any) -> str:
        name = super().clean(value) or ""
        if not name:
            return ""
        _engine_checked(lambda: indicators_check((), [name]))
        if name not in self.names:
            # A grouping of the engine, but not one this field takes (a period where a
            # dimension is asked for, or the other way round).
            raise ValidationError(
                _("“%(name)s” cannot be chosen here (%(choices)s).")
                % {"name": name, "choices": ", ".join(self.names)}
            )
        return name


class ExploreForm(ScopeForm):
    """The explorer: indicators, one dimension and one period to group by, and the scope."""

    indicator = IndicatorsField(
        label=_("Indicators"),
        choices=_indicator_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    group_by = GroupingField(label=_("Group by"), names=GROUPINGS)
    period = GroupingField(label=_("Period"), names=TIME_GRAINS)

    field_order = ["indicator", "group_by", "period", "first", "last", "provider"]
    DEFAULT_INDICATORS = ("attentions", "income", "end_user_share")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = GROUPING_NAMES
        self.fields["group_by"].widget = forms.Select(
            choices=[("", _("Nothing: the whole scope"))]
            + [(name, names[name]) for name in GROUPINGS]
        )
        self.fields["period"].widget = forms.Select(
            choices=[("", _("The whole span at once"))]
            + [(name, names[name]) for name in TIME_GRAINS]
        )

    def clean_indicator(self) -> list[str]:
        return self.cleaned_data.get("indicator") or list(self.DEFAULT_INDICATORS)


class RowsForm(ScopeForm):
    """The rows behind a figure: its scope, and the indicator whose cell was opened."""

    indicator = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_indicator(self) -> str:
        name = self.cleaned_data.get("indicator") or ""
        if name:
            _engine_checked(lambda: indicators_check([name]))
        return name


class SpanForm(PageForm):
    """How a dashboard shows figures over time, and which year its income table shows."""

    span = forms.ChoiceField(label=_("Over time"), required=False, choices=list(SPANS.items()))
    year = forms.IntegerField(
        label=_("Year of the income table"), required=False, min_value=1900, max_value=2999
    )

    def clean_span(self) -> str:
        return self.cleaned_data.get("span") or "years"


class BenchmarkForm(PageForm):
    """A benchmark's period (a month, a quarter or a year) and peer group."""

    period = forms.CharField(label=_("Period"), required=False)
    peer_group = forms.CharField(label=_("Compared with"), required=False)

    def __init__(
        self,
        *args: Any,
        periods: list[tuple[str, list[tuple[str, str]]]],
        peer_groups: dict[str, Any],
        default_period: Period | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_period = default_period
        self.fields["period"].widget = forms.Select(choices=periods)
        self.fields["peer_group"].widget = forms.Select(choices=list(peer_groups.items()))

    def clean_period(self) -> Period | None:
        text = self.cleaned_data.get("period") or ""
        if not text:
            return self.default_period
        return _engine_checked(lambda: period_parse(text))

    def clean_peer_group(self) -> str:
        return self.cleaned_data.get("peer_group") or PeerGroup.ALL
