from django.db import models


class BodyKind(models.TextChoices):
    COPIL = "copil", "Comité de pilotage (COPIL)"
    COTECH = "cotech", "Comité technique (COTECH)"
    THEMATIC = "thematic", "Commission thématique"
    WORKING_GROUP = "working_group", "Groupe de travail"
    NETWORK = "network", "Réseau"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "Présentiel"
    ONLINE = "online", "Visio"
    HYBRID = "hybrid", "Hybride"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CANCELLED = "cancelled", "Annulée"


# A planned meeting is held or cancelled; a cancelled one may be planned again; a held one stays held.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
}


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invité·e"
    PRESENT = "present", "Présent·e"
    EXCUSED = "excused", "Excusé·e"
    ABSENT = "absent", "Absent·e"
