"""Forms of the workshops and concertations (ateliers, réunions publiques, forums, concertations)."""

from django import forms

from actions.models import Action
from ctg.forms import CtgModelForm
from ctg.models import Convention
from evaluation.enums import WorkshopKind
from evaluation.models import Workshop

NEGATIVE_COUNT = "Un nombre de participants ne peut pas être négatif."
NOT_A_COUNT = "Indiquez un nombre entier de participants (0 si personne)."


class WorkshopForm(CtgModelForm):
    """An atelier or a concertation of one convention: its axes and actions are chosen among that convention's."""

    class Meta:
        model = Workshop
        fields = [
            "held_on",
            "kind",
            "topic",
            "place",
            "axes",
            "actions",
            "inhabitants",
            "professionals",
            "outcomes",
            "proposals",
        ]
        widgets = {
            "outcomes": forms.Textarea(attrs={"rows": 5}),
            "proposals": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "place": "Par exemple : ludothèque, salle des fêtes, école Palissy.",
            "actions": "Les fiches actions dont l'atelier a traité.",
            "outcomes": "Constats, besoins exprimés, avis des participants.",
            "proposals": "Une proposition par ligne : elles sont reprises sur la page « Propositions pour la "
            "prochaine CTG ».",
        }

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axes"].queryset = convention.axes.order_by("order", "code")
        self.fields["actions"].queryset = Action.objects.of_convention(convention).order_by("code")
        for name in ("inhabitants", "professionals"):
            field = self.fields[name]
            # Field messages override those of the validators with the same code (here `min_value`).
            field.error_messages |= {"min_value": NEGATIVE_COUNT, "invalid": NOT_A_COUNT}
            field.widget.attrs["inputmode"] = "numeric"


class WorkshopFilterForm(forms.Form):
    """The list's filters: a GET form whose wrong values are ignored rather than refused."""

    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False, empty_value=None)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous les types"), *WorkshopKind.choices])

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        years = reversed(convention.years)
        self.fields["annee"].choices = [("", "Toutes les années"), *((year, year) for year in years)]

    def value(self, name: str):
        """The cleaned value of a filter, None when absent or wrong."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None
