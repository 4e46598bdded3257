from datetime import date, time

import factory
from factory.django import DjangoModelFactory

from governance.models import AgendaItem, Attendance, Body, Decision, Meeting
from tests.ctg.factories import ConventionFactory, UserFactory


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    convention = factory.SubFactory(ConventionFactory)
    kind = "copil"
    name = factory.Sequence(lambda n: f"Instance {n}")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    date = date(2026, 3, 12)
    start_time = time(9, 30)
    end_time = time(12, 0)
    place = "Hôtel de ville"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Point {n}")


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Décision {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = date(2026, 6, 30)
