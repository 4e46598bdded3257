"""Audited writes on contacts (personal data): a verification and a deletion that leaves nothing behind; the
writes of an agreement, which keep its signed document's file in step with its row."""

import logging
from datetime import date

from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone

from ctg.models import User
from ctg.views.helpers import lock_instance, save_form, save_owned_fields
from partners.models import Agreement, Contact

logger = logging.getLogger("partners")

CONTACT_GONE = "Ce contact vient d'être supprimé par une autre personne : rien n'a été enregistré."


class ContactGone(Exception):
    """The contact was deleted meanwhile; `str(error)` is the French message."""


def _lock(pk: int) -> Contact:
    contact = Contact.objects.select_for_update().filter(pk=pk).first()
    if contact is None:
        raise ContactGone(CONTACT_GONE)
    return contact


@transaction.atomic
def contact_mark_checked(*, pk: int, by: User, today: date | None = None) -> Contact:
    """The coordination checked the contact's details today: the date is kept, and in the history."""
    contact = _lock(pk)
    contact.checked_at = today or timezone.localdate()
    contact._history_user = by
    contact.save(update_fields=["checked_at"])
    logger.info("Contact #%s of partner #%s checked by %s", contact.pk, contact.partner_id, by)
    return contact


@transaction.atomic
def contact_delete(*, pk: int, by: User) -> None:
    """Delete a contact and its past versions: once deleted, none of its personal data stays in the database
    (the log line names no one)."""
    contact = _lock(pk)
    contact._history_user = by
    partner_id = contact.partner_id
    contact.delete()
    Contact.history.filter(id=pk).delete()
    logger.info("Contact #%s of partner #%s deleted by %s", pk, partner_id, by)


def contacts_erase_history(*, partner_ids: list[int]) -> None:
    """After partners were deleted (their contacts with them), erase those contacts' past versions."""
    Contact.history.filter(partner_id__in=partner_ids).delete()


AGREEMENT_GONE = "Cette convention vient d'être supprimée par une autre personne : rien n'a été enregistré."


class AgreementGone(Exception):
    """The agreement was deleted meanwhile; `str(error)` is the French message."""


def _delete_file_on_commit(storage, name: str) -> None:
    """Delete a stored file once the transaction commits: a rollback leaves it to the row that still names it."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def agreement_save(*, form: ModelForm, by: User) -> Agreement | None:
    """Save an agreement's form (`partners.forms_funding.AgreementForm`, bound to the POST and its files).

    An edit locks the agreement and reads it again before the form is checked, so that the checks (dates,
    amounts, the stale-edit fingerprint) see what is really saved; only the form's fields and linked actions are
    written. The document it replaces or removes is deleted from the storage once committed; a new file written
    for a save that then failed (a rule broken meanwhile) is deleted at once. None, with the form's errors set
    (French messages), when nothing was saved; `AgreementGone` when the agreement was deleted meanwhile."""
    instance = form.instance
    if instance.pk is not None and not lock_instance(instance):
        raise AgreementGone(AGREEMENT_GONE)
    previous = instance.document.name or ""
    if not form.is_valid():
        return None
    instance._history_user = by
    agreement = save_form(form, lambda: save_owned_fields(form))
    current, storage = instance.document.name or "", instance.document.storage
    if agreement is None:
        if current and current != previous:
            storage.delete(current)
        return None
    if previous != current:
        _delete_file_on_commit(storage, previous)
    logger.info("Agreement #%s of partner #%s saved by %s", agreement.pk, agreement.partner_id, by)
    return agreement


@transaction.atomic
def agreement_delete(*, pk: int, by: User) -> Agreement:
    """Delete an agreement (its links to actions with it) and, once committed, its signed document's file."""
    agreement = Agreement.objects.select_for_update().filter(pk=pk).first()
    if agreement is None:
        raise AgreementGone(AGREEMENT_GONE)
    name, storage = agreement.document.name or "", agreement.document.storage
    agreement._history_user = by
    agreement.delete()
    _delete_file_on_commit(storage, name)
    logger.info("Agreement #%s of partner #%s deleted by %s", pk, agreement.partner_id, by)
    return agreement
