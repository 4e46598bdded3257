"""Audited writes on indicator values.

`measurement_record` locks the indicator's row, reads the stored value of the period afresh, and refuses to
overwrite a value somebody else stored since the form was served (`previous` is the value the form showed):
two people entering the same cell are served one after the other, and the second is told, in French, what
the first one saved. Bounds are checked under the lock too.
"""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ctg.models import User
from evaluation.enums import Period, Provenance
from evaluation.models import VALUE_TAKEN, Indicator, Measurement
from evaluation.numbers import format_decimal

logger = logging.getLogger("evaluation")

INDICATOR_GONE = "Cet indicateur vient d'être supprimé : rien n'a été enregistré."
CHANGED_MEANWHILE = (
    "Une autre personne a enregistré {value} pour cette période entre-temps : vérifiez puis enregistrez."
)
ALREADY_THERE = "Une valeur ({value}) est déjà enregistrée pour cette période : modifiez-la plutôt."
BELOW_MIN = "La valeur doit être supérieure ou égale à {bound}."
ABOVE_MAX = "La valeur doit être inférieure ou égale à {bound}."

UNSET = object()


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
        fields = ["value", "provenance", "author", "recorded_at"]
        if comment is not None:
            measurement.comment = comment
            fields.append("comment")
        measurement.save(update_fields=fields)
    logger.info(
        "measurement recorded",
        extra={"indicator": indicator.pk, "year": year, "period": period, "provenance": provenance},
    )
    return measurement
