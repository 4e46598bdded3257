"""The CTG overview: the convention, then the tree axes → objectives → actions with counts and progress.

Served by the `actions` app because it needs the actions; `ctg` itself knows nothing of them.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from actions.models import Action
from actions.selectors import AxisSummary, axis_summaries
from ctg.models import Axis, Convention, Objective
from ctg.perms import can_manage_ctg


@dataclass
class ObjectiveNode:
    objective: Objective
    actions: list[Action] = field(default_factory=list)
    children: list["ObjectiveNode"] = field(default_factory=list)


@dataclass
class AxisNode:
    axis: Axis
    objectives: list[ObjectiveNode]
    summary: AxisSummary


def build_tree(axes: list[Axis], actions: list[Action], summaries: list[AxisSummary]) -> list[AxisNode]:
    by_objective = defaultdict(list)
    for action in actions:
        by_objective[action.objective_id].append(action)
    summary_of = {summary.axis.pk: summary for summary in summaries}
    tree = []
    for axis in axes:
        nodes = {
            objective.pk: ObjectiveNode(objective, by_objective[objective.pk]) for objective in axis.objectives.all()
        }
        roots = []
        for node in nodes.values():
            parent = nodes.get(node.objective.parent_id)
            (parent.children if parent else roots).append(node)
        tree.append(AxisNode(axis, roots, summary_of[axis.pk]))
    return tree


@require_GET
def overview(request, pk):
    convention = get_object_or_404(
        Convention.objects.select_related("territory").prefetch_related("signatories", "amendments"), pk=pk
    )
    axes = list(
        convention.axes.prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("order", "code")))
    )
    actions = list(Action.objects.active().of_convention(convention).for_display().order_by("code"))
    summaries = axis_summaries(convention, axes)
    tree = build_tree(axes, actions, summaries)
    return render(
        request,
        "actions/overview.html",
        {
            "convention": convention,
            "conventions": Convention.objects.exclude(pk=convention.pk),
            "tree": tree,
            "action_count": len(actions),
            "late_count": sum(summary.late for summary in summaries),
            "without_news_count": sum(summary.without_news for summary in summaries),
            "can_manage": can_manage_ctg(request.user),
        },
    )
