"""Forms of the satisfaction surveys: the builder (survey, questions), the public answer form, and the form
that records a result as an indicator's value."""

from django import forms
from django.db.models import Q

from actions.models import Action
from ctg.forms import CtgModelForm
from evaluation.enums import QuestionKind
from evaluation.models import (
    CHOICES_NEEDED,
    YEAR_OUT_OF_RANGE,
    Question,
    Survey,
)

CHOICES_REPEATED = "Le choix « {} » figure deux fois."
KIND_LOCKED = (
    "Cette question a déjà reçu des réponses : son type ne peut plus changer. Créez plutôt une nouvelle question."
)
ANSWER_REQUIRED = "Cette question est obligatoire : choisissez une réponse."
TEXT_REQUIRED = "Cette question est obligatoire : écrivez votre réponse."
TEXT_MAX_LENGTH = 2000
TEXT_TOO_LONG = "Votre réponse est trop longue : 2 000 caractères au plus."
CHOICE_UNKNOWN = "Choisissez l'une des réponses proposées."

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
# The labels of the 1–5 scale, shown next to each radio button of the public page and in the results.
SCALE_LABELS = {
    1: "Pas du tout satisfait",
    2: "Peu satisfait",
    3: "Moyennement satisfait",
    4: "Satisfait",
    5: "Très satisfait",
}
YES_NO = ("Oui", "Non")
# The honeypot: a text field people never see (moved off-screen by CSS, hidden from assistive technologies,
# out of the tab order, never autofilled) but that form-filling robots fill in. Its name looks worth filling.
HONEYPOT = "site_web"


def scale_choices() -> list[tuple[str, str]]:
    return [(str(score), f"{score} – {label}") for score, label in SCALE_LABELS.items()]


class SurveyForm(CtgModelForm):
    """Title, welcome text, dates and evaluated actions (those of the survey's convention)."""

    class Meta:
        model = Survey
        fields = ["title", "introduction", "opens_on", "closes_on", "actions"]
        help_texts = {
            "introduction": "Affiché en tête de la page publique : pourquoi cette enquête, en combien de temps.",
            "closes_on": "Dernier jour où l'on peut répondre.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        linked = Q(pk__in=self.instance.actions.all()) if self.instance.pk else Q(pk__in=[])
        actions = Action.objects.of_convention(self.instance.convention).filter(Q(archived_at__isnull=True) | linked)
        self.fields["actions"].queryset = actions.order_by("code")
        self.fields["actions"].label_from_instance = lambda action: f"{action.code} – {action.title}"


class QuestionForm(CtgModelForm):
    """A question; its choices, one per line, are required (two at least) for the choice kinds only, and
    stored cleaned (trimmed, one per line). A question that has answers keeps its kind."""

    class Meta:
        model = Question
        fields = ["text", "help_text", "kind", "required", "choices"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "help_text": "Facultatif : une précision affichée sous la question.",
            "choices": "Un choix par ligne, pour les questions à choix unique ou multiple.",
        }

    def __init__(self, *args, has_answers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_answers = has_answers

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if self.has_answers and kind and kind != self.instance.kind:
            self.add_error("kind", KIND_LOCKED)
        if kind in CHOICE_KINDS:
            lines = [line.strip() for line in cleaned.get("choices", "").splitlines() if line.strip()]
            seen = set()
            for line in lines:
                if line.casefold() in seen:
                    self.add_error("choices", CHOICES_REPEATED.format(line))
                    break
                seen.add(line.casefold())
            if len(lines) < 2:
                self.add_error("choices", CHOICES_NEEDED)
            cleaned["choices"] = "\n".join(lines)
        elif kind:
            cleaned["choices"] = ""
        return cleaned


class AnswerForm(forms.Form):
    """The public answer form: one field `q<pk>` per question, and the honeypot (the signed one-time nonce
    is read by the view).

    `answers()` gives, once valid, the (question, value, score) rows to store: a multiple choice gives one
    row per ticked choice, an optional question left blank gives none."""

    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields[HONEYPOT] = forms.CharField(required=False)
        for question in questions:
            self.fields[f"q{question.pk}"] = self.question_field(question)

    @staticmethod
    def question_field(question: Question) -> forms.Field:
        errors = {"required": ANSWER_REQUIRED, "invalid_choice": CHOICE_UNKNOWN}
        options = {"required": question.required, "label": question.text, "error_messages": errors}
        if question.kind == QuestionKind.SCALE:
            return forms.ChoiceField(choices=scale_choices(), widget=forms.RadioSelect, **options)
        if question.kind == QuestionKind.YES_NO:
            return forms.ChoiceField(choices=[(v, v) for v in YES_NO], widget=forms.RadioSelect, **options)
        if question.kind == QuestionKind.SINGLE:
            choices = [(choice, choice) for choice in question.choice_list]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
        if question.kind == QuestionKind.MULTIPLE:
            choices = [(choice, choice) for choice in question.choice_list]
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **options)
        errors = {"required": TEXT_REQUIRED, "max_length": TEXT_TOO_LONG}
        return forms.CharField(
            required=question.required,
            label=question.text,
            max_length=TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages=errors,
        )

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def rows(self):
        """(question, bound field) in the questions' order, for the template."""
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def answers(self) -> list[tuple[Question, str, int | None]]:
        rows = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == QuestionKind.MULTIPLE:
                rows += [(question, choice, None) for choice in value or []]
            elif question.kind == QuestionKind.SCALE and value:
                rows.append((question, value, int(value)))
            elif value:
                rows.append((question, value.replace("\r\n", "\n").strip(), None))
        return [row for row in rows if row[1]]


class RecordMeasurementForm(forms.Form):
    """Record the share of 4 and 5 of a scale question as the value of one of the convention's indicators.

    The indicators are given as (pk, label) choices read once for every form of the results page."""

    indicator = forms.TypedChoiceField(label="Indicateur", coerce=int)
    year = forms.IntegerField(
        label="Année",
        min_value=1990,
        max_value=2100,
        error_messages={"min_value": YEAR_OUT_OF_RANGE, "max_value": YEAR_OUT_OF_RANGE},
    )

    def __init__(self, *args, indicator_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "Choisissez un indicateur")] + indicator_choices
        self.fields["indicator"].error_messages["required"] = "Choisissez l'indicateur à renseigner."
