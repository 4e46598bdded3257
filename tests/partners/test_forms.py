"""Bad input on the partner and contact forms: a French message next to the field, and nothing saved."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from ctg.forms import PARENT_GONE
from partners.forms import WEBSITE_INVALID, ContactForm, PartnerForm
from partners.models import DEFAULT_PURPOSE, EMAIL_INVALID, Contact, Partner
from partners.validators import PHONE_INVALID, SIRET_BAD_CHECK_DIGIT, SIRET_NOT_14_DIGITS
from tests.ctg.factories import TerritoryFactory
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def partner_data(**changes) -> dict:
    data = {
        "name": "Centre social des Lilas",
        "kind": "association",
        "siret": "",
        "address": "",
        "website": "",
        "notes": "",
    }
    return data | changes


def contact_data(**changes) -> dict:
    data = {
        "name": "Jeanne Martin",
        "function": "Directrice",
        "email": "jeanne.martin@example.org",
        "phone": "01 23 45 67 89",
        "purpose": DEFAULT_PURPOSE,
    }
    return data | changes


class TestPartnerForm:
    def test_every_field_saved(self):
        territory = TerritoryFactory()
        form = PartnerForm(
            partner_data(
                siret="732 829 320 00074",
                address="1 rue de Paris",
                website="www.example.org",
                territories=[territory.pk],
                notes="Permanence le mardi.",
            )
        )
        assert form.is_valid(), form.errors
        partner = form.save()
        assert partner.siret == "73282932000074"
        assert partner.website == "https://www.example.org"
        assert list(partner.territories.all()) == [territory]

    @pytest.mark.parametrize(
        ("siret", "message"),
        [
            ("7328293200007", SIRET_NOT_14_DIGITS),
            ("732829320000745", SIRET_NOT_14_DIGITS),
            ("7328293200007A", SIRET_NOT_14_DIGITS),
            ("ABCDEFGHIJKLMN", SIRET_NOT_14_DIGITS),
            ("73282932000075", SIRET_BAD_CHECK_DIGIT),
            ("732 829 320 00075", SIRET_BAD_CHECK_DIGIT),
        ],
    )
    def test_bad_siret(self, siret, message):
        form = PartnerForm(partner_data(siret=siret))
        assert not form.is_valid()
        assert form.errors == {"siret": [message]}

    def test_bad_website(self):
        form = PartnerForm(partner_data(website="pas un site"))
        assert form.errors == {"website": [WEBSITE_INVALID]}


class TestContactForm:
    @pytest.mark.parametrize("phone", ["01 23 45 67 89", "+33 1 23 45 67 89", "0123456789"])
    def test_phone_stored_normalised(self, phone):
        partner = PartnerFactory()
        form = ContactForm(contact_data(phone=phone), instance=Contact(partner=partner))
        assert form.is_valid(), form.errors
        assert form.save().phone == "01 23 45 67 89"

    def test_a_partner_deleted_meanwhile_is_the_forms_own_error_in_french(self):
        partner = PartnerFactory()
        form = ContactForm(contact_data(), instance=Contact(partner=partner))
        Partner.objects.filter(pk=partner.pk).delete()
        assert not form.is_valid()
        assert list(form.errors) == ["__all__"]
        assert form.non_field_errors() == [PARENT_GONE.format(name="partenaire")]
        assert not Contact.objects.exists()

    def test_the_form_shows_the_default_purpose(self):
        form = ContactForm(instance=Contact(partner=PartnerFactory()))
        assert form["purpose"].value() == DEFAULT_PURPOSE

    @pytest.mark.parametrize(
        ("changes", "errors"),
        [
            ({"phone": "12 34"}, {"phone": [PHONE_INVALID]}),
            ({"phone": "+44 20 7946 0958"}, {"phone": [PHONE_INVALID]}),
            ({"email": "jeanne.martin@"}, {"email": [EMAIL_INVALID]}),
            ({"email": "jeanne martin@example.org"}, {"email": [EMAIL_INVALID]}),
            ({"name": ""}, {"name": ["Ce champ est obligatoire."]}),
            ({"purpose": ""}, {"purpose": ["Ce champ est obligatoire."]}),
        ],
    )
    def test_bad_input(self, changes, errors):
        form = ContactForm(contact_data(**changes), instance=Contact(partner=PartnerFactory()))
        assert not form.is_valid()
        assert form.errors == errors


class TestNothingSavedOnError:
    def test_partner_with_a_bad_siret(self, client_for):
        response = client_for("coordination").post(reverse("partners:create"), partner_data(siret="73282932000075"))
        assert response.status_code == 200
        assert escape(SIRET_BAD_CHECK_DIGIT) in response.text
        assert 'aria-invalid="true"' in response.text
        assert not Partner.objects.exists()

    def test_partner_edit_with_a_bad_siret_keeps_the_saved_one(self, client_for):
        partner = PartnerFactory(with_siret=True)
        url = reverse("partners:edit", args=[partner.pk])
        response = client_for("coordination").post(url, partner_data(name="Renommé", siret="1234"))
        assert escape(SIRET_NOT_14_DIGITS) in response.text
        partner.refresh_from_db()
        assert partner.name != "Renommé" and partner.siret == "73282932000074"

    def test_contact_with_a_bad_phone_and_email(self, client_for):
        partner = PartnerFactory()
        url = reverse("partners:contact_create", args=[partner.pk])
        response = client_for("coordination").post(url, contact_data(phone="123", email="x@"))
        assert response.status_code == 200
        assert escape(PHONE_INVALID) in response.text and escape(EMAIL_INVALID) in response.text
        assert "Le formulaire contient 2 erreurs" in response.text
        assert not Contact.objects.exists()

    def test_contact_edit_with_a_bad_phone_keeps_the_saved_one(self, client_for):
        contact = ContactFactory(name="Jeanne Martin")
        url = reverse("partners:contact_edit", args=[contact.pk])
        response = client_for("coordination").post(url, contact_data(name="Autre nom", phone="99"))
        assert escape(PHONE_INVALID) in response.text
        contact.refresh_from_db()
        assert (contact.name, contact.phone) == ("Jeanne Martin", "01 23 45 67 89")
        assert contact.history.count() == 1
