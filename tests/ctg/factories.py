from datetime import date

import factory
from factory.django import DjangoModelFactory

from ctg.enums import ObjectiveLevel, Role
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory, User


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Quartier {n}")
    kind = "district"


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fr")
    role = Role.ELECTED
    password = factory.PostGenerationMethodCall("set_password", "demo")

    class Params:
        coordination = factory.Trait(role=Role.COORDINATION)
        direction = factory.Trait(role=Role.DIRECTION)
        elected = factory.Trait(role=Role.ELECTED)
        tech_admin = factory.Trait(role=Role.TECH_ADMIN, is_staff=True, is_superuser=True)
        service_head = factory.Trait(role=Role.SERVICE_HEAD, service=factory.SubFactory(ServiceFactory))

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention

    name = factory.Sequence(lambda n: f"CTG de test {n}")
    status = "in_force"
    territory = factory.SubFactory(TerritoryFactory, kind="commune")
    start_date = date(2022, 1, 1)
    end_date = date(2026, 12, 31)


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    convention = factory.SubFactory(ConventionFactory)
    organisation = "Ville"
    person = factory.Faker("name", locale="fr_FR")


class AmendmentFactory(DjangoModelFactory):
    class Meta:
        model = Amendment

    convention = factory.SubFactory(ConventionFactory)
    number = factory.Sequence(lambda n: n + 1)
    signed_on = date(2024, 3, 1)
    subject = "Ajout d'une fiche"


class AxisFactory(DjangoModelFactory):
    class Meta:
        model = Axis

    convention = factory.SubFactory(ConventionFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    title = factory.Sequence(lambda n: f"Axe {n}")
    theme = "early_childhood"


class ObjectiveFactory(DjangoModelFactory):
    """An operational objective under its own strategic objective."""

    class Meta:
        model = Objective

    axis = factory.SubFactory(AxisFactory)
    level = ObjectiveLevel.OPERATIONAL
    parent = factory.SubFactory(
        "tests.ctg.factories.ObjectiveFactory",
        axis=factory.SelfAttribute("..axis"),
        level=ObjectiveLevel.STRATEGIC,
        parent=None,
    )
    code = factory.Sequence(lambda n: f"OO{n}")
    title = factory.Sequence(lambda n: f"Objectif {n}")
