from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partners.enums import AgreementKind, FacilityKind, FundingScheme
from partners.models import Agreement, Contact, Facility, FundingLine, Partner


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = "association"

    class Params:
        # A real-looking SIRET whose Luhn key is right.
        with_siret = factory.Trait(siret="73282932000074")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name", locale="fr_FR")
    function = "Chargée de mission"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    phone = "01 23 45 67 89"
    checked_at = factory.LazyFunction(timezone.localdate)

    class Params:
        # Last checked more than twelve months ago.
        check_due = factory.Trait(
            checked_at=factory.LazyFunction(
                lambda: timezone.localdate().replace(day=1).replace(year=timezone.localdate().year - 2)
            )
        )


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    partner = factory.SubFactory(PartnerFactory)
    kind = AgreementKind.PARTNERSHIP
    title = factory.Sequence(lambda n: f"Convention {n}")
    start_date = date(2024, 1, 1)
    end_date = date(2027, 12, 31)
    annual_amount = Decimal("12000.00")
    notice_months = 0


class FacilityFactory(DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Équipement {n}")
    kind = FacilityKind.EAJE
    capacity = 40


class FundingLineFactory(DjangoModelFactory):
    """A flat-amount CAF line, planned; `rated` gives quantity × unit rate instead."""

    class Meta:
        model = FundingLine

    facility = factory.SubFactory(FacilityFactory)
    year = 2025
    scheme = FundingScheme.PSU
    flat_amount = Decimal("10000.00")
    planned = Decimal("10000.00")

    class Params:
        rated = factory.Trait(flat_amount=None, quantity=Decimal("1000.00"), unit_rate=Decimal("5.5000"))
