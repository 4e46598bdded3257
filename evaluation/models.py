"""Indicators and their values, surveys, workshops and assessments (domain.md §2, §5, §6)."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.models import Action
from ctg.models import END_BEFORE_START, Axis, Convention, Objective, Service
from evaluation.enums import (
    CRITERIA,
    AssessmentKind,
    Direction,
    Frequency,
    IndicatorKind,
    IndicatorStatus,
    Period,
    Provenance,
    QuestionKind,
    Rating,
    Recommendation,
    WorkshopKind,
)

CODE_TAKEN = "Ce code est déjà utilisé par un autre indicateur de cette convention."
ONE_ATTACHMENT = (
    "Un indicateur se rattache à une action, un objectif, un axe ou à la CTG elle-même : un seul des trois."
)
BASELINE_INCOMPLETE = "La valeur de référence et son année vont ensemble : renseignez les deux ou aucune."
BOUNDS_INVERTED = "Le minimum doit être inférieur ou égal au maximum."
TARGET_TAKEN = "Une cible est déjà fixée pour cette année."
VALUE_TAKEN = "Une valeur est déjà enregistrée pour cet indicateur et cette période."
KEY_TAKEN = "Cette donnée ouverte alimente déjà un autre indicateur de cette convention."
YEAR_OUT_OF_RANGE = "Année invalide."
CHOICES_NEEDED = "Indiquez au moins deux choix, un par ligne, pour une question à choix unique ou multiple."
ASSESSMENT_TAKEN = "Cette action a déjà une évaluation de ce type pour cette année."
RATING_NEEDS_NOTE = "Justifiez la note attribuée."

YEAR_VALIDATORS = [MinValueValidator(1990, YEAR_OUT_OF_RANGE), MaxValueValidator(2100, YEAR_OUT_OF_RANGE)]


def year_field(verbose_name: str = "année", **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, validators=YEAR_VALIDATORS, **kwargs)


def year_range(name: str, field: str = "year") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1990, f"{field}__lte": 2100}),
        name=name,
        violation_error_message=YEAR_OUT_OF_RANGE,
    )


# Of an indicator queryset `with_year_measurement`: those without a value for the whole of the year.
MISSING = Q(year_measurement__isnull=True)


class IndicatorQuerySet(models.QuerySet):
    def of_convention(self, convention: Convention):
        return self.filter(convention=convention)

    def context(self):
        """The CTG's own indicators: the territorial diagnostic."""
        return self.filter(kind=IndicatorKind.CONTEXT)

    def entered_by(self, service_id: int | None):
        """The indicators whose values a service's head enters: its own, or those of the actions it pilots.
        Written as two searches of the index `indicator_entry` rather than through a join with every action."""
        piloted = Action.objects.filter(pilot_service_id=service_id).values("pk")
        return self.filter(Q(service_id=service_id) | Q(service__isnull=True, action__in=piloted))

    def awaited(self):
        """The indicators a service owes values for, as the entry grid, the campaign reminders and the dashboard
        count them: those with a responsible service or on a fiche, leaving out archived fiches (few: a list
        rather than a join with every action)."""
        archived = Action.objects.filter(archived_at__isnull=False).values("pk")
        return self.filter(Q(service__isnull=False) | Q(action__isnull=False)).exclude(action__in=archived)

    def with_entering_service(self):
        """Annotate `entering_service`: the service whose head enters the values (the rule of `entered_by`)."""
        return self.annotate(entering_service=Coalesce("service", "action__pilot_service"))

    def with_status(self, year: int):
        """Annotate `value_of_year` and `status` for `year`: the status stored on the year's value (computed by
        the rule of `evaluation.status`), "sans donnée" without one."""
        return self.annotate(value_of_year=value_of(year), status=status_of_year(year))

    def in_status(self, year: int, status: str):
        """Those whose status of `year` is `status`, without annotating it (for filters and counts): the values
        of that status are found once, through their index, rather than probed indicator by indicator."""
        if status == IndicatorStatus.NO_DATA:
            return self.exclude(pk__in=values_of_year(year).exclude(status=IndicatorStatus.NO_DATA))
        return self.filter(pk__in=values_of_year(year).filter(status=status))

    def with_year_measurement(self, year: int):
        """Joined with their value of the whole of `year` (`year_measurement`, null without one): one look-up of
        the unique index per indicator, for counting the missing values (`MISSING`) or keeping them."""
        value = FilteredRelation(
            "measurements", condition=Q(measurements__year=year, measurements__period=Period.YEAR)
        )
        return self.annotate(year_measurement=value)

    def missing_value(self, year: int):
        """Without a value for the whole of `year`."""
        return self.with_year_measurement(year).filter(MISSING)


