"""Conflicting requests at the same instant on the indicator pages: see `tests/test_concurrency.py` for the
method. PostgreSQL only."""

from decimal import Decimal

from django.urls import reverse

from ctg.views.helpers import GONE
from evaluation.models import CODE_TAKEN, Indicator, Measurement
from evaluation.services import ALREADY_THERE, CHANGED_MEANWHILE
from evaluation.views import indicators as views
from tests.concurrency import RACE_MARKS, logged_in, pause_before, race, said, tally, text_of
from tests.evaluation.factories import IndicatorFactory
from tests.evaluation.matrix_indicators import indicator_data

ROUNDS = 3
pytestmark = RACE_MARKS


class World:
    def __init__(self, convention, own_action):
        self.convention, self.own_action = convention, own_action


def value_post(value: str, previous: str = "") -> dict:
    return {"value-year": 2025, "value-period": "Y", "value-value": value, "value-previous": previous}


class TestIndicatorRaces:
    def test_same_code_twice(self, coordinators, convention, own_action, monkeypatch):
        pause_before(monkeypatch, views, "save_form")
        for number in range(ROUNDS):
            data = indicator_data(World(convention, own_action), code=f"R{number}")
            url = reverse("evaluation:indicator_create")
            responses = race(*[lambda c=client, u=url, d=data: c.post(u, d) for client in coordinators])
            assert Indicator.objects.filter(code=f"R{number}").count() == 1
            refused = next(response for response in responses if response.status_code == 200)
            assert CODE_TAKEN in text_of(refused)
            tally("one created, the other form refused")

    def test_the_same_value_entered_twice(self, coordination, service_head, own_action, monkeypatch):
        """Both forms showed an empty cell: the first value is kept, the second person is told what it is."""
        pause_before(monkeypatch, views, "measurement_record")
        clients = [logged_in(coordination), logged_in(service_head)]
        for number in range(ROUNDS):
            indicator = IndicatorFactory(action=own_action)
            url = reverse("evaluation:indicator_value", args=[indicator.pk])
            posts = [
                lambda c=client, u=url, v=value: c.post(u, value_post(v), headers={"HX-Request": "true"})
                for client, value in zip(clients, ("10", "20"), strict=True)
            ]
            responses = race(*posts, lead=number % 2)
            stored = Measurement.objects.get(indicator=indicator)
            refused = [response for response in responses if ALREADY_THERE.split(") ")[1] in text_of(response)]
            assert len(refused) == 1
            assert ALREADY_THERE.format(value=format(stored.value.normalize(), "f")) in text_of(refused[0])
            tally(f"kept {format(stored.value.normalize(), 'f')}, the other told")

    def test_a_correction_against_another(self, coordination, service_head, own_action, monkeypatch):
        pause_before(monkeypatch, views, "measurement_record")
        clients = [logged_in(coordination), logged_in(service_head)]
        indicator = IndicatorFactory(action=own_action)
        Measurement.objects.create(indicator=indicator, year=2025, value=Decimal(5))
        url = reverse("evaluation:indicator_value", args=[indicator.pk])
        for number in range(ROUNDS):
            shown = format(Measurement.objects.get(indicator=indicator).value.normalize(), "f")
            values = (f"{number + 1}1", f"{number + 1}2")
            posts = [
                lambda c=client, v=value, p=shown: c.post(url, value_post(v, previous=p))
                for client, value in zip(clients, values, strict=True)
            ]
            responses = race(*posts, lead=number % 2)
            stored = format(Measurement.objects.get(indicator=indicator).value.normalize(), "f")
            assert stored in values
            assert sum(response.status_code == 302 for response in responses) == 1
            refused = next(response for response in responses if response.status_code == 200)
            assert CHANGED_MEANWHILE.format(value=stored) in text_of(refused)
            tally("one correction kept, the other told")

    def test_edit_against_delete(self, coordinators, convention, own_action, monkeypatch):
        pause_before(monkeypatch, views, "lock_instance")
        for number in range(ROUNDS):
            indicator = IndicatorFactory(action=own_action, code=f"E{number}")
            data = indicator_data(World(convention, own_action), code=f"E{number}", name="Renommé")
            edit_url = reverse("evaluation:indicator_edit", args=[indicator.pk])
            delete_url = reverse("evaluation:indicator_delete", args=[indicator.pk])
            edited, deleted = race(
                lambda u=edit_url, d=data: coordinators[0].post(u, d),
                lambda u=delete_url: coordinators[1].post(u),
                lead=number % 2,
            )
            assert deleted.status_code == 302
            if Indicator.objects.filter(pk=indicator.pk).exists():
                raise AssertionError("the deletion must win or follow the edit")
            if edited.status_code == 404:
                tally("deleted before the edit read it")
            elif said(edited, GONE.format(indicator)):
                tally("deleted first, the edit told")
            else:
                assert edited.status_code == 302
                tally("edited, then deleted")
