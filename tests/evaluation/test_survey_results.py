"""A survey's results: the aggregates (exact figures), the results page, the free texts, the CSV and xlsx
exports, and the recording of a result as an indicator's value."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.models import Answer, Measurement, Response, Survey
from evaluation.survey_results import TEXT_SAMPLE, export_table, question_results, state_of
from evaluation.tallies import tallies_add, tallies_rebuild
from evaluation.views.surveys_results import NO_ANSWER
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory, QuestionFactory, SurveyFactory
from tests.evaluation.test_public import every_kind

# What four families answered, in this order: scale, single, multiple, yes/no, free text.
ANSWERS = [
    ("5", "Polangis", ["Sorties", "Sport"], "Oui", "Très bien"),
    ("4", "Palissy", ["Sorties"], "Non", ""),
    ("4", "Polangis", [], "Oui", "Plus de sorties"),
    ("2", "Polangis", [], "Oui", '=HYPERLINK("http://x")'),
]


def respond(survey: Survey, rows, *, start=None) -> None:
    start = start or timezone.now() - timedelta(days=3)
    q = survey.q
    for number, (scale, single, multiple, yes_no, text) in enumerate(rows):
        response = Response.objects.create(
            survey=survey,
            submitted_at=start + timedelta(hours=number),
            client_hash="0" * 64,
            nonce=f"{survey.pk}-{number}-{start}",
        )
        answers = [Answer(response=response, question=q["scale"], value=scale, score=int(scale))]
        answers += [Answer(response=response, question=q["single"], value=single)]
        answers += [Answer(response=response, question=q["multiple"], value=choice) for choice in multiple]
        answers += [Answer(response=response, question=q["yes_no"], value=yes_no)]
        answers += [Answer(response=response, question=q["text"], value=text)] if text else []
        tallies_add(Answer.objects.bulk_create(answers))  # as the public page does


@pytest.fixture
def survey(convention):
    built = SurveyFactory(convention=convention, title="Satisfaction des familles")
    built.q = every_kind(built)
    respond(built, ANSWERS)
    return built


def bars(result) -> list[tuple[str, int, Decimal | None, float]]:
    return [(bar.label, bar.count, bar.share, bar.width) for bar in result.bars]


class TestAggregates:
    def test_exact_figures_per_question(self, survey, django_assert_num_queries):
        with django_assert_num_queries(2):
            scale, single, multiple, yes_no, text = question_results(survey)
        assert scale.respondents == 4
        assert bars(scale) == [
            ("1 – Pas du tout satisfait", 0, Decimal("0.0"), 0.0),
            ("2 – Peu satisfait", 1, Decimal("25.0"), 35.0),
            ("3 – Moyennement satisfait", 0, Decimal("0.0"), 0.0),
            ("4 – Satisfait", 2, Decimal("50.0"), 70.0),
            ("5 – Très satisfait", 1, Decimal("25.0"), 35.0),
        ]
        assert (scale.average, scale.high_count, scale.high_share) == (Decimal("3.75"), 3, Decimal("75.0"))
        assert (scale.average_text, scale.high_share_text) == ("3,75", "75\u202f%")
        assert bars(single) == [("Polangis", 3, Decimal("75.0"), 70.0), ("Palissy", 1, Decimal("25.0"), 23.33)]
        # A multiple choice counts the people who ticked each choice, out of those who answered the question.
        assert multiple.respondents == 2
        assert bars(multiple) == [
            ("Sorties", 2, Decimal("100.0"), 70.0),
            ("Sport", 1, Decimal("50.0"), 35.0),
            ("Arts", 0, Decimal("0.0"), 0.0),
        ]
        assert multiple.high_share is None and multiple.average is None
        assert bars(yes_no) == [("Oui", 3, Decimal("75.0"), 70.0), ("Non", 1, Decimal("25.0"), 23.33)]
        assert text.respondents == 3
        assert text.texts == ['=HYPERLINK("http://x")', "Plus de sorties", "Très bien"]  # the latest first
        assert text.bars == []

    def test_a_choice_removed_since_still_counts(self, survey):
        survey.q["single"].choices = "Polangis\nCentre"
        survey.q["single"].save(update_fields=["choices"])  # as the question's form saves it
        single = question_results(survey)[1]
        assert bars(single) == [
            ("Polangis", 3, Decimal("75.0"), 70.0),
            ("Centre", 0, Decimal("0.0"), 0.0),
            ("Palissy (choix retiré depuis)", 1, Decimal("25.0"), 23.33),
        ]

    def test_the_counts_kept_as_responses_arrive_are_those_of_the_answers(self, survey):
        kept = [(r.respondents, bars(r), r.texts) for r in question_results(survey)]
        tallies_rebuild(survey_ids=[survey.pk])
        assert [(r.respondents, bars(r), r.texts) for r in question_results(survey)] == kept

    def test_the_free_texts_shown_are_the_latest(self, survey):
        respond(survey, [("3", "Palissy", [], "Non", f"Texte {n}") for n in range(8)], start=timezone.now())
        text = question_results(survey)[4]
        assert text.respondents == 11
        assert text.texts == [f"Texte {n}" for n in range(7, 7 - TEXT_SAMPLE, -1)]
        assert text.more_texts == 11 - TEXT_SAMPLE

    def test_no_answer_yet(self, convention):
        empty = SurveyFactory(convention=convention)
        empty.q = every_kind(empty)
        scale = question_results(empty)[0]
        assert (scale.respondents, scale.average, scale.high_share) == (0, None, None)
        assert [bar.share for bar in scale.bars] == [None] * 5

    def test_states(self, convention):
        today = timezone.localdate()
        assert state_of(SurveyFactory(convention=convention)).label == "Ouverte"
        assert state_of(SurveyFactory(convention=convention, closed=True)).label == "Close"
        assert state_of(SurveyFactory(convention=convention, upcoming=True)).label == "À venir"
        last_day = SurveyFactory(convention=convention, opens_on=today, closes_on=today)
        assert state_of(last_day, today + timedelta(days=1)).label == "Close"


class TestResultsPage:
    def test_the_page_shows_figures_charts_and_texts(self, client_for, survey):
        html = client_for("elected").get(reverse("evaluation:survey_results", args=[survey.pk])).text
        assert "<strong>3,75</strong> sur 5" in html
        assert "<strong>75\u202f%</strong> (3 sur 4)" in html
        assert '<svg class="c-chart__svg" role="img"' in html
        assert "<desc id=" in html and "4 – Satisfait : 2 (50\u202f%)" in html
        assert '<th scope="row">Sorties</th><td class="is-number">2</td><td class="is-number">100\u202f%</td>' in html
        assert "Plus de sorties" in html
        assert 'width="70.0%"' in html  # SVG attributes are not localised
        # Only the coordination records a result in an indicator.
        assert "Reporter ce résultat dans un indicateur" not in html

    def test_queries_do_not_grow_with_the_responses(self, client_for, convention, django_assert_max_num_queries):
        built = SurveyFactory(convention=convention)
        built.q = every_kind(built)
        IndicatorFactory(action__objective__axis__convention=convention)
        respond(built, ANSWERS[:1])
        client = client_for("coordination")
        url = reverse("evaluation:survey_results", args=[built.pk])
        with django_assert_max_num_queries(12):
            client.get(url)
        respond(built, ANSWERS * 30, start=timezone.now() - timedelta(days=1))
        for order in range(6, 12):
            QuestionFactory(survey=built, order=order, kind="scale")
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.text.count("Reporter ce résultat dans un indicateur") == 1

    def test_all_the_free_texts_paginated(self, client_for, survey, django_assert_max_num_queries):
        respond(survey, [("3", "Palissy", [], "Non", f"Texte {n}") for n in range(30)], start=timezone.now())
        client = client_for("direction")
        url = reverse("evaluation:survey_text_answers", args=[survey.q["text"].pk])
        with django_assert_max_num_queries(8):
            first = client.get(url).text
        assert "33 réponses, les plus récentes d'abord · page 1 sur 2" in first
        assert "Texte 29" in first and "Très bien" not in first
        second = client.get(url, {"page": 2}).text
        assert '<ol class="c-survey-texts" start="26">' in second and "Très bien" in second
        not_text = reverse("evaluation:survey_text_answers", args=[survey.q["scale"].pk])
        assert client.get(not_text).status_code == 404


class TestExports:
    def test_csv(self, client_for, survey, django_assert_max_num_queries):
        client = client_for("direction")
        with django_assert_max_num_queries(8):
            response = client.get(reverse("evaluation:survey_export", args=[survey.pk, "csv"]))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == [
            "Réponse n°",
            "Reçue le",
            "Q1. Êtes-vous satisfait de l'accueil ?",
            "Q2. Quel centre ?",
            "Q3. Quelles activités ?",
            "Q4. Êtes-vous venu cet été ?",
            "Q5. Une remarque ?",
        ]
        assert len(rows) == 5
        assert rows[1][0] == "1" and rows[1][2:] == ["5", "Polangis", "Sorties | Sport", "Oui", "Très bien"]
        assert rows[2][2:] == ["4", "Palissy", "Sorties", "Non", ""]
        assert rows[4][6] == '\'=HYPERLINK("http://x")'  # never run as a formula
        first = Response.objects.filter(survey=survey).order_by("submitted_at").first()
        assert rows[1][1] == f"{timezone.localtime(first.submitted_at):%d/%m/%Y %H:%M}"

    def test_xlsx(self, client_for, survey):
        response = client_for("coordination").get(reverse("evaluation:survey_export", args=[survey.pk, "xlsx"]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[0][2] == "Q1. Êtes-vous satisfait de l'accueil ?"
        assert rows[1][2:] == [5, "Polangis", "Sorties | Sport", "Oui", "Très bien"]
        assert sheet.cell(row=5, column=7).data_type == "s"
        assert rows[4][6] == '=HYPERLINK("http://x")'

    def test_the_table_takes_three_queries(self, survey, django_assert_num_queries):
        with django_assert_num_queries(3):
            headers, rows = export_table(survey)
        assert len(rows) == 4

    def test_unknown_format(self, client_for, survey):
        assert client_for("coordination").get(f"/enquetes/{survey.pk}/export.pdf").status_code == 404


class TestRecordMeasurement:
    def post(self, client, survey, indicator, year=2025):
        question = survey.q["scale"]
        url = reverse("evaluation:survey_record_measurement", args=[question.pk])
        return client.post(url, {f"q{question.pk}-indicator": indicator.pk, f"q{question.pk}-year": year})

    @pytest.fixture
    def indicator(self, own_action, survey):
        survey.actions.add(own_action)  # a result feeds the indicators of the actions the survey evaluates
        return IndicatorFactory(action=own_action, code="SAT-ALSH", name="Familles satisfaites", unit="%", decimals=1)

    def test_only_the_indicators_of_the_evaluated_actions_are_offered(
        self, client_for, survey, indicator, other_action
    ):
        IndicatorFactory(action=other_action, code="NOT-EVALUATED")
        IndicatorFactory(action=None, convention=survey.convention, code="AXIS-LEVEL")
        response = client_for("coordination").get(reverse("evaluation:survey_results", args=[survey.pk]))
        assert "SAT-ALSH" in response.text
        assert "AXIS-LEVEL" in response.text
        assert "NOT-EVALUATED" not in response.text

    def test_the_share_of_4_and_5_becomes_the_value(self, client_for, survey, indicator, coordination):
        client = client_for("coordination")
        response = self.post(client, survey, indicator)
        assert response.status_code == 302
        assert (
            response.url == f"{reverse('evaluation:survey_results', args=[survey.pk])}#question-{survey.q['scale'].pk}"
        )
        measurement = Measurement.objects.get(indicator=indicator, year=2025, period="Y")
        assert measurement.value == Decimal("75.0")
        assert (measurement.provenance, measurement.author) == ("survey", coordination)
        assert measurement.comment.startswith("Enquête « Satisfaction des familles » : 4 réponses à «")
        [message] = [str(m) for m in get_messages(response.wsgi_request)]
        assert message == (
            "75 % enregistré pour « SAT-ALSH – Familles satisfaites » en 2025 "
            "(part des notes de 4 ou 5 sur 4 réponses)."
        )

    def test_an_existing_value_is_replaced_and_it_is_said(self, client_for, survey, indicator):
        MeasurementFactory(indicator=indicator, year=2025, value=Decimal("60"))
        response = self.post(client_for("coordination"), survey, indicator)
        assert Measurement.objects.get(indicator=indicator, year=2025).value == Decimal("75.0")
        [message] = [str(m) for m in get_messages(response.wsgi_request)]
        assert message.endswith("Cette valeur remplace 60 enregistrée auparavant (saisie).")

    def test_rounded_to_the_indicator_decimals(self, client_for, convention, own_action):
        survey = SurveyFactory(convention=convention)
        survey.q = every_kind(survey)
        respond(survey, [(score, "Polangis", [], "Oui", "") for score in ("5", "4", "1")])  # 2 of 3: 66,67 %
        survey.actions.add(own_action)
        indicator = IndicatorFactory(action=own_action, decimals=0)
        self.post(client_for("coordination"), survey, indicator)
        assert Measurement.objects.get(indicator=indicator).value == Decimal("67")

    def test_bounds_are_checked(self, client_for, survey, indicator):
        indicator.max_value = Decimal("50")
        indicator.save()
        response = self.post(client_for("coordination"), survey, indicator)
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "La valeur doit être inférieure ou égale à 50."
        ]
        assert not Measurement.objects.exists()

    def test_only_indicators_of_the_convention_and_no_context_one(self, client_for, survey, indicator):
        client = client_for("coordination")
        for other in (IndicatorFactory(), IndicatorFactory(action=None, context=True, convention=survey.convention)):
            response = self.post(client, survey, other)
            assert response.status_code == 200
            assert "Rien n'a été enregistré" in response.text
        assert not Measurement.objects.exists()

    def test_a_bad_year(self, client_for, survey, indicator):
        response = self.post(client_for("coordination"), survey, indicator, year=1789)
        assert response.status_code == 200
        assert "Année invalide." in response.text

    def test_nobody_answered(self, client_for, convention, indicator):
        empty = SurveyFactory(convention=convention)
        empty.q = every_kind(empty)
        empty.actions.add(indicator.action)
        response = self.post(client_for("coordination"), empty, indicator)
        assert [str(m) for m in get_messages(response.wsgi_request)] == [NO_ANSWER]
        assert not Measurement.objects.exists()

    def test_the_form_defaults_to_the_closing_year(self, client_for, survey, indicator):
        html = client_for("coordination").get(reverse("evaluation:survey_results", args=[survey.pk])).text
        assert f'name="q{survey.q["scale"].pk}-year" value="{survey.closes_on.year}"' in html
        assert f'<option value="{indicator.pk}">SAT-ALSH – Familles satisfaites (%)</option>' in html
