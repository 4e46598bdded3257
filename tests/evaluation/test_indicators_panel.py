"""The panel registry (ctg.panels), the indicators' panel evaluation registers in it for the fiche action,
and the selectors it and the bilan read."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from ctg import panels
from evaluation.enums import IndicatorStatus
from evaluation.models import Indicator
from evaluation.selectors import (
    figures,
    indicators_of_action,
    with_figures,
    year_of,
    yearly_figures,
    yearly_statuses,
    yearly_targets,
)
from evaluation.views.indicators import action_indicators_panel
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the app's own panel is registered at start-up)."""
    monkeypatch.setattr(panels, "PANELS", {})
    return panels


class TestRegistry:
    def test_renders_the_panels_with_a_context_in_order(self, registry, own_action, coordination):
        first = panels.Panel("a.html", lambda action, user: {"code": action.code, "user": user.username})
        skipped = panels.Panel("b.html", lambda action, user: None)
        last = panels.Panel("c.html", lambda action, user: {})
        for panel in (first, skipped, last):
            registry.register("action", panel)
        registry.register("partner", panels.Panel("d.html", lambda partner, user: {}))
        rendered = registry.render_panels("action", own_action, coordination)
        assert rendered == [
            panels.RenderedPanel("a.html", {"code": "FA1.1", "user": "coordination"}),
            panels.RenderedPanel("c.html", {}),
        ]

    def test_registering_twice_adds_once(self, registry):
        panel = panels.Panel("a.html", action_indicators_panel)
        registry.register("action", panel)
        registry.register("action", panels.Panel("a.html", action_indicators_panel))
        assert {"action": [panel]} == registry.PANELS

    def test_a_page_without_panels_has_none(self, registry, own_action, coordination):
        assert registry.render_panels("partner", own_action, coordination) == []

    def test_evaluation_registers_its_panel(self):
        assert panels.Panel("evaluation/_action_indicators.html", action_indicators_panel) in panels.PANELS["action"]


@pytest.fixture
def indicators(own_action):
    """I1: 110 in 2025, 150 expected in 2026, nothing yet for 2026; I2: reached in 2026."""
    first = IndicatorFactory(action=own_action, code="I1", baseline_value=Decimal(100), baseline_year=2022)
    IndicatorTargetFactory(indicator=first, year=2026, value=Decimal(150))
    MeasurementFactory(indicator=first, year=2025, value=Decimal(110))
    second = IndicatorFactory(action=own_action, code="I2", unit="%", decimals=1)
    IndicatorTargetFactory(indicator=second, year=2026, value=Decimal("80"))
    MeasurementFactory(indicator=second, year=2025, value=Decimal("70"))
    MeasurementFactory(indicator=second, year=2026, value=Decimal("82.25"))
    return first, second


class TestPanel:
    def test_figures_of_the_year_and_the_year_before(self, indicators, own_action, django_assert_num_queries):
        with django_assert_num_queries(2):
            rows = indicators_of_action(own_action, 2026)
        assert [(row.indicator.code, row.previous, row.value, row.target, row.status) for row in rows] == [
            ("I1", Decimal(110), None, Decimal(150), IndicatorStatus.NO_DATA),
            ("I2", Decimal(70), Decimal("82.25"), Decimal(80), IndicatorStatus.REACHED),
        ]
        assert rows[1].value_text == "82,3\u202f%" and rows[1].status_label == "Atteint"

    def test_context_and_template(self, indicators, own_action, user_for):
        context = action_indicators_panel(own_action, user_for("service_head"))
        assert context["year"] == year_of(own_action.convention) == 2026
        assert [row["can_enter"] for row in context["rows"]] == [True, True]
        html = render_to_string("evaluation/_action_indicators.html", {"panel": context})
        first = indicators[0]
        assert f'<a href="{first.get_absolute_url()}">I1 – {first.name}</a>' in html
        assert f"{reverse('evaluation:indicator_value', args=[first.pk])}?annee=2026&amp;periode=Y#value-form" in html
        assert '<span class="c-badge c-badge--done">Atteint</span>' in html
        assert "Ajouter un indicateur" not in html

    def test_a_reader_sees_no_entry_link_and_the_coordination_may_add(self, indicators, own_action, user_for):
        html = render_to_string(
            "evaluation/_action_indicators.html", {"panel": action_indicators_panel(own_action, user_for("elected"))}
        )
        assert reverse("evaluation:indicator_value", args=[indicators[0].pk]) not in html
        context = action_indicators_panel(own_action, user_for("coordination"))
        html = render_to_string("evaluation/_action_indicators.html", {"panel": context})
        assert f"?convention={own_action.convention_id}&amp;action={own_action.pk}" in html

    def test_another_services_head_may_not_enter(self, indicators, other_action, user_for):
        IndicatorFactory(action=other_action)
        context = action_indicators_panel(other_action, user_for("service_head"))
        assert [row["can_enter"] for row in context["rows"]] == [False]

    def test_an_action_without_indicator(self, own_action, user_for):
        html = render_to_string(
            "evaluation/_action_indicators.html", {"panel": action_indicators_panel(own_action, user_for("direction"))}
        )
        assert "Aucun indicateur n'est rattaché à cette action." in html


class TestSelectors:
    def test_the_yearly_figures_agree_with_the_status_of_each_year(self, indicators, django_assert_num_queries):
        years = range(2022, 2027)
        for indicator in indicators:
            with django_assert_num_queries(2):
                stored, targets = yearly_statuses(indicator), yearly_targets(indicator)
            rows = yearly_figures(indicator, years, stored, targets)
            for row in rows:
                one = with_figures(Indicator.objects.filter(pk=indicator.pk), row.year).get()
                assert (row.value, row.status, row.expected) == (
                    one.value_of_year,
                    one.status,
                    figures(one, row.year).expected,
                )

    def test_yearly_figures(self, indicators):
        first = indicators[0]
        figures = yearly_figures(first, [2025, 2026], yearly_statuses(first), yearly_targets(first))
        assert [(f.year, f.value, f.target, f.status) for f in figures] == [
            (2025, Decimal(110), None, IndicatorStatus.LATE),  # 137.5 expected on the way from 100 to 150
            (2026, None, Decimal(150), IndicatorStatus.NO_DATA),
        ]
        assert figures[0].expected_text == "138 familles"  # 137.5 shown with the indicator's 0 decimals

    @pytest.mark.parametrize(("year", "expected"), [(2019, 2022), (2024, 2024), (2031, 2026), (None, 2026)])
    def test_year_of_the_convention(self, convention, year, expected):
        assert year_of(convention, year) == expected
