"""Bar charts drawn as SVG by the server: this module computes every bar's position and width, the templates
`reports/_chart_*.html` only write them out. No JavaScript, no `style` attribute (strict CSP): widths and
positions are SVG attributes, in % of the chart's width so that a chart fills a laptop column as well as a
390 px phone while its text keeps its size.

Each chart also carries a sentence describing its data (the SVG's `<desc>`); the page shows the same data
as a table.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from actions.enums import ActionStatus

# The hues of the status badges of app.css (`.c-badge--<status>`), darkened where the badge's own colour is
# too light for a bar: each fill contrasts ≥ 3:1 with the white panel and ≥ 4.5:1 with the white text
# written on it (tested). Suspended and postponed, side by side in a stacked bar, get clearly different hues.
STATUS_FILLS = {
    ActionStatus.TO_START: "#6b7280",
    ActionStatus.IN_PROGRESS: "#0b4f6c",
    ActionStatus.DONE: "#1e6b3a",
    ActionStatus.RECURRING: "#4b3a8c",
    ActionStatus.SUSPENDED: "#9a6700",
    ActionStatus.POSTPONED: "#c2410c",
    ActionStatus.ABANDONED: "#323f4b",
}
PRIMARY = "#0b4f6c"
SUCCESS = "#1e6b3a"
GREY = "#52606d"
TRACK = "#e4e7eb"  # the empty part of a share bar: decoration only, the value is written beside it
TEXT = "#1f2933"
WHITE = "#ffffff"

LABEL_CHARS = 42  # longer labels are shortened in the chart; the table beside it gives them in full
STACK_AREA = 90.0  # % of the width for the longest stacked bar; its total is written after it
SEGMENT_LABEL_FROM = 6.0  # a segment narrower than this (%) does not print its count
VALUE_INSIDE_FROM = 76.0  # a bar wider than this (%) prints its value inside its end, in white

# Vertical layout, in px.
LABEL_BASELINE = 14
BAR_TOP = 20
STACK_HEIGHT = 22
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 14


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted([relative_luminance(first), relative_luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_fill_on(fill: str) -> str:
    """White text on a dark fill, dark text otherwise, whichever reaches 4.5:1."""
    return WHITE if contrast_ratio(fill, WHITE) >= 4.5 else TEXT


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(value, maximum, area: float) -> float:
    """`value` (an int, a float or a Decimal amount) as a % of the chart's width."""
    return round(area * float(value) / float(maximum), 3) if maximum else 0.0


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    fill: str

    @property
    def text_fill(self) -> str:
        return text_fill_on(self.fill)


# --- Stacked bars (actions by status, per axis) -------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    series: Series
    value: int
    x: float  # % of the chart's width
    width: float  # % of the chart's width

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 3)

    @property
    def shows_value(self) -> bool:
        return self.width >= SEGMENT_LABEL_FROM


@dataclass(frozen=True)
class StackedRow:
    label: str
    full_label: str
    total: int
    y: int
    segments: list[Segment]

    @property
    def label_y(self) -> int:
        return self.y + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.y + BAR_TOP

    @property
    def value_y(self) -> int:
        return self.bar_y + STACK_HEIGHT // 2 + 5

    @property
    def end(self) -> float:
        return round(sum(segment.width for segment in self.segments), 3)


