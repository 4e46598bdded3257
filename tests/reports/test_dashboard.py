"""The steering dashboard: its figures on a known plan, each figure's link giving a list of that many
actions, the SVG charts and their tables, the bilan countdown, the renewal alert, bad parameters, the
landing page of each role and a query count that does not grow with the plan."""

import html
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from ctg.enums import ConventionStatus
from reports import charts
from reports.dates import campaign_year, days_until, renewal_alert_from
from reports.models import AnnualReport
from reports.views import dashboard as view
from tests.actions.factories import ActionFactory, BudgetLineFactory, ProgressUpdateFactory
from tests.ctg.factories import AxisFactory, ConventionFactory, ObjectiveFactory, ServiceFactory, UserFactory

ROLES = ["coordination", "direction", "elected", "service_head", "tech_admin"]
URL = "/tableau-de-bord/"
COUNT_LINK = re.compile(r'<a class="c-count" href="([^"]+)">(?:<span class="c-figure__value">)?(\d+)')
TODAY = date.today()
N = TODAY.year


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12))


def flat(text: str) -> str:
    """The page's text with its no-break spaces made plain."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pin_today(monkeypatch, today: date) -> None:
    """The dashboard's "today" (countdown, campaign year, renewal), the rest of the app keeping the clock."""
    monkeypatch.setattr(view, "timezone", SimpleNamespace(localdate=lambda: today))


@pytest.fixture
def known(db, convention):
    """A convention covering N-2 … N+1 where nothing is "sans nouvelles" before 10 years; the year is N.

    Axis A: a1 (S1, en cours 40 %, point d'étape in N, réalisé of N entered), a2 (S1, réalisée, point
    d'étape in N-1, a CAF line of N without réalisé), and an archived action that nothing counts.
    Axis B: a3 (S2, en cours 20 %, ended in N-1 so late and outside the campaign, no news for 11 years),
    a4 (S2, abandonnée, running in N, réalisé entered), a6 (S2, à lancer, no dates).
    """
    convention.start_date, convention.end_date, convention.stale_after_days = (
        date(N - 2, 1, 1),
        date(N + 1, 12, 31),
        3650,
    )
    convention.save()
    axis_a, axis_b = AxisFactory(convention=convention, code="A"), AxisFactory(convention=convention, code="B")
    in_a, in_b = ObjectiveFactory(axis=axis_a), ObjectiveFactory(axis=axis_b)
    s1, s2 = ServiceFactory(name="S1 service"), ServiceFactory(name="S2 service")
    running = {"start_date": date(N - 1, 1, 1), "end_date": date(N + 1, 6, 30)}
    a1 = ActionFactory(objective=in_a, pilot_service=s1, code="K1", status="in_progress", progress=40, **running)
    a2 = ActionFactory(objective=in_a, pilot_service=s1, code="K2", status="done", progress=100, **running)
    a3 = ActionFactory(
        objective=in_b,
        pilot_service=s2,
        code="K3",
        status="in_progress",
        progress=20,
        start_date=date(N - 2, 1, 1),
        end_date=date(N - 1, 12, 31),
        created_at=timezone.now() - timedelta(days=4000),
    )
    a4 = ActionFactory(objective=in_b, pilot_service=s2, code="K4", status="abandoned", progress=0, **running)
    ActionFactory(
        objective=in_b, pilot_service=s2, code="K6", status="to_start", progress=0, start_date=None, end_date=None
    )
    archived = ActionFactory(
        objective=in_a, pilot_service=s1, code="K9", archived=True, start_date=None, end_date=None
    )
    ProgressUpdateFactory(action=a1, recorded_at=at(N))
    ProgressUpdateFactory(action=a2, recorded_at=at(N - 1, 6))
    BudgetLineFactory(action=a1, year=N, funder="commune", planned=Decimal(1000), actual=Decimal(800))
    BudgetLineFactory(action=a2, year=N, funder="caf_bonus", planned=Decimal(2000), actual=None)
    BudgetLineFactory(action=a2, year=N, funder="commune", planned=Decimal(500), actual=Decimal(500))
    BudgetLineFactory(action=a3, year=N - 1, funder="commune", planned=Decimal(300), actual=None)
    BudgetLineFactory(action=a4, year=N, funder="caf_bonus", planned=Decimal(700), actual=Decimal(700))
    BudgetLineFactory(action=archived, year=N, funder="state", planned=Decimal(9999), actual=None)
    return SimpleNamespace(convention=convention, axis_a=axis_a, axis_b=axis_b, s1=s1, s2=s2)


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- Units: dates and charts -------------------------------------------------------------------------------


