"""The pages `scripts/bench.py` measures, found in the demo by stable keys, and their requests.

Every page is requested as the person who uses it: the coordination for the plan, the head of the
reference action's pilot service for "Mes actions", the point d'étape from a card and the entry grid of
their service, an inhabitant without an account for the public page of the open survey. The htmx write
endpoints post valid forms built from the project's own form classes (so a field added to a form is
posted too); `bench.py` runs each write in a transaction it rolls back, so that every request finds the
same rows.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from actions.enums import ActionStatus, BudgetNature, Funder, PartnerRole
from actions.forms import ActionPartnerForm, BudgetLineForm, MilestoneForm
from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from actions.views.progress import progress_form
from ctg.models import Convention
from evaluation.enums import IndicatorStatus, Period
from evaluation.models import Indicator, Measurement, Survey
from evaluation.numbers import format_decimal
from evaluation.views.grid import grid_year
from governance.models import Meeting
from partners.models import Partner
from reports.dates import campaign_year

BENCH_TEXT = "Saisi par le banc d'essai."
COORDINATION = "coordination"
ANONYMOUS = ""  # the `user` of a page requested without logging in


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str  # username of the demo account that requests it, ANONYMOUS for nobody
    data: dict | None = None  # posted when set
    htmx: bool = False
    headers: dict = field(default_factory=dict)


def form_data(form, **values) -> dict:
    """What a browser would post for `form`: its initial values, then `values`, with the form's prefix."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, "", []):
            data[form.add_prefix(name)] = value
    return data | {form.add_prefix(name): value for name, value in values.items()}


def reference_action(convention: Convention) -> Action:
    """The first action in progress, with jalons, budget lines and partners, whose pilot service has a
    head: the same row at every size (the copies come after it)."""
    return (
        Action.objects.active()
        .of_convention(convention)
        .filter(status=ActionStatus.IN_PROGRESS, pilot_service__head__isnull=False)
        .annotate(
            milestone_count=Count("milestones", distinct=True),
            line_count=Count("budget_lines", distinct=True),
            partner_count=Count("partner_roles", distinct=True),
        )
        .filter(milestone_count__gt=0, line_count__gt=0, partner_count__gt=0)
        .select_related("pilot_service__head")
        .order_by("pk")
        .first()
    )


def key_pages() -> list[Page]:
    """The pages of the issue, on the database of the default connection (the ×1 one)."""
    convention = Convention.objects.current()
    action = reference_action(convention)
    head = action.pilot_service.head.username
    milestone = action.milestones.order_by("pk").first()
    line = action.budget_lines.order_by("pk").first()
    role = action.partner_roles.order_by("pk").first()
    free_partner = Partner.objects.exclude(action_roles__action=action).order_by("pk").first()
    action_list = reverse("actions:list")
    # The plan d'actions as the dashboard's budget figures link to it: the actions of this year's campaign
    # funded by the commune. 23 of the demo's 26 actions, a full page at ×10 and ×100: each size shows
    # (nearly) the same number of cards, so the sizes compare the cost of the plan, not of more cards.
    year = min(max(campaign_year(), convention.years[0]), convention.years[-1])
    filters = urlencode({"convention": convention.pk, "year": year, "funder": Funder.COMMUNE})
    overview = reverse("ctg:overview", args=[convention.pk])
    record = reverse("actions:record_progress", args=[action.pk])
    mine = reverse("actions:mine")
    point = form_data(progress_form(action, None), done=BENCH_TEXT)
    card = {"HX-Current-URL": f"http://testserver{mine}"}
    today = timezone.localdate()
    new_milestone = MilestoneForm(prefix="new-milestone")
    new_line = BudgetLineForm(prefix="new-budget")
    new_partner = ActionPartnerForm(instance=ActionPartner(action=action), prefix="new-partner")
    return [
        Page("overview", overview, COORDINATION),
        Page("overview_objective", f"{overview}?objective={action.objective_id}", COORDINATION, htmx=True),
        Page("dashboard", reverse("reports:dashboard"), COORDINATION),
        Page("list", action_list, COORDINATION),
        Page("list_filtered", f"{action_list}?{filters}", COORDINATION),
        Page("list_htmx", f"{action_list}?{filters}", COORDINATION, htmx=True),
        Page("detail", action.get_absolute_url(), COORDINATION),
        Page("mine", mine, head),
        Page("progress_card_form", f"{record}?origin=card", head, htmx=True, headers=card),
        Page("progress_card", record, head, point | {"origin": "card"}, htmx=True, headers=card),
        Page("progress_detail", record, head, point | {"origin": "detail"}, htmx=True),
        Page(
            "milestone_add",
            reverse("actions:milestone_add", args=[action.pk]),
            COORDINATION,
            form_data(new_milestone, title=BENCH_TEXT, due_on=today + timedelta(days=30)),
            htmx=True,
        ),
        Page(
            "milestone_edit",
            reverse("actions:milestone_edit", args=[milestone.pk]),
            COORDINATION,
            form_data(MilestoneForm(instance=milestone, prefix="edit"), title=BENCH_TEXT),
            htmx=True,
        ),
        Page("milestone_delete", reverse("actions:milestone_delete", args=[milestone.pk]), COORDINATION, {}, True),
        Page(
            "budget_add",
            reverse("actions:budget_add", args=[action.pk]),
            COORDINATION,
            form_data(new_line, year=today.year, nature=BudgetNature.OPERATING, funder=Funder.COMMUNE, planned="1500"),
            htmx=True,
        ),
        Page(
            "budget_edit",
            reverse("actions:budget_edit", args=[line.pk]),
            COORDINATION,
            form_data(BudgetLineForm(instance=line, prefix="edit"), planned=str(line.planned + Decimal(100))),
            htmx=True,
        ),
        Page("budget_delete", reverse("actions:budget_delete", args=[line.pk]), COORDINATION, {}, True),
        Page(
            "partner_add",
            reverse("actions:partner_add", args=[action.pk]),
            COORDINATION,
            form_data(new_partner, partner=free_partner.pk, role=PartnerRole.values[0]),
            htmx=True,
        ),
        Page("partner_remove", reverse("actions:partner_remove", args=[role.pk]), COORDINATION, {}, True),
        *evaluation_pages(convention, action, head),
        *network_pages(),
    ]


