"""Conflicting requests at the same instant on the write endpoints of the fiches actions (issue 6: integrity under
concurrency); `tests/test_concurrency_more.py` does the same for the referentials and the bilans.

Each test fires a pair of requests from two threads, each with its own database connection and so its own
transaction (ATOMIC_REQUESTS), for several rounds, and checks: no 500 (a view that raises fails the test), nothing
lost or reverted, the action's status and progress those of its latest point d'étape, one winner where there
must be one, and the loser told why in French, with the form's own message.

PostgreSQL only (DATABASE_URL=postgres://…): threads cannot share SQLite's in-memory test database, and SQLite
runs one writing transaction at a time (transaction_mode IMMEDIATE), so these races cannot happen there.
`pause_before` holds each request just before it writes, so that both have read and checked their form first:
the interleaving where a missing lock, a check made too early or a full-row save would lose something. Which one
then writes first is left to the race; `tally` counts the outcomes (printed with `-s`).
"""

import pytest
from django.urls import reverse

from actions.enums import ActionStatus
from actions.models import ARCHIVED_ACTION, PARTNER_TAKEN, TRANSITION_NOT_ALLOWED, Action, ActionPartner, Milestone
from actions.services import ACTION_ARCHIVED, ACTION_GONE, HAS_UPDATES, PART_GONE
from actions.views import detail, inline, progress
from actions.views.detail import ALREADY_DELETED, ARCHIVED, DELETED
from actions.views.progress import RECORDED
from tests.actions.factories import ActionFactory, BudgetLineFactory, MilestoneFactory
from tests.actions.test_views_detail import form_data
from tests.concurrency import (
    HTMX,
    RACE_MARKS,
    logged_in,
    messages_of,
    pause_before,
    race,
    said,
    tally,
    text_of,
)
from tests.partners.factories import PartnerFactory

ROUNDS = 4
pytestmark = RACE_MARKS


@pytest.fixture
def head(service_head):
    return logged_in(service_head)


@pytest.fixture
def new_action(objective, service):
    def make(number: int) -> Action:
        return ActionFactory(objective=objective, pilot_service=service, code=f"R{number}")

    return make


def each_round(play) -> None:
    """Play the race `ROUNDS` times (`play(number)`): which request wins varies from one round to the next."""
    for number in range(ROUNDS):
        play(number)


def url(name: str, pk: int) -> str:
    return reverse(f"actions:{name}", args=[pk])


def point(client, action: Action, htmx: bool = True, **fields):
    data = {"status": "in_progress", "progress": 60, "done": "Atelier.", "origin": "detail", **fields}
    return client.post(url("record_progress", action.pk), data, headers=HTMX if htmx else {})


def archive(client, action: Action):
    return client.post(url("archive", action.pk), {"archived": "1"})


def assert_follows_latest_point(action: Action) -> None:
    action.refresh_from_db()
    latest = action.updates.order_by("-recorded_at", "-pk").first()
    if latest is not None:
        assert (action.status, action.progress) == (latest.status, latest.progress)


