"""The CTG overview: the convention, then the tree axes → objectives → actions with counts and progress.

Served by the `actions` app because it needs the actions; `ctg` itself knows nothing of them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from actions.enums import ActionStatus
from actions.models import Action
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
    actions: list[Action]

    @property
    def progress(self) -> int | None:
        """Mean progress of the axis's actions, abandoned ones left out."""
        counted = [action.progress for action in self.actions if action.status != ActionStatus.ABANDONED]
        return round(sum(counted) / len(counted)) if counted else None

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        counts = Counter(action.status for action in self.actions)
        return [(status.value, status.label, counts[status]) for status in ActionStatus if counts[status]]

    @property
    def late_count(self) -> int:
        return sum(action.is_late for action in self.actions)

    @property
    def without_news_count(self) -> int:
        return sum(action.is_without_news for action in self.actions)


def build_tree(axes: list[Axis], actions: list[Action]) -> list[AxisNode]:
    by_objective = defaultdict(list)
    for action in actions:
        by_objective[action.objective_id].append(action)
    tree = []
    for axis in axes:
        nodes = {
            objective.pk: ObjectiveNode(objective, by_objective[objective.pk]) for objective in axis.objectives.all()
        }
        roots = []
        for node in nodes.values():
            parent = nodes.get(node.objective.parent_id)
            (parent.children if parent else roots).append(node)
        axis_actions = [action for node in nodes.values() for action in node.actions]
        tree.append(AxisNode(axis, roots, axis_actions))
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
    tree = build_tree(axes, actions)
    return render(
        request,
        "actions/overview.html",
        {
            "convention": convention,
            "conventions": Convention.objects.exclude(pk=convention.pk),
            "tree": tree,
            "action_count": len(actions),
            "late_count": sum(node.late_count for node in tree),
            "without_news_count": sum(node.without_news_count for node in tree),
            "can_manage": can_manage_ctg(request.user),
        },
    )
