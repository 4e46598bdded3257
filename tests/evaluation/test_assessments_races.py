"""Conflicting requests at the same instant on the write endpoints of the evaluations and workshops (see
tests/concurrency.py for the method): nothing is lost, nobody gets a 500. PostgreSQL only."""

from django.urls import reverse

from ctg.views import helpers
from ctg.views.helpers import ALREADY_DELETED, GONE
from evaluation.models import ASSESSMENT_TAKEN, Assessment, Workshop
from evaluation.views import assessments
from tests.concurrency import RACE_MARKS, messages_of, pause_before, race, said, tally, text_of
from tests.evaluation.factories import AssessmentFactory, WorkshopFactory
from tests.evaluation.test_assessments import create_data, edit
from tests.evaluation.test_workshops import form_data

ROUNDS = 3
pytestmark = RACE_MARKS


def each_round(play) -> None:
    for number in range(ROUNDS):
        play(number)


class TestAssessmentRaces:
    def test_the_same_evaluation_created_twice(self, coordinators, own_action, monkeypatch):
        """Both forms pass their checks before either saves: one is created, the other form says it exists."""
        pause_before(monkeypatch, assessments, "save_form")
        url = reverse("evaluation:assessment_create")

        def play(number):
            data = create_data(own_action, year=str(2022 + number))
            responses = race(*[lambda client=client: client.post(url, data) for client in coordinators])
            assert Assessment.objects.filter(action=own_action, year=2022 + number).count() == 1
            assert sorted(response.status_code for response in responses) == [200, 302]
            refused = next(response for response in responses if response.status_code == 200)
            assert ASSESSMENT_TAKEN in text_of(refused)
            tally("one created, the other form refused")

        each_round(play)

    def test_two_edits_of_the_same_evaluation(self, coordinators, own_action, monkeypatch):
        """Both read the same save: one is saved, the other is shown the conflict with its input kept."""
        pause_before(monkeypatch, assessments, "save_form")

        def play(number):
            assessment = AssessmentFactory(action=own_action, year=2022 + number)
            url = reverse("evaluation:assessment_edit", args=[assessment.pk])
            notes = [f"Note de Claire {number}", f"Note de Sami {number}"]
            posts = [
                lambda client=client, text=text: client.post(url, edit(assessment, relevance_note=text))
                for client, text in zip(coordinators, notes, strict=True)
            ]
            responses = race(*posts, lead=number % 2)
            assessment.refresh_from_db()
            assert assessment.relevance_note in notes
            winner = notes.index(assessment.relevance_note)
            assert responses[winner].status_code == 302
            loser = responses[1 - winner]
            assert loser.status_code == 200
            assert "pendant que vous la modifiiez" in text_of(loser) and notes[1 - winner] in text_of(loser)
            tally("one saved, the other shown the conflict")

        each_round(play)

    def test_evaluation_edit_vs_delete(self, coordinators, own_action, monkeypatch):
        pause_before(monkeypatch, assessments, "save_form")

        def play(number):
            assessment = AssessmentFactory(action=own_action, year=2022 + number)
            data = edit(assessment, recommendation="adapt")
            editing, deleting = race(
                lambda: coordinators[0].post(reverse("evaluation:assessment_edit", args=[assessment.pk]), data),
                lambda: coordinators[1].post(reverse("evaluation:assessment_delete", args=[assessment.pk])),
                lead=number % 2,
            )
            assert not Assessment.objects.filter(pk=assessment.pk).exists()
            assert deleting.status_code == 302
            if editing.status_code == 404:
                tally("deleted before the edit was read")
            elif said(editing, GONE.format(assessment)):
                tally("deleted first: the edit is told")
            else:
                assert editing.status_code == 302
                assert Assessment.history.filter(id=assessment.pk, recommendation="adapt").exists()
                tally("edited, then deleted")

        each_round(play)


class TestWorkshopRaces:
    def test_workshop_edit_vs_delete(self, coordinators, convention, monkeypatch):
        pause_before(monkeypatch, helpers, "save_form")

        def play(number):
            workshop = WorkshopFactory(convention=convention)
            topic = f"Renommé {number}"
            editing, deleting = race(
                lambda: coordinators[0].post(
                    reverse("evaluation:workshop_edit", args=[workshop.pk]), form_data(topic=topic)
                ),
                lambda: coordinators[1].post(reverse("evaluation:workshop_delete", args=[workshop.pk])),
                lead=number % 2,
            )
            assert not Workshop.objects.filter(pk=workshop.pk).exists()
            assert deleting.status_code == 302
            assert messages_of(deleting) != [ALREADY_DELETED.format(workshop)]
            if editing.status_code == 404:
                tally("deleted before the edit was read")
            elif messages_of(editing) == [GONE.format(workshop)]:
                tally("deleted first: the edit is told")
            else:
                assert editing.status_code == 302
                assert Workshop.history.filter(id=workshop.pk, topic=topic).exists()
                tally("edited, then deleted")

        each_round(play)
