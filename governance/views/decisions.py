"""The relevé de décisions of a convention, and marking a decision done (its owner or the coordination)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ctg.models import Convention
from ctg.views.helpers import convention_or_current, require
from governance.forms import people
from governance.models import Decision
from governance.perms import can_mark_decision
from governance.services import MARKED_DONE, MARKED_OPEN, decision_mark

PAGE_SIZE = 25
STATES = [("", "Toutes"), ("ouvertes", "Ouvertes"), ("en-retard", "En retard"), ("faites", "Faites")]


class DecisionFilterForm(forms.Form):
    """The list's filters: a GET form whose wrong values are ignored rather than refused."""

    etat = forms.ChoiceField(label="État", required=False, choices=STATES)
    responsable = forms.TypedChoiceField(label="Responsable", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].choices = [("", "Toutes les personnes")] + [
            (user.pk, str(user)) for user in people()
        ]

    def value(self, name: str):
        return self.cleaned_data.get(name) if self.is_valid() else None


def decisions_of(convention: Convention, today):
    return Decision.objects.filter(meeting__body__convention=convention).for_display(today)


@require_GET
def decision_list(request):
    """The decisions of a convention, filtered by state and owner; overdue first, then open by due date, done
    last; twenty-five a page."""
    convention = convention_or_current(request.GET.get("convention"))
    today = timezone.localdate()
    filters = DecisionFilterForm(request.GET)
    decisions = decisions_of(convention, today)
    state = filters.value("etat")
    if state == "ouvertes":
        decisions = decisions.open()
    elif state == "en-retard":
        decisions = decisions.overdue(today)
    elif state == "faites":
        decisions = decisions.filter(done=True)
    if (owner := filters.value("responsable")) is not None:
        decisions = decisions.filter(owner_id=owner)
    decisions = decisions.order_by("done", "-is_overdue", F("due_on").asc(nulls_last=True), "pk")
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "governance/decision_list.html" + ("#results" if request.htmx else "")
    return render(
        request,
        template,
        {"convention": convention, "filters": filters, "page": page, "query": query.urlencode(), "today": today},
    )


def _next_url(request, decision: Decision) -> str:
    url = request.POST.get("next", "")
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return f"{decision.meeting.get_absolute_url()}#decisions"


@require_POST
def decision_toggle(request, pk):
    """Mark a decision done (`done=1`) or open again (`done=0`): its owner or the coordination. htmx gets the
    decision's state back, a plain post is sent back where it came from."""
    decision = get_object_or_404(Decision, pk=pk)
    require(can_mark_decision(request.user, decision))
    done = request.POST.get("done") != "0"
    decision = decision_mark(decision=decision, by=request.user, done=done)
    message = MARKED_DONE if done else MARKED_OPEN
    if request.htmx:
        decision = Decision.objects.for_display().get(pk=decision.pk)
        return render(
            request,
            "governance/_decision_state.html",
            {"decision": decision, "state_message": message, "next": request.POST.get("next", "")},
        )
    messages.success(request, message)
    return redirect(_next_url(request, decision))


urlpatterns = [
    path("decisions/", decision_list, name="decision_list"),
    path("decisions/<int:pk>/faite/", decision_toggle, name="decision_toggle"),
]
