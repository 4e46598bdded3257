"""The entry grid's rows: one per indicator a service fills in, with its figures of the year, the value stored and
the form to enter it (or none: read-only), grouped by action.

The grid shows one service at a time, a page of rows at a time: `in_grid_order` has the database sort the
service's indicators so that only a page of them is read, `grid_counts` counts them and their missing values,
`grid_rows` reads the page's rows in a fixed number of queries whatever their number, and `service_counts`
gives the coordination the services to move between.
`evaluation.views.grid` serves the page and saves.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from django.db.models import Case, Count, Prefetch, Value, When
from django.db.models.functions import Coalesce, Lower
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from ctg.models import Convention, Service, User
from evaluation.charts import value_text
from evaluation.enums import Period, Provenance
from evaluation.forms.grid import GridValueForm, row_ids
from evaluation.models import MISSING, Indicator, Measurement
from evaluation.perms import can_enter_values
from evaluation.selectors import figures, with_figures

PROVENANCE_VERBS = {
    Provenance.ENTRY: "Saisie",
    Provenance.IMPORT: "Importée",
    Provenance.SURVEY: "Issue d'une enquête",
}


def clock(moment: datetime) -> str:
    """The local time of `moment` the French way, in one piece: "14 h 32" with no-break spaces."""
    moment = timezone.localtime(moment)
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


@dataclass(frozen=True)
class Scope:
    """Whose indicators the grid shows: one service (None only when no service has indicators to fill in)."""

    service: Service | None
    own: bool  # the service head's own service: the `?service=` filter does not apply

    def query(self, params: QueryDict) -> dict[str, str]:
        """The grid's filters to carry over (the convention when one was asked for, the service filter)."""
        query = {"convention": params.get("convention", "")}
        if self.service is not None and not self.own:
            query["service"] = str(self.service.pk)
        return {key: value for key, value in query.items() if value}


def grid_indicators(convention: Convention, scope: Scope):
    """The indicators a service fills in (a responsible service, or the pilot service of their action), leaving
    out those of archived actions."""
    indicators = Indicator.objects.of_convention(convention).awaited()
    return indicators if scope.service is None else indicators.entered_by(scope.service.pk)


@dataclass(frozen=True)
class ServiceCount:
    pk: int
    name: str
    total: int
    missing: int


def first_service(services: list[ServiceCount]) -> Service | None:
    """The coordination's grid opens on the first service (by name) that has indicators to fill in, the first
    of `service_counts`."""
    return Service.objects.filter(pk=services[0].pk).first() if services else None


def service_counts(convention: Convention, year: int) -> list[ServiceCount]:
    """The services that have indicators to fill in, by name, with their numbers of indicators and of missing
    values for `year`, in two queries: the counts per service id, then the services' names."""
    rows = (
        grid_indicators(convention, Scope(None, own=False))
        .with_entering_service()
        .with_year_measurement(year)
        .order_by()
        .values("entering_service")
        .annotate(total=Count("pk"), missing=Count("pk", filter=MISSING))
    )
    counts = {row["entering_service"]: row for row in rows}
    services = Service.objects.filter(pk__in=counts).order_by("name", "pk").values_list("pk", "name")
    return [ServiceCount(pk, name, counts[pk]["total"], counts[pk]["missing"]) for pk, name in services]


def grid_counts(indicators, year: int) -> dict[str, int]:
    """The number of indicators and of those still without a value for `year`, in one query."""
    return indicators.with_year_measurement(year).aggregate(total=Count("pk"), missing=Count("pk", filter=MISSING))


# --- Rows and groups ------------------------------------------------------------------------------------


def in_grid_order(indicators):
    """`indicators` in the grid's order, by the database: what each is attached to (its action, else its
    objective, else its axis, else nothing) by code, then the indicator's code."""
    rank = Case(
        When(action__isnull=False, then=Value(0)),
        When(objective__isnull=False, then=Value(1)),
        When(axis__isnull=False, then=Value(2)),
        default=Value(3),
    )
    attached = Coalesce("action__code", "objective__code", "axis__code", Value(""))
    return indicators.order_by(rank, attached, Lower("code"), "pk")


@dataclass
class Row:
    indicator: Indicator
    year: int
    current: Measurement | None  # the value of the year, with its author
    form: GridValueForm | None  # None: read-only
    save_url: str = ""
    saved_at: datetime | None = None  # set when the row was just saved through htmx
    unchanged: bool = False

    def __post_init__(self):
        self.numbers = figures(self.indicator, self.year)
        self.ids = row_ids(self.indicator.pk)

    @property
    def service(self) -> Service | None:
        indicator = self.indicator
        return indicator.service or (indicator.action.pilot_service if indicator.action_id else None)

    @property
    def group(self) -> tuple:
        """(rank, code, title) of what the indicator is attached to: its action first."""
        indicator = self.indicator
        if indicator.action_id:  # the order of `in_grid_order`
            return (0, indicator.action.code, str(indicator.action))
        if indicator.objective_id:
            return (1, indicator.objective.code, f"Objectif {indicator.objective}")
        if indicator.axis_id:
            return (2, indicator.axis.code, f"Axe {indicator.axis}")
        return (3, "", "Indicateurs de la CTG")

    @property
    def is_missing(self) -> bool:
        return self.current is None

    @property
    def saved_time(self) -> str:
        return clock(self.saved_at)

    @property
    def value_saved(self) -> str:
        """The value just saved, with every digit typed (the columns round to the indicator's decimals)."""
        return exact_text(self.current.value, self.indicator.unit)

    @property
    def recorded(self) -> str:
        """Who entered the stored value and when, in words."""
        current = self.current
        moment = timezone.localtime(current.recorded_at)
        text = f"{PROVENANCE_VERBS.get(current.provenance, 'Saisie')} le {moment:%d/%m/%Y} à {clock(moment)}"
        return f"{text} par {current.author}" if current.author_id else text


@dataclass
class Group:
    title: str
    rows: list[Row]


def grid_rows(indicators, year: int, user: User, *, forms: dict | None = None, save_query: str = "") -> list[Row]:
    """The grid's rows, in two queries whatever their number: the indicators with their figures of `year`
    (status, target, value of the year before) and the values of `year` with their authors."""
    values = Measurement.objects.filter(year=year, period=Period.YEAR).select_related("author")
    queryset = with_figures(
        indicators.select_related("service", "action__pilot_service", "objective", "axis"), year, previous=True
    ).prefetch_related(Prefetch("measurements", queryset=values, to_attr="values_of_year"))
    forms = forms or {}
    rows = []
    for indicator in queryset:
        current = indicator.values_of_year[0] if indicator.values_of_year else None
        form = None
        if can_enter_values(user, indicator):
            form = forms.get(indicator.pk) or GridValueForm(indicator=indicator, year=year, stored=current)
        url = reverse("evaluation:indicator_grid_save", args=[indicator.pk, year])
        rows.append(Row(indicator, year, current, form, save_url=f"{url}?{save_query}" if save_query else url))
    return rows


def groups_of(rows: list[Row]) -> list[Group]:
    """Rows grouped by action (by code), each sorted by indicator code: the order of `in_grid_order`."""
    rows = sorted(rows, key=lambda row: (row.group[:2], row.indicator.code.lower(), row.indicator.pk))
    return [Group(title, list(group_rows)) for (_, _, title), group_rows in groupby(rows, key=lambda row: row.group)]


def exact_text(value: Decimal, unit: str = "") -> str:
    """`value` with all the digits it holds, the French way, and its unit: "1 200,5 familles"."""
    return value_text(value, max(0, -value.normalize().as_tuple().exponent), unit)