class TestDates:
    @pytest.mark.parametrize(
        "today, year",
        [(date(2027, 1, 1), 2026), (date(2027, 1, 31), 2026), (date(2027, 2, 1), 2027), (date(2026, 12, 31), 2026)],
    )
    def test_campaign_year(self, today, year):
        assert campaign_year(today) == year

    def test_renewal_starts_twelve_months_before_the_end(self):
        assert renewal_alert_from(date(2026, 12, 31)) == date(2025, 12, 31)
        assert renewal_alert_from(date(2028, 2, 29)) == date(2027, 2, 28)

    @pytest.mark.parametrize(
        "today, text",
        [
            (date(2026, 11, 29), "J-63 avant le 31 janvier 2027"),
            (date(2027, 1, 30), "J-1 avant le 31 janvier 2027"),
            (date(2027, 1, 31), "Échéance aujourd'hui, le 31 janvier 2027"),
            (date(2027, 2, 3), "Échéance passée depuis le 31 janvier 2027"),
        ],
    )
    def test_countdown(self, today, text):
        assert flat(view.countdown(date(2027, 1, 31), today)) == text
        assert days_until(date(2027, 1, 31), date(2026, 11, 29)) == 63


class TestCharts:
    series = [charts.Series("a", "A", charts.PRIMARY), charts.Series("b", "B", charts.SUCCESS)]

    def test_stacked_bars_share_one_scale(self):
        chart = charts.stacked_bar_chart(
            [("Axe 1", [3, 1]), ("Axe 2", [0, 2]), ("Vide", [0, 0])], self.series, unit="action"
        )
        first, second, empty = chart.rows
        assert [(s.x, s.width) for s in first.segments] == [(0.0, 67.5), (67.5, 22.5)]
        assert first.end == charts.STACK_AREA
        assert [(s.series.key, s.x, s.width) for s in second.segments] == [("b", 0.0, 45.0)]
        assert empty.segments == [] and empty.end == 0
        assert [row.y for row in chart.rows] == [0, 56, 112] and chart.height == 168
        assert chart.description == "Axe 1 : 4 actions (A : 3, B : 1). Axe 2 : 2 actions (B : 2). Vide : 0 action."

    def test_narrow_segments_do_not_print_their_count(self):
        chart = charts.stacked_bar_chart([("Axe", [1, 99])], self.series, unit="action")
        assert [segment.shows_value for segment in chart.rows[0].segments] == [False, True]

    def test_grouped_shares_on_a_100_scale(self):
        chart = charts.grouped_bar_chart(
            [("Service", [80, None]), ("Autre", [10, 100])],
            self.series,
            formatter=str,
            maximum=100,
            missing="sans budget",
        )
        (first, missing), (low, full) = chart.groups[0].bars, chart.groups[1].bars
        assert (first.width, first.text, first.inside, first.text_anchor, first.text_fill) == (
            80.0,
            "80",
            True,
            "end",
            "#ffffff",
        )
        assert (missing.width, missing.text) == (0.0, "sans budget")
        assert (low.inside, low.text_dx, low.text_fill) == (False, 6, charts.TEXT)
        assert full.width == 100.0
        assert chart.track and chart.description == "Service : A 80, B sans budget. Autre : A 10, B 100."

    def test_grouped_amounts_leave_room_for_the_largest_value(self):
        chart = charts.grouped_bar_chart(
            [("Commune", [Decimal("1500.00"), Decimal("750.00")])], self.series, formatter=lambda v: f"{v} €"
        )
        assert [bar.width for bar in chart.groups[0].bars] == [charts.VALUE_INSIDE_FROM, charts.VALUE_INSIDE_FROM / 2]
        assert not chart.track

    def test_empty_charts(self):
        assert charts.stacked_bar_chart([], self.series, unit="action").height == 0
        assert charts.grouped_bar_chart([], self.series, formatter=str).groups == []

    def test_long_labels_are_shortened(self):
        chart = charts.stacked_bar_chart([("x" * 60, [1, 0])], self.series, unit="action")
        assert chart.rows[0].label == "x" * (charts.LABEL_CHARS - 1) + "…"
        assert chart.rows[0].full_label in chart.description

    @pytest.mark.parametrize("fill", [*charts.STATUS_FILLS.values(), charts.PRIMARY, charts.SUCCESS, charts.GREY])
    def test_fills_contrast_with_the_panel_and_their_text(self, fill):
        assert charts.contrast_ratio(fill, charts.WHITE) >= 3
        assert charts.contrast_ratio(fill, charts.text_fill_on(fill)) >= 4.5

    def test_chart_text_is_readable(self):
        assert charts.contrast_ratio(charts.TEXT, charts.WHITE) >= 4.5
        assert charts.contrast_ratio(charts.TEXT, charts.TRACK) >= 4.5


