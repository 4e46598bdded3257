"""The grid per axis: which actions it shows, the means and counts the database computes, a fixed query budget."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation.views.assessments import assessment_grid_of
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
        first, second = grids
        assert [(row["action"].code, row["assessment"] is not None) for row in first.rows] == [
            ("FA1.1", True),
            ("FA1.2", True),
            ("FA1.3", True),
            ("FA1.4", False),  # evaluated in 2024 and finally, not for 2025
            ("FA1.6", True),  # archived, but evaluated
        ]
        assert [(row["action"].code, row["assessment"]) for row in second.rows] == [("FA2.1", None)]
        assert [cell["text"] for cell in first.rows[0]["ratings"]] == [
            "Très satisfaisant",
            "Très satisfaisant",
            "Satisfaisant",
            "Non évalué",
            "Peu satisfaisant",
            "Insatisfaisant",
        ]
        assert [cell["dots"] for cell in first.rows[0]["ratings"]][:3] == ["●●●●", "●●●●", "●●●○"]

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

    def test_final_evaluation_shows_every_action_not_archived(self, convention, plan):
        grids, whole = assessment_grid_of(convention, 2026, "final")
        codes = [row["action"].code for grid in grids for row in grid.rows]
        assert codes == ["FA1.1", "FA1.2", "FA1.3", "FA1.4", "FA1.7", "FA2.1"]
        assert whole.assessed == 1
        assert whole.recommendations[2] == {"value": "perpetuate", "label": "Pérenniser", "count": 1}

    def test_the_page(self, client_for, convention, plan):
        response = client_for("direction").get(GRID, {"annee": "2025"})
        page = response.text
        assert "Grille d'évaluation par axe : évaluation annuelle 2025" in page
        assert "2,5 <span" in page  # the mean, in French
        assert page.count("Non évaluée") == 2
        assert reverse("evaluation:assessment_create") not in page  # no "Évaluer" link for the direction
        coordination = client_for("coordination").get(GRID, {"annee": "2025"}).text
        action = plan["actions"]["FA2.1"]
        assert f"?action={action.pk}&amp;type=annual&amp;annee=2025" in coordination

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


@pytest.mark.parametrize("count", [1, 40])
def test_fixed_query_budget(client_for, convention, objective, django_assert_max_num_queries, count):
    second = ObjectiveFactory(axis=AxisFactory(convention=convention))
    for n in range(count):
        action = ActionFactory(objective=objective if n % 2 else second, code=f"Q{n:03d}", **IN_2025)
        if n % 3:
            assess(action, (n % 4 + 1, 3, None, 2, 1, 4), ["continue", "adapt", "stop"][n % 3])
    client = client_for("coordination")
    # Session and user, savepoint and release, convention, axes, actions, their evaluations, the two aggregates.
    with django_assert_max_num_queries(10):
        assert client.get(GRID, {"annee": "2025"}).status_code == 200
