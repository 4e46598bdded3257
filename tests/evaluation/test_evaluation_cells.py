"""The cells the evaluation tables share, written by template filters: what a screen reader and a sighted reader
get of a rating and a recommendation."""

from evaluation.enums import Recommendation
from evaluation.templatetags.evaluation_cells import attachment, rating, recommendation
from evaluation.views.assessments import NOT_RATED, rating_cell
from tests.evaluation.factories import AssessmentFactory, IndicatorFactory


def test_a_rating_shows_its_dots_and_words():
    assert rating(rating_cell("Pertinence", 3)) == (
        '<span class="c-rating c-rating--3"><span class="c-rating__dots" aria-hidden="true">●●●○</span> '
        '<span class="c-rating__text">Satisfaisant</span></span>'
    )


def test_a_compact_rating_keeps_its_words_for_screen_readers_and_on_hover():
    assert rating(rating_cell("Pertinence", 1), "compact") == (
        '<span class="c-rating c-rating--1 c-rating--compact" title="Insatisfaisant"><span class="c-rating__dots" '
        'aria-hidden="true">●○○○</span> <span class="c-rating__text u-visually-hidden">Insatisfaisant</span></span>'
    )


def test_a_missing_rating_says_so():
    assert rating(rating_cell("Impact", None)) == f'<span class="c-rating c-rating--none">{NOT_RATED}</span>'
    assert rating(rating_cell("Impact", None), "compact") == (
        '<span class="c-rating c-rating--none"><span aria-hidden="true">–</span>'
        f'<span class="u-visually-hidden">{NOT_RATED}</span></span>'
    )


def test_a_recommendation_or_none_yet(db):
    assessment = AssessmentFactory.build(recommendation=Recommendation.ADAPT)
    assert recommendation(assessment) == '<span class="c-reco c-reco--adapt">Adapter</span>'
    assessment.recommendation = ""
    assert recommendation(assessment) == '<span class="u-muted">Pas encore de recommandation</span>'


def test_what_an_indicator_is_attached_to(db):
    on_action = IndicatorFactory()
    action = on_action.action
    assert attachment(on_action) == f'<a href="{action.get_absolute_url()}">Action {action.code}</a>'
    on_objective = IndicatorFactory(action=None, objective=action.objective)
    assert attachment(on_objective) == f"Objectif {action.objective.code}"
    on_axis = IndicatorFactory(action=None, axis=action.objective.axis)
    assert attachment(on_axis) == f"Axe {action.objective.axis.code}"
    assert attachment(IndicatorFactory(action=None, convention=action.convention)) == "CTG"
