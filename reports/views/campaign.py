"""The bilan campaign page: what each service still owes for the bilan of a year, the reminders to send and
those already sent."""

from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ctg.models import Convention
from ctg.views.helpers import convention_or_current, query_int, require
from reports.dates import bilan_due_on, campaign_year
from reports.models import Reminder
from reports.perms import can_read_bilans, can_write_bilan
from reports.reminders import ReminderError, campaign_gaps, campaign_send_reminders, sent_message

TEMPLATE = "reports/campaign.html"


def _campaign_of(params) -> tuple[Convention, int]:
    """The convention and year asked for (`convention`, `year`), by default the current convention and the
    year whose bilan is being prepared; a year outside the convention is a 404."""
    convention = convention_or_current(params.get("convention"))
    year = query_int(params["year"]) if "year" in params else campaign_year()
    if year not in convention.years:
        raise Http404("Cette année n'est pas couverte par la convention.")
    return convention, year


def reminder_batches(convention: Convention, year: int) -> list[dict]:
    """The reminders of the campaign, newest first, grouped by sending (same minute, same sender): 1 query."""
    reminders = (
        Reminder.objects.filter(convention=convention, year=year)
        .select_related("service", "recipient", "sent_by")
        .order_by("-sent_at", "service__name")
    )

    def sending(reminder):
        return timezone.localtime(reminder.sent_at).replace(second=0, microsecond=0), reminder.sent_by_id

    batches = []
    for (sent_at, _), rows in groupby(reminders, key=sending):
        batch = sorted(rows, key=lambda reminder: reminder.service.name)
        batches.append({"sent_at": sent_at, "sent_by": batch[0].sent_by, "reminders": batch})
    return batches


def _history_context(convention: Convention, year: int) -> dict:
    return {"convention": convention, "year": year, "batches": reminder_batches(convention, year)}


@require_GET
def campaign(request):
    require(can_read_bilans(request.user))
    convention, year = _campaign_of(request.GET)
    gaps = campaign_gaps(convention, year, with_indicators=True)
    missing = [gap for gap in gaps if gap.is_missing]
    today = timezone.localdate()
    due_on = bilan_due_on(year)
    context = {
        **_history_context(convention, year),
        "years": convention.years,
        "due_on": due_on,
        "days_left": (due_on - today).days,
        "gaps": gaps,
        "missing_updates": sum(len(gap.actions) for gap in gaps),
        "missing_actuals": sum(len(gap.lines) for gap in gaps),
        "missing_values": sum(len(gap.indicators) for gap in gaps),
        "services_missing": len(missing),
        "to_remind": [gap for gap in missing if gap.can_be_reminded],
        "can_send": can_write_bilan(request.user),
    }
    return render(request, TEMPLATE, context)


@require_POST
def send_reminders(request):
    """Send the reminders of a campaign. With htmx, the history of reminders comes back with the message
    out of band; without JavaScript, back to the campaign page with the message."""
    require(can_write_bilan(request.user))
    convention, year = _campaign_of(request.POST)
    try:
        reminders = campaign_send_reminders(convention=convention, year=year, by=request.user)
    except ReminderError as error:
        if error.reminders:
            messages.success(request, sent_message(error.reminders))
        messages.error(request, error.message)
    else:
        messages.success(request, sent_message(reminders))
    if request.htmx:
        html = render_to_string(f"{TEMPLATE}#history", _history_context(convention, year), request)
        html += render_to_string("_messages.html", {"oob": True}, request)
        return HttpResponse(html)
    return redirect(f"{reverse('reports:campaign')}?convention={convention.pk}&year={year}")
