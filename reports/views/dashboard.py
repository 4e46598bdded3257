"""The steering dashboard ("Tableau de bord") of a convention and a campaign year N: where the plan stands
per axis, the bilan campaign of N per service, the bilan's countdown and state, the budget of N per funder
and the CTG's renewal; the upcoming meetings, overdue decisions and agreements to renew
(`reports.dashboard_partners`).

Every count links to the plan d'actions filtered so that it lists exactly those actions: the figures and
the list come from the same queryset methods. The page runs a fixed number of queries whatever the size
of the plan.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from actions.enums import ActionStatus
from actions.selectors import PlanSummary, ServiceCampaign, budget_by_funder, plan_summaries, service_campaigns
from ctg.enums import ConventionStatus
from ctg.models import Convention
from ctg.templatetags.french import euros, long_date, percent
from ctg.views.helpers import query_int, require
from reports import charts
from reports.dashboard_evaluation import indicator_dashboard
from reports.dashboard_partners import network_dashboard
from reports.dates import bilan_due_on, campaign_year, days_until, renewal_alert_from
from reports.models import AnnualReport
from reports.perms import can_read_bilans, can_read_dashboard

NO_BILAN = "Pas encore commencé"
COUNTDOWN = "J-{days} avant le {date}"
DUE_TODAY = "Échéance aujourd'hui, le {date}"
OVERDUE = "Échéance passée depuis le {date}"
TRANSMITTED_ON = "Transmis le {date}"
RENEWAL_ALERT = "La CTG prend fin le {date} : préparez son renouvellement."
ENDED_ALERT = "La CTG a pris fin le {date} : préparez son renouvellement."
WHOLE_PLAN = "Tout le plan"
ALL_SERVICES = "Tous les services"


@dataclass(frozen=True)
class Figure:
    """A count, what it counts (read by screen readers with the link) and the plan d'actions filtered to
    exactly those actions."""

    value: int
    label: str
    url: str


@dataclass(frozen=True)
class PlanRow:
    label: str
    total: Figure
    statuses: list[Figure]  # in the order of ActionStatus
    late: Figure
    without_news: Figure
    progress: int | None


@dataclass(frozen=True)
class CampaignRow:
    label: str
    actions: Figure
    missing_updates: Figure
    missing_actuals: Figure
    updated_share: int | None
    actual_share: int | None


@dataclass(frozen=True)
class FunderRow:
    label: str
    planned: Decimal
    actual: Decimal
    actions: Figure

    @property
    def rate(self) -> int | None:
        return round(100 * self.actual / self.planned) if self.planned else None


@dataclass(frozen=True)
class Renewal:
    message: str
    url: str
    link_text: str


def _convention_and_year(params, today: date) -> tuple[Convention | None, int]:
    """The convention asked for (404 when it does not exist), else the current one; the year asked for,
    else the campaign year, brought back within the convention's years."""
    if "convention" in params:
        convention = get_object_or_404(Convention, pk=query_int(params["convention"]))
    else:
        convention = Convention.objects.current()
    year = query_int(params.get("year")) or campaign_year(today)
    if convention is not None:
        year = min(max(year, convention.years[0]), convention.years[-1])
    return convention, year


def _optional_url(name: str, **params) -> str:
    """The URL of a page another part of the product may not serve yet ("" until it does)."""
    try:
        return f"{reverse(name)}?{urlencode(params)}"
    except NoReverseMatch:
        return ""


class ListLinks:
    """URLs of the plan d'actions of one convention, filtered with the `ActionFilter` parameters."""

    def __init__(self, convention: Convention):
        self.base = reverse("actions:list")
        self.convention = convention.pk

    def __call__(self, value: int, label: str, **params) -> Figure:
        query = {"convention": self.convention} | {key: item for key, item in params.items() if item is not None}
        return Figure(value, label, f"{self.base}?{urlencode(query)}")


def plan_row(label: str, summary: PlanSummary, link: ListLinks, *, axis=None) -> PlanRow:
    axis_pk = axis.pk if axis else None
    return PlanRow(
        label=label,
        total=link(summary.total, "actions", axis=axis_pk),
        statuses=[link(item.count, item.label, axis=axis_pk, status=item.status) for item in summary.status_counts],
        late=link(summary.late, "en retard", axis=axis_pk, late="on"),
        without_news=link(summary.without_news, "sans nouvelles", axis=axis_pk, without_news="on"),
        progress=summary.progress,
    )


def campaign_row(label: str, campaign: ServiceCampaign, year: int, link: ListLinks, service=None) -> CampaignRow:
    """A pilot service's campaign, or the whole campaign when `service` is None."""
    params = {"pilot_service": service.pk if service else None, "year": year}
    return CampaignRow(
        label=label,
        actions=link(campaign.actions, f"actions {year}", **params),
        missing_updates=link(campaign.missing_updates, "sans point d'étape", **params, missing="update"),
        missing_actuals=link(campaign.missing_actuals, "réalisé manquant", **params, missing="actual"),
        updated_share=campaign.updated_share,
        actual_share=campaign.actual_share,
    )


def campaign_sum(campaigns: list[ServiceCampaign]) -> ServiceCampaign:
    """The campaign over every service: each action has one pilot service, so the sums are the plan's."""
    fields = ["actions", "updated", "budgeted", "actual_entered", "missing_actual_lines"]
    return ServiceCampaign(None, **{name: sum(getattr(item, name) for item in campaigns) for name in fields})


