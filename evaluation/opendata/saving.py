"""Saving what a file gave as the convention's context indicators, and the coverage rates they allow computing.

Each field's indicator is created on first import with the French name, unit and source of `FIELDS`. Values
are yearly measurements of provenance "import"; an import overwrites (no `previous`), so importing a file again
updates, never duplicates. The preview (`plan_import`) compares with the stored values and reads only.

Taux de couverture computed: the children under 3 (INSEE) are not in the CAF files; the coordination enters
them per year (indicator CTX-ENF3, key `CHILDREN_KEY`). For a year with places (`tot_offre_com`, else the
sum of the five place fields present) and children, and no `txcouv_com` imported for that year, the coverage
indicator's value is places ÷ children × 100, stored with a comment starting with `COMPUTED` (which tells a
computed value, recomputed at each import, from an imported or entered one, never overwritten).
"""

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ctg.models import Convention, User
from evaluation.charts import number_text
from evaluation.enums import Direction, IndicatorKind, Period, Provenance
from evaluation.models import Indicator, Measurement
from evaluation.opendata.fields import (
    CAF_METHOD,
    CHILDREN_KEY,
    COMPUTED,
    COMPUTED_COMMENT,
    COVERAGE_KEY,
    FIELDS,
    METHODS,
    PLACE_KEYS,
    TOTAL_PLACES_KEY,
    Field,
)
from evaluation.services import measurement_record

logger = logging.getLogger("evaluation")

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
COVERAGE_INPUTS = frozenset({TOTAL_PLACES_KEY, *PLACE_KEYS, CHILDREN_KEY})
CONVENTION_GONE = "Cette convention vient d'être supprimée : rien n'a été importé."
OUT_OF_BOUNDS = "Colonne {column}, année {year} : {value} est hors des bornes de l'indicateur {code}."
CODE_RACE = "Un indicateur vient d'être créé avec le même code par une autre personne : relancez l'import."


def number(value: Decimal) -> str:
    """`value` the French way, with the decimals it has: "1 234,5"."""
    return number_text(value, max(0, -value.normalize().as_tuple().exponent))


@dataclass(frozen=True)
class Change:
    """One yearly value to store: `old` is the stored one (None: none). `comment` None keeps the stored
    comment; a computed rate carries its explanation, and a value replacing a computed one clears it."""

    key: str
    year: int
    old: Decimal | None
    new: Decimal
    old_computed: bool = False
    comment: str | None = None

    @property
    def computed(self) -> bool:
        return bool(self.comment) and self.comment.startswith(COMPUTED)

    @property
    def state(self) -> str:
        if self.old is None:
            return NEW
        if self.old == self.new and self.old_computed == self.computed:
            return UNCHANGED
        return UPDATED


@dataclass
class Plan:
    indicators: dict[str, Indicator]
    changes: list[Change]
    errors: list[str]

    @property
    def missing_keys(self) -> list[str]:
        keys = {change.key for change in self.changes}
        return [key for key in FIELDS if key in keys and key not in self.indicators]

    def count(self, state: str) -> int:
        return sum(change.state == state for change in self.changes)


def stored_state(convention: Convention) -> tuple[dict[str, Indicator], dict[tuple[str, int], tuple[Decimal, str]]]:
    """The convention's open-data indicators by key, and their yearly values and comments: two queries."""
    indicators = {
        indicator.open_data_key: indicator
        for indicator in Indicator.objects.of_convention(convention).filter(open_data_key__in=list(FIELDS))
    }
    if not indicators:
        return indicators, {}
    rows = Measurement.objects.filter(indicator__in=list(indicators.values()), period=Period.YEAR).values_list(
        "indicator__open_data_key", "year", "value", "comment"
    )
    return indicators, {(key, year): (value, comment) for key, year, value, comment in rows}


def plan_import(convention: Convention, values: dict[tuple[str, int], Decimal]) -> Plan:
    """What saving `values` would change, with the coverage rates they allow computing. Reads only."""
    indicators, stored = stored_state(convention)
    changes = []
    for (key, year), value in sorted(values.items(), key=lambda item: (list(FIELDS).index(item[0][0]), item[0][1])):
        old, comment = stored.get((key, year), (None, ""))
        old_computed = comment.startswith(COMPUTED)
        changes.append(Change(key, year, old, value, old_computed, "" if old_computed else None))
    years = {year for key, year in values if key in COVERAGE_INPUTS}
    changes.extend(coverage_changes(values, stored, years))
    errors = []
    for change in changes:
        indicator = indicators.get(change.key)
        if indicator is None:
            continue
        low, high = indicator.min_value, indicator.max_value
        if (low is not None and change.new < low) or (high is not None and change.new > high):
            value = number(change.new)
            errors.append(OUT_OF_BOUNDS.format(column=change.key, year=change.year, value=value, code=indicator.code))
    return Plan(indicators, changes, errors)


