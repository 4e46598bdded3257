from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.enums import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    ActionStatus,
    BudgetNature,
    Funder,
    Participation,
    PartnerRole,
    Priority,
)
from ctg.models import END_BEFORE_START, Convention, Objective, Service, Territory
from partners.models import Partner

TRANSITION_NOT_ALLOWED = "Une action « {current} » ne peut pas passer au statut « {new} »."
DONE_NEEDS_FULL_PROGRESS = "Une action réalisée est avancée à 100 %."
ARCHIVED_ACTION = "Cette action est archivée : elle ne reçoit plus de point d'étape."
CODE_TAKEN = "Ce code est déjà utilisé par une autre fiche action de cette convention."
PARTNER_TAKEN = "Ce partenaire est déjà associé à l'action."
YEAR_OUT_OF_RANGE = "Année invalide."

# Validator messages are %-formatted by Django, hence "%%".
PROGRESS_VALIDATORS = [MinValueValidator(0, "Entre 0 et 100 %%."), MaxValueValidator(100, "Entre 0 et 100 %%.")]


class TargetPublic(models.Model):
    """Public cible (0–3 ans, parents, seniors…): a list the coordination can extend in the admin."""

    label = models.CharField("libellé", max_length=100, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "public cible"
        verbose_name_plural = "publics cibles"
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


def late_condition(today=None) -> Q:
    """En retard: the end date is past and the action is neither done nor abandoned."""
    return ~Q(status__in=CLOSED_STATUSES) & Q(end_date__lt=today or timezone.localdate())


def without_news_condition(now=None) -> Q:
    """Sans nouvelles: no point d'étape (nor creation) for the number of days set on the action's
    convention; done and abandoned actions are never flagged. Needs the `last_news_at` annotation.

    The threshold differs per convention, so the condition is an OR over conventions (a handful of rows),
    which stays portable between SQLite and PostgreSQL.
    """
    now = now or timezone.now()
    per_convention = Q(pk__in=[])
    for convention_id, days in Convention.objects.values_list("pk", "stale_after_days"):
        per_convention |= Q(convention_id=convention_id, last_news_at__lt=now - timedelta(days=days))
    return ~Q(status__in=CLOSED_STATUSES) & per_convention


def in_year_condition(year: int, path: str = "") -> Q:
    """The actions a bilan campaign of `year` asks about: their calendar overlaps that year. `path` reaches the
    action from another model (`"action__"` from a budget line)."""
    return (Q(**{f"{path}start_date__isnull": True}) | Q(**{f"{path}start_date__year__lte": year})) & (
        Q(**{f"{path}end_date__isnull": True}) | Q(**{f"{path}end_date__year__gte": year})
    )


def campaign_condition(convention: Convention, year: int, path: str = "") -> Q:
    """The actions of the bilan campaign of `year` in `convention`: active and overlapping the year."""
    return Q(**{f"{path}archived_at__isnull": True, f"{path}convention": convention}) & in_year_condition(year, path)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first and last instants of `year`, local time."""
    start = timezone.make_aware(datetime(year, 1, 1))
    return start, timezone.make_aware(datetime(year + 1, 1, 1)) - timedelta(microseconds=1)


def flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField())


class ActionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def of_convention(self, convention: Convention):
        return self.filter(convention=convention)

    def piloted_by(self, service_id: int | None):
        return self.filter(pilot_service_id=service_id)

    def with_last_update(self):
        """Annotate `last_news_at`: the date of the last point d'étape (the `last_update_at` column, which
        `action_record_progress` keeps), or else the creation. A column rather than a subquery: the flags of a
        whole plan (overview, dashboard, bilan) then read each action's row alone."""
        if "last_news_at" in self.query.annotations:
            return self
        return self.annotate(last_news_at=Coalesce("last_update_at", "created_at"))

    def with_flags(self, *, today=None, now=None):
        """Annotate `late` and `without_news`: the one implementation of both flags, read by the model
        properties, the filters, the overview, the dashboard and the bilan."""
        queryset = self.with_last_update()
        return queryset.annotate(late=flag(late_condition(today)), without_news=flag(without_news_condition(now)))

    def for_display(self):
        return self.select_related("objective__axis__convention", "convention", "pilot_service").with_flags()

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def in_year(self, year: int):
        """The actions a bilan campaign of `year` asks about: their calendar overlaps that year."""
        return self.filter(in_year_condition(year))

    def in_campaign(self, convention: Convention, year: int):
        """The actions of the bilan campaign of `year` in `convention` (see `campaign_condition`)."""
        return self.filter(campaign_condition(convention, year))

    def with_campaign(self, year: int):
        """Annotate `updated_in_year` (a point d'étape dated in `year`), `budgeted_in_year` (budget lines
        of `year`) and `actual_missing` (one of those lines still without its réalisé)."""
        lines = BudgetLine.objects.filter(action=OuterRef("pk"), year=year)
        bounds = year_bounds(year)
        local_year = ProgressUpdate.objects.filter(action=OuterRef("pk"), recorded_at__range=bounds)
        # The last point d'étape answers for most actions: in the year, or before it (then none is in it); only
        # when it is later must the points be searched.
        updated = Q(last_update_at__range=bounds) | (Q(last_update_at__gt=bounds[1]) & Exists(local_year))
        return self.annotate(
            updated_in_year=flag(updated),
            budgeted_in_year=Exists(lines),
            actual_missing=Exists(lines.filter(actual__isnull=True)),
        )

    def funded_by(self, funder: str, year: int | None = None):
        """Actions with budget lines of `funder` (of `year`, when given)."""
        lines = BudgetLine.objects.filter(action=OuterRef("pk"), funder=funder)
        return self.filter(Exists(lines.filter(year=year) if year is not None else lines))

    def missing_update(self, year: int):
        return self.with_campaign(year).filter(updated_in_year=False)

    def missing_actual(self, year: int):
        return self.with_campaign(year).filter(actual_missing=True)

    def late(self, today=None):
        return self.filter(late_condition(today))

    def without_news(self, now=None):
        return self.with_last_update().filter(without_news_condition(now))


