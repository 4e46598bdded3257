"""The public answer page of a survey, for inhabitants without an account: answering, and the abuse checks
(CSRF, honeypot, dates, one-time nonce, rate limit per address)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from evaluation.forms.surveys import ANSWER_REQUIRED, HONEYPOT, TEXT_REQUIRED
from evaluation.models import Answer, AnswerCount, Response, Survey
from evaluation.views.public import (
    FORM_EXPIRED,
    RATE_LIMIT,
    RATE_LIMITED,
    RATE_WINDOW,
    Outcome,
    client_hash,
    new_nonce,
    response_submit,
)
from tests.evaluation.factories import QuestionFactory, ResponseFactory, SurveyFactory


def every_kind(survey: Survey) -> dict:
    """One question of each kind; the multiple choice and the free text are optional."""
    return {
        "scale": QuestionFactory(survey=survey, order=1, kind="scale", text="Êtes-vous satisfait de l'accueil ?"),
        "single": QuestionFactory(
            survey=survey, order=2, kind="single", text="Quel centre ?", choices="Polangis\nPalissy"
        ),
        "multiple": QuestionFactory(
            survey=survey,
            order=3,
            kind="multiple",
            text="Quelles activités ?",
            choices="Sorties\nSport\nArts",
            required=False,
        ),
        "yes_no": QuestionFactory(survey=survey, order=4, kind="yes_no", text="Êtes-vous venu cet été ?"),
        "text": QuestionFactory(survey=survey, order=5, kind="text", text="Une remarque ?", required=False),
    }


@pytest.fixture
def survey(convention):
    built = SurveyFactory(convention=convention, title="Satisfaction des familles", introduction="Trois minutes.")
    built.q = every_kind(built)
    return built


def url(survey: Survey) -> str:
    return reverse("evaluation:survey_answer", args=[survey.token])


def thanks(survey: Survey) -> str:
    return reverse("evaluation:survey_thanks", args=[survey.token])


def answers(survey: Survey, **overrides) -> dict:
    q = survey.q
    data = {
        "nonce": new_nonce(survey),
        f"q{q['scale'].pk}": "4",
        f"q{q['single'].pk}": "Palissy",
        f"q{q['multiple'].pk}": ["Sorties", "Arts"],
        f"q{q['yes_no'].pk}": "Oui",
        f"q{q['text'].pk}": "  Des sorties en plus.\r\nMerci  ",
    }
    for key, value in overrides.items():
        field = key if key in ("nonce", HONEYPOT) else f"q{q[key].pk}"
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    return data


class TestPage:
    def test_an_inhabitant_sees_the_form_without_an_account(self, client, survey):
        response = client.get(url(survey))
        assert response.status_code == 200
        html = response.text
        assert '<h1 class="c-public__title">Satisfaction des familles</h1>' in html
        assert html.count("<fieldset") == 4 and html.count("<legend") == 4  # the free text has its own label
        assert "1 – Pas du tout satisfait" in html and "5 – Très satisfait" in html
        assert "(obligatoire)" in html and "(facultatif, plusieurs réponses possibles)" in html
        assert "csrftoken" in response.cookies
        # Nothing private: no navigation, no account.
        assert "Se déconnecter" not in html and "Navigation principale" not in html
        assert 'name="nonce"' in html

    def test_the_honeypot_is_hidden_from_everyone(self, client, survey):
        html = client.get(url(survey)).text
        assert '<div class="c-honeypot" aria-hidden="true">' in html
        assert f'name="{HONEYPOT}" id="id_{HONEYPOT}" value="" autocomplete="off" tabindex="-1"' in html

    def test_unknown_token_is_a_404(self, client, db):
        assert client.get(reverse("evaluation:survey_answer", args=["inconnu"])).status_code == 404
        assert client.post(reverse("evaluation:survey_answer", args=["inconnu"]), {}).status_code == 404

    def test_queries_do_not_grow_with_the_questions(self, client, survey, django_assert_max_num_queries):
        with django_assert_max_num_queries(4):
            client.get(url(survey))
        for order in range(6, 30):
            QuestionFactory(survey=survey, order=order, kind="single", choices="A\nB")
        with django_assert_max_num_queries(4):
            assert client.get(url(survey)).status_code == 200


class TestAnswering:
    def test_answers_are_stored_and_the_thank_you_page_follows(self, client, survey):
        response = client.post(url(survey), answers(survey))
        assert response.status_code == 302
        assert response.url == thanks(survey)
        stored = Response.objects.get(survey=survey)
        assert len(stored.client_hash) == 64 and "127.0.0.1" not in stored.client_hash
        rows = sorted((a.question.kind, a.value, a.score) for a in stored.answers.select_related("question"))
        assert rows == [
            ("multiple", "Arts", None),
            ("multiple", "Sorties", None),
            ("scale", "4", 4),
            ("single", "Palissy", None),
            ("text", "Des sorties en plus.\nMerci", None),
            ("yes_no", "Oui", None),
        ]
        page = client.get(response.url)
        assert page.status_code == 200
        assert "Vos réponses à l'enquête « Satisfaction des familles » sont bien enregistrées." in page.text

    def test_each_response_is_counted_once_as_it_arrives(self, client, survey):
        client.post(url(survey), answers(survey))
        client.post(url(survey), answers(survey, multiple=["Arts"], text=""))
        counts = dict(AnswerCount.objects.filter(question__survey=survey).values_list("question__kind", "value"))
        assert set(AnswerCount.objects.values_list("question__kind", "value", "count")) == {
            ("multiple", "Arts", 2),
            ("multiple", "Sorties", 1),
            ("scale", "4", 2),
            ("single", "Palissy", 2),
            ("yes_no", "Oui", 2),
        }
        assert "text" not in counts  # free texts are listed, not counted
        respondents = dict(survey.questions.values_list("kind", "respondent_count"))
        assert respondents == {"scale": 2, "single": 2, "multiple": 2, "yes_no": 2, "text": 1}

    def test_optional_questions_may_stay_blank(self, client, survey):
        client.post(url(survey), answers(survey, multiple=None, text=""))
        kinds = set(Answer.objects.values_list("question__kind", flat=True))
        assert kinds == {"scale", "single", "yes_no"}

    def test_a_missing_required_answer_is_said_in_french_and_the_answers_stay(self, client, survey):
        response = client.post(url(survey), answers(survey, scale=None, yes_no=None))
        assert response.status_code == 200
        assert Response.objects.count() == 0
        html = response.text
        assert html.count(ANSWER_REQUIRED) == 4  # in the summary and next to each of the two questions
        assert "2 questions demandent votre attention" in html
        assert f'href="#question-{survey.q["scale"].pk}"' in html
        assert 'value="Palissy"' in html and "checked" in html.split('value="Palissy"')[1].split(">")[0]
        assert "Des sorties en plus." in html
        assert 'aria-invalid="true"' in html

    def test_a_required_free_text(self, client, survey):
        survey.q["text"].required = True
        survey.q["text"].save()
        response = client.post(url(survey), answers(survey, text="   "))
        assert TEXT_REQUIRED in response.text
        assert Response.objects.count() == 0

    def test_an_answer_outside_the_choices_is_refused(self, client, survey):
        response = client.post(url(survey), answers(survey, single="Ailleurs", scale="9"))
        assert response.status_code == 200
        assert Response.objects.count() == 0

    def test_a_question_deleted_while_answering_takes_its_answer_with_it(self, survey):
        q = survey.q
        rows = [(q["scale"], "5", 5), (q["text"], "Bien.", None)]
        q["text"].delete()
        outcome = response_submit(survey=survey, answers=rows, nonce="n-1", client="c" * 64)
        assert outcome is Outcome.STORED
        assert list(Answer.objects.values_list("value", flat=True)) == ["5"]


class TestAbuse:
    def test_csrf_is_enforced(self, survey):
        client = Client(enforce_csrf_checks=True)
        assert client.post(url(survey), answers(survey)).status_code == 403
        assert Response.objects.count() == 0
        client.get(url(survey))
        token = client.cookies["csrftoken"].value
        response = client.post(url(survey), answers(survey) | {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert Response.objects.count() == 1

    def test_a_filled_honeypot_looks_accepted_but_stores_nothing(self, client, survey):
        response = client.post(url(survey), answers(survey, **{HONEYPOT: "http://spam.example"}))
        assert response.status_code == 302
        assert response.url == thanks(survey)
        assert Response.objects.count() == 0

    def test_a_double_submit_is_one_response(self, client, survey):
        data = answers(survey)
        first = client.post(url(survey), data)
        second = client.post(url(survey), data)
        assert first.status_code == second.status_code == 302
        assert second.url == thanks(survey)
        assert Response.objects.count() == 1

    def test_a_form_sent_again_after_an_error_keeps_its_nonce(self, client, survey):
        data = answers(survey, scale=None)
        response = client.post(url(survey), data)
        assert f'value="{data["nonce"]}"' in response.text
        client.post(url(survey), data | {f"q{survey.q['scale'].pk}": "3"})
        client.post(url(survey), data | {f"q{survey.q['scale'].pk}": "3"})
        assert Response.objects.count() == 1

    @pytest.mark.parametrize("nonce", ["", "forged", "other-survey"])
    def test_a_forged_nonce_is_refused_and_the_answers_kept(self, client, survey, nonce):
        if nonce == "other-survey":
            nonce = new_nonce(SurveyFactory(convention=survey.convention))
        response = client.post(url(survey), answers(survey, nonce=nonce))
        assert response.status_code == 200
        assert escape(FORM_EXPIRED) in response.text
        assert "Des sorties en plus." in response.text
        assert Response.objects.count() == 0

    def test_the_rate_limit_per_address(self, client, survey, rf):
        hashed = client_hash(rf.get("/", REMOTE_ADDR="127.0.0.1"))
        ResponseFactory(survey=survey, client_hash=hashed, submitted_at=timezone.now() - RATE_WINDOW - timedelta(1))
        for _ in range(RATE_LIMIT - 1):
            ResponseFactory(survey=survey, client_hash=hashed)
        assert client.post(url(survey), answers(survey)).status_code == 302
        response = client.post(url(survey), answers(survey))
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"
        assert escape(RATE_LIMITED) in response.text
        assert "Des sorties en plus." in response.text  # the answers are kept
        assert Response.objects.filter(survey=survey).count() == RATE_LIMIT + 1
        # Another address, or another survey, is not limited.
        other = client.post(url(survey), answers(survey), REMOTE_ADDR="192.0.2.7")
        assert other.status_code == 302

    def test_behind_a_reverse_proxy_the_forwarded_address_is_counted(self, rf, settings):
        settings.REVERSE_PROXY_COUNT = 1
        one = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
        two = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
        again = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
        assert client_hash(one) != client_hash(two)
        assert client_hash(one) == client_hash(again)


class TestDates:
    def test_a_closed_survey_refuses_answers(self, client, convention):
        survey = SurveyFactory(convention=convention, closed=True)
        survey.q = every_kind(survey)
        page = client.get(url(survey))
        assert page.status_code == 410
        assert "L&#x27;enquête est close depuis le" in page.text
        assert 'name="nonce"' not in page.text
        response = client.post(url(survey), answers(survey))
        assert response.status_code == 410
        assert Response.objects.count() == 0

    def test_an_upcoming_survey_says_when_it_opens(self, client, convention):
        survey = SurveyFactory(convention=convention, upcoming=True)
        survey.q = every_kind(survey)
        page = client.get(url(survey))
        assert page.status_code == 200
        assert "L&#x27;enquête ouvrira le" in page.text
        assert client.post(url(survey), answers(survey)).status_code == 200
        assert Response.objects.count() == 0

    def test_the_last_day_is_still_open(self, client, convention):
        today = timezone.localdate()
        survey = SurveyFactory(convention=convention, opens_on=today - timedelta(days=3), closes_on=today)
        survey.q = every_kind(survey)
        assert client.post(url(survey), answers(survey)).status_code == 302

    def test_closed_while_the_form_was_filled_in(self, client, survey):
        data = answers(survey)
        Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
        assert client.post(url(survey), data).status_code == 410
        assert Response.objects.count() == 0
