import hashlib
import json
from datetime import date, datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms import BoundField
from django.forms.models import model_to_dict
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils import formats, timezone

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


PARENT_GONE = (
    "L'élément « {name} » auquel se rattache cette saisie vient d'être supprimé par une autre personne : "
    "rien n'a été enregistré."
)


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

    def _update_errors(self, errors):
        """A rule broken on a parent key set by the view (the partner of a contact deleted meanwhile…) is the
        form's own error: it has no field to show it under, and Django would raise rather than show it."""
        if hasattr(errors, "error_dict"):
            foreign = [name for name in errors.error_dict if name != NON_FIELD_ERRORS and name not in self.fields]
            for name in foreign:
                messages = errors.error_dict.pop(name)
                field = self._meta.model._meta.get_field(name)
                if isinstance(field, models.ForeignKey) and any(m.code == "invalid" for m in messages):
                    messages = [forms.ValidationError(PARENT_GONE.format(name=field.verbose_name), code="gone")]
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(messages)
        super()._update_errors(errors)

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


STALE_RECORD = (
    "{author} a enregistré une modification de « {record} »{date} pendant que vous faisiez la vôtre. "
    "Votre saisie est conservée ci-dessous ; les valeurs enregistrées entre-temps sont indiquées sous chaque champ "
    "concerné. Vérifiez, puis enregistrez à nouveau pour confirmer."
)
SOMEONE_ELSE = "Une autre personne"


def _digest(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        value = json.dumps(sorted(obj.pk for obj in field.value_from_object(instance)))
    else:
        value = str(field.value_to_string(instance))
    return hashlib.sha256(f"{name}={value}".encode()).hexdigest()[:12]


def record_fingerprint(instance: models.Model, names: list[str]) -> str:
    """A digest of each saved value of `instance`'s fields `names`, in that order."""
    return ".".join(_digest(instance, name) for name in names)


def changed_since(fingerprint: str, instance: models.Model, names: list[str]) -> list[str]:
    """The fields `names` whose saved value is no longer the one `fingerprint` was taken of (all of them when it
    was taken of other fields)."""
    sent = fingerprint.split(".")
    if len(sent) != len(names):
        return list(names)
    return [name for name, digest in zip(names, sent, strict=True) if digest != _digest(instance, name)]


def saved_display(instance: models.Model, name: str) -> str:
    """A field's saved value as the user reads it: the label of a choice, a date in French, a file's name."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if field.many_to_many:
        return ", ".join(str(obj) for obj in value.all()) or "—"
    if field.choices and value not in (None, ""):
        return getattr(instance, f"get_{name}_display")()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (date, datetime)):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1] if value else "—"
    return str(value) if value not in (None, "") else "—"


class StaleCheckedForm(CtgModelForm):
    """An edit form that does not silently overwrite what someone else saved since it was shown (an optimistic
    check without a version column).

    The form carries, hidden, a fingerprint of the record's saved values of its own fields as they were when it
    was served (a digest per field). It is checked against the row read afresh under its lock
    (`ctg.views.helpers.form_page` locks before validating): when a field was saved meanwhile with a value other
    than the one this person sends, nothing is saved and the form comes back with the input kept, a message
    saying who saved meanwhile (when the record keeps a history), and the saved value under each such field, as
    the fiche action does. The fingerprint is then the current one, so that submitting again confirms. A form
    posted without a fingerprint (a page served before this check) is saved as before."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts: dict[str, str] = {}
        if self.instance.pk is None:
            del self.fields["fingerprint"]
        else:
            self.fields["fingerprint"].initial = record_fingerprint(self.instance, self._meta.fields)

    def clean(self):
        cleaned = super().clean()
        sent = cleaned.get("fingerprint")
        if self.instance.pk is not None and sent:
            self._check_saved_meanwhile(sent)
        return cleaned

    def _check_saved_meanwhile(self, sent: str) -> None:
        names = list(self._meta.fields)
        meanwhile = changed_since(sent, self.instance, names)
        if not meanwhile:
            return
        saved = model_to_dict(self.instance, fields=meanwhile)
        for name in meanwhile:
            if name in self.fields and self.fields[name].has_changed(saved.get(name), self[name].data):
                self.conflicts[name] = saved_display(self.instance, name)
        if self.conflicts:
            self.add_error(None, self.stale_message())
            self.data = self.data.copy()
            self.data[self.add_prefix("fingerprint")] = record_fingerprint(self.instance, names)

    def stale_message(self) -> str:
        """Who saved meanwhile and when, read from the record's history when it keeps one."""
        history = getattr(self.instance, "history", None)
        last = history.select_related("history_user").first() if history is not None else None
        author = str(last.history_user) if last is not None and last.history_user else SOMEONE_ELSE
        when = f" le {formats.date_format(timezone.localtime(last.history_date), 'd/m/Y à H:i')}" if last else ""
        return STALE_RECORD.format(author=author, record=self.instance, date=when)


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


class ConventionForm(StaleCheckedForm):
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


class SignatoryForm(StaleCheckedForm):
    class Meta:
        model = Signatory
        fields = ["organisation", "person", "title", "signed_on"]


class AmendmentForm(StaleCheckedForm):
    class Meta:
        model = Amendment
        fields = ["number", "signed_on", "subject", "description"]


class AxisForm(StaleCheckedForm):
    class Meta:
        model = Axis
        fields = ["code", "title", "theme", "description", "order"]


class ObjectiveForm(StaleCheckedForm):
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


class TerritoryForm(StaleCheckedForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "code", "parent", "is_qpv"]


class ServiceForm(StaleCheckedForm):
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