class Indicator(models.Model):
    """An indicator of the CTG, attached to one action, objective or axis, or to the CTG itself (the context
    indicators of the diagnostic)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("code", max_length=30, help_text="Par exemple : I1.2 ou CTX-TXCOUV.")
    name = models.CharField("intitulé", max_length=250)
    kind = models.CharField("type", max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.OUTPUT)
    unit = models.CharField("unité", max_length=40, blank=True, help_text="Par exemple : %, places, familles.")
    decimals = models.PositiveSmallIntegerField(
        "décimales", default=0, validators=[MaxValueValidator(4, "Quatre décimales au plus.")]
    )
    direction = models.CharField("sens souhaité", max_length=10, choices=Direction.choices, default=Direction.UP)
    source = models.CharField("source", max_length=250, blank=True)
    method = models.TextField("mode de calcul", blank=True)
    frequency = models.CharField("fréquence", max_length=20, choices=Frequency.choices, default=Frequency.YEARLY)
    service = models.ForeignKey(
        Service,
        verbose_name="service responsable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    action = models.ForeignKey(
        Action, verbose_name="action", null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name="objectif",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    axis = models.ForeignKey(
        Axis, verbose_name="axe", null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    baseline_value = models.DecimalField("valeur de référence", max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_year = year_field("année de référence", null=True, blank=True)
    min_value = models.DecimalField(
        "valeur minimale", max_digits=14, decimal_places=4, null=True, blank=True, help_text="Bornes de saisie."
    )
    max_value = models.DecimalField("valeur maximale", max_digits=14, decimal_places=4, null=True, blank=True)
    open_data_key = models.CharField(
        "donnée ouverte CAF",
        max_length=80,
        blank=True,
        help_text="Pour un indicateur de contexte importé : le champ du jeu de données, par exemple txcouv_com.",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                F("convention"), Lower("code"), name="indicator_unique_code", violation_error_message=CODE_TAKEN
            ),
            models.UniqueConstraint(
                fields=["convention", "open_data_key"],
                condition=~Q(open_data_key=""),
                name="indicator_unique_open_data_key",
                violation_error_message=KEY_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(action__isnull=True, objective__isnull=True)
                | Q(action__isnull=True, axis__isnull=True)
                | Q(objective__isnull=True, axis__isnull=True),
                name="indicator_one_attachment",
                violation_error_message=ONE_ATTACHMENT,
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True, baseline_year__isnull=True)
                | Q(baseline_value__isnull=False, baseline_year__isnull=False),
                name="indicator_baseline_complete",
                violation_error_message=BASELINE_INCOMPLETE,
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(max_value__gte=F("min_value")),
                name="indicator_bounds_ordered",
                violation_error_message=BOUNDS_INVERTED,
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="indicator_decimals_at_most_4"),
            year_range("indicator_baseline_year_range", "baseline_year"),
        ]
        # Who enters an indicator's values (`entered_by`, `awaited`) is read from this index alone.
        indexes = [models.Index(fields=["convention", "service", "action"], name="indicator_entry")]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def get_absolute_url(self):
        return reverse("evaluation:indicator_detail", args=[self.pk])

    def clean(self):
        attachments = [self.action_id, self.objective_id, self.axis_id]
        if sum(value is not None for value in attachments) > 1:
            raise ValidationError(ONE_ATTACHMENT)
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValidationError({"baseline_year": BASELINE_INCOMPLETE})
        if self.min_value is not None and self.max_value is not None and self.max_value < self.min_value:
            raise ValidationError({"max_value": BOUNDS_INVERTED})

    @property
    def pilot_service_id(self) -> int | None:
        """The service whose head enters the values: the responsible service, else the action's pilot."""
        if self.service_id:
            return self.service_id
        return self.action.pilot_service_id if self.action_id else None


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = year_field()
    value = models.DecimalField("cible", max_digits=14, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "cible"
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="indicator_target_unique_year", violation_error_message=TARGET_TAKEN
            ),
            year_range("indicator_target_year_range"),
        ]

    def __str__(self):
        return f"{self.indicator.code} – {self.year}"


