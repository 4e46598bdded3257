"""The plan's summaries add up: an axis is the sum of its objectives, the plan the sum of its axes, with the
mean progress computed over the same actions (abandoned ones left out) whichever way it is read."""

import pytest

from actions.selectors import axis_summaries, convention_summary, plan_summaries, tree_summaries
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ObjectiveFactory

PROGRESS = {"to_start": 0, "in_progress": 35, "done": 100, "abandoned": 80, "recurring": 50}


@pytest.fixture
def plan(convention):
    axes = [AxisFactory(convention=convention, order=n) for n in range(3)]  # the last one stays empty
    objectives = [ObjectiveFactory(axis=axes[n % 2]) for n in range(4)]
    for n, (status, progress) in enumerate([*PROGRESS.items(), *PROGRESS.items(), ("in_progress", 10)]):
        ActionFactory(objective=objectives[n % 4], status=status, progress=progress, late=n % 3 == 0)
    ActionFactory(objective=objectives[0], archived=True)
    return axes, objectives


def fields(summary) -> tuple:
    return summary.total, summary.status_counts, summary.progress, summary.late, summary.without_news


def test_plan_summaries_match_the_separate_queries(convention, plan, django_assert_num_queries):
    axes, _ = plan
    with django_assert_num_queries(2):  # the conventions' thresholds, then the summaries
        summaries, total = plan_summaries(convention, axes)
    assert [fields(item) for item in summaries] == [fields(item) for item in axis_summaries(convention, axes)]
    assert fields(total) == fields(convention_summary(convention))
    assert total.total == 11 and summaries[2].total == 0 and summaries[2].progress is None


def test_tree_summaries_add_up_objectives_into_axes(convention, plan):
    axes, objectives = plan
    summaries, by_objective = tree_summaries(convention, axes)
    assert [fields(item) for item in summaries] == [fields(item) for item in axis_summaries(convention, axes)]
    assert sum(by_objective[objective.pk].total for objective in objectives) == 11
    assert by_objective[objectives[1].pk].progress == round((35 + 0 + 50) / 3)
    assert by_objective[objectives[3].pk].progress == 100  # done at 100 %, the abandoned one (80 %) left out
