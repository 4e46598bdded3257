"""The directory of the demo: about thirty partners with a valid SIRET and one to three invented contacts each,
the plan's partners among them, loaded twice without change."""

from datetime import date

import pytest

from ctg.management.commands import demo_data
from ctg.models import Territory
from partners.demo import PARTNERS, demo_siret, email_of, seed_partners
from partners.models import Contact, Partner
from partners.validators import is_valid_siret, normalise_phone

TODAY = date(2026, 11, 30)


@pytest.fixture
def places(db):
    commune = Territory.objects.create(kind="commune", name="Joinville-le-Pont", code="94042")
    for name in demo_data.DISTRICTS:
        Territory.objects.create(kind="district", name=name, parent=commune)
    return commune


def test_the_directory(places):
    seed_partners(today=TODAY)
    partners = Partner.objects.prefetch_related("contacts", "territories")
    assert 28 <= partners.count() <= 35
    assert {name for name, kind in demo_data.PARTNERS} <= {partner.name for partner in partners}
    for partner in partners:
        assert is_valid_siret(partner.siret), partner.name
        assert 1 <= len(partner.contacts.all()) <= 3, partner.name
        assert partner.territories.all() or partner.notes, partner.name
        for contact in partner.contacts.all():
            assert contact.email.endswith("@example.org")
            assert contact.phone.startswith("01 ") and normalise_phone(contact.phone) == contact.phone
            contact.full_clean()
        partner.full_clean()
    assert len({partner.siret for partner in partners}) == partners.count()
    assert len({partner.kind for partner in partners}) >= 8
    due = Contact.objects.with_check_due(TODAY).filter(check_due=True).count()
    assert 2 <= due <= Contact.objects.count() // 4


def test_the_plan_partners_keep_their_names_and_get_the_new_kinds(places):
    for name, kind in demo_data.PARTNERS:
        Partner.objects.create(name=name, kind=kind)
    seed_partners(today=TODAY)
    assert Partner.objects.get(name="CPAM du Val-de-Marne").kind == "cpam"
    assert Partner.objects.get(name="France Travail Joinville-Saint-Maur").kind == "france_travail"


def test_seeding_twice_changes_nothing(places):
    seed_partners(today=TODAY)
    before = (
        list(Partner.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        Contact.history.count(),
    )
    seed_partners(today=TODAY)
    after = (
        list(Partner.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        Contact.history.count(),
    )
    assert after == before


def test_helpers():
    assert is_valid_siret(demo_siret("20841730"))
    assert email_of("Dr Élise Caradec") == "elise.caradec@example.org"
    assert email_of("Anne-Sophie Rigal") == "anne-sophie.rigal@example.org"
    assert len(PARTNERS) >= 28