# --- The page ----------------------------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_signed_in_role_reads_it(self, client_for, known, role):
        response = get(client_for(role))
        assert "<h1>Tableau de bord</h1>" in response.text
        assert f'<a href="{URL}" aria-current="page">Tableau de bord</a>' in response.text

    def test_anonymous_is_sent_to_login(self, client, known):
        response = client.get(URL)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_post_is_refused(self, client_for, known):
        assert client_for("direction").post(URL).status_code == 405

    def test_without_any_convention_leads_to_the_list(self, client_for):
        assert client_for("direction").get(URL).url == reverse("ctg:convention_list")

    def test_the_url_name(self):
        assert reverse("reports:dashboard") == URL


class TestLanding:
    @pytest.mark.parametrize("role", ["direction", "elected"])
    def test_direction_and_elected_land_on_the_dashboard(self, client_for, known, role):
        response = client_for(role).get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == URL
        assert response.status_code == 200

    @pytest.mark.parametrize("role", ["coordination", "tech_admin"])
    def test_coordination_and_admin_land_on_the_ctg(self, client_for, known, role):
        response = client_for(role).get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("ctg:overview", args=[known.convention.pk])

    def test_service_head_lands_on_my_actions(self, client_for, known):
        assert client_for("service_head").get(reverse("home")).url == reverse("actions:mine")


