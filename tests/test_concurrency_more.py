"""Conflicting requests at the same instant on the write endpoints of the referentials (convention, axes, objectives,
signatories, partners) and of the bilans: see `tests/test_concurrency.py` for the method. PostgreSQL only."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.views import detail
from ctg.models import Axis, Objective, Signatory
from ctg.views import helpers
from ctg.views.helpers import GONE, PROTECTED_DELETE
from partners.models import Partner
from reports import workflow
from reports.models import AnnualReport, Reminder
from reports.reminders import JUST_SENT
from reports.views import campaign
from reports.views.bilans import NARRATIVE_SAVED, VALIDATED
from tests.actions.factories import ActionFactory
from tests.actions.test_views_detail import form_data
from tests.concurrency import (
    PAUSE,
    RACE_MARKS,
    logged_in,
    messages_of,
    pause_before,
    race,
    said,
    tally,
    text_of,
)
from tests.ctg.factories import AxisFactory, ObjectiveFactory, SignatoryFactory, UserFactory
from tests.reports.factories import AnnualReportFactory, ready_version

ROUNDS = 3
pytestmark = RACE_MARKS


def each_round(play) -> None:
    for number in range(ROUNDS):
        play(number)


def ctg_url(name: str, *args) -> str:
    return reverse(f"ctg:{name}", args=args)


def unique_message(instance) -> str:
    """What the model says of `instance` now that the other request's row is committed."""
    with pytest.raises(ValidationError) as error:
        instance.validate_unique()
        instance.validate_constraints()
    return error.value.messages[0]


class TestReferentials:
    def test_same_axis_code_twice(self, coordinators, convention, monkeypatch):
        pause_before(monkeypatch, helpers, "save_form")

        def play(number):
            data = {"code": f"X{number}", "title": "Axe", "theme": "youth", "order": 1}
            add = [
                lambda client=client: client.post(ctg_url("axis_create", convention.pk), data)
                for client in coordinators
            ]
            responses = race(*add)
            assert Axis.objects.filter(convention=convention, code=f"X{number}").count() == 1
            refused = next(response for response in responses if response.status_code == 200)
            assert unique_message(Axis(convention=convention, code=f"X{number}")) in text_of(refused)
            tally("one created, the other form refused")

        each_round(play)

    def test_same_partner_name_twice(self, coordinators, monkeypatch):
        pause_before(monkeypatch, helpers, "save_form")

        def play(number):
            data = {"name": f"Association {number}", "kind": "association"}
            responses = race(
                *[lambda client=client: client.post(reverse("partners:create"), data) for client in coordinators]
            )
            assert Partner.objects.filter(name=f"Association {number}").count() == 1
            refused = next(response for response in responses if response.status_code == 200)
            assert unique_message(Partner(name=f"Association {number}", kind="association")) in text_of(refused)
            tally("one created, the other form refused")

        each_round(play)

    def test_objective_vs_axis_deletion(self, coordinators, convention, monkeypatch):
        """A new objective in an axis being deleted: either the axis is protected, or the form says it is gone."""
        pause_before(monkeypatch, helpers, "save_form")
        pause_before(monkeypatch, helpers, "lock_instance")
        strategic = ObjectiveFactory(axis__convention=convention, level="strategic", parent=None)

        def play(number):
            axis = AxisFactory(convention=convention)
            data = {"axis": axis.pk, "level": "strategic", "code": f"OS{number}", "title": "Objectif", "order": 1}
            create, delete = race(
                lambda: coordinators[0].post(ctg_url("objective_create", convention.pk), data),
                lambda: coordinators[1].post(ctg_url("axis_delete", axis.pk)),
                lead=number % 2,
            )
            if Axis.objects.filter(pk=axis.pk).exists():
                assert create.status_code == 302 and messages_of(delete) == [PROTECTED_DELETE]
                tally("objective created, axis protected")
            else:
                assert not Objective.objects.filter(axis_id=axis.pk).exists()
                assert create.status_code == 200 and "Sélectionnez un choix valide" in text_of(create)
                tally("axis deleted, objective form refused")
            assert strategic.pk

        each_round(play)

    def test_action_vs_objective_deletion(self, coordinators, convention, service, monkeypatch):
        """A new fiche on an objective being deleted: either the objective is protected, or the form says it is
        gone. Without the foreign keys checked at once, the fiche's commit failed after the deletion's (a 500)."""
        deletion_pause = {"seconds": PAUSE}
        pause_before(monkeypatch, detail, "save_form")
        pause_before(monkeypatch, helpers, "lock_instance", lambda: deletion_pause["seconds"])

        def play(number):
            objective = ObjectiveFactory(axis__convention=convention)
            data = form_data(objective=objective.pk, pilot_service=service.pk, code=f"N{number}")
            deletion_pause["seconds"] = PAUSE if number % 2 == 0 else 3 * PAUSE  # the fiche's form takes longer
            create, delete = race(
                lambda: coordinators[0].post(reverse("actions:create"), data),
                lambda: coordinators[1].post(ctg_url("objective_delete", objective.pk)),
            )
            if Objective.objects.filter(pk=objective.pk).exists():
                assert Action.objects.filter(objective=objective).count() == 1
                assert messages_of(delete) == [PROTECTED_DELETE]
                tally("fiche created, objective protected")
            else:
                assert create.status_code == 200 and "Sélectionnez un choix valide" in text_of(create)
                tally("objective deleted, fiche form refused")

        each_round(play)

    def test_signatory_edit_vs_delete(self, coordinators, convention, monkeypatch):
        pause_before(monkeypatch, helpers, "lock_instance")

        def play(number):
            signatory = SignatoryFactory(convention=convention)
            data = {"organisation": "Ville", "person": f"Maire {number}", "title": "maire", "signed_on": ""}
            edit, delete = race(
                lambda: coordinators[0].post(ctg_url("signatory_edit", signatory.pk), data),
                lambda: coordinators[1].post(ctg_url("signatory_delete", signatory.pk)),
                lead=number % 2,
            )
            assert not Signatory.objects.filter(pk=signatory.pk).exists()
            if messages_of(edit) == [helpers.SAVED.format(f"Ville – Maire {number}")]:
                tally("edited, then deleted")
            else:
                assert edit.status_code == 404 or said(edit, GONE.format(signatory))
                tally(f"deleted, edit told {'404' if edit.status_code == 404 else 'GONE'}")

        each_round(play)


