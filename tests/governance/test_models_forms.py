"""The database keeps the governance's invariants, and the forms say them in French without saving anything."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from governance.forms import ONE_CODE, UNKNOWN_CODES, DecisionForm
from governance.models import (
    ACTION_ALREADY_ON_AGENDA,
    END_BEFORE_START,
    ONE_PERSON,
    OWNER_REQUIRED,
    USER_ALREADY_INVITED,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
)
from tests.actions.factories import ActionFactory
from tests.governance.factories import AttendanceFactory, BodyFactory, DecisionFactory, MeetingFactory
from tests.partners.factories import ContactFactory


@pytest.fixture
def meeting(convention):
    return MeetingFactory(body=BodyFactory(convention=convention))


class TestConstraints:
    def test_end_before_start_is_refused_by_the_database(self, meeting):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.filter(pk=meeting.pk).update(start_time=time(14, 0), end_time=time(13, 0))

    def test_end_before_start_has_a_french_message(self, meeting):
        meeting.end_time = time(8, 0)
        with pytest.raises(ValidationError) as error:
            meeting.full_clean()
        assert END_BEFORE_START in error.value.messages

    def test_attendance_needs_exactly_one_person(self, meeting, coordination):
        with pytest.raises(ValidationError) as error:
            Attendance(meeting=meeting, user=coordination, contact=ContactFactory()).full_clean()
        assert ONE_PERSON in error.value.messages
        with pytest.raises(IntegrityError), transaction.atomic():
            Attendance.objects.create(meeting=meeting)

    def test_a_person_is_invited_once(self, meeting, coordination):
        AttendanceFactory(meeting=meeting, user=coordination)
        with pytest.raises(ValidationError) as error:
            Attendance(meeting=meeting, user=coordination).full_clean()
        assert USER_ALREADY_INVITED in error.value.messages
        with pytest.raises(IntegrityError), transaction.atomic():
            Attendance.objects.create(meeting=meeting, user=coordination)

    def test_an_action_is_once_on_an_agenda(self, meeting, own_action):
        AgendaItem.objects.create(meeting=meeting, title="A", action=own_action)
        AgendaItem.objects.create(meeting=meeting, title="Sans action")
        AgendaItem.objects.create(meeting=meeting, title="Sans action non plus")
        with pytest.raises(ValidationError) as error:
            AgendaItem(meeting=meeting, title="B", action=own_action).full_clean()
        assert ACTION_ALREADY_ON_AGENDA in error.value.messages

    def test_done_decision_has_its_date(self, meeting, coordination):
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.create(meeting=meeting, text="x", owner=coordination, done=True)


class TestOverdue:
    def test_overdue_is_open_and_past_its_due_date(self, meeting, coordination):
        today = date(2026, 6, 1)
        late = DecisionFactory(meeting=meeting, owner=coordination, due_on=today - timedelta(days=1))
        DecisionFactory(meeting=meeting, owner=coordination, due_on=today)
        DecisionFactory(meeting=meeting, owner=coordination, due_on=None)
        DecisionFactory(
            meeting=meeting, owner=coordination, due_on=today - timedelta(days=5), done=True, done_at=timezone.now()
        )
        assert list(Decision.objects.overdue(today)) == [late]
        flags = dict(Decision.objects.with_overdue(today).values_list("pk", "is_overdue"))
        assert [pk for pk, flag in flags.items() if flag] == [late.pk]


class TestForms:
    def test_meeting_ending_before_it_starts(self, client_for, meeting):
        data = {"date": "2026-05-20", "start_time": "14:00", "end_time": "12:00", "mode": "in_person"}
        data |= {"status": "planned", "place": "", "visio_url": "", "minutes": ""}
        response = client_for("coordination").post(reverse("governance:meeting_create", args=[meeting.body.pk]), data)
        assert response.status_code == 200
        assert escape(END_BEFORE_START) in response.text
        assert 'aria-invalid="true"' in response.text
        assert Meeting.objects.count() == 1

    def test_held_meeting_cannot_become_planned_again(self, client_for, meeting):
        Meeting.objects.filter(pk=meeting.pk).update(status="held")
        data = {"date": "2026-03-12", "start_time": "09:30", "end_time": "", "mode": "in_person"}
        data |= {"status": "planned", "place": "", "visio_url": "", "minutes": ""}
        response = client_for("coordination").post(reverse("governance:meeting_edit", args=[meeting.pk]), data)
        assert "Une réunion « Tenue » ne peut pas passer au statut « Prévue »." in response.text
        meeting.refresh_from_db()
        assert meeting.status == "held"

    def test_decision_without_owner(self, client_for, meeting, own_action):
        data = {"decision-text": "Lancer l'étude.", "decision-owner": "", "decision-actions": own_action.code}
        response = client_for("coordination").post(reverse("governance:decision_add", args=[meeting.pk]), data)
        assert response.status_code == 200
        assert escape(OWNER_REQUIRED) in response.text
        assert "Lancer l&#x27;étude." in response.text  # what was typed is kept
        assert not Decision.objects.exists()

    def test_decision_without_owner_htmx_gets_the_region(self, client_for, meeting):
        data = {"decision-text": "Lancer l'étude.", "decision-owner": ""}
        response = client_for("coordination").post(
            reverse("governance:decision_add", args=[meeting.pk]), data, headers={"HX-Request": "true"}
        )
        assert response.text.lstrip().startswith('<section id="decisions"')
        assert escape(OWNER_REQUIRED) in response.text
        assert "<html" not in response.text
        assert not Decision.objects.exists()

    def test_agenda_item_needs_a_title_or_an_action(self, client_for, meeting):
        response = client_for("coordination").post(
            reverse("governance:agenda_add", args=[meeting.pk]), {"agenda-title": "", "agenda-action": ""}
        )
        assert "Donnez un intitulé au point" in response.text
        assert not meeting.agenda_items.exists()

    def test_agenda_item_takes_its_action_title(self, client_for, meeting, own_action):
        client_for("coordination").post(
            reverse("governance:agenda_add", args=[meeting.pk]),
            {"agenda-title": "", "agenda-action": own_action.code.lower()},
        )
        assert meeting.agenda_items.get().title == f"{own_action.code} – {own_action.title}"

    def test_attendance_with_a_foreign_invitee_saves_nothing(self, client_for, meeting, coordination, elected):
        mine = AttendanceFactory(meeting=meeting, user=coordination)
        other = AttendanceFactory(user=elected)  # another meeting's
        data = {f"status_{mine.pk}": "present", f"status_{other.pk}": "present"}
        client_for("coordination").post(reverse("governance:attendance", args=[meeting.pk]), data)
        mine.refresh_from_db()
        other.refresh_from_db()
        # The form knows only this meeting's invitees: the other row is ignored, never touched.
        assert (mine.status, other.status) == ("present", "invited")

    def test_attendance_with_a_wrong_status_saves_nothing(self, client_for, meeting, coordination):
        mine = AttendanceFactory(meeting=meeting, user=coordination)
        response = client_for("coordination").post(
            reverse("governance:attendance", args=[meeting.pk]), {f"status_{mine.pk}": "venu"}
        )
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in response.text
        mine.refresh_from_db()
        assert mine.status == "invited"


class TestActionCodes:
    """Fiches actions are typed by their codes: a plan of hundreds of actions is no list to tick."""

    def form(self, convention, codes: str, **kwargs):
        data = {"decision-text": "Lancer l'étude.", "decision-owner": "", "decision-actions": codes}
        return DecisionForm(data, convention=convention, **kwargs)

    def test_codes_in_any_case_and_order_once_each(self, convention, own_action, other_action):
        form = self.form(convention, f"{other_action.code.lower()}; {own_action.code}, {other_action.code}")
        form.is_valid()
        assert form.cleaned_data["actions"] == [other_action, own_action]

    def test_an_unknown_code_is_named_in_french(self, convention, own_action):
        form = self.form(convention, f"{own_action.code} FA99.9")
        assert not form.is_valid()
        assert form.errors["actions"] == [UNKNOWN_CODES.format(codes="FA99.9")]

    def test_an_action_of_another_convention_is_unknown(self, convention):
        stranger = ActionFactory(code="ZZ1.1")
        form = self.form(convention, stranger.code)
        assert not form.is_valid() and "ZZ1.1" in form.errors["actions"][0]

    def test_a_decision_shows_its_actions_codes(self, convention, own_action, other_action, meeting):
        decision = DecisionFactory(meeting=meeting)
        decision.actions.set([own_action, other_action])
        form = DecisionForm(instance=decision, convention=convention)
        assert f'value="{own_action.code}, {other_action.code}"' in str(form["actions"]) or (
            f'value="{other_action.code}, {own_action.code}"' in str(form["actions"])
        )

    def test_one_code_for_an_agenda_item(self, client_for, meeting, own_action, other_action):
        response = client_for("coordination").post(
            reverse("governance:agenda_add", args=[meeting.pk]),
            {"agenda-title": "", "agenda-action": f"{own_action.code} {other_action.code}"},
        )
        assert escape(ONE_CODE) in response.text
        assert not meeting.agenda_items.exists()
