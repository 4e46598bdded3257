"""An indicator's attachment and status as the tables show them, written in Python: these filters run once per
row of long tables (the indicators' list, the entry grid), where an `{% include %}` costs several times more."""

from django import template
from django.utils.html import format_html

from evaluation.models import Indicator
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
