"""Permission cases of the evaluations of actions (see tests/evaluation/test_permissions.py): everyone signed in
reads them and their grid; only the coordination writes them, even on an action the service head pilots."""

from evaluation.enums import CRITERIA
from evaluation.forms.assessments import edit_token
from evaluation.models import Assessment
from tests.evaluation.factories import AssessmentFactory
from tests.test_permissions import Case, Endpoint, World, coordination_form, page

YEAR = 2025


def assessment(w: World) -> Assessment:
    """An evaluation of the service head's own action."""
    return w.memo("assessment", lambda: AssessmentFactory(action=w.own_action, year=YEAR))


def assessment_pk(w: World, target: str) -> dict:
    return {"pk": assessment(w).pk}


def assessment_data(**changes) -> dict:
    data = {name: "" for criterion, _ in CRITERIA for name in (criterion, f"{criterion}_note")}
    return data | {"relevance": 4, "relevance_note": "Répond au besoin repéré.", "recommendation_note": ""} | changes


def saved(pk: int) -> Assessment | None:
    return Assessment.objects.filter(pk=pk).first()


CASES: list[Case] = [
    *page("evaluation:assessment_list"),
    *page("evaluation:assessment_grid"),
    *page("evaluation:assessment_detail"),
    *page("evaluation:action_assessments"),
    *coordination_form("evaluation:assessment_create"),
    *coordination_form("evaluation:assessment_edit"),
    *coordination_form("evaluation:assessment_delete"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:assessment_list": Endpoint(),
    "evaluation:assessment_grid": Endpoint(),
    "evaluation:assessment_detail": Endpoint(kwargs=assessment_pk),
    "evaluation:action_assessments": Endpoint(kwargs=lambda w, t: {"pk": w.own_action.pk}),
    "evaluation:assessment_create": Endpoint(
        data=lambda w, t: assessment_data(action=w.own_action.pk, kind="final", year=2026, recommendation="continue"),
        written=lambda w, t: Assessment.objects.filter(action=w.own_action, kind="final", year=2026).exists(),
    ),
    "evaluation:assessment_edit": Endpoint(
        kwargs=assessment_pk,
        data=lambda w, t: assessment_data(seen=edit_token(assessment(w)), recommendation="adapt"),
        written=lambda w, t: saved(assessment(w).pk).recommendation == "adapt",
    ),
    "evaluation:assessment_delete": Endpoint(
        kwargs=assessment_pk, written=lambda w, t: saved(assessment(w).pk) is None
    ),
}