class TestFiche:
    def test_edit_vs_archive(self, coordinators, new_action, monkeypatch):
        """The archiving once wrote back the title it had read: now each writes only its own fields."""
        pause_before(monkeypatch, detail, "save_form")
        pause_before(monkeypatch, detail, "action_set_archived")

        def play(number):
            action = new_action(number)
            title = f"Titre {number}"
            edit, archived = race(
                lambda: coordinators[0].post(url("edit", action.pk), form_data(action, title=title)),
                lambda: archive(coordinators[1], action),
                lead=number % 2,
            )
            assert messages_of(edit) == ["La fiche a été enregistrée."] and messages_of(archived) == [ARCHIVED]
            action.refresh_from_db()
            assert (action.title, action.version, action.status, action.progress) == (title, 2, "in_progress", 40)
            assert action.archived_at is not None and action.history.first().title == title
            tally("both kept")

        each_round(play)

    def test_edit_vs_point(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, detail, "save_form")
        pause_before(monkeypatch, progress, "action_lock")

        def play(number):
            action = new_action(number)
            edit, update = race(
                lambda: coordinators[0].post(url("edit", action.pk), form_data(action, title=f"Titre {number}")),
                lambda: point(head, action, progress=70 + number),
                lead=number % 2,
            )
            assert edit.status_code == 302 and RECORDED in text_of(update)
            assert_follows_latest_point(action)
            assert (action.title, action.progress) == (f"Titre {number}", 70 + number)
            tally("both kept")

        each_round(play)

    def test_compatible_points(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, progress, "action_lock")

        def play(number):
            action = new_action(number)
            responses = race(
                lambda: point(head, action, progress=60),
                lambda: point(coordinators[0], action, progress=80),
                lead=number % 2,
            )
            assert all(RECORDED in text_of(response) for response in responses)
            assert action.updates.count() == 2
            assert_follows_latest_point(action)
            tally(f"both recorded, {action.progress} % last")

        each_round(play)

    def test_incompatible_points(self, coordinators, head, new_action, monkeypatch):
        """One "réalisée", the other "reportée": the second one is refused with the form's message (it was a 500)."""
        pause_before(monkeypatch, progress, "action_lock")

        def play(number):
            action, htmx = new_action(number), number in (0, 3)  # both pages, both winners
            done, postponed = race(
                lambda: point(head, action, htmx, status="done", progress=100),
                lambda: point(coordinators[0], action, htmx, status="postponed", progress=40),
                lead=number % 2,
            )
            assert action.updates.count() == 1
            assert_follows_latest_point(action)
            won = ActionStatus(action.status)
            loser, lost = (
                (postponed, ActionStatus.POSTPONED) if won == ActionStatus.DONE else (done, ActionStatus.DONE)
            )
            assert loser.status_code == 200
            assert said(loser, TRANSITION_NOT_ALLOWED.format(current=won.label, new=lost.label))
            tally(f"{won.label} won, {'fragment' if htmx else 'page'} refused")

        each_round(play)

    def test_point_vs_archive(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, progress, "action_lock")
        pause_before(monkeypatch, detail, "action_set_archived")

        def play(number):
            action = new_action(number)
            update, archived = race(
                lambda: point(head, action, number in (0, 3), progress=75),
                lambda: archive(coordinators[0], action),
                lead=number % 2,
            )
            assert messages_of(archived) == [ARCHIVED]
            assert_follows_latest_point(action)
            if action.updates.exists():
                assert said(update, RECORDED) and action.progress == 75
                tally("point, then archived")
            elif update.status_code == 403:
                tally("archived before the point was read: 403")
            else:
                assert said(update, ARCHIVED_ACTION)
                tally("archived, point refused")

        each_round(play)

    def test_point_vs_delete(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, progress, "action_lock")
        pause_before(monkeypatch, detail, "action_delete")

        def play(number):
            action = new_action(number)
            update, delete = race(
                lambda: point(head, action, number in (0, 3)),
                lambda: coordinators[0].post(url("delete", action.pk)),
                lead=number % 2,
            )
            if Action.objects.filter(pk=action.pk).exists():
                assert said(update, RECORDED) and messages_of(delete) == [HAS_UPDATES]
                assert_follows_latest_point(action)
                tally("point, deletion refused")
            else:
                assert messages_of(delete) == [DELETED.format(action)]
                assert update.status_code == 404 or messages_of(update) == [ACTION_GONE]
                tally(f"deleted, point told {'404' if update.status_code == 404 else 'ACTION_GONE'}")

        each_round(play)

    def test_archive_twice(self, coordinators, new_action, monkeypatch):
        """A double click archives once: one change in the history."""
        pause_before(monkeypatch, detail, "action_set_archived")

        def play(number):
            action = new_action(number)
            responses = race(*[lambda client=client: archive(client, action) for client in coordinators])
            assert all(messages_of(response) == [ARCHIVED] for response in responses)
            assert action.history.filter(archived_at__isnull=False).count() == 1
            tally("archived once")

        each_round(play)

    def test_delete_twice(self, coordinators, new_action, monkeypatch):
        pause_before(monkeypatch, detail, "action_delete")

        def play(number):
            action = new_action(number)
            responses = race(*[lambda client=client: client.post(url("delete", action.pk)) for client in coordinators])
            assert not Action.objects.filter(pk=action.pk).exists()
            flashed = sorted(message for response in responses for message in messages_of(response))
            assert flashed in (
                sorted([ALREADY_DELETED.format(action), DELETED.format(action)]),
                [DELETED.format(action)],
            )
            tally("deleted once, the other told so" if len(flashed) == 2 else "deleted once, the other 404")

        each_round(play)

    def test_create_twice_with_the_same_code(self, coordinators, objective, service, monkeypatch):
        """Case aside, the same code: one fiche (both were created), the other form says the code is taken."""
        pause_before(monkeypatch, detail, "save_form")

        def play(number):
            data = form_data(objective=objective.pk, pilot_service=service.pk, title="Fiche", code=f"D{number}")
            responses = race(
                lambda: coordinators[0].post(reverse("actions:create"), data),
                lambda: coordinators[1].post(reverse("actions:create"), {**data, "code": f"d{number}"}),
            )
            assert Action.objects.filter(code__iexact=f"D{number}").count() == 1
            assert sorted(response.status_code for response in responses) == [200, 302]
            assert "Ce code est déjà utilisé" in text_of(next(r for r in responses if r.status_code == 200))
            tally("one created, the other form refused")

        each_round(play)


