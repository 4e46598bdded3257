"""Aggregations of the plan shown on several pages (CTG overview, dashboard, bilan annuel): each is one
SQL query whatever the size of the plan, built on the flags and campaign annotations of `ActionQuerySet`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from actions.enums import ActionStatus, Funder
from actions.models import Action, BudgetLine, campaign_condition
from ctg.models import Axis, Convention, Service


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class PlanSummary:
    """Counts of a set of actions (an objective, an axis, a convention)."""

    total: int
    status_counts: list[StatusCount]
    progress: int | None  # mean progress, abandoned actions left out
    late: int
    without_news: int

    def count_of(self, status: str) -> int:
        return next((item.count for item in self.status_counts if item.status == status), 0)


@dataclass(frozen=True)
class AxisSummary(PlanSummary):
    axis: Axis | None = None


def _summary_aggregates() -> dict:
    """Counts that add up: the summary of an axis is the sum of its objectives' rows, the plan's the sum of
    its axes' (the mean progress is kept as a sum and a count for that)."""
    status_counts = {f"status_{status}": Count("pk", filter=Q(status=status)) for status in ActionStatus.values}
    counted = ~Q(status=ActionStatus.ABANDONED)
    return {
        "total": Count("pk"),
        "progress_sum": Sum("progress", filter=counted),
        "progress_count": Count("pk", filter=counted),
        "late_count": Count("pk", filter=Q(late=True)),
        "without_news_count": Count("pk", filter=Q(without_news=True)),
        **status_counts,
    }


def _added(rows) -> dict:
    """The sum of summary rows."""
    total = {}
    for row in rows:
        for key in _summary_aggregates():
            total[key] = total.get(key, 0) + (row.get(key) or 0)
    return total


def _summary_fields(row: dict | None) -> dict:
    row = row or {}
    counted = row.get("progress_count") or 0
    return {
        "total": row.get("total", 0),
        "status_counts": [
            StatusCount(status.value, status.label, row.get(f"status_{status.value}", 0)) for status in ActionStatus
        ],
        "progress": round((row.get("progress_sum") or 0) / counted) if counted else None,
        "late": row.get("late_count", 0),
        "without_news": row.get("without_news_count", 0),
    }


def _plan(convention: Convention):
    return Action.objects.active().of_convention(convention).with_flags()


def _rows_by(convention: Convention, *keys: str) -> list[dict]:
    return list(_plan(convention).values(*keys).order_by().annotate(**_summary_aggregates()))


def axis_summaries(convention: Convention, axes: list[Axis] | None = None) -> list[AxisSummary]:
    """One summary per axis of the convention (or of `axes` when already loaded), empty axes included."""
    by_axis = {row["objective__axis"]: row for row in _rows_by(convention, "objective__axis")}
    axes = convention.axes.all() if axes is None else axes
    return [AxisSummary(axis=axis, **_summary_fields(by_axis.get(axis.pk))) for axis in axes]


def plan_summaries(convention: Convention, axes: list[Axis]) -> tuple[list[AxisSummary], PlanSummary]:
    """The summary of each axis and of the whole plan, in the one query of `axis_summaries`."""
    by_axis = {row["objective__axis"]: row for row in _rows_by(convention, "objective__axis")}
    summaries = [AxisSummary(axis=axis, **_summary_fields(by_axis.get(axis.pk))) for axis in axes]
    return summaries, PlanSummary(**_summary_fields(_added(by_axis.values())))


def tree_summaries(convention: Convention, axes: list[Axis]) -> tuple[list[AxisSummary], dict[int, PlanSummary]]:
    """The summary of each axis and of each objective holding actions directly (1 query): the overview
    shows them on its folded tree instead of listing every action."""
    rows = _rows_by(convention, "objective__axis", "objective")
    summaries = [
        AxisSummary(axis=axis, **_summary_fields(_added(row for row in rows if row["objective__axis"] == axis.pk)))
        for axis in axes
    ]
    return summaries, {row["objective"]: PlanSummary(**_summary_fields(row)) for row in rows}


def convention_summary(convention: Convention) -> PlanSummary:
    """The same counts over the whole plan (1 query)."""
    return PlanSummary(**_summary_fields(_plan(convention).aggregate(**_summary_aggregates())))


