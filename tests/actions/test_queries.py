"""Query budgets: the lists, the detail page and the overview (with its objectives' fragment) run a fixed
number of queries, whatever the number of actions (and of points d'étape, jalons, budget lines, partners,
publics and territories)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import TargetPublic
from tests.actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    BudgetLineFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.ctg.factories import (
    AmendmentFactory,
    AxisFactory,
    ObjectiveFactory,
    SignatoryFactory,
    TerritoryFactory,
    UserFactory,
)

# Measured on SQLite; the same whatever the number of actions.
QUERIES = {
    "list": 13,
    "list_htmx": 8,
    "mine": 9,
    "detail": 23,
    "overview": 12,
    "overview_objective": 9,
}
COUNTS = [1, 50]


@pytest.fixture
def plan(convention, objective, service, other_service):
    """Two axes, three operational objectives; the same structure whatever the number of actions."""
    second_axis = AxisFactory(convention=convention)
    objectives = [objective, ObjectiveFactory(axis=objective.axis), ObjectiveFactory(axis=second_axis)]
    districts = [TerritoryFactory(name=f"Quartier {n}") for n in range(3)]
    publics = list(TargetPublic.objects.all()[:3])
    SignatoryFactory(convention=convention)
    AmendmentFactory(convention=convention)
    author = UserFactory(coordination=True)

    def populate(count: int, *, start: int = 0):
        actions = []
        for n in range(start, start + count):
            action = ActionFactory(
                objective=objectives[n % 3],
                pilot_service=service if n % 2 == 0 else other_service,
                code=f"Q{n:03d}",
                late=n % 4 == 1,
                stale=n % 5 == 2,
            )
            action.publics.set(publics[: 1 + n % 3])
            action.territories.set(districts[: 1 + n % 2])
            ProgressUpdateFactory(action=action, author=author, recorded_at=timezone.now() - timedelta(days=n * 3))
            MilestoneFactory(action=action)
            BudgetLineFactory(action=action, actual=n)
            ActionPartnerFactory(action=action)
            actions.append(action)
        return actions

    return populate


def enrich(action, count: int):
    """Give one action `count` points d'étape, jalons, budget lines, partners and history records."""
    for n in range(count):
        ProgressUpdateFactory(action=action, recorded_at=timezone.now() - timedelta(days=n))
        MilestoneFactory(action=action)
        line = BudgetLineFactory(action=action, year=2020 + n % 10)
        line.actual = n
        line.save()
        ActionPartnerFactory(action=action)
        action.title = f"Intitulé {n}"
        action.save()


def pages(convention, action) -> dict[str, tuple[str, dict]]:
    return {
        "list": (reverse("actions:list"), {}),
        "list_htmx": (f"{reverse('actions:list')}?status=in_progress", {"HX-Request": "true"}),
        "mine": (reverse("actions:mine"), {}),
        "detail": (reverse("actions:detail", args=[action.pk]), {}),
        "overview": (reverse("ctg:overview", args=[convention.pk]), {}),
        "overview_objective": (
            f"{reverse('ctg:overview', args=[convention.pk])}?objective={action.objective_id}",
            {"HX-Request": "true"},
        ),
    }


def count_queries(client, url: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page_name", list(QUERIES))
@pytest.mark.parametrize("count", COUNTS)
def test_fixed_query_budget(client_for, convention, plan, page_name, count, django_assert_max_num_queries):
    actions = plan(count)
    enrich(actions[0], count)
    client = client_for("service_head" if page_name == "mine" else "coordination")
    url, headers = pages(convention, actions[0])[page_name]
    with django_assert_max_num_queries(QUERIES[page_name]):
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    if page_name == "overview":  # folded: each objective shows how many actions it holds
        assert f'data-hx-get="{url}?objective={actions[0].objective_id}"' in html
    elif page_name != "mine":  # "Mes actions" shows late and stale actions first
        assert f">{actions[0].code}<" in html or f"<strong>{actions[0].code}</strong>" in html
    if page_name == "detail":
        assert html.count('<li class="c-timeline__item">') == count + 1
    if page_name == "list":
        assert html.count('<li class="c-action-card') == min(count, 25)
    if page_name == "mine":  # half the actions are the service's, ten per page
        assert html.count('<li class="c-action-card') == min((count + 1) // 2, 10)
    if page_name == "overview_objective":  # a third under that objective, ten per page
        assert html.count('<li class="c-tree__action">') == min(len(range(0, count, 3)), 10)
    assert count_queries(client, url, headers) == QUERIES[page_name]


@pytest.mark.parametrize("page_name", list(QUERIES))
def test_same_count_with_1_and_50_actions(client_for, convention, plan, page_name):
    """Measure with one action, add 49 more (and 49 more of everything on the first), measure again."""
    actions = plan(1)
    client = client_for("service_head" if page_name == "mine" else "coordination")
    url, headers = pages(convention, actions[0])[page_name]
    with_one = count_queries(client, url, headers)
    plan(49, start=1)
    enrich(actions[0], 49)
    with_fifty = count_queries(client, url, headers)
    assert with_one == with_fifty == QUERIES[page_name]
