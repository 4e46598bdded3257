from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ctg.models import Convention, Service
from reports.enums import RenderState, ReportStatus, TransmissionChannel

# The narrative parts the coordination writes (domain.md §5), in the bilan's order.
NARRATIVE_FIELDS = ["synthesis", "highlights", "difficulties", "coordination_activity", "outlook"]


class AnnualReportQuerySet(models.QuerySet):
    def of_convention(self, convention: Convention):
        return self.filter(convention=convention)


class AnnualReport(models.Model):
    """Bilan annuel of year N of a convention, due to the CAF by 31 January N+1.

    Its PDF versions (`ReportVersion`) are produced from the data and the narrative; the direction validates
    one version and the coordination transmits that very file, which is then frozen.
    """

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField("état", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    synthesis = models.TextField("synthèse", blank=True)
    highlights = models.TextField("faits marquants", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    coordination_activity = models.TextField("activité de la fonction de coopération", blank=True)
    outlook = models.TextField("perspectives pour l'année suivante", blank=True)
    validated_version = models.ForeignKey(
        "ReportVersion",
        verbose_name="version validée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    transmitted_version = models.ForeignKey(
        "ReportVersion",
        verbose_name="version transmise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transmitted_on = models.DateField("transmis le", null=True, blank=True)
    transmission_channel = models.CharField(
        "canal de transmission", max_length=20, choices=TransmissionChannel.choices, blank=True
    )
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="transmis par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    caf_remarks = models.TextField("remarques de la CAF", blank=True)
    caf_remarks_on = models.DateField("remarques reçues le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField("modifié le", default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AnnualReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "bilan annuel"
        verbose_name_plural = "bilans annuels"
        ordering = ["convention", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "year"],
                name="annual_report_unique_year",
                violation_error_message="Un bilan existe déjà pour cette année de la convention.",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="annual_report_year_range"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.VALIDATED)
                | Q(validated_version__isnull=False, validated_by__isnull=False, validated_at__isnull=False),
                name="annual_report_validated_has_validation",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.TRANSMITTED)
                | Q(
                    transmitted_version__isnull=False,
                    transmitted_version=F("validated_version"),
                    transmitted_on__isnull=False,
                    transmitted_by__isnull=False,
                )
                & ~Q(transmission_channel=""),
                name="annual_report_transmitted_has_transmission",
            ),
        ]

    def __str__(self):
        return f"Bilan {self.year} – {self.convention}"

    def get_absolute_url(self):
        return reverse("reports:bilan_detail", args=[self.pk])

    @property
    def due_on(self):
        """31 January of the following year."""
        return date(self.year + 1, 1, 31)

    @property
    def is_transmitted(self) -> bool:
        return self.status == ReportStatus.TRANSMITTED


class ReportVersion(models.Model):
    """One generation of the bilan's PDF. Its file is written once and never changed: the transmitted
    version is the exact file the CAF received, checked by its SHA-256."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    state = models.CharField("production", max_length=20, choices=RenderState.choices, default=RenderState.PENDING)
    file = models.FileField("PDF", upload_to="bilans/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    page_count = models.PositiveSmallIntegerField("pages", default=0)
    error = models.TextField("erreur", blank=True)
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandée par", on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField("produite le", null=True, blank=True)

    class Meta:
        verbose_name = "version du bilan"
        verbose_name_plural = "versions du bilan"
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="report_version_unique_number",
                violation_error_message="Cette version du bilan existe déjà.",
            ),
            models.CheckConstraint(
                condition=~Q(state=RenderState.READY) | (~Q(sha256="") & ~Q(file="") & Q(generated_at__isnull=False)),
                name="report_version_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.report} – version {self.number}"

    @property
    def filename(self) -> str:
        return f"bilan-ctg-{self.report.year}-v{self.number}.pdf"


class Reminder(models.Model):
    """One reminder e-mail of a bilan campaign, sent to a service head with the exact list of what is
    missing from their service."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveSmallIntegerField("campagne")
    service = models.ForeignKey(Service, verbose_name="service", on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="destinataire", on_delete=models.PROTECT, related_name="reminders"
    )
    email = models.EmailField("adresse")
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide pour une relance automatique (tâche planifiée).",
    )
    missing_updates = models.PositiveIntegerField("actions sans point d'étape", default=0)
    missing_actuals = models.PositiveIntegerField("lignes budgétaires sans réalisé", default=0)
    missing_values = models.PositiveIntegerField("valeurs d'indicateurs à saisir", default=0)
    subject = models.CharField("objet", max_length=250)
    body = models.TextField("message")

    class Meta:
        verbose_name = "relance"
        ordering = ["-sent_at", "service__name"]

    def __str__(self):
        return f"Relance {self.year} – {self.service} ({self.sent_at:%d/%m/%Y})"
