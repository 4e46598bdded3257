"""Permission cases of the indicator pages (see tests/evaluation/test_permissions.py).

Everyone signed in reads the list and the indicators; the coordination defines them; the values of an
indicator are entered by the coordination and by the head of the service that fills it in ("own": an
indicator of an action the service head's service pilots, "other": one of another service's action).
"""

from decimal import Decimal

from evaluation.models import Indicator, Measurement
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory
from tests.test_permissions import (
    Case,
    Endpoint,
    World,
    coordination_and_pilot,
    coordination_form,
    coordination_only,
    page,
    signed_in,
)

TARGETS = ("own", "other")
# Who enters the values of an indicator, per target.
CAN_ENTER = {"own": coordination_and_pilot, "other": coordination_only}


def indicator(w: World, target: str = "own") -> Indicator:
    def build():
        action = w.own_action if target == "own" else w.other_action
        made = IndicatorFactory(action=action, code=f"IND-{target}", baseline_value=Decimal(10), baseline_year=2022)
        IndicatorTargetFactory(indicator=made, year=2026, value=Decimal(50))
        return made

    return w.memo(f"indicator-{target}", build)


def measurement(w: World, target: str) -> Measurement:
    return w.memo(f"measurement-{target}", lambda: MeasurementFactory(indicator=indicator(w, target), year=2024))


def _refreshed(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def indicator_data(w: World, **changes) -> dict:
    data = {
        "code": "I-NOUVEAU",
        "name": "Nouvel indicateur",
        "kind": "output",
        "unit": "familles",
        "decimals": 0,
        "direction": "up",
        "source": "",
        "method": "",
        "frequency": "yearly",
        "service": "",
        "action": w.own_action.pk,
        "objective": "",
        "axis": "",
        "baseline_value": "",
        "baseline_year": "",
        "min_value": "",
        "max_value": "",
        "open_data_key": "",
        "targets-TOTAL_FORMS": len(w.convention.years),
        "targets-INITIAL_FORMS": len(w.convention.years),
    }
    for index, year in enumerate(w.convention.years):
        data |= {f"targets-{index}-year": year, f"targets-{index}-value": ""}
    return data | changes


def edit_data(w: World, target: str) -> dict:
    existing = indicator(w, target)
    return indicator_data(
        w,
        code=existing.code,
        name="Indicateur renommé",
        action=existing.action_id,
        baseline_value="10",
        baseline_year=2022,
        **{"targets-4-value": "50"},
    )


def value_data(w: World, target: str) -> dict:
    indicator(w, target)
    return {"value-year": 2025, "value-period": "Y", "value-value": "42", "value-comment": "", "value-previous": ""}


def value_written(w: World, target: str) -> bool:
    return Measurement.objects.filter(indicator=indicator(w, target), year=2025, value=Decimal(42)).exists()


def _value_cases() -> list[Case]:
    cases = []
    for target in TARGETS:
        rule = CAN_ENTER[target]
        cases += [
            Case("evaluation:indicator_value", "GET", rule(200), target=target),
            Case("evaluation:indicator_value", "GET", rule(200), target=target, htmx=True),
            Case("evaluation:indicator_value", "POST", rule(302), target=target),
            Case("evaluation:indicator_value", "POST", rule(200), target=target, htmx=True),
            Case("evaluation:measurement_delete", "POST", rule(302), target=target),
            Case("evaluation:measurement_delete", "POST", rule(200), target=target, htmx=True),
        ]
    return cases


CASES: list[Case] = [
    *page("evaluation:indicator_list"),
    Case("evaluation:indicator_list", "GET", signed_in(200), htmx=True),
    *(case for target in TARGETS for case in page("evaluation:indicator_detail", target=target)),
    *coordination_form("evaluation:indicator_create"),
    *coordination_form("evaluation:indicator_edit"),
    *coordination_form("evaluation:indicator_delete"),
    *_value_cases(),
    Case("evaluation:measurement_delete", "GET", signed_in(405), target="own"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:indicator_list": Endpoint(),
    "evaluation:indicator_detail": Endpoint(kwargs=lambda w, target: {"pk": indicator(w, target).pk}),
    "evaluation:indicator_create": Endpoint(
        data=lambda w, t: indicator_data(w, **{"targets-4-value": "80"}),
        written=lambda w, t: Indicator.objects.filter(code="I-NOUVEAU", targets__year=2026).exists(),
    ),
    "evaluation:indicator_edit": Endpoint(
        kwargs=lambda w, t: {"pk": indicator(w, "own").pk},
        data=lambda w, t: edit_data(w, "own"),
        written=lambda w, t: _refreshed(indicator(w, "own")).name == "Indicateur renommé",
    ),
    "evaluation:indicator_delete": Endpoint(
        kwargs=lambda w, t: {"pk": indicator(w, "own").pk},
        written=lambda w, t: _refreshed(indicator(w, "own")) is None,
    ),
    "evaluation:indicator_value": Endpoint(
        kwargs=lambda w, target: {"pk": indicator(w, target).pk}, data=value_data, written=value_written
    ),
    "evaluation:measurement_delete": Endpoint(
        kwargs=lambda w, target: {"pk": measurement(w, target).pk},
        written=lambda w, target: _refreshed(measurement(w, target)) is None,
    ),
}
