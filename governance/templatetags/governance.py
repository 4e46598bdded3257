from django import template
from django.db.models import F
from django.utils import timezone

from ctg.models import User
from governance.models import Decision
from governance.perms import can_mark_decision

register = template.Library()

MINE_LIMIT = 10


@register.filter
def markable_by(decision: Decision, user: User) -> bool:
    return can_mark_decision(user, decision)


@register.inclusion_tag("governance/_my_decisions.html", takes_context=True)
def my_decisions(context):
    """The open decisions the signed-in user owns, overdue first then by due date: one query, at most ten shown
    with a link to all of them."""
    user = context["request"].user
    today = timezone.localdate()
    decisions = list(
        Decision.objects.filter(owner=user, done=False)
        .for_display(today)
        .order_by("-is_overdue", F("due_on").asc(nulls_last=True), "pk")[: MINE_LIMIT + 1]
    )
    return {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "decisions": decisions[:MINE_LIMIT],
        "more": len(decisions) > MINE_LIMIT,
    }
