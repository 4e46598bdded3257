from django import forms
from django.utils import timezone

from ctg.forms import CtgModelForm, DateInput
from reports.enums import TransmissionChannel
from reports.models import NARRATIVE_FIELDS, AnnualReport

NARRATIVE_HELP = {
    "synthesis": "Le bilan de l'année en quelques paragraphes : ce qui a avancé, ce qui reste à faire.",
    "highlights": "Un fait par ligne : ouvertures, événements, partenariats nouveaux…",
    "difficulties": "Ce qui a freiné les actions et comment vous y avez répondu.",
    "coordination_activity": "Instances préparées, réseaux animés, ateliers, enquêtes, partenariats.",
    "outlook": "Priorités de l'année suivante, fiches nouvelles ou ajustées, avenant éventuel.",
}


class NarrativeForm(CtgModelForm):
    """The parts of the bilan the coordination writes. The form only validates: `bilan_save_narrative`
    saves, under a lock, if nobody saved since `version` was read."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnnualReport
        fields = NARRATIVE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in NARRATIVE_FIELDS}
        help_texts = NARRATIVE_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.conflicts: dict[str, str] = {}

    def report_stale_edit(self, saved: AnnualReport, message: str) -> None:
        """Keep the input, show the saved text under each part that differs, and let the next submission
        confirm (its version becomes the saved one)."""
        self.add_error(None, message)
        for name in NARRATIVE_FIELDS:
            if self.cleaned_data.get(name, "") != getattr(saved, name):
                self.conflicts[name] = getattr(saved, name) or "(vide)"
        self.data = self.data.copy()
        self.data["version"] = saved.version

    def narrative(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in NARRATIVE_FIELDS}


class TransmitForm(forms.Form):
    transmitted_on = forms.DateField(label="Date de transmission", widget=DateInput())
    channel = forms.ChoiceField(label="Canal", choices=TransmissionChannel.choices)

    required_css_class = "is-required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transmitted_on"].initial = timezone.localdate()


class CafRemarksForm(forms.Form):
    received_on = forms.DateField(label="Reçues le", widget=DateInput())
    remarks = forms.CharField(label="Remarques de la CAF", widget=forms.Textarea(attrs={"rows": 8}))

    required_css_class = "is-required"

    def __init__(self, *args, report: AnnualReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = report.caf_remarks_on or timezone.localdate()
        self.fields["remarks"].initial = report.caf_remarks
