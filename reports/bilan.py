"""The data of the bilan annuel (domain.md §5), assembled as an ordered registry of sections.

Each `Section` names its template and a `build(source)` function returning the section's data, or None
when the product holds nothing for it (no context indicator, no survey nor workshop in N, no meeting held in
N): such a section is left out, the numbering and the table of contents follow the sections
present. What the evaluation app brings (context, indicators, participation) is read in
`reports.bilan_evaluation`; the governance, the coordination's activity and the minutes in
`reports.bilan_governance`; the facilities' funding in `reports.bilan_funding`.
A later app adds its section by appending one `Section` to `SECTIONS` with the `order` of its place in
the outline (the outline's number × 100), without touching the others.

Every query goes through `BilanSource`, which loads each set of rows once (prefetched, aggregated), so the
number of SQL queries does not grow with the plan.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actions.models import Action, Milestone, ProgressUpdate, year_bounds
from actions.selectors import AxisSummary, FunderBudget, axis_summaries, budget_by_funder
from ctg.models import Axis, Convention
from ctg.pdf import file_uri
from evaluation.charts import LineChart
from partners.models import FundingLine, Partner
from reports.bilan_evaluation import EvaluationData, IndicatorRow, build_context, build_participation, indicator_table
from reports.bilan_funding import facility_funding, funding_lines
from reports.bilan_governance import GovernanceData, build_coordination, build_governance, minutes_annex
from reports.models import AnnualReport, ReportVersion

DOCUMENT_TITLE = "Bilan annuel {year} de la Convention Territoriale Globale"
DEFAULT_AUTHOR = "La coordination de la CTG"
LOGO_KINDS = ("collectivity", "caf")


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    title: str


@dataclass(frozen=True)
class Section:
    """One part of the bilan: `build` returns the data its template reads (as `section.data`), or None to
    leave the section out."""

    key: str
    title: str
    template: str
    build: Callable[["BilanSource"], dict | None]  # the data may hold `toc`: sub-entries of the contents
    order: int


@dataclass(frozen=True)
class BuiltSection:
    number: int
    key: str
    title: str
    template: str
    data: dict
    toc: list[TocEntry] = field(default_factory=list)  # sub-entries: the `toc` list of the section's data

    @property
    def anchor(self) -> str:
        return f"bilan-{self.key}"


@dataclass(frozen=True)
class FundingRow:
    budget: FunderBudget

    @property
    def has_actual(self) -> bool:
        """At least one réalisé entered: otherwise the réalisé is unknown, not zero."""
        return self.budget.missing_actual < self.budget.lines

    @property
    def rate(self) -> int | None:
        """Réalisé ÷ prévu, in %."""
        budget = self.budget
        return round(100 * budget.actual / budget.planned) if self.has_actual and budget.planned else None


@dataclass(frozen=True)
class AxisProgress:
    axis: Axis
    summary: AxisSummary
    actions: list[Action]  # each with `indicator_rows`: its indicators for year N
    indicators: list[IndicatorRow] = field(default_factory=list)  # those of the axis and of its objectives

    @property
    def anchor(self) -> str:
        return f"bilan-axe-{self.axis.pk}"

    @property
    def statuses(self) -> list[str]:
        """The statuses present, as "En cours : 3"."""
        return [f"{item.label} : {item.count}" for item in self.summary.status_counts if item.count]


class BilanSource:
    """The report and the rows its sections read, each loaded once."""

    def __init__(self, report: AnnualReport):
        self.report = report
        self.convention: Convention = report.convention
        self.year: int = report.year

    @cached_property
    def axes(self) -> list[Axis]:
        return list(self.convention.axes.all())

    @cached_property
    def actions(self) -> list[Action]:
        """The active fiches of the plan with their flags, their points d'étape dated in N (oldest first) as
        `updates_in_year` and their jalons reached in N as `milestones_reached`."""
        updates = ProgressUpdate.objects.filter(recorded_at__range=year_bounds(self.year)).order_by(
            "recorded_at", "pk"
        )
        reached = Milestone.objects.filter(done_on__year=self.year).order_by("done_on", "pk")
        actions = list(
            Action.objects.active()
            .of_convention(self.convention)
            .select_related("objective__axis", "pilot_service")
            .with_flags()
            .prefetch_related(
                Prefetch("updates", queryset=updates, to_attr="updates_in_year"),
                Prefetch("milestones", queryset=reached, to_attr="milestones_reached"),
            )
            .order_by("objective__axis__order", "objective__axis__code", "code", "pk")
        )
        for action in actions:
            for update in action.updates_in_year:
                update.recorded_on = timezone.localdate(update.recorded_at)  # `long_date` does not localise
        return actions

    @cached_property
    def evaluation(self) -> EvaluationData:
        """Indicators, surveys and workshops (`reports.bilan_evaluation`)."""
        return EvaluationData(self.convention, self.year)

    @cached_property
    def axis_progress(self) -> list[AxisProgress]:
        """Per axis, its summary, its fiches (each with its `indicator_rows`) and its own indicators."""
        by_axis: dict[int, list[Action]] = {}
        indicators = self.evaluation.by_action
        for action in self.actions:
            action.indicator_rows = indicators.get(action.pk, [])
            by_axis.setdefault(action.objective.axis_id, []).append(action)
        return [
            AxisProgress(
                axis=summary.axis,
                summary=summary,
                actions=by_axis.get(summary.axis.pk, []),
                indicators=self.evaluation.by_axis.get(summary.axis.pk, []),
            )
            for summary in axis_summaries(self.convention, self.axes)
        ]

    @cached_property
    def governance(self) -> GovernanceData:
        """Meetings, decisions and agreements of N (`reports.bilan_governance`), the decisions' follow-up read
        on the day the document is made."""
        return GovernanceData(self.convention, self.year, timezone.localdate())

    @cached_property
    def funding_lines(self) -> list[FundingLine]:
        """The facilities' funding lines of N (`reports.bilan_funding`)."""
        return funding_lines(self.year)

    @cached_property
    def partners(self) -> list[Partner]:
        """The partner directory, each partner with `action_count`: the plan's active fiches it takes part in
        (1 query), in French alphabetical order (SQLite sorts "Éducation" after "Ville"). No contact: they are
        personal data."""
        in_plan = Q(
            action_roles__action__archived_at__isnull=True,
            action_roles__action__objective__axis__convention=self.convention,
        )
        partners = Partner.objects.annotate(
            action_count=Count("action_roles__action", filter=in_plan, distinct=True)
        ).order_by()
        return sorted(partners, key=lambda partner: alphabetical(partner.name))


