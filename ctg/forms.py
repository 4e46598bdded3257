from django import forms
from django.db import models
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting
from django.urls import reverse

from ctg.enums import ObjectiveLevel, ServiceKind
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory, User
from ctg.validators import validate_logo


class CtgBoundField(BoundField):
    @property
    def conflict(self) -> str | None:
        """The value saved by someone else meanwhile, when the form reports a stale edit."""
        return getattr(self.form, "conflicts", {}).get(self.name)


class FormRenderer(TemplatesSetting):
    """Our own markup for every form: label, help, errors next to the field (RGAA)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = CtgBoundField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CtgModelForm(forms.ModelForm):
    """Base model form: native date pickers, short text areas, checkbox lists instead of multi-selects."""

    required_css_class = "is-required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            elif isinstance(field.widget, forms.Textarea) and "rows" not in field.widget.attrs:
                field.widget.attrs["rows"] = 3
            elif isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)

    def clean(self):
        """Browsers send text areas with CRLF line ends: store LF, so that a text left untouched is not
        recorded in the history as changed."""
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea) and isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        return cleaned

    def _get_validation_exclusions(self):
        """Parent keys set by the view (the convention of an axis, the action of a jalon…) are not form
        fields, yet unique constraints involving them must be checked before saving, not by the database."""
        exclude = super()._get_validation_exclusions()
        return {
            name
            for name in exclude
            if not (
                isinstance(self._meta.model._meta.get_field(name), models.ForeignKey)
                and getattr(self.instance, f"{name}_id", None) is not None
            )
        }


class LogoInput(forms.ClearableFileInput):
    """A logo field whose current file links to the page that serves it (uploaded files are not public)."""

    template_name = "forms/logo_input.html"
    initial_text = "Logo actuel"
    clear_checkbox_label = "Retirer ce logo"
    url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _LinkedFile(str(value), self.url)
        return context


class _LinkedFile(str):
    def __new__(cls, name: str, url: str):
        linked = super().__new__(cls, name.rsplit("/", 1)[-1])
        linked.url = url
        return linked


class ConventionForm(CtgModelForm):
    class Meta:
        model = Convention
        fields = [
            "name",
            "status",
            "territory",
            "caf_name",
            "collectivity_name",
            "start_date",
            "end_date",
            "signed_on",
            "stale_after_days",
            "description",
            "collectivity_logo",
            "caf_logo",
        ]
        widgets = {"collectivity_logo": LogoInput, "caf_logo": LogoInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in ("collectivity", "caf"):
            field = self.fields[f"{kind}_logo"]
            # Checked here too: only the form's upload knows its image format (the model sees a stored file).
            field.validators.append(validate_logo)
            widget = field.widget
            widget.attrs["accept"] = "image/png,image/jpeg"
            if self.instance.pk:
                widget.url = reverse("ctg:convention_logo", args=[self.instance.pk, kind])


class SignatoryForm(CtgModelForm):
    class Meta:
        model = Signatory
        fields = ["organisation", "person", "title", "signed_on"]


class AmendmentForm(CtgModelForm):
    class Meta:
        model = Amendment
        fields = ["number", "signed_on", "subject", "description"]


class AxisForm(CtgModelForm):
    class Meta:
        model = Axis
        fields = ["code", "title", "theme", "description", "order"]


class ObjectiveForm(CtgModelForm):
    class Meta:
        model = Objective
        fields = ["axis", "level", "parent", "code", "title", "description", "order"]

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].queryset = convention.axes.all()
        self.fields["parent"].queryset = (
            Objective.objects.filter(axis__convention=convention, level=ObjectiveLevel.STRATEGIC)
            .exclude(pk=self.instance.pk)
            .select_related("axis")
        )
        self.fields[
            "parent"
        ].help_text = "Obligatoire pour un objectif opérationnel, vide pour un objectif stratégique."


class TerritoryForm(CtgModelForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "code", "parent", "is_qpv"]


class ServiceForm(CtgModelForm):
    class Meta:
        model = Service
        fields = ["name", "kind", "parent", "head"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Service.objects.filter(kind=ServiceKind.DIRECTION).exclude(
            pk=self.instance.pk
        )
        members = User.objects.filter(service=self.instance) if self.instance.pk else User.objects.none()
        self.fields["head"].queryset = members
        self.fields["head"].help_text = "Parmi les personnes rattachées à ce service."
