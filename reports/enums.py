from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé"
    TRANSMITTED = "transmitted", "Transmis à la CAF"


class RenderState(models.TextChoices):
    PENDING = "pending", "En cours de production"
    READY = "ready", "Prêt"
    FAILED = "failed", "Échec"


class TransmissionChannel(models.TextChoices):
    PARTNER_PORTAL = "partner_portal", "Espace partenaires de la CAF"
    EMAIL = "email", "Courriel"
    POST = "post", "Courrier"
    HAND = "hand", "Remise en main propre"
