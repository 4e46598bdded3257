from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ctg.enums import ConventionStatus, ObjectiveLevel, Role, ServiceKind, TerritoryKind, Theme
from ctg.validators import validate_logo

END_BEFORE_START = "La date de fin doit être postérieure ou égale à la date de début."
HEAD_OUTSIDE_SERVICE = "Le ou la responsable doit être rattaché·e à ce service."
PARENT_MUST_BE_STRATEGIC = "Un objectif opérationnel se rattache à un objectif stratégique du même axe."
STRATEGIC_HAS_NO_PARENT = "Un objectif stratégique ne se rattache à aucun autre objectif."
SERVICE_HEAD_NEEDS_SERVICE = "Un·e responsable de service doit être rattaché·e à un service."


class ConventionQuerySet(models.QuerySet):
    def current(self) -> "Convention | None":
        """The convention people work on by default: the one in force, else the most recent."""
        return self.order_by(
            models.Case(models.When(status=ConventionStatus.IN_FORCE, then=0), default=1), "-start_date"
        ).first()


class Territory(models.Model):
    name = models.CharField("nom", max_length=150)
    kind = models.CharField("type", max_length=20, choices=TerritoryKind.choices, default=TerritoryKind.DISTRICT)
    code = models.CharField("code INSEE ou IRIS", max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="rattaché à", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_qpv = models.BooleanField("quartier prioritaire de la politique de la ville (QPV)", default=False)

    class Meta:
        verbose_name = "territoire"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="territory_unique_kind_name",
                violation_error_message="Un territoire de ce type porte déjà ce nom.",
            )
        ]

    def __str__(self):
        return self.name


class Service(models.Model):
    name = models.CharField("nom", max_length=150, unique=True)
    kind = models.CharField("type", max_length=20, choices=ServiceKind.choices, default=ServiceKind.SERVICE)
    parent = models.ForeignKey(
        "self",
        verbose_name="direction de rattachement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": ServiceKind.DIRECTION},
    )
    head = models.ForeignKey(
        "ctg.User",
        verbose_name="responsable",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_services",
    )

    class Meta:
        verbose_name = "service"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.head_id and self.pk and self.head.service_id != self.pk:
            raise ValidationError({"head": HEAD_OUTSIDE_SERVICE})


class User(AbstractUser):
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.ELECTED)
    service = models.ForeignKey(
        Service,
        verbose_name="service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="Pour un·e responsable de service : le service dont il ou elle met à jour les actions.",
    )

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.SERVICE_HEAD) | Q(service__isnull=False),
                name="user_service_head_has_service",
                violation_error_message=SERVICE_HEAD_NEEDS_SERVICE,
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == Role.SERVICE_HEAD and not self.service_id:
            raise ValidationError({"service": SERVICE_HEAD_NEEDS_SERVICE})

    @property
    def is_coordination(self) -> bool:
        return self.role == Role.COORDINATION

    @property
    def is_service_head(self) -> bool:
        return self.role == Role.SERVICE_HEAD


