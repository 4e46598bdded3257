from django.db import models


class PartnerKind(models.TextChoices):
    CAF = "caf", "CAF"
    DEPARTMENT = "department", "Département"
    STATE = "state", "Services de l'État"
    PUBLIC_BODY = "public_body", "Établissement ou organisme public"
    MUNICIPAL = "municipal", "Commune, CCAS"
    ASSOCIATION = "association", "Association"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    EDUCATION = "education", "Éducation nationale, établissement scolaire"
    COMPANY = "company", "Entreprise"
    OTHER = "other", "Autre"
