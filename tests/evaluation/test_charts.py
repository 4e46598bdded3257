"""The indicator's line chart (evaluation.charts) and its template: positions, scale, French numbers, the
accessible alternative, contrast, and nothing a strict CSP or WeasyPrint would refuse."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from evaluation import charts
from evaluation.models import Indicator

D = Decimal


def make(**fields) -> Indicator:
    """An unsaved indicator: the chart reads only its fields."""
    defaults = {"pk": 7, "code": "I1.2", "name": "Familles accueillies", "unit": "familles", "decimals": 0}
    return Indicator(**(defaults | fields))


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "decimals", "unit", "text"),
        [
            (D("1200"), 0, "familles", "1\u00a0200 familles"),
            (D("45.25"), 1, "%", "45,3\u202f%"),  # rounded, half up
            (D("-0.04"), 1, "", "0,0"),
            (D("12.5"), 2, "", "12,50"),
            (None, 0, "places", "–"),
            (137.5, 1, "places", "137,5 places"),
        ],
    )
    def test_value_text(self, value, decimals, unit, text):
        assert charts.value_text(value, decimals, unit) == text

    def test_nice_steps(self):
        assert [charts.nice_step(span) for span in (50, 10, 8, 1, 0.3, 1800)] == [20, 2.5, 2, 0.25, 0.1, 500]
        assert [charts.step_decimals(step) for step in (20, 2.5, 0.25, 0.1)] == [0, 1, 2, 1]

    def test_the_scale_starts_at_zero_unless_the_values_stay_far_from_it(self):
        assert charts.scale_bounds([0, 40]) == (0, 40, 10)
        assert charts.scale_bounds([12, 40]) == (0, 40, 10)
        assert charts.scale_bounds([38.5, 48]) == (37.5, 50, 2.5)
        assert charts.scale_bounds([100, 150]) == (100, 160, 20)

    def test_a_flat_series_still_has_a_scale(self):
        bottom, top, step = charts.scale_bounds([6, 6])
        assert bottom <= 6 <= top and top > bottom and step > 0


class TestLineChart:
    def chart(self, **fields):
        indicator = make(baseline_value=D("100"), baseline_year=2022, **fields)
        values = {2023: D("110"), 2024: D("118"), 2026: D("150")}
        targets = {2024: D("120"), 2026: D("150")}
        return charts.indicator_chart(indicator, values, targets)

    def test_years_spread_over_the_width(self):
        chart = self.chart()
        assert [mark.year for mark in chart.years] == [2022, 2023, 2024, 2025, 2026]
        assert chart.years[0].x == charts.X_START and chart.years[-1].x == charts.X_END

    def test_a_missing_value_breaks_the_line(self):
        chart = self.chart()
        assert [point.year for point in chart.points] == [2023, 2024, 2026]
        assert len(chart.segments) == 1  # 2023–2024 only: nothing joins 2024 to 2026

    def test_higher_values_are_drawn_higher(self):
        chart = self.chart()
        first, second, last = chart.points
        assert last.y < second.y < first.y
        assert chart.baseline.y == charts.PLOT_BOTTOM  # 100, the bottom of a 100–160 scale
        # 120 is a third of the way from 100 to 160, 150 five sixths.
        height = charts.PLOT_BOTTOM - charts.PLOT_TOP
        expected = [charts.PLOT_BOTTOM - height / 3, charts.PLOT_BOTTOM - height * 5 / 6]
        assert [target.y for target in chart.targets] == pytest.approx(expected, abs=0.01)

    def test_description_and_table_give_every_figure(self):
        chart = self.chart()
        assert chart.description == (
            "I1.2 – Familles accueillies. Valeurs : 2023 : 110 familles ; 2024 : 118 familles ; 2026 : 150 "
            "familles. Cibles : 2024 : 120 familles ; 2026 : 150 familles. Valeur de "
            "référence : 100 familles en 2022."
        )
        # The table has the years with a figure (the baseline is in its caption).
        assert [(row.year, row.value, row.target) for row in chart.rows] == [
            (2023, "110 familles", "–"),
            (2024, "118 familles", "120 familles"),
            (2026, "150 familles", "150 familles"),
        ]

    def test_the_years_asked_for_extend_the_axis_and_the_table(self):
        indicator = make()
        chart = charts.indicator_chart(indicator, {2024: D("5")}, {}, years=range(2022, 2027))
        assert [mark.year for mark in chart.years] == [2022, 2023, 2024, 2025, 2026]
        assert [row.year for row in chart.rows] == [2022, 2023, 2024, 2025, 2026]
        assert "2025 : pas de valeur" in chart.description
        assert chart.baseline is None

    def test_nothing_to_draw(self):
        chart = charts.indicator_chart(make(), {}, {})
        assert chart.is_empty and chart.points == [] and chart.ticks == []
        assert chart.description == "I1.2 – Familles accueillies. Aucune valeur. Aucune cible."

    def test_a_single_year_sits_in_the_middle(self):
        chart = charts.indicator_chart(make(), {2025: D("3")}, {})
        assert chart.points[0].x == pytest.approx((charts.X_START + charts.X_END) / 2)

    def test_colours_contrast_with_the_white_panel(self):
        for colour in (charts.VALUE, charts.TARGET, charts.BASELINE):
            assert charts.contrast_ratio(colour, charts.WHITE) >= 3  # graphics (WCAG 1.4.11)
        assert charts.contrast_ratio(charts.VALUE, charts.WHITE) >= 4.5  # the values' labels are text
        assert charts.contrast_ratio(charts.TEXT, charts.WHITE) >= 4.5


class TestTemplate:
    def render(self, chart) -> str:
        return render_to_string("evaluation/_line_chart.html", {"chart": chart})

    def test_the_drawing_is_described_and_its_data_is_a_table(self):
        indicator = make(baseline_value=D("12.5"), baseline_year=2022, decimals=1, unit="%")
        html = self.render(charts.indicator_chart(indicator, {2024: D("1234.5")}, {2026: D("1500")}))
        assert (
            '<svg class="c-chart__svg" role="img" aria-labelledby="indicator-7-chart-title indicator-7-chart-desc"'
            in html
        )
        assert '<title id="indicator-7-chart-title">I1.2 – Familles accueillies</title>' in html
        assert 'id="indicator-7-chart-desc">' in html
        assert "<figcaption" in html and "<table" in html
        # Coordinates with a dot, whatever the locale; figures the French way.
        assert re.search(r'cx="\d+(\.\d+)?%"', html)
        assert '<td class="is-number u-nowrap">1\u00a0234,5\u202f%</td>' in html
        assert "valeur de référence : 12,5\u202f% en 2022" in html

    def test_every_text_names_its_font_and_nothing_uses_a_style_attribute(self):
        html = self.render(charts.indicator_chart(make(), {2023: D("1"), 2024: D("2")}, {2026: D("4")}))
        texts = re.findall(r"<text [^>]*>", html)
        assert texts and all('font-family="' in text for text in texts)
        assert "style=" not in html and "<script" not in html

    def test_an_empty_chart_says_so(self):
        html = self.render(charts.indicator_chart(make(), {}, {}))
        assert "<svg" not in html.split("<ul", 1)[0] and "Ni valeur, ni cible" in html
        assert "Aucune valeur ni cible." in html
