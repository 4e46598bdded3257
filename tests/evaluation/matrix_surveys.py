"""Permission cases of the satisfaction surveys (see tests/evaluation/test_permissions.py).

The coordination builds the surveys, prints their QR code and records a result in an indicator; the
coordination, the direction and the élus read the list, the results and the exports; anybody, with or
without an account, answers an open survey on its public page."""

from datetime import timedelta

from django.utils import timezone

from evaluation.models import Measurement, Question, Response, Survey
from evaluation.views.public import new_nonce
from tests.evaluation.factories import AnswerFactory, IndicatorFactory, QuestionFactory, SurveyFactory
from tests.test_permissions import Case, Endpoint, World, coordination_form, coordination_only, everyone, signed_in


def readers(ok: int) -> dict:
    return {**signed_in(403), "coordination": ok, "direction": ok, "elected": ok}


def survey(w: World) -> Survey:
    """An open survey with a scale question (answered once) and a free-text question."""

    def build():
        built = SurveyFactory(convention=w.convention, title="Satisfaction des familles")
        scale = QuestionFactory(survey=built, order=1, kind="scale", text="Êtes-vous satisfait ?")
        text = QuestionFactory(survey=built, order=2, kind="text", text="Une remarque ?", required=False)
        answer = AnswerFactory(question=scale, response__survey=built, value="5", score=5)
        AnswerFactory(question=text, response=answer.response, value="Très bien.", score=None)
        return built

    return w.memo("survey", build)


def closed_survey(w: World) -> Survey:
    def build():
        built = SurveyFactory(convention=w.convention, closed=True, title="Enquête close")
        QuestionFactory(survey=built, order=1, kind="yes_no", text="Êtes-vous venu ?")
        return built

    return w.memo("closed_survey", build)


def empty_survey(w: World) -> Survey:
    """A survey without answers, whose two questions can be moved and deleted, and which can be deleted."""

    def build():
        built = SurveyFactory(convention=w.convention, title="Enquête en préparation")
        QuestionFactory(survey=built, order=1, kind="yes_no", text="Première question ?")
        QuestionFactory(survey=built, order=2, kind="text", text="Deuxième question ?")
        return built

    return w.memo("empty_survey", build)


def first_question(w: World) -> Question:
    return w.memo("first_question", lambda: empty_survey(w).questions.get(order=1))


def scale_question(w: World) -> Question:
    return survey(w).questions.get(kind="scale")


def indicator(w: World):
    def build():
        survey(w).actions.add(w.own_action)  # a result feeds the indicators of the actions the survey evaluates
        return IndicatorFactory(action=w.own_action, code="SAT", unit="%")

    return w.memo("indicator", build)


def public_target(w: World, target: str) -> dict:
    chosen = closed_survey(w) if target == "closed" else survey(w)
    return {"token": chosen.token}


def answer_data(w: World, target: str) -> dict:
    chosen = closed_survey(w) if target == "closed" else survey(w)
    data = {"nonce": new_nonce(chosen)}
    for question in chosen.questions.all():
        data[f"q{question.pk}"] = {"scale": "4", "yes_no": "Oui", "text": "Merci."}[question.kind]
    return data


def survey_data(w: World, title: str) -> dict:
    today = timezone.localdate()
    return {
        "title": title,
        "introduction": "Trois minutes, anonyme.",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "actions": [w.own_action.pk],
    }


def pk_of(build):
    return lambda w, t: {"pk": build(w).pk}