def alphabetical(text: str) -> str:
    """Sort key ignoring accents and case."""
    return "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char)).casefold()


# --- Sections -------------------------------------------------------------------------------------------


def build_identity(source: BilanSource) -> dict:
    convention = source.convention
    return {
        "convention": convention,
        "signatories": list(convention.signatories.all()),
        "amendments": list(convention.amendments.all()),
    }


def narrative(field_name: str) -> Callable[[BilanSource], dict]:
    """A part the coordination writes: always printed, "Non renseigné." when empty."""

    def build(source: BilanSource) -> dict:
        return {"text": getattr(source.report, field_name).strip()}

    return build


# The colours of the indicators' charts, for their legend printed once at the head of the section.
CHART_LEGEND = {
    name: getattr(LineChart, name) for name in ["value_colour", "target_colour", "baseline_colour", "background"]
}


def build_progress(source: BilanSource) -> dict:
    """Section 4, with the indicators of each fiche and each axis (N and N-1 against baseline and target):
    they are read with the fiche they measure, so they add no entry to the table of contents."""
    axes = source.axis_progress
    return {
        "axes": axes,
        "legend": CHART_LEGEND,
        "with_indicators": any(item.indicators or any(a.indicator_rows for a in item.actions) for item in axes),
        "toc": [TocEntry(item.anchor, f"{item.axis.code} – {item.axis.title}") for item in axes],
    }


def build_funding(source: BilanSource) -> dict:
    funders: list[FunderBudget] = budget_by_funder(source.convention, source.year)
    total = FunderBudget(
        funder="",
        label="Total",
        planned=sum((funder.planned for funder in funders), Decimal(0)),
        actual=sum((funder.actual for funder in funders), Decimal(0)),
        lines=sum(funder.lines for funder in funders),
        actions=0,  # not shown: an action financed by several funders would be counted once per funder
        missing_actual=sum(funder.missing_actual for funder in funders),
    )
    facilities = facility_funding(source)  # the facilities' funding of N (`reports.bilan_funding`), or None
    data = {
        "funders": [FundingRow(funder) for funder in funders],
        "total": FundingRow(total),
        "facilities": facilities,
    }
    if facilities is not None:
        data["toc"] = [
            TocEntry("bilan-financement-fiches", "Budget des fiches actions"),
            TocEntry("bilan-financement-equipements", "Financements des équipements"),
        ]
    return data


def build_annexes(source: BilanSource) -> dict:
    """The annexes in the outline's order: the table of the indicators (when there are any), the fiches, the
    partners, the minutes of the meetings held in N (when there are any)."""
    indicators = indicator_table(source)
    minutes = minutes_annex(source)
    toc = [
        TocEntry("bilan-annexe-fiches", "Liste des fiches actions"),
        TocEntry("bilan-annexe-partenaires", "Partenaires"),
    ]
    if indicators is not None:
        toc.insert(0, TocEntry("bilan-annexe-indicateurs", "Tableau des indicateurs"))
    if minutes:
        toc.append(TocEntry("bilan-annexe-comptes-rendus", "Comptes rendus"))
    return {
        "indicators": indicators,
        "actions": source.actions,
        "partners": source.partners,
        "minutes": minutes,
        "toc": toc,
    }