@dataclass(frozen=True)
class StackedBarChart:
    rows: list[StackedRow]
    series: list[Series]
    unit: str  # "action", pluralised with an "s"
    bar_height: ClassVar[int] = STACK_HEIGHT
    text_fill: ClassVar[str] = TEXT
    separator: ClassVar[str] = WHITE  # between two segments

    @property
    def height(self) -> int:
        return len(self.rows) * (BAR_TOP + STACK_HEIGHT + ROW_GAP)

    @property
    def description(self) -> str:
        sentences = []
        for row in self.rows:
            parts = ", ".join(f"{segment.series.label} : {segment.value}" for segment in row.segments)
            unit = self.unit + ("s" if row.total > 1 else "")
            sentences.append(f"{row.full_label} : {row.total} {unit}" + (f" ({parts})" if parts else "") + ".")
        return " ".join(sentences)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[Series], *, unit: str
) -> StackedBarChart:
    """One bar per row, split into one segment per series, on a common scale: the longest bar takes
    `STACK_AREA` % of the width, so that rows can be compared. Empty segments are left out."""
    longest = max((sum(values) for _, values in rows), default=0)
    chart_rows = []
    for index, (label, values) in enumerate(rows):
        segments, x = [], 0.0
        for item, value in zip(series, values, strict=True):
            if value:
                width = _percent(value, longest, STACK_AREA)
                segments.append(Segment(item, value, round(x, 3), width))
                x += width
        y = index * (BAR_TOP + STACK_HEIGHT + ROW_GAP)
        chart_rows.append(StackedRow(shorten(label), label, sum(values), y, segments))
    return StackedBarChart(chart_rows, list(series), unit)


# --- Grouped bars (campaign shares per service, budget per funder) ------------------------------------------


@dataclass(frozen=True)
class Bar:
    series: Series
    value: float | None
    text: str  # the value as read ("80 %", "12 500 €", "sans budget")
    width: float  # % of the chart's width
    y: int

    @property
    def inside(self) -> bool:
        return self.width > VALUE_INSIDE_FROM

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    @property
    def text_dx(self) -> int:
        return -6 if self.inside else 6

    @property
    def text_anchor(self) -> str:
        return "end" if self.inside else "start"

    @property
    def text_fill(self) -> str:
        return self.series.text_fill if self.inside else TEXT


@dataclass(frozen=True)
class BarGroup:
    label: str
    full_label: str
    y: int
    bars: list[Bar]

    @property
    def label_y(self) -> int:
        return self.y + LABEL_BASELINE


@dataclass(frozen=True)
class GroupedBarChart:
    groups: list[BarGroup]
    series: list[Series]
    track: bool  # shares: each bar sits on a grey track showing 100 %
    bar_height: ClassVar[int] = BAR_HEIGHT
    text_fill: ClassVar[str] = TEXT
    track_fill: ClassVar[str] = TRACK

    @property
    def height(self) -> int:
        return len(self.groups) * _group_height(len(self.series))

    @property
    def description(self) -> str:
        return " ".join(
            f"{group.full_label} : " + ", ".join(f"{bar.series.label} {bar.text}" for bar in group.bars) + "."
            for group in self.groups
        )


def _group_height(bars: int) -> int:
    return BAR_TOP + bars * (BAR_HEIGHT + BAR_GAP) + ROW_GAP


def grouped_bar_chart(
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[Series],
    *,
    formatter: Callable[[float], str],
    maximum: float | None = None,
    missing: str = "–",
) -> GroupedBarChart:
    """One group of bars per row, one bar per series, on a common scale: `maximum` (100 for shares) or else
    the largest value takes `VALUE_INSIDE_FROM` % of the width, leaving room for its value after it. A value
    of None (a share of nothing) draws no bar and reads `missing`."""
    track = maximum is not None
    values = [value for _, row in rows for value in row if value is not None]
    scale = maximum if track else max(values, default=0)
    area = 100.0 if track else VALUE_INSIDE_FROM
    groups = []
    for index, (label, row) in enumerate(rows):
        top = index * _group_height(len(series))
        bars = [
            Bar(
                item,
                value,
                missing if value is None else formatter(value),
                0.0 if value is None else _percent(value, scale, area),
                top + BAR_TOP + position * (BAR_HEIGHT + BAR_GAP),
            )
            for position, (item, value) in enumerate(zip(series, row, strict=True))
        ]
        groups.append(BarGroup(shorten(label), label, top, bars))
    return GroupedBarChart(groups, list(series), track)
