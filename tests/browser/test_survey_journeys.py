"""Satisfaction surveys in Chromium, on the demo CTG: an inhabitant answers on a phone without an account,
with and without JavaScript; the coordination builds, reads the results and downloads the export."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from evaluation.models import Response, Survey
from tests.browser.conftest import assert_accessible, assert_no_reload, log_in, screenshot, set_reload_marker
from tests.browser.html_validator import validate
from tests.browser.test_standards import check_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
OPEN_SURVEY = "La ludothèque et son lieu d'accueil enfants-parents : votre avis"


def open_survey() -> Survey:
    return Survey.objects.get(title=OPEN_SURVEY)


def closed_survey() -> Survey:
    return Survey.objects.get(title__startswith="Satisfaction des familles – accueils de loisirs")


def assert_fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def answer_the_ludotheque_survey(page: Page) -> None:
    """Answer every question but the required yes/no, send, see the error, answer it, send again."""
    survey = open_survey()
    page.set_viewport_size(PHONE)
    page.goto(reverse("evaluation:survey_answer", args=[survey.token]))
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_SURVEY)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_text("Se déconnecter")).to_have_count(0)
    assert_fits_the_phone(page)
    assert_accessible(page, "public answer page")

    satisfaction = page.get_by_role("group", name=re.compile("Êtes-vous satisfait·e de l'accueil"))
    satisfaction.get_by_label("4 – Satisfait").check()
    page.get_by_role("group", name=re.compile("À quelle fréquence")).get_by_label("Chaque semaine").check()
    wanted = page.get_by_role("group", name=re.compile("Qu'êtes-vous venu·e chercher"))
    wanted.get_by_label("Jouer avec mon enfant").check()
    wanted.get_by_label("Emprunter des jeux").check()
    page.get_by_label(re.compile("Une idée, une remarque")).fill("Un créneau le mercredi matin, merci !")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    summary = page.locator(".c-form-errors")
    expect(summary).to_contain_text("1 question demande votre attention")
    laep = page.get_by_role("group", name=re.compile("Connaissez-vous le lieu d'accueil"))
    expect(laep).to_contain_text("Cette question est obligatoire : choisissez une réponse.")
    expect(satisfaction.get_by_label("4 – Satisfait")).to_be_checked()
    expect(page.get_by_label(re.compile("Une idée, une remarque"))).to_have_value(
        "Un créneau le mercredi matin, merci !"
    )
    assert_fits_the_phone(page)
    assert_accessible(page, "public answer page with an error")
    screenshot(page, "survey-0-phone-error")

    laep.get_by_label("Oui").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    expect(page).to_have_url(re.compile(rf"/e/{survey.token}/merci/$"))
    assert_accessible(page, "thank-you page")


def stored_answer_count() -> int:
    return Response.objects.filter(
        survey=open_survey(), answers__value="Un créneau le mercredi matin, merci !"
    ).count()


class TestInhabitantAnswers:
    def test_on_a_phone_with_javascript(self, page: Page):
        answer_the_ludotheque_survey(page)
        assert stored_answer_count() == 1
        screenshot(page, "survey-1-phone-thanks")

    def test_on_a_phone_without_javascript(self, no_js_page: Page):
        answer_the_ludotheque_survey(no_js_page)
        assert stored_answer_count() == 1
        screenshot(no_js_page, "survey-1-phone-without-javascript")


class TestCoordination:
    def test_reads_the_results_and_downloads_the_export(self, page: Page):
        log_in(page, "coordination")
        page.goto(reverse("evaluation:survey_list"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Enquêtes de satisfaction")
        assert_accessible(page, "survey list")
        survey = closed_survey()
        page.get_by_role("link", name=f"Résultats de l'enquête {survey.title}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Résultats : {survey.title}")
        figures = page.locator(".c-figures")
        expect(figures).to_contain_text("60 réponses reçues")
        overall = page.locator(".c-survey-result").first
        expect(overall.get_by_role("img", name=re.compile("Graphique : Dans l'ensemble"))).to_be_visible()
        overall.get_by_text("Données du graphique (tableau)").click()
        expect(overall.get_by_role("table")).to_contain_text("5 – Très satisfait")
        assert_accessible(page, "survey results")
        screenshot(page, "survey-2-results")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Exporter les réponses (CSV)").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        content = download.path().read_bytes()
        assert content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == 61
        assert rows[0][:3] == [
            "Réponse n°",
            "Reçue le",
            "Q1. Dans l'ensemble, êtes-vous satisfait·e de l'accueil de loisirs ?",
        ]

    def test_builds_a_question_and_moves_it_up(self, page: Page):
        log_in(page, "coordination")
        survey = open_survey()
        page.goto(survey.get_absolute_url())
        assert_accessible(page, "survey builder")
        set_reload_marker(page)
        form = page.locator("form[aria-labelledby='add-question-title']")
        form.get_by_role("textbox", name="Question", exact=True).fill("Recommanderiez-vous la ludothèque ?")
        form.get_by_role("combobox", name="Type", exact=True).select_option(label="Oui / non")
        form.get_by_role("button", name="Ajouter la question").click()
        expect(page.locator("#questions-status")).to_have_text(
            "Question ajoutée : « Recommanderiez-vous la ludothèque ? »."
        )
        added = page.locator(".c-survey-question").last
        expect(added).to_contain_text("Recommanderiez-vous la ludothèque ?")
        added.get_by_role("button", name="Monter la question 6").click()
        expect(page.locator("#questions-status")).to_have_text(
            "« Recommanderiez-vous la ludothèque ? » est la question 5 sur 6."
        )
        expect(page.get_by_role("button", name="Monter la question 5")).to_be_focused()
        assert_no_reload(page)
        assert_accessible(page, "survey builder after a move")
        screenshot(page, "survey-3-builder")
        assert list(survey.questions.values_list("text", flat=True))[4] == "Recommanderiez-vous la ludothèque ?"


def test_survey_pages_on_a_phone_with_headings_in_order_and_valid_html(page: Page, tmp_path: Path):
    """Every survey page at 390 px: no sideways scrolling, headings in order, valid HTML (W3C checker)."""
    page.set_viewport_size(PHONE)
    survey, closed = open_survey(), closed_survey()
    question = survey.questions.order_by("order").first()
    text_question = closed.questions.get(kind="text")
    problems: list[str] = []
    public = {
        "answer": reverse("evaluation:survey_answer", args=[survey.token]),
        "thanks": reverse("evaluation:survey_thanks", args=[survey.token]),
    }
    for name, url in public.items():
        check_page(page, url, f"public-{name}", tmp_path, problems)
    log_in(page, "coordination")
    pages = {
        "list": reverse("evaluation:survey_list"),
        "create": reverse("evaluation:survey_create"),
        "builder": survey.get_absolute_url(),
        "edit": reverse("evaluation:survey_edit", args=[survey.pk]),
        "delete": reverse("evaluation:survey_delete", args=[survey.pk]),
        "question-edit": reverse("evaluation:survey_question_edit", args=[question.pk]),
        "question-delete": reverse("evaluation:survey_question_delete", args=[question.pk]),
        "poster": reverse("evaluation:survey_poster", args=[survey.pk]),
        "results": reverse("evaluation:survey_results", args=[closed.pk]),
        "texts": reverse("evaluation:survey_text_answers", args=[text_question.pk]),
    }
    for name, url in pages.items():
        assert check_page(page, url, name, tmp_path, problems), name
    errors = [finding for finding in validate(sorted(tmp_path.glob("*.html"))) if finding.kind == "error"]
    problems += [str(error) for error in errors]
    assert not problems, "\n".join(problems)
