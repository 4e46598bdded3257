from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import formats, timezone

from actions.models import CODE_TAKEN, Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from ctg.enums import TerritoryKind
from ctg.forms import CtgModelForm
from ctg.models import Convention, Objective, Territory

STALE_EDIT = (
    "Cette fiche a été modifiée par {author} le {date} pendant que vous la modifiiez. "
    "Votre saisie est conservée ci-dessous ; les valeurs enregistrées entre-temps sont indiquées sous chaque champ "
    "concerné. Vérifiez, puis enregistrez à nouveau pour confirmer."
)


class ActionForm(CtgModelForm):
    """The fiche action, protected against silent overwrites by a version number (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "code",
            "title",
            "objective",
            "finding",
            "description",
            "pilot_service",
            "pilot_name",
            "publics",
            "territories",
            "start_date",
            "end_date",
            "priority",
            "human_resources",
            "related_plans",
            "participation",
        ]

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.convention = convention
        self.fields["version"].initial = self.instance.version
        self.fields["objective"].queryset = (
            Objective.objects.filter(axis__convention=convention)
            .select_related("axis")
            .order_by("axis__order", "code")
        )
        self.fields["territories"].queryset = Territory.objects.filter(kind=TerritoryKind.DISTRICT)
        self.conflicts: dict[str, str] = {}

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Action.objects.of_convention(self.convention).filter(code__iexact=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(CODE_TAKEN)
        return code

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") != self.instance.version:
            self._report_stale_edit()
        return cleaned

    def _report_stale_edit(self):
        """Tell who saved in between, show the saved value of each field they changed, and accept the
        next submission (its version is now the current one)."""
        last = self.instance.history.select_related("history_user").first()
        author = last.history_user if last and last.history_user else "une autre personne"
        date = formats.date_format(timezone.localtime(last.history_date), "d/m/Y à H:i") if last else ""
        self.add_error(None, STALE_EDIT.format(author=author, date=date))
        for name in self.changed_fields_against_saved():
            self.conflicts[name] = self._saved_display(name)
        self.data = self.data.copy()
        self.data["version"] = self.instance.version

    def changed_fields_against_saved(self) -> list[str]:
        changed = []
        for name in self._meta.fields:
            if name not in self.cleaned_data:
                continue
            submitted = self.cleaned_data[name]
            saved = self.fields[name].prepare_value(getattr(self.instance, name))
            if name in ("publics", "territories"):
                submitted = {obj.pk for obj in submitted}
                saved = set(getattr(self.instance, name).values_list("pk", flat=True))
            elif hasattr(submitted, "pk"):
                submitted = submitted.pk
            if submitted != saved and not (submitted in (None, "") and saved in (None, "")):
                changed.append(name)
        return changed

    def _saved_display(self, name: str) -> str:
        value = getattr(self.instance, name)
        if name in ("publics", "territories"):
            return ", ".join(str(obj) for obj in value.all()) or "—"
        display = getattr(self.instance, f"get_{name}_display", None)
        if display:
            return display()
        if hasattr(value, "strftime"):
            return formats.date_format(value, "d/m/Y")
        return str(value) if value not in (None, "") else "—"

    def save(self, commit=True):
        """A new fiche is inserted whole. An edit writes only the form's fields and the version: status and
        progress (points d'étape) and archiving are written by their own services, never reverted from here."""
        action = self.instance
        if action.pk is None or not commit:
            if action.pk is not None:
                action.version += 1
            return super().save(commit)
        action.version += 1
        own = [name for name in self._meta.fields if not action._meta.get_field(name).many_to_many]
        try:
            action.save(update_fields=[*own, "version"])
        except Exception:
            action.version -= 1  # the form may be shown again (an error under the lock): keep its version
            raise
        self._save_m2m()
        return action


class ProgressUpdateForm(CtgModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["status", "progress", "done", "difficulties", "next_steps"]
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
            "done": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }


class ChangedFieldsForm(CtgModelForm):
    """An edit form that sends, hidden, the value each field had when it was shown, so that `changed_data` is
    what this person changed: saving writes only those fields (see `actions.services.action_part_save`), and
    what someone else saved meanwhile in the other fields is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for field in self.fields.values():
                field.show_hidden_initial = True


class MilestoneForm(ChangedFieldsForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]


class BudgetLineForm(ChangedFieldsForm):
    class Meta:
        model = BudgetLine
        fields = ["year", "nature", "funder", "planned", "actual"]


class BudgetActualForm(ChangedFieldsForm):
    """What a service head may change on a budget line: the amount actually spent."""

    class Meta:
        model = BudgetLine
        fields = ["actual"]


class ActionPartnerForm(CtgModelForm):
    """Offers the partners not yet associated with the action. One associated meanwhile (another tab, another
    person, a double click) is refused with the unique constraint's own message, not "Sélectionnez un choix
    valide": the field accepts every partner, only its list leaves out those already there."""

    class Meta:
        model = ActionPartner
        fields = ["partner", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        taken = ActionPartner.objects.filter(action=self.instance.action).values("partner")
        offered = ModelChoiceIterator(field)
        offered.queryset = field.queryset.exclude(pk__in=taken)
        field.widget.choices = offered
