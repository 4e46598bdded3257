"""Audited writes on contacts (personal data): a verification and a deletion that leaves nothing behind; the
writes of an agreement, which keep its signed document's file in step with its row."""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.forms import ModelForm
from django.utils import timezone

from ctg.models import User
from ctg.views.helpers import check_references_now, lock_instance, save_form, save_owned_fields
from partners.models import Agreement, Contact, Partner

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


PARTNER_IN_USE = (
    "« {} » ne peut pas être supprimé : des conventions, des équipements ou des fiches actions y sont rattachés "
    "(peut-être à l'instant). Détachez-les d'abord."
)


class PartnerInUse(Exception):
    """Records point to the partner (some perhaps added meanwhile); `str(error)` is the French message."""


@transaction.atomic
def partner_delete(*, pk: int, by: User) -> bool:
    """Delete a partner (the admin's only way) with its contacts and their past versions. The partner is locked
    first, so that an agreement or a facility being attached to it is seen (and protects it) instead of making the
    deletion fail at commit. False when it was already deleted; `PartnerInUse` when records point to it."""
    partner = Partner.objects.select_for_update().filter(pk=pk).first()
    if partner is None:
        return False
    try:
        with transaction.atomic():
            partner.delete()
            check_references_now()
    except (ProtectedError, RestrictedError, IntegrityError) as error:
        raise PartnerInUse(PARTNER_IN_USE.format(partner)) from error
    contacts_erase_history(partner_ids=[pk])
    logger.info("Partner #%s deleted by %s", pk, by)
    return True


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
    written: list[str] = []

    def save() -> Agreement:
        try:
            return save_owned_fields(form)
        finally:  # the name the storage gave a new file, read before a failed save's form check replaces it
            name = instance.document.name or ""
            if instance.document._committed and name and name != previous:
                written.append(name)

    agreement = save_form(form, save)
    current, storage = instance.document.name or "", instance.document.storage
    if agreement is None:
        for name in written:
            storage.delete(name)
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
