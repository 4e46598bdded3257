"""An indicator's status for a year: computed from its values, baseline, targets and desired direction.

The rule (shown to users on the indicator pages, `RULE`):

- **sans donnée**: no value for the year, or no target at all;
- the **expected value** of the year is its target when one is set for that year; otherwise the point of
  the linear trajectory between the last known point before it (the previous target, else the baseline)
  and the next target; after the last target, that last target; before the first one with no baseline,
  the first target;
- **atteint**: the value meets the final target (the target of the last year that has one);
- **en bonne voie**: the value meets the expected value of the year, but not yet the final target;
- **en retard**: the value falls short of the expected value.

"Meets" follows the desired direction: at least the target for an indicator to raise, at most for one to
lower, within 5 % of the target for one to keep stable.

The rule is computed here, in Python, once per value of a whole year, and stored on that value
(`Measurement.status`) by `evaluation.services.statuses_refresh` whenever a value, a target, the baseline or
the direction changes: lists, filters, the dashboard and the bilan then read and count a column, and agree.
"""

from collections.abc import Mapping
from decimal import Decimal

from evaluation.enums import Direction, IndicatorStatus

RULE = (
    "Le statut se calcule, il ne se saisit pas. Sans valeur pour l'année, ou sans aucune cible : « sans donnée ». "
    "La valeur attendue d'une année est sa cible ; à défaut, le point de la trajectoire linéaire entre le dernier "
    "point connu (cible précédente, sinon valeur de référence) et la cible suivante. « Atteint » : la valeur "
    "atteint la cible finale. « En bonne voie » : elle atteint la valeur attendue de l'année, pas encore la cible "
    "finale. « En retard » : elle reste en deçà de la valeur attendue. Pour un indicateur à maintenir, une valeur "
    "à 5 % près de la cible l'atteint."
)
STABLE_TOLERANCE = 0.05
EPSILON = 1e-9

Targets = Mapping[int, Decimal]  # an indicator's targets by year


def expected_value(targets: Targets, baseline_year: int | None, baseline_value, year: int) -> float | None:
    """The expected value of `year`: its target, else the linear trajectory's point (see the module's rule)."""
    before = [target_year for target_year in targets if target_year <= year]
    after = [target_year for target_year in targets if target_year >= year]
    previous = None
    if before:
        previous = (max(before), float(targets[max(before)]))
    elif baseline_year is not None and baseline_value is not None and baseline_year <= year:
        previous = (baseline_year, float(baseline_value))
    following = (min(after), float(targets[min(after)])) if after else None
    if previous and following and following[0] != previous[0]:
        (start_year, start), (end_year, end) = previous, following
        return start + (end - start) * (year - start_year) / (end_year - start_year)
    if previous:
        return previous[1]
    return following[1] if following else None


def final_target(targets: Targets) -> Decimal | None:
    """The target of the last year that has one."""
    return targets[max(targets)] if targets else None


def meets(value: float, target: float, direction: str) -> bool:
    """`value` meets `target` in the desired `direction`: the distance it still has to go is at most nothing."""
    if direction == Direction.UP:
        shortfall = target - value
    elif direction == Direction.DOWN:
        shortfall = value - target
    else:
        shortfall = abs(value - target) - abs(target) * STABLE_TOLERANCE
    return shortfall <= EPSILON


def status_of(value, expected: float | None, final, direction: str) -> IndicatorStatus:
    if value is None or final is None:
        return IndicatorStatus.NO_DATA
    value = float(value)
    if meets(value, float(final), direction):
        return IndicatorStatus.REACHED
    if expected is not None and meets(value, expected, direction):
        return IndicatorStatus.ON_TRACK
    return IndicatorStatus.LATE


def indicator_expected(indicator, targets: Targets, year: int) -> float | None:
    """The expected value of `year` for `indicator` (anything with its baseline), whose targets are `targets`."""
    return expected_value(targets, indicator.baseline_year, indicator.baseline_value, year)


def year_status(indicator, targets: Targets, value, year: int) -> IndicatorStatus:
    """The status of `value`, the value of the whole of `year` of `indicator` (anything with its baseline and
    direction), whose targets are `targets`."""
    expected = indicator_expected(indicator, targets, year)
    return status_of(value, expected, final_target(targets), indicator.direction)
