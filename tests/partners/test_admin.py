"""The admin of contacts: the same phone normalisation, and a deletion that leaves no personal data behind."""

import pytest
from django.urls import reverse

from partners.models import Contact
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_contact_pages_load_with_history(client_for):
    contact = ContactFactory()
    client = client_for("tech_admin")
    for url in (
        reverse("admin:partners_contact_changelist"),
        reverse("admin:partners_contact_change", args=[contact.pk]),
        reverse("admin:partners_contact_history", args=[contact.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_normalises_the_phone(client_for):
    partner = PartnerFactory()
    data = {
        "partner": partner.pk,
        "name": "Jeanne Martin",
        "function": "",
        "email": "jeanne.martin@example.org",
        "phone": "+33 1 23 45 67 89",
        "purpose": "Invitations au COPIL.",
        "checked_at": "2026-01-05",
    }
    response = client_for("tech_admin").post(reverse("admin:partners_contact_add"), data)
    assert response.status_code == 302
    assert Contact.objects.get().phone == "01 23 45 67 89"


def test_deleting_a_contact_in_the_admin_erases_its_history(client_for):
    contact = ContactFactory()
    url = reverse("admin:partners_contact_delete", args=[contact.pk])
    assert client_for("tech_admin").post(url, {"post": "yes"}).status_code == 302
    assert not Contact.objects.exists()
    assert not Contact.history.exists()


def test_deleting_contacts_in_bulk_erases_their_history(client_for):
    contacts = [ContactFactory(), ContactFactory()]
    kept = ContactFactory()
    data = {"action": "delete_selected", "_selected_action": [c.pk for c in contacts], "post": "yes"}
    client_for("tech_admin").post(reverse("admin:partners_contact_changelist"), data)
    assert list(Contact.objects.all()) == [kept]
    assert set(Contact.history.values_list("id", flat=True)) == {kept.pk}


def test_deleting_a_partner_in_the_admin_erases_its_contacts_and_their_history(client_for):
    contact = ContactFactory()
    kept = ContactFactory()
    url = reverse("admin:partners_partner_delete", args=[contact.partner_id])
    assert client_for("tech_admin").post(url, {"post": "yes"}).status_code == 302
    assert list(Contact.objects.all()) == [kept]
    assert set(Contact.history.values_list("id", flat=True)) == {kept.pk}