@dataclass(frozen=True)
class ServiceCampaign:
    """Where a pilot service stands in the bilan campaign of a year."""

    service: Service
    actions: int  # actions concerned by the year
    updated: int  # of which with a point d'étape dated in the year
    budgeted: int  # of which with budget lines of the year
    actual_entered: int  # of which every budget line of the year has its réalisé
    missing_actual_lines: int

    @property
    def missing_updates(self) -> int:
        return self.actions - self.updated

    @property
    def missing_actuals(self) -> int:
        return self.budgeted - self.actual_entered

    @property
    def updated_share(self) -> int | None:
        return round(100 * self.updated / self.actions) if self.actions else None

    @property
    def actual_share(self) -> int | None:
        return round(100 * self.actual_entered / self.budgeted) if self.budgeted else None

    @property
    def is_complete(self) -> bool:
        return self.missing_updates == 0 and self.missing_actual_lines == 0


def campaign_actions(convention: Convention, year: int):
    """The actions the bilan campaign of `year` asks about, with their campaign annotations."""
    return Action.objects.in_campaign(convention, year).with_campaign(year)


def campaign_lines(convention: Convention, year: int):
    """The budget lines of `year` on the actions of the campaign of `year`. Filtered through the join rather than
    `action__in`: the database then reads the year's lines (index on year and action) and each one's action by
    its key, instead of every line of every action of the plan."""
    return BudgetLine.objects.filter(campaign_condition(convention, year, path="action__"), year=year)


def service_campaigns(convention: Convention, year: int) -> list[ServiceCampaign]:
    """Per pilot service, the share of its actions updated in `year` and with their réalisé (3 queries: the
    actions, their budget lines of the year, the services). The budget side is read from the lines
    themselves rather than tested action by action."""
    rows = (
        campaign_actions(convention, year)
        .values("pilot_service")
        .order_by()
        .annotate(actions=Count("pk"), updated=Count("pk", filter=Q(updated_in_year=True)))
    )
    by_service = {row.pop("pilot_service"): row for row in rows}
    lines = (
        campaign_lines(convention, year)
        .values("action__pilot_service")
        .order_by()
        .annotate(
            budgeted=Count("action", distinct=True),
            actions_missing=Count("action", distinct=True, filter=Q(actual__isnull=True)),
            missing_actual_lines=Count("pk", filter=Q(actual__isnull=True)),
        )
    )
    budget = {row.pop("action__pilot_service"): row for row in lines}
    services = Service.objects.filter(pk__in=by_service).select_related("head").order_by("name")
    campaigns = []
    for service in services:
        line = budget.get(service.pk, {"budgeted": 0, "actions_missing": 0, "missing_actual_lines": 0})
        campaigns.append(
            ServiceCampaign(
                service=service,
                **by_service[service.pk],
                budgeted=line["budgeted"],
                actual_entered=line["budgeted"] - line["actions_missing"],
                missing_actual_lines=line["missing_actual_lines"],
            )
        )
    return campaigns


def missing_actual_lines(convention: Convention, year: int):
    """Budget lines of `year` on the campaign's actions whose réalisé is not entered yet."""
    return campaign_lines(convention, year).filter(actual__isnull=True)


@dataclass(frozen=True)
class FunderBudget:
    funder: str
    label: str
    planned: Decimal
    actual: Decimal
    lines: int
    actions: int
    missing_actual: int


def budget_by_funder(convention: Convention, year: int) -> list[FunderBudget]:
    """Budget of `year` per funder, planned vs actual, over the actions of the campaign of `year` (the same
    actions the plan d'actions lists for `year` + `funder`), in 1 query."""
    rows = (
        campaign_lines(convention, year)
        .values("funder")
        .order_by()
        .annotate(
            # Not named after the fields: `Q(actual__isnull=True)` would then read the sum, not the field.
            planned_total=Sum("planned"),
            actual_total=Sum("actual"),
            lines=Count("pk"),
            actions=Count("action", distinct=True),
            missing_actual=Count("pk", filter=Q(actual__isnull=True)),
        )
    )
    by_funder = {row.pop("funder"): row for row in rows}
    return [
        FunderBudget(
            funder=funder.value,
            label=funder.label,
            planned=by_funder[funder]["planned_total"] or Decimal(0),
            actual=by_funder[funder]["actual_total"] or Decimal(0),
            lines=by_funder[funder]["lines"],
            actions=by_funder[funder]["actions"],
            missing_actual=by_funder[funder]["missing_actual"],
        )
        for funder in Funder
        if funder in by_funder
    ]