def funder_rows(convention: Convention, year: int, link: ListLinks) -> list[FunderRow]:
    return [
        FunderRow(
            budget.label,
            budget.planned,
            budget.actual,
            link(budget.actions, f"actions {year} financées", year=year, funder=budget.funder),
        )
        for budget in budget_by_funder(convention, year)
    ]


def countdown(due: date, today: date, report: AnnualReport | None = None) -> str:
    """The days left ("J-63 avant le 31 janvier 2027"), or the transmission's date once the bilan is sent."""
    if report is not None and report.is_transmitted:
        return TRANSMITTED_ON.format(date=long_date(report.transmitted_on))
    days = days_until(due, today)
    if days > 0:
        return COUNTDOWN.format(days=days, date=long_date(due))
    return (DUE_TODAY if days == 0 else OVERDUE).format(date=long_date(due))


def renewal(convention: Convention, today: date) -> Renewal | None:
    """From twelve months before its end, the CTG asks for its renewal: a link to the next convention
    being drafted, else to the list of conventions."""
    if today < renewal_alert_from(convention.end_date):
        return None
    template = RENEWAL_ALERT if today <= convention.end_date else ENDED_ALERT
    following = (
        Convention.objects.filter(status=ConventionStatus.DRAFTING, start_date__gt=convention.start_date)
        .order_by("start_date")
        .first()
    )
    if following is not None:
        url, text = following.get_absolute_url(), f"Voir la CTG en préparation : {following.name}"
    else:
        url, text = reverse("ctg:convention_list"), "Voir les conventions"
    return Renewal(template.format(date=long_date(convention.end_date)), url, text)


def _charts(plan: list[PlanRow], campaigns: list[CampaignRow], funders: list[FunderRow], year: int) -> dict:
    statuses = [charts.Series(status.value, status.label, charts.STATUS_FILLS[status]) for status in ActionStatus]
    return {
        "axes_chart": charts.stacked_bar_chart(
            [(row.label, [figure.value for figure in row.statuses]) for row in plan],
            statuses,
            unit="action",
        ),
        "campaign_chart": charts.grouped_bar_chart(
            [(row.label, [row.updated_share, row.actual_share]) for row in campaigns],
            [
                charts.Series("update", f"Point d'étape {year}", charts.PRIMARY),
                charts.Series("actual", f"Réalisé {year} saisi", charts.SUCCESS),
            ],
            formatter=percent,
            maximum=100,
            missing="sans budget",
        ),
        "budget_chart": charts.grouped_bar_chart(
            [(row.label, [row.planned, row.actual]) for row in funders],
            [charts.Series("planned", "Prévu", charts.GREY), charts.Series("actual", "Réalisé", charts.PRIMARY)],
            formatter=lambda amount: euros(amount, 0),
        ),
    }


@require_GET
def dashboard(request):
    require(can_read_dashboard(request.user))
    today = timezone.localdate()
    convention, year = _convention_and_year(request.GET, today)
    if convention is None:
        return redirect("ctg:convention_list")
    link = ListLinks(convention)
    axes = list(convention.axes.all())
    summaries, total = plan_summaries(convention, axes)
    plan = [
        plan_row(f"{axis.code} · {axis.title}", summary, link, axis=axis)
        for axis, summary in zip(axes, summaries, strict=True)
    ]
    whole = plan_row(WHOLE_PLAN, total, link)
    by_service = service_campaigns(convention, year)
    campaigns = [campaign_row(item.service.name, item, year, link, item.service) for item in by_service]
    funders = funder_rows(convention, year, link)
    planned_total = sum((row.planned for row in funders), Decimal(0))
    actual_total = sum((row.actual for row in funders), Decimal(0))
    report = AnnualReport.objects.filter(convention=convention, year=year).first()
    transmitted = report is not None and report.is_transmitted
    due_on = bilan_due_on(year)
    readable = can_read_bilans(request.user)
    context = {
        "convention": convention,
        "conventions": Convention.objects.only("pk", "name"),
        "year": year,
        "years": convention.years,
        "statuses": ActionStatus.choices,
        "plan": plan,
        "whole": whole,
        "campaigns": campaigns,
        "campaign_total": campaign_row(ALL_SERVICES, campaign_sum(by_service), year, link),
        "funders": funders,
        "planned_total": planned_total,
        "actual_total": actual_total,
        "actual_rate": round(100 * actual_total / planned_total) if planned_total else None,
        "due_on": due_on,
        "countdown": countdown(due_on, today, report),
        "overdue": days_until(due_on, today) < 0 and not transmitted,
        "transmitted": transmitted,
        "bilan_state": report.get_status_display() if report else NO_BILAN,
        "bilan_url": _optional_url("reports:bilan_list", convention=convention.pk) if readable else "",
        "campaign_url": _optional_url("reports:campaign", convention=convention.pk, year=year) if readable else "",
        "renewal": renewal(convention, today),
        "indicators": indicator_dashboard(convention, year, axes),
        "network": network_dashboard(convention, today),
        **_charts(plan, campaigns, funders, year),
    }
    return render(request, "reports/dashboard.html", context)
