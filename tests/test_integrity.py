"""The invariants the forms check also hold in the database, and each write saves only what it owns (issue 6). The
races themselves are in `tests/test_concurrency.py` (PostgreSQL); these run on SQLite too."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actions.forms import ActionForm, MilestoneForm
from actions.models import CODE_TAKEN, DONE_NEEDS_FULL_PROGRESS, Action, BudgetLine, Milestone, ProgressUpdate
from actions.perms import can_update_action
from actions.services import (
    ActionGone,
    ActionUnavailable,
    PartGone,
    action_delete,
    action_part_lock,
    action_part_save,
    action_record_progress,
    action_set_archived,
)
from ctg.models import Objective, User
from ctg.views.helpers import lock_instance
from tests.actions.factories import ActionFactory, BudgetLineFactory, MilestoneFactory, ProgressUpdateFactory
from tests.actions.test_views_detail import form_data
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, ServiceFactory


def refused_by_the_database(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


class TestConstraints:
    def test_code_unique_per_convention_whatever_the_case(self, own_action, objective):
        refused_by_the_database(lambda: ActionFactory(objective=objective, code=own_action.code.lower()))
        ActionFactory(objective=ObjectiveFactory(axis__convention=ConventionFactory()), code=own_action.code)

    def test_done_means_100_percent(self, own_action, service_head):
        refused_by_the_database(lambda: Action.objects.filter(pk=own_action.pk).update(status="done", progress=90))
        refused_by_the_database(lambda: ProgressUpdateFactory(action=own_action, status="done", progress=90))
        Action.objects.filter(pk=own_action.pk).update(status="done", progress=100)

    def test_budget_year_in_range(self, own_action):
        refused_by_the_database(lambda: BudgetLineFactory(action=own_action, year=1999))

    @pytest.mark.parametrize("level", ["strategic", "operational"])
    def test_objective_parent_follows_its_level(self, objective, level):
        strategic = objective.parent
        parent = strategic if level == "strategic" else None
        refused_by_the_database(
            lambda: Objective.objects.create(axis=strategic.axis, level=level, parent=parent, code="X")
        )

    def test_service_head_has_a_service(self, db):
        refused_by_the_database(lambda: User.objects.create(username="sans-service", role="service_head"))

    def test_model_validation_gives_the_form_messages(self, own_action, objective):
        """What the admin and imports run (`full_clean`) says it in French, before the database refuses."""
        duplicate = Action(
            objective=objective, code=own_action.code.lower(), title="X", pilot_service=own_action.pilot_service
        )
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert CODE_TAKEN in error.value.messages
        update = ProgressUpdate(action=own_action, author=User.objects.first(), status="done", progress=50)
        with pytest.raises(ValidationError) as error:
            update.full_clean(exclude=["author"])
        assert DONE_NEEDS_FULL_PROGRESS in error.value.messages


class TestConventionFollowsTheObjective:
    def test_set_on_creation_and_kept_in_step(self, own_action):
        assert own_action.convention == own_action.objective.axis.convention
        elsewhere = ObjectiveFactory(axis__convention=ConventionFactory())
        action = Action.objects.get(pk=own_action.pk)
        action.objective_id = elsewhere.pk
        action.save(update_fields=["objective"])
        assert Action.objects.get(pk=action.pk).convention_id == elsewhere.axis.convention_id

    def test_no_query_when_the_objective_is_loaded(self, own_action, django_assert_num_queries):
        action = Action.objects.select_related("objective__axis").get(pk=own_action.pk)
        with django_assert_num_queries(0):
            action.sync_convention()


class TestOwnFieldsOnly:
    """A stale copy of the fiche (read before someone else saved) never writes back the others' fields."""

    def test_archiving_keeps_a_title_saved_meanwhile(self, own_action, coordination):
        stale = Action.objects.get(pk=own_action.pk)
        Action.objects.filter(pk=own_action.pk).update(title="Titre changé entre-temps", progress=70)
        action_set_archived(action=stale, by=coordination, archived=True)
        fresh = Action.objects.get(pk=own_action.pk)
        assert (fresh.title, fresh.progress) == ("Titre changé entre-temps", 70) and fresh.archived_at is not None

    def test_archiving_twice_changes_once(self, own_action, coordination):
        action_set_archived(action=own_action, by=coordination, archived=True)
        action_set_archived(action=Action.objects.get(pk=own_action.pk), by=coordination, archived=True)
        assert own_action.history.filter(archived_at__isnull=False).count() == 1

    def test_edit_form_keeps_status_progress_and_archiving(self, own_action, coordination):
        stale = Action.objects.get(pk=own_action.pk)
        Action.objects.filter(pk=own_action.pk).update(status="done", progress=100, archived_at=timezone.now())
        form = ActionForm(form_data(own_action, title="Nouveau"), instance=stale, convention=own_action.convention)
        assert form.is_valid(), form.errors
        form.save()
        fresh = Action.objects.get(pk=own_action.pk)
        assert (fresh.title, fresh.status, fresh.progress, fresh.version) == ("Nouveau", "done", 100, 2)
        assert fresh.archived_at is not None

    def test_budget_edit_keeps_an_actual_entered_meanwhile(self, client_for, own_action):
        """The coordination's form was shown before the service entered the actual amount: both are kept."""
        line = BudgetLineFactory(action=own_action)
        BudgetLine.objects.filter(pk=line.pk).update(actual=9000)
        shown = {"year": 2025, "nature": "operating", "funder": "commune", "planned": "10000.00", "actual": ""}
        data = {**{f"initial-edit-{k}": v for k, v in shown.items()}, **{f"edit-{k}": v for k, v in shown.items()}}
        data["edit-planned"] = "12000"
        client_for("coordination").post(reverse("actions:budget_edit", args=[line.pk]), data)
        line.refresh_from_db()
        assert (line.planned, line.actual) == (12000, 9000)


