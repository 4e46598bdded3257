"""The bilan annuel's workflow: brouillon → validé (direction) → transmis à la CAF → remarques de la CAF.

Every function locks the bilan's row, re-reads it and re-checks its rule on the fresh row, so two people
acting at once cannot validate twice, transmit an outdated file or number two versions alike. A broken
rule raises `BilanError` with the French message shown to the user.

`updated_at` / `updated_by` name the last person who wrote the narrative (the cover's author); each later
step keeps its own who and when (`validated_by/at`, `transmitted_by/on`, `caf_remarks_on`), and the
history (simple-history) records everything.

Once transmitted, the bilan is frozen: no narrative edit, no new version, and nothing here ever touches a
version's file (the rendering stores a file once and leaves a READY version untouched).
"""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone

from ctg.models import Convention, User
from reports.enums import RenderState, ReportStatus, TransmissionChannel
from reports.models import NARRATIVE_FIELDS, AnnualReport, ReportVersion
from reports.tasks import produce_report_version

logger = logging.getLogger("reports")

YEAR_OUTSIDE_CONVENTION = "L'année {year} est hors de la période de la convention ({start}–{end})."
ALREADY_TRANSMITTED = "Ce bilan a été transmis à la CAF le {date} : il ne peut plus être modifié."
ALREADY_VALIDATED = "Ce bilan est déjà validé (version {number}, par {user} le {date})."
ALREADY_PENDING = (
    "Le PDF de la version {number} est en cours de production : attendez qu'il soit prêt avant d'en demander un autre."
)
VERSION_NOT_READY = "La version {number} ne peut pas être validée : son PDF est {state}."
VERSION_OUTDATED = (
    "La version {number} n'est plus la dernière : la version {latest} a été demandée depuis. "
    "Validez la version la plus récente."
)
VERSION_OF_ANOTHER_BILAN = "Cette version n'appartient pas à ce bilan."
NOT_VALIDATED = "Le bilan doit être validé par la direction avant d'être transmis à la CAF."
NOT_TRANSMITTED = "Les remarques de la CAF se notent une fois le bilan transmis."
UNKNOWN_CHANNEL = "Choisissez le canal de transmission dans la liste."
DATE_IN_FUTURE = "La date ne peut pas être postérieure à aujourd'hui."
TRANSMITTED_BEFORE_VALIDATION = "La transmission ne peut pas précéder la validation du bilan ({date})."
REMARKS_BEFORE_TRANSMISSION = "Les remarques ne peuvent pas précéder la transmission du bilan ({date})."
REMARKS_EMPTY = "Saisissez les remarques de la CAF."
STALE_NARRATIVE = (
    "Le bilan a été modifié par {author} le {date} pendant que vous le rédigiez. "
    "Votre saisie est conservée ci-dessous ; le texte enregistré entre-temps est indiqué sous chaque partie "
    "concernée. Vérifiez, puis enregistrez à nouveau pour confirmer."
)

# A version still pending after this delay is taken as lost (worker stopped): a new one may be requested.
PENDING_TIMEOUT = timedelta(minutes=10)


class BilanError(Exception):
    """A workflow rule refused the change; `str(error)` is the French message for the user."""


class StaleNarrative(BilanError):
    """Someone saved the narrative since the form was shown; `report` is the fresh, saved bilan."""

    def __init__(self, report: AnnualReport):
        self.report = report
        author = report.updated_by or "une autre personne"
        super().__init__(STALE_NARRATIVE.format(author=author, date=_at(report.updated_at)))


def _day(value: date) -> str:
    return formats.date_format(value, "d/m/Y")


def _at(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "d/m/Y à H:i")


