from django.db import models


class ActionStatus(models.TextChoices):
    TO_START = "to_start", "À lancer"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    RECURRING = "recurring", "Récurrente"
    SUSPENDED = "suspended", "Suspendue"
    POSTPONED = "postponed", "Reportée"
    ABANDONED = "abandoned", "Abandonnée"


# Statuses for which nothing more is expected: never late, never "sans nouvelles".
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.ABANDONED)

# Which status a point d'étape may move an action to, from its current status.
# Staying in the same status is always allowed.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ActionStatus.TO_START: {
        ActionStatus.IN_PROGRESS,
        ActionStatus.RECURRING,
        ActionStatus.POSTPONED,
        ActionStatus.SUSPENDED,
        ActionStatus.ABANDONED,
    },
    ActionStatus.IN_PROGRESS: {
        ActionStatus.DONE,
        ActionStatus.RECURRING,
        ActionStatus.SUSPENDED,
        ActionStatus.POSTPONED,
        ActionStatus.ABANDONED,
    },
    ActionStatus.RECURRING: {
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
        ActionStatus.SUSPENDED,
        ActionStatus.ABANDONED,
    },
    ActionStatus.SUSPENDED: {ActionStatus.IN_PROGRESS, ActionStatus.POSTPONED, ActionStatus.ABANDONED},
    ActionStatus.POSTPONED: {ActionStatus.TO_START, ActionStatus.IN_PROGRESS, ActionStatus.ABANDONED},
    ActionStatus.DONE: {ActionStatus.IN_PROGRESS},
    ActionStatus.ABANDONED: set(),
}


class Priority(models.TextChoices):
    HIGH = "high", "Haute"
    MEDIUM = "medium", "Moyenne"
    LOW = "low", "Basse"


class Participation(models.TextChoices):
    NONE = "none", "Aucune"
    INFORMATION = "information", "Information"
    CONSULTATION = "consultation", "Consultation"
    CONCERTATION = "concertation", "Concertation"
    CO_CONSTRUCTION = "co_construction", "Co-construction"


class PartnerRole(models.TextChoices):
    CO_PILOT = "co_pilot", "Co-pilote"
    OPERATOR = "operator", "Opérateur"
    FUNDER = "funder", "Financeur"
    RELAY = "relay", "Relais"


class BudgetNature(models.TextChoices):
    OPERATING = "operating", "Fonctionnement"
    INVESTMENT = "investment", "Investissement"


class Funder(models.TextChoices):
    CAF_PSU = "caf_psu", "CAF – prestation de service unique (PSU)"
    CAF_PS = "caf_ps", "CAF – prestation de service (PS)"
    CAF_BONUS = "caf_bonus", "CAF – bonus territoire CTG"
    CAF_LOCAL = "caf_local", "CAF – fonds locaux"
    COMMUNE = "commune", "Commune"
    DEPARTMENT = "department", "Département"
    STATE = "state", "État"
    OTHER = "other", "Autre"


# Publics cibles offered on a fresh install; the coordination extends the list in the admin.
DEFAULT_PUBLICS = [
    "0–3 ans",
    "3–11 ans",
    "11–17 ans",
    "16–25 ans",
    "Parents",
    "Familles",
    "Seniors",
    "Personnes en situation de handicap",
    "Habitants",
    "Professionnels",
]
