"""Conflicting requests at the same instant on the partners' write endpoints: contacts, agreements and their signed
documents, facilities and their funding lines, partners deleted in the admin (see tests/test_concurrency.py for
the method). PostgreSQL only: threads cannot share SQLite's in-memory test database.

Each write locks the row it changes and reads it again (`partners.services`, `ctg.views.helpers.form_page`), a
deletion locks the row it deletes: one of the two requests waits for the other, and the loser is told why in
French; no 500, no field reverted, and no stored document left without the agreement that names it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctg.forms import record_fingerprint
from ctg.views import helpers
from ctg.views.helpers import CONCURRENT_CHANGE, PROTECTED_DELETE, SAVED
from partners import admin as partners_admin
from partners import agreement_views, views
from partners.agreement_views import AGREEMENT_DELETED
from partners.facility_views import FACILITY_GONE
from partners.forms_funding import AgreementForm
from partners.models import Agreement, Contact, Facility, FundingLine, Partner
from partners.services import AGREEMENT_GONE, CONTACT_GONE, PARTNER_IN_USE
from partners.views import CHECKED, CONTACT_DELETED
from tests.concurrency import RACE_MARKS, logged_in, messages_of, pause_before, race, said, tally, text_of
from tests.partners.factories import AgreementFactory, ContactFactory, FacilityFactory, PartnerFactory
from tests.partners.test_agreements import form_data

ROUNDS = 3
pytestmark = RACE_MARKS
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def each_round(play) -> None:
    for number in range(ROUNDS):
        play(number)


def url(name: str, pk: int) -> str:
    return reverse(f"partners:{name}", args=[pk])


def stored_documents() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "conventions"
    return {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in folder.rglob("*") if path.is_file()}


def named_documents() -> set[str]:
    return set(Agreement.objects.exclude(document="").values_list("document", flat=True))


def orphans(before: set[str]) -> set[str]:
    """Files stored since `before` that no agreement names (other tests of the session leave their own files)."""
    return stored_documents() - before - named_documents()


def with_document(**fields) -> Agreement:
    agreement = AgreementFactory(**fields)
    agreement.document.save("convention-signee.pdf", ContentFile(PDF))
    return agreement


def edit_data(agreement: Agreement, *, fingerprint: bool, **changes) -> dict:
    """The edit form as served (with its fingerprint, or as a page served before the check) and `changes`."""
    data = form_data(agreement.partner, title=agreement.title, **changes)
    if fingerprint:
        data["fingerprint"] = record_fingerprint(agreement, AgreementForm._meta.fields)
    return data


@pytest.fixture
def admin(tech_admin):
    return logged_in(tech_admin)


class TestContacts:
    def test_checked_while_deleted(self, coordinators, monkeypatch):
        pause_before(monkeypatch, views, "contact_mark_checked")
        pause_before(monkeypatch, views, "contact_delete")

        def play(number):
            contact = ContactFactory(checked_at="2024-01-01")
            checked, deleted = race(
                lambda: coordinators[0].post(url("contact_checked", contact.pk)),
                lambda: coordinators[1].post(url("contact_delete", contact.pk)),
                lead=number % 2,
            )
            assert checked.status_code == deleted.status_code == 302
            assert messages_of(deleted) == [CONTACT_DELETED.format(contact)]
            assert not Contact.objects.filter(pk=contact.pk).exists()
            assert not Contact.history.filter(id=contact.pk).exists(), "no personal data left in the history"
            if messages_of(checked) == [CONTACT_GONE]:
                tally("deleted first, the check told so")
            else:
                assert messages_of(checked) == [CHECKED.format(contact)]
                tally("checked, then deleted with its history")

        each_round(play)


class TestAgreements:
    def test_edited_while_deleted(self, coordinators, monkeypatch):
        pause_before(monkeypatch, agreement_views, "agreement_save")
        pause_before(monkeypatch, agreement_views, "agreement_delete")

        def play(number):
            before = stored_documents()
            agreement = with_document()
            original = agreement.document.name
            data = edit_data(
                agreement,
                fingerprint=bool(number % 2),
                notes="Avenant signé.",
                document=SimpleUploadedFile("avenant.pdf", PDF + b"v2"),
            )
            edited, deleted = race(
                lambda: coordinators[0].post(url("agreement_edit", agreement.pk), data),
                lambda: coordinators[1].post(url("agreement_delete", agreement.pk)),
                lead=number % 2,
            )
            assert edited.status_code == deleted.status_code == 302
            assert messages_of(deleted) == [AGREEMENT_DELETED.format(agreement)]
            assert not Agreement.objects.filter(pk=agreement.pk).exists()
            assert orphans(before) == set() and not (Path(settings.MEDIA_ROOT) / original).exists()
            if messages_of(edited) == [AGREEMENT_GONE]:
                tally("deleted first, the edit told so")
            else:
                assert messages_of(edited) == [SAVED.format(agreement)]
                assert agreement.history.filter(notes="Avenant signé.").exists()
                tally("edited, then deleted with both files")

        each_round(play)

    def test_the_document_replaced_twice_at_once(self, coordinators, monkeypatch):
        """Without the fingerprint both are saved one after the other (the first new file is then removed); with
        it, the second is refused (its file never stored). Either way one file is left: the row's."""
        pause_before(monkeypatch, agreement_views, "agreement_save")

        def play(number):
            before = stored_documents()
            agreement = with_document()
            original = agreement.document.name
            fingerprint = number != 0
            first, second = (
                edit_data(
                    agreement, fingerprint=fingerprint, document=SimpleUploadedFile(f"{name}.pdf", PDF + name.encode())
                )
                for name in ("premier", "second")
            )
            responses = race(
                lambda: coordinators[0].post(url("agreement_edit", agreement.pk), first),
                lambda: coordinators[1].post(url("agreement_edit", agreement.pk), second),
                lead=number % 2,
            )
            agreement.refresh_from_db()
            assert agreement.document.name != original
            assert stored_documents() - before == {agreement.document.name}, "one file left: the row's"
            assert not (Path(settings.MEDIA_ROOT) / original).exists()
            if fingerprint:
                refused = next(response for response in responses if response.status_code == 200)
                assert "pendant que vous faisiez la vôtre" in text_of(refused)
                tally(f"{agreement.document_name} kept, the other refused")
            else:
                assert [response.status_code for response in responses] == [302, 302]
                tally(f"both saved, {agreement.document_name} last and alone")

        each_round(play)

    def test_added_while_its_partner_is_deleted(self, coordinators, admin, monkeypatch):
        """The admin's deletion once failed with a 500 when the agreement arrived between its check of what would
        be deleted and the deletion (`ProtectedError`): it now locks the partner and says why it refuses."""
        pause_before(monkeypatch, agreement_views, "agreement_save")
        pause_before(monkeypatch, partners_admin, "partner_delete")

        def play(number):
            before = stored_documents()
            partner = PartnerFactory()
            data = form_data(partner, title=f"Convention {number}", document=SimpleUploadedFile("cpo.pdf", PDF))
            added, deleted = race(
                lambda: coordinators[0].post(reverse("partners:agreement_create"), data),
                lambda: admin.post(reverse("admin:partners_partner_delete", args=[partner.pk]), {"post": "yes"}),
                lead=number % 2,
            )
            assert deleted.status_code == 302
            assert orphans(before) == set(), "no file left without its agreement"
            if Partner.objects.filter(pk=partner.pk).exists():
                assert added.status_code == 302 and partner.agreements.count() == 1
                assert messages_of(deleted) == [PARTNER_IN_USE.format(partner)]
                tally("agreement added, the deletion refused")
            else:
                assert added.status_code == 200 and not Agreement.objects.filter(title=f"Convention {number}").exists()
                assert "Sélectionnez un choix valide" in text_of(added) or said(added, CONCURRENT_CHANGE)
                tally("partner deleted, the agreement refused")

        each_round(play)


class TestFunding:
    def test_line_created_while_its_facility_is_deleted(self, coordinators, monkeypatch):
        pause_before(monkeypatch, helpers, "save_form")
        pause_before(monkeypatch, Facility, "delete")
        data = {"year": "2026", "scheme": "clas", "funder": "caf", "flat_amount": "4500", "stage": "planned"}
        data |= dict.fromkeys(["quantity", "unit_rate", "planned", "notified", "paid", "comment"], "")

        def play(number):
            facility = FacilityFactory()
            created, deleted = race(
                lambda: coordinators[0].post(url("funding_create", facility.pk), data),
                lambda: coordinators[1].post(url("facility_delete", facility.pk)),
                lead=number % 2,
            )
            assert deleted.status_code == created.status_code == 302
            if Facility.objects.filter(pk=facility.pk).exists():
                assert facility.funding_lines.count() == 1
                assert messages_of(deleted) == [PROTECTED_DELETE]
                tally("line created, the deletion refused")
            else:
                assert messages_of(created) == [FACILITY_GONE]
                assert not FundingLine.objects.filter(facility_id=facility.pk).exists()
                tally("facility deleted, the line refused")

        each_round(play)
