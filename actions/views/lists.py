from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actions.filters import ActionFilter
from actions.models import Action
from actions.perms import can_edit_action, can_update_action
from ctg.models import Convention
from ctg.views.helpers import convention_or_current

PAGE_SIZE = 25


def _convention_from(request) -> Convention:
    return convention_or_current(request.GET.get("convention"))


def mark_updatable(actions, user):
    """Tell each row whether the user may record a point d'étape on it (no query)."""
    for action in actions:
        action.updatable = can_update_action(user, action)
    return actions


@require_GET
def action_list(request):
    convention = _convention_from(request)
    filterset = ActionFilter(
        request.GET,
        queryset=Action.objects.of_convention(convention).for_display(),
        convention=convention,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    mark_updatable(page.object_list, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    template = "actions/action_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {
            "convention": convention,
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_create": can_edit_action(request.user),
            "card_next": request.get_full_path(),
        },
    )


@require_GET
def my_actions(request):
    """The actions of the user's service, those needing an update (late, no news) first."""
    service = request.user.service
    actions = []
    if service is not None:
        actions = list(Action.objects.active().piloted_by(service.pk).for_display().order_by("code"))
        actions.sort(key=lambda action: not action.needs_update)
        mark_updatable(actions, request.user)
    return render(
        request,
        "actions/my_actions.html",
        {
            "service": service,
            "actions": actions,
            "to_update": sum(action.needs_update for action in actions),
            "card_next": request.get_full_path(),
        },
    )
