from datetime import date, datetime

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.models import Action
from ctg.models import Axis, Convention, User
from governance.enums import AttendanceStatus, BodyKind, MeetingMode, MeetingStatus
from partners.documents import private_path, validate_document
from partners.models import Contact

BODY_NAME_TAKEN = "Une instance de cette convention porte déjà ce nom."
AXIS_OUTSIDE_CONVENTION = "Choisissez un axe de la convention de l'instance."
END_BEFORE_START = "L'heure de fin doit être postérieure ou égale à l'heure de début."
ONE_PERSON = "Une présence concerne soit un utilisateur, soit un contact : l'un des deux, pas les deux."
USER_ALREADY_INVITED = "Cette personne est déjà invitée à la réunion."
CONTACT_ALREADY_INVITED = "Ce contact est déjà invité à la réunion."
ACTION_ALREADY_ON_AGENDA = "Cette action est déjà à l'ordre du jour de la réunion."
DONE_NEEDS_DATE = "Une décision faite porte sa date de réalisation, une décision ouverte n'en porte pas."
OWNER_REQUIRED = "Une décision sans responsable ne sera suivie par personne : choisissez son ou sa responsable."
ATTACHMENT_FOLDER = "private/reunions"


class Body(models.Model):
    """An instance of the CTG's governance (COPIL, COTECH…) and its members: users and partners' contacts."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.PROTECT, related_name="bodies"
    )
    kind = models.CharField("type", max_length=20, choices=BodyKind.choices)
    name = models.CharField("nom", max_length=150)
    axis = models.ForeignKey(
        Axis, verbose_name="axe", null=True, blank=True, on_delete=models.SET_NULL, related_name="bodies"
    )
    description = models.TextField("description", blank=True)
    users = models.ManyToManyField(User, verbose_name="membres (agents, élus)", related_name="bodies", blank=True)
    contacts = models.ManyToManyField(
        Contact, verbose_name="membres (contacts des partenaires)", related_name="bodies", blank=True
    )

    class Meta:
        verbose_name = "instance"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "name"],
                name="body_unique_name_per_convention",
                violation_error_message=BODY_NAME_TAKEN,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("governance:body_detail", args=[self.pk])


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, today: date | None = None):
        return self.filter(date__gte=today or timezone.localdate(), status=MeetingStatus.PLANNED)


class Meeting(models.Model):
    body = models.ForeignKey(Body, verbose_name="instance", on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField("date")
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, blank=True)
    mode = models.CharField("modalité", max_length=20, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    visio_url = models.URLField(
        "lien de visio", blank=True, help_text="Pour une réunion en visio ou hybride : le lien de connexion."
    )
    status = models.CharField("statut", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField("compte rendu", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réunion"
        ordering = ["-date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gte=models.F("start_time")),
                name="meeting_end_after_start",
                violation_error_message=END_BEFORE_START,
            )
        ]

    def __str__(self):
        return f"{self.body} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("governance:meeting_detail", args=[self.pk])

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime | None:
        return timezone.make_aware(datetime.combine(self.date, self.end_time)) if self.end_time else None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("point", max_length=250)
    action = models.ForeignKey(
        Action,
        verbose_name="fiche action",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "action"],
                condition=Q(action__isnull=False),
                name="agenda_item_unique_action",
                violation_error_message=ACTION_ALREADY_ON_AGENDA,
            )
        ]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    """An invitation to a meeting and what became of it: one user or one contact."""

    meeting = models.ForeignKey(Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        User, verbose_name="utilisateur", null=True, blank=True, on_delete=models.CASCADE, related_name="attendances"
    )
    contact = models.ForeignKey(
        Contact, verbose_name="contact", null=True, blank=True, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(
        "présence", max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )

    class Meta:
        verbose_name = "présence"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, contact__isnull=True) | Q(user__isnull=True, contact__isnull=False),
                name="attendance_exactly_one_person",
                violation_error_message=ONE_PERSON,
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="attendance_unique_user",
                violation_error_message=USER_ALREADY_INVITED,
            ),
            models.UniqueConstraint(
                fields=["meeting", "contact"],
                condition=Q(contact__isnull=False),
                name="attendance_unique_contact",
                violation_error_message=CONTACT_ALREADY_INVITED,
            ),
        ]

    def __str__(self):
        return str(self.user or self.contact)

    @property
    def person(self) -> User | Contact:
        return self.user or self.contact


class DecisionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done=False)

    def overdue(self, today: date | None = None):
        """Overdue: not done and its due date is past."""
        return self.filter(done=False, due_on__lt=today or timezone.localdate())

    def with_overdue(self, today: date | None = None):
        """Annotate `is_overdue`: the one implementation of the flag, read by the lists and the panels."""
        condition = Q(done=False, due_on__lt=today or timezone.localdate())
        return self.annotate(
            is_overdue=Case(
                When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField()
            )
        )

    def about(self, action: Action):
        return self.filter(Exists(Decision.actions.through.objects.filter(decision=OuterRef("pk"), action=action)))

    def for_display(self, today: date | None = None):
        """With the meeting, its body, the owner, the linked actions (by code) and `is_overdue`."""
        return (
            self.select_related("meeting__body", "owner")
            .prefetch_related(models.Prefetch("actions", Action.objects.order_by("code")))
            .with_overdue(today)
        )


class Decision(models.Model):
    """One line of a meeting's relevé de décisions: who does what by when, and about which actions."""

    meeting = models.ForeignKey(Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("décision")
    owner = models.ForeignKey(
        User,
        verbose_name="responsable",
        on_delete=models.PROTECT,
        related_name="decisions",
        error_messages={"null": OWNER_REQUIRED, "blank": OWNER_REQUIRED},
    )
    due_on = models.DateField("échéance", null=True, blank=True)
    actions = models.ManyToManyField(
        Action, verbose_name="fiches actions concernées", related_name="decisions", blank=True
    )
    done = models.BooleanField("faite", default=False)
    done_at = models.DateTimeField("faite le", null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        User,
        verbose_name="marquée faite par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "décision"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done=True, done_at__isnull=False) | Q(done=False, done_at__isnull=True),
                name="decision_done_has_date",
                violation_error_message=DONE_NEEDS_DATE,
            )
        ]

    def __str__(self):
        return self.text if len(self.text) <= 60 else self.text[:59] + "…"


class DiscussionRequest(models.Model):
    """An action flagged « à discuter » at the next meeting, by its pilot or the coordination."""

    action = models.OneToOneField(
        Action, verbose_name="fiche action", on_delete=models.CASCADE, related_name="discussion_request"
    )
    requested_by = models.ForeignKey(
        User, verbose_name="demandé par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)

    class Meta:
        verbose_name = "action à discuter"
        verbose_name_plural = "actions à discuter"

    def __str__(self):
        return str(self.action)


def attachment_path(instance, filename: str) -> str:
    """`private/reunions/<random>/<the file's own name>`: never under a public URL (see `partners.documents`)."""
    return private_path(ATTACHMENT_FOLDER, filename)


class MeetingAttachment(models.Model):
    """A document of a meeting (presentation, signed attendance sheet, annex of the minutes): PDF or office
    formats only, stored privately and served only to those who may read the meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField("intitulé", max_length=200)
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255, validators=[validate_document])
    uploaded_by = models.ForeignKey(
        User, verbose_name="déposée par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe de réunion"
        verbose_name_plural = "pièces jointes de réunion"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
