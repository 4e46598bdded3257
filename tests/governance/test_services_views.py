"""Services (agenda prefill, invitations, decisions marked done), htmx fragments, iCalendar, printed documents,
the fiche action's panel and the "Mes actions" hook, with their query budgets."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance.demo import seed_governance
from governance.ical import fold
from governance.models import Body, Decision, DiscussionRequest, Meeting, MeetingAttachment
from governance.panels import PARTNER_MEETINGS, partner_meetings_panel
from governance.services import agenda_prefill, attendance_invite_members, prefill_message
from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.ctg.factories import UserFactory
from tests.governance.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
)
from tests.partners.factories import ContactFactory, PartnerFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def meeting(convention):
    return MeetingFactory(body=BodyFactory(convention=convention, name="COPIL de la CTG"))


@pytest.fixture
def flagged_plan(objective, service, coordination):
    """One late action, one without news, one flagged « à discuter », one up to date, one late but archived."""
    late = ActionFactory(objective=objective, pilot_service=service, code="L1", late=True)
    stale = ActionFactory(objective=objective, pilot_service=service, code="S1", stale=True)
    flagged = ActionFactory(objective=objective, pilot_service=service, code="D1")
    DiscussionRequest.objects.create(action=flagged, requested_by=coordination)
    fine = ActionFactory(objective=objective, pilot_service=service, code="F1")
    ProgressUpdateFactory(action=fine)
    ActionFactory(objective=objective, pilot_service=service, code="A1", late=True, archived=True)
    return late, stale, flagged, fine


class TestAgendaPrefill:
    def test_adds_late_stale_and_flagged_actions_once(self, meeting, flagged_plan, coordination, client_for):
        late, stale, flagged, _ = flagged_plan
        AgendaItemFactory(meeting=meeting, order=1, title="Accueil")
        url = reverse("governance:agenda_prefill", args=[meeting.pk])
        client = client_for("coordination")
        response = client.post(url, follow=True)
        assert prefill_message(3) in unescape(response.text)
        items = list(meeting.agenda_items.values_list("order", "action__code", "notes"))
        assert [(order, code) for order, code, _ in items] == [(1, None), (2, "D1"), (3, "L1"), (4, "S1")]
        assert items[1][2] == "Action à discuter."
        assert "en retard" in items[2][2]
        # Pressed twice: nothing more.
        response = client.post(url, follow=True)
        assert prefill_message(0) in unescape(response.text)
        assert meeting.agenda_items.count() == 4

    def test_htmx_gets_the_agenda_alone(self, meeting, flagged_plan, client_for):
        response = client_for("coordination").post(
            reverse("governance:agenda_prefill", args=[meeting.pk]), headers=HTMX
        )
        assert response.text.lstrip().startswith('<section id="agenda"')
        assert "<html" not in unescape(response.text)
        assert prefill_message(3) in unescape(response.text)
        assert response.text.count("<li>") == 3

    def test_another_convention_actions_are_not_added(self, meeting, flagged_plan, coordination):
        other = MeetingFactory()  # another convention's body
        assert agenda_prefill(meeting=other, by=coordination) == 0


class TestInvitationsAndAttendance:
    def test_invite_members_once_then_take_attendance(self, meeting, client_for, elected, direction):
        contact = ContactFactory()
        meeting.body.users.add(elected, direction)
        meeting.body.contacts.add(contact)
        client = client_for("coordination")
        client.post(reverse("governance:invite_members", args=[meeting.pk]))
        assert attendance_invite_members(meeting=meeting, by=elected) == 0
        rows = {row.person: row for row in meeting.attendances.all()}
        assert set(rows) == {elected, direction, contact}
        data = {f"status_{rows[elected].pk}": "present", f"status_{rows[direction].pk}": "excused"}
        data[f"status_{rows[contact].pk}"] = "absent"
        response = client.post(reverse("governance:attendance", args=[meeting.pk]), data, headers=HTMX)
        assert response.text.lstrip().startswith('<section id="attendance"')
        assert "Présences enregistrées." in unescape(response.text)
        assert sorted(meeting.attendances.values_list("status", flat=True)) == ["absent", "excused", "present"]

    def test_contact_details_only_for_the_coordination(self, meeting, client_for):
        contact = ContactFactory(name="Claire Dumas", email="claire.dumas@example.org")
        meeting.body.contacts.add(contact)
        attendance_invite_members(meeting=meeting, by=None)
        url = reverse("governance:meeting_detail", args=[meeting.pk])
        assert "claire.dumas@example.org" in client_for("coordination").get(url).text
        for role in ("direction", "service_head"):
            text = client_for(role).get(url).text
            assert "Claire Dumas" in text
            assert "claire.dumas@example.org" not in text


class TestMarkDone:
    def test_owner_marks_done_and_other_head_is_refused(self, meeting, client_for, service_head, other_service):
        decision = DecisionFactory(meeting=meeting, owner=service_head)
        other_head = UserFactory(service_head=True, service=other_service, username="jeunesse")
        url = reverse("governance:decision_toggle", args=[decision.pk])
        client = client_for("service_head")
        client.force_login(other_head)
        assert client.post(url, {"done": "1"}).status_code == 403
        decision.refresh_from_db()
        assert not decision.done
        client.force_login(service_head)
        response = client.post(url, {"done": "1"}, headers=HTMX)
        assert response.text.lstrip().startswith(f'<div id="decision-{decision.pk}-state"')
        assert "Décision marquée comme faite." in unescape(response.text)
        assert "Rouvrir" in unescape(response.text)
        decision.refresh_from_db()
        assert (decision.done, decision.done_by, decision.done_at is not None) == (True, service_head, True)

    def test_without_javascript_back_where_it_came_from(self, meeting, client_for, service_head):
        decision = DecisionFactory(meeting=meeting, owner=service_head)
        url = reverse("governance:decision_toggle", args=[decision.pk])
        mine = reverse("actions:mine")
        response = client_for("service_head").post(url, {"done": "1", "next": mine})
        assert response.url == mine
        response = client_for("service_head").post(url, {"done": "0", "next": "https://ailleurs.example/"})
        assert response.url == f"{meeting.get_absolute_url()}#decisions"
        decision.refresh_from_db()
        assert (decision.done, decision.done_at, decision.done_by) == (False, None, None)


class TestPartnerMeetings:
    def test_the_partner_page_lists_the_meetings_its_contacts_attended(self, client_for, meeting, convention):
        partner = PartnerFactory()
        contact = ContactFactory(partner=partner)
        AttendanceFactory(meeting=meeting, contact=contact, user=None, status="present")
        excused = MeetingFactory(body=meeting.body, date=meeting.date - timedelta(days=30))
        AttendanceFactory(meeting=excused, contact=contact, user=None, status="excused")
        AttendanceFactory(meeting=MeetingFactory(body=meeting.body), contact=ContactFactory(), user=None)
        text = client_for("service_head").get(reverse("partners:detail", args=[partner.pk])).text
        assert "Réunions auxquelles il a participé" in text
        assert f'href="{meeting.get_absolute_url()}"' in text
        assert excused.get_absolute_url() not in text
        assert contact.email not in text  # a service head sees no personal data

    def test_the_latest_ten_and_how_many(self, client_for, meeting, django_assert_max_num_queries):
        contact = ContactFactory()
        for days in range(PARTNER_MEETINGS + 2):
            held = MeetingFactory(body=meeting.body, date=meeting.date - timedelta(days=days))
            AttendanceFactory(meeting=held, contact=contact, user=None, status="present")
        panel = partner_meetings_panel(contact.partner, None)
        assert panel["total"] == PARTNER_MEETINGS + 2 and len(panel["meetings"]) == PARTNER_MEETINGS
        assert panel["meetings"][0].date == meeting.date
        text = client_for("coordination").get(reverse("partners:detail", args=[contact.partner.pk])).text
        assert f"{PARTNER_MEETINGS + 2} réunions ; les {PARTNER_MEETINGS} plus récentes" in text

    def test_no_meeting_yet(self, client_for):
        text = client_for("direction").get(reverse("partners:detail", args=[PartnerFactory().pk])).text
        assert "Aucun de ses contacts n'a encore été noté présent" in text


class TestActionPanelAndMyActions:
    def test_the_action_page_shows_its_decisions(self, meeting, client_for, own_action, service_head):
        decision = DecisionFactory(meeting=meeting, owner=service_head, text="Ouvrir dix places le samedi.")
        decision.actions.add(own_action)
        DecisionFactory(meeting=meeting, owner=service_head, text="Une autre décision.")
        text = client_for("direction").get(own_action.get_absolute_url()).text
        assert 'id="governance"' in text
        assert "Ouvrir dix places le samedi." in text
        assert "Une autre décision." not in text
        assert reverse("governance:decision_toggle", args=[decision.pk]) not in text  # not the direction's
        text = client_for("service_head").get(own_action.get_absolute_url()).text
        assert reverse("governance:decision_toggle", args=[decision.pk]) in text

    def test_flag_for_discussion_from_the_action_page(self, client_for, own_action):
        url = reverse("governance:action_discuss", args=[own_action.pk])
        response = client_for("service_head").post(url, {"flag": "1"}, headers=HTMX)
        assert response.text.lstrip().startswith('<section id="governance"')
        assert "Ne plus signaler" in unescape(response.text)
        assert DiscussionRequest.objects.filter(action=own_action).exists()
        client_for("service_head").post(url, {"flag": "1"})  # a double submit is harmless
        client_for("service_head").post(url, {"flag": "0"})
        assert not DiscussionRequest.objects.filter(action=own_action).exists()

    def test_my_actions_lists_open_decisions_overdue_first(self, meeting, client_for, service_head, own_action):
        today = timezone.localdate()
        later = DecisionFactory(meeting=meeting, owner=service_head, text="Plus tard", due_on=today + timedelta(9))
        overdue = DecisionFactory(meeting=meeting, owner=service_head, text="En retard", due_on=today - timedelta(3))
        DecisionFactory(meeting=meeting, owner=service_head, text="Déjà faite", done=True, done_at=timezone.now())
        DecisionFactory(meeting=meeting, text="Pas la sienne")
        text = client_for("service_head").get(reverse("actions:mine")).text
        assert 'id="my-decisions"' in text
        assert text.index(overdue.text) < text.index(later.text)
        assert "Déjà faite" not in text and "Pas la sienne" not in text
        assert text.count("Marquer comme faite") == 2

    @pytest.mark.parametrize("count", [1, 30])
    def test_my_actions_query_count_is_constant(
        self, meeting, client_for, service_head, own_action, count, django_assert_max_num_queries
    ):
        for n in range(count):
            decision = DecisionFactory(meeting=meeting, owner=service_head, due_on=timezone.localdate() - timedelta(n))
            decision.actions.add(own_action)
        client = client_for("service_head")
        with django_assert_max_num_queries(10):
            response = client.get(reverse("actions:mine"))
        assert response.text.count("Marquer comme faite") == min(count, 10)


def parse_ics(text: str) -> list[dict[str, str]]:
    """Unfold (RFC 5545 §3.1) and read the VEVENTs back: property name → unescaped value."""
    assert "\n" not in text.replace("\r\n", "")
    lines = text.replace("\r\n ", "").split("\r\n")
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            value = value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
            current[name] = value
    return events


class TestICalendar:
    def test_feed_escapes_folds_and_reads_back(self, client_for, meeting, own_action):
        meeting.place = "Salle 2, bâtiment A; étage 1 \\ aile nord"
        meeting.status = "cancelled"
        meeting.save()
        long_title = "Point très long " + "é" * 80
        AgendaItemFactory(meeting=meeting, order=1, title=long_title)
        AgendaItemFactory(meeting=meeting, order=2, title="Budget, suite")
        response = client_for("elected").get(reverse("governance:ical"))
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        raw = response.content
        assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
        raw.decode()  # no UTF-8 character was split by the folding
        assert b"\\, b\xc3\xa2timent A\\; \xc3\xa9tage 1 \\\\ aile nord" in raw.replace(b"\r\n ", b"")
        (event,) = parse_ics(response.text)
        assert event["UID"] == f"reunion-{meeting.pk}@pilote-ctg"
        assert event["DTSTART"] == "20260312T083000Z"  # 9:30 in Paris, winter time
        assert event["DTEND"] == "20260312T110000Z"
        assert event["STATUS"] == "CANCELLED"
        assert event["LOCATION"] == meeting.place
        assert event["DESCRIPTION"] == f"Ordre du jour :\n1. {long_title}\n2. Budget, suite"
        assert event["SUMMARY"] == "COPIL de la CTG (Comité de pilotage (COPIL))"

    def test_body_feed_has_its_meetings_only(self, client_for, meeting, convention):
        other = MeetingFactory(body=BodyFactory(convention=convention))
        text = client_for("service_head").get(reverse("governance:body_ical", args=[meeting.body.pk])).text
        assert [event["UID"] for event in parse_ics(text)] == [f"reunion-{meeting.pk}@pilote-ctg"]
        assert f"reunion-{other.pk}@" not in text

    def test_fold_never_splits_a_character(self):
        line = "DESCRIPTION:" + "€" * 40
        folded = fold(line)
        assert folded.replace("\r\n ", "") == line
        assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))

    @pytest.mark.parametrize("count", [1, 20])
    def test_query_count_is_constant(self, client_for, convention, count, django_assert_max_num_queries):
        body = BodyFactory(convention=convention)
        for n in range(count):
            AgendaItemFactory(meeting=MeetingFactory(body=body, date=timezone.localdate() + timedelta(n)))
        client = client_for("coordination")
        with django_assert_max_num_queries(7):
            response = client.get(reverse("governance:ical"))
        assert response.text.count("BEGIN:VEVENT") == count


class TestPrint:
    def test_convocation_and_report(self, client_for, meeting, service_head):
        AgendaItemFactory(meeting=meeting, title="Bilan de l'année")
        decision = DecisionFactory(meeting=meeting, owner=service_head, text="Ouvrir le samedi.")
        meeting.minutes = "Tout le monde était d'accord."
        meeting.save()
        client = client_for("elected")
        convocation = client.get(reverse("governance:meeting_convocation", args=[meeting.pk])).text
        assert "css/print.css" in convocation
        assert "Convocation" in convocation and "Bilan de l&#x27;année" in convocation
        report = client.get(reverse("governance:meeting_report", args=[meeting.pk])).text
        assert "Tout le monde était d&#x27;accord." in report
        assert decision.text in report and str(service_head) in report
        assert " style=" not in report and "<script" not in report


def populate(convention, count: int, owner):
    actions = [ActionFactory(objective__axis__convention=convention, code=f"Q{n}") for n in range(3)]
    contacts = [ContactFactory() for _ in range(2)]
    bodies = []
    for n in range(count):
        body = BodyFactory(convention=convention, kind=["copil", "cotech"][n % 2])
        body.contacts.add(*contacts)
        meeting = MeetingFactory(body=body, date=timezone.localdate() + timedelta(n))
        for action in actions:
            AgendaItemFactory(meeting=meeting, action=action)
        attendance_invite_members(meeting=meeting, by=owner)
        decision = DecisionFactory(meeting=meeting, owner=owner)
        decision.actions.set(actions)
        for number in range(2):
            attachment = MeetingAttachment(meeting=meeting, title=f"Pièce {number}", uploaded_by=owner)
            attachment.file.save(f"piece-{number}.pdf", ContentFile(b"%PDF-1.4\n"))
        bodies.append(body)
    return bodies[0], Meeting.objects.filter(body=bodies[0]).first()


QUERIES = {"body_list": 8, "body_detail": 10, "meeting_detail": 16, "decision_list": 9}


@pytest.mark.parametrize("page_name", list(QUERIES))
@pytest.mark.parametrize("count", [1, 25])
def test_query_budget(client_for, convention, coordination, page_name, count, django_assert_max_num_queries):
    body, meeting = populate(convention, count, coordination)
    url = {
        "body_list": reverse("governance:body_list"),
        "body_detail": reverse("governance:body_detail", args=[body.pk]),
        "meeting_detail": reverse("governance:meeting_detail", args=[meeting.pk]),
        "decision_list": reverse("governance:decision_list"),
    }[page_name]
    client = client_for("coordination")
    with django_assert_max_num_queries(QUERIES[page_name]):
        response = client.get(url)
    assert response.status_code == 200
    if page_name == "body_list":
        assert response.text.count('<th scope="row">') == count
    if page_name == "decision_list":
        assert response.text.count('<li class="c-decision">') == min(count, 25)


class TestDemo:
    def test_seeded_twice_gives_the_same_rows(
        self, convention, objective, service, coordination, direction, elected, service_head
    ):
        for n in range(4):
            ActionFactory(objective=objective, pilot_service=service, code=f"FA{n}", late=n % 2 == 0)
        users = {"coordination": coordination, "direction": direction, "elu": elected, "petite-enfance": service_head}
        users |= {
            key: UserFactory(service_head=True, username=key) for key in ("jeunesse", "parentalite", "solidarites")
        }
        today = timezone.localdate()
        seed_governance(convention=convention, users=users, today=today)
        counts = (Body.objects.count(), Meeting.objects.count(), Decision.objects.count())
        seed_governance(convention=convention, users=users, today=today)
        assert (Body.objects.count(), Meeting.objects.count(), Decision.objects.count()) == counts
        copil = Meeting.objects.filter(body__kind="copil")
        assert (copil.filter(status="held").count(), copil.filter(status="planned", date__gt=today).count()) == (2, 1)
        assert Meeting.objects.filter(body__kind="cotech", status="held").count() == 6
        assert Decision.objects.overdue(today).exists()
        assert Decision.objects.filter(done=True).exists()
        assert Decision.objects.filter(owner=service_head, actions__isnull=False).exists()
