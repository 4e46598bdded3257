"""Reads on indicators shared by their pages, the fiche action's panel, the dashboard and the bilan.

The status of a year is always the one stored on the year's value by the rule of `evaluation.status`
(`IndicatorQuerySet.with_status`); the expected value is computed from the indicator's targets by that rule.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from actions.history import Change, HistoryEntry, display
from actions.models import Action
from ctg.models import Axis, Convention, Objective, Service, User
from evaluation.charts import LineChart, indicator_chart, number_text, value_text
from evaluation.enums import IndicatorStatus, Period
from evaluation.models import Indicator, IndicatorTarget, Measurement, value_of
from evaluation.status import indicator_expected

# The badge of each status reuses the hues of app.css (`.c-badge--<modifier>`); its text says the status.
STATUS_BADGES = {
    IndicatorStatus.REACHED: "done",
    IndicatorStatus.ON_TRACK: "in_progress",
    IndicatorStatus.LATE: "late",
    IndicatorStatus.NO_DATA: "neutral",
}
PERIOD_ORDER = {period.value: index for index, period in enumerate(Period)}


def year_of(convention: Convention, year: int | None = None) -> int:
    """`year` (the current one by default) brought into the convention's years."""
    years = convention.years
    year = timezone.localdate().year if year is None else year
    return min(max(year, years[0]), years[-1])


@dataclass(frozen=True)
class YearFigures:
    """An indicator's figures for one year, ready to show."""

    indicator: Indicator
    year: int
    value: Decimal | None
    target: Decimal | None  # the target set for this very year
    expected: float | None  # the target, else the trajectory's point (see `evaluation.status`)
    status: str
    previous: Decimal | None = None  # the value of the year before, when asked for

    def _text(self, number) -> str:
        return value_text(number, self.indicator.decimals, self.indicator.unit)

    def _figure(self, number) -> str:
        return number_text(number, self.indicator.decimals)

    @property
    def value_figure(self) -> str:
        """The number alone, for a table with a column of units."""
        return self._figure(self.value)

    @property
    def target_figure(self) -> str:
        return self._figure(self.target)

    @property
    def expected_figure(self) -> str:
        return self._figure(self.expected)

    @property
    def baseline_figure(self) -> str:
        return self._figure(self.indicator.baseline_value)

    @property
    def value_text(self) -> str:
        return self._text(self.value)

    @property
    def target_text(self) -> str:
        return self._text(self.target)

    @property
    def expected_text(self) -> str:
        return self._text(self.expected)

    @property
    def previous_text(self) -> str:
        return self._text(self.previous)

    @property
    def status_label(self) -> str:
        return IndicatorStatus(self.status).label

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


def targets_prefetched(indicator: Indicator) -> dict[int, Decimal]:
    """The targets by year of an indicator whose `targets` are prefetched (`with_figures`)."""
    return {target.year: target.value for target in indicator.targets.all()}


def figures(indicator: Indicator, year: int) -> YearFigures:
    """From an indicator of `with_figures(…, year)`."""
    targets = targets_prefetched(indicator)
    return YearFigures(
        indicator,
        year,
        indicator.value_of_year,
        targets.get(year),
        indicator_expected(indicator, targets, year),
        indicator.status,
        getattr(indicator, "value_previous", None),
    )


def with_figures(queryset: QuerySet, year: int, *, previous: bool = False) -> QuerySet:
    """`with_status(year)` with the targets prefetched (for `figures`) and, with `previous`, the value of the
    year before."""
    queryset = queryset.with_status(year).prefetch_related("targets")
    return queryset.annotate(value_previous=value_of(year - 1)) if previous else queryset


def yearly_figures(indicator: Indicator, years, stored: dict[int, tuple], targets: dict[int, Decimal]):
    """The figures of `indicator` for each of `years`, from its `yearly_statuses` and `yearly_targets`."""
    return [
        YearFigures(
            indicator,
            year,
            stored.get(year, (None,))[0],
            targets.get(year),
            indicator_expected(indicator, targets, year),
            stored.get(year, (None, IndicatorStatus.NO_DATA))[1],
        )
        for year in years
    ]


def indicators_of_action(action: Action, year: int) -> list[YearFigures]:
    """The action's indicators with their figures of `year` and the value of the year before (two queries)."""
    queryset = with_figures(action.indicators.select_related("service"), year, previous=True).order_by("code")
    return [figures(indicator, year) for indicator in queryset]


