"""Permission cases of the governance (see tests/governance/test_permissions.py): everyone signed in reads the
bodies, meetings, decisions, printed documents and iCalendar feeds; only the coordination writes them. A decision
is marked done by the coordination or its owner: "own" is the service head's decision, "other" another person's.
The « à discuter » flag follows the fiche action's rights: the coordination, and the pilot of the action. A
meeting's attachments are downloaded by everyone who reads the meeting, added and deleted by the coordination."""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import AgendaItem, Attendance, Body, Decision, DiscussionRequest, Meeting, MeetingAttachment
from tests.governance.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
)
from tests.test_permissions import (
    CAN_UPDATE,
    Case,
    Endpoint,
    World,
    coordination_form,
    coordination_only,
    page,
    signed_in,
)

DECISION_TARGETS = ("own", "other")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def body(w: World) -> Body:
    return w.memo("body", lambda: BodyFactory(convention=w.convention, name="COPIL de la CTG"))


def meeting(w: World) -> Meeting:
    return w.memo("meeting", lambda: MeetingFactory(body=body(w)))


def decision(w: World, target: str) -> Decision:
    def build():
        owner = w._request.getfixturevalue("service_head" if target == "own" else "direction")
        return DecisionFactory(meeting=meeting(w), owner=owner)

    return w.memo(f"decision-{target}", build)


def attendance(w: World) -> Attendance:
    return w.memo(
        "attendance", lambda: AttendanceFactory(meeting=meeting(w), user=w._request.getfixturevalue("elected"))
    )


def attachment(w: World) -> MeetingAttachment:
    """An attachment of the meeting, its PDF stored."""

    def build():
        made = MeetingAttachment(meeting=meeting(w), title="Diaporama du COPIL")
        made.file.save("diaporama.pdf", ContentFile(PDF))
        return made

    return w.memo("attachment", build)