class TestFigures:
    def test_per_axis_and_whole_plan(self, client_for, known):
        context = get(client_for("direction"), year=N).context
        axis_a, axis_b = context["plan"]
        counts = {"A": axis_a, "B": axis_b, "all": context["whole"]}
        assert {key: row.total.value for key, row in counts.items()} == {"A": 2, "B": 3, "all": 5}
        assert {key: row.progress for key, row in counts.items()} == {"A": 70, "B": 10, "all": 40}
        assert {key: row.late.value for key, row in counts.items()} == {"A": 0, "B": 1, "all": 1}
        assert {key: row.without_news.value for key, row in counts.items()} == {"A": 0, "B": 1, "all": 1}
        by_status = {
            status: figure.value
            for (status, _), figure in zip(context["statuses"], context["whole"].statuses, strict=True)
        }
        assert by_status == {
            "to_start": 1,
            "in_progress": 2,
            "done": 1,
            "recurring": 0,
            "suspended": 0,
            "postponed": 0,
            "abandoned": 1,
        }

    def test_campaign_per_service(self, client_for, known):
        context = get(client_for("elected"), year=N).context
        rows = {row.label: row for row in [*context["campaigns"], context["campaign_total"]]}
        summary = {
            label: (
                row.actions.value,
                row.missing_updates.value,
                row.missing_actuals.value,
                row.updated_share,
                row.actual_share,
            )
            for label, row in rows.items()
        }
        assert summary == {
            "S1 service": (2, 1, 1, 50, 50),
            "S2 service": (2, 2, 0, 0, 100),
            "Tous les services": (4, 3, 1, 25, 67),
        }

    def test_budget_per_funder(self, client_for, known):
        context = get(client_for("elected"), year=N).context
        funders = [(row.label, row.planned, row.actual, row.actions.value, row.rate) for row in context["funders"]]
        assert funders == [
            ("CAF – bonus territoire CTG", Decimal(2700), Decimal(700), 2, 26),
            ("Commune", Decimal(1500), Decimal(1300), 2, 87),
        ]
        assert (context["planned_total"], context["actual_total"], context["actual_rate"]) == (4200, 2000, 48)

    def test_amounts_in_french(self, client_for, known):
        text = flat(get(client_for("elected"), year=N).text)
        assert '<td class="is-number u-nowrap">4 200,00 €</td>' in text
        assert '<td class="is-number u-nowrap">2 000,00 €</td>' in text
        assert "2 700 €" in text  # the chart's value, without cents

    def test_every_figure_links_to_a_list_of_that_many_actions(self, client_for, known):
        client = client_for("direction")
        links = COUNT_LINK.findall(get(client, year=N).text)
        # 4 key figures, 3 rows (2 axes, the whole plan) × 10 counts, 3 rows × 3 in the campaign, 2 funders.
        assert len(links) == 4 + 30 + 9 + 2
        for href, value in links:
            response = client.get(html.unescape(href))
            assert response.status_code == 200
            assert response.context["page"].paginator.count == int(value), href

    def test_links_keep_the_convention_and_the_year(self, client_for, known):
        context = get(client_for("direction"), year=N).context
        s1 = context["campaigns"][0]
        assert s1.missing_updates.url == (
            f"/actions/?convention={known.convention.pk}&pilot_service={known.s1.pk}&year={N}&missing=update"
        )
        assert (
            context["plan"][1].late.url == f"/actions/?convention={known.convention.pk}&axis={known.axis_b.pk}&late=on"
        )
        assert (
            context["funders"][1].actions.url == f"/actions/?convention={known.convention.pk}&year={N}&funder=commune"
        )

    def test_another_year(self, client_for, known):
        context = get(client_for("direction"), year=N - 1).context
        assert context["year"] == N - 1
        assert context["campaign_total"].actions.value == 5  # a1, a2, a4 (from N-1), a3 (ended in N-1), a6
        assert [row.label for row in context["funders"]] == ["Commune"]

    def test_an_empty_convention(self, client_for, convention):
        response = get(client_for("direction"))
        assert "Aucun axe pour l'instant." in response.text
        assert f"Aucune action ne court en {response.context['year']}." in response.text
        assert f"Aucune ligne budgétaire pour {response.context['year']}." in response.text


class TestChartsOnThePage:
    def test_three_svg_charts_with_title_desc_caption_and_table(self, client_for, known):
        text = get(client_for("direction"), year=N).text
        for chart_id, title in [
            ("chart-axes", "Actions par statut et par axe"),
            ("chart-campaign", "Campagne de bilan par service"),
            ("chart-budget", "Budget prévu et réalisé par financeur"),
        ]:
            assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in text
            assert f'<title id="{chart_id}-title">{title}</title>' in text
            assert f'<desc id="{chart_id}-desc">' in text
        assert text.count("<figure") == text.count("<figcaption") == 3
        assert text.count('<div class="c-table-scroll" tabindex="0" role="region" aria-label="') == 3
        assert text.count("<table") == 3
        assert "S1 service : Point d&#x27;étape " in text  # the campaign chart's description

    def test_no_inline_style_nor_script(self, client_for, known):
        text = get(client_for("direction"), year=N).text
        assert " style=" not in text
        assert "<script>" not in text and " on" + "click=" not in text

    def test_svg_numbers_are_not_localised(self, client_for, known):
        """Widths are written "67.5%", never with the French decimal comma."""
        text = get(client_for("direction"), year=N).text
        widths = re.findall(r'<rect x="[^"]*" y="\d+" width="([^"]+)"', text)
        assert widths and all(re.fullmatch(r"\d+(\.\d+)?%", width) for width in widths)


