"""Audited writes on indicator values.

`measurement_record` locks the indicator's row, reads the stored value of the period afresh, and refuses to
overwrite a value somebody else stored since the form was served (`previous` is the value the form showed):
two people entering the same cell are served one after the other, and the second is told, in French, what
the first one saved. Bounds are checked under the lock too.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ctg.models import User
from evaluation.enums import IndicatorStatus, Period, Provenance
from evaluation.models import VALUE_TAKEN, Indicator, IndicatorTarget, Measurement
from evaluation.numbers import format_decimal
from evaluation.status import year_status

logger = logging.getLogger("evaluation")

INDICATOR_GONE = "Cet indicateur vient d'être supprimé : rien n'a été enregistré."
CHANGED_MEANWHILE = (
    "Une autre personne a enregistré {value} pour cette période entre-temps : vérifiez puis enregistrez."
)
ALREADY_THERE = "Une valeur ({value}) est déjà enregistrée pour cette période : modifiez-la plutôt."
BELOW_MIN = "La valeur doit être supérieure ou égale à {bound}."
ABOVE_MAX = "La valeur doit être inférieure ou égale à {bound}."

UNSET = object()
BATCH = 500  # indicators refreshed per round trip (SQLite caps a query's parameters)


class IndicatorGone(Exception):
    pass


def indicator_lock(pk: int) -> Indicator:
    indicator = Indicator.objects.select_for_update().filter(pk=pk).first()
    if indicator is None:
        raise IndicatorGone(INDICATOR_GONE)
    return indicator


def check_bounds(indicator: Indicator, value: Decimal) -> None:
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValidationError({"value": BELOW_MIN.format(bound=format_decimal(indicator.min_value))})
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValidationError({"value": ABOVE_MAX.format(bound=format_decimal(indicator.max_value))})


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    year: int,
    value: Decimal,
    by: User | None,
    period: str = Period.YEAR,
    comment: str | None = None,
    provenance: str = Provenance.ENTRY,
    previous: Decimal | None | object = UNSET,
) -> Measurement:
    """Store `value` as the indicator's value for (`year`, `period`), creating or updating that one row.

    `previous` is the value the user saw (None: none was stored); when the stored value differs, nothing is
    saved and a `ValidationError` says what is stored now. Leave it UNSET to overwrite (imports, surveys).
    A `comment` of None keeps the stored comment.
    """
    indicator = indicator_lock(indicator.pk)
    check_bounds(indicator, value)
    stored = Measurement.objects.filter(indicator=indicator, year=year, period=period).first()
    if previous is not UNSET and (stored.value if stored else None) != previous:
        message = CHANGED_MEANWHILE if previous is not None else ALREADY_THERE
        raise ValidationError({"value": message.format(value=format_decimal(stored.value) if stored else "—")})
    now = timezone.now()
    status = year_status(indicator, targets_of([indicator.pk])[indicator.pk], value, year)
    if stored is None:
        measurement = Measurement(
            indicator=indicator,
            year=year,
            period=period,
            value=value,
            comment=comment or "",
            provenance=provenance,
            author=by,
            recorded_at=now,
            status=status if period == Period.YEAR else IndicatorStatus.NO_DATA,
        )
        measurement.full_clean()
        try:
            with transaction.atomic():
                measurement.save()
        except IntegrityError as error:
            raise ValidationError({"value": VALUE_TAKEN}) from error
    else:
        measurement = stored
        measurement.value, measurement.provenance, measurement.author, measurement.recorded_at = (
            value,
            provenance,
            by,
            now,
        )
        measurement.status = status if period == Period.YEAR else IndicatorStatus.NO_DATA
        fields = ["value", "provenance", "author", "recorded_at", "status"]
        if comment is not None:
            measurement.comment = comment
            fields.append("comment")
        measurement.save(update_fields=fields)
    logger.info(
        "measurement recorded",
        extra={"indicator": indicator.pk, "year": year, "period": period, "provenance": provenance},
    )
    return measurement


def targets_of(indicator_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """The targets of each indicator, by year."""
    targets: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = IndicatorTarget.objects.filter(indicator_id__in=indicator_ids).values_list("indicator_id", "year", "value")
    for indicator_id, year, value in rows:
        targets[indicator_id][year] = value
    return targets


@transaction.atomic
def statuses_refresh(*, indicator_ids: Iterable[int]) -> int:
    """Recompute the status stored on every value of a whole year of these indicators, after a change of their
    targets, baseline or direction (or rows written in bulk); save the statuses that changed, and only them.
    Returns how many changed. The callers that change a definition hold the indicator's lock."""
    ids = list(indicator_ids)
    changed = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        indicators = Indicator.objects.only("direction", "baseline_value", "baseline_year").in_bulk(batch)
        targets = targets_of(batch)
        values = Measurement.objects.filter(indicator_id__in=batch, period=Period.YEAR).only(
            "indicator_id", "year", "value", "status"
        )
        for measurement in values:
            indicator = indicators[measurement.indicator_id]
            status = year_status(indicator, targets[indicator.pk], measurement.value, measurement.year)
            if status != measurement.status:
                measurement.status = status
                changed.append(measurement)
    Measurement.objects.bulk_update(changed, ["status"], batch_size=BATCH)
    return len(changed)
