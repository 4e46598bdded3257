"""Conflicting requests at the same instant on the governance's write endpoints (see tests/test_concurrency.py for
the method). PostgreSQL only: threads cannot share SQLite's in-memory test database.

Every write on a meeting locks the meeting first (the services of `governance.services`, `meeting_lock` for the
form views), and so does its deletion in the admin (`meeting_delete`): the writes come one after the other, a
prefill or an invitation pressed twice adds nothing the second time, and a decision edited while its meeting is
deleted is either saved, then deleted with it, or refused with a French message; never a 500."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctg.views.helpers import GONE, SAVED
from governance import admin as governance_admin
from governance.models import AgendaItem, Attendance, Decision, Meeting, MeetingAttachment
from governance.services import (
    ATTACHMENT_ADDED,
    ATTACHMENT_DELETED,
    ATTACHMENT_GONE,
    ATTENDANCE_CHANGED,
    ATTENDANCE_SAVED,
    MARKED_DONE,
    MARKED_OPEN,
    MEETING_GONE,
    PREFILLED,
    invite_message,
    prefill_message,
)
from governance.views import attachments, decisions, meetings
from tests.actions.factories import ActionFactory
from tests.concurrency import HTMX, RACE_MARKS, logged_in, messages_of, pause_before, race, said, tally
from tests.ctg.factories import UserFactory
from tests.governance.factories import AttendanceFactory, BodyFactory, DecisionFactory, MeetingFactory

ROUNDS = 3
pytestmark = RACE_MARKS
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def each_round(play) -> None:
    for number in range(ROUNDS):
        play(number)


def url(name: str, pk: int) -> str:
    return reverse(f"governance:{name}", args=[pk])


@pytest.fixture
def body(convention):
    return BodyFactory(convention=convention, name="COPIL de la CTG")


@pytest.fixture
def late_actions(objective, service):
    """Three actions of the convention, late (their end date is past and they are not done)."""
    return [
        ActionFactory(
            objective=objective,
            pilot_service=service,
            code=f"L{n}",
            start_date=date(2023, 1, 1),
            end_date=date(2023, 12, 31),
        )
        for n in range(3)
    ]


@pytest.fixture
def admin(tech_admin):
    return logged_in(tech_admin)


def stored_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "reunions"
    return {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in folder.rglob("*") if path.is_file()}


def orphans(before: set[str]) -> set[str]:
    """Files stored since `before` that no attachment names (other tests of the session leave their own files)."""
    return stored_files() - before - set(MeetingAttachment.objects.values_list("file", flat=True))


class TestAgenda:
    def test_prefill_pressed_twice(self, coordinators, body, late_actions, monkeypatch):
        pause_before(monkeypatch, meetings, "agenda_prefill")

        def play(number):
            meeting = MeetingFactory(body=body)
            prefill = url("agenda_prefill", meeting.pk)
            first, second = race(
                lambda: coordinators[0].post(prefill, headers=HTMX),
                lambda: coordinators[1].post(prefill, headers=HTMX if number % 2 else {}),
                lead=number % 2,
            )
            items = list(meeting.agenda_items.values_list("action_id", flat=True))
            assert sorted(items) == sorted(action.pk for action in late_actions)
            told = [said(first, prefill_message(3)), said(second, prefill_message(3))]
            assert sorted(told) == [False, True]
            assert said(second if told[0] else first, PREFILLED[0])
            tally("added once, the second told there was nothing to add")

        each_round(play)

    def test_prefill_while_the_same_action_is_added_by_hand(self, coordinators, body, late_actions, monkeypatch):
        pause_before(monkeypatch, meetings, "agenda_prefill")
        pause_before(monkeypatch, meetings, "meeting_lock")

        def play(number):
            meeting = MeetingFactory(body=body)
            data = {"agenda-title": "", "agenda-action": late_actions[0].code, "agenda-notes": ""}
            added, prefilled = race(
                lambda: coordinators[0].post(url("agenda_add", meeting.pk), data, headers=HTMX),
                lambda: coordinators[1].post(url("agenda_prefill", meeting.pk), headers=HTMX),
                lead=number % 2,
            )
            assert added.status_code == prefilled.status_code == 200
            assert meeting.agenda_items.filter(action=late_actions[0]).count() == 1
            assert meeting.agenda_items.count() == 3
            if said(prefilled, prefill_message(3)):
                assert said(added, AgendaItem._meta.constraints[0].violation_error_message)
                tally("prefilled first, the hand-made item refused")
            else:
                assert said(prefilled, prefill_message(2)) and "Point ajouté" in added.text
                tally("added by hand first, the prefill skipped it")

        each_round(play)


class TestDecisions:
    @pytest.fixture
    def decision(self, body, service_head):
        def make() -> Decision:
            return DecisionFactory(meeting=MeetingFactory(body=body), owner=service_head)

        return make

    def test_marked_done_twice(self, coordinators, service_head, decision, monkeypatch):
        pause_before(monkeypatch, decisions, "decision_mark")
        owner = logged_in(service_head)

        def play(number):
            made = decision()
            toggle = url("decision_toggle", made.pk)
            responses = race(
                lambda: owner.post(toggle, {"done": "1"}, headers=HTMX if number % 2 else {}),
                lambda: coordinators[0].post(toggle, {"done": "1"}),
                lead=number % 2,
            )
            assert all(said(response, MARKED_DONE) for response in responses)
            made.refresh_from_db()
            assert made.done and made.done_at is not None and made.done_by is not None
            assert made.history.filter(done=True).count() == 1, "marked once, the second saw it done"
            tally(f"done once, by {made.done_by.role}")

        each_round(play)

    def test_done_and_reopened_at_once(self, coordinators, service_head, decision, monkeypatch):
        pause_before(monkeypatch, decisions, "decision_mark")
        owner = logged_in(service_head)

        def play(number):
            made = decision()
            toggle = url("decision_toggle", made.pk)
            done, reopened = race(
                lambda: owner.post(toggle, {"done": "1"}),
                lambda: coordinators[0].post(toggle, {"done": "0"}, headers=HTMX),
                lead=number % 2,
            )
            assert said(done, MARKED_DONE) and said(reopened, MARKED_OPEN)
            made.refresh_from_db()
            # Whichever came last, the row is whole: done with its date and author, or open without them.
            assert (made.done_at is not None, made.done_by_id is not None) == (made.done, made.done)
            tally("done last" if made.done else "reopened last")

        each_round(play)

    def test_edited_while_its_meeting_is_deleted(self, coordinators, admin, decision, own_action, monkeypatch):
        """The admin once collected the decision's linked actions before the edit added one: the deletion then
        failed at commit (a 500). Both now lock the meeting first."""
        pause_before(monkeypatch, meetings, "meeting_lock")
        pause_before(monkeypatch, governance_admin, "meeting_delete")

        def play(number):
            made = decision()
            meeting = made.meeting
            data = {
                "decision-text": f"Décision reformulée {number}.",
                "decision-owner": made.owner_id,
                "decision-due_on": "2026-10-31",
                "decision-actions": own_action.code,
            }
            edited, deleted = race(
                lambda: coordinators[0].post(url("decision_edit", made.pk), data),
                lambda: admin.post(reverse("admin:governance_meeting_delete", args=[meeting.pk]), {"post": "yes"}),
                lead=number % 2,
            )
            assert deleted.status_code == 302 and edited.status_code == 302
            assert not Meeting.objects.filter(pk=meeting.pk).exists()
            assert not Decision.objects.filter(pk=made.pk).exists()
            assert not Decision.actions.through.objects.filter(decision_id=made.pk).exists()
            if messages_of(edited) == [GONE.format(made)]:
                tally("deleted first, the edit told so")
            else:
                assert messages_of(edited) == [SAVED.format(f"Décision reformulée {number}.")]
                assert made.history.filter(text=f"Décision reformulée {number}.").exists()
                tally("edited, then deleted with its meeting")

        each_round(play)


class TestAttendance:
    @pytest.fixture
    def meeting(self, body):
        def make() -> Meeting:
            meeting = MeetingFactory(body=body)
            members = [UserFactory() for _ in range(3)]
            body.users.set(members)
            return meeting

        return make

    def test_invitations_sent_twice(self, coordinators, meeting, monkeypatch):
        pause_before(monkeypatch, meetings, "attendance_invite_members")

        def play(number):
            made = meeting()
            invite = url("invite_members", made.pk)
            first, second = race(
                lambda: coordinators[0].post(invite, headers=HTMX),
                lambda: coordinators[1].post(invite),
                lead=number % 2,
            )
            assert made.attendances.count() == 3
            assert sorted([said(first, invite_message(3)), said(second, invite_message(3))]) == [False, True]
            assert said(first, invite_message(0)) or said(second, invite_message(0))
            tally("invited once")

        each_round(play)

    def test_attendance_submitted_twice(self, coordinators, meeting, monkeypatch):
        pause_before(monkeypatch, meetings, "attendance_record")

        def play(number):
            made = meeting()
            rows = [AttendanceFactory(meeting=made, user=user) for user in made.body.users.all()]
            send = url("attendance", made.pk)

            def statuses(status):
                return {f"status_{row.pk}": status for row in rows}

            first, second = race(
                lambda: coordinators[0].post(send, statuses("present"), headers=HTMX),
                lambda: coordinators[1].post(send, statuses("excused")),
                lead=number % 2,
            )
            assert said(first, ATTENDANCE_SAVED) and said(second, ATTENDANCE_SAVED)
            saved = set(Attendance.objects.filter(meeting=made).values_list("status", flat=True))
            assert len(saved) == 1, "one submission whole, never half of each"
            assert Attendance.objects.filter(meeting=made).count() == 3
            tally(f"{saved.pop()} last")

        each_round(play)

    def test_attendance_while_members_are_invited(self, coordinators, meeting, monkeypatch):
        pause_before(monkeypatch, meetings, "attendance_record")
        pause_before(monkeypatch, meetings, "attendance_invite_members")

        def play(number):
            made = meeting()
            first = AttendanceFactory(meeting=made, user=made.body.users.first())
            recorded, invited = race(
                lambda: coordinators[0].post(url("attendance", made.pk), {f"status_{first.pk}": "present"}),
                lambda: coordinators[1].post(url("invite_members", made.pk), headers=HTMX),
                lead=number % 2,
            )
            assert said(invited, invite_message(2))
            assert made.attendances.count() == 3
            first.refresh_from_db()
            if first.status == "present":
                assert recorded.status_code == 302
                tally("recorded, then the others invited")
            else:
                assert recorded.status_code == 200 and said(recorded, ATTENDANCE_CHANGED)
                tally("invited first, the attendance refused")

        each_round(play)


class TestAttachments:
    def test_added_while_the_meeting_is_deleted(self, coordinators, admin, body, monkeypatch):
        pause_before(monkeypatch, attachments, "attachment_add")
        pause_before(monkeypatch, governance_admin, "meeting_delete")

        def play(number):
            before = stored_files()
            meeting = MeetingFactory(body=body)
            data = {"attachment-title": "Relevé", "attachment-file": SimpleUploadedFile("releve.pdf", PDF)}
            added, deleted = race(
                lambda: coordinators[0].post(url("attachment_add", meeting.pk), data),
                lambda: admin.post(reverse("admin:governance_meeting_delete", args=[meeting.pk]), {"post": "yes"}),
                lead=number % 2,
            )
            assert deleted.status_code == 302 and added.status_code == 302
            assert not Meeting.objects.filter(pk=meeting.pk).exists()
            assert orphans(before) == set(), "no file left without its row"
            if messages_of(added) == [MEETING_GONE]:
                tally("deleted first, the upload told so")
            else:
                assert messages_of(added) == [ATTACHMENT_ADDED.format("Relevé")]
                tally("added, then deleted with its meeting and its file")

        each_round(play)

    def test_deleted_twice(self, coordinators, body, monkeypatch):
        pause_before(monkeypatch, attachments, "attachment_delete")

        def play(number):
            attachment = MeetingAttachment(meeting=MeetingFactory(body=body), title="Diaporama")
            attachment.file.save("diaporama.pdf", SimpleUploadedFile("diaporama.pdf", PDF))
            path = Path(attachment.file.path)
            delete = url("attachment_delete", attachment.pk)
            responses = race(*[lambda client=client: client.post(delete) for client in coordinators])
            told = sorted(message for response in responses for message in messages_of(response))
            assert told == sorted([ATTACHMENT_DELETED.format(attachment), ATTACHMENT_GONE])
            assert not MeetingAttachment.objects.filter(pk=attachment.pk).exists()
            assert not path.exists()
            tally("deleted once, the second told so")

        each_round(play)