def grid_value(indicator: Indicator, stored: Measurement | None) -> str:
    """A value for the entry grid that differs from the one stored and stays within the indicator's bounds."""
    if stored is None:
        return format_decimal(indicator.min_value or Decimal(0))
    higher = stored.value + 1
    fits = indicator.max_value is None or higher <= indicator.max_value
    return format_decimal(higher if fits else stored.value - 1)


def evaluation_pages(convention: Convention, action: Action, head: str) -> list[Page]:
    """The evaluation pages: the indicators (list, detail, entry grid and its save), the diagnostic, the
    surveys' results and public page, the evaluations' grid and the workshops."""
    indicator = Indicator.objects.filter(action=action).order_by("pk").first()
    year = grid_year(QueryDict(), convention)
    stored = indicator.measurements.filter(year=year, period=Period.YEAR).first()
    today = timezone.localdate()
    surveys = Survey.objects.filter(convention=convention).order_by("pk")
    closed = surveys.filter(closes_on__lt=today).first()
    open_survey = surveys.filter(opens_on__lte=today, closes_on__gte=today).first()
    indicators = reverse("evaluation:indicator_list")
    late = f"{indicators}?{urlencode({'status': IndicatorStatus.LATE})}"
    grid = reverse("evaluation:indicator_grid")
    save = {"value": grid_value(indicator, stored), "comment": BENCH_TEXT}
    save["previous"] = format_decimal(stored.value) if stored else ""
    return [
        Page("indicators", indicators, COORDINATION),
        Page("indicators_late", late, COORDINATION),
        Page("indicators_htmx", late, COORDINATION, htmx=True),
        Page("indicator_detail", indicator.get_absolute_url(), COORDINATION),
        Page("grid_service", grid, head),
        Page("grid_all", grid, COORDINATION),
        Page("grid_save", reverse("evaluation:indicator_grid_save", args=[indicator.pk, year]), head, save, True),
        Page("diagnostic", reverse("evaluation:diagnostic"), COORDINATION),
        Page("survey_results", reverse("evaluation:survey_results", args=[closed.pk]), COORDINATION),
        Page("survey_public", reverse("evaluation:survey_answer", args=[open_survey.token]), ANONYMOUS),
        Page("assessment_grid", reverse("evaluation:assessment_grid"), COORDINATION),
        Page("workshops", reverse("evaluation:workshop_list"), COORDINATION),
    ]


def network_pages() -> list[Page]:
    """The partners' and the governance's pages: the directory and a partner, the agreements, the funding, the
    bodies, a held meeting with its decisions, and the decisions' list."""
    partner = Partner.objects.filter(agreements__isnull=False).order_by("pk").first()
    meeting = Meeting.objects.filter(decisions__isnull=False).order_by("-date", "pk").first()
    return [
        Page("partners", reverse("partners:list"), COORDINATION),
        Page("partner_detail", partner.get_absolute_url(), COORDINATION),
        Page("agreements", reverse("partners:agreement_list"), COORDINATION),
        Page("funding", reverse("partners:funding_list"), COORDINATION),
        Page("bodies", reverse("governance:body_list"), COORDINATION),
        Page("meeting", reverse("governance:meeting_detail", args=[meeting.pk]), COORDINATION),
        Page("decisions", reverse("governance:decision_list"), COORDINATION),
    ]


def written_rows() -> int:
    """A count that every write endpoint raises: points d'étape plus the history of the action's records
    and of the indicators' values."""
    models = [Action, Milestone, BudgetLine, ActionPartner, Measurement]
    return ProgressUpdate.objects.count() + sum(model.history.count() for model in models)
