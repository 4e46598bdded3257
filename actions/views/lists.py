from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actions.filters import ActionFilter
from actions.models import Action, flag
from actions.perms import can_edit_action, can_update_action
from ctg.models import Convention
from ctg.views.helpers import convention_or_current, page_of

PAGE_SIZE = 25
# "Mes actions" is a to-do list, often read on a phone: ten cards at a time, the most urgent first. It also
# keeps the page as light with 600 actions as with the demo's 6 (each card costs about half a millisecond).
MINE_PAGE_SIZE = 10


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
    actions = filterset.qs
    page = page_of(actions, list(actions.values_list("pk", flat=True)), request.GET.get("page"), size=PAGE_SIZE)
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


# The cards that wait for a point d'étape (late or without news).
WAITING = flag(Q(late=True) | Q(without_news=True))


@require_GET
def my_actions(request):
    """The actions of the user's service, those needing an update (late, no news) first, ten per page: one query
    sorts them and tells which wait for a point d'étape, another reads the page's cards, whatever the number
    of actions."""
    service = request.user.service
    page, to_update = None, 0
    if service is not None:
        actions = Action.objects.active().piloted_by(service.pk).for_display()
        keys = actions.annotate(waiting=WAITING).order_by("-waiting", "code").values_list("pk", "waiting")
        to_update = sum(waiting for _, waiting in keys)
        page = page_of(actions, [key for key, _ in keys], request.GET.get("page"), size=MINE_PAGE_SIZE)
        mark_updatable(page.object_list, request.user)
    return render(
        request,
        "actions/my_actions.html",
        {"service": service, "page": page, "to_update": to_update, "card_next": request.get_full_path()},
    )
