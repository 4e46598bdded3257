"""The fiche action's governance panel (`actions.panels`): the decisions about the action, and its « à discuter »
flag. Two queries whatever the number of decisions."""

from django.utils import timezone

from actions.models import Action
from ctg.models import User
from governance.models import Decision, DiscussionRequest
from governance.perms import can_flag_for_discussion


def action_governance_panel(action: Action, user: User) -> dict:
    decisions = (
        Decision.objects.about(action)
        .for_display(timezone.localdate())
        .order_by("done", "-is_overdue", "-meeting__date", "pk")
    )
    return {
        "action": action,
        "decisions": list(decisions),
        "to_discuss": DiscussionRequest.objects.filter(action=action).exists(),
        "can_flag": can_flag_for_discussion(user, action),
    }