class Measurement(models.Model):
    """One value of an indicator for one period: the year (`Period.YEAR`, what statuses read) or one of its
    quarters or months."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    year = year_field()
    period = models.CharField("période", max_length=3, choices=Period.choices, default=Period.YEAR)
    value = models.DecimalField("valeur", max_digits=14, decimal_places=4)
    comment = models.TextField("commentaire", blank=True)
    provenance = models.CharField("provenance", max_length=10, choices=Provenance.choices, default=Provenance.ENTRY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measurements",
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)
    status = models.CharField(
        "statut",
        max_length=10,
        choices=IndicatorStatus.choices,
        default=IndicatorStatus.NO_DATA,
        editable=False,
        help_text="Calculé (evaluation.status) pour la valeur d'une année entière, jamais saisi.",
    )
    history = HistoricalRecords(excluded_fields=["status"])

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "period"],
                name="measurement_unique_period",
                violation_error_message=VALUE_TAKEN,
            ),
            year_range("measurement_year_range"),
        ]
        indexes = [models.Index(fields=["year", "period", "status"], name="measurement_year_status")]

    def __str__(self):
        return f"{self.indicator.code} – {self.year} {self.get_period_display()}"


def new_survey_token() -> str:
    return secrets.token_urlsafe(9)


class Survey(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField("titre", max_length=200)
    introduction = models.TextField("texte d'accueil", blank=True)
    token = models.CharField("adresse publique", max_length=20, unique=True, default=new_survey_token, editable=False)
    opens_on = models.DateField("ouverte le")
    closes_on = models.DateField("fermée après le")
    actions = models.ManyToManyField(Action, verbose_name="actions évaluées", related_name="surveys", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = "enquête de satisfaction"
        verbose_name_plural = "enquêtes de satisfaction"
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="survey_closes_after_opening",
                violation_error_message=END_BEFORE_START,
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluation:survey_detail", args=[self.pk])

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": END_BEFORE_START})

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("aide", max_length=300, blank=True)
    kind = models.CharField("type", max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField("réponse obligatoire", default=True)
    choices = models.TextField(
        "choix proposés", blank=True, help_text="Un choix par ligne (choix unique ou multiple)."
    )
    # The responses that answered it, counted as they arrive (`evaluation.tallies`).
    respondent_count = models.PositiveIntegerField("répondant·e·s", default=0, editable=False)

    class Meta:
        verbose_name = "question"
        ordering = ["order", "pk"]
        constraints = [
            # At least two choices, one per line, for a single or multiple choice question (as the form checks).
            models.CheckConstraint(
                condition=~Q(kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE]) | Q(choices__contains="\n"),
                name="question_choices_for_choice_kinds",
                violation_error_message=CHOICES_NEEDED,
            )
        ]

    def __str__(self):
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Response(models.Model):
    """One inhabitant's answers. Anonymous: the address is kept only as a salted hash, for the rate limit."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField("reçue le", default=timezone.now)
    client_hash = models.CharField(max_length=64, editable=False)
    # The one-time token of the form the answers came from: a double submit is one response.
    nonce = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = "réponse"
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["survey", "client_hash", "submitted_at"], name="response_rate_limit")]

    def __str__(self):
        return f"{self.survey} – {self.submitted_at:%d/%m/%Y %H:%M}"


class Answer(models.Model):
    """The answer to one question; a multiple choice gives one row per choice ticked."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField("réponse")
    score = models.PositiveSmallIntegerField("note", null=True, blank=True)

    class Meta:
        verbose_name = "réponse à une question"
        verbose_name_plural = "réponses aux questions"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="answer_score_1_to_5"
            )
        ]
        # A question's latest answers first (the free texts the results page shows).
        indexes = [models.Index(fields=["question", "id"], name="answer_question_latest")]

    def __str__(self):
        return self.value[:50]


class AnswerCount(models.Model):
    """How many responses gave `value` to a question other than a free text: the results read these counts,
    kept as responses arrive (`evaluation.tallies`), rather than counting every answer each time."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answer_counts")
    value = models.TextField("réponse")
    count = models.PositiveIntegerField("nombre", default=0)

    class Meta:
        verbose_name = "décompte des réponses"
        verbose_name_plural = "décomptes des réponses"
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="answer_count_unique_value")]

    def __str__(self):
        return f"{self.value[:50]} : {self.count}"


