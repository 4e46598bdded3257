"""The grid per axis: which actions it shows, the means and counts the database computes, a fixed query budget."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation.views.assessments import GRID_PAGE_SIZE, assessment_grid_of, axis_rows_page
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ObjectiveFactory
from tests.evaluation.factories import AssessmentFactory

GRID = reverse("evaluation:assessment_grid")
IN_2025 = {"start_date": date(2024, 1, 1), "end_date": date(2026, 12, 31)}


def note(rating):
    return "Justifié." if rating else ""


def assess(action, ratings, recommendation="", year=2025, kind="annual"):
    """`ratings`: relevance, coherence, effectiveness, efficiency, impact, sustainability (None: not rated)."""
    names = ("relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability")
    fields = dict(zip(names, ratings, strict=True))
    fields |= {f"{name}_note": note(rating) for name, rating in zip(names, ratings, strict=True)}
    return AssessmentFactory(action=action, year=year, kind=kind, recommendation=recommendation, **fields)


@pytest.fixture
def plan(convention, objective):
    """Axis 1 (the conftest objective's): three assessed actions, one not assessed, one archived without and one
    archived with an assessment, one that ended in 2024. Axis 2: one action, not assessed."""
    first_axis = objective.axis
    first_axis.order = 1
    first_axis.save()
    second_axis = AxisFactory(convention=convention, order=2)
    make = lambda code, **kw: ActionFactory(objective=objective, code=code, **(IN_2025 | kw))  # noqa: E731
    actions = {
        "FA1.1": make("FA1.1"),
        "FA1.2": make("FA1.2"),
        "FA1.3": make("FA1.3"),
        "FA1.4": make("FA1.4"),
        "FA1.5": make("FA1.5", archived=True),
        "FA1.6": make("FA1.6", archived=True),
        "FA1.7": make("FA1.7", start_date=date(2022, 1, 1), end_date=date(2024, 6, 30)),
        "FA2.1": ActionFactory(objective=ObjectiveFactory(axis=second_axis), code="FA2.1", **IN_2025),
    }
    assess(actions["FA1.1"], (4, 4, 3, None, 2, 1), "continue")
    assess(actions["FA1.2"], (3, None, 2, None, 2, 1), "adapt")
    assess(actions["FA1.3"], (2, 1, 1, None, None, 1), "continue")
    assess(actions["FA1.6"], (1, 1, 1, 1, 1, 1), "stop")
    # Not counted: another year, another type, another convention.
    assess(actions["FA1.4"], (1, 1, 1, 1, 1, 1), "stop", year=2024)
    assess(actions["FA1.4"], (4, 4, 4, 4, 4, 4), "perpetuate", year=2026, kind="final")
    assess(ActionFactory(**IN_2025), (4, 4, 4, 4, 4, 4), "perpetuate")
    return {"axes": [first_axis, second_axis], "actions": actions}


class TestGrid:
    def test_rows_per_axis(self, convention, plan):
        grids, whole = assessment_grid_of(convention, 2025, "annual")
        assert [grid.axis for grid in grids] == plan["axes"]
        assert [(grid.summary.assessed, grid.total) for grid in grids] == [(4, 5), (0, 1)]
        first = axis_rows_page(convention, plan["axes"][0], 2025, "annual", 1).object_list
        second = axis_rows_page(convention, plan["axes"][1], 2025, "annual", 1).object_list
        assert [(row["action"].code, row["assessment"] is not None) for row in first] == [
            ("FA1.1", True),
            ("FA1.2", True),
            ("FA1.3", True),
            ("FA1.4", False),  # evaluated in 2024 and finally, not for 2025
            ("FA1.6", True),  # archived, but evaluated
        ]
        assert [(row["action"].code, row["assessment"]) for row in second] == [("FA2.1", None)]
        assert [cell["text"] for cell in first[0]["ratings"]] == [
            "Très satisfaisant",
            "Très satisfaisant",
            "Satisfaisant",
            "Non évalué",
            "Peu satisfaisant",
            "Insatisfaisant",
        ]
        assert [cell["dots"] for cell in first[0]["ratings"]][:3] == ["●●●●", "●●●●", "●●●○"]

    def test_axis_summary_computed_exactly(self, convention, plan):
        grids, whole = assessment_grid_of(convention, 2025, "annual")
        summary = grids[0].summary
        assert summary.assessed == 4
        means = [
            (item["label"], round(item["mean"], 4) if item["mean"] is not None else None, item["count"])
            for item in summary.criteria
        ]
        assert means == [
            ("Pertinence", 2.5, 4),  # (4 + 3 + 2 + 1) / 4
            ("Cohérence", 2.0, 3),  # (4 + 1 + 1) / 3
            ("Efficacité", 1.75, 4),  # (3 + 2 + 1 + 1) / 4
            ("Efficience", 1.0, 1),
            ("Impact", 1.6667, 3),  # (2 + 2 + 1) / 3
            ("Durabilité", 1.0, 4),
        ]
        assert [(item["label"], item["count"]) for item in summary.recommendations] == [
            ("Poursuivre", 2),
            ("Adapter", 1),
            ("Pérenniser", 0),
            ("Arrêter", 1),
        ]
        empty = grids[1].summary
        assert empty.assessed == 0
        assert [item["mean"] for item in empty.criteria] == [None] * 6
        assert [item["count"] for item in empty.recommendations] == [0, 0, 0, 0]
        # The whole CTG: here the same evaluations as the first axis.
        assert whole.assessed == 4
        assert [item["count"] for item in whole.criteria] == [4, 3, 4, 1, 3, 4]

    def test_the_whole_ctg_weighs_each_axis_by_its_ratings(self, convention, plan):
        """Axis 1 has the four evaluations above; axis 2 gets two more: the CTG's means are those of the six."""
        axis_2 = plan["actions"]["FA2.1"].objective
        assess(plan["actions"]["FA2.1"], (4, 4, 4, None, 4, None), "continue")
        assess(ActionFactory(objective=axis_2, code="FA2.2", **IN_2025), (3, None, 4, 2, None, None), "adapt")
        grids, whole = assessment_grid_of(convention, 2025, "annual")
        assert [grid.summary.assessed for grid in grids] == [4, 2]
        assert whole.assessed == 6
        means = [(round(item["mean"], 4), item["count"]) for item in whole.criteria]
        assert means == [
            (2.8333, 6),  # (4 + 3 + 2 + 1 + 4 + 3) / 6
            (2.5, 4),  # (4 + 1 + 1 + 4) / 4
            (2.5, 6),  # (3 + 2 + 1 + 1 + 4 + 4) / 6
            (1.5, 2),  # (1 + 2) / 2
            (2.25, 4),  # (2 + 2 + 1 + 4) / 4
            (1.0, 4),
        ]
        assert [item["count"] for item in whole.recommendations] == [3, 2, 0, 1]

    def test_final_evaluation_shows_every_action_not_archived(self, convention, plan):
        grids, whole = assessment_grid_of(convention, 2026, "final")
        pages = [axis_rows_page(convention, grid.axis, 2026, "final", 1) for grid in grids]
        codes = [row["action"].code for page in pages for row in page.object_list]
        assert codes == ["FA1.1", "FA1.2", "FA1.3", "FA1.4", "FA1.7", "FA2.1"]
        assert [grid.total for grid in grids] == [5, 1]
        assert whole.assessed == 1
        assert whole.recommendations[2] == {"value": "perpetuate", "label": "Pérenniser", "count": 1}

    def test_the_page_shows_the_first_axis_and_every_summary(self, client_for, convention, plan):
        first, second = plan["axes"]
        response = client_for("direction").get(GRID, {"annee": "2025"})
        page = response.text
        assert response.context["chosen"].axis == first
        assert "Grille d'évaluation par axe : évaluation annuelle 2025" in page
        assert "2,5 <span" in page  # the mean, in French
        assert page.count("Non évaluée") == 1  # FA1.4; FA2.1 is on the second axis's grid
        assert "FA2.1" not in page
        # Every axis is listed with its counts; the one shown is marked.
        link = f'href="?convention={convention.pk}&amp;annee=2025&amp;type=annual&amp;axe={{}}#axis-grid"'
        assert f'{link.format(first.pk)} aria-current="true" title="{first.title}">{first.code}<' in page
        assert f'{link.format(second.pk)} title="{second.title}">{second.code}<' in page
        assert ">4/5</span>" in page and ": 4 évaluées sur 5 actions<" in page
        assert ">0/1</span>" in page and ": 0 évaluée sur 1 action<" in page
        assert reverse("evaluation:assessment_create") not in page  # no "Évaluer" link for the direction

    def test_choosing_an_axis(self, client_for, convention, plan):
        first, second = plan["axes"]
        response = client_for("coordination").get(GRID, {"annee": "2025", "axe": str(second.pk)})
        page = response.text
        assert response.context["chosen"].axis == second
        assert [row["action"].code for row in response.context["page"].object_list] == ["FA2.1"]
        assert "FA1.1" not in page
        assert f'axe={second.pk}#axis-grid" aria-current="true"' in page
        assert f'<input type="hidden" name="axe" value="{second.pk}">' in page  # the year picker keeps the axis
        action = plan["actions"]["FA2.1"]
        assert f"?action={action.pk}&amp;type=annual&amp;annee=2025" in page

    @pytest.mark.parametrize("value", ["abc", "²", "0"])
    def test_an_unknown_axis_is_not_found(self, client_for, convention, plan, value):
        assert client_for("coordination").get(GRID, {"axe": value}).status_code == 404

    def test_an_axis_of_another_convention_is_not_found(self, client_for, convention, plan):
        other = AxisFactory()
        response = client_for("coordination").get(GRID, {"convention": convention.pk, "axe": other.pk})
        assert response.status_code == 404

    def test_the_second_page(self, client_for, convention, objective):
        axis = objective.axis
        for n in range(GRID_PAGE_SIZE + 2):
            action = ActionFactory(objective=objective, code=f"P{n:03d}", **IN_2025)
            if n == GRID_PAGE_SIZE + 1:
                assess(action, (4, 4, 4, 4, 4, 4), "perpetuate")
        params = {"annee": "2025", "type": "annual", "axe": str(axis.pk)}
        first = client_for("coordination").get(GRID, params)
        query = f"convention={convention.pk}&amp;annee=2025&amp;type=annual&amp;axe={axis.pk}"
        assert f'href="?{query}&amp;page=2#axis-grid"' in first.text
        assert len(first.context["page"].object_list) == GRID_PAGE_SIZE
        response = client_for("coordination").get(GRID, params | {"page": "2"})
        page = response.context["page"]
        assert (page.number, page.paginator.count) == (2, GRID_PAGE_SIZE + 2)
        assert [row["action"].code for row in page.object_list] == [
            f"P{n:03d}" for n in (GRID_PAGE_SIZE, GRID_PAGE_SIZE + 1)
        ]
        assert page.object_list[1]["assessment"] is not None
        first, last = GRID_PAGE_SIZE + 1, GRID_PAGE_SIZE + 2
        assert f"Actions {first} à {last} sur {last}, 1 évaluée." in response.text
        assert f'href="?{query}&amp;page=1#axis-grid"' in response.text
        assert '<span aria-current="page">2</span>' in response.text

    @pytest.mark.parametrize(("value", "year"), [("2019", 2022), ("2031", 2026), ("", 2025)])
    def test_the_year_stays_within_the_convention(self, client_for, convention, value, year):
        response = client_for("coordination").get(GRID, {"annee": value} if value else {})
        assert response.context["year"] == year

    @pytest.mark.parametrize("value", ["²", "abc", "99999999999999999999"])
    def test_a_crafted_year_is_not_found(self, client_for, convention, value):
        assert client_for("coordination").get(GRID, {"annee": value}).status_code == 404

    def test_a_final_evaluation_is_of_the_last_year_by_default(self, client_for, convention):
        response = client_for("coordination").get(GRID, {"type": "final"})
        assert (response.context["kind"], response.context["year"]) == ("final", 2026)

    def test_an_unknown_type_is_the_annual_one(self, client_for, convention):
        assert client_for("coordination").get(GRID, {"type": "autre"}).context["kind"] == "annual"


@pytest.mark.parametrize("count", [1, 80])
def test_fixed_query_budget(client_for, convention, objective, django_assert_max_num_queries, count):
    """At 80 actions the chosen axis has 40: more than two pages, so the page shown is a slice."""
    second = ObjectiveFactory(axis=AxisFactory(convention=convention))
    for n in range(count):
        action = ActionFactory(objective=objective if n % 2 else second, code=f"Q{n:03d}", **IN_2025)
        if n % 3:
            assess(action, (n % 4 + 1, 3, None, 2, 1, 4), ["continue", "adapt", "stop"][n % 3])
    client = client_for("coordination")
    # Session and user, savepoint and release, convention, axes, actions per axis, the two aggregates, then for
    # the axis shown: the count of its actions, its page of actions, their evaluations.
    shown = []
    for params in ({"annee": "2025"}, {"annee": "2025", "axe": str(objective.axis_id), "page": "2"}):
        with django_assert_max_num_queries(12):
            response = client.get(GRID, params)
        assert response.status_code == 200
        shown.append(len(response.context["page"].object_list))
    assert shown[1] == (min(count // 2 - GRID_PAGE_SIZE, GRID_PAGE_SIZE) if count > 1 else 0)
    assert max(shown) <= GRID_PAGE_SIZE