SECTIONS: list[Section] = [
    Section("identity", "Identité de la convention", "reports/bilan/_section_identity.html", build_identity, 100),
    Section("synthesis", "Synthèse", "reports/bilan/_section_narrative.html", narrative("synthesis"), 110),
    Section("highlights", "Faits marquants", "reports/bilan/_section_narrative.html", narrative("highlights"), 120),
    Section("context", "Contexte", "reports/bilan/_section_context.html", build_context, 200),
    Section("governance", "Gouvernance", "reports/bilan/_section_governance.html", build_governance, 300),
    # The indicators of each fiche (N and N-1 against baseline and target) are part of section 400.
    Section(
        "progress", "Avancement par axe et par fiche", "reports/bilan/_section_progress.html", build_progress, 400
    ),
    Section(
        "difficulties",
        "Difficultés rencontrées",
        "reports/bilan/_section_narrative.html",
        narrative("difficulties"),
        450,
    ),
    Section("funding", "Financement", "reports/bilan/_section_funding.html", build_funding, 500),
    Section(
        "coordination",
        "Activité de la fonction de coopération",
        "reports/bilan/_section_coordination.html",
        build_coordination,
        600,
    ),
    Section(
        "participation",
        "Participation des habitants",
        "reports/bilan/_section_participation.html",
        build_participation,
        700,
    ),
    Section("outlook", "Perspectives", "reports/bilan/_section_narrative.html", narrative("outlook"), 800),
    Section("annexes", "Annexes", "reports/bilan/_section_annexes.html", build_annexes, 900),
]


def build_sections(source: BilanSource, sections: list[Section] | None = None) -> list[BuiltSection]:
    built = []
    for section in sorted(sections or SECTIONS, key=lambda item: item.order):
        data = section.build(source)
        if data is None:
            continue
        title = section_title(section, source.year)
        toc = data.get("toc", [])
        built.append(BuiltSection(len(built) + 1, section.key, title, section.template, data, toc))
    return built


def section_title(section: Section, year: int) -> str:
    """Titles that name the year: "Financement 2026", "Perspectives 2027"."""
    if section.key == "funding":
        return f"{section.title} {year}"
    if section.key == "outlook":
        return f"{section.title} {year + 1}"
    return section.title


# --- Cover and context ----------------------------------------------------------------------------------


def logo_sources(convention: Convention, *, standalone: bool) -> dict[str, str]:
    """`collectivity_logo_src` and `caf_logo_src`: where the document finds each uploaded logo ("" when
    none). The PDF reads the files themselves (`file://` under MEDIA_ROOT); the preview page asks the app
    for them by URL (`ctg:convention_logo`)."""
    sources = {}
    for kind in LOGO_KINDS:
        logo = getattr(convention, f"{kind}_logo")
        if not logo:
            sources[f"{kind}_logo_src"] = ""
        elif standalone:
            sources[f"{kind}_logo_src"] = file_uri(logo)
        else:
            try:
                sources[f"{kind}_logo_src"] = reverse("ctg:convention_logo", args=[convention.pk, kind])
            except NoReverseMatch:
                sources[f"{kind}_logo_src"] = ""
    return sources


def author_of(report: AnnualReport, version: ReportVersion | None) -> str:
    user = version.requested_by if version is not None else report.updated_by
    if user is None:
        return DEFAULT_AUTHOR
    return f"{user}, {user.get_role_display().lower()}"


def bilan_context(report: AnnualReport, *, version: ReportVersion | None = None, standalone: bool = False) -> dict:
    """Everything the bilan shows: `sections` (numbered, in order; each `section.data` is what its template
    reads), the cover (`title`, `convention`, `year`, `period_start`/`period_end`, `due_on`, `issued_on`,
    `author`, `status_label`, `version_number`), and the logos `collectivity_logo_src` / `caf_logo_src`
    (preview URLs unless `standalone`, see `logo_sources`). Constant number of queries."""
    source = BilanSource(report)
    convention = source.convention
    issued = (version.generated_at or version.requested_at) if version is not None else timezone.now()
    return {
        "report": report,
        "convention": convention,
        "year": report.year,
        "title": DOCUMENT_TITLE.format(year=report.year),
        "period_start": convention.start_date,
        "period_end": convention.end_date,
        "due_on": report.due_on,
        "issued_on": timezone.localdate(issued),
        "author": author_of(report, version),
        "status_label": report.get_status_display(),
        "version_number": version.number if version is not None else None,
        "sections": build_sections(source),
        **logo_sources(convention, standalone=standalone),
    }
