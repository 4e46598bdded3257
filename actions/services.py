"""Audited writes on fiches actions."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ProgressUpdate
from ctg.models import User

logger = logging.getLogger("actions")

HAS_UPDATES = "Cette action a des points d'étape : elle ne peut pas être supprimée, archivez-la."


class ActionHasUpdates(Exception):
    pass


@transaction.atomic
def action_record_progress(
    *,
    action: Action,
    by: User,
    status: str,
    progress: int,
    done: str = "",
    difficulties: str = "",
    next_steps: str = "",
    recorded_at: datetime | None = None,
) -> ProgressUpdate:
    """Record a point d'étape and make its status and progress the action's current ones.

    The action row is locked and re-read so that a concurrent edit of the fiche is neither lost nor
    overwritten, and so that the allowed transitions are checked against the real current status.
    """
    locked = Action.objects.select_for_update().get(pk=action.pk)
    update = ProgressUpdate(
        action=locked,
        author=by,
        status=status,
        progress=progress,
        done=done,
        difficulties=difficulties,
        next_steps=next_steps,
        recorded_at=recorded_at or timezone.now(),
    )
    update.full_clean()
    update.save()
    locked.status, locked.progress = status, progress
    locked._history_user = by
    locked._history_date = update.recorded_at
    locked.save()
    action.status, action.progress = status, progress
    logger.info("Progress update on action %s by %s: %s %s%%", locked.code, by, status, progress)
    return update


@transaction.atomic
def action_set_archived(*, action: Action, by: User, archived: bool) -> None:
    action.archived_at = timezone.now() if archived else None
    action._history_user = by
    action.save()
    logger.info("Action %s %s by %s", action.code, "archived" if archived else "restored", by)


@transaction.atomic
def action_delete(*, action: Action, by: User) -> None:
    """Only a fiche without any point d'étape may be deleted: otherwise its follow-up would be lost."""
    if action.updates.exists():
        raise ActionHasUpdates(HAS_UPDATES)
    action._history_user = by
    logger.info("Action %s deleted by %s", action.code, by)
    action.delete()
