"""What leaves the application: the iCalendar feeds of the meetings, the printable convocation and compte rendu."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from ctg.views.helpers import convention_or_current
from governance import ical
from governance.models import AgendaItem, Body, Meeting
from governance.perms import can_see_contact_details
from governance.views.meetings import get_meeting


def _feed(request, meetings, name: str, filename: str) -> HttpResponse:
    meetings = meetings.select_related("body").prefetch_related(
        Prefetch("agenda_items", AgendaItem.objects.order_by("order", "pk"))
    )
    body = ical.calendar(
        meetings.order_by("date", "start_time", "pk"),
        name,
        lambda meeting: request.build_absolute_uri(meeting.get_absolute_url()),
    )
    return HttpResponse(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@require_GET
def ical_feed(request):
    """Every meeting of the convention's bodies."""
    convention = convention_or_current(request.GET.get("convention"))
    meetings = Meeting.objects.filter(body__convention=convention)
    return _feed(request, meetings, f"Instances – {convention.name}", "reunions.ics")


@require_GET
def body_ical_feed(request, pk):
    body = get_object_or_404(Body, pk=pk)
    return _feed(request, body.meetings.all(), f"{body.name} – {body.convention.name}", f"instance-{body.pk}.ics")


def _print_context(request, meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "body": meeting.body,
        "agenda": meeting.agenda_items.select_related("action"),
        "attendances": meeting.attendances.select_related("user__service", "contact__partner"),
        "decisions": meeting.decisions.for_display(),
        "show_contact_details": can_see_contact_details(request.user),
        "printed_on": timezone.localdate(),
    }


@require_GET
def meeting_convocation(request, pk):
    meeting = get_meeting(pk)
    return render(request, "governance/print_convocation.html", _print_context(request, meeting))


@require_GET
def meeting_report(request, pk):
    meeting = get_meeting(pk)
    return render(request, "governance/print_report.html", _print_context(request, meeting))


urlpatterns = [
    path("reunions.ics", ical_feed, name="ical"),
    path("<int:pk>/reunions.ics", body_ical_feed, name="body_ical"),
    path("reunions/<int:pk>/convocation/", meeting_convocation, name="meeting_convocation"),
    path("reunions/<int:pk>/compte-rendu/", meeting_report, name="meeting_report"),
]
