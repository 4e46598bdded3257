"""Conflicting requests at the same instant on the survey write paths (see tests/test_concurrency.py for the
method). PostgreSQL only: threads cannot share SQLite's in-memory test database.

The public page locks the survey's row before it stores a response, and so does every edit of its questions:
a double click is one response, a burst from one address stops at the rate limit, and a question deleted,
retyped or moved while people answer leaves consistent rows."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import Answer, Question, Response
from evaluation.views import public
from evaluation.views.public import RATE_LIMIT, client_hash, new_nonce
from tests.concurrency import HTMX, RACE_MARKS, pause_before, race, tally
from tests.evaluation.factories import QuestionFactory, ResponseFactory, SurveyFactory

ROUNDS = 3
pytestmark = RACE_MARKS


@pytest.fixture
def survey(convention):
    built = SurveyFactory(convention=convention)
    built.scale = QuestionFactory(survey=built, order=1, kind="scale", text="Satisfait ?")
    built.text = QuestionFactory(survey=built, order=2, kind="text", text="Remarque ?", required=False)
    return built


def answer(survey, nonce: str | None = None, address: str = "198.51.100.1"):
    data = {"nonce": nonce or new_nonce(survey), f"q{survey.scale.pk}": "5", f"q{survey.text.pk}": "Très bien."}
    return Client().post(reverse("evaluation:survey_answer", args=[survey.token]), data, REMOTE_ADDR=address)


def test_a_double_click_is_one_response(survey, monkeypatch):
    pause_before(monkeypatch, public, "response_submit")
    for _ in range(ROUNDS):
        nonce = new_nonce(survey)
        responses = race(lambda n=nonce: answer(survey, n), lambda n=nonce: answer(survey, n))
        assert [r.status_code for r in responses] == [302, 302]
    assert Response.objects.filter(survey=survey).count() == ROUNDS
    assert Answer.objects.filter(question=survey.scale).count() == ROUNDS


def test_responses_arriving_together_are_all_counted(survey, monkeypatch):
    pause_before(monkeypatch, public, "response_submit")
    for number in range(ROUNDS):
        addresses = [f"198.51.100.{10 + 3 * number + n}" for n in range(3)]
        responses = race(*[lambda a=address: answer(survey, address=a) for address in addresses])
        assert [r.status_code for r in responses] == [302, 302, 302]
    survey.scale.refresh_from_db()
    assert survey.scale.respondent_count == 3 * ROUNDS
    assert list(survey.scale.answer_counts.values_list("value", "count")) == [("5", 3 * ROUNDS)]
    survey.text.refresh_from_db()
    assert survey.text.respondent_count == 3 * ROUNDS


def test_a_burst_from_one_address_stops_at_the_limit(survey, rf, monkeypatch):
    hashed = client_hash(rf.get("/", REMOTE_ADDR="198.51.100.1"))
    ResponseFactory.create_batch(RATE_LIMIT - 1, survey=survey, client_hash=hashed)
    pause_before(monkeypatch, public, "response_submit")
    statuses = sorted(r.status_code for r in race(*[lambda: answer(survey)] * 3))
    assert statuses == [302, 429, 429]
    assert Response.objects.filter(survey=survey, client_hash=hashed).count() == RATE_LIMIT


def test_a_question_deleted_while_people_answer(survey, coordinators, monkeypatch):
    coordination, _ = coordinators
    pause_before(monkeypatch, public, "response_submit")
    questions = [survey.text] + [
        QuestionFactory(survey=survey, order=3 + n, kind="text", required=False) for n in range(ROUNDS - 1)
    ]
    for question in questions:
        delete = reverse("evaluation:survey_question_delete", args=[question.pk])
        sent, deleted = race(lambda: answer(survey), lambda d=delete: coordination.post(d, {"confirm": "1"}))
        assert sent.status_code == 302 and deleted.status_code == 302
        assert not Question.objects.filter(pk=question.pk).exists()
    # Every response kept its scale answer; no answer points to a deleted question.
    assert Answer.objects.filter(question=survey.scale).count() == Response.objects.filter(survey=survey).count()
    assert set(Answer.objects.values_list("question_id", flat=True)) <= {survey.scale.pk}


def test_a_question_retyped_while_people_answer(survey, coordinators, monkeypatch):
    coordination, _ = coordinators
    pause_before(monkeypatch, public, "response_submit")
    edit = reverse("evaluation:survey_question_edit", args=[survey.text.pk])
    sent, edited = race(
        lambda: answer(survey),
        lambda: coordination.post(
            edit, {"text": "Votre âge ?", "kind": "single", "choices": "Moins de 30 ans\n30 ans et plus"}
        ),
    )
    assert sent.status_code == 302
    survey.text.refresh_from_db()
    stored = list(Answer.objects.filter(question=survey.text).values_list("value", flat=True))
    if survey.text.kind == "single":  # retyped first: the free text given to the old question is dropped
        tally("retyped first")
        assert edited.status_code == 302 and stored == []
    else:  # answered first: the question keeps its kind
        tally("answered first")
        assert edited.status_code == 200 and stored == ["Très bien."]


def test_two_moves_at_once_keep_the_orders_distinct(survey, coordinators):
    first, second = coordinators
    third = QuestionFactory(survey=survey, order=3, kind="yes_no")
    move = reverse("evaluation:survey_question_move", args=[third.pk])
    other = reverse("evaluation:survey_question_move", args=[survey.scale.pk])
    for _ in range(ROUNDS):
        race(
            lambda: first.post(move, {"direction": "up"}, headers=HTMX),
            lambda: second.post(other, {"direction": "down"}),
        )
        orders = list(survey.questions.order_by("order").values_list("order", flat=True))
        assert orders == [1, 2, 3]
