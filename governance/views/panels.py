"""The « à discuter » flag set from the fiche action's governance panel."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from actions.models import Action
from ctg.views.helpers import require
from governance.panels import action_governance_panel
from governance.perms import can_flag_for_discussion
from governance.services import FLAGGED, UNFLAGGED, action_flag_for_discussion


@require_POST
def action_discuss(request, pk):
    action = get_object_or_404(Action.objects.select_related("convention"), pk=pk)
    require(can_flag_for_discussion(request.user, action))
    flagged = request.POST.get("flag") != "0"
    action_flag_for_discussion(action=action, by=request.user, flagged=flagged)
    message = FLAGGED if flagged else UNFLAGGED
    if request.htmx:
        context = {"panel": action_governance_panel(action, request.user), "panel_message": message}
        return render(request, "governance/_action_panel.html", context)
    messages.success(request, message)
    return redirect(f"{action.get_absolute_url()}#governance")


urlpatterns = [path("actions/<int:pk>/a-discuter/", action_discuss, name="action_discuss")]