class TestGoneOrArchivedMeanwhile:
    def test_point_on_a_deleted_action(self, own_action, service_head):
        Action.objects.filter(pk=own_action.pk).delete()
        with pytest.raises(ActionGone):
            action_record_progress(action=own_action, by=service_head, status="in_progress", progress=50)

    def test_delete_twice(self, own_action, coordination):
        action_delete(action=own_action, by=coordination)
        with pytest.raises(ActionGone):
            action_delete(action=own_action, by=coordination)

    def test_jalon_of_an_action_archived_meanwhile(self, own_action, service_head):
        Action.objects.filter(pk=own_action.pk).update(archived_at=timezone.now())
        with pytest.raises(ActionUnavailable):
            action_part_lock(part=Milestone(action=own_action), by=service_head, allowed=can_update_action)

    def test_jalon_deleted_meanwhile(self, own_action, service_head):
        milestone = MilestoneFactory(action=own_action)
        Milestone.objects.filter(pk=milestone.pk).delete()
        with pytest.raises(PartGone):
            action_part_lock(part=milestone, by=service_head, allowed=can_update_action)

    def test_jalon_edit_saves_only_the_changed_fields(self, own_action, service_head):
        milestone = MilestoneFactory(action=own_action, title="Lancement")
        shown = {"title": "Lancement", "due_on": milestone.due_on.isoformat(), "done_on": ""}
        data = {**shown, **{f"initial-{name}": value for name, value in shown.items()}, "done_on": "2026-01-15"}
        Milestone.objects.filter(pk=milestone.pk).update(title="Lancement avec la CAF")  # saved meanwhile
        locked = action_part_lock(part=milestone, by=service_head, allowed=can_update_action)
        form = MilestoneForm(data, instance=locked)
        assert form.is_valid() and form.changed_data == ["done_on"]
        action_part_save(form=form, by=service_head)
        milestone.refresh_from_db()
        assert (milestone.title, milestone.done_on.isoformat()) == ("Lancement avec la CAF", "2026-01-15")

    def test_lock_instance_tells_a_deleted_row(self, own_action):
        service = ServiceFactory()
        assert lock_instance(service)
        service.delete()
        assert not lock_instance(service)

    def test_archive_view_says_which_state_it_wants(self, client_for, own_action):
        """The form may say `archived=1`: a second click on "Archiver" does not restore the fiche."""
        client = client_for("coordination")
        for _ in range(2):
            response = client.post(reverse("actions:archive", args=[own_action.pk]), {"archived": "1"})
            assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "La fiche a été archivée."
        assert Action.objects.get(pk=own_action.pk).archived_at is not None


def test_points_recorded_in_order_keep_the_action_at_the_last_one(own_action, service_head):
    for days, progress in [(3, 20), (2, 40), (1, 60)]:
        action_record_progress(
            action=own_action,
            by=service_head,
            status="in_progress",
            progress=progress,
            recorded_at=timezone.now() - timedelta(days=days),
        )
    own_action.refresh_from_db()
    assert own_action.progress == own_action.updates.order_by("-recorded_at").first().progress == 60
