"""Forms of the evaluation of actions: six criteria, each rated with its justification, and a recommendation."""

from dataclasses import dataclass

from django import forms
from django.forms import BoundField
from django.utils import formats, timezone

from actions.models import Action
from ctg.forms import CtgModelForm
from ctg.models import Convention, User
from evaluation.enums import CRITERIA, AssessmentKind, Rating, Recommendation
from evaluation.models import RATING_NEEDS_NOTE, Assessment

NOT_RATED = "Non évalué"
NO_RECOMMENDATION = "Pas encore de recommandation"
STALE_EDIT = (
    "Cette évaluation a été enregistrée par {author} le {date} pendant que vous la modifiiez : rien n'a été "
    "enregistré. Votre saisie est conservée ci-dessous ; la valeur enregistrée entre-temps est indiquée sous "
    "chaque champ concerné. Vérifiez, puis enregistrez à nouveau pour confirmer."
)

# The question each criterion answers, shown next to it in the grid.
QUESTIONS = {
    "relevance": "L'action répond-elle aux besoins repérés par le diagnostic ?",
    "coherence": "S'articule-t-elle avec les autres actions et dispositifs du territoire (PEDT, contrat de ville…) ?",
    "effectiveness": "Les résultats attendus sont-ils atteints ?",
    "efficiency": "Les résultats sont-ils à la mesure des moyens mobilisés (budget, personnel, temps) ?",
    "impact": "Quels effets, attendus ou non, sur les publics et sur le territoire ?",
    "sustainability": "Ses effets et son fonctionnement peuvent-ils durer (financement, portage, partenaires) ?",
}

ASSESSMENT_FIELDS = [
    *(name for criterion, _ in CRITERIA for name in (criterion, f"{criterion}_note")),
    "recommendation",
    "recommendation_note",
]


def edit_token(assessment: Assessment) -> str:
    """What an edit form remembers of the row it showed: its last save."""
    return assessment.updated_at.isoformat()


@dataclass
class CriterionRow:
    """One line of the grid: the criterion, its rating radios and its justification."""

    name: str
    label: str
    question: str
    rating: BoundField
    note: BoundField


class AssessmentForm(CtgModelForm):
    """Edit the ratings, justifications and recommendation of one evaluation. Protected against silent
    overwrites: `seen` holds the last save the form was shown with (optimistic locking)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = ASSESSMENT_FIELDS
        widgets = {
            **{f"{criterion}_note": forms.Textarea(attrs={"rows": 3}) for criterion, _ in CRITERIA},
            "recommendation_note": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            **{f"{criterion}_note": "Justification" for criterion, _ in CRITERIA},
            "recommendation_note": "Précisions",
        }
        help_texts = {
            "recommendation_note": "Ce qu'il faut changer, pérenniser ou arrêter, et avec qui : la recommandation "
            "nourrit la prochaine CTG."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, label in CRITERIA:
            rating = self.fields[criterion]
            rating.widget = forms.RadioSelect()
            rating.choices = [("", NOT_RATED), *Rating.choices]
            rating.label = label
        recommendation = self.fields["recommendation"]
        recommendation.widget = forms.RadioSelect()
        recommendation.choices = [("", NO_RECOMMENDATION), *Recommendation.choices]
        if self.instance.pk is not None:
            self.fields["seen"].initial = edit_token(self.instance)
        self.conflicts: dict[str, str] = {}

    @property
    def criteria(self) -> list[CriterionRow]:
        return [
            CriterionRow(criterion, label, QUESTIONS[criterion], self[criterion], self[f"{criterion}_note"])
            for criterion, label in CRITERIA
        ]

    def clean(self):
        cleaned = super().clean()
        for criterion, _ in CRITERIA:
            note = f"{criterion}_note"
            if cleaned.get(criterion) is not None and not cleaned.get(note) and note not in self.errors:
                self.add_error(note, RATING_NEEDS_NOTE)
        if self.instance.pk is not None and cleaned.get("seen") != edit_token(self.instance):
            self._report_stale_edit()
        return cleaned

    def _report_stale_edit(self) -> None:
        """`self.instance` is the row as saved now (the view locked and re-read it): say who saved it, show
        its value under each field the user's input differs from, and let the next submission confirm."""
        saved = self.instance
        date = formats.date_format(timezone.localtime(saved.updated_at), "d/m/Y à H:i")
        self.add_error(None, STALE_EDIT.format(author=saved.author or "une autre personne", date=date))
        for name in ASSESSMENT_FIELDS:
            if name in self.cleaned_data and self.cleaned_data[name] != getattr(saved, name):
                self.conflicts[name] = self._saved_display(name)
        self.data = self.data.copy()
        self.data["seen"] = edit_token(saved)

    def _saved_display(self, name: str) -> str:
        value = getattr(self.instance, name)
        if name in dict(CRITERIA):
            return Rating(value).label if value is not None else NOT_RATED
        if name == "recommendation":
            return Recommendation(value).label if value else NO_RECOMMENDATION
        return value or "(vide)"

    def save_by(self, user: User) -> Assessment:
        """Save as `user`'s work. An edit writes only the form's fields (and who saved, when)."""
        assessment = self.save(commit=False)
        assessment.author, assessment.updated_at = user, timezone.now()
        if assessment._state.adding:
            assessment.save()
        else:
            assessment.save(update_fields=[*self._meta.fields, "author", "updated_at"])
        return assessment


class AssessmentCreateForm(AssessmentForm):
    """A new evaluation: of which action of the convention, annual or final, for which year."""

    year = forms.TypedChoiceField(label="Année évaluée", coerce=int)

    class Meta(AssessmentForm.Meta):
        fields = ["action", "kind", "year", *ASSESSMENT_FIELDS]
        labels = {**AssessmentForm.Meta.labels, "action": "Action évaluée"}
        widgets = {**AssessmentForm.Meta.widgets, "kind": forms.RadioSelect}
        help_texts = {
            **AssessmentForm.Meta.help_texts,
            "kind": "L'évaluation annuelle accompagne le bilan de l'année ; l'évaluation finale clôt la CTG.",
        }

    def __init__(self, *args, convention: Convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.of_convention(convention).order_by("code")
        self.fields["kind"].choices = AssessmentKind.choices
        self.fields["year"].choices = [(year, year) for year in convention.years]
