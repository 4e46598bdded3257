"""The PDF versions of a bilan: producing one (a background task), following its production (htmx polling)
and downloading its stored file."""

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from ctg.views.files import open_stored
from ctg.views.helpers import require
from reports import workflow
from reports.enums import RenderState
from reports.models import AnnualReport, ReportVersion
from reports.perms import can_read_bilans, can_write_bilan
from reports.views.bilans import decorate, detail_context, get_report, versions_of
from reports.workflow import BilanError

VERSION_REQUESTED = "La production du PDF (version {number}) est lancée : elle prend quelques secondes."
VERSION_READY = "Le PDF de la version {number} est prêt ({pages} pages)."
VERSION_FAILED = "La production du PDF de la version {number} a échoué : relancez-la."
VALIDATION_WITHDRAWN = (
    "Le bilan était validé : il repasse en brouillon, la direction devra valider la nouvelle version."
)


@require_POST
def bilan_generate(request, pk):
    require(can_write_bilan(request.user))
    report = get_report(pk)
    try:
        version = workflow.bilan_request_version(report=report, by=request.user)
    except BilanError as error:
        messages.error(request, str(error))
        return _fragments(request, report, None, on_detail=True) if request.htmx else redirect(report)
    _say_state(request, version, pending_message=VERSION_REQUESTED)
    if version.withdrew_validation:
        messages.warning(request, VALIDATION_WITHDRAWN)
    if not request.htmx:
        return redirect(f"{report.get_absolute_url()}#versions")
    return _fragments(request, get_report(pk), version.pk, on_detail=True)


@require_GET
def version_state(request, pk):
    """Polled every 2 s while a version is produced: its row, which stops polling once ready or failed."""
    require(can_read_bilans(request.user))
    version = get_object_or_404(ReportVersion.objects.select_related("requested_by"), pk=pk)
    report = get_report(version.report_id)
    if not request.htmx:
        return redirect(f"{report.get_absolute_url()}#versions")
    on_detail = request.GET.get("detail") == "1"
    if version.state == RenderState.PENDING:
        decorate(report, [version])
        return render(
            request, "reports/_version_row.html", {"version": version, "report": report, "on_detail": on_detail}
        )
    _say_state(request, version)
    return _fragments(request, report, version.pk, on_detail=on_detail)


def _say_state(request, version: ReportVersion, pending_message: str = "") -> None:
    if version.state == RenderState.READY:
        messages.success(request, VERSION_READY.format(number=version.number, pages=version.page_count))
    elif version.state == RenderState.FAILED:
        messages.error(request, VERSION_FAILED.format(number=version.number))
    elif pending_message:
        messages.success(request, pending_message.format(number=version.number))


def _fragments(request, report: AnnualReport, version_pk: int | None, *, on_detail: bool) -> HttpResponse:
    """htmx answer: the version's row, then out of band the messages and, on the detail page, the workflow
    panel. The out-of-band parts travel inside a <template>: parsed after a table row, a <form> would
    otherwise lose its fields (HTML's "form in table" rule)."""
    if on_detail:
        context = detail_context(request, report, oob=True)
        versions = context["versions"]
    else:
        context, versions = {"report": report, "on_detail": False}, versions_of(report)
    row = next((v for v in versions if v.pk == version_pk), None)
    html = render_to_string("reports/_version_row.html", {**context, "version": row}, request) if row else ""
    oob = render_to_string("_messages.html", {"oob": True}, request)
    if on_detail:
        oob += render_to_string("reports/bilan_detail.html#actions", context, request)
    return HttpResponse(f"{html}<template>{oob}</template>")


@require_GET
def version_download(request, pk):
    """The exact bytes stored when the version was produced: a transmitted version is the file the CAF
    received, whose SHA-256 the bilan page shows (and this answer repeats in a header)."""
    require(can_read_bilans(request.user))
    version = get_object_or_404(ReportVersion.objects.select_related("report"), pk=pk, state=RenderState.READY)
    response = FileResponse(
        open_stored(version.file), as_attachment=True, filename=version.filename, content_type="application/pdf"
    )
    response["X-Content-SHA256"] = version.sha256
    return response
