"""The SIRET and phone checks, the contact's RGPD dates, and the database's own checks."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import ActionPartner
from partners.models import DEFAULT_PURPOSE, EMAIL_INVALID, Contact, Partner, months_before
from partners.validators import (
    PHONE_INVALID,
    SIRET_BAD_CHECK_DIGIT,
    SIRET_NOT_14_DIGITS,
    clean_siret,
    is_valid_siret,
    luhn_check_digit,
    normalise_phone,
    validate_siret,
)
from tests.actions.factories import ActionPartnerFactory
from tests.partners.factories import ContactFactory, PartnerFactory

VALID_SIRETS = [
    "73282932000074",  # a well-known example of the INSEE documentation
    "35600000000048",  # La Poste's head office: the Luhn key
    "35600000049512",  # another La Poste establishment: the sum of its digits is a multiple of 5
]


class TestSiret:
    @pytest.mark.parametrize("siret", VALID_SIRETS)
    def test_valid(self, siret):
        validate_siret(siret)
        assert is_valid_siret(siret)

    @pytest.mark.parametrize(
        "siret",
        [
            "7328293200007",  # 13 digits
            "732829320000745",  # 15 digits
            "7328293200007A",  # a letter
            "732 829 320 00074",  # spaces are cleaned by the form, not accepted by the model
            "７３２８２９３２０００７４",  # full-width digits
            "",
        ],
    )
    def test_wrong_shape(self, siret):
        with pytest.raises(ValidationError) as error:
            validate_siret(siret)
        assert error.value.messages == [SIRET_NOT_14_DIGITS]

    @pytest.mark.parametrize("siret", ["73282932000075", "12345678901234", "35600000049513"])
    def test_wrong_check_digit(self, siret):
        with pytest.raises(ValidationError) as error:
            validate_siret(siret)
        assert error.value.messages == [SIRET_BAD_CHECK_DIGIT]

    def test_one_changed_digit_is_caught(self):
        siret = VALID_SIRETS[0]
        for position in range(14):
            digit = str((int(siret[position]) + 1) % 10)
            assert not is_valid_siret(siret[:position] + digit + siret[position + 1 :]), position

    def test_check_digit_builds_valid_numbers(self):
        for stem in ["1234567890123", "0000000000000", "9999999999999"]:
            assert is_valid_siret(stem + luhn_check_digit(stem))

    def test_the_form_cleans_the_groups_people_type(self):
        assert clean_siret(" 732 829 320 00074 ") == "73282932000074"
        assert clean_siret("732.829.320-00074") == "73282932000074"

    def test_the_messages_are_french(self):
        assert "14 chiffres" in SIRET_NOT_14_DIGITS
        assert "clé de contrôle" in SIRET_BAD_CHECK_DIGIT


class TestPhone:
    @pytest.mark.parametrize(
        "typed",
        [
            "01 23 45 67 89",
            "+33 1 23 45 67 89",
            "0123456789",
            "01.23.45.67.89",
            "0033 1 23 45 67 89",
            "+33 (0)1 23 45 67 89",
        ],
    )
    def test_french_numbers_are_stored_in_one_form(self, typed):
        assert normalise_phone(typed) == "01 23 45 67 89"

    def test_mobile_and_overseas_numbers(self):
        assert normalise_phone("06 12 34 56 78") == "06 12 34 56 78"
        assert normalise_phone("0262 12 34 56") == "02 62 12 34 56"

    @pytest.mark.parametrize(
        "typed",
        [
            "123",
            "01 23 45 67 8",
            "01 23 45 67 890",
            "00 23 45 67 89",
            "+44 20 7946 0958",
            "01 23 45 67 8a",
            "1234567890",
        ],
    )
    def test_other_numbers_are_refused_in_french(self, typed):
        with pytest.raises(ValidationError) as error:
            normalise_phone(typed)
        assert error.value.messages == [PHONE_INVALID]
        assert "numéro de téléphone français" in PHONE_INVALID


@pytest.mark.django_db
class TestPartnerModel:
    def test_full_clean_checks_the_siret(self):
        partner = Partner(name="Association", kind="association", siret="73282932000075")
        with pytest.raises(ValidationError) as error:
            partner.full_clean()
        assert error.value.message_dict == {"siret": [SIRET_BAD_CHECK_DIGIT]}

    def test_an_empty_siret_is_fine(self):
        Partner(name="Association", kind="association").full_clean()

    @pytest.mark.parametrize("siret", ["7328293200007", "7328293200007A", "73282932 00074"])
    def test_the_database_refuses_a_siret_that_is_not_14_digits(self, siret):
        with pytest.raises(IntegrityError), transaction.atomic():
            Partner.objects.create(name="Association", kind="association", siret=siret)

    def test_the_database_accepts_14_digits_even_with_a_wrong_key(self):
        """The key is the model's and the form's check: the database checks the shape only."""
        Partner.objects.create(name="Association", kind="association", siret="12345678901234")

    def test_existing_kinds_still_work(self):
        for kind in (
            "caf",
            "department",
            "state",
            "public_body",
            "municipal",
            "association",
            "social_landlord",
            "education",
            "company",
            "other",
            "cpam",
            "france_travail",
        ):
            Partner(name=f"Partenaire {kind}", kind=kind).full_clean()

    def test_absolute_url_is_the_partner_page(self):
        partner = PartnerFactory()
        assert partner.get_absolute_url() == f"/partenaires/{partner.pk}/"


@pytest.mark.django_db
class TestContactModel:
    def test_defaults_purpose_and_checked_today(self):
        contact = Contact.objects.create(partner=PartnerFactory(), name="Jeanne Martin")
        assert contact.purpose == DEFAULT_PURPOSE
        assert contact.checked_at == timezone.localdate()
        assert contact.created_at and contact.updated_at

    def test_full_clean_normalises_the_phone_and_checks_the_email(self):
        contact = Contact(partner=PartnerFactory(), name="Jeanne Martin", phone="+33 1 23 45 67 89")
        contact.full_clean()
        assert contact.phone == "01 23 45 67 89"
        contact.email = "jeanne.martin@"
        with pytest.raises(ValidationError) as error:
            contact.full_clean()
        assert error.value.message_dict == {"email": [EMAIL_INVALID]}

    def test_a_wrong_phone_is_said_once(self):
        contact = Contact(partner=PartnerFactory(), name="Jeanne Martin", phone="12 34")
        with pytest.raises(ValidationError) as error:
            contact.full_clean()
        assert error.value.message_dict == {"phone": [PHONE_INVALID]}

    def test_deleting_a_partner_deletes_its_contacts(self):
        contact = ContactFactory()
        ContactFactory(partner=contact.partner)
        kept = ContactFactory()
        contact.partner.delete()
        assert list(Contact.objects.all()) == [kept]

    def test_a_partner_in_an_action_cannot_be_deleted(self, own_action):
        """The plan keeps its partners: the contacts stay with them."""
        role = ActionPartnerFactory(action=own_action)
        ContactFactory(partner=role.partner)
        with pytest.raises(Exception, match="protected"):
            role.partner.delete()
        assert ActionPartner.objects.exists() and Contact.objects.exists()

    def test_check_due_after_twelve_months(self):
        today = date(2026, 6, 15)
        partner = PartnerFactory()
        fresh = ContactFactory(partner=partner, checked_at=date(2025, 6, 15))
        due = ContactFactory(partner=partner, checked_at=date(2025, 6, 14))
        flags = {c.pk: c.check_due for c in Contact.objects.with_check_due(today)}
        assert flags == {fresh.pk: False, due.pk: True}

    def test_an_edit_of_some_fields_updates_the_modification_date(self):
        contact = ContactFactory()
        Contact.objects.filter(pk=contact.pk).update(updated_at=timezone.now() - timedelta(days=3))
        contact.refresh_from_db()
        before = contact.updated_at
        contact.function = "Directrice"
        contact.save(update_fields=["function"])
        contact.refresh_from_db()
        assert contact.updated_at > before

    def test_tel_uri(self):
        assert Contact(phone="01 23 45 67 89").tel_uri == "+33123456789"
        assert Contact(phone="").tel_uri == ""


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 15), date(2025, 6, 15)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2026, 1, 31), date(2025, 1, 31)),
    ],
)
def test_months_before(day, expected):
    assert months_before(day, 12) == expected


def test_months_before_a_shorter_month():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
