"""What the governance and the partners bring to the bilan annuel (domain.md §5): the bodies that met in N with
their attendance and the follow-up of their decisions (section 3), the coordination's own activity of N prefilled
from the data (section 6) and the annex of the minutes of N (section 9).

`GovernanceData` reads each set of rows once for the convention – the meetings of N with their attendance counted
by the database, the decisions of the meetings held in N, the partners whose contacts attended, the agreements
that started in N – so the bilan's query count does not grow with the meetings. Contacts are personal data: the
bilan counts who attended and from how many partners, never naming a contact.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from ctg.models import Convention
from governance.enums import AttendanceStatus, BodyKind, MeetingStatus
from governance.models import Attendance, Body, Decision, Meeting
from partners.models import Agreement

if TYPE_CHECKING:
    from reports.bilan import BilanSource

KIND_ORDER = {kind.value: index for index, kind in enumerate(BodyKind)}


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """3 → "3 réunions"; 0 and 1 take the singular, as in French."""
    return f"{count} {singular if count <= 1 else plural or singular + 's'}"


@dataclass(frozen=True)
class FollowUp:
    """The decisions of the meetings held in N as they stand on `on`: done, still open, overdue (open and past
    their due date, `DecisionQuerySet.with_overdue`)."""

    on: date
    total: int
    done: int
    overdue: int

    @property
    def open(self) -> int:
        """Open and not overdue."""
        return self.total - self.done - self.overdue


@dataclass(frozen=True)
class BodyYear:
    """One body that met in N: its meetings held in N and the attendance summed over them."""

    body: Body
    meetings: list[Meeting]
    present: int
    excused: int
    absent: int
    decisions: int


@dataclass(frozen=True)
class KindActivity:
    label: str
    bodies: int
    meetings: int


@dataclass(frozen=True)
class CoordinationActivity:
    summary: str
    meetings: int
    kinds: list[KindActivity]
    bodies: list[Body]  # the bodies animated in N, by kind then name
    partners: int
    agreements: list[Agreement] = field(default_factory=list)


class GovernanceData:
    """The governance rows of one convention as the bilan of `year` reads them, each loaded once; the decisions'
    follow-up is read on `today`."""

    def __init__(self, convention: Convention, year: int, today: date):
        self.convention = convention
        self.year = year
        self.today = today

    @cached_property
    def meetings(self) -> list[Meeting]:
        """The meetings of N not cancelled (held, or planned and not yet marked held), oldest first, each with its
        `present`, `excused` and `absent` counts (1 query)."""

        def attendance(status: str) -> Count:
            return Count("attendances", filter=Q(attendances__status=status))

        return list(
            Meeting.objects.filter(body__convention=self.convention, date__year=self.year)
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("body")
            .annotate(
                present=attendance(AttendanceStatus.PRESENT),
                excused=attendance(AttendanceStatus.EXCUSED),
                absent=attendance(AttendanceStatus.ABSENT),
            )
            .order_by("date", "start_time", "pk")
        )

    @cached_property
    def held(self) -> list[Meeting]:
        """The meetings held in N, each with `decisions_of_year`: its decisions (owner, `is_overdue`)."""
        held = [meeting for meeting in self.meetings if meeting.status == MeetingStatus.HELD]
        by_meeting: dict[int, list[Decision]] = defaultdict(list)
        for decision in self.decisions:
            by_meeting[decision.meeting_id].append(decision)
        for meeting in held:
            meeting.decisions_of_year = by_meeting.get(meeting.pk, [])
        return held

    @cached_property
    def decisions(self) -> list[Decision]:
        """The decisions taken at the meetings held in N, in the order they were recorded (1 query)."""
        if not any(meeting.status == MeetingStatus.HELD for meeting in self.meetings):
            return []
        return list(
            Decision.objects.filter(
                meeting__body__convention=self.convention,
                meeting__date__year=self.year,
                meeting__status=MeetingStatus.HELD,
            )
            .select_related("owner")
            .with_overdue(self.today)
            .order_by("pk")
        )

    @cached_property
    def partners_involved(self) -> int:
        """How many partners had a contact present at a meeting held in N (1 query)."""
        if not any(meeting.status == MeetingStatus.HELD for meeting in self.meetings):
            return 0
        return (
            Attendance.objects.filter(
                meeting__body__convention=self.convention,
                meeting__date__year=self.year,
                meeting__status=MeetingStatus.HELD,
                status=AttendanceStatus.PRESENT,
                contact__isnull=False,
            )
            .values("contact__partner")
            .distinct()
            .count()
        )

    @cached_property
    def agreements(self) -> list[Agreement]:
        """The agreements with partners that started in N: signed or renewed that year (1 query)."""
        return list(
            Agreement.objects.filter(start_date__year=self.year)
            .select_related("partner")
            .order_by("start_date", "title", "pk")
        )

    def follow_up(self) -> FollowUp:
        decisions = self.decisions
        return FollowUp(
            on=self.today,
            total=len(decisions),
            done=sum(decision.done for decision in decisions),
            overdue=sum(decision.is_overdue for decision in decisions),
        )


def by_body(meetings: list[Meeting]) -> dict[Body, list[Meeting]]:
    """The meetings grouped by body, bodies by kind (COPIL first) then name."""
    groups: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        groups[meeting.body_id].append(meeting)
    bodies = sorted(
        {meeting.body_id: meeting.body for meeting in meetings}.values(),
        key=lambda body: (KIND_ORDER.get(body.kind, len(KIND_ORDER)), body.name.casefold(), body.pk),
    )
    return {body: groups[body.pk] for body in bodies}


# --- Sections -------------------------------------------------------------------------------------------


def build_governance(source: "BilanSource") -> dict | None:
    """Section 3: the bodies that met in N, the dates and attendance of their meetings, the decisions taken in N
    and where they stand; left out when no meeting was held in N."""
    data = source.governance
    held = data.held
    if not held:
        return None
    bodies = [
        BodyYear(
            body=body,
            meetings=meetings,
            present=sum(meeting.present for meeting in meetings),
            excused=sum(meeting.excused for meeting in meetings),
            absent=sum(meeting.absent for meeting in meetings),
            decisions=sum(len(meeting.decisions_of_year) for meeting in meetings),
        )
        for body, meetings in by_body(held).items()
    ]
    pending = sorted(
        (decision for decision in data.decisions if not decision.done),
        key=lambda decision: (not decision.is_overdue, decision.due_on or date.max, decision.pk),
    )
    meeting_of = {meeting.pk: meeting for meeting in held}
    for decision in pending:
        decision.meeting_of_year = meeting_of[decision.meeting_id]
    return {"bodies": bodies, "meetings": len(held), "follow_up": data.follow_up(), "pending": pending}


def coordination_activity(data: GovernanceData) -> CoordinationActivity | None:
    """The coordination's activity of N as the data tell it: the meetings prepared (not cancelled) per kind of
    body, the bodies and networks animated, the partners who attended, the agreements signed or renewed."""
    meetings, agreements = data.meetings, data.agreements
    if not meetings and not agreements:
        return None
    groups = by_body(meetings)
    kinds: dict[str, list[Body]] = defaultdict(list)
    for body in groups:
        kinds[body.kind].append(body)
    return CoordinationActivity(
        summary=activity_summary(data.year, groups, kinds, data.partners_involved, agreements),
        meetings=len(meetings),
        kinds=[
            KindActivity(
                label=BodyKind(kind).label,
                bodies=len(bodies),
                meetings=sum(len(groups[body]) for body in bodies),
            )
            for kind, bodies in kinds.items()
        ],
        bodies=list(groups),
        partners=data.partners_involved,
        agreements=agreements,
    )


def activity_summary(
    year: int, groups: dict[Body, list[Meeting]], kinds: dict[str, list[Body]], partners: int, agreements: list
) -> str:
    """ "En 2026, la coordination a préparé 8 réunions de 2 instances, y a associé 5 partenaires et a conclu ou
    renouvelé 3 conventions de partenariat." (the parts with nothing to count are left out)."""
    parts = []
    if groups:
        meetings = sum(len(meetings) for meetings in groups.values())
        networks = len(kinds.get(BodyKind.NETWORK, []))
        part = f"a préparé {counted(meetings, 'réunion')} de {counted(len(groups), 'instance')}"
        if networks:
            part += f" dont {counted(networks, 'réseau', 'réseaux')}"
        if partners:
            part += f", y a associé {counted(partners, 'partenaire')}"
        parts.append(part)
    if agreements:
        signed = counted(len(agreements), "convention de partenariat", "conventions de partenariat")
        parts.append(f"a conclu ou renouvelé {signed}")
    return f"En {year}, la coordination {' et '.join(parts)}."


def build_coordination(source: "BilanSource") -> dict:
    """Section 6: the figures of the coordination's activity of N drawn from the data, then what the coordination
    writes of it ("Non renseigné." when it wrote nothing): always printed."""
    return {
        "text": source.report.coordination_activity.strip(),
        "activity": coordination_activity(source.governance),
    }


def minutes_annex(source: "BilanSource") -> list[Meeting]:
    """Annex: each meeting held in N with its attendance, its minutes and its decisions, oldest first."""
    return source.governance.held