class Action(models.Model):
    objective = models.ForeignKey(Objective, verbose_name="objectif", on_delete=models.PROTECT, related_name="actions")
    # The objective's convention, copied here so that the database itself keeps codes unique per convention
    # (a constraint cannot follow objective → axis → convention). `save()` and `clean()` keep it in step.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.PROTECT, related_name="actions", editable=False
    )
    code = models.CharField("code", max_length=20, help_text="Par exemple : FA1.2.")
    title = models.CharField("intitulé", max_length=250)
    finding = models.TextField("constat", blank=True, help_text="Le constat du diagnostic auquel l'action répond.")
    description = models.TextField("description", blank=True)
    pilot_service = models.ForeignKey(
        Service, verbose_name="service pilote", on_delete=models.PROTECT, related_name="piloted_actions"
    )
    pilot_name = models.CharField(
        "référent·e", max_length=150, blank=True, help_text="La personne qui porte l'action."
    )
    partners = models.ManyToManyField(Partner, through="ActionPartner", related_name="actions", blank=True)
    publics = models.ManyToManyField(TargetPublic, verbose_name="publics cibles", related_name="actions", blank=True)
    territories = models.ManyToManyField(
        Territory, verbose_name="territoires, quartiers", related_name="actions", blank=True
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    priority = models.CharField("priorité", max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    human_resources = models.TextField("moyens humains", blank=True)
    related_plans = models.CharField(
        "articulation avec d'autres plans", max_length=250, blank=True, help_text="PEDT, contrat de ville, SDSF…"
    )
    participation = models.CharField(
        "participation citoyenne", max_length=20, choices=Participation.choices, default=Participation.NONE
    )
    status = models.CharField("statut", max_length=20, choices=ActionStatus.choices, default=ActionStatus.TO_START)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0, validators=PROGRESS_VALIDATORS)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The date of the latest point d'étape, kept by `action_record_progress` under the action's lock: read by the
    # "sans nouvelles" flag and the campaign's "updated in the year" without searching the points d'étape.
    last_update_at = models.DateTimeField("dernier point d'étape", null=True, blank=True, editable=False)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        ordering = ["code"]
        # The figures of a whole plan (dashboard, overview, bilan: `actions.selectors`) read every column they need
        # from this index alone, without the fiches' long texts.
        indexes = [
            models.Index(
                fields=[
                    "convention",
                    "archived_at",
                    "objective",
                    "pilot_service",
                    "status",
                    "progress",
                    "start_date",
                    "end_date",
                    "last_update_at",
                    "created_at",
                ],
                name="action_plan_figures",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="action_end_after_start",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(progress=100),
                name="action_done_at_100",
                violation_error_message=DONE_NEEDS_FULL_PROGRESS,
            ),
            # Case-insensitive, as the form checks it: "fa1.2" is taken when "FA1.2" exists.
            models.UniqueConstraint(
                F("convention"),
                Lower("code"),
                name="action_unique_code_per_convention",
                violation_error_message=CODE_TAKEN,
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "objective" in update_fields:
            self.sync_convention()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "convention"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        self.sync_convention()  # before the field checks: the convention is required
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": END_BEFORE_START})

    def validate_constraints(self, exclude=None):
        """The convention is never a form field, yet it follows the objective: whenever the objective is
        checked, so is the code's uniqueness within its convention (the admin's form included)."""
        if exclude and "convention" in exclude and "objective" not in exclude and self.convention_id is not None:
            exclude = set(exclude) - {"convention"}
        super().validate_constraints(exclude=exclude)

    def sync_convention(self) -> None:
        """Make `convention` the objective's, read from the loaded objects when they are (no query)."""
        if self.objective_id is None:
            return
        objective = Action._meta.get_field("objective")
        if objective.is_cached(self) and Objective._meta.get_field("axis").is_cached(self.objective):
            self.convention_id = self.objective.axis.convention_id
        else:
            objectives = Objective.objects.filter(pk=self.objective_id)
            self.convention_id = objectives.values_list("axis__convention_id", flat=True).first()

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_late(self) -> bool:
        """Needs `with_flags()` (see `for_display()`)."""
        return self.late

    @property
    def is_without_news(self) -> bool:
        """Needs `with_flags()` (see `for_display()`)."""
        return self.without_news

    @property
    def needs_update(self) -> bool:
        return self.late or self.without_news


class ActionPartner(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partner_roles")
    partner = models.ForeignKey(
        Partner, verbose_name="partenaire", on_delete=models.PROTECT, related_name="action_roles"
    )
    role = models.CharField("rôle", max_length=20, choices=PartnerRole.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "partenaire de l'action"
        verbose_name_plural = "partenaires de l'action"
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "partner"], name="action_partner_unique", violation_error_message=PARTNER_TAKEN
            )
        ]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"


class ProgressUpdate(models.Model):
    """Point d'étape: dated and authored; it sets the action's current status and progress."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    recorded_at = models.DateTimeField("date", default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="progress_updates"
    )
    status = models.CharField("statut", max_length=20, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField("avancement (%)", validators=PROGRESS_VALIDATORS)
    done = models.TextField("ce qui a été fait", blank=True)
    difficulties = models.TextField("difficultés", blank=True)
    next_steps = models.TextField("prochaines étapes", blank=True)

    class Meta:
        verbose_name = "point d'étape"
        verbose_name_plural = "points d'étape"
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["action", "recorded_at"], name="progress_update_action_date")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="progress_update_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(progress=100),
                name="progress_update_done_at_100",
                violation_error_message=DONE_NEEDS_FULL_PROGRESS,
            ),
        ]

    def __str__(self):
        return f"{self.action.code} – {self.recorded_at:%d/%m/%Y}"

    def clean(self):
        """The action's status before this point d'étape decides which statuses are allowed."""
        current = ActionStatus(self.action.status)
        if self.action.archived_at is not None:
            raise ValidationError(ARCHIVED_ACTION)
        if self.status and self.status != current and self.status not in ALLOWED_TRANSITIONS[current]:
            message = TRANSITION_NOT_ALLOWED.format(current=current.label, new=ActionStatus(self.status).label)
            raise ValidationError({"status": message})
        if self.status == ActionStatus.DONE and self.progress is not None and self.progress < 100:
            raise ValidationError({"progress": DONE_NEEDS_FULL_PROGRESS})


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("jalon", max_length=250)
    due_on = models.DateField("échéance")
    done_on = models.DateField("atteint le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_late(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class BudgetLine(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000, YEAR_OUT_OF_RANGE), MaxValueValidator(2100, YEAR_OUT_OF_RANGE)]
    )
    nature = models.CharField("nature", max_length=20, choices=BudgetNature.choices, default=BudgetNature.OPERATING)
    funder = models.CharField("financeur", max_length=20, choices=Funder.choices)
    planned = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    actual = models.DecimalField(
        "réalisé (€)", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne budgétaire"
        verbose_name_plural = "lignes budgétaires"
        ordering = ["year", "funder", "pk"]
        # The campaign's budget figures (dashboard, bilan) read the lines of one year from this index alone, then
        # each line's action by its key.
        indexes = [models.Index(fields=["year", "action", "actual", "funder", "planned"], name="budget_line_campaign")]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_line_planned_positive"),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0), name="budget_line_actual_positive"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="budget_line_year_range",
                violation_error_message=YEAR_OUT_OF_RANGE,
            ),
        ]

    def __str__(self):
        return f"{self.year} – {self.get_funder_display()}"
