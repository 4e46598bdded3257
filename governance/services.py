"""Writes of the governance that touch several rows: each locks the meeting (or the decision) it changes and
reads it again, saves only its own fields, and turns a rule broken meanwhile into a French message."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, Q
from django.forms import ModelForm
from django.utils import timezone

from actions.models import Action
from ctg.models import User
from ctg.views.helpers import check_references_now, save_form
from governance.enums import AttendanceStatus
from governance.models import (
    ACTION_ALREADY_ON_AGENDA,
    ATTACHMENT_FOLDER,
    AgendaItem,
    Attendance,
    Decision,
    DiscussionRequest,
    Meeting,
    MeetingAttachment,
)
from governance.perms import can_mark_decision

logger = logging.getLogger("governance")

PREFILLED = {
    0: "Aucune action à ajouter : les actions en retard, sans nouvelles ou à discuter sont déjà à l'ordre du jour."
}
PREFILLED_ONE = "1 action ajoutée à l'ordre du jour (en retard, sans nouvelles ou à discuter)."
PREFILLED_MANY = "{} actions ajoutées à l'ordre du jour (en retard, sans nouvelles ou à discuter)."
INVITED_NONE = "Tous les membres de l'instance sont déjà invités."
INVITED_ONE = "1 membre invité."
INVITED_MANY = "{} membres invités."
ATTENDANCE_SAVED = "Présences enregistrées."
ATTENDANCE_CHANGED = (
    "La liste des invités a changé pendant votre saisie : rien n'a été enregistré. Vérifiez, puis enregistrez à "
    "nouveau."
)
MARKED_DONE = "Décision marquée comme faite."
MARKED_OPEN = "Décision rouverte."
FLAGGED = "Action signalée « à discuter » : elle sera proposée à l'ordre du jour de la prochaine réunion."
UNFLAGGED = "L'action n'est plus signalée « à discuter »."
MEETING_GONE = "Cette réunion vient d'être supprimée par une autre personne : rien n'a été enregistré."
ATTACHMENT_ADDED = "Pièce jointe ajoutée : « {} »."
ATTACHMENT_DELETED = "La pièce jointe « {} » a été supprimée."
ATTACHMENT_GONE = "Cette pièce jointe avait déjà été supprimée."


class GovernanceError(Exception):
    """A rule broken under the lock: its French message is shown as is."""


class MeetingGone(GovernanceError):
    """The meeting was deleted while the write waited for it."""


def _locked(meeting: Meeting) -> Meeting:
    """The meeting read again under its lock; `GovernanceError` when it was deleted meanwhile."""
    locked = Meeting.objects.select_for_update().select_related("body__convention").filter(pk=meeting.pk).first()
    if locked is None:
        raise MeetingGone(MEETING_GONE)
    return locked


def meeting_lock(pk: int) -> bool:
    """Lock a meeting until the end of the transaction, before a write of one of its rows that does not go through
    a service of this module (an agenda item, a decision edited): every write on a meeting, and its deletion, then
    come one after the other. False when it was deleted meanwhile."""
    return Meeting.objects.select_for_update().filter(pk=pk).exists()


def agenda_reasons(action: Action) -> str:
    reasons = [
        label
        for flag, label in (
            (action.late, "en retard"),
            (action.without_news, "sans nouvelles"),
            (action.to_discuss, "à discuter"),
        )
        if flag
    ]
    return "Action " + ", ".join(reasons) + "."


def agenda_prefill(*, meeting: Meeting, by: User) -> int:
    """Add one agenda item per active action of the meeting's convention that is late, without news or flagged
    « à discuter », unless it is already on the agenda. Returns how many were added."""
    with transaction.atomic():
        meeting = _locked(meeting)
        actions = (
            Action.objects.active()
            .of_convention(meeting.body.convention)
            .with_flags()
            .annotate(to_discuss=ExpressionWrapper(Q(discussion_request__isnull=False), output_field=BooleanField()))
            .filter(Q(late=True) | Q(without_news=True) | Q(to_discuss=True))
            .exclude(agenda_items__meeting=meeting)
            .order_by("code")
        )
        start = (meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0) + 1
        items = [
            AgendaItem(
                meeting=meeting,
                order=start + index,
                title=f"{action.code} – {action.title}"[:250],
                action=action,
                notes=agenda_reasons(action),
            )
            for index, action in enumerate(actions)
        ]
        try:
            with transaction.atomic():
                AgendaItem.objects.bulk_create(items)
        except IntegrityError as error:  # an item added meanwhile by a write that did not lock the meeting
            raise GovernanceError(ACTION_ALREADY_ON_AGENDA) from error
    logger.info("Agenda of meeting #%s prefilled with %s actions by %s", meeting.pk, len(items), by)
    return len(items)


def prefill_message(count: int) -> str:
    return PREFILLED[0] if count == 0 else PREFILLED_ONE if count == 1 else PREFILLED_MANY.format(count)


def attendance_invite_members(*, meeting: Meeting, by: User) -> int:
    """Invite every member of the meeting's body not invited yet (users and contacts). Returns how many."""
    with transaction.atomic():
        meeting = _locked(meeting)
        invited_users = set(meeting.attendances.filter(user__isnull=False).values_list("user_id", flat=True))
        invited_contacts = set(meeting.attendances.filter(contact__isnull=False).values_list("contact_id", flat=True))
        rows = [
            Attendance(meeting=meeting, user_id=pk)
            for pk in meeting.body.users.values_list("pk", flat=True)
            if pk not in invited_users
        ]
        rows += [
            Attendance(meeting=meeting, contact_id=pk)
            for pk in meeting.body.contacts.values_list("pk", flat=True)
            if pk not in invited_contacts
        ]
        Attendance.objects.bulk_create(rows)
    logger.info("%s members invited to meeting #%s by %s", len(rows), meeting.pk, by)
    return len(rows)


