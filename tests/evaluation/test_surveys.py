"""The survey builder (coordination): the list, the survey form, the questions (add, edit, delete, reorder)
and the QR code with its poster."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ctg.models import END_BEFORE_START
from evaluation.forms.surveys import CHOICES_NEEDED, KIND_LOCKED, QuestionForm, SurveyForm
from evaluation.models import Question, Survey
from evaluation.qr import public_url, short_url
from tests.actions.factories import ActionFactory
from tests.evaluation.factories import AnswerFactory, QuestionFactory, ResponseFactory, SurveyFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def survey(convention):
    return SurveyFactory(convention=convention, title="Satisfaction des familles")


def questions_of(survey: Survey) -> list[tuple[int, str]]:
    return list(survey.questions.order_by("order").values_list("order", "text"))


def three_questions(survey: Survey) -> list[Question]:
    return [
        QuestionFactory(survey=survey, order=order, kind="yes_no", text=text)
        for order, text in enumerate(["Première ?", "Deuxième ?", "Troisième ?"], start=1)
    ]


def answered(question: Question, value: str = "Oui", score=None):
    return AnswerFactory(question=question, response__survey=question.survey, value=value, score=score)


class TestSurveyForm:
    def data(self, **changes) -> dict:
        return {"title": "Enquête", "introduction": "", "opens_on": "2026-03-01", "closes_on": "2026-03-31"} | changes

    def test_a_good_survey(self, convention, own_action):
        form = SurveyForm(self.data(actions=[own_action.pk]), instance=Survey(convention=convention))
        assert form.is_valid(), form.errors
        survey = form.save()
        assert list(survey.actions.all()) == [own_action]

    def test_closing_before_opening_is_refused_in_french(self, convention):
        form = SurveyForm(self.data(closes_on="2026-02-01"), instance=Survey(convention=convention))
        assert form.errors == {"closes_on": [END_BEFORE_START]}

    def test_the_database_refuses_it_too(self, convention):
        with pytest.raises(IntegrityError), transaction.atomic():
            Survey.objects.create(
                convention=convention, title="x", opens_on=date(2026, 3, 1), closes_on=date(2026, 2, 1)
            )

    def test_only_actions_of_the_convention(self, convention):
        elsewhere = ActionFactory()
        form = SurveyForm(self.data(actions=[elsewhere.pk]), instance=Survey(convention=convention))
        assert "actions" in form.errors

    def test_the_edit_saves_only_the_form_fields(self, client_for, survey, coordination):
        token = survey.token
        data = self.data(title="Enquête renommée", opens_on=survey.opens_on, closes_on=survey.closes_on)
        client = client_for("coordination")
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            response = client.post(reverse("evaluation:survey_edit", args=[survey.pk]), data)
        assert response.status_code == 302
        update = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "evaluation_survey"'))
        assert '"token"' not in update and '"created_by_id"' not in update and '"convention_id"' not in update
        survey.refresh_from_db()
        assert (survey.title, survey.token) == ("Enquête renommée", token)

    def test_create_from_the_list(self, client_for, convention, coordination):
        client = client_for("coordination")
        response = client.post(reverse("evaluation:survey_create"), self.data(title="Nouvelle"))
        survey = Survey.objects.get(title="Nouvelle")
        assert response.url == survey.get_absolute_url()
        assert (survey.convention, survey.created_by) == (convention, coordination)
        bad = client.post(reverse("evaluation:survey_create"), self.data(title="", closes_on="2026-01-01"))
        assert bad.status_code == 200
        assert escape(END_BEFORE_START) in bad.text


class TestQuestionForm:
    def form(self, survey, **data) -> QuestionForm:
        return QuestionForm(
            {"text": "Votre avis ?", "kind": "single", "required": "on"} | data, instance=Question(survey=survey)
        )

    @pytest.mark.parametrize("choices", ["", "   \n  ", "Une seule"])
    def test_choices_are_needed_for_a_choice_question(self, survey, choices):
        for kind in ("single", "multiple"):
            assert self.form(survey, kind=kind, choices=choices).errors == {"choices": [CHOICES_NEEDED]}

    def test_choices_are_cleaned_one_per_line(self, survey):
        form = self.form(survey, choices="  Polangis \r\n\r\nPalissy\r\n")
        assert form.is_valid()
        assert form.save().choices == "Polangis\nPalissy"

    def test_a_choice_twice_is_refused(self, survey):
        assert "choices" in self.form(survey, choices="Oui\noui\nNon").errors

    def test_other_kinds_drop_their_choices(self, survey):
        form = self.form(survey, kind="scale", choices="A\nB")
        assert form.is_valid()
        assert form.save().choices == ""


class TestAddQuestion:
    def test_added_at_the_end_with_htmx(self, client_for, survey):
        three_questions(survey)
        data = {"new-question-text": "Une remarque ?", "new-question-kind": "text"}
        url = reverse("evaluation:survey_question_add", args=[survey.pk])
        response = client_for("coordination").post(url, data, headers=HTMX)
        assert response.status_code == 200
        assert questions_of(survey)[-1] == (4, "Une remarque ?")
        assert response.text.strip().startswith('<section id="questions"')
        assert 'id="questions-status"' in response.text and 'data-hx-swap-oob="true"' in response.text
        assert "Question ajoutée : « Une remarque ? »." in response.text
        assert not survey.questions.get(text="Une remarque ?").required

    def test_an_invalid_question_shows_its_errors(self, client_for, survey):
        url = reverse("evaluation:survey_question_add", args=[survey.pk])
        data = {"new-question-text": "Quel centre ?", "new-question-kind": "single", "new-question-choices": ""}
        for headers in (HTMX, {}):
            response = client_for("coordination").post(url, data, headers=headers)
            assert response.status_code == 200
            assert CHOICES_NEEDED in response.text
        assert survey.questions.count() == 0

    def test_without_javascript_back_to_the_builder(self, client_for, survey):
        url = reverse("evaluation:survey_question_add", args=[survey.pk])
        response = client_for("coordination").post(url, {"new-question-text": "Oui ?", "new-question-kind": "yes_no"})
        assert response.status_code == 302
        assert response.url == f"{survey.get_absolute_url()}#questions"


class TestEditQuestion:
    def test_a_question_with_answers_warns_and_keeps_its_kind(self, client_for, survey):
        question = QuestionFactory(survey=survey, kind="scale", text="Satisfait ?")
        answered(question, "4", 4)
        client = client_for("coordination")
        url = reverse("evaluation:survey_question_edit", args=[question.pk])
        page = client.get(url)
        assert "1 personne a déjà répondu à cette question" in page.text
        refused = client.post(url, {"text": "Satisfait ?", "kind": "yes_no", "required": "on"})
        assert refused.status_code == 200
        assert escape(KIND_LOCKED) in refused.text
        assert Question.objects.get(pk=question.pk).kind == "scale"
        reworded = client.post(url, {"text": "Êtes-vous satisfait ?", "kind": "scale", "required": "on"})
        assert reworded.status_code == 302
        assert Question.objects.get(pk=question.pk).text == "Êtes-vous satisfait ?"

    def test_without_answers_the_kind_may_change(self, client_for, survey):
        question = QuestionFactory(survey=survey, kind="scale")
        url = reverse("evaluation:survey_question_edit", args=[question.pk])
        data = {"text": "Quel centre ?", "kind": "single", "choices": "A\nB"}
        assert client_for("coordination").post(url, data).status_code == 302
        question.refresh_from_db()
        assert (question.kind, question.choices, question.required) == ("single", "A\nB", False)


class TestReorder:
    @pytest.mark.parametrize(
        ("index", "direction", "expected"),
        [
            (1, "up", ["Deuxième ?", "Première ?", "Troisième ?"]),
            (1, "down", ["Première ?", "Troisième ?", "Deuxième ?"]),
            (0, "up", ["Première ?", "Deuxième ?", "Troisième ?"]),
            (2, "down", ["Première ?", "Deuxième ?", "Troisième ?"]),
        ],
    )
    def test_up_and_down(self, client_for, survey, index, direction, expected):
        questions = three_questions(survey)
        url = reverse("evaluation:survey_question_move", args=[questions[index].pk])
        response = client_for("coordination").post(url, {"direction": direction})
        assert response.status_code == 302
        assert response.url == f"{survey.get_absolute_url()}#question-{questions[index].pk}"
        assert questions_of(survey) == list(enumerate(expected, start=1))

    def test_gaps_in_the_order_are_closed(self, client_for, survey):
        for order, text in [(3, "A ?"), (7, "B ?"), (7, "C ?")]:
            QuestionFactory(survey=survey, order=order, text=text)
        moved = survey.questions.get(text="C ?")
        client_for("coordination").post(
            reverse("evaluation:survey_question_move", args=[moved.pk]), {"direction": "up"}
        )
        assert questions_of(survey) == [(1, "A ?"), (2, "C ?"), (3, "B ?")]

    def test_htmx_gives_the_focus_back_to_the_button_pressed(self, client_for, survey):
        questions = three_questions(survey)
        url = reverse("evaluation:survey_question_move", args=[questions[1].pk])
        response = client_for("coordination").post(url, {"direction": "up"}, headers=HTMX)
        html = response.text
        assert "« Deuxième ? » est la question 1 sur 3." in html
        # Now first, it has no "Monter" button any more: the focus goes to its "Descendre".
        item = html.split(f'id="question-{questions[1].pk}"')[1].split("</li>")[0]
        assert "Monter" not in item
        assert "data-ctg-autofocus>Descendre" in item


class TestDeleteQuestion:
    def test_a_question_without_answers_goes_at_once(self, client_for, survey):
        questions = three_questions(survey)
        url = reverse("evaluation:survey_question_delete", args=[questions[0].pk])
        response = client_for("coordination").post(url, headers=HTMX)
        assert response.status_code == 200
        assert questions_of(survey) == [(1, "Deuxième ?"), (2, "Troisième ?")]

    def test_a_question_with_answers_asks_first(self, client_for, survey):
        question = three_questions(survey)[0]
        answered(question)
        client = client_for("coordination")
        url = reverse("evaluation:survey_question_delete", args=[question.pk])
        page = client.post(url)
        assert page.status_code == 200
        assert "1 personne a répondu à cette question" in page.text
        assert Question.objects.filter(pk=question.pk).exists()
        htmx = client.post(url, headers=HTMX)
        assert htmx["HX-Redirect"] == url
        assert client.post(url, {"confirm": "1"}).status_code == 302
        assert not Question.objects.filter(pk=question.pk).exists()

    def test_the_builder_links_to_the_confirmation_for_answered_questions(self, client_for, survey):
        answered_question, fresh = three_questions(survey)[:2]
        answered(answered_question)
        html = client_for("coordination").get(survey.get_absolute_url()).text
        delete = reverse("evaluation:survey_question_delete", args=[answered_question.pk])
        assert f'<a href="{delete}">Supprimer' in html
        assert f'data-hx-post="{reverse("evaluation:survey_question_delete", args=[fresh.pk])}"' in html
        assert "Cette enquête a déjà reçu 1 réponse." in html


class TestSurveyPages:
    def test_the_list_gives_states_and_counts(self, client_for, convention):
        today = timezone.localdate()
        open_survey = SurveyFactory(convention=convention, title="Ouverte")
        SurveyFactory(convention=convention, title="Close", closed=True)
        SurveyFactory(convention=convention, title="À venir", upcoming=True)
        ResponseFactory.create_batch(3, survey=open_survey)
        QuestionFactory(survey=open_survey)
        html = client_for("direction").get(reverse("evaluation:survey_list")).text
        assert "3 enquêtes" in html
        row = html.split(">Ouverte</th>")[1].split("</tr>")[0]
        assert 'c-badge--in_progress">Ouverte' in row and '<td class="is-number">3</td>' in row
        assert f"du {(today - timedelta(days=10)):%d/%m/%Y}" in row
        assert ">Close</span>" in html and ">À venir</span>" in html
        assert "Nouvelle enquête" not in html  # the direction reads, the coordination builds

    def test_the_list_queries_do_not_grow(self, client_for, convention, django_assert_max_num_queries):
        client = client_for("coordination")
        SurveyFactory(convention=convention)
        with django_assert_max_num_queries(8):
            client.get(reverse("evaluation:survey_list"))
        for survey in SurveyFactory.create_batch(25, convention=convention):
            ResponseFactory(survey=survey)
            QuestionFactory(survey=survey)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("evaluation:survey_list"))
        assert 'aria-label="Pages des enquêtes"' in response.text

    def test_the_builder_queries_do_not_grow(self, client_for, survey, django_assert_max_num_queries):
        client = client_for("coordination")
        answered(QuestionFactory(survey=survey, kind="yes_no"))
        with django_assert_max_num_queries(9):
            client.get(survey.get_absolute_url())
        for _ in range(20):
            answered(QuestionFactory(survey=survey, kind="single", choices="Oui\nNon"))
        with django_assert_max_num_queries(9):
            assert client.get(survey.get_absolute_url()).status_code == 200

    def test_delete_a_survey_with_its_answers(self, client_for, survey):
        answered(QuestionFactory(survey=survey, kind="yes_no"))
        client = client_for("coordination")
        url = reverse("evaluation:survey_delete", args=[survey.pk])
        assert "les <strong>1 réponse</strong> reçue" in client.get(url).text
        assert client.post(url).status_code == 302
        assert not Survey.objects.filter(pk=survey.pk).exists()


class TestQrCode:
    def test_the_public_address_is_built_on_site_url(self, survey, settings, rf):
        settings.SITE_URL = "https://ctg.example.fr/"
        url = public_url(survey)
        assert url == f"https://ctg.example.fr/e/{survey.token}/"
        assert short_url(url) == f"ctg.example.fr/e/{survey.token}/"
        settings.SITE_URL = ""
        assert public_url(survey, rf.get("/")) == f"http://testserver/e/{survey.token}/"

    def test_the_svg_and_the_poster(self, client_for, survey, settings):
        settings.SITE_URL = "https://ctg.example.fr"
        client = client_for("coordination")
        svg = client.get(reverse("evaluation:survey_qr", args=[survey.pk]))
        assert svg["Content-Type"] == "image/svg+xml"
        assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content and b"viewBox" in svg.content
        assert b"style=" not in svg.content and b"<script" not in svg.content
        poster = client.get(reverse("evaluation:survey_poster", args=[survey.pk])).text
        assert f"ctg.example.fr/e/{survey.token}/" in poster
        assert f'src="{reverse("evaluation:survey_qr", args=[survey.pk])}"' in poster
        assert "Répondez du" in poster