class TestBilan:
    def test_countdown_and_state_without_bilan(self, client_for, known, monkeypatch):
        known.convention.end_date = date(2030, 12, 31)
        known.convention.save()
        pin_today(monkeypatch, date(2026, 11, 29))
        text = flat(get(client_for("direction")).text)
        assert "J-63 avant le 31 janvier 2027" in text
        assert "État du bilan : <strong>Pas encore commencé</strong>" in text

    def test_a_transmitted_bilan_shows_its_transmission(self):
        report = AnnualReport(year=2025, status="transmitted", transmitted_on=date(2026, 1, 28))
        assert flat(view.countdown(date(2026, 1, 31), date(2026, 11, 29), report)) == "Transmis le 28 janvier 2026"
        draft = AnnualReport(year=2025)
        assert flat(view.countdown(date(2026, 1, 31), date(2026, 1, 1), draft)) == "J-30 avant le 31 janvier 2026"

    def test_an_overdue_bilan(self, client_for, convention, monkeypatch):
        pin_today(monkeypatch, date(2026, 11, 29))
        text = flat(get(client_for("direction"), year=2025).text)
        assert '<p class="c-countdown c-countdown--late">Échéance passée depuis le 31 janvier 2026</p>' in text

    def test_state_of_the_bilan(self, client_for, known):
        AnnualReport.objects.create(convention=known.convention, year=N)
        text = get(client_for("direction"), year=N).text
        assert "État du bilan : <strong>Brouillon</strong>" in text

    @pytest.mark.parametrize(
        "role, shown", [("coordination", True), ("direction", True), ("elected", True), ("service_head", False)]
    )
    def test_link_to_the_bilans_for_those_who_read_them(self, client_for, known, role, shown):
        text = get(client_for(role), year=N).text
        assert (f'href="{reverse("reports:bilan_list")}?convention={known.convention.pk}"' in text) is shown

    def test_a_page_not_served_yet_gives_no_link(self):
        assert view._optional_url("reports:not_there_yet", convention=1) == ""


class TestRenewal:
    @pytest.mark.parametrize(
        "today, shown",
        [
            (date(2025, 12, 30), False),
            (date(2025, 12, 31), True),
            (date(2026, 11, 29), True),
            (date(2027, 3, 1), True),
        ],
    )
    def test_alert_from_twelve_months_before_the_end(self, client_for, convention, monkeypatch, today, shown):
        pin_today(monkeypatch, today)
        text = flat(get(client_for("elected")).text)
        assert ("préparez son renouvellement" in text) is shown
        if today <= convention.end_date and shown:
            assert "La CTG prend fin le 31 décembre 2026 : préparez son renouvellement." in text
        assert "31 décembre 2026" in text  # the end date is always shown

    def test_alert_links_to_the_convention_being_drafted(self, client_for, convention, monkeypatch):
        following = ConventionFactory(
            status=ConventionStatus.DRAFTING, start_date=date(2027, 1, 1), end_date=date(2031, 12, 31)
        )
        pin_today(monkeypatch, date(2026, 11, 29))
        text = get(client_for("elected")).text
        assert f'<a href="{following.get_absolute_url()}">Voir la CTG en préparation : {following.name}</a>' in text

    def test_without_a_next_convention_the_alert_links_to_the_list(self, client_for, convention, monkeypatch):
        pin_today(monkeypatch, date(2026, 11, 29))
        assert (
            f'<a href="{reverse("ctg:convention_list")}">Voir les conventions</a>' in get(client_for("elected")).text
        )

    def test_after_the_end(self, convention):
        assert view.renewal(convention, date(2027, 1, 5)).message.startswith("La CTG a pris fin le 31")


