"""The bilans annuels: list per year, detail with the workflow, narrative, preview, PDF versions, transmission.

Reading is for the coordination, the direction and the élus; the coordination writes, produces and
transmits; the direction validates. Every refusal of a workflow rule is a French message, never a 500.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ctg.models import Convention
from ctg.views.helpers import convention_or_current, post_data, query_int, require
from reports import workflow
from reports.bilan import bilan_context
from reports.dates import bilan_due_on, campaign_year
from reports.enums import RenderState, ReportStatus
from reports.forms import CafRemarksForm, NarrativeForm, TransmitForm
from reports.history import bilan_history
from reports.models import NARRATIVE_FIELDS, AnnualReport, ReportVersion
from reports.perms import can_read_bilans, can_validate_bilan, can_write_bilan
from reports.workflow import BilanError, StaleNarrative

CREATED = "Le bilan {year} est commencé : rédigez sa synthèse, puis produisez son PDF."
NARRATIVE_SAVED = "Le bilan a été enregistré."
NARRATIVE_SAVED_AFTER_PDF = (
    "Le bilan a été enregistré. Produisez une nouvelle version du PDF pour y intégrer ce texte."
)
VALIDATED = "La version {number} du bilan {year} est validée : la coordination peut la transmettre à la CAF."
TRANSMITTED = "Le bilan {year} est transmis à la CAF : la version {number} est figée (SHA-256 {sha})."
REMARKS_SAVED = "Les remarques de la CAF sont enregistrées."
CHOOSE_VERSION = "Choisissez la version à valider."
BAD_CREATE_REQUEST = "Choisissez l'année du bilan à commencer."
NEXT_PRODUCE = "Prochaine étape : la coordination produit le PDF, puis la direction valide cette version."
NEXT_VALIDATE = "Prochaine étape : la direction valide la version {number}."
NEXT_TRANSMIT = "Prochaine étape : la coordination transmet la version {number} à la CAF."

# Report status and version state → badge modifier of `c-badge` (app.css).
STATUS_BADGES = {ReportStatus.DRAFT: "neutral", ReportStatus.VALIDATED: "done", ReportStatus.TRANSMITTED: "recurring"}


def report_queryset():
    return AnnualReport.objects.select_related(
        "convention", "updated_by", "validated_by", "validated_version", "transmitted_by", "transmitted_version"
    )


def get_report(pk: int) -> AnnualReport:
    return get_object_or_404(report_queryset(), pk=pk)


def decorate(report: AnnualReport, versions: list[ReportVersion]) -> list[ReportVersion]:
    """Give each version its badge in the bilan's life: brouillon, validée, transmise, en cours, échec."""
    for version in versions:
        if version.state == RenderState.PENDING:
            version.badge, version.badge_label = "in_progress", "En cours de production"
        elif version.state == RenderState.FAILED:
            version.badge, version.badge_label = "late", "Échec"
        elif version.pk == report.transmitted_version_id:
            version.badge, version.badge_label = "recurring", "Transmise à la CAF"
        elif version.pk == report.validated_version_id:
            version.badge, version.badge_label = "done", "Validée"
        else:
            version.badge, version.badge_label = "neutral", "Brouillon"
    return versions


def versions_of(report: AnnualReport) -> list[ReportVersion]:
    return decorate(report, list(report.versions.select_related("requested_by").order_by("-number")))


def validatable_version(report: AnnualReport, versions: list[ReportVersion]) -> ReportVersion | None:
    """The version the direction may validate: the newest one not in failure, once ready, of a brouillon."""
    if report.status != ReportStatus.DRAFT:
        return None
    latest = next((v for v in versions if v.state != RenderState.FAILED), None)
    return latest if latest is not None and latest.state == RenderState.READY else None


def next_step(report: AnnualReport, versions: list[ReportVersion]) -> str:
    """Who acts next, shown to everyone on the bilan's page."""
    if report.is_transmitted:
        return ""
    if report.status == ReportStatus.VALIDATED:
        return NEXT_TRANSMIT.format(number=report.validated_version.number)
    if (version := validatable_version(report, versions)) is not None:
        return NEXT_VALIDATE.format(number=version.number)
    if any(v.state == RenderState.PENDING for v in versions):
        return ""
    return NEXT_PRODUCE


def detail_context(request, report: AnnualReport, **extra) -> dict:
    user = request.user
    versions = versions_of(report)
    transmitted = report.is_transmitted
    return {
        "next_step": next_step(report, versions),
        "report": report,
        "convention": report.convention,
        "status_badge": STATUS_BADGES[report.status],
        "versions": versions,
        "has_pending": any(v.state == RenderState.PENDING for v in versions),
        "validatable": validatable_version(report, versions) if can_validate_bilan(user) else None,
        "can_write": can_write_bilan(user) and not transmitted,
        "can_transmit": can_write_bilan(user) and report.status == ReportStatus.VALIDATED,
        "can_remark": can_write_bilan(user) and transmitted,
        "narrative": [(report._meta.get_field(name).verbose_name, getattr(report, name)) for name in NARRATIVE_FIELDS],
        "history": bilan_history(report, versions),
        "on_detail": True,
        "oob": False,
        **extra,
    }