def _refreshed(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def post_cases(name: str, *, htmx: bool = True) -> list[Case]:
    """A write of the coordination on a meeting's page: POST only; htmx gets the region back (200)."""
    cases = [Case(name, "GET", signed_in(405)), Case(name, "POST", coordination_only(302))]
    if htmx:
        cases.append(Case(name, "POST", coordination_only(200), htmx=True))
    return cases


def owner_rule(target: str, ok: int) -> dict:
    """The coordination and the decision's owner: the service head for "own", the direction for "other"."""
    return {**coordination_only(ok), ("service_head" if target == "own" else "direction"): ok}


def owner_cases(name: str) -> list[Case]:
    cases = [Case(name, "GET", signed_in(405), target="own")]
    for target in DECISION_TARGETS:
        cases += [
            Case(name, "POST", owner_rule(target, 302), target=target),
            Case(name, "POST", owner_rule(target, 200), target=target, htmx=True),
        ]
    return cases


def discuss_cases(name: str) -> list[Case]:
    cases = [Case(name, "GET", signed_in(405), target="own")]
    for target in ("own", "other", "archived"):
        cases += [
            Case(name, "POST", CAN_UPDATE[target](302), target=target),
            Case(name, "POST", CAN_UPDATE[target](200), target=target, htmx=True),
        ]
    return cases


CASES: list[Case] = [
    *page("governance:body_list"),
    *page("governance:body_detail"),
    *coordination_form("governance:body_create"),
    *coordination_form("governance:body_edit"),
    *coordination_form("governance:meeting_create"),
    *coordination_form("governance:meeting_edit"),
    *page("governance:meeting_detail"),
    *post_cases("governance:agenda_add"),
    *post_cases("governance:agenda_prefill"),
    *post_cases("governance:agenda_delete"),
    *post_cases("governance:invite_members"),
    *post_cases("governance:attendance"),
    *post_cases("governance:decision_add"),
    *coordination_form("governance:decision_edit"),
    *page("governance:decision_list"),
    Case("governance:decision_list", "GET", signed_in(200), htmx=True),
    *owner_cases("governance:decision_toggle"),
    *page("governance:ical"),
    *page("governance:body_ical"),
    *page("governance:meeting_convocation"),
    *page("governance:meeting_report"),
    *discuss_cases("governance:action_discuss"),
    *post_cases("governance:attachment_add"),
    *page("governance:attachment_download"),
    *coordination_form("governance:attachment_delete"),
]


def meeting_pk(w: World, target: str) -> dict:
    return {"pk": meeting(w).pk}


def body_pk(w: World, target: str) -> dict:
    return {"pk": body(w).pk}


def meeting_data(**changes) -> dict:
    return {
        "date": "2026-05-20",
        "start_time": "09:30",
        "end_time": "12:00",
        "place": "Hôtel de ville",
        "mode": "in_person",
        "visio_url": "",
        "status": "planned",
        "minutes": "",
    } | changes


def late_own_action(w: World, target: str) -> dict:
    """The meeting, and the own action made late so that the prefill adds it."""
    type(w.own_action).objects.filter(pk=w.own_action.pk).update(
        start_date=date(2023, 1, 1), end_date=date(2023, 12, 31)
    )
    return meeting_pk(w, target)


def with_member(w: World, target: str) -> dict:
    """The meeting, its body counting the élu among its members."""
    body(w).users.add(w._request.getfixturevalue("elected"))
    return meeting_pk(w, target)


def item(w: World) -> AgendaItem:
    return w.memo("item", lambda: AgendaItemFactory(meeting=meeting(w)))


ENDPOINTS: dict[str, Endpoint] = {
    "governance:body_list": Endpoint(),
    "governance:body_detail": Endpoint(kwargs=body_pk),
    "governance:body_create": Endpoint(
        data=lambda w, t: {"kind": "cotech", "name": "COTECH petite enfance", "description": ""},
        written=lambda w, t: Body.objects.filter(name="COTECH petite enfance").exists(),
    ),
    "governance:body_edit": Endpoint(
        kwargs=body_pk,
        data=lambda w, t: {"kind": "copil", "name": "COPIL renommé", "description": ""},
        written=lambda w, t: _refreshed(body(w)).name == "COPIL renommé",
    ),
    "governance:meeting_create": Endpoint(
        kwargs=body_pk,
        data=lambda w, t: meeting_data(date="2026-09-15"),
        written=lambda w, t: Meeting.objects.filter(body=body(w), date="2026-09-15").exists(),
    ),
    "governance:meeting_edit": Endpoint(
        kwargs=meeting_pk,
        data=lambda w, t: meeting_data(place="Salle des fêtes"),
        written=lambda w, t: _refreshed(meeting(w)).place == "Salle des fêtes",
    ),
    "governance:meeting_detail": Endpoint(kwargs=meeting_pk),
    "governance:agenda_add": Endpoint(
        kwargs=meeting_pk,
        data=lambda w, t: {"agenda-title": "Bilan annuel", "agenda-action": "", "agenda-notes": ""},
        written=lambda w, t: meeting(w).agenda_items.filter(title="Bilan annuel").exists(),
    ),
    "governance:agenda_prefill": Endpoint(
        kwargs=late_own_action,
        written=lambda w, t: meeting(w).agenda_items.filter(action=w.own_action).exists(),
    ),
    "governance:agenda_delete": Endpoint(
        kwargs=lambda w, t: {"pk": item(w).pk},
        written=lambda w, t: not AgendaItem.objects.filter(pk=item(w).pk).exists(),
    ),
    "governance:invite_members": Endpoint(
        kwargs=with_member,
        written=lambda w, t: meeting(w).attendances.exists(),
    ),
    "governance:attendance": Endpoint(
        kwargs=meeting_pk,
        data=lambda w, t: {f"status_{attendance(w).pk}": "present"},
        written=lambda w, t: _refreshed(attendance(w)).status == "present",
    ),
    "governance:decision_add": Endpoint(
        kwargs=meeting_pk,
        data=lambda w, t: {
            "decision-text": "Ouvrir une classe passerelle.",
            "decision-owner": w._request.getfixturevalue("service_head").pk,
            "decision-due_on": "2026-09-30",
            "decision-actions": w.own_action.code,
        },
        written=lambda w, t: meeting(w).decisions.filter(text="Ouvrir une classe passerelle.").exists(),
    ),
    "governance:decision_edit": Endpoint(
        kwargs=lambda w, t: {"pk": decision(w, "own").pk},
        data=lambda w, t: {
            "decision-text": "Décision reformulée.",
            "decision-owner": decision(w, "own").owner_id,
            "decision-due_on": "2026-10-31",
        },
        written=lambda w, t: _refreshed(decision(w, "own")).text == "Décision reformulée.",
    ),
    "governance:decision_list": Endpoint(),
    "governance:decision_toggle": Endpoint(
        kwargs=lambda w, target: {"pk": decision(w, target).pk},
        data=lambda w, t: {"done": "1"},
        written=lambda w, target: _refreshed(decision(w, target)).done,
    ),
    "governance:ical": Endpoint(),
    "governance:body_ical": Endpoint(kwargs=body_pk),
    "governance:meeting_convocation": Endpoint(kwargs=meeting_pk),
    "governance:meeting_report": Endpoint(kwargs=meeting_pk),
    "governance:action_discuss": Endpoint(
        kwargs=lambda w, target: {"pk": w.action(target).pk},
        data=lambda w, t: {"flag": "1"},
        written=lambda w, target: DiscussionRequest.objects.filter(action=w.action(target)).exists(),
    ),
    "governance:attachment_add": Endpoint(
        kwargs=meeting_pk,
        data=lambda w, t: {
            "attachment-title": "Relevé signé",
            "attachment-file": SimpleUploadedFile("releve.pdf", PDF, content_type="application/pdf"),
        },
        written=lambda w, t: meeting(w).attachments.filter(title="Relevé signé").exists(),
    ),
    "governance:attachment_download": Endpoint(kwargs=lambda w, t: {"pk": attachment(w).pk}),
    "governance:attachment_delete": Endpoint(
        kwargs=lambda w, t: {"pk": attachment(w).pk},
        written=lambda w, t: not MeetingAttachment.objects.filter(pk=attachment(w).pk).exists(),
    ),
}
