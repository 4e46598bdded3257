"""What the evaluation app brings to the bilan annuel (domain.md §5): the context indicators (section 2), the
indicators of each fiche and axis within the progress (section 4), the participation of inhabitants
(section 7) and the annex table of every indicator (section 9).

`EvaluationData` reads each set of rows once for the whole convention – the indicators with their status of
year N (`IndicatorQuerySet.with_status`, the one rule), their yearly values and targets, the surveys and
their scale questions' results, the workshops – so the bilan's query count does not grow with the plan.
Numbers are formatted as the indicator pages show them (`evaluation.charts.value_text`: "1 200", "58,3 %").
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q
from django.db.models.functions import Coalesce

from ctg.models import Convention
from evaluation.charts import LineChart, indicator_chart, number_text, value_text
from evaluation.enums import IndicatorKind, IndicatorStatus, Period, QuestionKind
from evaluation.models import Indicator, IndicatorTarget, Measurement, Question, Survey, Workshop
from evaluation.status import RULE, indicator_expected

if TYPE_CHECKING:
    from reports.bilan import BilanSource

MISSING = "–"
SATISFIED_SCORE = 4  # "satisfait" on a scale of 1 to 5: 4 or 5


def indicator_number(value, indicator: Indicator) -> str:
    """A value of `indicator` as its pages show it ("1 200", "58,3 %"), its unit written when it is a
    percentage; other units are named once, beside the indicator's name."""
    unit = "%" if indicator.unit.strip() == "%" else ""
    return value_text(value, indicator.decimals, unit)


def unit_of(indicator: Indicator) -> str:
    """The unit printed beside the name: none for a percentage, which its values carry."""
    unit = indicator.unit.strip()
    return "" if unit == "%" else unit


