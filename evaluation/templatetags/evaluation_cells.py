"""The cells of the evaluation tables – an indicator's attachment and status, a rating, a recommendation – written
in Python: these filters run for every row of a page (the indicators' list, the entry grid, the evaluations'
grid), where an `{% include %}` costs several times more."""

from django import template
from django.utils.html import format_html

from evaluation.models import Assessment, Indicator
from evaluation.selectors import YearFigures

register = template.Library()


@register.filter
def attachment(indicator: Indicator) -> str:
    """What `indicator` is attached to: a link to its action, else its objective's or axis's code, else "CTG"
    (its action, objective and axis read with `select_related`)."""
    if indicator.action_id:
        action = indicator.action
        return format_html('<a href="{}">Action {}</a>', action.get_absolute_url(), action.code)
    if indicator.objective_id:
        return format_html("Objectif {}", indicator.objective.code)
    if indicator.axis_id:
        return format_html("Axe {}", indicator.axis.code)
    return "CTG"


@register.filter
def status_badge(figures: YearFigures) -> str:
    """The status of the year in words; its colour only repeats it."""
    return format_html('<span class="c-badge c-badge--{}">{}</span>', figures.badge, figures.status_label)


@register.filter
def rating(cell: dict, compact: str = "") -> str:
    """One rating (see `evaluation.views.assessments.rating_cell`): as many filled dots as points out of four and
    its words, so that the colour is never the only cue; `compact`, the dots only (the words for screen readers
    and on hover)."""
    if not cell["value"]:
        words = format_html('<span aria-hidden="true">–</span><span class="u-visually-hidden">{}</span>', cell["text"])
        return format_html('<span class="c-rating c-rating--none">{}</span>', words if compact else cell["text"])
    return format_html(
        '<span class="c-rating c-rating--{}{}"{}><span class="c-rating__dots" aria-hidden="true">{}</span> '
        '<span class="c-rating__text{}">{}</span></span>',
        cell["value"],
        " c-rating--compact" if compact else "",
        format_html(' title="{}"', cell["text"]) if compact else "",
        cell["dots"],
        " u-visually-hidden" if compact else "",
        cell["text"],
    )


@register.filter
def recommendation(assessment: Assessment) -> str:
    """The recommendation of an assessment, or that it has none yet."""
    if not assessment.recommendation:
        return format_html('<span class="u-muted">{}</span>', "Pas encore de recommandation")
    return format_html(
        '<span class="c-reco c-reco--{}">{}</span>', assessment.recommendation, assessment.get_recommendation_display()
    )