class TestParts:
    def test_milestone_edit_vs_delete(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, inline, "action_part_lock")
        pause_before(monkeypatch, inline, "action_part_delete")

        def play(number):
            milestone = MilestoneFactory(action=new_action(number))
            data = {"edit-title": "Jalon revu", "edit-due_on": "2026-06-30", "edit-done_on": ""}
            edit, delete = race(
                lambda: head.post(url("milestone_edit", milestone.pk), data, headers=HTMX),
                lambda: coordinators[0].post(url("milestone_delete", milestone.pk), headers=HTMX),
                lead=number % 2,
            )
            assert not Milestone.objects.filter(pk=milestone.pk).exists() and "Jalon supprimé." in text_of(delete)
            tally(part_outcome(edit, "Jalon enregistré."))

        each_round(play)

    def test_budget_edit_vs_delete(self, coordinators, new_action, monkeypatch):
        pause_before(monkeypatch, inline, "action_part_lock")
        pause_before(monkeypatch, inline, "action_part_delete")

        def play(number):
            line = BudgetLineFactory(action=new_action(number))
            edit, delete = race(
                lambda: coordinators[0].post(
                    url("budget_edit", line.pk), budget_data(line, planned="12000"), headers=HTMX
                ),
                lambda: coordinators[1].post(url("budget_delete", line.pk)),
                lead=number % 2,
            )
            assert messages_of(delete) == ["Ligne budgétaire supprimée."]
            tally(part_outcome(edit, "Ligne budgétaire enregistrée."))

        each_round(play)

    def test_planned_and_actual_edited_at_once(self, coordinators, head, new_action, monkeypatch):
        """The coordination changes the planned amount while the service enters the actual one: both kept."""
        pause_before(monkeypatch, inline, "action_part_lock")

        def play(number):
            line = BudgetLineFactory(action=new_action(number))
            race(
                lambda: coordinators[0].post(
                    url("budget_edit", line.pk), budget_data(line, planned="12000"), headers=HTMX
                ),
                lambda: head.post(url("budget_edit", line.pk), {"edit-actual": "9000", "initial-edit-actual": ""}),
            )
            line.refresh_from_db()
            assert (line.planned, line.actual) == (12000, 9000)
            tally("both kept")

        each_round(play)

    def test_same_partner_twice(self, coordinators, new_action, monkeypatch):
        """ "Associer le partenaire" posted twice at once (it was a 500): one association, the other form says why."""
        pause_before(monkeypatch, inline, "action_part_lock")
        partner = PartnerFactory()

        def play(number):
            action, headers = new_action(number), HTMX if number in (0, 3) else {}
            data = {"new-partner-partner": partner.pk, "new-partner-role": "funder"}
            add = [
                lambda client=client: client.post(url("partner_add", action.pk), data, headers=headers)
                for client in coordinators
            ]
            responses = race(*add)
            assert ActionPartner.objects.filter(action=action).count() == 1
            refused = [response for response in responses if PARTNER_TAKEN in text_of(response)]
            assert len(refused) == 1 and refused[0].status_code == 200
            assert any(said(response, "Partenaire ajouté.") for response in responses)
            tally(f"one added, the other {'fragment' if headers else 'page'} refused")

        each_round(play)

    def test_partner_vs_archive(self, coordinators, new_action, monkeypatch):
        pause_before(monkeypatch, inline, "action_part_lock")
        pause_before(monkeypatch, detail, "action_set_archived")

        def play(number):
            action = new_action(number)
            data = {"new-partner-partner": PartnerFactory().pk, "new-partner-role": "relay"}
            add, _ = race(
                lambda: coordinators[0].post(url("partner_add", action.pk), data, headers=HTMX),
                lambda: archive(coordinators[1], action),
                lead=number % 2,
            )
            if ActionPartner.objects.filter(action=action).exists():
                assert said(add, "Partenaire ajouté.")
                tally("added, then archived")
            else:
                assert add.status_code == 403 or ACTION_ARCHIVED in text_of(add)
                tally(f"archived, addition told {add.status_code if add.status_code == 403 else 'ACTION_ARCHIVED'}")

        each_round(play)

    def test_partner_removed_twice(self, coordinators, new_action, monkeypatch):
        pause_before(monkeypatch, inline, "action_part_delete")

        def play(number):
            role = ActionPartner.objects.create(action=new_action(number), partner=PartnerFactory(), role="relay")
            remove = [
                lambda client=client: client.post(url("partner_remove", role.pk), headers=HTMX)
                for client in coordinators
            ]
            responses = race(*remove)
            assert not ActionPartner.objects.filter(pk=role.pk).exists()
            assert sum("Partenaire retiré." in text_of(response) for response in responses) == 1
            other = next(response for response in responses if "Partenaire retiré." not in text_of(response))
            assert other.status_code == 404 or inline.ALREADY_DELETED in text_of(other)
            tally("removed once, the other told so" if other.status_code == 200 else "removed once, the other 404")

        each_round(play)

    def test_milestone_vs_deleted_fiche(self, coordinators, head, new_action, monkeypatch):
        pause_before(monkeypatch, inline, "action_part_lock")
        pause_before(monkeypatch, detail, "action_delete")

        def play(number):
            action = new_action(number)
            data = {"new-milestone-title": "Jalon", "new-milestone-due_on": "2026-05-01"}
            add, delete = race(
                lambda: head.post(url("milestone_add", action.pk), data, headers=HTMX),
                lambda: coordinators[0].post(url("delete", action.pk)),
                lead=number % 2,
            )
            assert messages_of(delete) == [DELETED.format(action)]
            assert not Milestone.objects.filter(action_id=action.pk).exists()
            if "Jalon ajouté." in text_of(add):
                tally("added, then deleted with the fiche")
            else:
                assert add.status_code == 404 or messages_of(add) == [ACTION_GONE]
                tally(f"deleted, addition told {'404' if add.status_code == 404 else 'ACTION_GONE'}")

        each_round(play)


def part_outcome(edit, saved: str) -> str:
    """An edit racing a deletion: saved first, told it was deleted meanwhile, or too late (404)."""
    if edit.status_code == 404:
        return "deleted before the edit was read: 404"
    if said(edit, saved):
        return "edited, then deleted"
    assert said(edit, PART_GONE)
    return "deleted, edit told PART_GONE"


def budget_data(line, **changes) -> dict:
    """The budget line's edit form as a browser sends it: the values shown, hidden, and the fields typed."""
    shown = {"year": line.year, "nature": line.nature, "funder": line.funder, "planned": line.planned, "actual": ""}
    return {
        **{f"initial-edit-{name}": value for name, value in shown.items()},
        **{f"edit-{name}": value for name, value in {**shown, **changes}.items()},
    }


def test_a_burst_of_points(head, coordinators, new_action):
    """Six points d'étape at once on the same action: all recorded, the action at the last one's values."""
    action = new_action(0)
    clients = [head, *coordinators] * 2
    values = range(10, 70, 10)
    race(
        *[
            lambda client=client, value=value: point(client, action, progress=value)
            for client, value in zip(clients, values, strict=True)
        ]
    )
    assert action.updates.count() == 6
    assert_follows_latest_point(action)
