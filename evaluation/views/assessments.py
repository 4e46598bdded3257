"""Evaluations of actions (domain.md §5): everyone signed in reads them, the coordination writes them; the grid
per axis sums them up for a year."""

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Action, in_year_condition
from ctg.models import Axis, Convention
from ctg.views.helpers import (
    GONE,
    convention_or_current,
    delete_page,
    lock_instance,
    page_of,
    post_data,
    query_int,
    require,
    save_form,
)
from evaluation.enums import CRITERIA, AssessmentKind, Rating, Recommendation
from evaluation.forms.assessments import NOT_RATED, AssessmentCreateForm, AssessmentForm
from evaluation.models import Assessment
from evaluation.perms import can_manage_evaluation

logger = logging.getLogger("evaluation")
get_or_post = require_http_methods(["GET", "POST"])
PAGE_SIZE = 25
# The grid shows one axis at a time, ten actions a page (about one axis of the demo): its cost no longer grows
# with the plan.
GRID_PAGE_SIZE = 10
SAVED = "Évaluation enregistrée : « {} »."


def _year_and_kind(params, convention: Convention) -> tuple[int, str]:
    """`?type=` annual (default) or final; `?annee=` (a crafted one is a 404) brought back within the
    convention's years, by default the year just ended for an annual evaluation, the last year for a final one."""
    kind = params.get("type") if params.get("type") in AssessmentKind.values else AssessmentKind.ANNUAL
    years = convention.years
    raw = params.get("annee")
    if raw:
        year = query_int(raw)
        if year is None:
            raise Http404("Année invalide.")
    else:
        year = years[-1] if kind == AssessmentKind.FINAL else timezone.localdate().year - 1
    return min(max(year, years[0]), years[-1]), kind


def rating_cell(criterion: str, value: int | None) -> dict:
    """What the `rating` filter (`evaluation_cells`) shows of a rating: its words, and as many filled dots as
    points out of four, so that the colour is never the only cue."""
    if value is None:
        return {"criterion": criterion, "value": None, "text": NOT_RATED, "dots": ""}
    return {
        "criterion": criterion,
        "value": value,
        "text": Rating(value).label,
        "dots": "●" * value + "○" * (4 - value),
    }


def _ratings(assessment: Assessment | None) -> list[dict]:
    """The six criteria of an assessment (or of none)."""
    return [rating_cell(label, getattr(assessment, name) if assessment else None) for name, label in CRITERIA]


# --- Reading ----------------------------------------------------------------------------------------------