def yearly_statuses(indicator: Indicator) -> dict[int, tuple[Decimal, str]]:
    """The values of whole years (`Period.YEAR`) and their statuses, by year."""
    measured = indicator.measurements.filter(period=Period.YEAR).values_list("year", "value", "status")
    return {year: (value, status) for year, value, status in measured}


def yearly_targets(indicator: Indicator) -> dict[int, Decimal]:
    return dict(indicator.targets.values_list("year", "value"))


def chart_of(indicator: Indicator, stored: dict[int, tuple], targets: dict[int, Decimal], years=()) -> LineChart:
    """`indicator`'s line chart from its `yearly_statuses` and `yearly_targets`."""
    values = {year: value for year, (value, _status) in stored.items()}
    return indicator_chart(indicator, values, targets, years=years)


def measurements_of(indicator: Indicator) -> list[Measurement]:
    """Every value of the indicator with its author, newest year first, the whole year before its quarters and
    months; each with its `text` (number and unit)."""
    rows = sorted(
        indicator.measurements.select_related("author"),
        key=lambda m: (-m.year, PERIOD_ORDER.get(m.period, len(PERIOD_ORDER))),
    )
    for measurement in rows:
        measurement.text = value_text(measurement.value, indicator.decimals, indicator.unit)
    return rows


# --- History -----------------------------------------------------------------------------------------------

# A value's `status` is derived (recomputed by the rule), not part of its history.
IGNORED = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user", "status"}
DECIMAL_FIELDS = {"value", "baseline_value", "min_value", "max_value"}


def _show(field, value, names: dict, indicator: Indicator) -> str:
    if field.name in DECIMAL_FIELDS and value is not None:
        return value_text(value, indicator.decimals, indicator.unit)
    return display(field, value, names)


def _entries(records, model, subject, names: dict, indicator: Indicator, skip=frozenset()) -> list[HistoryEntry]:
    fields = [f for f in model._meta.concrete_fields if f.attname not in IGNORED | skip]
    previous_of: dict[int, object] = {}
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_of.get(record.id)
        previous_of[record.id] = record
        # Values recorded outside a request (the demo, an import) are signed by their author.
        user = record.history_user or names.get((User, getattr(record, "author_id", None)))
        if record.history_type in "+-":
            verb = "created" if record.history_type == "+" else "deleted"
            changes = []
            if model is Measurement and record.history_type == "+":
                changes = [
                    Change("valeur", "—", _show(model._meta.get_field("value"), record.value, names, indicator))
                ]
            entries.append(HistoryEntry(record.history_date, user, subject(record), verb, changes))
            continue
        if previous is None:
            continue
        changes = [
            Change(
                str(field.verbose_name),
                _show(field, getattr(previous, field.attname), names, indicator),
                _show(field, getattr(record, field.attname), names, indicator),
            )
            for field in fields
            if getattr(previous, field.attname) != getattr(record, field.attname)
        ]
        if changes:
            entries.append(HistoryEntry(record.history_date, user, subject(record), "changed", changes))
    return entries


def _names(model, ids) -> dict:
    ids = set(ids) - {None}
    return {(model, obj.pk): str(obj) for obj in model.objects.filter(pk__in=ids)} if ids else {}


def indicator_history(indicator: Indicator) -> list[HistoryEntry]:
    """Who changed the indicator, its targets and its values, from what to what, and when: newest first, in a
    fixed number of queries."""
    own = list(indicator.history.select_related("history_user"))
    targets = list(IndicatorTarget.history.filter(indicator_id=indicator.pk).select_related("history_user"))
    values = list(Measurement.history.filter(indicator_id=indicator.pk).select_related("history_user"))
    names = {
        **_names(Service, [r.service_id for r in own]),
        **_names(Action, [r.action_id for r in own]),
        **_names(Objective, [r.objective_id for r in own]),
        **_names(Axis, [r.axis_id for r in own]),
        **_names(User, [r.author_id for r in values]),
    }
    period = Measurement._meta.get_field("period")
    entries = [
        *_entries(own, Indicator, lambda r: "l'indicateur", names, indicator, {"convention_id", "created_at"}),
        *_entries(targets, IndicatorTarget, lambda r: f"la cible {r.year}", names, indicator, {"indicator_id"}),
        *_entries(
            values,
            Measurement,
            lambda r: (
                f"la valeur {r.year}" + ("" if r.period == Period.YEAR else f" ({display(period, r.period, {})})")
            ),
            names,
            indicator,
            {"indicator_id", "year", "period", "recorded_at"},
        ),
    ]
    return sorted(entries, key=lambda entry: entry.at)[::-1]
