from django.db import models


class Role(models.TextChoices):
    COORDINATION = "coordination", "Chargé·e de coopération"
    DIRECTION = "direction", "Direction"
    SERVICE_HEAD = "service_head", "Responsable de service"
    ELECTED = "elected", "Élu·e"
    TECH_ADMIN = "tech_admin", "Administrateur technique"


class ConventionStatus(models.TextChoices):
    DRAFTING = "drafting", "En élaboration"
    IN_FORCE = "in_force", "Signée – en vigueur"
    EVALUATION = "evaluation", "En évaluation"
    EXPIRED = "expired", "Échue"


class TerritoryKind(models.TextChoices):
    EPCI = "epci", "EPCI"
    COMMUNE = "commune", "Commune"
    DISTRICT = "district", "Quartier"
    IRIS = "iris", "IRIS"


class ServiceKind(models.TextChoices):
    DIRECTION = "direction", "Direction"
    SERVICE = "service", "Service"


class Theme(models.TextChoices):
    """CAF intervention fields (thématiques)."""

    EARLY_CHILDHOOD = "early_childhood", "Petite enfance"
    CHILDHOOD = "childhood", "Enfance"
    YOUTH = "youth", "Jeunesse"
    CHILDHOOD_YOUTH = "childhood_youth", "Enfance-jeunesse"
    PARENTING = "parenting", "Parentalité"
    SOCIAL_LIFE = "social_life", "Animation de la vie sociale"
    ACCESS_TO_RIGHTS = "access_to_rights", "Accès aux droits"
    DIGITAL_INCLUSION = "digital_inclusion", "Inclusion numérique"
    HOUSING = "housing", "Logement"
    DISABILITY = "disability", "Handicap"
    SOCIAL_SUPPORT = "social_support", "Accompagnement social, familles vulnérables"
    CROSS_CUTTING = "cross_cutting", "Transversal, pilotage"


class ObjectiveLevel(models.TextChoices):
    STRATEGIC = "strategic", "Objectif stratégique"
    OPERATIONAL = "operational", "Objectif opérationnel"
