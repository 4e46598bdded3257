"""Indicator pages: the list, the detail (statuses, chart, values and their history), the definition forms,
the value form, and the panel the fiche action shows (registered in `EvaluationConfig.ready`)."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from actions.models import Action
from ctg.models import User
from ctg.views.helpers import (
    GONE,
    add_form_errors,
    convention_or_current,
    delete_page,
    lock_instance,
    page_of,
    post_data,
    query_int,
    require,
    save_form,
    save_owned_fields,
)
from evaluation.charts import value_text
from evaluation.enums import IndicatorKind, Period
from evaluation.forms.indicators import PERIODS, IndicatorFilter, IndicatorForm, MeasurementForm, TargetFormSet
from evaluation.models import Indicator, Measurement
from evaluation.numbers import format_decimal
from evaluation.perms import can_enter_values, can_manage_evaluation
from evaluation.selectors import (
    chart_of,
    figures,
    indicator_history,
    indicators_of_action,
    measurements_of,
    with_figures,
    year_of,
    yearly_figures,
    yearly_statuses,
    yearly_targets,
)
from evaluation.services import IndicatorGone, indicator_lock, measurement_record, statuses_refresh
from evaluation.status import RULE

logger = logging.getLogger("evaluation")

PAGE_SIZE = 10  # each row costs about a millisecond to read and show: ten, as "Mes actions" and the entry grid
SAVED = "L'indicateur « {} » a été enregistré."
VALUE_SAVED = "Valeur {period} enregistrée : {value}."
VALUE_DELETED = "La valeur {period} a été supprimée."
VALUE_GONE = "Cette valeur avait déjà été supprimée."
DETAIL = "evaluation/indicator_detail.html"


def list_url(convention_id: int) -> str:
    return f"{reverse('evaluation:indicator_list')}?convention={convention_id}"


# --- List --------------------------------------------------------------------------------------------------


@require_GET
def indicator_list(request):
    """The convention's indicators with their figures of the year asked (`?annee=`, the current year by
    default, brought into the convention's years); filtered, `PAGE_SIZE` per page, in a fixed number of queries."""
    convention = convention_or_current(request.GET.get("convention"))
    year = year_of(convention, query_int(request.GET.get("annee")))
    queryset = with_figures(
        Indicator.objects.of_convention(convention).select_related("action", "objective", "axis"), year
    )
    filterset = IndicatorFilter(request.GET, queryset=queryset, convention=convention, year=year)
    # The plan's indicators first; the context ones have their own page too (the diagnostic).
    context_last = Case(When(kind=IndicatorKind.CONTEXT, then=Value(1)), default=Value(0))
    keys = filterset.qs.order_by(context_last, "code").values_list("pk", flat=True)
    # Counted, then one page of keys read: the figures (subqueries) are computed for the page's rows only.
    page = page_of(filterset.qs, keys, request.GET.get("page"), size=PAGE_SIZE)
    page.object_list = [figures(indicator, year) for indicator in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    template = "evaluation/indicator_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "convention": convention,
            "year": year,
            "years": list(reversed(convention.years)),
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage_evaluation(request.user),
        },
    )


# --- Definition: create, edit, delete ----------------------------------------------------------------------


def definition_page(request, form: IndicatorForm, targets, *, title: str, cancel_url: str) -> HttpResponse:
    """Show the definition and its targets; on a valid POST save both at once and go to the indicator.

    An edit locks and re-reads the indicator first (its targets are written under that lock too) and saves
    only the form's fields; a rule broken meanwhile by someone else comes back as the form's French message."""
    if request.method == "POST":
        if form.instance.pk is not None and not lock_instance(form.instance):
            messages.error(request, GONE.format(form.instance))
            return redirect(list_url(form.convention.pk))
        valid = form.is_valid()
        if targets.is_valid() and valid:

            def save() -> Indicator:
                indicator = save_owned_fields(form)
                targets.save(indicator)
                statuses_refresh(indicator_ids=[indicator.pk])  # the baseline, direction or targets may have moved
                return indicator

            if (indicator := save_form(form, save)) is not None:
                logger.info("Indicator %s saved by %s", indicator.code, request.user)
                messages.success(request, SAVED.format(indicator))
                return redirect(indicator)
    context = {
        "form": form,
        "targets": targets,
        "title": title,
        "cancel_url": cancel_url,
        "convention": form.convention,
    }
    return render(request, "evaluation/indicator_form.html", context)