class TestParameters:
    @pytest.mark.parametrize("value", ["²", "abc", "-1", "1.5", "", "99999999999999999999", "0"])
    def test_a_bad_convention_is_a_404(self, client_for, known, value):
        assert client_for("direction").get(URL, {"convention": value}).status_code == 404

    def test_an_unknown_convention_is_a_404(self, client_for, known):
        assert client_for("direction").get(URL, {"convention": 999999}).status_code == 404

    @pytest.mark.parametrize(
        "value, year", [("abc", None), ("²", None), ("", None), ("1", N - 2), ("99999", N + 1), ("٢٠٢٥", None)]
    )
    def test_a_bad_year_falls_back_within_the_convention(self, client_for, known, value, year):
        response = get(client_for("direction"), year=value)
        assert response.context["year"] == (year or min(max(campaign_year(), N - 2), N + 1))

    def test_another_convention(self, client_for, known):
        other = ConventionFactory(
            status=ConventionStatus.DRAFTING, start_date=date(2030, 1, 1), end_date=date(2034, 12, 31)
        )
        context = get(client_for("direction"), convention=other.pk).context
        assert context["convention"] == other and context["year"] == 2030
        assert context["plan"] == [] and context["funders"] == []


# --- Query budget ------------------------------------------------------------------------------------------

QUERIES = 21  # measured on SQLite, with the request's SAVEPOINT and RELEASE (ATOMIC_REQUESTS); 3 of them for the
# meetings, decisions and agreements (`reports.dashboard_partners`)


@pytest.fixture
def plan(convention):
    """`plan(count)` adds actions over two axes and three services, with points d'étape and budget lines of
    several funders and years, some late, some stale, some archived; the same structure whatever the count."""
    objectives = [ObjectiveFactory(axis__convention=convention) for _ in range(2)]
    services = [ServiceFactory(name=f"Service Q{n}") for n in range(3)]
    author = UserFactory(coordination=True)
    statuses = ["to_start", "in_progress", "done", "recurring", "suspended", "postponed", "abandoned"]

    def populate(count: int, *, start: int = 0):
        for n in range(start, start + count):
            action = ActionFactory(
                objective=objectives[n % 2],
                pilot_service=services[n % 3],
                code=f"Q{n:03d}",
                status=statuses[n % 7],
                late=n % 4 == 1,
                stale=n % 5 == 2,
                archived=n % 11 == 10,
            )
            ProgressUpdateFactory(action=action, author=author, recorded_at=timezone.now() - timedelta(days=n * 20))
            BudgetLineFactory(action=action, year=N, funder=["commune", "caf_bonus", "state"][n % 3], actual=n or None)
            BudgetLineFactory(action=action, year=N - 1, funder="commune", actual=None)

    AnnualReport.objects.create(convention=convention, year=convention.years[-1])
    ConventionFactory(status=ConventionStatus.DRAFTING, start_date=date(2027, 1, 1), end_date=date(2031, 12, 31))
    return populate


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("count", [1, 40])
def test_fixed_query_budget(client_for, plan, count, django_assert_max_num_queries):
    plan(count)
    client = client_for("coordination")
    with django_assert_max_num_queries(QUERIES):
        response = client.get(URL)
    assert response.context["whole"].total.value == Action.objects.active().count()
    assert response.context["axes_chart"].rows


def test_same_count_with_1_and_40_actions(client_for, plan):
    client = client_for("direction")
    plan(1)
    with_one = count_queries(client)
    plan(39, start=1)
    assert count_queries(client) == with_one <= QUERIES