class Convention(models.Model):
    name = models.CharField("intitulé", max_length=200)
    status = models.CharField(
        "statut", max_length=20, choices=ConventionStatus.choices, default=ConventionStatus.DRAFTING
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire couvert", on_delete=models.PROTECT, related_name="conventions"
    )
    caf_name = models.CharField("CAF", max_length=150, default="Caf du Val-de-Marne")
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    signed_on = models.DateField("date de signature", null=True, blank=True)
    stale_after_days = models.PositiveSmallIntegerField(
        "« sans nouvelles » après (jours)",
        default=90,
        help_text="Une action sans point d'étape depuis ce nombre de jours est signalée « sans nouvelles ».",
    )
    description = models.TextField("présentation", blank=True)
    collectivity_name = models.CharField(
        "collectivité signataire",
        max_length=150,
        blank=True,
        help_text="Tel qu'il figure sur la couverture du bilan, par exemple : Ville de Joinville-le-Pont.",
    )
    collectivity_logo = models.ImageField(
        "logo de la collectivité",
        upload_to="logos/",
        blank=True,
        validators=[validate_logo],
        help_text="Image PNG ou JPEG de 1 Mo au plus, pour la couverture du bilan.",
    )
    caf_logo = models.ImageField(
        "logo de la CAF",
        upload_to="logos/",
        blank=True,
        validators=[validate_logo],
        help_text="Image PNG ou JPEG de 1 Mo au plus, pour la couverture du bilan.",
    )

    objects = ConventionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "convention territoriale globale"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="convention_end_after_start"
            ),
            models.CheckConstraint(condition=Q(stale_after_days__gte=1), name="convention_stale_after_days_positive"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("ctg:overview", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": END_BEFORE_START})

    @property
    def years(self) -> range:
        """The calendar years the convention covers: one bilan annuel for each."""
        return range(self.start_date.year, self.end_date.year + 1)

    @property
    def signatory_name(self) -> str:
        return self.collectivity_name or str(self.territory)


class Signatory(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="signatories")
    organisation = models.CharField("organisme", max_length=150)
    person = models.CharField("signataire", max_length=150, help_text="Nom de la personne qui signe.")
    title = models.CharField(
        "qualité", max_length=150, blank=True, help_text="Par exemple : maire, directrice de la CAF."
    )
    signed_on = models.DateField("signé le", null=True, blank=True)

    class Meta:
        verbose_name = "signataire"
        ordering = ["id"]

    def __str__(self):
        return f"{self.organisation} – {self.person}"


class Amendment(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    signed_on = models.DateField("date")
    subject = models.CharField("objet", max_length=250)
    description = models.TextField("contenu", blank=True)

    class Meta:
        verbose_name = "avenant"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"],
                name="amendment_unique_number",
                violation_error_message="Un avenant porte déjà ce numéro dans cette convention.",
            ),
        ]

    def __str__(self):
        return f"Avenant n° {self.number} – {self.subject}"


class Axis(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="axes")
    code = models.CharField("code", max_length=20, help_text="Par exemple : A1.")
    title = models.CharField("intitulé", max_length=250)
    theme = models.CharField("thématique CAF", max_length=30, choices=Theme.choices)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "axe"
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "code"],
                name="axis_unique_code",
                violation_error_message="Un axe porte déjà ce code dans cette convention.",
            )
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"


class Objective(models.Model):
    axis = models.ForeignKey(Axis, verbose_name="axe", on_delete=models.PROTECT, related_name="objectives")
    parent = models.ForeignKey(
        "self",
        verbose_name="objectif stratégique",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField("niveau", max_length=20, choices=ObjectiveLevel.choices)
    code = models.CharField("code", max_length=20, help_text="Par exemple : OS1.2 ou OO1.2.3.")
    title = models.CharField("intitulé", max_length=250)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif"
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["axis", "code"],
                name="objective_unique_code",
                violation_error_message="Un objectif porte déjà ce code dans cet axe.",
            ),
            # The part of `clean()` a row can check alone (the parent's level and axis are another row's).
            models.CheckConstraint(
                condition=Q(level=ObjectiveLevel.STRATEGIC, parent__isnull=True)
                | Q(level=ObjectiveLevel.OPERATIONAL, parent__isnull=False),
                name="objective_parent_follows_level",
                violation_error_message=PARENT_MUST_BE_STRATEGIC,
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def clean(self):
        if self.level == ObjectiveLevel.STRATEGIC and self.parent_id:
            raise ValidationError({"parent": STRATEGIC_HAS_NO_PARENT})
        if self.level == ObjectiveLevel.OPERATIONAL and (
            not self.parent_id or self.parent.level != ObjectiveLevel.STRATEGIC or self.parent.axis_id != self.axis_id
        ):
            raise ValidationError({"parent": PARENT_MUST_BE_STRATEGIC})
