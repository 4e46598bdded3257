"""The demo's governance (domain.md §7): a COPIL and a COTECH with their members, two COPIL and six COTECH
meetings over the last year with attendance and decisions (some overdue, some owned by service heads, linked to
actions), and one COPIL planned next month. Idempotent: a body that already has meetings is left as it is.
Dates are offsets from today, so the demo stays current."""

from datetime import date, time, timedelta

from django.db.models import Q

from actions.models import Action
from ctg.models import Convention, User
from governance.enums import AttendanceStatus, BodyKind, MeetingMode, MeetingStatus
from governance.models import Attendance, Body, Decision, Meeting
from governance.services import agenda_prefill, attendance_invite_members, decision_mark
from partners.models import Contact

COPIL = "Comité de pilotage de la CTG"
COTECH = "Comité technique de la CTG"
MINUTES = (
    "Point sur l'avancement du plan d'actions, axe par axe. Les services ont présenté les actions en retard et les "
    "difficultés rencontrées ; la Caf a rappelé le calendrier du bilan annuel."
)
# (text, owner, days from the meeting to the due date)
DECISIONS = [
    ("Relancer le recrutement d'auxiliaires de puériculture pour le multi-accueil Palissy.", "petite-enfance", 45),
    ("Présenter au prochain COTECH le bilan des ateliers parents-enfants.", "parentalite", 30),
    ("Proposer un calendrier des permanences Caf à la Maison des Solidarités.", "solidarites", 20),
    ("Préparer la note d'opportunité sur l'accueil de loisirs inclusif.", "jeunesse", 60),
]


def _owner_actions(owner: User, convention: Convention) -> list[Action]:
    actions = Action.objects.active().of_convention(convention).order_by("code")
    if owner.service_id:
        actions = actions.filter(pilot_service_id=owner.service_id)
    return list(actions[:2])


def _meeting(body: Body, day: date, status: str, place: str, mode: str = MeetingMode.IN_PERSON) -> Meeting:
    return Meeting.objects.create(
        body=body,
        date=day,
        start_time=time(9, 30) if body.kind == BodyKind.COPIL else time(14, 0),
        end_time=time(12, 0) if body.kind == BodyKind.COPIL else time(16, 0),
        place=place,
        mode=mode,
        visio_url="https://visio.joinville-demo.fr/ctg" if mode != MeetingMode.IN_PERSON else "",
        status=status,
        minutes=MINUTES if status == MeetingStatus.HELD else "",
    )


def _held(meeting: Meeting, users: dict[str, User], today: date, index: int) -> None:
    coordination = users["coordination"]
    agenda_prefill(meeting=meeting, by=coordination)
    attendance_invite_members(meeting=meeting, by=coordination)
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT]
    rows = list(meeting.attendances.order_by("pk"))
    for position, row in enumerate(rows):
        row.status = statuses[(position + index) % len(statuses)] if position else AttendanceStatus.PRESENT
    Attendance.objects.bulk_update(rows, ["status"])
    for position, (text, username, delay) in enumerate(DECISIONS[index % 2 :: 2]):
        owner = users[username]
        decision = Decision.objects.create(
            meeting=meeting, text=text, owner=owner, due_on=meeting.date + timedelta(days=delay)
        )
        decision.actions.set(_owner_actions(owner, meeting.body.convention))
        # The older decisions are done, bar one a meeting: those whose due date is past stay overdue.
        if (meeting.date + timedelta(days=delay) < today - timedelta(days=90)) and position == 0:
            decision_mark(decision=decision, by=owner, done=True)


def seed_governance(*, convention: Convention, users: dict[str, User], today: date) -> dict[str, Body]:
    contacts = list(Contact.objects.filter(~Q(email="")).order_by("pk")[:6])
    heads = [user for key, user in users.items() if user.role == "service_head"]
    bodies = {}
    for key, name, kind, members, description in [
        (
            "copil",
            COPIL,
            BodyKind.COPIL,
            [users["direction"], users["elu"], users["coordination"]],
            "Instance de décision de la CTG : la Ville et la Caf valident les orientations, le bilan annuel et les "
            "avenants.",
        ),
        (
            "cotech",
            COTECH,
            BodyKind.COTECH,
            [users["coordination"], *heads],
            "Les responsables de service et les partenaires suivent le plan d'actions et préparent le COPIL.",
        ),
    ]:
        body, _ = Body.objects.get_or_create(
            convention=convention, name=name, defaults={"kind": kind, "description": description}
        )
        body.users.add(*members)
        body.contacts.add(*(contacts[:3] if kind == BodyKind.COPIL else contacts))
        bodies[key] = body

    copil, cotech = bodies["copil"], bodies["cotech"]
    if not copil.meetings.exists():
        for index, days in enumerate((330, 150)):
            meeting = _meeting(
                copil, today - timedelta(days=days), MeetingStatus.HELD, "Hôtel de ville, salle du conseil"
            )
            _held(meeting, users, today, index)
        upcoming = _meeting(
            copil, today + timedelta(days=30), MeetingStatus.PLANNED, "Hôtel de ville, salle du conseil"
        )
        attendance_invite_members(meeting=upcoming, by=users["coordination"])
    if not cotech.meetings.exists():
        for index, days in enumerate((360, 300, 240, 180, 120, 60)):
            mode = MeetingMode.HYBRID if index % 2 else MeetingMode.IN_PERSON
            meeting = _meeting(
                cotech, today - timedelta(days=days), MeetingStatus.HELD, "Maison des Solidarités", mode
            )
            _held(meeting, users, today, index)
    return bodies
