"""Audited writes on fiches actions.

Every write locks the action's row (`select_for_update`) and reads it afresh, re-checks its rules on that fresh
row and saves only the fields it owns. Two people acting at once are then served one after the other, the
second one against what the first one saved, and no save writes back a stale copy of another's fields (a stale
full-row save once undid a title edited, or a progress recorded, a few milliseconds before an archiving).

The views take the lock before checking their form (`action_lock`, `action_part_lock`), so that the form's
checks see the rows as saved; the services lock again (at no cost in the same transaction) and re-check. A rule
broken meanwhile raises what the form would have said: `ValidationError` (a point d'étape), `ActionUnavailable`
(the fiche was deleted or archived meanwhile), `PartGone` (the jalon, budget line… was deleted meanwhile) or
`IntegrityError` (a unique constraint: the caller asks the model for its message).
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.forms import ModelForm
from django.utils import timezone

from actions.models import Action, ProgressUpdate
from ctg.models import User

logger = logging.getLogger("actions")

HAS_UPDATES = "Cette action a des points d'étape : elle ne peut pas être supprimée, archivez-la."
ACTION_GONE = "Cette fiche action vient d'être supprimée par une autre personne : rien n'a été enregistré."
ACTION_ARCHIVED = "Cette fiche action vient d'être archivée par une autre personne : elle n'est plus modifiable."
PART_GONE = "Cet élément vient d'être supprimé par une autre personne : votre modification n'a pas été enregistrée."

Permission = Callable[[User, Action], bool]


class ActionHasUpdates(Exception):
    pass


class ActionUnavailable(Exception):
    """The fiche was archived (or deleted, `ActionGone`) meanwhile; `str(error)` is the French message."""


class ActionGone(ActionUnavailable):
    pass


class PartGone(Exception):
    """The jalon, budget line or partner was deleted meanwhile; `str(error)` is the French message."""


def action_lock(pk: int) -> Action:
    """The action's row, locked until the end of the transaction and read afresh; `ActionGone` if deleted."""
    action = Action.objects.select_for_update().filter(pk=pk).first()
    if action is None:
        raise ActionGone(ACTION_GONE)
    return action


def action_lock_for_change(*, pk: int, by: User, allowed: Permission) -> Action:
    """`action_lock`, then the permission checked again on the fresh row: archived meanwhile is said in French,
    any other change of rights (another pilot service) is a 403."""
    action = action_lock(pk)
    if action.archived_at is not None:
        raise ActionUnavailable(ACTION_ARCHIVED)
    if not allowed(by, action):
        raise PermissionDenied
    return action


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

    Under the action's lock, the allowed transitions are checked against the real current status (another point
    d'étape may have just changed it: `ValidationError` with the form's message), and only status, progress and
    the date of the latest point d'étape (`last_update_at`, which the flags read) are written, so that a
    concurrent edit of the fiche is neither lost nor overwritten.
    """
    locked = action_lock(action.pk)
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
    if locked.last_update_at is None or update.recorded_at > locked.last_update_at:
        locked.last_update_at = update.recorded_at
    locked._history_user = by
    locked._history_date = update.recorded_at
    locked.save(update_fields=["status", "progress", "last_update_at"])
    action.status, action.progress, action.last_update_at = status, progress, locked.last_update_at
    logger.info("Progress update on action %s by %s: %s %s%%", locked.code, by, status, progress)
    return update


@transaction.atomic
def action_set_archived(*, action: Action, by: User, archived: bool) -> None:
    """Archive or restore the fiche, writing `archived_at` only. Asking for the state it is already in (a double
    click, two people at once) changes nothing."""
    locked = action_lock(action.pk)
    if (locked.archived_at is not None) != archived:
        locked.archived_at = timezone.now() if archived else None
        locked._history_user = by
        locked.save(update_fields=["archived_at"])
        logger.info("Action %s %s by %s", locked.code, "archived" if archived else "restored", by)
    action.archived_at = locked.archived_at


@transaction.atomic
def action_delete(*, action: Action, by: User) -> None:
    """Only a fiche without any point d'étape may be deleted: otherwise its follow-up would be lost. Checked
    under the lock, so that a point d'étape recorded meanwhile is seen (`ActionGone`: deleted meanwhile)."""
    locked = action_lock(action.pk)
    if locked.updates.exists():
        raise ActionHasUpdates(HAS_UPDATES)
    locked._history_user = by
    logger.info("Action %s deleted by %s", locked.code, by)
    locked.delete()


def action_part_lock(*, part: models.Model, by: User, allowed: Permission) -> models.Model:
    """Before a form of a jalon, a budget line or a partner of an action is checked: lock the action (deleted or
    archived meanwhile: `ActionUnavailable`; the rights checked again on the fresh row) and, for an existing part,
    lock it and read it afresh (deleted meanwhile: `PartGone`). The locks last until the request's transaction
    ends: the form is checked, then saved, against rows nobody can change in between."""
    action = action_lock_for_change(pk=part.action_id, by=by, allowed=allowed)
    if part.pk is not None:
        part = type(part).objects.select_for_update().filter(pk=part.pk, action_id=action.pk).first()
        if part is None:
            raise PartGone(PART_GONE)
    part.action = action
    return part


@transaction.atomic
def action_part_save(*, form: ModelForm, by: User) -> models.Model:
    """Save a valid form of a part locked by `action_part_lock`. A new part is inserted (`IntegrityError`, in a
    savepoint, should a unique constraint be broken all the same); an existing one gets only the fields this
    person changed (`form.changed_data`, see `actions.forms.ChangedFieldsForm`)."""
    part = form.instance
    part._history_user = by
    if part._state.adding:
        part.save()
        return part
    changed = [name for name in form.changed_data if name in form._meta.fields]
    if changed:
        part.save(update_fields=changed)
    return part


@transaction.atomic
def action_part_delete(*, part: models.Model, by: User, allowed: Permission) -> bool:
    """Delete a jalon, a budget line or a partner of an action under the action's lock; False when it had
    already been deleted (a double click, two people at once)."""
    action_lock_for_change(pk=part.action_id, by=by, allowed=allowed)
    fresh = type(part).objects.select_for_update().filter(pk=part.pk, action_id=part.action_id).first()
    if fresh is None:
        return False
    fresh._history_user = by
    fresh.delete()
    return True
