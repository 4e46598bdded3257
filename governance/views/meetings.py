"""A meeting's page and what the coordination does on it: agenda (by hand or prefilled in one click),
invitations and attendance, decisions. Each write answers htmx with its region of the page, and a plain form
post with a redirect (or the page again, with the form's errors)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ctg.views.helpers import SAVED, form_page, post_data, require, save_form
from governance.forms import AgendaItemForm, AttachmentForm, AttendanceForm, DecisionForm, MeetingForm
from governance.models import AgendaItem, Body, Decision, Meeting
from governance.perms import can_manage_governance, can_see_contact_details
from governance.services import (
    ATTENDANCE_SAVED,
    MEETING_GONE,
    GovernanceError,
    MeetingGone,
    agenda_prefill,
    attendance_invite_members,
    attendance_record,
    invite_message,
    meeting_lock,
    prefill_message,
)

get_or_post = require_http_methods(["GET", "POST"])


def get_meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("body__convention"), pk=pk)


def meeting_context(request, meeting: Meeting, **extra) -> dict:
    """Everything the meeting's page and its regions show: a fixed number of queries."""
    can_manage = can_manage_governance(request.user)
    convention = meeting.body.convention
    attendances = list(meeting.attendances.select_related("user__service", "contact__partner"))
    context = {
        "meeting": meeting,
        "body": meeting.body,
        "agenda": meeting.agenda_items.select_related("action"),
        "attendances": attendances,
        "decisions": meeting.decisions.for_display(),
        "attachments": meeting.attachments.select_related("uploaded_by"),
        "can_manage": can_manage,
        "show_contact_details": can_see_contact_details(request.user),
    }
    if can_manage:
        context |= {
            "agenda_form": AgendaItemForm(convention=convention),
            "attendance_form": AttendanceForm(attendances=attendances),
            "decision_form": DecisionForm(convention=convention),
            "attachment_form": AttachmentForm(),
        }
    return context | extra


def answer(request, meeting: Meeting, region: str, message: str = "", **forms):
    """After a write: htmx gets the region again (with the message, or the form's errors); a plain post is sent
    back to the region, or shown the page with the form's errors."""
    failed = bool(forms)
    if request.htmx:
        context = meeting_context(request, meeting, region_message=message, message_region=region, **forms)
        return render(request, f"governance/meeting_detail.html#{region}", context)
    if failed:
        return render(request, "governance/meeting_detail.html", meeting_context(request, meeting, **forms))
    if message:
        messages.success(request, message)
    return redirect(f"{meeting.get_absolute_url()}#{region}")


def meeting_gone(request, meeting: Meeting, message: str):
    """The meeting was deleted while this write waited for it: say so on its body's page."""
    messages.error(request, message)
    url = meeting.body.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def meeting_detail(request, pk):
    meeting = get_meeting(pk)
    return render(request, "governance/meeting_detail.html", meeting_context(request, meeting))


def _meeting_form(request, form: MeetingForm, title: str, cancel_url: str):
    return form_page(
        request,
        form,
        title=title,
        success_url=lambda meeting: meeting.get_absolute_url(),
        cancel_url=cancel_url,
        success_message=SAVED,
    )


@get_or_post
def meeting_create(request, pk):
    require(can_manage_governance(request.user))
    body = get_object_or_404(Body, pk=pk)
    form = MeetingForm(post_data(request), instance=Meeting(body=body))
    return _meeting_form(request, form, f"Nouvelle réunion – {body}", body.get_absolute_url())


@get_or_post
def meeting_edit(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    form = MeetingForm(post_data(request), instance=meeting)
    return _meeting_form(request, form, f"Modifier la réunion « {meeting} »", meeting.get_absolute_url())


@require_POST
def agenda_add(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    if not meeting_lock(meeting.pk):
        return meeting_gone(request, meeting, MEETING_GONE)
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    form = AgendaItemForm(
        request.POST, instance=AgendaItem(meeting=meeting, order=last + 1), convention=meeting.body.convention
    )
    if form.is_valid() and (item := save_form(form)) is not None:
        return answer(request, meeting, "agenda", f"Point ajouté : « {item} ».")
    return answer(request, meeting, "agenda", agenda_form=form)


@require_POST
def agenda_delete(request, pk):
    require(can_manage_governance(request.user))
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__body__convention"), pk=pk)
    AgendaItem.objects.filter(pk=item.pk).delete()
    return answer(request, item.meeting, "agenda", f"Point retiré : « {item} ».")


@require_POST
def agenda_prefill_view(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    try:
        count = agenda_prefill(meeting=meeting, by=request.user)
    except MeetingGone as error:
        return meeting_gone(request, meeting, str(error))
    except GovernanceError as error:
        return answer(request, meeting, "agenda", str(error))
    return answer(request, meeting, "agenda", prefill_message(count))


@require_POST
def invite_members(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    try:
        count = attendance_invite_members(meeting=meeting, by=request.user)
    except MeetingGone as error:
        return meeting_gone(request, meeting, str(error))
    return answer(request, meeting, "attendance", invite_message(count))


@require_POST
def attendance(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    form = AttendanceForm(request.POST, attendances=list(meeting.attendances.select_related("user", "contact")))
    if form.is_valid():
        try:
            attendance_record(meeting=meeting, statuses=form.statuses(), by=request.user)
        except MeetingGone as error:
            return meeting_gone(request, meeting, str(error))
        except GovernanceError as error:
            form.add_error(None, str(error))
        else:
            return answer(request, meeting, "attendance", ATTENDANCE_SAVED)
    return answer(request, meeting, "attendance", attendance_form=form)


@require_POST
def decision_add(request, pk):
    require(can_manage_governance(request.user))
    meeting = get_meeting(pk)
    if not meeting_lock(meeting.pk):
        return meeting_gone(request, meeting, MEETING_GONE)
    form = DecisionForm(request.POST, instance=Decision(meeting=meeting), convention=meeting.body.convention)
    if form.is_valid() and (decision := save_form(form)) is not None:
        return answer(request, meeting, "decisions", f"Décision enregistrée : « {decision} ».")
    return answer(request, meeting, "decisions", decision_form=form)


@get_or_post
def decision_edit(request, pk):
    require(can_manage_governance(request.user))
    decision = get_object_or_404(Decision.objects.select_related("meeting__body__convention"), pk=pk)
    if request.method == "POST":
        # The meeting first, as its deletion does (`governance.services.meeting_delete`): the decision and the
        # actions linked to it are then saved before the meeting goes, or not at all.
        meeting_lock(decision.meeting_id)
    form = DecisionForm(post_data(request), instance=decision, convention=decision.meeting.body.convention)
    url = f"{decision.meeting.get_absolute_url()}#decisions"
    return form_page(
        request,
        form,
        title="Modifier la décision",
        success_url=lambda decision: url,
        cancel_url=url,
        success_message=SAVED,
    )


urlpatterns = [
    path("<int:pk>/reunions/nouvelle/", meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("reunions/<int:pk>/modifier/", meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/ordre-du-jour/ajouter/", agenda_add, name="agenda_add"),
    path("reunions/<int:pk>/ordre-du-jour/preremplir/", agenda_prefill_view, name="agenda_prefill"),
    path("ordre-du-jour/<int:pk>/retirer/", agenda_delete, name="agenda_delete"),
    path("reunions/<int:pk>/inviter/", invite_members, name="invite_members"),
    path("reunions/<int:pk>/presences/", attendance, name="attendance"),
    path("reunions/<int:pk>/decisions/ajouter/", decision_add, name="decision_add"),
    path("decisions/<int:pk>/modifier/", decision_edit, name="decision_edit"),
]
