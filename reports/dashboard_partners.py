"""The network on the steering dashboard: the convention's next meetings, its overdue decisions and the partners'
agreements to renew within the configured horizon (`network_dashboard`, shown by the partial
"reports/_dashboard_partners.html").

Three queries whatever the number of meetings, decisions and agreements: each list is cut to its first rows by the
database, which counts the whole set in the same query with a window function. Only users (a decision's owner) and
organisations (a partner) are named: contacts are personal data and never reach the dashboard.
"""

from dataclasses import dataclass
from datetime import date, time
from urllib.parse import urlencode

from django.db.models import Count, F, Window
from django.urls import reverse

from ctg.models import Convention
from governance.models import Decision, Meeting
from partners.models import Agreement, renewal_horizon_days

SHOWN = 5  # rows named in each list; the count links to all of them


def list_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


@dataclass(frozen=True)
class UpcomingMeeting:
    body: str
    kind: str
    date: date
    start_time: time
    place: str
    mode: str
    url: str


@dataclass(frozen=True)
class OverdueDecision:
    text: str
    owner: str
    due_on: date
    body: str
    meeting_date: date
    url: str  # the meeting's relevé de décisions


@dataclass(frozen=True)
class AgreementToRenew:
    title: str
    partner: str
    kind: str
    end_date: date
    notice_deadline: date
    url: str


@dataclass(frozen=True)
class NetworkDashboard:
    meetings: list[UpcomingMeeting]  # the next planned meetings, soonest first
    bodies_url: str
    overdue: list[OverdueDecision]  # the first overdue decisions, oldest due date first
    overdue_total: int
    overdue_url: str  # the relevé de décisions filtered on "en retard"
    renewals: list[AgreementToRenew]  # the first agreements to renew, soonest end first
    renewals_total: int
    renewals_url: str  # the agreements filtered on "à renouveler"
    horizon: int  # days

    @property
    def overdue_more(self) -> int:
        return self.overdue_total - len(self.overdue)

    @property
    def renewals_more(self) -> int:
        return self.renewals_total - len(self.renewals)


def upcoming_meetings(convention: Convention, today: date) -> list[UpcomingMeeting]:
    """The next `SHOWN` planned meetings of the convention's bodies, from today on (1 query)."""
    meetings = (
        Meeting.objects.upcoming(today)
        .filter(body__convention=convention)
        .select_related("body")
        .order_by("date", "start_time", "pk")[:SHOWN]
    )
    return [
        UpcomingMeeting(
            body=meeting.body.name,
            kind=meeting.body.get_kind_display(),
            date=meeting.date,
            start_time=meeting.start_time,
            place=meeting.place,
            mode=meeting.get_mode_display(),
            url=meeting.get_absolute_url(),
        )
        for meeting in meetings
    ]


def overdue_decisions(convention: Convention, today: date) -> tuple[list[OverdueDecision], int]:
    """The first `SHOWN` overdue decisions of the convention (`DecisionQuerySet.overdue`, the one rule) and how
    many there are (1 query)."""
    rows = list(
        Decision.objects.filter(meeting__body__convention=convention)
        .overdue(today)
        .select_related("meeting__body", "owner")
        .annotate(total=Window(Count("pk")))
        .order_by("due_on", "pk")[:SHOWN]
    )
    decisions = [
        OverdueDecision(
            text=str(decision),
            owner=str(decision.owner),
            due_on=decision.due_on,
            body=decision.meeting.body.name,
            meeting_date=decision.meeting.date,
            url=f"{decision.meeting.get_absolute_url()}#decisions",
        )
        for decision in rows
    ]
    return decisions, rows[0].total if rows else 0


def agreements_to_renew(today: date, horizon: int) -> tuple[list[AgreementToRenew], int]:
    """The first `SHOWN` agreements to renew within `horizon` days (`AgreementQuerySet.to_renew`, the one rule)
    and how many there are (1 query)."""
    rows = list(
        Agreement.objects.to_renew(today, horizon)
        .select_related("partner")
        .annotate(total=Window(Count("pk")))
        .order_by(F("end_date").asc(), "title", "pk")[:SHOWN]
    )
    agreements = [
        AgreementToRenew(
            title=agreement.title,
            partner=agreement.partner.name,
            kind=agreement.get_kind_display(),
            end_date=agreement.end_date,
            notice_deadline=agreement.notice_deadline,
            url=agreement.get_absolute_url(),
        )
        for agreement in rows
    ]
    return agreements, rows[0].total if rows else 0


def network_dashboard(convention: Convention, today: date) -> NetworkDashboard:
    """The dashboard's block on meetings, decisions and agreements (3 queries)."""
    horizon = renewal_horizon_days()
    overdue, overdue_total = overdue_decisions(convention, today)
    renewals, renewals_total = agreements_to_renew(today, horizon)
    return NetworkDashboard(
        meetings=upcoming_meetings(convention, today),
        bodies_url=list_url("governance:body_list", convention=convention.pk),
        overdue=overdue,
        overdue_total=overdue_total,
        overdue_url=list_url("governance:decision_list", convention=convention.pk, etat="en-retard"),
        renewals=renewals,
        renewals_total=renewals_total,
        renewals_url=list_url("partners:agreement_list", a_renouveler="on"),
        horizon=horizon,
    )
