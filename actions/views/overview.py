"""The CTG overview: the convention, then the tree axes → objectives with counts and progress.

The tree is folded: each objective shows how many actions it holds and lists them only when asked
(`?objective=<pk>`, ten at a time), as an htmx fragment or, without JavaScript, as the same page with that
objective unfolded. So the page costs the same with 20 actions or 2,000.

Served by the `actions` app because it needs the actions; `ctg` itself knows nothing of them.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from actions.models import Action
from actions.selectors import AxisSummary, PlanSummary, tree_summaries
from ctg.models import Axis, Convention, Objective
from ctg.perms import can_manage_ctg
from ctg.views.helpers import page_of, query_int

TEMPLATE = "actions/overview.html"
PAGE_SIZE = 10  # actions per page of an unfolded objective; the plan d'actions lists them all


@dataclass
class ObjectiveNode:
    objective: Objective
    summary: PlanSummary | None = None  # None: no action directly under this objective
    children: list["ObjectiveNode"] = field(default_factory=list)
    is_open: bool = False  # its actions are listed in the page (`?objective=` without htmx)


@dataclass
class AxisNode:
    axis: Axis
    objectives: list[ObjectiveNode]
    summary: AxisSummary


@dataclass
class OpenObjective:
    """An unfolded objective: one page of its actions."""

    objective: Objective
    page: Page


def build_tree(
    axes: list[Axis],
    summaries: list[AxisSummary],
    by_objective: dict[int, PlanSummary],
    opened: OpenObjective | None = None,
) -> list[AxisNode]:
    summary_of = {summary.axis.pk: summary for summary in summaries}
    tree = []
    for axis in axes:
        nodes = {
            objective.pk: ObjectiveNode(
                objective, by_objective.get(objective.pk), is_open=opened is not None and opened.objective == objective
            )
            for objective in axis.objectives.all()
        }
        roots = []
        for node in nodes.values():
            parent = nodes.get(node.objective.parent_id)
            (parent.children if parent else roots).append(node)
        tree.append(AxisNode(axis, roots, summary_of[axis.pk]))
    return tree


def open_objective(request, convention: Convention) -> OpenObjective | None:
    """The objective asked for with `?objective=` (a 404 outside this convention) and the requested page of
    the actions directly under it; None when no objective is asked for."""
    if "objective" not in request.GET:
        return None
    objective = get_object_or_404(
        Objective.objects.select_related("axis"), pk=query_int(request.GET["objective"]), axis__convention=convention
    )
    actions = Action.objects.active().filter(objective=objective).for_display().order_by("code")
    keys = list(actions.values_list("pk", flat=True))
    return OpenObjective(objective, page_of(actions, keys, request.GET.get("page"), size=PAGE_SIZE))


@require_GET
def overview(request, pk):
    if request.htmx and "objective" in request.GET:
        convention = get_object_or_404(Convention, pk=pk)
        context = {"convention": convention, "opened": open_objective(request, convention)}
        return render(request, f"{TEMPLATE}#objective_actions", context)
    convention = get_object_or_404(
        Convention.objects.select_related("territory").prefetch_related("signatories", "amendments"), pk=pk
    )
    opened = open_objective(request, convention)
    axes = list(
        convention.axes.prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("order", "code")))
    )
    summaries, by_objective = tree_summaries(convention, axes)
    tree = build_tree(axes, summaries, by_objective, opened)
    return render(
        request,
        TEMPLATE,
        {
            "convention": convention,
            "conventions": Convention.objects.exclude(pk=convention.pk),
            "tree": tree,
            "opened": opened,
            "action_count": sum(summary.total for summary in summaries),
            "late_count": sum(summary.late for summary in summaries),
            "without_news_count": sum(summary.without_news for summary in summaries),
            "can_manage": can_manage_ctg(request.user),
        },
    )
