"""Demo bilans of the Joinville-le-Pont CTG: last year's, transmitted to the CAF on 28 January of this year
and frozen, and this year's as a brouillon. Built with the workflow's own service functions."""

from datetime import date, datetime, time
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from ctg.models import Convention, User
from reports.enums import TransmissionChannel
from reports.models import AnnualReport, ReportVersion
from reports.rendering import produce_version
from reports.workflow import bilan_create, bilan_request_version, bilan_save_narrative, bilan_transmit, bilan_validate

NARRATIVE = {
    "synthesis": (
        "L'année {year} a confirmé la dynamique de la CTG : la majorité des fiches actions sont engagées, "
        "l'offre d'accueil du jeune enfant progresse et le guichet unique du Point Info Familles est devenu "
        "la porte d'entrée des familles. Les actions de parentalité et d'accès aux droits ont trouvé leur "
        "public ; l'étude de faisabilité d'un espace de vie sociale avance plus lentement que prévu."
    ),
    "highlights": (
        "Ouverture des pré-inscriptions en ligne pour les multi-accueils.\n"
        "Première édition de la semaine de la parentalité, avec 14 ateliers et 230 participants.\n"
        "Permanences de la CAF à la Maison des Solidarités et de l'Emploi deux fois par mois."
    ),
    "difficulties": (
        "Recrutement difficile d'auxiliaires de puériculture, qui retarde l'extension d'un multi-accueil.\n"
        "Données de fréquentation des ALSH transmises tardivement par les prestataires."
    ),
    "coordination_activity": (
        "2 COPIL et 4 COTECH préparés et animés, 6 groupes de travail thématiques, une enquête de satisfaction "
        "auprès des familles, la mise à jour du diagnostic partagé avec les données de la CAF et de l'INSEE."
    ),
    "outlook": (
        "Préparer la prochaine CTG : partager le bilan avec les partenaires, organiser des ateliers de "
        "concertation avec les habitants et faire émerger les objectifs de la future convention."
    ),
}


def _logo(text: str, colour: str) -> ContentFile:
    """A plain PNG logo drawn on the fly: the demo ships no image of a real institution."""
    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 152, 152), radius=24, fill=colour)
    draw.text((176, 56), text, fill=colour, font=ImageFont.load_default(size=36))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def _logos(convention: Convention) -> None:
    convention.collectivity_name = "Ville de Joinville-le-Pont"
    if not convention.collectivity_logo:
        convention.collectivity_logo.save("logo-joinville-demo.png", _logo("Joinville", "#1d4e89"), save=False)
    if not convention.caf_logo:
        convention.caf_logo.save("logo-caf-demo.png", _logo("Caf 94", "#0b7a75"), save=False)
    convention.save(update_fields=["collectivity_name", "collectivity_logo", "caf_logo"])


def _narrate(report: AnnualReport, by: User) -> None:
    data = {name: text.format(year=report.year) for name, text in NARRATIVE.items()}
    bilan_save_narrative(report=report, by=by, data=data, version=report.version)


def _january(year: int, day: int) -> datetime:
    return timezone.make_aware(datetime.combine(date(year, 1, day), time(11, 0)))


def seed_reports(*, convention: Convention, coordination: User, direction: User, today: date) -> None:
    """Idempotent: a bilan that exists is left as it is."""
    _logos(convention)
    last_year, this_year = today.year - 1, today.year
    if last_year in convention.years and not convention.annual_reports.filter(year=last_year).exists():
        report = bilan_create(convention=convention, year=last_year, by=coordination)
        _narrate(report, coordination)
        # The calendar of the campaign: produced on 20 January, validated on the 23rd, sent on the 28th.
        version = bilan_request_version(report=report, by=coordination, at=_january(this_year, 20))
        produce_version(version)  # at once: the demo does not wait for the task worker
        ReportVersion.objects.filter(pk=version.pk).update(generated_at=_january(this_year, 20))
        version.refresh_from_db()
        report.refresh_from_db()
        bilan_validate(report=report, by=direction, version=version, at=_january(this_year, 23))
        report.refresh_from_db()
        bilan_transmit(
            report=report,
            by=coordination,
            transmitted_on=date(this_year, 1, 28),
            channel=TransmissionChannel.PARTNER_PORTAL,
        )
    if this_year in convention.years and not convention.annual_reports.filter(year=this_year).exists():
        report = bilan_create(convention=convention, year=this_year, by=coordination)
        _narrate(report, coordination)
