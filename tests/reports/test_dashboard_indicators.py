"""The dashboard's indicators block: the indicators off-track in year N per axis (count, the first ones, links)
and the year-N values still missing per service (count, link to that service's entry grid), in two queries
whatever the size of the plan; and its partial."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from evaluation.enums import IndicatorStatus
from evaluation.models import Indicator
from reports.dashboard_evaluation import WITHOUT_AXIS, indicator_dashboard
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ObjectiveFactory
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory

YEAR = 2026


def flat(html: str) -> str:
    """The text of `html`, its no-break spaces and runs of white space as one space."""
    return " ".join(strip_tags(html).replace("\u00a0", " ").replace("\u202f", " ").split())


def measured(code: str, value: str | None, target: str = "100", **kwargs) -> Indicator:
    """An indicator aiming at `target` in YEAR, with `value` for YEAR (late when below the target)."""
    indicator = IndicatorFactory(code=code, **kwargs)
    IndicatorTargetFactory(indicator=indicator, year=YEAR, value=Decimal(target))
    if value is not None:
        MeasurementFactory(indicator=indicator, year=YEAR, value=Decimal(value))
    return indicator


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def known(convention, own_action, other_action, other_service):
    """Axis A (own_action's): L1…L4 late (FA1.1 and FA2.1), R1 reached. Axis B: O1 late on one of its
    objectives. The CTG: C1 late, of context. Missing values of YEAR: M1 (petite enfance), M2 and S1
    (jeunesse: its fiche's, and one it is responsible for on the petite enfance's fiche)."""
    axis_a = own_action.objective.axis
    axis_a.code, axis_a.title = "A", "Petite enfance"
    axis_a.save()
    axis_b = AxisFactory(convention=convention, code="B", title="Jeunesse", order=axis_a.order + 1)
    for code in ["L1", "L2", "L3"]:
        measured(code, "10", action=own_action)
    measured("L4", "10", action=other_action)
    measured("R1", "120", action=own_action)
    measured("O1", "10", action=None, convention=convention, objective=ObjectiveFactory(axis=axis_b))
    measured("C1", "10", action=None, convention=convention, context=True)
    measured("M1", None, action=own_action)
    measured("M2", None, action=other_action)
    measured("S1", None, action=own_action, service=other_service)
    archived = ActionFactory(objective=own_action.objective, pilot_service=own_action.pilot_service, archived=True)
    measured("X1", "10", action=archived)  # archived: neither late nor missing
    measured("X2", None, action=archived)
    measured("Y1", "10", target="100")  # another convention's
    return {"axes": [axis_a, axis_b]}


class TestLate:
    def test_per_axis_with_the_first_ones(self, convention, known):
        board = indicator_dashboard(convention, YEAR, known["axes"])
        assert [(group.label, group.count) for group in board.late] == [
            ("A · Petite enfance", 4),
            ("B · Jeunesse", 1),
            (WITHOUT_AXIS, 1),
        ]
        assert board.late_total == 6
        first = board.late[0]
        assert [item.code for item in first.first] == ["L1", "L2", "L3"] and first.more == 1
        assert first.first[0].url == reverse("evaluation:indicator_detail", args=[Indicator.objects.get(code="L1").pk])

    def test_the_status_is_the_one_rule(self, convention, known):
        late = set(
            Indicator.objects.of_convention(convention)
            .exclude(action__archived_at__isnull=False)
            .with_status(YEAR)
            .filter(status=IndicatorStatus.LATE)
            .values_list("code", flat=True)
        )
        board = indicator_dashboard(convention, YEAR, known["axes"])
        assert late == {"L1", "L2", "L3", "L4", "O1", "C1"}
        assert sum(group.count for group in board.late) == len(late)

    def test_links_to_the_list_filtered_on_the_axis_and_status(self, convention, known):
        board = indicator_dashboard(convention, YEAR, known["axes"])
        axis_a = known["axes"][0]
        assert urlsplit(board.late[0].url).path == reverse("evaluation:indicator_list")
        assert query_of(board.late[0].url) == {
            "convention": [str(convention.pk)],
            "annee": [str(YEAR)],
            "status": ["late"],
            "axis": [str(axis_a.pk)],
        }
        assert "axis" not in query_of(board.late_url) and query_of(board.late_url)["status"] == ["late"]
        assert board.late[-1].url == ""  # the list has no "without axis" filter

    def test_another_year(self, convention, known):
        board = indicator_dashboard(convention, YEAR - 1, known["axes"])
        assert board.late == [] and board.late_total == 0  # no value in N-1: sans donnée


class TestMissing:
    def test_per_service_with_the_grid_link(self, convention, known, service, other_service):
        board = indicator_dashboard(convention, YEAR, known["axes"])
        assert [(row.service, row.count) for row in board.missing] == [
            ("Service jeunesse", 2),
            ("Service petite enfance", 1),
        ]
        assert board.missing_total == 3
        youth = board.missing[0]
        assert urlsplit(youth.url).path == reverse("evaluation:indicator_grid")
        assert query_of(youth.url) == {
            "convention": [str(convention.pk)],
            "annee": [str(YEAR)],
            "service": [str(other_service.pk)],
        }
        assert "service" not in query_of(board.grid_url)

    def test_the_count_is_entered_by_without_a_value(self, convention, known, service, other_service):
        board = {row.service: row.count for row in indicator_dashboard(convention, YEAR, known["axes"]).missing}
        for owner in (service, other_service):
            expected = (
                Indicator.objects.of_convention(convention)
                .entered_by(owner.pk)
                .exclude(action__archived_at__isnull=False)
                .missing_value(YEAR)
                .count()
            )
            assert board[owner.name] == expected

    def test_a_value_entered_leaves_the_count(self, convention, known):
        MeasurementFactory(indicator=Indicator.objects.get(code="M1"), year=YEAR, value=Decimal(5))
        board = indicator_dashboard(convention, YEAR, known["axes"])
        assert [row.service for row in board.missing] == ["Service jeunesse"]


class TestPartial:
    def test_renders_the_figures_and_links(self, convention, known):
        board = indicator_dashboard(convention, YEAR, known["axes"])
        html = render_to_string("reports/_dashboard_indicators.html", {"indicators": board})
        text = flat(html)
        assert "Indicateurs 2026" in text
        assert "6 indicateurs en retard" in text
        assert "L1 – Indicateur" in text and "et 1 autre" in text and "L4" not in text
        assert "3 valeurs 2026 manquantes" in text
        assert f'href="{board.missing[0].url.replace("&", "&amp;")}"' in html
        assert f'href="{board.late[0].first[0].url}"' in html
        assert 'class="c-count"' not in html  # the dashboard's own counts link to lists of actions
        assert "style=" not in html and "<script" not in html

    def test_nothing_to_show(self, convention, own_action):
        board = indicator_dashboard(convention, YEAR, list(convention.axes.all()))
        text = flat(render_to_string("reports/_dashboard_indicators.html", {"indicators": board}))
        assert "Aucun indicateur en retard en 2026." in text
        assert "Toutes les valeurs 2026 attendues des services sont saisies." in text


def grow(convention, service, other_service, count: int, start: int) -> None:
    objective = ObjectiveFactory(axis=AxisFactory(convention=convention))
    for index in range(start, start + count):
        action = ActionFactory(objective=objective, pilot_service=service if index % 2 else other_service)
        measured(f"G{index}", "10", action=action)
        measured(f"H{index}", None, action=action)
        measured(f"K{index}", "10", action=None, convention=convention, objective=objective)


@pytest.mark.parametrize("size", [1, 20])
def test_three_queries_whatever_the_size(convention, known, service, other_service, size, django_assert_num_queries):
    grow(convention, service, other_service, size, 0)
    axes = list(convention.axes.all())
    with django_assert_num_queries(3):
        board = indicator_dashboard(convention, YEAR, axes)
    assert board.late_total == 6 + 2 * size
    assert board.missing_total == 3 + size
