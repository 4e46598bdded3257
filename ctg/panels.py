"""Panels that higher apps add to the pages of lower ones, without the lower apps importing them: the fiche
action shows its indicators (evaluation) and the decisions about it (governance), the partner the meetings
its contacts attended (governance).

An app registers a `Panel` for a page ("action", "partner") from its `AppConfig.ready()`: a template, and a
function that gives its context for the page's object and the user reading it (None: nothing to show). The
page's view passes `partial(render_panels, page, obj, user)` to its template, which includes each panel's
template with `panel` = that context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model

from ctg.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Model, User], dict | None]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict


PANELS: dict[str, list[Panel]] = {}


def register(page: str, panel: Panel) -> None:
    """Add `panel` to `page` once (an app's `ready()` may run more than once)."""
    panels = PANELS.setdefault(page, [])
    if panel not in panels:
        panels.append(panel)


def render_panels(page: str, obj: Model, user: User) -> list[RenderedPanel]:
    """The panels registered for `page` with their context for `obj` and `user`, in registration order; those
    whose context function returns None are left out."""
    return [
        RenderedPanel(panel.template, context)
        for panel in PANELS.get(page, [])
        if (context := panel.context(obj, user)) is not None
    ]
