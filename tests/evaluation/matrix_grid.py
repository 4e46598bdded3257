"""Permission cases of the entry grid (see tests/evaluation/test_permissions.py): everyone signed in reads the
grid (the service head their own service's indicators, the direction and the élus without inputs); a row is
saved by the coordination, or by the head of the service that fills the indicator in ("own"), not of another
service ("other")."""

from decimal import Decimal

from evaluation.models import Indicator, Measurement
from tests.evaluation.factories import IndicatorFactory
from tests.test_permissions import (
    YEAR,
    Case,
    Endpoint,
    World,
    coordination_and_pilot,
    coordination_only,
    page,
    signed_in,
)

SAVE = "evaluation:indicator_grid_save"
RULES = {"own": coordination_and_pilot, "other": coordination_only}


def indicator(w: World, target: str) -> Indicator:
    return w.memo(f"grid-{target}", lambda: IndicatorFactory(action=w.action(target), code=f"GRID-{target}"))


def written(w: World, target: str) -> bool:
    return Measurement.objects.filter(indicator=indicator(w, target), year=YEAR, value=Decimal("42.5")).exists()


CASES: list[Case] = [
    *page("evaluation:indicator_grid"),
    Case(SAVE, "GET", signed_in(405), target="own"),
    *(
        Case(SAVE, "POST", RULES[target](200 if htmx else 302), target=target, htmx=htmx)
        for target in RULES
        for htmx in (False, True)
    ),
]
ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:indicator_grid": Endpoint(),
    SAVE: Endpoint(
        kwargs=lambda w, target: {"pk": indicator(w, target).pk, "year": YEAR},
        data=lambda w, target: {"value": "42,5", "comment": "Chiffre du service", "previous": ""},
        written=written,
    ),
}