CASES: list[Case] = [
    Case("evaluation:survey_list", "GET", readers(200)),
    Case("evaluation:survey_list", "POST", signed_in(405)),
    *coordination_form("evaluation:survey_create"),
    Case("evaluation:survey_detail", "GET", coordination_only(200)),
    Case("evaluation:survey_detail", "POST", signed_in(405)),
    *coordination_form("evaluation:survey_edit"),
    *coordination_form("evaluation:survey_delete"),
    Case("evaluation:survey_question_add", "GET", signed_in(405)),
    Case("evaluation:survey_question_add", "POST", coordination_only(302)),
    Case("evaluation:survey_question_add", "POST", coordination_only(200), htmx=True),
    *coordination_form("evaluation:survey_question_edit"),
    *coordination_form("evaluation:survey_question_delete"),
    Case("evaluation:survey_question_delete", "POST", coordination_only(200), htmx=True),
    Case("evaluation:survey_question_move", "GET", signed_in(405)),
    Case("evaluation:survey_question_move", "POST", coordination_only(302)),
    Case("evaluation:survey_question_move", "POST", coordination_only(200), htmx=True),
    Case("evaluation:survey_qr", "GET", coordination_only(200)),
    Case("evaluation:survey_qr", "POST", signed_in(405)),
    Case("evaluation:survey_poster", "GET", coordination_only(200)),
    Case("evaluation:survey_poster", "POST", signed_in(405)),
    Case("evaluation:survey_results", "GET", readers(200)),
    Case("evaluation:survey_results", "POST", signed_in(405)),
    Case("evaluation:survey_export", "GET", readers(200), target="csv"),
    Case("evaluation:survey_export", "GET", readers(200), target="xlsx"),
    Case("evaluation:survey_export", "POST", signed_in(405), target="csv"),
    Case("evaluation:survey_text_answers", "GET", readers(200)),
    Case("evaluation:survey_text_answers", "POST", signed_in(405)),
    Case("evaluation:survey_record_measurement", "GET", signed_in(405)),
    Case("evaluation:survey_record_measurement", "POST", coordination_only(302)),
    # The public pages: no account needed.
    Case("evaluation:survey_answer", "GET", everyone(200), target="open"),
    Case("evaluation:survey_answer", "GET", everyone(410), target="closed"),
    Case("evaluation:survey_answer", "POST", everyone(302), target="open"),
    # A POST to a closed survey (410, nothing stored) is in tests/evaluation/test_public.py: the matrix takes
    # any POST answered otherwise than LOGIN, 403 or 405 for a write.
    Case("evaluation:survey_thanks", "GET", everyone(200), target="open"),
    Case("evaluation:survey_thanks", "POST", everyone(405), target="open"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:survey_list": Endpoint(),
    "evaluation:survey_create": Endpoint(
        data=lambda w, t: survey_data(w, "Enquête des parents"),
        written=lambda w, t: Survey.objects.filter(convention=w.convention, title="Enquête des parents").exists(),
    ),
    "evaluation:survey_detail": Endpoint(kwargs=pk_of(survey)),
    "evaluation:survey_edit": Endpoint(
        kwargs=pk_of(survey),
        data=lambda w, t: survey_data(w, "Enquête renommée"),
        written=lambda w, t: Survey.objects.filter(pk=survey(w).pk, title="Enquête renommée").exists(),
    ),
    "evaluation:survey_delete": Endpoint(
        kwargs=pk_of(empty_survey),
        written=lambda w, t: not Survey.objects.filter(pk=empty_survey(w).pk).exists(),
    ),
    "evaluation:survey_question_add": Endpoint(
        kwargs=pk_of(survey),
        data=lambda w, t: {
            "new-question-text": "Recommanderiez-vous l'accueil ?",
            "new-question-kind": "yes_no",
            "new-question-required": "on",
        },
        written=lambda w, t: survey(w).questions.filter(text="Recommanderiez-vous l'accueil ?").exists(),
    ),
    "evaluation:survey_question_edit": Endpoint(
        kwargs=pk_of(scale_question),
        data=lambda w, t: {"text": "Êtes-vous satisfait·e ?", "kind": "scale", "required": "on"},
        written=lambda w, t: Question.objects.filter(pk=scale_question(w).pk, text="Êtes-vous satisfait·e ?").exists(),
    ),
    "evaluation:survey_question_delete": Endpoint(
        kwargs=pk_of(first_question),
        written=lambda w, t: not Question.objects.filter(pk=first_question(w).pk).exists(),
    ),
    "evaluation:survey_question_move": Endpoint(
        kwargs=pk_of(first_question),
        data=lambda w, t: {"direction": "down"},
        written=lambda w, t: Question.objects.get(pk=first_question(w).pk).order == 2,
    ),
    "evaluation:survey_qr": Endpoint(kwargs=pk_of(survey)),
    "evaluation:survey_poster": Endpoint(kwargs=pk_of(survey)),
    "evaluation:survey_results": Endpoint(kwargs=pk_of(survey)),
    "evaluation:survey_export": Endpoint(kwargs=lambda w, target: {"pk": survey(w).pk, "fmt": target}),
    "evaluation:survey_text_answers": Endpoint(kwargs=lambda w, t: {"pk": survey(w).questions.get(kind="text").pk}),
    "evaluation:survey_record_measurement": Endpoint(
        kwargs=pk_of(scale_question),
        data=lambda w, t: {
            f"q{scale_question(w).pk}-indicator": indicator(w).pk,
            f"q{scale_question(w).pk}-year": 2025,
        },
        written=lambda w, t: Measurement.objects.filter(
            indicator=indicator(w), year=2025, provenance="survey"
        ).exists(),
    ),
    "evaluation:survey_answer": Endpoint(
        kwargs=public_target,
        data=answer_data,
        written=lambda w, target: Response.objects.filter(survey=survey(w)).count() == 2,
    ),
    "evaluation:survey_thanks": Endpoint(kwargs=public_target),
}
