"""The entry grid: a service head enters the year-N values of the indicators their service fills in; the
coordination moves from one service to the next (the first one by default); the direction and the élus read the
same grid without inputs. A page shows `PAGE_SIZE` indicators at most, so that it costs the same whatever the
size of the plan; its counter still counts the whole service.

Each row is a small form posting to `indicator_grid_save`. With htmx the answer is the row again (with its
confirmation or its French error) plus the missing-values counters out of band; without JavaScript the post
redirects back to the same page of the grid (PRG), or shows that page again with the row's error. Every write
goes through `measurement_record`, under the indicator's lock, with the value the row showed (`previous`): a
value saved meanwhile by someone else is never overwritten silently.
"""

import logging
from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ctg.models import Convention, Service, User
from ctg.views.helpers import add_form_errors, convention_or_current, query_int, require
from evaluation.enums import Period
from evaluation.forms.grid import GridValueForm, row_ids
from evaluation.grid_rows import (
    Row,
    Scope,
    ServiceCount,
    exact_text,
    first_service,
    grid_counts,
    grid_indicators,
    grid_rows,
    groups_of,
    in_grid_order,
    service_counts,
)
from evaluation.models import Indicator, Measurement
from evaluation.numbers import format_decimal
from evaluation.perms import can_enter_values, can_manage_evaluation
from evaluation.services import INDICATOR_GONE, IndicatorGone, indicator_lock, measurement_record
from evaluation.status import RULE

logger = logging.getLogger("evaluation")

TEMPLATE = "evaluation/grid.html"
ROW_TEMPLATE = "evaluation/_grid_row.html"
PAGE_SIZE = 10  # about one service of the demo; "Mes actions" pages by 10 too
SAVED = "{code} : valeur {year} enregistrée ({value})."
UNCHANGED = "{code} : la valeur {year} était déjà enregistrée, rien n'a changé."