def coverage_changes(values: dict, stored: dict, years: set[int]) -> list[Change]:
    """The coverage rates of `years` computable from the places and the children under 3 (stored, or about to
    be), for the years without a rate imported from the CAF (in `values`, or stored and not computed)."""
    merged = {where: value for where, (value, _) in stored.items()} | values
    changes = []
    for year in sorted(years):
        old = stored.get((COVERAGE_KEY, year))
        if (COVERAGE_KEY, year) in values or (old and not old[1].startswith(COMPUTED)):
            continue
        places = merged.get((TOTAL_PLACES_KEY, year))
        if places is None:
            parts = [merged[key, year] for key in PLACE_KEYS if (key, year) in merged]
            places = sum(parts, Decimal(0)) if parts else None
        children = merged.get((CHILDREN_KEY, year))
        if places is None or not children:
            continue
        rate = (places * 100 / children).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        comment = COMPUTED_COMMENT.format(places=number(places), children=number(children))
        changes.append(Change(COVERAGE_KEY, year, old[0] if old else None, rate, old is not None, comment))
    return changes


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    unchanged: int
    indicators: int


def lock_convention(convention: Convention) -> None:
    """One import or entry at a time per convention: its row, then its open-data indicators, are locked."""
    if not Convention.objects.select_for_update().filter(pk=convention.pk).exists():
        raise ValidationError(CONVENTION_GONE)
    list(
        Indicator.objects.of_convention(convention)
        .filter(open_data_key__in=list(FIELDS))
        .select_for_update()
        .values_list("pk", flat=True)
    )


@transaction.atomic
def opendata_import(*, convention: Convention, values: dict[tuple[str, int], Decimal], by: User | None) -> Counts:
    """Save the values a file gave (`Export.values`) and the coverage rates they allow computing: all or
    nothing (a `ValidationError` in French otherwise). Compared with the stored values under the locks, so the
    counts say what this import really changed; an unchanged value is not written again."""
    lock_convention(convention)
    plan = plan_import(convention, values)
    if plan.errors:
        raise ValidationError(plan.errors)
    return apply_plan(convention, plan, by)


@transaction.atomic
def children_record(
    *, convention: Convention, entries: dict[int, tuple[Decimal | None, Decimal]], by: User | None
) -> Counts:
    """Store the children under 3 typed for some years (`entries`: year → (the value the form showed, the new
    value); a value stored meanwhile by someone else is refused, as in the entry grid), then the coverage rates
    they allow computing. The `ValidationError` of a refused year is keyed by that year."""
    lock_convention(convention)
    indicators, _ = stored_state(convention)
    children = indicators.get(CHILDREN_KEY) or indicator_create(
        convention, FIELDS[CHILDREN_KEY], taken_codes(convention)
    )
    for year, (shown, value) in sorted(entries.items()):
        try:
            measurement_record(indicator=children, year=year, value=value, by=by, previous=shown)
        except ValidationError as error:
            raise ValidationError({str(year): error.messages}) from error
    plan = plan_import(convention, {(CHILDREN_KEY, year): value for year, (_, value) in entries.items()})
    if plan.errors:
        raise ValidationError(plan.errors)
    return apply_plan(convention, plan, by)


def apply_plan(convention: Convention, plan: Plan, by: User | None) -> Counts:
    indicators = dict(plan.indicators)
    taken = taken_codes(convention)
    for key in plan.missing_keys:
        indicators[key] = indicator_create(convention, FIELDS[key], taken)
    for change in plan.changes:
        if change.state != UNCHANGED:
            measurement_record(
                indicator=indicators[change.key],
                year=change.year,
                value=change.new,
                by=by,
                comment=change.comment,
                provenance=Provenance.IMPORT,
            )
    return Counts(plan.count(NEW), plan.count(UPDATED), plan.count(UNCHANGED), len(plan.missing_keys))


def taken_codes(convention: Convention) -> set[str]:
    return {code.lower() for code in Indicator.objects.of_convention(convention).values_list("code", flat=True)}


def indicator_create(convention: Convention, spec: Field, taken: set[str]) -> Indicator:
    """The context indicator of a field, with the catalogue's code, or the first free one after it."""
    code, number = spec.code, 2
    while code.lower() in taken:
        code, number = f"{spec.code}-{number}", number + 1
    taken.add(code.lower())
    indicator = Indicator(
        convention=convention,
        code=code,
        name=spec.name,
        kind=IndicatorKind.CONTEXT,
        unit=spec.unit,
        decimals=spec.decimals,
        direction=Direction.UP if spec.dataset in ("txcouv_pe_com", "nbpla_pe_com") else Direction.STABLE,
        source=spec.source,
        method=METHODS.get(spec.key, CAF_METHOD),
        open_data_key=spec.key,
        min_value=Decimal(0),
    )
    indicator.full_clean()
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as error:
        raise ValidationError(CODE_RACE) from error
    logger.info("context indicator created", extra={"indicator": indicator.pk, "key": spec.key})
    return indicator
