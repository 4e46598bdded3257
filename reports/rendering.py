"""The bilan annuel as HTML (preview and printable document) and as PDF versions written once.

A version's file is produced outside any transaction (WeasyPrint takes seconds: on SQLite an open write
transaction would block every other writer meanwhile), then stored under a row lock that re-checks the
version is not READY yet, so a finished version is never overwritten.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ctg.pdf import render_pdf
from reports.bilan import bilan_context, logo_sources
from reports.enums import RenderState
from reports.models import AnnualReport, ReportVersion

__all__ = ["bilan_html", "logo_sources", "produce_version"]

logger = logging.getLogger("reports")

PRODUCTION_FAILED = (
    "La production du PDF a échoué. Relancez la génération ; si l'échec se répète, prévenez l'administrateur "
    "technique."
)


def bilan_html(report: AnnualReport, *, standalone: bool, version: ReportVersion | None = None) -> str:
    """The bilan as HTML: the whole printable document (`standalone=True`, for WeasyPrint, logos read from
    their files) or only its body, as the preview page includes it."""
    context = bilan_context(report, version=version, standalone=standalone)
    template = "reports/bilan/document.html" if standalone else "reports/bilan/_body.html"
    return render_to_string(template, context)


def produce_version(version: ReportVersion) -> None:
    """Render the PDF of `version.report` now and store it in `version` (READY), or mark it FAILED with a
    French message. Never raises; leaves a READY version untouched."""
    try:
        fresh = ReportVersion.objects.select_related("report__convention", "requested_by").get(pk=version.pk)
        if fresh.state == RenderState.READY:
            return
        pdf = render_pdf(bilan_html(fresh.report, standalone=True, version=fresh))
        _store(version, pdf.content, pdf.page_count)
    except Exception:
        logger.exception("Bilan %s : échec de la production de la version %s", version.report_id, version.pk)
        _mark_failed(version)


def _store(version: ReportVersion, content: bytes, page_count: int) -> None:
    with transaction.atomic():
        locked = ReportVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state == RenderState.READY:
            return
        # The storage never overwrites an existing file: a clashing name gets a suffix.
        locked.file.save(version.filename, ContentFile(content), save=False)
        locked.sha256 = hashlib.sha256(content).hexdigest()
        locked.size = len(content)
        locked.page_count = page_count
        locked.generated_at = timezone.now()
        locked.state = RenderState.READY
        locked.error = ""
        locked.save(update_fields=["file", "sha256", "size", "page_count", "generated_at", "state", "error"])
    _copy(locked, version)
    logger.info(
        "Bilan %s : version %s produite (%s pages, sha256 %s)",
        locked.report_id,
        locked.number,
        page_count,
        locked.sha256,
    )


def _mark_failed(version: ReportVersion) -> None:
    try:
        with transaction.atomic():
            locked = ReportVersion.objects.select_for_update().get(pk=version.pk)
            if locked.state == RenderState.READY:
                return
            locked.state = RenderState.FAILED
            locked.error = PRODUCTION_FAILED
            locked.save(update_fields=["state", "error"])
        _copy(locked, version)
    except Exception:
        logger.exception("Bilan %s : impossible d'enregistrer l'échec de la version %s", version.report_id, version.pk)


def _copy(source: ReportVersion, target: ReportVersion) -> None:
    """Refresh the caller's instance with what was saved."""
    for name in ["file", "sha256", "size", "page_count", "generated_at", "state", "error"]:
        setattr(target, name, getattr(source, name))
