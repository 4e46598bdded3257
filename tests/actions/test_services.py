from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from actions.models import DONE_NEEDS_FULL_PROGRESS, Action, ProgressUpdate
from actions.services import ActionHasUpdates, action_delete, action_record_progress, action_set_archived
from tests.actions.factories import ActionFactory, ProgressUpdateFactory


class TestRecordProgress:
    def test_sets_current_status_and_progress_and_is_traced(self, own_action, service_head):
        update = action_record_progress(
            action=own_action, by=service_head, status="done", progress=100, done="Inauguration."
        )
        own_action.refresh_from_db()
        assert (own_action.status, own_action.progress) == ("done", 100)
        assert update.author == service_head
        last = own_action.history.first()
        assert last.history_user == service_head
        assert last.status == "done"

    @pytest.mark.parametrize(
        ("current", "new"),
        [("abandoned", "in_progress"), ("done", "to_start"), ("to_start", "done"), ("postponed", "done")],
    )
    def test_refuses_a_forbidden_transition(self, own_action, service_head, current, new):
        Action.objects.filter(pk=own_action.pk).update(status=current, progress=100)  # done is at 100 %
        with pytest.raises(ValidationError) as error:
            action_record_progress(action=own_action, by=service_head, status=new, progress=100)
        assert "ne peut pas passer au statut" in str(error.value)
        assert not ProgressUpdate.objects.exists()
        assert Action.objects.get(pk=own_action.pk).status == current

    def test_done_needs_full_progress(self, own_action, service_head):
        with pytest.raises(ValidationError) as error:
            action_record_progress(action=own_action, by=service_head, status="done", progress=90)
        assert DONE_NEEDS_FULL_PROGRESS in str(error.value)

    @pytest.mark.parametrize("progress", [-1, 101])
    def test_progress_stays_between_0_and_100(self, own_action, service_head, progress):
        with pytest.raises(ValidationError):
            action_record_progress(action=own_action, by=service_head, status="in_progress", progress=progress)

    def test_archived_action_gets_no_update(self, service_head):
        action = ActionFactory(archived=True)
        with pytest.raises(ValidationError):
            action_record_progress(action=action, by=service_head, status="in_progress", progress=50)

    def test_does_not_overwrite_a_concurrent_edit_of_the_fiche(self, own_action, service_head):
        stale_copy = Action.objects.get(pk=own_action.pk)
        Action.objects.filter(pk=own_action.pk).update(title="Titre changé entre-temps")
        action_record_progress(action=stale_copy, by=service_head, status="in_progress", progress=60)
        assert Action.objects.get(pk=own_action.pk).title == "Titre changé entre-temps"

    def test_keeps_the_date_of_the_latest_point_on_the_action(self, own_action, service_head):
        """What the "sans nouvelles" flag and the campaign read; a point dated earlier does not move it back."""
        assert own_action.last_update_at is None
        update = action_record_progress(action=own_action, by=service_head, status="in_progress", progress=50)
        assert Action.objects.get(pk=own_action.pk).last_update_at == update.recorded_at
        assert own_action.last_update_at == update.recorded_at
        earlier = update.recorded_at - timedelta(days=40)
        action_record_progress(
            action=own_action, by=service_head, status="in_progress", progress=55, recorded_at=earlier
        )
        assert Action.objects.get(pk=own_action.pk).last_update_at == update.recorded_at


class TestArchiveAndDelete:
    def test_action_with_updates_cannot_be_deleted(self, own_action, coordination):
        ProgressUpdateFactory(action=own_action)
        with pytest.raises(ActionHasUpdates):
            action_delete(action=own_action, by=coordination)
        assert Action.objects.filter(pk=own_action.pk).exists()

    def test_database_protects_updates_too(self, own_action):
        ProgressUpdateFactory(action=own_action)
        with pytest.raises(IntegrityError):
            Action.objects.filter(pk=own_action.pk).delete()

    def test_action_without_updates_is_deleted(self, own_action, coordination):
        action_delete(action=own_action, by=coordination)
        assert not Action.objects.filter(pk=own_action.pk).exists()

    def test_archive_and_restore(self, own_action, coordination):
        action_set_archived(action=own_action, by=coordination, archived=True)
        assert Action.objects.active().count() == 0
        action_set_archived(action=own_action, by=coordination, archived=False)
        assert Action.objects.active().get() == own_action


class TestComputedFlags:
    def test_late_means_end_past_and_not_closed(self, objective):
        late = ActionFactory(objective=objective, late=True)
        ActionFactory(objective=objective, late=True, done=True)
        ActionFactory(objective=objective, late=True, status="abandoned")
        ActionFactory(objective=objective)
        assert list(Action.objects.late()) == [late]
        assert Action.objects.for_display().get(pk=late.pk).is_late

    def test_without_news_follows_the_convention_setting(self, objective):
        action = ActionFactory(objective=objective, stale=True)
        ProgressUpdateFactory(action=action, recorded_at=timezone.now() - timedelta(days=50))
        convention = objective.axis.convention
        assert not Action.objects.with_last_update().without_news().exists()
        convention.stale_after_days = 30
        convention.save()
        assert list(Action.objects.with_last_update().without_news()) == [action]
        assert Action.objects.for_display().get().is_without_news

    def test_new_action_without_update_is_not_without_news(self, objective):
        ActionFactory(objective=objective)
        assert not Action.objects.with_last_update().without_news().exists()

    def test_closed_action_is_never_without_news(self, objective):
        ActionFactory(objective=objective, stale=True, done=True)
        assert not Action.objects.with_last_update().without_news().exists()


class TestUpdatedInYear:
    """`with_campaign`'s `updated_in_year`: read from the latest point's date, searching the points only when the
    latest is after the year."""

    @pytest.mark.parametrize(
        ("points", "expected"),
        [
            ([], False),
            (["2024-03-01"], True),
            (["2023-12-31"], False),
            (["2024-06-01", "2025-02-01"], True),  # the latest is after 2024: the points are searched
            (["2023-06-01", "2025-02-01"], False),
        ],
    )
    def test_a_point_dated_in_the_year(self, objective, points, expected):
        action = ActionFactory(objective=objective)
        for day in points:
            ProgressUpdateFactory(action=action, recorded_at=timezone.make_aware(datetime.fromisoformat(day)))
        assert Action.objects.with_campaign(2024).get().updated_in_year is expected
        assert Action.objects.missing_update(2024).exists() is not expected


def test_end_before_start_is_refused_by_the_database(objective):
    today = timezone.localdate()
    with pytest.raises(IntegrityError):
        ActionFactory(objective=objective, start_date=today, end_date=today - timedelta(days=1))
