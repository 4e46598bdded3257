import factory
from factory.django import DjangoModelFactory

from partners.models import Partner


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = "association"