def invite_message(count: int) -> str:
    return INVITED_NONE if count == 0 else INVITED_ONE if count == 1 else INVITED_MANY.format(count)


def attendance_record(*, meeting: Meeting, statuses: dict[int, str], by: User) -> int:
    """Set the status of each invitee of `statuses` (attendance pk → status); the invitees must be exactly the
    meeting's, as read under the lock. Returns how many changed."""
    valid = set(AttendanceStatus.values)
    with transaction.atomic():
        meeting = _locked(meeting)
        rows = list(meeting.attendances.select_for_update())
        if {row.pk for row in rows} != set(statuses) or not set(statuses.values()) <= valid:
            raise GovernanceError(ATTENDANCE_CHANGED)
        changed = [row for row in rows if row.status != statuses[row.pk]]
        for row in changed:
            row.status = statuses[row.pk]
        Attendance.objects.bulk_update(changed, ["status"])
    logger.info("Attendance of meeting #%s: %s changed by %s", meeting.pk, len(changed), by)
    return len(changed)


def decision_mark(*, decision: Decision, by: User, done: bool) -> Decision:
    """Mark `decision` done (or open again), in the name of `by`: its owner or the coordination, as saved now."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not can_mark_decision(by, decision):
            raise PermissionDenied
        if decision.done != done:
            decision.done = done
            decision.done_at = timezone.now() if done else None
            decision.done_by = by if done else None
            decision.save(update_fields=["done", "done_at", "done_by"])
    logger.info("Decision #%s marked %s by %s", decision.pk, "done" if done else "open", by)
    return decision


def action_flag_for_discussion(*, action: Action, by: User, flagged: bool) -> bool:
    """Flag (or unflag) `action` « à discuter » at the next meeting. A double submit is harmless: the flag is one
    row per action, enforced by the database."""
    with transaction.atomic():
        Action.objects.select_for_update().filter(pk=action.pk).exists()
        if not flagged:
            DiscussionRequest.objects.filter(action=action).delete()
        elif not DiscussionRequest.objects.filter(action=action).exists():
            try:
                with transaction.atomic():
                    DiscussionRequest.objects.create(action=action, requested_by=by)
            except IntegrityError:
                pass  # flagged meanwhile by someone else: the wish is granted
    logger.info("Action #%s %s for discussion by %s", action.pk, "flagged" if flagged else "unflagged", by)
    return flagged


def _delete_files_on_commit(storage, names: list[str]) -> None:
    """Delete stored files once the transaction commits: a rollback leaves them to the rows that still name them."""
    for name in filter(None, names):
        transaction.on_commit(lambda name=name: storage.delete(name))


def attachment_add(*, meeting: Meeting, form: ModelForm, by: User) -> MeetingAttachment | None:
    """Attach the file of `form` (`governance.forms.AttachmentForm`, bound to the POST and its files) to `meeting`,
    locked and read again first, so that it cannot be deleted before this commits. None, with the form's errors set
    (French messages), when nothing was saved: the file is then not kept either. `GovernanceError` when the meeting
    was deleted meanwhile."""
    with transaction.atomic():
        meeting = _locked(meeting)
        form.instance.meeting, form.instance.uploaded_by = meeting, by
        if not form.is_valid():
            return None
        stored: list[str] = []

        def save() -> MeetingAttachment:
            try:
                return form.save()
            finally:  # the name the storage gave the file, if it was written before the row failed
                field_file = form.instance.file
                if field_file._committed and field_file.name.startswith(f"{ATTACHMENT_FOLDER}/"):
                    stored.append(field_file.name)

        attachment = save_form(form, save)
        if attachment is None:
            for name in stored:
                MeetingAttachment._meta.get_field("file").storage.delete(name)
            return None
    logger.info("Attachment #%s added to meeting #%s by %s", attachment.pk, meeting.pk, by)
    return attachment


def attachment_delete(*, pk: int, by: User) -> MeetingAttachment:
    """Delete an attachment and, once committed, its file. `GovernanceError` when it was already deleted."""
    with transaction.atomic():
        attachment = MeetingAttachment.objects.select_for_update().filter(pk=pk).first()
        if attachment is None:
            raise GovernanceError(ATTACHMENT_GONE)
        attachment.delete()
        _delete_files_on_commit(attachment.file.storage, [attachment.file.name])
    logger.info("Attachment #%s of meeting #%s deleted by %s", pk, attachment.meeting_id, by)
    return attachment


def meeting_delete(*, pk: int, by: User) -> None:
    """Delete a meeting (the admin's only way), with its agenda, attendance, decisions and attachments, and the
    attachments' files once committed. The meeting is locked first: a write on it under way (a decision edited, an
    attachment added) finishes before, and what it added is deleted with the meeting rather than left pointing to
    a meeting that no longer exists. `GovernanceError` when it was already deleted."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=pk).first()
        if meeting is None:
            raise MeetingGone(MEETING_GONE)
        names = list(meeting.attachments.values_list("file", flat=True))
        meeting._history_user = by
        meeting.delete()
        check_references_now()
        _delete_files_on_commit(MeetingAttachment._meta.get_field("file").storage, names)
    logger.info("Meeting #%s deleted by %s", pk, by)
