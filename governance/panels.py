"""The governance panels (`ctg.panels`): on the fiche action, the decisions about it and its « à discuter »
flag (two queries whatever the number of decisions); on the partner's page, the meetings its contacts
attended (two queries)."""

from django.utils import timezone

from actions.models import Action
from ctg.models import User
from governance.enums import AttendanceStatus
from governance.models import Decision, DiscussionRequest, Meeting
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


PARTNER_MEETINGS = 10  # the latest meetings named on a partner's page


def partner_meetings_panel(partner, user: User) -> dict:
    """The meetings at which one of the partner's contacts was present, the latest first."""
    attended = Meeting.objects.filter(
        attendances__contact__partner=partner, attendances__status=AttendanceStatus.PRESENT
    ).distinct()
    latest = attended.select_related("body").order_by("-date", "-pk")[:PARTNER_MEETINGS]
    return {"partner": partner, "meetings": list(latest), "total": attended.count()}