@pytest.fixture
def validators(direction):
    return logged_in(direction), logged_in(UserFactory(direction=True, username="direction-2"))


class TestBilans:
    def test_narrative_twice(self, coordinators, convention, monkeypatch):
        """Two people save the narrative read at the same version: one saves, the other is shown the conflict."""
        pause_before(monkeypatch, workflow, "bilan_save_narrative")

        def play(number):
            report = AnnualReportFactory(convention=convention, year=2022 + number)
            texts = [f"Synthèse de Claire {number}", f"Synthèse de Sami {number}"]
            edit = [
                lambda client=client, text=text: client.post(
                    reverse("reports:bilan_edit", args=[report.pk]), {"synthesis": text, "version": 1}
                )
                for client, text in zip(coordinators, texts, strict=True)
            ]
            responses = race(*edit)
            report.refresh_from_db()
            assert report.version == 2 and report.synthesis in texts
            winner = texts.index(report.synthesis)
            assert messages_of(responses[winner]) == [NARRATIVE_SAVED]
            loser = responses[1 - winner]
            assert loser.status_code == 200 and "Le bilan a été modifié par" in text_of(loser)
            tally("one saved, the other shown the conflict")

        each_round(play)

    def test_validate_twice(self, coordination, validators, convention, monkeypatch):
        pause_before(monkeypatch, workflow, "bilan_validate")

        def play(number):
            report = AnnualReportFactory(convention=convention, year=2022 + number)
            version = ready_version(report, 1, coordination)
            url = reverse("reports:bilan_validate", args=[report.pk])
            responses = race(
                *[lambda client=client: client.post(url, {"version": version.pk}) for client in validators]
            )
            report.refresh_from_db()
            assert report.status == "validated" and report.history.filter(status="validated").count() == 1
            flashed = [messages_of(response) for response in responses]
            assert [VALIDATED.format(number=1, year=report.year)] in flashed
            assert any(messages[0].startswith("Ce bilan est déjà validé") for messages in flashed)
            tally("validated once, the other told so")

        each_round(play)

    def test_transmit_vs_new_version(self, coordinators, coordination, direction, convention, settings, monkeypatch):
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        pause_before(monkeypatch, workflow, "bilan_transmit")
        pause_before(monkeypatch, workflow, "bilan_request_version")

        def play(number):
            report = AnnualReportFactory(convention=convention, year=2022 + number)
            workflow.bilan_validate(report=report, by=direction, version=ready_version(report, 1, coordination))
            today = timezone.localdate()
            transmit, generate = race(
                lambda: coordinators[0].post(
                    reverse("reports:bilan_transmit", args=[report.pk]), {"transmitted_on": today, "channel": "email"}
                ),
                lambda: coordinators[1].post(reverse("reports:bilan_generate", args=[report.pk])),
                lead=number % 2,
            )
            report.refresh_from_db()
            if report.is_transmitted:
                assert report.versions.count() == 1 and report.transmitted_version.number == 1
                assert messages_of(generate)[0].startswith("Ce bilan a été transmis à la CAF le")
                tally("transmitted, new version refused")
            else:
                assert report.status == "draft" and report.versions.count() == 2
                assert transmit.status_code == 200 and workflow.NOT_VALIDATED in text_of(transmit)
                tally("new version, transmission refused")

        each_round(play)

    def test_start_the_same_bilan_twice(self, coordinators, convention, monkeypatch):
        pause_before(monkeypatch, workflow, "bilan_create")

        def play(number):
            data = {"convention": convention.pk, "year": 2022 + number}
            url = reverse("reports:bilan_create")
            responses = race(*[lambda client=client: client.post(url, data) for client in coordinators])
            report = AnnualReport.objects.get(convention=convention, year=2022 + number)
            assert [response.url for response in responses] == [report.get_absolute_url()] * 2
            tally("one bilan, both sent to it")

        each_round(play)

    def test_reminders_twice(self, coordinators, convention, objective, service, service_head, monkeypatch):
        """Two sends of the same campaign: each service head gets one e-mail."""
        service.head = service_head
        service.save()
        ActionFactory(
            objective=objective, pilot_service=service, start_date=date(2022, 1, 1), end_date=date(2026, 12, 31)
        )
        pause_before(monkeypatch, campaign, "campaign_send_reminders")

        def play(number):
            year = 2022 + number
            data = {"convention": convention.pk, "year": year}
            url = reverse("reports:send_reminders")
            responses = race(*[lambda client=client: client.post(url, data) for client in coordinators])
            assert Reminder.objects.filter(year=year).count() == 1
            assert len([message for message in mail.outbox if str(year) in message.subject]) == 1
            flashed = [messages_of(response)[-1] for response in responses]
            assert any(message.startswith(JUST_SENT.split(" de la campagne")[0]) for message in flashed)
            tally("sent once, the other told to wait")

        each_round(play)