def _lock(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update(of=("self",)).select_related("convention").get(pk=report.pk)


def frozen_message(report: AnnualReport) -> str:
    return ALREADY_TRANSMITTED.format(date=_day(report.transmitted_on))


def _refuse_if_transmitted(report: AnnualReport) -> None:
    if report.is_transmitted:
        raise BilanError(frozen_message(report))


def _save(report: AnnualReport, by: User, fields: list[str]) -> None:
    report._history_user = by
    report.save(update_fields=fields)


def _sync(source: AnnualReport, target: AnnualReport, fields: list[str]) -> None:
    """Refresh the caller's instance with what was saved."""
    for name in fields:
        setattr(target, name, getattr(source, name))


def bilan_create(*, convention: Convention, year: int, by: User) -> AnnualReport:
    """Start the bilan of `year`; a double submission gets the bilan created by the first one."""
    if year not in convention.years:
        raise BilanError(
            YEAR_OUTSIDE_CONVENTION.format(year=year, start=convention.years[0], end=convention.years[-1])
        )
    existing = AnnualReport.objects.filter(convention=convention, year=year).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = AnnualReport(convention=convention, year=year, updated_by=by)
            report._history_user = by
            report.save()
    except IntegrityError:
        return AnnualReport.objects.get(convention=convention, year=year)
    logger.info("Bilan %s of convention %s created by %s", year, convention.pk, by)
    return report


@transaction.atomic
def bilan_save_narrative(*, report: AnnualReport, by: User, data: dict, version: int) -> AnnualReport:
    """Save the narrative parts present in `data` if nobody saved since `version` was read (optimistic lock),
    else raise `StaleNarrative` with the fresh bilan so the form can show what changed."""
    locked = _lock(report)
    _refuse_if_transmitted(locked)
    if locked.version != version:
        raise StaleNarrative(AnnualReport.objects.select_related("updated_by").get(pk=locked.pk))
    changed = [name for name in NARRATIVE_FIELDS if name in data and data[name] != getattr(locked, name)]
    if changed:
        for name in changed:
            setattr(locked, name, data[name])
        locked.version += 1
        locked.updated_at, locked.updated_by = timezone.now(), by
        fields = [*changed, "version", "updated_at", "updated_by"]
        _save(locked, by, fields)
        _sync(locked, report, fields)
        logger.info("Bilan %s narrative saved by %s: %s", locked.pk, by, ", ".join(changed))
    return report


def bilan_request_version(*, report: AnnualReport, by: User, at: datetime | None = None) -> ReportVersion:
    """Number a new version of the PDF and queue its production. A validated bilan goes back to brouillon
    (its file is about to change): the returned version's `withdrew_validation` says so."""
    with transaction.atomic():
        locked = _lock(report)
        _refuse_if_transmitted(locked)
        now = at or timezone.now()
        pending = locked.versions.filter(state=RenderState.PENDING, requested_at__gt=now - PENDING_TIMEOUT)
        if (busy := pending.order_by("-number").first()) is not None:
            raise BilanError(ALREADY_PENDING.format(number=busy.number))
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = ReportVersion.objects.create(report=locked, number=number, requested_by=by, requested_at=now)
        version.withdrew_validation = locked.status == ReportStatus.VALIDATED
        if version.withdrew_validation:
            locked.status = ReportStatus.DRAFT
            locked.validated_version = locked.validated_by = locked.validated_at = None
            fields = ["status", "validated_version", "validated_by", "validated_at"]
            _save(locked, by, fields)
            _sync(locked, report, fields)
        logger.info("Bilan %s version %s requested by %s", locked.pk, number, by)
    # Outside the lock: the immediate backend (tests) renders here and then; the database queue commits
    # the task with the request, so the worker sees the version.
    produce_report_version.enqueue(version.pk)
    version.refresh_from_db()
    return version


@transaction.atomic
def bilan_validate(*, report: AnnualReport, by: User, version: ReportVersion, at: datetime | None = None) -> None:
    """The direction validates the latest produced version of a brouillon."""
    locked = _lock(report)
    _refuse_if_transmitted(locked)
    if locked.status == ReportStatus.VALIDATED:
        validated = AnnualReport.objects.select_related("validated_version", "validated_by").get(pk=locked.pk)
        raise BilanError(
            ALREADY_VALIDATED.format(
                number=validated.validated_version.number,
                user=validated.validated_by,
                date=_day(timezone.localdate(validated.validated_at)),
            )
        )
    fresh = ReportVersion.objects.filter(pk=version.pk, report=locked).first()
    if fresh is None:
        raise BilanError(VERSION_OF_ANOTHER_BILAN)
    if fresh.state != RenderState.READY:
        raise BilanError(VERSION_NOT_READY.format(number=fresh.number, state=_state_words(fresh.state)))
    newer = locked.versions.filter(number__gt=fresh.number).exclude(state=RenderState.FAILED).order_by("-number")
    if (latest := newer.first()) is not None:
        raise BilanError(VERSION_OUTDATED.format(number=fresh.number, latest=latest.number))
    locked.status = ReportStatus.VALIDATED
    locked.validated_version, locked.validated_by, locked.validated_at = fresh, by, at or timezone.now()
    fields = ["status", "validated_version", "validated_by", "validated_at"]
    _save(locked, by, fields)
    _sync(locked, report, fields)
    logger.info("Bilan %s version %s validated by %s", locked.pk, fresh.number, by)


def _state_words(state: str) -> str:
    return {RenderState.PENDING: "encore en cours de production", RenderState.FAILED: "en échec"}[state]


@transaction.atomic
def bilan_transmit(*, report: AnnualReport, by: User, transmitted_on: date, channel: str) -> None:
    """Record that the validated version was sent to the CAF: from now on that file is frozen."""
    locked = _lock(report)
    _refuse_if_transmitted(locked)
    if locked.status != ReportStatus.VALIDATED:
        raise BilanError(NOT_VALIDATED)
    if channel not in TransmissionChannel.values:
        raise BilanError(UNKNOWN_CHANNEL)
    if transmitted_on > timezone.localdate():
        raise BilanError(DATE_IN_FUTURE)
    validated_on = timezone.localdate(locked.validated_at)
    if transmitted_on < validated_on:
        raise BilanError(TRANSMITTED_BEFORE_VALIDATION.format(date=_day(validated_on)))
    locked.status = ReportStatus.TRANSMITTED
    locked.transmitted_version_id = locked.validated_version_id
    locked.transmitted_on, locked.transmission_channel, locked.transmitted_by = transmitted_on, channel, by
    fields = ["status", "transmitted_version", "transmitted_on", "transmission_channel", "transmitted_by"]
    _save(locked, by, fields)
    _sync(locked, report, fields)
    logger.info("Bilan %s transmitted by %s on %s (%s)", locked.pk, by, transmitted_on, channel)


@transaction.atomic
def bilan_record_caf_remarks(*, report: AnnualReport, by: User, remarks: str, received_on: date) -> None:
    """Note what the CAF answered about a transmitted bilan (the transmitted file does not change)."""
    locked = _lock(report)
    if not locked.is_transmitted:
        raise BilanError(NOT_TRANSMITTED)
    if not remarks.strip():
        raise BilanError(REMARKS_EMPTY)
    if received_on > timezone.localdate():
        raise BilanError(DATE_IN_FUTURE)
    if received_on < locked.transmitted_on:
        raise BilanError(REMARKS_BEFORE_TRANSMISSION.format(date=_day(locked.transmitted_on)))
    locked.caf_remarks, locked.caf_remarks_on = remarks.strip(), received_on
    fields = ["caf_remarks", "caf_remarks_on"]
    _save(locked, by, fields)
    _sync(locked, report, fields)
    logger.info("Bilan %s: CAF remarks of %s recorded by %s", locked.pk, received_on, by)