def entry_year(today: date | None = None) -> int:
    """The year whose values are being entered: the bilan campaign collects the values of year N until the end of
    January N+1, so in January and February it is still the previous year."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month <= 2 else today.year


def grid_year(params: QueryDict, convention: Convention) -> int:
    """`?annee=` (a 404 outside the convention's years), by default `entry_year()` brought into them."""
    years = convention.years
    if params.get("annee"):
        year = query_int(params["annee"])
        if year not in years:
            raise Http404("Cette année n'est pas couverte par la convention.")
        return year
    return min(max(entry_year(), years[0]), years[-1])


def may_enter(user: User) -> bool:
    """The coordination and the service heads enter values; the other roles read the grid."""
    return can_manage_evaluation(user) or user.is_service_head


def grid_scope(request, default: Callable[[], Service | None]) -> Scope:
    """A service head sees their own service's indicators whatever `?service=` says (the filter is ignored);
    the other roles see the service `?service=` names (a 404 when it does not exist), by default `default()`."""
    user = request.user
    if user.is_service_head:
        return Scope(user.service, own=True)
    service_id = request.GET.get("service")
    if not service_id:
        return Scope(default(), own=False)
    return Scope(get_object_or_404(Service, pk=query_int(service_id)), own=False)


def with_page(query: dict[str, str], params: QueryDict) -> dict[str, str]:
    """`query` and the page number `params` asked for (beyond the first), to come back to the same page."""
    page = params.get("page", "")
    return {**query, "page": page} if page.isascii() and page.isdigit() and int(page) > 1 else query


def grid_url(year: int, query: dict[str, str], pk: int | None = None) -> str:
    url = f"{reverse('evaluation:indicator_grid')}?{urlencode({'annee': year, **query})}"
    return f"{url}#{row_ids(pk)['row']}" if pk else url


# --- The page ----------------------------------------------------------------------------------------------


def grid_page(
    request,
    convention: Convention,
    year: int,
    scope: Scope,
    *,
    services: list[ServiceCount] | None = None,
    error_row: int | None = None,
    forms=None,
):
    """The page of `scope`'s indicators; `services`, the `service_counts` shown to the coordination, when they
    were counted already (they hold the counters of the service shown)."""
    query = scope.query(request.GET)
    if services is None and not scope.own:
        services = service_counts(convention, year)
    indicators = grid_indicators(convention, scope) if scope.service else Indicator.objects.none()
    shown = [item for item in services or [] if scope.service and item.pk == scope.service.pk]
    counts = {"total": shown[0].total, "missing": shown[0].missing} if shown else grid_counts(indicators, year)
    paginator = Paginator(in_grid_order(indicators).values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = counts["total"]  # counted already, with the missing values
    page = paginator.get_page(request.GET.get("page"))
    save_query = urlencode({**query, "page": page.number} if page.number > 1 else query)
    indicators = Indicator.objects.filter(pk__in=list(page.object_list))
    rows = grid_rows(indicators, year, request.user, forms=forms, save_query=save_query)
    context = {
        "convention": convention,
        "year": year,
        "years": convention.years,
        "scope": scope,
        "query": query,
        "page": page,
        "page_query": urlencode({"annee": year, **query}),
        "services": services,
        "groups": groups_of(rows),
        **counts,
        "editable": any(row.form for row in rows),
        "error_row": next((row for row in rows if row.indicator.pk == error_row), None),
        "rule": RULE,
        "oob": False,
    }
    return render(request, TEMPLATE, context)


@require_GET
def indicator_grid(request):
    """Everyone signed in reads the grid; the coordination and the service heads enter values in it."""
    convention = convention_or_current(request.GET.get("convention"))
    year = grid_year(request.GET, convention)
    services = None if request.user.is_service_head else service_counts(convention, year)
    # The coordination's grid opens on the first service, by name, that has indicators to fill in.
    scope = grid_scope(request, lambda: first_service(services))
    return grid_page(request, convention, year, scope, services=services)


# --- Saving one row --------------------------------------------------------------------------------------


def _row_response(request, row: Row, scope: Scope, convention: Convention) -> HttpResponse:
    """htmx: the row again, and the missing-values counters of the service out of band (the page's, and the
    coordination's link to the service)."""
    context = {"row": row, "oob": True}
    html = render_to_string(ROW_TEMPLATE, context, request)
    counts = grid_counts(grid_indicators(convention, scope), row.year)
    html += render_to_string(
        "evaluation/_grid_missing.html", {**context, "count_id": "grid-missing", **counts}, request
    )
    if not scope.own and scope.service is not None:
        service = {"pk": scope.service.pk, **counts}
        html += render_to_string("evaluation/_grid_service_count.html", {**context, "service": service}, request)
    return HttpResponse(html)


def _gone(request, pk: int, year: int) -> HttpResponse:
    if request.htmx:
        context = {"pk": pk, "message": INDICATOR_GONE}
        return HttpResponse(render_to_string("evaluation/_grid_gone.html", context, request))
    messages.error(request, INDICATOR_GONE)
    query = {key: request.GET[key] for key in ("convention", "service") if request.GET.get(key)}
    return redirect(grid_url(year, with_page(query, request.GET)))


def _fresh_row(indicator: Indicator, year: int, request, scope: Scope, **changes) -> Row:
    """The row read again from the database (its status, its stored value), with `changes` applied."""
    forms = {indicator.pk: changes.pop("form")} if "form" in changes else None
    indicators = Indicator.objects.filter(pk=indicator.pk)
    save_query = urlencode(with_page(scope.query(request.GET), request.GET))
    row = grid_rows(indicators, year, request.user, forms=forms, save_query=save_query)[0]
    for name, value in changes.items():
        setattr(row, name, value)
    return row


@require_POST
def indicator_grid_save(request, pk: int, year: int):
    """Save one row of the grid: the value of `year` of indicator `pk` (and its comment)."""
    require(may_enter(request.user))
    indicator = (
        Indicator.objects.select_related("convention", "service", "action__pilot_service").filter(pk=pk).first()
    )
    if indicator is None:
        return _gone(request, pk, year)
    require(can_enter_values(request.user, indicator))
    if year not in indicator.convention.years:
        raise Http404("Cette année n'est pas couverte par la convention.")
    convention = indicator.convention
    # A save URL names the service its page shows; without it, the counters are those of the row's service.
    scope = grid_scope(
        request, lambda: indicator.service or (indicator.action.pilot_service if indicator.action_id else None)
    )
    with transaction.atomic():
        try:
            indicator_lock(pk)  # nobody writes this indicator's values until this request's own write
        except IndicatorGone:
            return _gone(request, pk, year)
        stored = Measurement.objects.filter(indicator=indicator, year=year, period=Period.YEAR).first()
        form = GridValueForm(request.POST, indicator=indicator, year=year, stored=stored)
        outcome = _record(request, form, indicator, year, stored) if form.is_valid() else None

    if outcome is not None and not form.errors:
        measurement, unchanged = outcome
        text = (UNCHANGED if unchanged else SAVED).format(
            code=indicator.code, year=year, value=exact_text(measurement.value, indicator.unit)
        )
        if not request.htmx:
            messages.success(request, text)
            return redirect(grid_url(year, with_page(scope.query(request.GET), request.GET), pk))
        row = _fresh_row(indicator, year, request, scope, saved_at=measurement.recorded_at, unchanged=unchanged)
        return _row_response(request, row, scope, convention)

    _show_conflict(form, stored)
    if request.htmx:
        row = _fresh_row(indicator, year, request, scope, form=form)
        return _row_response(request, row, scope, convention)
    return grid_page(request, convention, year, scope, error_row=pk, forms={pk: form})


def _record(request, form: GridValueForm, indicator: Indicator, year: int, stored: Measurement | None):
    """(measurement, unchanged) once saved; None with the form's errors set when `measurement_record` refuses."""
    value, comment, previous = (form.cleaned_data[name] for name in ("value", "comment", "previous"))
    if stored is not None and stored.value == value:
        if stored.comment == comment:
            return stored, True  # a double submit, or the value the row already showed
        previous = stored.value  # the same figure: only the comment changes
    try:
        measurement = measurement_record(
            indicator=indicator, year=year, value=value, comment=comment, by=request.user, previous=previous
        )
    except ValidationError as error:
        add_form_errors(form, error)
        return None
    logger.info("Indicator %s: value %s of %s entered in the grid by %s", indicator.code, value, year, request.user)
    return measurement, False


def _show_conflict(form: GridValueForm, stored: Measurement | None) -> None:
    """When the row showed another value than the one stored now: the form says which (`form.conflict`) and
    takes it as the value seen (`previous`), so that saving again is a deliberate overwrite."""
    if "previous" in form.errors:
        return
    now = stored.value if stored else None
    if form.cleaned_data.get("previous") == now:
        return
    data = form.data.copy()
    data["previous"] = format_decimal(now) if now is not None else ""
    form.data = data
    form.conflict = exact_text(now) if now is not None else "aucune valeur"


urlpatterns = [
    path("indicateurs/saisie/", indicator_grid, name="indicator_grid"),
    path("indicateurs/saisie/<int:pk>/<int:year>/", indicator_grid_save, name="indicator_grid_save"),
]
