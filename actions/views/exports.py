"""Exports of the plan d'actions (xlsx and CSV, from the list page with its filters) and the printable PDF
of one fiche action. The file formats are described in `actions/resources.py`."""

import re
from dataclasses import dataclass
from io import BytesIO
from itertools import groupby

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from actions.filters import ActionFilter
from actions.models import Action, BudgetLine, ProgressUpdate
from actions.resources import ActionResource, BudgetLineResource, ProgressUpdateResource
from actions.views.detail import get_action
from actions.views.lists import _convention_from
from ctg.pdf import render_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_DELIMITER = ";"  # French Excel splits CSV columns on ";" (the comma is its decimal separator)
BOM = "\ufeff"  # without it Excel reads UTF-8 as Windows-1252 and garbles the accents
XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_MAX_WIDTH = 60
LATEST_UPDATES = 5


@dataclass(frozen=True)
class Export:
    resource: type
    file_prefix: str
    sheet_title: str


EXPORTS = {
    "fiches": Export(ActionResource, "fiches-actions", "Fiches actions"),
    "points-etape": Export(ProgressUpdateResource, "points-etape", "Points d'étape"),
    "budget": Export(BudgetLineResource, "budget", "Budget"),
}
FORMATS = ("csv", "xlsx")


def filtered_actions(request):
    """The actions of the list page for the same GET parameters, every page, in the list's order."""
    convention = _convention_from(request)
    filterset = ActionFilter(
        request.GET, queryset=Action.objects.of_convention(convention).for_display(), convention=convention
    )
    return convention, filterset.qs


def export_rows(dataset: str, actions):
    if dataset == "fiches":
        return actions
    in_list = actions.order_by().values("pk")
    if dataset == "points-etape":
        return ProgressUpdate.objects.filter(action__in=in_list).order_by("action__code", "recorded_at", "pk")
    return BudgetLine.objects.filter(action__in=in_list).order_by("action__code", "year", "funder", "pk")


def csv_bytes(data) -> bytes:
    return (BOM + data.export("csv", delimiter=CSV_DELIMITER)).encode("utf-8")


def xlsx_bytes(data, title: str) -> bytes:
    """The dataset as one sheet: bold frozen headers, dates shown day/month/year, a text starting with "="
    kept as text (never a formula), column widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(data.headers)
    for row in data:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(header) for header in data.headers]
    for row in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(row):
            if cell.data_type == "f":
                cell.data_type = "s"
            if cell.is_date:
                cell.number_format = XLSX_DATE_FORMAT
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index] = max(widths[index], len(str(cell.value or "")))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, XLSX_MAX_WIDTH)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@require_GET
def export(request, dataset, fmt):
    """The filtered actions, or their points d'étape or budget lines, as a file to download."""
    if dataset not in EXPORTS or fmt not in FORMATS:
        raise Http404("Export inconnu.")
    spec = EXPORTS[dataset]
    convention, actions = filtered_actions(request)
    data = spec.resource().export(
        export_rows(dataset, actions), escape_formulae=fmt == "csv", force_native_type=fmt == "xlsx"
    )
    content = csv_bytes(data) if fmt == "csv" else xlsx_bytes(data, spec.sheet_title)
    filename = f"{spec.file_prefix}-{slugify(convention.name) or convention.pk}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return HttpResponse(
        content,
        content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def budget_years(lines) -> list[dict]:
    """The budget lines grouped by year (they come ordered by year), with the year's totals; the actual
    total is None while no line of the year has its réalisé."""
    years = []
    for year, group in groupby(lines, key=lambda line: line.year):
        group = list(group)
        actuals = [line.actual for line in group if line.actual is not None]
        years.append(
            {
                "year": year,
                "lines": group,
                "planned": sum(line.planned for line in group),
                "actual": sum(actuals) if actuals else None,
            }
        )
    return years


@require_GET
def action_pdf(request, pk):
    """The fiche action as a PDF to print or send, shown in the browser."""
    action = get_action(pk)
    lines = list(action.budget_lines.all())
    html = render_to_string(
        "actions/action_pdf.html",
        {
            "action": action,
            "convention": action.convention,
            "partner_roles": action.partner_roles.select_related("partner"),
            "milestones": action.milestones.all(),
            "budget_years": budget_years(lines),
            "budget_planned": sum(line.planned for line in lines),
            "budget_actual": sum(line.actual or 0 for line in lines),
            "updates": action.updates.select_related("author")[:LATEST_UPDATES],
            "update_count": action.updates.count(),
            "printed_on": timezone.localdate(),
        },
    )
    filename = "fiche-" + re.sub(r"[^\w.-]+", "-", action.code) + ".pdf"
    return HttpResponse(
        render_pdf(html).content,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )
