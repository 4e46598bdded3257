"""The entry grid under concurrency: two people saving the same cell at the same instant (see tests/concurrency.py).

PostgreSQL only (DATABASE_URL=postgres://…): threads cannot share SQLite's in-memory test database. Each request
is held just before it locks the indicator, so that both have read the indicator and checked their rights first;
the lock then serves them one after the other, and the second one reads what the first one saved.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Measurement
from evaluation.numbers import format_decimal
from evaluation.services import ALREADY_THERE, CHANGED_MEANWHILE
from evaluation.views import grid
from tests.concurrency import HTMX, RACE_MARKS, logged_in, pause_before, race, said, tally, text_of
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory

ROUNDS = 4
YEAR = 2026
pytestmark = RACE_MARKS


@pytest.fixture
def head(service_head):
    return logged_in(service_head)


def save(client, indicator, value: str, *, previous: str = "", htmx: bool = True):
    url = reverse("evaluation:indicator_grid_save", args=[indicator.pk, YEAR])
    return client.post(url, {"value": value, "comment": "", "previous": previous}, headers=HTMX if htmx else {})


def value_of(indicator) -> Decimal | None:
    return (
        Measurement.objects.filter(indicator=indicator, year=YEAR, period="Y").values_list("value", flat=True).first()
    )


def test_two_first_values_in_the_same_cell(head, coordinators, own_action, monkeypatch):
    """Nobody had entered the value yet: one of the two is saved, the other is told which one, nothing lost."""
    pause_before(monkeypatch, grid, "indicator_lock")
    for number in range(ROUNDS):
        indicator = IndicatorFactory(action=own_action, code=f"RACE{number}")
        htmx = number in (0, 3)
        first, second = race(
            lambda indicator=indicator, htmx=htmx: save(head, indicator, "10", htmx=htmx),
            lambda indicator=indicator, htmx=htmx: save(coordinators[0], indicator, "20", htmx=htmx),
            lead=number % 2,
        )
        winner = value_of(indicator)
        assert winner in (Decimal("10"), Decimal("20"))
        loser = second if winner == Decimal("10") else first
        assert loser.status_code == 200
        assert said(loser, ALREADY_THERE.format(value=format_decimal(winner)))
        assert Measurement.objects.filter(indicator=indicator, year=YEAR).count() == 1
        tally(f"{format_decimal(winner)} kept, {'fragment' if htmx else 'page'} refused")


def test_two_changes_of_the_same_value(head, coordinators, own_action, monkeypatch):
    """Both saw 5 and typed another figure: the second one is refused and shown the first one's."""
    pause_before(monkeypatch, grid, "indicator_lock")
    for number in range(ROUNDS):
        indicator = IndicatorFactory(action=own_action, code=f"RACE{number}")
        MeasurementFactory(indicator=indicator, year=YEAR, value=Decimal("5"))
        first, second = race(
            lambda indicator=indicator: save(head, indicator, "11", previous="5"),
            lambda indicator=indicator: save(coordinators[0], indicator, "12", previous="5"),
            lead=number % 2,
        )
        winner = value_of(indicator)
        loser = second if winner == Decimal("11") else first
        assert said(loser, CHANGED_MEANWHILE.format(value=format_decimal(winner)))
        assert f'name="previous" value="{format_decimal(winner)}"' in text_of(
            loser
        )  # saving again is now a deliberate overwrite
        tally(f"{format_decimal(winner)} kept")


def test_a_double_submit(head, own_action, monkeypatch):
    """The same row sent twice (a double Enter): one value, one history row, both answers fine."""
    pause_before(monkeypatch, grid, "indicator_lock")
    for number in range(ROUNDS):
        indicator = IndicatorFactory(action=own_action, code=f"RACE{number}")
        responses = race(
            lambda indicator=indicator: save(head, indicator, "7,5"),
            lambda indicator=indicator: save(head, indicator, "7,5"),
        )
        assert all(response.status_code == 200 for response in responses)
        assert sorted("Déjà enregistré" in text_of(response) for response in responses) == [False, True]
        assert value_of(indicator) == Decimal("7.5")
        assert Measurement.history.filter(indicator_id=indicator.pk, year=YEAR).count() == 1
        tally("saved once")
