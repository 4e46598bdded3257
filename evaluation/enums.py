from django.db import models


class IndicatorKind(models.TextChoices):
    CONTEXT = "context", "Contexte"
    OUTPUT = "output", "Réalisation"
    RESULT = "result", "Résultat"
    IMPACT = "impact", "Impact"
    MEANS = "means", "Moyens"


class Direction(models.TextChoices):
    """The way an indicator should move: its status compares values with targets in that direction."""

    UP = "up", "À la hausse"
    DOWN = "down", "À la baisse"
    STABLE = "stable", "À maintenir"


class Frequency(models.TextChoices):
    YEARLY = "yearly", "Annuelle"
    QUARTERLY = "quarterly", "Trimestrielle"
    MONTHLY = "monthly", "Mensuelle"


class Period(models.TextChoices):
    """The period a measurement covers within its year. `YEAR` is the value statuses and the bilan read."""

    YEAR = "Y", "Année"
    Q1 = "Q1", "1er trimestre"
    Q2 = "Q2", "2e trimestre"
    Q3 = "Q3", "3e trimestre"
    Q4 = "Q4", "4e trimestre"
    M01 = "M01", "janvier"
    M02 = "M02", "février"
    M03 = "M03", "mars"
    M04 = "M04", "avril"
    M05 = "M05", "mai"
    M06 = "M06", "juin"
    M07 = "M07", "juillet"
    M08 = "M08", "août"
    M09 = "M09", "septembre"
    M10 = "M10", "octobre"
    M11 = "M11", "novembre"
    M12 = "M12", "décembre"


class Provenance(models.TextChoices):
    ENTRY = "entry", "Saisie"
    IMPORT = "import", "Import"
    SURVEY = "survey", "Enquête"


class IndicatorStatus(models.TextChoices):
    """Computed, never typed (see `IndicatorQuerySet.with_status`)."""

    REACHED = "reached", "Atteint"
    ON_TRACK = "on_track", "En bonne voie"
    LATE = "late", "En retard"
    NO_DATA = "no_data", "Sans donnée"


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Échelle de 1 à 5"
    SINGLE = "single", "Choix unique"
    MULTIPLE = "multiple", "Choix multiple"
    YES_NO = "yes_no", "Oui / non"
    TEXT = "text", "Texte libre"


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", "Atelier"
    PUBLIC_MEETING = "public_meeting", "Réunion publique"
    FORUM = "forum", "Forum"
    CONSULTATION = "consultation", "Concertation"


class AssessmentKind(models.TextChoices):
    ANNUAL = "annual", "Évaluation annuelle"
    FINAL = "final", "Évaluation finale"


class Rating(models.IntegerChoices):
    VERY_GOOD = 4, "Très satisfaisant"
    GOOD = 3, "Satisfaisant"
    POOR = 2, "Peu satisfaisant"
    BAD = 1, "Insatisfaisant"


class Recommendation(models.TextChoices):
    CONTINUE = "continue", "Poursuivre"
    ADAPT = "adapt", "Adapter"
    PERPETUATE = "perpetuate", "Pérenniser"
    STOP = "stop", "Arrêter"


# The evaluation criteria of domain.md §5, in their order: (field prefix, label).
CRITERIA = (
    ("relevance", "Pertinence"),
    ("coherence", "Cohérence"),
    ("effectiveness", "Efficacité"),
    ("efficiency", "Efficience"),
    ("impact", "Impact"),
    ("sustainability", "Durabilité"),
)