@require_GET
def bilan_list(request):
    require(can_read_bilans(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    reports = {
        report.year: report
        for report in report_queryset().of_convention(convention).prefetch_related("versions__requested_by")
    }
    today = timezone.localdate()
    current_year = campaign_year(today)
    rows = []
    for year in reversed(convention.years):
        report = reports.get(year)
        due_on = bilan_due_on(year)
        days_left = (due_on - today).days if year == current_year else None
        rows.append(
            {
                "year": year,
                "report": report,
                "versions": decorate(report, list(report.versions.all())) if report else [],
                "status_badge": STATUS_BADGES[report.status] if report else "",
                "due_on": due_on,
                "days_left": days_left,
                "days_late": -days_left if days_left is not None and days_left < 0 else 0,
                "can_start": report is None and year <= today.year,
            }
        )
    conventions = list(Convention.objects.order_by("-start_date"))
    context = {
        "convention": convention,
        "conventions": conventions if len(conventions) > 1 else [],
        "rows": rows,
        "has_pending": any(v.state == RenderState.PENDING for row in rows for v in row["versions"]),
        "can_write": can_write_bilan(request.user),
        "on_detail": False,
    }
    return render(request, "reports/bilan_list.html", context)


@require_POST
def bilan_create(request):
    require(can_write_bilan(request.user))
    convention_pk, year = request.POST.get("convention", ""), request.POST.get("year", "")
    convention = get_object_or_404(Convention, pk=query_int(convention_pk))
    list_url = f"{reverse('reports:bilan_list')}?convention={convention.pk}"
    if query_int(year) is None:
        messages.error(request, BAD_CREATE_REQUEST)
        return redirect(list_url)
    try:
        report = workflow.bilan_create(convention=convention, year=query_int(year), by=request.user)
    except BilanError as error:
        messages.error(request, str(error))
        return redirect(list_url)
    messages.success(request, CREATED.format(year=report.year))
    return redirect(report)


@require_GET
def bilan_detail(request, pk):
    require(can_read_bilans(request.user))
    report = get_report(pk)
    return render(request, "reports/bilan_detail.html", detail_context(request, report))


@require_http_methods(["GET", "POST"])
def bilan_edit(request, pk):
    require(can_write_bilan(request.user))
    report = get_report(pk)
    if report.is_transmitted:
        messages.error(request, workflow.frozen_message(report))
        return redirect(report)
    form = NarrativeForm(post_data(request), instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.bilan_save_narrative(
                report=report, by=request.user, data=form.narrative(), version=form.cleaned_data["version"]
            )
        except StaleNarrative as stale:
            form.report_stale_edit(stale.report, str(stale))
        except BilanError as error:
            messages.error(request, str(error))
            return redirect(report)
        else:
            has_pdf = report.versions.exists()
            messages.success(request, NARRATIVE_SAVED_AFTER_PDF if has_pdf else NARRATIVE_SAVED)
            return redirect(report)
    return render(request, "reports/bilan_form.html", {"form": form, "report": report})


@require_GET
def bilan_preview(request, pk):
    require(can_read_bilans(request.user))
    report = get_report(pk)
    return render(request, "reports/bilan_preview.html", {**bilan_context(report), "report": report})


@require_POST
def bilan_validate(request, pk):
    require(can_validate_bilan(request.user))
    report = get_report(pk)
    version_pk = query_int(request.POST.get("version"))
    if version_pk is None:
        messages.error(request, CHOOSE_VERSION)
        return redirect(report)
    version = get_object_or_404(ReportVersion, pk=version_pk)
    try:
        workflow.bilan_validate(report=report, by=request.user, version=version)
    except BilanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, VALIDATED.format(number=version.number, year=report.year))
    return redirect(report)


@require_http_methods(["GET", "POST"])
def bilan_transmit(request, pk):
    require(can_write_bilan(request.user))
    report = get_report(pk)
    if report.status != ReportStatus.VALIDATED:
        messages.error(request, workflow.frozen_message(report) if report.is_transmitted else workflow.NOT_VALIDATED)
        return redirect(report)
    form = TransmitForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.bilan_transmit(
                report=report,
                by=request.user,
                transmitted_on=form.cleaned_data["transmitted_on"],
                channel=form.cleaned_data["channel"],
            )
        except BilanError as error:
            form.add_error(None, str(error))
        else:
            version = report.transmitted_version
            messages.success(request, TRANSMITTED.format(year=report.year, number=version.number, sha=version.sha256))
            return redirect(report)
    return render(request, "reports/bilan_transmit.html", {"form": form, "report": report, "remarks": False})


@require_http_methods(["GET", "POST"])
def bilan_remarks(request, pk):
    require(can_write_bilan(request.user))
    report = get_report(pk)
    if not report.is_transmitted:
        messages.error(request, workflow.NOT_TRANSMITTED)
        return redirect(report)
    form = CafRemarksForm(post_data(request), report=report)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.bilan_record_caf_remarks(
                report=report,
                by=request.user,
                remarks=form.cleaned_data["remarks"],
                received_on=form.cleaned_data["received_on"],
            )
        except BilanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, REMARKS_SAVED)
            return redirect(report)
    return render(request, "reports/bilan_transmit.html", {"form": form, "report": report, "remarks": True})
