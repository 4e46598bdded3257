"""The indicator's definition with its targets per year, the list's filters, and the form of one value."""

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q

from actions.models import Action
from ctg.forms import CtgModelForm
from ctg.models import Axis, Convention, Objective, Service
from evaluation.enums import Frequency, IndicatorKind, IndicatorStatus, Period
from evaluation.models import Indicator, IndicatorTarget
from evaluation.numbers import FrenchDecimalField

YEARS_CHANGED = "Les années de la convention ont changé pendant la saisie : rechargez la page."
ATTACHMENT_HELP = "Une action, un objectif ou un axe : un seul. Aucun pour un indicateur de la CTG elle-même."

# The periods a value may cover, by the indicator's frequency: always the whole year (what statuses read).
QUARTERS = [Period.Q1, Period.Q2, Period.Q3, Period.Q4]
MONTHS = [period for period in Period if period.value.startswith("M")]
PERIODS = {
    Frequency.YEARLY: [Period.YEAR],
    Frequency.QUARTERLY: [Period.YEAR, *QUARTERS],
    Frequency.MONTHLY: [Period.YEAR, *MONTHS],
}


class IndicatorForm(CtgModelForm):
    """Every field of an indicator; the choices of action, objective and axis are the convention's."""

    baseline_value = FrenchDecimalField(label="Valeur de référence", required=False)
    min_value = FrenchDecimalField(label="Valeur minimale", required=False)
    max_value = FrenchDecimalField(label="Valeur maximale", required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "kind",
            "unit",
            "decimals",
            "direction",
            "source",
            "method",
            "frequency",
            "service",
            "action",
            "objective",
            "axis",
            "baseline_value",
            "baseline_year",
            "min_value",
            "max_value",
            "open_data_key",
        ]
        widgets = {"method": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.convention = convention
        self.fields["service"].queryset = Service.objects.order_by("name")
        self.fields["action"].queryset = Action.objects.of_convention(convention).order_by("code")
        self.fields["objective"].queryset = (
            Objective.objects.filter(axis__convention=convention)
            .select_related("axis")
            .order_by("axis__order", "code")
        )
        self.fields["axis"].queryset = convention.axes.all()
        for name in ("action", "objective", "axis"):
            self.fields[name].empty_label = "Aucun"
        self.fields["service"].empty_label = "Aucun : le service pilote de l'action"
        self.fields["action"].help_text = ATTACHMENT_HELP
        self.fields[
            "service"
        ].help_text = (
            "Le service dont le ou la responsable saisit les valeurs ; à défaut, le service pilote de l'action."
        )

    def _post_clean(self):
        """The model's `clean()` and its check constraint state the same rule: say it once."""
        super()._post_clean()
        if NON_FIELD_ERRORS in self._errors:
            messages = list(dict.fromkeys(self._errors[NON_FIELD_ERRORS]))
            self._errors[NON_FIELD_ERRORS] = self.error_class(messages, error_class="nonfield")


class TargetForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    value = FrenchDecimalField(label="Cible", required=False)


class BaseTargetFormSet(forms.BaseFormSet):
    """One target per year of the convention, in order; an empty box removes that year's target."""

    def __init__(self, *args, indicator: Indicator, convention: Convention, **kwargs):
        self.indicator, self.years = indicator, list(convention.years)
        stored = dict(indicator.targets.values_list("year", "value")) if indicator.pk else {}
        kwargs["initial"] = [{"year": year, "value": stored.get(year)} for year in self.years]
        super().__init__(*args, prefix="targets", **kwargs)
        unit = f" ({indicator.unit})" if indicator.unit else ""
        for year, form in zip(self.years, self.forms, strict=False):
            form.fields["value"].label = f"{year}{unit}"

    def clean(self):
        if any(self.errors):
            return
        if [form.cleaned_data.get("year") for form in self.forms] != self.years:
            raise forms.ValidationError(YEARS_CHANGED)

    def save(self, indicator: Indicator) -> None:
        """Write the targets that changed (the caller holds the indicator's lock): no history line for a
        target left as it was."""
        stored = {target.year: target for target in indicator.targets.filter(year__in=self.years)}
        for form in self.forms:
            year, value = form.cleaned_data["year"], form.cleaned_data.get("value")
            target = stored.get(year)
            if value is None and target is not None:
                target.delete()
            elif value is not None and target is None:
                IndicatorTarget.objects.create(indicator=indicator, year=year, value=value)
            elif value is not None and target.value != value:
                target.value = value
                target.save(update_fields=["value"])


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=0)


class IndicatorFilter(django_filters.FilterSet):
    """Filters of the list; the choices are the convention's. The status is the one of `year`, the year shown."""

    q = django_filters.CharFilter(label="Recherche", method="search", widget=forms.TextInput(attrs={"type": "search"}))
    kind = django_filters.ChoiceFilter(label="Type", choices=IndicatorKind.choices, empty_label="Tous")
    axis = django_filters.ModelChoiceFilter(label="Axe", method="in_axis", queryset=Axis.objects.none())
    service = django_filters.ModelChoiceFilter(label="Service", method="of_service", queryset=Service.objects.all())
    status = django_filters.ChoiceFilter(
        label="Statut", choices=IndicatorStatus.choices, empty_label="Tous", method="in_status"
    )

    class Meta:
        model = Indicator
        fields = []

    def __init__(self, data=None, *args, convention: Convention, year: int, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.year = year
        self.filters["axis"].queryset = convention.axes.all()
        self.filters["service"].queryset = Service.objects.order_by("name")
        for name in ("axis", "service"):
            self.filters[name].extra["empty_label"] = "Tous"

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(source__icontains=value) | Q(unit__icontains=value)
        )

    def in_axis(self, queryset, name, value):
        """Attached to the axis, to one of its objectives, or to an action of one of them."""
        return queryset.filter(Q(axis=value) | Q(objective__axis=value) | Q(action__objective__axis=value))

    def in_status(self, queryset, name, value):
        return queryset.in_status(self.year, value)

    def of_service(self, queryset, name, value):
        """Whose values that service's head enters."""
        return queryset.entered_by(value.pk)


class MeasurementForm(forms.Form):
    """One value of an indicator for a year and a period. `previous` is the value the form showed (empty: none),
    so that a value saved meanwhile is never overwritten silently."""

    year = forms.TypedChoiceField(label="Année", coerce=int)
    period = forms.ChoiceField(label="Période")
    value = FrenchDecimalField(label="Valeur")
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    previous = FrenchDecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicator: Indicator, convention: Convention, **kwargs):
        super().__init__(*args, prefix="value", **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in reversed(convention.years)]
        self.fields["period"].choices = [(period.value, period.label) for period in PERIODS[indicator.frequency]]
        if len(self.fields["period"].choices) == 1:  # a yearly indicator: the whole year, nothing to choose
            self.fields["period"].widget = forms.HiddenInput()
        if indicator.unit:
            self.fields["value"].label = f"Valeur ({indicator.unit})"
        self.fields["value"].help_text = "Par exemple 12,5 ou 1 200."