@require_http_methods(["GET", "POST"])
def indicator_create(request):
    require(can_manage_evaluation(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    initial, action = {}, None
    if action_pk := query_int(request.GET.get("action")):  # from the fiche action's panel
        action = Action.objects.of_convention(convention).filter(pk=action_pk).first()
        initial = {"action": action.pk} if action else {}
    indicator = Indicator(convention=convention)
    data = post_data(request)
    form = IndicatorForm(data, instance=indicator, convention=convention, initial=initial)
    targets = TargetFormSet(data, indicator=indicator, convention=convention)
    cancel_url = action.get_absolute_url() if action else list_url(convention.pk)
    return definition_page(request, form, targets, title="Nouvel indicateur", cancel_url=cancel_url)


@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk):
    require(can_manage_evaluation(request.user))
    indicator = get_object_or_404(Indicator.objects.select_related("convention"), pk=pk)
    data = post_data(request)
    form = IndicatorForm(data, instance=indicator, convention=indicator.convention)
    targets = TargetFormSet(data, indicator=indicator, convention=indicator.convention)
    title = f"Modifier l'indicateur « {indicator} »"
    return definition_page(request, form, targets, title=title, cancel_url=indicator.get_absolute_url())


@require_http_methods(["GET", "POST"])
def indicator_delete(request, pk):
    """Ask for confirmation, saying how many values and targets go with the indicator, then delete."""
    require(can_manage_evaluation(request.user))
    indicator = get_object_or_404(Indicator, pk=pk)
    if request.method == "POST":
        url = list_url(indicator.convention_id)
        return delete_page(request, indicator, success_url=url, cancel_url=indicator.get_absolute_url())
    context = {
        "indicator": indicator,
        "values": indicator.measurements.count(),
        "targets": indicator.targets.count(),
        "cancel_url": indicator.get_absolute_url(),
    }
    return render(request, "evaluation/indicator_delete.html", context)


# --- Detail and values -------------------------------------------------------------------------------------


def get_indicator(pk: int) -> Indicator:
    related = ("convention", "service", "action__pilot_service", "objective__axis", "axis")
    return get_object_or_404(Indicator.objects.select_related(*related), pk=pk)


def detail_context(indicator: Indicator, user: User, **extra) -> dict:
    """Everything the detail page and its swappable regions show; `extra` overrides the defaults."""
    convention = indicator.convention
    years = list(convention.years)
    can_enter = can_enter_values(user, indicator)
    stored, targets = yearly_statuses(indicator), yearly_targets(indicator)
    form = None
    if can_enter:
        form = MeasurementForm(indicator=indicator, convention=convention, initial={"year": year_of(convention)})
    return {
        "indicator": indicator,
        "convention": convention,
        "rule": RULE,
        "bounds": {
            "min": value_text(indicator.min_value, indicator.decimals, indicator.unit),
            "max": value_text(indicator.max_value, indicator.decimals, indicator.unit),
        },
        "year_figures": yearly_figures(indicator, years, stored, targets),
        "chart": chart_of(indicator, stored, targets, years),
        "measurements": measurements_of(indicator),
        "history": indicator_history(indicator),
        "can_manage": can_manage_evaluation(user),
        "can_enter": can_enter,
        "value_form": form,
        "editing": None,
        "saved": "",
        "oob": False,
        **extra,
    }


@require_GET
def indicator_detail(request, pk):
    indicator = get_indicator(pk)
    return render(request, DETAIL, detail_context(indicator, request.user))


def _measures(request, indicator: Indicator, **extra) -> HttpResponse:
    """The values' region (its fragment for htmx, with the figures and the history out of band after a
    write), else the whole page."""
    context = detail_context(indicator, request.user, **extra)
    return render(request, DETAIL + ("#measures" if request.htmx else ""), context)


def _gone(request, error: IndicatorGone, convention_id: int) -> HttpResponse:
    messages.error(request, str(error))
    url = list_url(convention_id)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def period_name(measurement: Measurement) -> str:
    """ "2025", or "2025 (1er trimestre)" for a part of the year."""
    if measurement.period == Period.YEAR:
        return str(measurement.year)
    return f"{measurement.year} ({Period(measurement.period).label})"


@require_http_methods(["GET", "POST"])
def indicator_value(request, pk):
    """Add or correct one value (`?annee=&periode=` opens the stored one). The form carries the value it
    showed, so that a value saved meanwhile by someone else is reported, never overwritten."""
    indicator = get_indicator(pk)
    require(can_enter_values(request.user, indicator))
    convention = indicator.convention
    if request.method == "GET":
        year = query_int(request.GET.get("annee"))
        year = year if year in convention.years else year_of(convention)
        period = request.GET.get("periode", Period.YEAR)
        period = period if period in PERIODS[indicator.frequency] else Period.YEAR
        stored = indicator.measurements.filter(year=year, period=period).first()
        initial = {"year": year, "period": period}
        if stored:
            initial |= {"value": stored.value, "previous": stored.value, "comment": stored.comment}
        form = MeasurementForm(initial=initial, indicator=indicator, convention=convention)
        return _measures(request, indicator, value_form=form, editing=stored)

    form = MeasurementForm(request.POST, indicator=indicator, convention=convention)
    if form.is_valid():
        data = form.cleaned_data
        try:
            measurement = measurement_record(
                indicator=indicator,
                year=data["year"],
                period=data["period"],
                value=data["value"],
                comment=data["comment"],
                by=request.user,
                previous=data["previous"],
            )
        except IndicatorGone as error:
            return _gone(request, error, convention.pk)
        except ValidationError as error:
            add_form_errors(form, error)
            # What is stored now becomes the value the form showed: submitting again, knowingly, replaces it.
            stored = indicator.measurements.filter(year=data["year"], period=data["period"]).first()
            form.data = form.data.copy()
            form.data[form.add_prefix("previous")] = format_decimal(stored.value) if stored else ""
        else:
            message = VALUE_SAVED.format(
                period=period_name(measurement),
                value=value_text(measurement.value, indicator.decimals, indicator.unit),
            )
            if not request.htmx:
                messages.success(request, message)
                return redirect(f"{indicator.get_absolute_url()}#measures")
            return _measures(request, indicator, saved=message, oob=True)
    return _measures(request, indicator, value_form=form)


@require_POST
def measurement_delete(request, pk):
    """Remove one value (a mistake), under the indicator's lock."""
    measurement = get_object_or_404(Measurement.objects.select_related("indicator"), pk=pk)
    indicator = get_indicator(measurement.indicator_id)
    require(can_enter_values(request.user, indicator))
    try:
        indicator_lock(indicator.pk)
    except IndicatorGone as error:
        return _gone(request, error, indicator.convention_id)
    deleted, _ = Measurement.objects.filter(pk=measurement.pk).delete()
    if deleted:
        logger.info("Measurement %s of %s deleted by %s", measurement.pk, indicator.code, request.user)
        message = VALUE_DELETED.format(period=period_name(measurement))
    else:
        message = VALUE_GONE
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{indicator.get_absolute_url()}#measures")
    return _measures(request, indicator, saved=message, oob=True)


# --- The fiche action's panel ------------------------------------------------------------------------------


def action_indicators_panel(action: Action, user: User) -> dict:
    """The action's indicators, their values of the current year and the year before, their target and
    status (`ctg.panels`: the fiche action shows it without importing this app)."""
    year = year_of(action.convention)
    rows = indicators_of_action(action, year)
    return {
        "action": action,
        "year": year,
        "rows": [{"figures": row, "can_enter": can_enter_values(user, row.indicator)} for row in rows],
        "can_manage": can_manage_evaluation(user),
    }


urlpatterns = [
    path("indicateurs/", indicator_list, name="indicator_list"),
    path("indicateurs/nouveau/", indicator_create, name="indicator_create"),
    path("indicateurs/<int:pk>/", indicator_detail, name="indicator_detail"),
    path("indicateurs/<int:pk>/modifier/", indicator_edit, name="indicator_edit"),
    path("indicateurs/<int:pk>/supprimer/", indicator_delete, name="indicator_delete"),
    path("indicateurs/<int:pk>/valeur/", indicator_value, name="indicator_value"),
    path("indicateurs/valeurs/<int:pk>/supprimer/", measurement_delete, name="measurement_delete"),
]
