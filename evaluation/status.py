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

It is one SQL expression (`IndicatorQuerySet.with_status`), so lists, filters, the dashboard and the bilan
agree, on SQLite as on PostgreSQL. The arithmetic is in floating point: SQLite would divide integers.
"""

from django.db.models import Case, F, FloatField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Abs, Cast, Coalesce, NullIf
from django.db.models.lookups import LessThanOrEqual

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
NULL = Value(None, output_field=FloatField())


def as_float(expression):
    return Cast(expression, FloatField())


def expected_value(targets: QuerySet, year: int) -> Coalesce:
    """The expected value of `year`, from the indicator's `targets` (a queryset filtered on
    `indicator=OuterRef("pk")`) and its baseline.

    Written with COALESCE and NULLIF rather than CASE, so that each subquery appears as few times as possible:
    the expression is inlined wherever the status refers to it, and its size is what the database (and Django,
    compiling it) pays for. The trajectory is NULL when a point is missing, or when the previous and the next
    point are the same target (the year's own target): the COALESCE then falls back on that point.
    """
    before = targets.filter(year__lte=year).order_by("-year")
    after = targets.filter(year__gte=year).order_by("year")
    baseline_usable = Q(baseline_year__isnull=False, baseline_year__lte=year)
    previous_value = Coalesce(
        as_float(Subquery(before.values("value")[:1])),
        Case(When(baseline_usable, then=as_float(F("baseline_value"))), default=NULL),
    )
    previous_year = Coalesce(
        as_float(Subquery(before.values("year")[:1])),
        Case(When(baseline_usable, then=as_float(F("baseline_year"))), default=NULL),
    )
    next_value = as_float(Subquery(after.values("value")[:1]))
    next_year = as_float(Subquery(after.values("year")[:1]))
    trajectory = previous_value + (next_value - previous_value) * (Value(float(year)) - previous_year) / NullIf(
        next_year - previous_year, Value(0.0)
    )
    return Coalesce(trajectory, previous_value, next_value, output_field=FloatField())


def meets(value, target) -> Q:
    """`value` meets `target` in the indicator's desired direction (both float expressions): its shortfall, the
    distance it still has to go, is at most nothing. Each of `value` and `target` appears once per direction."""
    shortfall = Case(
        When(direction=Direction.UP, then=target - value),
        When(direction=Direction.DOWN, then=value - target),
        default=Abs(value - target) - Abs(target) * Value(STABLE_TOLERANCE),
        output_field=FloatField(),
    )
    return Q(LessThanOrEqual(shortfall, Value(EPSILON)))


def status_of(value: str, expected: str, final: str) -> Case:
    """The status from the annotations named `value`, `expected` and `final`."""
    value_expr, expected_expr, final_expr = as_float(F(value)), F(expected), as_float(F(final))
    return Case(
        When(Q(**{f"{value}__isnull": True}) | Q(**{f"{final}__isnull": True}), then=Value(IndicatorStatus.NO_DATA)),
        When(meets(value_expr, final_expr), then=Value(IndicatorStatus.REACHED)),
        When(meets(value_expr, expected_expr), then=Value(IndicatorStatus.ON_TRACK)),
        default=Value(IndicatorStatus.LATE),
    )
