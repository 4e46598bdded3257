"""An indicator's line chart, drawn as SVG by the server: its values by year against its baseline (a dashed
line) and its targets (square markers), for the web pages and the PDF bilan alike.

This module computes every position; `templates/evaluation/_line_chart.html` only writes them out, with the
data as a table beside the drawing. Strict CSP: no `style` attribute, colours and fonts are SVG presentation
attributes (`fill`, `stroke`, `font-family`), which WeasyPrint reads too. Horizontal positions are % of the
chart's width (a phone column as well as a printed page) and vertical ones are px, so text keeps its size.

The ideas of `reports.charts` (which may import this app, not the reverse): WCAG contrast of every colour
against the white panel, a sentence describing the data in the SVG's `<desc>`, shapes that tell the series
apart without colour (a line of round points, square targets, a dashed baseline).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.utils import formats

from evaluation.models import Indicator

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, DejaVu Sans, sans-serif"
VALUE = "#0b4f6c"  # the values: the app's primary colour
TARGET = "#b3541e"  # the targets: the app's accent
BASELINE = "#52606d"  # the baseline: the muted text colour
GRID = "#e4e7eb"  # decoration only: the values are written on the axis
TEXT = "#1f2933"
WHITE = "#ffffff"
NARROW_NBSP = "\u202f"

# Vertical layout, in px.
HEIGHT = 240
PLOT_TOP = 26
PLOT_BOTTOM = 198
YEAR_LABEL_Y = 222
# Horizontal layout, in % of the width: the tick labels sit on the left, above their grid lines.
X_START = 15.0
X_END = 93.0
TICKS = 4


def number_text(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """`value` the French way, rounded to `decimals`: 1 200,5 (no-break spaces between thousands)."""
    if value is None:
        return "–"
    # Rounded here: Django's number format cuts the extra decimals off.
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


def value_text(value: Decimal | float | int | None, decimals: int = 0, unit: str = "") -> str:
    """`value` with its unit: "1 200 familles", "45,5 %"; "–" when there is none."""
    if value is None:
        return "–"
    number = number_text(value, decimals)
    if not unit:
        return number
    return f"{number}{NARROW_NBSP if unit == '%' else ' '}{unit}"


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted([relative_luminance(first), relative_luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def nice_step(span: float, count: int = TICKS) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts `span` into about `count` intervals."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))


def step_decimals(step: float) -> int:
    """How many decimals the tick labels of `step` need (2.5 → 1, 0.25 → 2, 50 → 0)."""
    exponent = Decimal(str(round(step, 10))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def scale_bounds(numbers: list[float]) -> tuple[float, float, float]:
    """(bottom, top, step) of the vertical axis. It starts at 0 unless the numbers stay far from it (a rate
    moving between 38 and 48 % is read better from 35 than from 0)."""
    low, high = min(numbers), max(numbers)
    if low >= 0 and low <= high / 2:
        low = 0.0
    if high == low:
        high, low = high + 1, (low - 1 if low != 0 else 0.0)
    step = nice_step(high - low)
    bottom, top = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    return bottom, (top if top > bottom else bottom + step), step


@dataclass(frozen=True)
class Tick:
    y: float
    text: str

    @property
    def text_y(self) -> float:
        return round(self.y - 4, 2)


@dataclass(frozen=True)
class YearMark:
    year: int
    x: float  # % of the width


@dataclass(frozen=True)
class Point:
    year: int
    x: float  # % of the width
    y: float
    text: str

    @property
    def text_y(self) -> float:
        return round(self.y - 9, 2)


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Baseline:
    year: int
    y: float
    text: str


@dataclass(frozen=True)
class Row:
    """One year of the data table."""

    year: int
    value: str
    target: str


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    caption: str
    description: str
    years: list[YearMark]
    ticks: list[Tick]
    points: list[Point]
    segments: list[Segment]
    targets: list[Point]
    baseline: Baseline | None
    rows: list[Row] = field(default_factory=list)
    baseline_text: str = ""
    height: ClassVar[int] = HEIGHT
    plot_top: ClassVar[int] = PLOT_TOP
    plot_bottom: ClassVar[int] = PLOT_BOTTOM
    year_label_y: ClassVar[int] = YEAR_LABEL_Y
    font: ClassVar[str] = FONT
    value_colour: ClassVar[str] = VALUE
    target_colour: ClassVar[str] = TARGET
    baseline_colour: ClassVar[str] = BASELINE
    grid_colour: ClassVar[str] = GRID
    text_colour: ClassVar[str] = TEXT
    background: ClassVar[str] = WHITE

    @property
    def is_empty(self) -> bool:
        return not (self.points or self.targets or self.baseline)


def _x(index: int, count: int) -> float:
    if count == 1:
        return round((X_START + X_END) / 2, 3)
    return round(X_START + (X_END - X_START) * index / (count - 1), 3)


def _describe(title: str, rows: list[Row], baseline_text: str) -> str:
    values = " ; ".join(f"{row.year} : {row.value if row.value != '–' else 'pas de valeur'}" for row in rows)
    targets = " ; ".join(f"{row.year} : {row.target}" for row in rows if row.target != "–")
    sentences = [f"{title}.", f"Valeurs : {values}." if rows else "Aucune valeur."]
    sentences.append(f"Cibles : {targets}." if targets else "Aucune cible.")
    if baseline_text:
        sentences.append(f"Valeur de référence : {baseline_text}.")
    return " ".join(sentences)


def indicator_chart(
    indicator: Indicator,
    values: dict[int, Decimal],
    targets: dict[int, Decimal],
    *,
    years: Iterable[int] = (),
) -> LineChart:
    """The line chart of `indicator`'s yearly `values` against its baseline and its `targets` (both by year).

    The horizontal axis runs over every year from the first to the last one known (a value, a target, the
    baseline, or one of `years`, e.g. the convention's); a missing value breaks the line."""
    decimals, unit = indicator.decimals, indicator.unit
    has_baseline = indicator.baseline_value is not None and indicator.baseline_year is not None
    known = {*values, *targets, *years, *([indicator.baseline_year] if has_baseline else [])}
    axis_years = list(range(min(known), max(known) + 1)) if known else []
    x_of = {year: _x(index, len(axis_years)) for index, year in enumerate(axis_years)}
    title = f"{indicator.code} – {indicator.name}"
    baseline_text = (
        f"{value_text(indicator.baseline_value, decimals, unit)} en {indicator.baseline_year}" if has_baseline else ""
    )
    rows = [
        Row(year, value_text(values.get(year), decimals, unit), value_text(targets.get(year), decimals, unit))
        for year in axis_years
        if year in values or year in targets or year in years
    ]
    caption = f"Valeurs annuelles de l'indicateur {indicator.code}" + (f" ({unit})" if unit else "")
    caption += ", comparées à ses cibles" + (" et à sa valeur de référence" if has_baseline else "") + "."
    numbers = [float(v) for v in (*values.values(), *targets.values())]
    if has_baseline:
        numbers.append(float(indicator.baseline_value))
    chart = LineChart(
        id=f"indicator-{indicator.pk}-chart",
        title=title,
        caption=caption,
        description=_describe(title, rows, baseline_text),
        years=[],
        ticks=[],
        points=[],
        segments=[],
        targets=[],
        baseline=None,
        rows=rows,
        baseline_text=baseline_text,
    )
    if not numbers:
        return chart

    bottom, top, step = scale_bounds(numbers)

    def y_of(number) -> float:
        return round(PLOT_BOTTOM - (float(number) - bottom) / (top - bottom) * (PLOT_BOTTOM - PLOT_TOP), 2)

    tick_decimals = step_decimals(step)
    points = [
        Point(year, x_of[year], y_of(values[year]), number_text(values[year], decimals))
        for year in axis_years
        if year in values
    ]
    return replace(
        chart,
        years=[YearMark(year, x_of[year]) for year in axis_years],
        ticks=[
            Tick(y_of(bottom + index * step), number_text(bottom + index * step, tick_decimals))
            for index in range(round((top - bottom) / step) + 1)
        ],
        points=points,
        segments=[
            Segment(first.x, first.y, second.x, second.y)
            for first, second in zip(points, points[1:], strict=False)
            if second.year == first.year + 1
        ],
        targets=[
            Point(year, x_of[year], y_of(targets[year]), number_text(targets[year], decimals))
            for year in axis_years
            if year in targets
        ],
        baseline=Baseline(
            indicator.baseline_year, y_of(indicator.baseline_value), f"Valeur de référence : {baseline_text}"
        )
        if has_baseline
        else None,
    )
