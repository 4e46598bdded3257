"""Panels that higher apps add to the fiche action's page, without the actions app importing them.

An app registers a `Panel` from its `AppConfig.ready()`: a template, and a function that gives its context
for an action and the user reading it (None: nothing to show). The detail view passes `render_panels(action,
user)` to its template, which includes each panel's template with `panel` = that context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from actions.models import Action
from ctg.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Action, User], dict | None]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict


PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    """Add `panel` once (an app's `ready()` may run more than once)."""
    if panel not in PANELS:
        PANELS.append(panel)


def render_panels(action: Action, user: User) -> list[RenderedPanel]:
    """The registered panels with their context for `action` and `user`, in registration order; those whose
    context function returns None are left out."""
    return [
        RenderedPanel(panel.template, context)
        for panel in PANELS
        if (context := panel.context(action, user)) is not None
    ]