def percent_text(part: int, whole: int) -> str:
    return value_text(100 * Decimal(part) / whole, 0, "%") if whole else MISSING


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as the bilan prints it for year N (its values already formatted)."""

    indicator: Indicator
    unit: str
    baseline: str  # "100 (2022)" or "–"
    previous: str  # value of N-1
    value: str  # value of N
    target: str  # the expected value of N: its target, else the point of the trajectory
    on_trajectory: bool  # N has no target of its own: `target` is read on the trajectory
    status: str
    status_label: str
    chart: LineChart | None = None  # for the fiches' indicators only


@dataclass(frozen=True)
class ContextRow:
    indicator: Indicator
    unit: str
    values: list[str]  # one per year of the section, in order
    source: int | None  # the number of its source in the list under the table


@dataclass(frozen=True)
class ScaleResult:
    question: Question
    answers: int  # answers with a score
    average: str  # "4,2" or "–"
    satisfied: str  # share of scores ≥ 4, "75 %" or "–"


@dataclass(frozen=True)
class SurveyResult:
    survey: Survey
    answers: int  # responses received
    scales: list[ScaleResult]


class EvaluationData:
    """The evaluation rows of one convention as the bilan of `year` reads them, each loaded once."""

    def __init__(self, convention: Convention, year: int):
        self.convention = convention
        self.year = year
        self.years = [year for year in convention.years if year <= self.year]  # those the bilan looks back on

    @cached_property
    def indicators(self) -> list[Indicator]:
        """Every indicator of the convention but those of archived fiches, with the status of N, by code;
        `axis_key` is the axis of an indicator attached to an axis or to one of its objectives."""
        return list(
            Indicator.objects.of_convention(self.convention)
            .filter(Q(action__isnull=True) | Q(action__archived_at__isnull=True))
            .with_status(self.year)
            .annotate(axis_key=Coalesce("axis_id", "objective__axis_id"))
            .order_by("code", "pk")
        )

    @cached_property
    def values(self) -> dict[int, dict[int, Decimal]]:
        """Per indicator, its value of each year up to N (the whole year's, as statuses read)."""
        values: dict[int, dict[int, Decimal]] = defaultdict(dict)
        if self.indicators:
            rows = Measurement.objects.filter(
                indicator__convention=self.convention, period=Period.YEAR, year__lte=self.year
            ).values_list("indicator_id", "year", "value")
            for indicator_id, year, value in rows:
                values[indicator_id][year] = value
        return values

    @cached_property
    def targets(self) -> dict[int, dict[int, Decimal]]:
        """Per indicator, its target of each year."""
        targets: dict[int, dict[int, Decimal]] = defaultdict(dict)
        if self.indicators:
            rows = IndicatorTarget.objects.filter(indicator__convention=self.convention).values_list(
                "indicator_id", "year", "value"
            )
            for indicator_id, year, value in rows:
                targets[indicator_id][year] = value
        return targets

    def row(self, indicator: Indicator, *, chart: bool = False) -> IndicatorRow:
        values, targets = self.values.get(indicator.pk, {}), self.targets.get(indicator.pk, {})
        expected = indicator_expected(indicator, targets, self.year)
        baseline = MISSING
        if indicator.baseline_value is not None:
            baseline = f"{indicator_number(indicator.baseline_value, indicator)} ({indicator.baseline_year})"
        return IndicatorRow(
            indicator=indicator,
            unit=unit_of(indicator),
            baseline=baseline,
            previous=indicator_number(values.get(self.year - 1), indicator),
            value=indicator_number(indicator.value_of_year, indicator),
            target=indicator_number(expected, indicator),
            on_trajectory=expected is not None and self.year not in targets,
            status=indicator.status,
            status_label=IndicatorStatus(indicator.status).label,
            chart=indicator_chart(indicator, values, targets, years=self.years) if chart else None,
        )

    @cached_property
    def by_action(self) -> dict[int, list[IndicatorRow]]:
        """The indicators of each fiche, with their charts."""
        rows: dict[int, list[IndicatorRow]] = defaultdict(list)
        for indicator in self.indicators:
            if indicator.action_id:
                rows[indicator.action_id].append(self.row(indicator, chart=True))
        return rows

    @cached_property
    def by_axis(self) -> dict[int, list[IndicatorRow]]:
        """The indicators of each axis: attached to the axis or to one of its objectives (no chart)."""
        rows: dict[int, list[IndicatorRow]] = defaultdict(list)
        for indicator in self.indicators:
            if indicator.axis_key:
                rows[indicator.axis_key].append(self.row(indicator))
        return rows

    @cached_property
    def context_indicators(self) -> list[Indicator]:
        """The territorial diagnostic: context indicators of the CTG itself (attached to nothing)."""
        return [
            indicator
            for indicator in self.indicators
            if indicator.kind == IndicatorKind.CONTEXT
            and not (indicator.action_id or indicator.objective_id or indicator.axis_id)
        ]

    @cached_property
    def surveys(self) -> list[SurveyResult]:
        """The surveys opened or closed in N, with their number of responses and, per scale question, the
        average score and the share of scores ≥ 4 (2 queries)."""
        surveys = list(
            Survey.objects.filter(convention=self.convention)
            .filter(Q(opens_on__year=self.year) | Q(closes_on__year=self.year))
            .annotate(answer_count=Count("responses"))
            .order_by("opens_on", "title", "pk")
        )
        if not surveys:
            return []
        questions = (
            Question.objects.filter(survey__in=surveys, kind=QuestionKind.SCALE)
            .annotate(
                average=Avg("answers__score"),
                scored=Count("answers__score"),
                satisfied=Count("answers", filter=Q(answers__score__gte=SATISFIED_SCORE)),
            )
            .order_by("order", "pk")
        )
        scales: dict[int, list[ScaleResult]] = defaultdict(list)
        for question in questions:
            scales[question.survey_id].append(
                ScaleResult(
                    question=question,
                    answers=question.scored,
                    average=number_text(question.average, 1),
                    satisfied=percent_text(question.satisfied, question.scored),
                )
            )
        return [SurveyResult(survey, survey.answer_count, scales.get(survey.pk, [])) for survey in surveys]

    @cached_property
    def workshops(self) -> list[Workshop]:
        """The workshops and concertations held in N, oldest first."""
        return list(
            Workshop.objects.filter(convention=self.convention, held_on__year=self.year).order_by("held_on", "pk")
        )


# --- Sections -------------------------------------------------------------------------------------------


def build_context(source: "BilanSource") -> dict | None:
    """Section 2: the diagnostic's indicators over the years of the convention up to N, with their sources."""
    data = source.evaluation
    indicators = data.context_indicators
    if not indicators:
        return None
    years = data.years
    # Sources are numbered under the table rather than repeated on each row: one line per indicator.
    sources = list(dict.fromkeys(indicator.source.strip() for indicator in indicators if indicator.source.strip()))
    number = {source: index for index, source in enumerate(sources, start=1)}
    rows = [
        ContextRow(
            indicator,
            unit_of(indicator),
            [indicator_number(data.values.get(indicator.pk, {}).get(year), indicator) for year in years],
            number.get(indicator.source.strip()),
        )
        for indicator in indicators
    ]
    return {"years": years, "rows": rows, "sources": sources}


def build_participation(source: "BilanSource") -> dict | None:
    """Section 7: the surveys of N with their results and the workshops of N, with totals."""
    data = source.evaluation
    surveys, workshops = data.surveys, data.workshops
    if not surveys and not workshops:
        return None
    inhabitants = sum(workshop.inhabitants for workshop in workshops)
    professionals = sum(workshop.professionals for workshop in workshops)
    return {
        "surveys": surveys,
        "answers": sum(survey.answers for survey in surveys),
        "workshops": workshops,
        "inhabitants": inhabitants,
        "professionals": professionals,
        "participants": inhabitants + professionals,
    }


def indicator_table(source: "BilanSource") -> dict | None:
    """Annex: every indicator of the convention, those of the plan first then those of context, each by code,
    and the rule of their status."""
    data = source.evaluation
    if not data.indicators:
        return None
    indicators = sorted(data.indicators, key=lambda indicator: indicator.kind == IndicatorKind.CONTEXT)
    return {"rows": [data.row(indicator) for indicator in indicators], "rule": RULE}
