"""Facilities (équipements) and their funding lines: everyone signed in reads them, their totals per year and per
scheme, and exports the lines; the coordination keeps them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from ctg.views.helpers import SAVED, delete_page, form_page, post_data, require
from partners.forms_funding import FacilityFilterForm, FacilityForm, FundingFilterForm, FundingLineForm
from partners.models import Facility, FundingLine
from partners.perms import can_manage_facilities, can_read_facilities
from partners.resources import CSV_TYPE, FundingLineResource, csv_bytes

PAGE_SIZE = 25
FACILITY_GONE = "Cet équipement vient d'être supprimé par une autre personne : le financement n'a pas été enregistré."
get_or_post = require_http_methods(["GET", "POST"])


def _funding_url(facility_id: int) -> str:
    return reverse("partners:facility_detail", args=[facility_id]) + "#financements"


@require_GET
def facility_list(request):
    require(can_read_facilities(request.user))
    filters = FacilityFilterForm(request.GET)
    facilities = Facility.objects.select_related("manager", "district")
    if kind := filters.value("type"):
        facilities = facilities.filter(kind=kind)
    page = Paginator(facilities.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    template = "partners/facility_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": params.urlencode(),
            "filtered": bool(kind),
            "can_manage": can_manage_facilities(request.user),
            "nav_section": "partners:facility_list",
        },
    )


@require_GET
def facility_detail(request, pk):
    """A facility and its funding lines grouped by year, each year with its totals (added up by the database)."""
    require(can_read_facilities(request.user))
    facility = get_object_or_404(Facility.objects.select_related("manager", "district"), pk=pk)
    lines = facility.funding_lines.with_amount().order_by("-year", "scheme", "pk")
    totals = {row["year"]: row for row in facility.funding_lines.totals_by("year")}
    return render(
        request,
        "partners/facility_detail.html",
        {
            "facility": facility,
            "years": [(year, totals[year], group) for year, group in _by_year(lines)],
            "can_manage": can_manage_facilities(request.user),
            "nav_section": "partners:facility_list",
        },
    )


def _by_year(lines) -> list[tuple[int, list[FundingLine]]]:
    years: list[tuple[int, list[FundingLine]]] = []
    for line in lines:
        if not years or years[-1][0] != line.year:
            years.append((line.year, []))
        years[-1][1].append(line)
    return years


def _facility_form(request, form: FacilityForm, title: str, cancel_url: str):
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda facility: facility.get_absolute_url(),
        cancel_url=cancel_url,
        success_message=SAVED,
        context={"nav_section": "partners:facility_list"},
    )


@get_or_post
def facility_create(request):
    require(can_manage_facilities(request.user))
    form = FacilityForm(post_data(request))
    return _facility_form(request, form, "Nouvel équipement", reverse("partners:facility_list"))


@get_or_post
def facility_edit(request, pk):
    require(can_manage_facilities(request.user))
    facility = get_object_or_404(Facility, pk=pk)
    form = FacilityForm(post_data(request), instance=facility)
    return _facility_form(request, form, f"Modifier « {facility} »", facility.get_absolute_url())


@get_or_post
def facility_delete(request, pk):
    """Refused while funding lines remain: they are the facility's financial history."""
    require(can_manage_facilities(request.user))
    facility = get_object_or_404(Facility, pk=pk)
    return delete_page(
        request, facility, success_url=reverse("partners:facility_list"), cancel_url=facility.get_absolute_url()
    )


def _funding_form(request, form: FundingLineForm, title: str):
    facility = form.instance.facility
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda line: _funding_url(line.facility_id),
        cancel_url=_funding_url(facility.pk),
        success_message=SAVED,
        template="partners/funding_form.html",
        context={"facility": facility, "nav_section": "partners:facility_list"},
    )


@get_or_post
def funding_create(request, pk):
    require(can_manage_facilities(request.user))
    facility = get_object_or_404(Facility, pk=pk)
    # The facility locked and read again before the line is checked and saved: its deletion then waits, and sees
    # the line (which protects it), or comes first and is said here (the form cannot show a missing facility).
    if request.method == "POST" and not Facility.objects.select_for_update().filter(pk=facility.pk).exists():
        messages.error(request, FACILITY_GONE)
        return redirect("partners:facility_list")
    form = FundingLineForm(post_data(request), instance=FundingLine(facility=facility, year=timezone.localdate().year))
    return _funding_form(request, form, f"Nouveau financement de « {facility} »")


@get_or_post
def funding_edit(request, pk):
    require(can_manage_facilities(request.user))
    line = get_object_or_404(FundingLine.objects.select_related("facility"), pk=pk)
    form = FundingLineForm(post_data(request), instance=line)
    return _funding_form(request, form, f"Modifier « {line} » de « {line.facility} »")


@get_or_post
def funding_delete(request, pk):
    require(can_manage_facilities(request.user))
    line = get_object_or_404(FundingLine.objects.select_related("facility"), pk=pk)
    return delete_page(
        request, line, success_url=_funding_url(line.facility_id), cancel_url=_funding_url(line.facility_id)
    )


def filtered_lines(filters: FundingFilterForm):
    lines = FundingLine.objects.all()
    if (year := filters.value("annee")) is not None:
        lines = lines.filter(year=year)
    if scheme := filters.value("dispositif"):
        lines = lines.filter(scheme=scheme)
    if facility := filters.value("equipement"):
        lines = lines.filter(facility=facility)
    return lines


@require_GET
def funding_list(request):
    """The funding lines of every facility, filtered by year, scheme and facility, twenty-five a page, with the
    totals per year and per scheme of all the filtered lines (two aggregate queries, whatever their number)."""
    require(can_read_facilities(request.user))
    filters = FundingFilterForm(request.GET)
    lines = filtered_lines(filters)
    page = Paginator(
        lines.with_amount().select_related("facility").order_by("-year", "facility__name", "scheme", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    by_year = list(lines.totals_by("year"))
    schemes = dict(FundingLine._meta.get_field("scheme").choices)
    by_scheme = [row | {"label": schemes.get(row["scheme"], row["scheme"])} for row in lines.totals_by("scheme")]
    params = request.GET.copy()
    params.pop("page", None)
    template = "partners/funding_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": params.urlencode(),
            "filtered": any(filters.value(name) is not None for name in ("annee", "dispositif", "equipement")),
            "by_year": by_year,
            "by_scheme": by_scheme,
            "grand_total": _grand_total(by_year),
            "can_manage": can_manage_facilities(request.user),
            "nav_section": "partners:funding_list",
        },
    )


def _grand_total(rows: list[dict]) -> dict:
    """The sum of the per-year totals (None stays None when no line has that amount)."""
    total = {"lines": sum(row["lines"] for row in rows)}
    for key in ("computed", "planned_total", "notified_total", "paid_total"):
        values = [row[key] for row in rows if row[key] is not None]
        total[key] = sum(values) if values else None
    return total


@require_GET
def funding_export(request):
    """The filtered funding lines as a CSV file for French Excel (";", decimal comma, UTF-8 with BOM)."""
    require(can_read_facilities(request.user))
    lines = (
        filtered_lines(FundingFilterForm(request.GET)).with_amount().select_related("facility", "facility__manager")
    )
    data = FundingLineResource().export(lines.order_by("facility__name", "year", "scheme", "pk"), escape_formulae=True)
    filename = f"financements-{timezone.localdate():%Y-%m-%d}.csv"
    return HttpResponse(
        csv_bytes(data),
        content_type=CSV_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