@require_GET
def assessment_list(request):
    """The evaluations of a convention, by year, type and recommendation, twenty-five a page."""
    convention = convention_or_current(request.GET.get("convention"))
    assessments = Assessment.objects.filter(action__convention=convention)
    year = query_int(request.GET.get("annee"))
    if year is not None:
        assessments = assessments.filter(year=year)
    kind = request.GET.get("type", "")
    if kind in AssessmentKind.values:
        assessments = assessments.filter(kind=kind)
    recommendation = request.GET.get("recommandation", "")
    if recommendation in Recommendation.values:
        assessments = assessments.filter(recommendation=recommendation)
    page = Paginator(
        assessments.select_related("action", "author").order_by("-year", "kind", "action__code", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for assessment in page.object_list:
        assessment.ratings = _ratings(assessment)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/assessment_list.html",
        {
            "convention": convention,
            "page": page,
            "query": query.urlencode(),
            "years": list(reversed(convention.years)),
            "year": year,
            "kind": kind,
            "recommendation": recommendation,
            "kinds": AssessmentKind.choices,
            "recommendations": Recommendation.choices,
            "criteria": CRITERIA,
            "can_manage": can_manage_evaluation(request.user),
        },
    )


def _detail_rows(assessment: Assessment) -> list[dict]:
    return [
        rating_cell(label, getattr(assessment, name)) | {"note": getattr(assessment, f"{name}_note")}
        for name, label in CRITERIA
    ]


@require_GET
def assessment_detail(request, pk):
    assessment = get_object_or_404(
        Assessment.objects.select_related("action__objective__axis", "action__convention", "author"), pk=pk
    )
    return render(
        request,
        "evaluation/assessment_detail.html",
        {
            "assessment": assessment,
            "rows": _detail_rows(assessment),
            "can_manage": can_manage_evaluation(request.user),
        },
    )


@require_GET
def action_assessments(request, pk):
    """The evaluations of one action, each in full: the page the fiche action links to."""
    action = get_object_or_404(Action.objects.select_related("objective__axis", "convention"), pk=pk)
    assessments = list(action.assessments.select_related("author").order_by("-kind", "-year"))
    for assessment in assessments:
        assessment.rows = _detail_rows(assessment)
        assessment.caption = f"Critères : {assessment.get_kind_display().lower()} {assessment.year}"
    return render(
        request,
        "evaluation/assessment_action.html",
        {"action": action, "assessments": assessments, "can_manage": can_manage_evaluation(request.user)},
    )


# --- The grid per axis ------------------------------------------------------------------------------------


def _summary_expressions() -> dict:
    """Mean rating and number of ratings per criterion, number of assessments per recommendation."""
    expressions = {"assessed": Count("pk")}
    for name, _ in CRITERIA:
        expressions[f"{name}_mean"] = Avg(name)
        expressions[f"{name}_count"] = Count(name)
    for value, _ in Recommendation.choices:
        expressions[f"rec_{value}"] = Count("pk", filter=Q(recommendation=value))
    return expressions


@dataclass
class Summary:
    assessed: int
    criteria: list[dict]
    recommendations: list[dict]

    @classmethod
    def of(cls, figures: dict | None) -> "Summary":
        figures = figures or {}
        return cls(
            assessed=figures.get("assessed", 0),
            criteria=[
                {"label": label, "mean": figures.get(f"{name}_mean"), "count": figures.get(f"{name}_count", 0)}
                for name, label in CRITERIA
            ],
            recommendations=[
                {"value": value, "label": label, "count": figures.get(f"rec_{value}", 0)}
                for value, label in Recommendation.choices
            ],
        )


@dataclass
class AxisGrid:
    """An axis in the grid: how many of its actions are shown and the sums of their evaluations."""

    axis: Axis
    total: int
    summary: Summary
    query: str = ""  # the query string of the grid showing this axis


def _shown_actions(convention: Convention, year: int, kind: str, of_year):
    """The actions the grid shows: those of the plan that year (for a final evaluation, all of them) and not
    archived, plus any action that has an evaluation of that year and kind."""
    scope = Q(archived_at__isnull=True)
    if kind == AssessmentKind.ANNUAL:
        scope &= in_year_condition(year)
    return Action.objects.of_convention(convention).filter(scope | Exists(of_year.filter(action=OuterRef("pk"))))


def assessment_grid_of(convention: Convention, year: int, kind: str) -> tuple[list[AxisGrid], Summary]:
    """Per axis, the number of actions shown, the mean rating per criterion and the count per recommendation of
    the evaluations of `year` and `kind`, computed by the database; then the same for the whole CTG, from the
    axes' figures. Three queries whatever the size of the plan: the rows of one axis are read a page at a time
    (`axis_rows_page`)."""
    of_year = Assessment.objects.filter(year=year, kind=kind)
    totals = dict(
        _shown_actions(convention, year, kind, of_year)
        .order_by()
        .values_list("objective__axis")
        .annotate(total=Count("pk"))
    )
    of_convention = of_year.filter(action__convention=convention).order_by()
    per_axis = {
        figures.pop("axis"): figures
        for figures in of_convention.values(axis=F("action__objective__axis")).annotate(**_summary_expressions())
    }
    grids = [
        AxisGrid(axis, totals.get(axis.pk, 0), Summary.of(per_axis.get(axis.pk)))
        for axis in convention.axes.order_by("order", "code")
    ]
    return grids, Summary.of(_combined(list(per_axis.values())))


def _combined(groups: list[dict]) -> dict:
    """The figures of `_summary_expressions` for the union of `groups` (the axes): counts add up, and each mean
    is the mean of the axes' means weighted by their numbers of ratings."""
    combined = {key: sum(group[key] for group in groups) for key in _summary_expressions() if "_mean" not in key}
    for name, _ in CRITERIA:
        count = combined[f"{name}_count"]
        weighted = sum(group[f"{name}_mean"] * group[f"{name}_count"] for group in groups if group[f"{name}_count"])
        combined[f"{name}_mean"] = weighted / count if count else None
    return combined


def axis_rows_page(
    convention: Convention, axis: Axis, year: int, kind: str, number, *, size: int = GRID_PAGE_SIZE, total=None
):
    """The page `number` of the actions of `axis` the grid shows, by code, each with its evaluation of `year`
    and `kind` (or None) and the six ratings: three queries (count, keys of the page, rows with their
    evaluations), two when the actions were counted already (`total`, the axis's `AxisGrid.total`)."""
    of_year = Assessment.objects.filter(year=year, kind=kind)
    actions = _shown_actions(convention, year, kind, of_year).filter(objective__axis=axis)
    keys = actions.order_by("code", "pk").values_list("pk", flat=True)
    with_found = actions.prefetch_related(Prefetch("assessments", of_year, to_attr="found"))
    page = page_of(with_found, keys, number, size=size, count=total)
    rows = []
    for action in page.object_list:
        assessment = action.found[0] if action.found else None
        rows.append({"action": action, "assessment": assessment, "ratings": _ratings(assessment)})
    page.object_list = rows
    return page


def _chosen(grids: list[AxisGrid], raw: str | None) -> AxisGrid | None:
    """The axis of `?axe=` (a crafted or foreign key is a 404), by default the first one."""
    if not raw:
        return grids[0] if grids else None
    key = query_int(raw)
    for grid in grids:
        if grid.axis.pk == key:
            return grid
    raise Http404("Axe introuvable dans cette convention.")


@require_GET
def assessment_grid(request):
    """The summaries of every axis (aggregates), and the actions × criteria of one axis (`?axe=`), paginated:
    the page costs the same whatever the size of the plan."""
    convention = convention_or_current(request.GET.get("convention"))
    year, kind = _year_and_kind(request.GET, convention)
    grids, whole = assessment_grid_of(convention, year, kind)
    chosen = _chosen(grids, request.GET.get("axe"))
    base = {"convention": convention.pk, "annee": year, "type": kind}
    for grid in grids:
        grid.query = urlencode(base | {"axe": grid.axis.pk})
    page = None
    if chosen:
        page = axis_rows_page(convention, chosen.axis, year, kind, request.GET.get("page"), total=chosen.total)
    return render(
        request,
        "evaluation/assessment_grid.html",
        {
            "convention": convention,
            "year": year,
            "kind": kind,
            "kind_label": AssessmentKind(kind).label,
            "years": list(reversed(convention.years)),
            "kinds": AssessmentKind.choices,
            "grids": grids,
            "chosen": chosen,
            "page": page,
            "query": chosen.query if chosen else "",
            "whole": whole,
            "criteria": CRITERIA,
            "scale": [rating_cell("", value) for value, _ in Rating.choices],
            "can_manage": can_manage_evaluation(request.user),
        },
    )


# --- Writing ----------------------------------------------------------------------------------------------


def _assessment_page(request, form: AssessmentForm, *, title: str, cancel_url: str, context: dict | None = None):
    """Save a valid form under the lock the edit view took, as the user's work, and go to the evaluation;
    else show the form again with its French errors (a rule broken meanwhile included)."""
    if request.method == "POST" and form.is_valid():
        assessment = save_form(form, lambda: form.save_by(request.user))
        if assessment is not None:
            logger.info("Assessment %s saved by %s", assessment.pk, request.user)
            messages.success(request, SAVED.format(assessment))
            return redirect("evaluation:assessment_detail", pk=assessment.pk)
    taken = None
    if not form.instance.pk and form.is_bound and {"action", "kind", "year"} <= form.cleaned_data.keys():
        wanted = {name: form.cleaned_data[name] for name in ("action", "kind", "year")}
        taken = Assessment.objects.filter(**wanted).first()
    return render(
        request,
        "evaluation/assessment_form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "taken": taken, **(context or {})},
    )


@get_or_post
def assessment_create(request):
    """A new evaluation. Asked for an action, type and year that already have one (`?action=&type=&annee=`),
    the page opens that one for editing instead."""
    require(can_manage_evaluation(request.user))
    action = None
    if request.GET.get("action"):
        action = get_object_or_404(Action.objects.select_related("convention"), pk=query_int(request.GET["action"]))
    convention = action.convention if action else convention_or_current(request.GET.get("convention"))
    year, kind = _year_and_kind(request.GET, convention)
    if request.method == "GET" and action is not None:
        existing = Assessment.objects.filter(action=action, kind=kind, year=year).first()
        if existing is not None:
            messages.info(request, "Cette action a déjà une évaluation de ce type pour cette année : la voici.")
            return redirect("evaluation:assessment_edit", pk=existing.pk)
    form = AssessmentCreateForm(
        post_data(request),
        convention=convention,
        initial={"action": action, "kind": kind, "year": year},
    )
    cancel_url = (
        reverse("evaluation:action_assessments", args=[action.pk])
        if action
        else f"{reverse('evaluation:assessment_list')}?convention={convention.pk}"
    )
    return _assessment_page(
        request, form, title="Nouvelle évaluation d'action", cancel_url=cancel_url, context={"convention": convention}
    )


@get_or_post
def assessment_edit(request, pk):
    require(can_manage_evaluation(request.user))
    assessment = get_object_or_404(Assessment.objects.select_related("action__convention"), pk=pk)
    detail_url = reverse("evaluation:assessment_detail", args=[assessment.pk])
    if request.method == "POST" and not lock_instance(assessment):
        messages.error(request, GONE.format(assessment))
        return redirect("evaluation:action_assessments", pk=assessment.action_id)
    form = AssessmentForm(post_data(request), instance=assessment)
    return _assessment_page(
        request,
        form,
        title=f"Modifier l'évaluation « {assessment} »",
        cancel_url=detail_url,
        context={"convention": assessment.action.convention},
    )


@get_or_post
def assessment_delete(request, pk):
    require(can_manage_evaluation(request.user))
    assessment = get_object_or_404(Assessment.objects.select_related("action"), pk=pk)
    return delete_page(
        request,
        assessment,
        success_url=reverse("evaluation:action_assessments", args=[assessment.action_id]),
        cancel_url=reverse("evaluation:assessment_detail", args=[assessment.pk]),
    )


urlpatterns = [
    path("evaluations/", assessment_list, name="assessment_list"),
    path("evaluations/grille/", assessment_grid, name="assessment_grid"),
    path("evaluations/nouvelle/", assessment_create, name="assessment_create"),
    path("evaluations/action/<int:pk>/", action_assessments, name="action_assessments"),
    path("evaluations/<int:pk>/", assessment_detail, name="assessment_detail"),
    path("evaluations/<int:pk>/modifier/", assessment_edit, name="assessment_edit"),
    path("evaluations/<int:pk>/supprimer/", assessment_delete, name="assessment_delete"),
]
