"""The territorial diagnostic: the context indicators of a convention over the years (everyone signed in).

The import of CAF open-data files and the children under 3 (the coordination) are served by
`evaluation.views.diagnostic_import`, whose URLs this module's `urlpatterns` include.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import NoReverseMatch, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from ctg.models import Convention
from ctg.views.helpers import convention_or_current
from evaluation.charts import LineChart, indicator_chart, value_text
from evaluation.enums import Period
from evaluation.models import Indicator, Measurement
from evaluation.opendata import CHILDREN_KEY, COMPUTED, DATASETS, FIELDS
from evaluation.perms import can_manage_evaluation
from evaluation.views import diagnostic_import

# The import's messages and sample files, still read from this module (by the tests).
from evaluation.views.diagnostic_import import CHANGED_PREVIEW as CHANGED_PREVIEW
from evaluation.views.diagnostic_import import FIRST_YEAR, convention_url
from evaluation.views.diagnostic_import import NOT_IMPORTABLE as NOT_IMPORTABLE
from evaluation.views.diagnostic_import import NOTHING_CHANGED as NOTHING_CHANGED
from evaluation.views.diagnostic_import import SAMPLES as SAMPLES
from evaluation.views.diagnostic_import import SAMPLES_DIR as SAMPLES_DIR
from evaluation.views.diagnostic_import import SESSION_KEY as SESSION_KEY
from evaluation.views.diagnostic_import import STALE as STALE

GROUPS = [
    ("s_ben_com_f", "Allocataires et prestations"),
    ("txcouv_pe_com", "Taux de couverture de l'accueil du jeune enfant"),
    ("nbpla_pe_com", "Places d'accueil du jeune enfant"),
    ("insee", "Population"),
    ("", "Autres indicateurs de contexte"),
]


def _detail_url(indicator: Indicator) -> str:
    """The indicator's page, once the indicators part of the app serves it ("" until then)."""
    try:
        return indicator.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- The diagnostic page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    computed: bool


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    cells: list[Cell]
    last: Measurement | None
    url: str
    chart: LineChart


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    source: str
    rows: list[Row]

    @property
    def has_computed(self) -> bool:
        return any(cell.computed for row in self.rows for cell in row.cells)


def _group_of(indicator: Indicator) -> str:
    spec = FIELDS.get(indicator.open_data_key)
    return spec.dataset if spec else ""


def diagnostic_groups(indicators: list[Indicator], years: list[int]) -> list[Group]:
    """The context indicators by theme (their dataset), each with its values over `years`: reads the
    `yearly` measurements prefetched on each indicator, so no query."""
    rows: dict[str, list[Row]] = {key: [] for key, _ in GROUPS}
    order = {key: position for position, key in enumerate(FIELDS)}
    indicators = sorted(
        indicators, key=lambda indicator: (order.get(indicator.open_data_key, len(order)), indicator.code)
    )
    for indicator in indicators:
        by_year = {measurement.year: measurement for measurement in indicator.yearly}
        cells = [
            Cell(value_text(by_year[year].value, indicator.decimals), by_year[year].comment.startswith(COMPUTED))
            if year in by_year
            else Cell("–", False)
            for year in years
        ]
        last = max(indicator.yearly, key=lambda measurement: measurement.recorded_at, default=None)
        values = {year: measurement.value for year, measurement in by_year.items()}
        chart = indicator_chart(indicator, values, {}, years=years)
        rows[_group_of(indicator)].append(Row(indicator, cells, last, _detail_url(indicator), chart))
    return [Group(key, title, _group_source(key), rows[key]) for key, title in GROUPS if rows[key]]


def _group_source(key: str) -> str:
    if key in DATASETS:
        return f"Caf – données ouvertes, jeu {key} ({DATASETS[key]})"
    return FIELDS[CHILDREN_KEY].source if key == "insee" else ""


@require_GET
def diagnostic(request):
    """Everyone signed in reads the diagnostic; the coordination imports and enters. Four queries whatever the
    number of indicators and values (the convention, the other conventions, the indicators, their values)."""
    convention = convention_or_current(request.GET.get("convention"))
    yearly = Measurement.objects.filter(period=Period.YEAR).select_related("author").order_by("year")
    indicators = list(
        Indicator.objects.of_convention(convention)
        .context()
        .filter(action=None, objective=None, axis=None)
        .prefetch_related(Prefetch("measurements", queryset=yearly, to_attr="yearly"))
        .order_by("code")
    )
    data_years = {measurement.year for indicator in indicators for measurement in indicator.yearly}
    years = list(range(min([FIRST_YEAR, *data_years]), max([timezone.localdate().year, *data_years]) + 1))
    can_manage = can_manage_evaluation(request.user)
    return render(
        request,
        "evaluation/diagnostic.html",
        {
            "convention": convention,
            "conventions": Convention.objects.order_by("-start_date").only("pk", "name"),
            "years": years,
            "groups": diagnostic_groups(indicators, years),
            "can_manage": can_manage,
            "import_url": convention_url("evaluation:diagnostic_import", convention) if can_manage else "",
            "children_url": convention_url("evaluation:diagnostic_children", convention) if can_manage else "",
        },
    )


urlpatterns = [
    path("diagnostic/", diagnostic, name="diagnostic"),
    *diagnostic_import.urlpatterns,
]
