"""The indicators on the steering dashboard for a year N: those off-track ("en retard") per axis, and the
year-N values still awaited per service, each linked to the page that lists them (`indicator_dashboard`,
shown by the partial "reports/_dashboard_indicators.html"). Also what the campaign reminders read: which
indicators await a year-N value and from which service.

Three queries whatever the size of the plan: the status is the one stored on each value of a year
(`IndicatorQuerySet.in_status`), counted per axis with a window function that also keeps each axis's first
indicators; the missing values are counted per service in one aggregate, whose services are then named.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import NoReverseMatch, reverse

from ctg.models import Axis, Convention
from evaluation.enums import IndicatorStatus
from evaluation.grid_rows import service_counts
from evaluation.models import Indicator
from reports.bilan import alphabetical

FIRST_LATE = 3  # indicators named per axis; the count links to all of them
WITHOUT_AXIS = "Indicateurs de la CTG"


def optional_url(name: str, *, args: list | None = None, **params) -> str:
    """The URL of a page of the evaluation app, with its query string; "" while the app does not serve it."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    query = {key: value for key, value in params.items() if value is not None}
    return f"{path}?{urlencode(query)}" if query else path


def grid_url(convention: Convention, year: int, service_id: int | None = None) -> str:
    """The entry grid of the values of `year`, on one service's indicators when `service_id` is given."""
    return optional_url("evaluation:indicator_grid", convention=convention.pk, annee=year, service=service_id)


def list_url(convention: Convention, year: int, *, axis: int | None = None) -> str:
    """The list of the indicators off-track in `year` (those of `axis` when given: attached to it, to one of its
    objectives or to one of their fiches)."""
    return optional_url(
        "evaluation:indicator_list", convention=convention.pk, annee=year, status=IndicatorStatus.LATE.value, axis=axis
    )


@dataclass(frozen=True)
class LateIndicator:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class LateGroup:
    """The indicators off-track in one axis (or attached to no axis)."""

    label: str
    count: int
    first: list[LateIndicator]
    url: str  # the list of indicators filtered on that axis and status

    @property
    def more(self) -> int:
        return self.count - len(self.first)


@dataclass(frozen=True)
class MissingValues:
    """The values of N a service has still to enter, and its entry grid."""

    service: str
    count: int
    url: str


@dataclass(frozen=True)
class IndicatorDashboard:
    year: int
    late: list[LateGroup]  # axes in the plan's order, then the CTG's own indicators
    late_total: int
    late_url: str
    missing: list[MissingValues]  # services by name
    missing_total: int
    grid_url: str


def late_groups(convention: Convention, year: int, axes: list[Axis]) -> list[LateGroup]:
    """Per axis with indicators off-track in `year`: their count and the first ones by code (1 query)."""
    axis_key = Coalesce("action__objective__axis", "objective__axis", "axis")
    rows = (
        Indicator.objects.of_convention(convention)
        .filter(Q(action__isnull=True) | Q(action__archived_at__isnull=True))
        .in_status(year, IndicatorStatus.LATE)
        .annotate(
            axis_key=axis_key,
            rank=Window(RowNumber(), partition_by=[axis_key], order_by=[F("code").asc(), F("pk").asc()]),
            late_in_axis=Window(Count("pk"), partition_by=[axis_key]),
        )
        .filter(rank__lte=FIRST_LATE)
        .only("pk", "code", "name")
        .order_by("code", "pk")
    )
    counts: dict[int | None, int] = {}
    first: dict[int | None, list[LateIndicator]] = {}
    for indicator in rows:
        counts[indicator.axis_key] = indicator.late_in_axis
        url = optional_url("evaluation:indicator_detail", args=[indicator.pk])
        first.setdefault(indicator.axis_key, []).append(LateIndicator(indicator.code, indicator.name, url))
    groups = []
    for axis in [*axes, None]:
        key = axis.pk if axis else None
        if key in counts:
            label = f"{axis.code} · {axis.title}" if axis else WITHOUT_AXIS
            # The list filters on an axis, not on "no axis": the CTG's own indicators are named, not linked.
            url = list_url(convention, year, axis=key) if axis else ""
            groups.append(LateGroup(label, counts[key], first[key], url))
    return groups


def missing_values(convention: Convention, year: int) -> list[MissingValues]:
    """Per service, the indicators it enters still without a value of `year` (2 queries: the entry grid's
    counters)."""
    missing = [
        MissingValues(count.name, count.missing, grid_url(convention, year, count.pk))
        for count in service_counts(convention, year)
        if count.missing
    ]
    return sorted(missing, key=lambda item: alphabetical(item.service))


def indicator_dashboard(convention: Convention, year: int, axes: list[Axis]) -> IndicatorDashboard:
    """The indicators block of the dashboard (3 queries); `axes` are the convention's, in their order."""
    late = late_groups(convention, year, axes)
    missing = missing_values(convention, year)
    return IndicatorDashboard(
        year=year,
        late=late,
        late_total=sum(group.count for group in late),
        late_url=list_url(convention, year),
        missing=missing,
        missing_total=sum(item.count for item in missing),
        grid_url=grid_url(convention, year),
    )