class Workshop(models.Model):
    """Atelier, réunion publique, forum or concertation held with inhabitants and professionals."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="workshops")
    held_on = models.DateField("date")
    kind = models.CharField("type", max_length=20, choices=WorkshopKind.choices, default=WorkshopKind.WORKSHOP)
    topic = models.CharField("thème", max_length=250)
    place = models.CharField("lieu", max_length=200, blank=True)
    axes = models.ManyToManyField(Axis, verbose_name="axes concernés", related_name="workshops", blank=True)
    actions = models.ManyToManyField(Action, verbose_name="actions concernées", related_name="workshops", blank=True)
    inhabitants = models.PositiveIntegerField("habitants présents", default=0)
    professionals = models.PositiveIntegerField("professionnels présents", default=0)
    outcomes = models.TextField("ce qui en est ressorti", blank=True)
    proposals = models.TextField("propositions pour la prochaine CTG", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "atelier ou concertation"
        verbose_name_plural = "ateliers et concertations"
        ordering = ["-held_on", "topic"]

    def __str__(self):
        return f"{self.topic} ({self.held_on:%d/%m/%Y})"

    @property
    def participants(self) -> int:
        return self.inhabitants + self.professionals


def rating_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, choices=Rating.choices, null=True, blank=True)


class Assessment(models.Model):
    """The evaluation of one action for one year, or its final evaluation, on the criteria of domain.md §5."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField("type", max_length=10, choices=AssessmentKind.choices, default=AssessmentKind.ANNUAL)
    year = year_field()
    relevance = rating_field("pertinence")
    relevance_note = models.TextField("pertinence : justification", blank=True)
    coherence = rating_field("cohérence")
    coherence_note = models.TextField("cohérence : justification", blank=True)
    effectiveness = rating_field("efficacité")
    effectiveness_note = models.TextField("efficacité : justification", blank=True)
    efficiency = rating_field("efficience")
    efficiency_note = models.TextField("efficience : justification", blank=True)
    impact = rating_field("impact")
    impact_note = models.TextField("impact : justification", blank=True)
    sustainability = rating_field("durabilité")
    sustainability_note = models.TextField("durabilité : justification", blank=True)
    recommendation = models.CharField("recommandation", max_length=20, choices=Recommendation.choices, blank=True)
    recommendation_note = models.TextField("recommandation : précisions", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField("mise à jour le", default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "évaluation d'action"
        verbose_name_plural = "évaluations d'actions"
        ordering = ["-year", "action__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "year"], name="assessment_unique", violation_error_message=ASSESSMENT_TAKEN
            ),
            year_range("assessment_year_range"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 4}),
                    name=f"assessment_{name}_rating",
                )
                for name, _ in CRITERIA
            ],
            # A rating stands on its justification (the form says so next to the field).
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | ~Q(**{f"{name}_note": ""}),
                    name=f"assessment_{name}_rating_needs_note",
                    violation_error_message=f"{label} : {RATING_NEEDS_NOTE.lower()}",
                )
                for name, label in CRITERIA
            ],
        ]

    def __str__(self):
        return f"{self.action.code} – {self.get_kind_display()} {self.year}"


def values_of_year(year: int):
    """The indicators that have a value for the whole of `year` (`values_list` of their ids)."""
    return Measurement.objects.filter(year=year, period=Period.YEAR).values("indicator_id")


def year_value(year: int):
    """The value of the whole of `year` of the outer indicator (in an `Indicator` queryset)."""
    return Measurement.objects.filter(indicator=OuterRef("pk"), year=year, period=Period.YEAR)


def value_of(year: int) -> Subquery:
    """The value of the whole of `year`, per indicator (in an `Indicator` queryset)."""
    return Subquery(year_value(year).values("value")[:1])


def status_of_year(year: int) -> Coalesce:
    """The status of `year`, per indicator: the one stored on its value of the year, else "sans donnée"."""
    return Coalesce(Subquery(year_value(year).values("status")[:1]), Value(IndicatorStatus.NO_DATA.value))
