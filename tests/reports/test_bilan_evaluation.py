"""What the evaluation app brings to the bilan annuel: the "Contexte" section, the indicators of each fiche
and axis in the progress section (values N and N-1 against baseline and target, status, chart), the
"Participation des habitants" section and the annex table of every indicator; read from the PDF's text, the
HTML and the sections' data, with a query count that does not grow with the plan."""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from evaluation.enums import IndicatorStatus
from evaluation.models import Indicator
from reports.bilan import BilanSource, bilan_context
from reports.bilan_evaluation import EvaluationData
from reports.enums import RenderState
from reports.models import AnnualReport, ReportVersion
from reports.rendering import bilan_html, produce_version
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ObjectiveFactory
from tests.evaluation.factories import (
    AnswerFactory,
    IndicatorFactory,
    IndicatorTargetFactory,
    MeasurementFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    WorkshopFactory,
)

YEAR = 2026
SECTION_TITLES = [
    "1. Identité de la convention",
    "2. Synthèse",
    "3. Faits marquants",
    "4. Contexte",
    "5. Avancement par axe et par fiche",
    "6. Difficultés rencontrées",
    "7. Financement 2026",
    "8. Activité de la fonction de coopération",
    "9. Participation des habitants",
    "10. Perspectives 2027",
    "11. Annexes",
]
SURVEY = "Satisfaction des familles du multi-accueil"
WORKSHOP = "Atelier parentalité au centre social"


def flat(text: str) -> str:
    """Narrow and plain no-break spaces as spaces, runs of white space as one."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def indicator(code: str, *, values: dict[int, str], targets: dict[int, str], **kwargs) -> Indicator:
    created = IndicatorFactory(code=code, **kwargs)
    for year, value in values.items():
        MeasurementFactory(indicator=created, year=year, value=Decimal(value))
    for year, value in targets.items():
        IndicatorTargetFactory(indicator=created, year=year, value=Decimal(value))
    return created


def survey_with_scores(convention, title: str, opens_on: date, closes_on: date, scores: list[int]):
    survey = SurveyFactory(convention=convention, title=title, opens_on=opens_on, closes_on=closes_on)
    scale = QuestionFactory(survey=survey, text="Êtes-vous satisfait de l'accueil ?", kind="scale")
    text = QuestionFactory(survey=survey, text="Que faudrait-il améliorer ?", kind="text")
    for score in scores:
        response = ResponseFactory(survey=survey)
        AnswerFactory(response=response, question=scale, value=str(score), score=score)
        AnswerFactory(response=response, question=text, value="Les horaires", score=None)
    return survey


@pytest.fixture
def evaluated(convention, own_action, other_action):
    """Indicators of every kind of attachment, a survey and a workshop of 2026, and rows of other years.

    I1.1 (FA1.1, familles): baseline 100 in 2022, target 150 in 2026, 1 150 in 2025 then 130 in 2026: en retard.
    I1.2 (FA1.1, %): target 50 in 2026, 58.3 in 2026: atteint. I2.1 (FA2.1): no value: sans donnée.
    IA.1 (the axis): 50 in 2026, above the trajectory from 20 (2022) to 60 (2028), 46.7 in 2026: en bonne voie.
    """
    own_action.objective.axis.code = "A1"
    own_action.objective.axis.save()
    late = indicator(
        "I1.1",
        action=own_action,
        name="Familles accueillies",
        unit="familles",
        baseline_value=Decimal(100),
        baseline_year=2022,
        values={2025: "1150", 2026: "130"},
        targets={2026: "150"},
    )
    reached = indicator(
        "I1.2",
        action=own_action,
        name="Taux d'occupation",
        unit="%",
        decimals=1,
        values={2026: "58.3"},
        targets={2026: "50"},
    )
    indicator("I2.1", action=other_action, name="Jeunes accompagnés", values={}, targets={2026: "30"})
    indicator(
        "IA.1",
        action=None,
        convention=convention,
        axis=own_action.objective.axis,
        name="Places d'accueil créées",
        baseline_value=Decimal(20),
        baseline_year=2022,
        values={2026: "50"},
        targets={2028: "60"},
    )
    indicator(
        "CTX-ALLOC",
        context=True,
        convention=convention,
        name="Foyers allocataires",
        unit="foyers",
        source="Caf, données ouvertes (s_ben_com_f)",
        values={2021: "999", 2022: "1185", 2024: "1200"},
        targets={},
    )
    archived = ActionFactory(objective=own_action.objective, code="FA9.9", archived=True)
    indicator("I9.9", action=archived, name="Indicateur d'une fiche archivée", values={2026: "1"}, targets={})
    survey = survey_with_scores(convention, SURVEY, date(2026, 3, 1), date(2026, 4, 30), [5, 4, 2])
    survey_with_scores(convention, "Enquête de 2024", date(2024, 3, 1), date(2024, 4, 30), [1])
    WorkshopFactory(
        convention=convention,
        held_on=date(2026, 5, 12),
        kind="workshop",
        topic=WORKSHOP,
        inhabitants=18,
        professionals=5,
        outcomes="Des horaires du soir demandés par les parents.",
    )
    WorkshopFactory(convention=convention, held_on=date(2026, 9, 3), kind="public_meeting", topic="Réunion publique")
    WorkshopFactory(convention=convention, held_on=date(2025, 5, 12), topic="Atelier de 2025")
    return {"late": late, "reached": reached, "survey": survey}


@pytest.fixture
def report(convention, coordination):
    return AnnualReport.objects.create(convention=convention, year=YEAR, updated_by=coordination)


def sections(report) -> dict:
    return {section.key: section for section in bilan_context(report)["sections"]}


class TestSectionsData:
    def test_the_sections_take_their_place_in_the_outline(self, report, evaluated):
        titles = [f"{section.number}. {section.title}" for section in bilan_context(report)["sections"]]
        assert titles == SECTION_TITLES

    def test_context_indicators_over_the_years_of_the_convention(self, report, evaluated):
        context = sections(report)["context"].data
        assert context["years"] == [2022, 2023, 2024, 2025, 2026]
        (row,) = context["rows"]
        assert row.indicator.code == "CTX-ALLOC"
        assert row.values == ["1\u00a0185", "–", "1\u00a0200", "–", "–"]  # 2021 is before the convention
        assert row.unit == "foyers"

    def test_the_indicators_of_each_fiche_with_n_and_n_minus_1(self, report, evaluated, own_action, other_action):
        progress = sections(report)["progress"].data
        assert progress["with_indicators"] is True
        (axis,) = progress["axes"]
        fiches = {action.code: action for action in axis.actions}
        assert set(fiches) == {"FA1.1", "FA2.1"}  # the archived fiche is left out
        late, reached = fiches["FA1.1"].indicator_rows
        assert (late.indicator.code, late.previous, late.value, late.target) == ("I1.1", "1\u00a0150", "130", "150")
        assert (late.baseline, late.status, late.status_label) == ("100 (2022)", "late", "En retard")
        assert not late.on_trajectory
        assert (reached.value, reached.target, reached.status_label) == ("58,3\u202f%", "50,0\u202f%", "Atteint")
        assert reached.unit == "" and late.unit == "familles"
        (empty,) = fiches["FA2.1"].indicator_rows
        assert (empty.value, empty.status_label) == ("–", "Sans donnée")
        # Each fiche's indicator has its chart; the axis's own indicator is in a table, without chart.
        assert late.chart.id == f"indicator-{late.indicator.pk}-chart"
        (own,) = axis.indicators
        assert own.indicator.code == "IA.1" and own.chart is None
        assert (own.target, own.on_trajectory, own.status) == ("47", True, IndicatorStatus.ON_TRACK)

    def test_the_status_is_the_one_of_the_indicator_pages(self, report, evaluated):
        rows = sections(report)["annexes"].data["indicators"]["rows"]
        expected = dict(Indicator.objects.with_status(YEAR).values_list("code", "status"))
        assert {row.indicator.code: row.status for row in rows} == {
            code: status for code, status in expected.items() if code != "I9.9"
        }

    def test_participation_of_the_year(self, report, evaluated):
        data = sections(report)["participation"].data
        (result,) = data["surveys"]
        assert result.survey.title == SURVEY and result.answers == 3 == data["answers"]
        (scale,) = result.scales  # the free-text question has no average
        assert (scale.answers, scale.average, scale.satisfied) == (3, "3,7", "67\u202f%")
        assert [workshop.topic for workshop in data["workshops"]] == [WORKSHOP, "Réunion publique"]
        assert (data["inhabitants"], data["professionals"], data["participants"]) == (30, 9, 39)

    def test_a_survey_closing_in_the_year_counts_too(self, report, convention):
        survey_with_scores(convention, "Enquête d'hiver", date(2025, 12, 1), date(2026, 1, 15), [4])
        survey_with_scores(convention, "Enquête à cheval", date(2025, 12, 1), date(2027, 1, 15), [4])
        data = sections(report)["participation"].data
        assert [result.survey.title for result in data["surveys"]] == ["Enquête d'hiver"]
        assert data["workshops"] == []

    def test_annex_table_of_every_indicator(self, report, evaluated):
        annexes = sections(report)["annexes"]
        assert [entry.title for entry in annexes.toc] == [
            "Tableau des indicateurs",
            "Liste des fiches actions",
            "Partenaires",
        ]
        rows = annexes.data["indicators"]["rows"]
        assert [row.indicator.code for row in rows] == ["I1.1", "I1.2", "I2.1", "IA.1", "CTX-ALLOC"]  # context last
        assert all(row.chart is None for row in rows)
        assert "trajectoire linéaire" in annexes.data["indicators"]["rule"]

    def test_without_evaluation_data_nothing_is_added(self, report, own_action):
        built = sections(report)
        assert "context" not in built and "participation" not in built
        assert built["annexes"].data["indicators"] is None
        assert [entry.title for entry in built["annexes"].toc] == ["Liste des fiches actions", "Partenaires"]
        assert built["progress"].data["with_indicators"] is False
        html = bilan_html(report, standalone=True)
        assert "Indicateurs" not in html and "<svg" not in html

    def test_another_convention_s_rows_stay_out(self, report, evaluated):
        other = IndicatorFactory(code="AUTRE", context=True)
        SurveyFactory(convention=other.convention, opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1))
        WorkshopFactory(convention=other.convention, held_on=date(2026, 1, 1), topic="Ailleurs")
        data = EvaluationData(report.convention, YEAR)
        assert "AUTRE" not in [item.code for item in data.indicators]
        assert len(data.surveys) == 1 and len(data.workshops) == 2


class TestHtml:
    def test_charts_only_in_the_fiches(self, report, evaluated):
        html = bilan_html(report, standalone=True)
        assert html.count('<svg class="c-chart__svg"') == 3  # I1.1, I1.2 and I2.1
        assert f'id="indicator-{evaluated["late"].pk}-chart-title"' in html
        annex = html[html.index('id="bilan-annexe-indicateurs"') :]
        assert "<svg" not in annex
        context = html[html.index('id="bilan-context"') : html.index('id="bilan-progress"')]
        assert "<svg" not in context and "Caf, données ouvertes (s_ben_com_f)" in context

    def test_table_of_contents(self, report, evaluated):
        html = bilan_html(report, standalone=True)
        assert '<a href="#bilan-context">4. Contexte</a>' in html
        assert '<a href="#bilan-participation">9. Participation des habitants</a>' in html
        assert '<a href="#bilan-annexe-indicateurs">Tableau des indicateurs</a>' in html

    def test_no_inline_style_nor_script(self, report, evaluated):
        for html in [bilan_html(report, standalone=True), bilan_html(report, standalone=False)]:
            assert "style=" not in html
            assert "<script" not in html
            assert re.search(r"<[^>]*\son\w+=", html) is None


class TestPdf:
    def test_the_pdf_text(self, report, evaluated, coordination):
        version = ReportVersion.objects.create(report=report, number=1, requested_by=coordination)
        produce_version(version)
        version.refresh_from_db()
        assert version.state == RenderState.READY
        with version.file.open("rb") as file:
            pages = [flat(page.extract_text()) for page in PdfReader(BytesIO(file.read())).pages]
        text = " ".join(pages)
        for title in SECTION_TITLES:
            assert title in text
        contents = pages[1]
        for title in ["4. Contexte", "9. Participation des habitants", "Tableau des indicateurs"]:
            assert re.search(rf"{re.escape(title)} \.*\s*\d+", contents), title
        assert "Foyers allocataires" in text and "1 200" in text and "1 185" in text
        assert "I1.1 – Familles accueillies" in text
        assert "1 150" in text and "58,3 %" in text
        for status in ["En retard", "Atteint", "Sans donnée", "En bonne voie"]:
            assert status in text
        assert SURVEY in text and "3 réponses" in text and "3,7 / 5" in text and "67 %" in text
        assert WORKSHOP in text and "Des horaires du soir demandés par les parents." in text
        assert "Enquête de 2024" not in text and "Atelier de 2025" not in text
        assert "Indicateur d'une fiche archivée" not in text


def add_evaluation(convention, count: int, start: int):
    """`count` more fiches (on a new axis) each with two indicators, their values 2022–2026 and targets, plus
    a survey of 2026 with answers and a workshop of 2026."""
    objective = ObjectiveFactory(axis=AxisFactory(convention=convention))
    for index in range(start, start + count):
        action = ActionFactory(objective=objective, code=f"FQ{index}")
        for number in (1, 2):
            created = IndicatorFactory(action=action, code=f"Q{index}.{number}", with_baseline=True)
            for year in range(2022, 2027):
                MeasurementFactory(indicator=created, year=year, value=Decimal(100 + year - 2022))
            IndicatorTargetFactory(indicator=created, year=2026, value=Decimal(120))
        IndicatorFactory(
            action=None, convention=convention, objective=objective, code=f"QO{index}", with_baseline=True
        )
        IndicatorFactory(code=f"QC{index}", context=True, convention=convention)
        survey_with_scores(convention, f"Enquête {index}", date(2026, 2, 1), date(2026, 3, 1), [3, 4, 5])
        WorkshopFactory(convention=convention, held_on=date(2026, 6, 1), topic=f"Atelier {index}")


class TestQueries:
    def test_the_number_of_queries_does_not_grow(self, report, evaluated, django_assert_max_num_queries):
        counts = []
        for start, size in ((0, 1), (1, 15)):
            add_evaluation(report.convention, size, start)
            fresh = AnnualReport.objects.get(pk=report.pk)
            with CaptureQueriesContext(connection) as queries:
                bilan_html(fresh, standalone=True)
            counts.append(len(queries))
        assert counts[0] == counts[1]
        source = BilanSource(AnnualReport.objects.get(pk=report.pk))
        assert len(source.evaluation.indicators) == 5 + 4 * 16
        assert len(source.evaluation.surveys) == 1 + 16


GEOMETRY = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "transform", "stroke", "fill"}


class Drawing(HTMLParser):
    """The shapes and texts of the first chart SVG of a page: tag, geometry and colours, text."""

    def __init__(self):
        super().__init__()
        self.shapes, self.depth, self.done = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "c-chart__svg" in (attrs.get("class") or "") and not self.done:
            self.depth = 1
        elif self.depth and tag in {"line", "rect", "circle", "text"}:
            self.shapes.append([tag, sorted((k, v) for k, v in attrs.items() if k in GEOMETRY)])

    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth, self.done = 0, True

    def handle_data(self, data):
        if self.depth and self.shapes and self.shapes[-1][0] == "text" and data.strip():
            self.shapes[-1].append(data.strip())


def drawing(html: str) -> list:
    parser = Drawing()
    parser.feed(html)
    return parser.shapes


def test_the_bilan_draws_the_chart_of_the_indicator_pages(report, evaluated):
    """The bilan prints the chart's SVG lighter (no legend nor data table around it, fonts set once, scaled by
    a viewBox), but its drawing is the one of `evaluation/_line_chart.html`."""
    row = EvaluationData(report.convention, YEAR).by_action[evaluated["late"].action_id][0]
    page = render_to_string("evaluation/_line_chart.html", {"chart": row.chart})
    bilan = render_to_string("reports/bilan/_indicator_chart.html", {"chart": row.chart})
    assert len(drawing(page)) > 10
    assert drawing(bilan) == drawing(page)


def test_chart_years_cover_the_convention_up_to_n(report, evaluated):
    (chart_row, _) = next(
        action for axis in BilanSource(report).axis_progress for action in axis.actions if action.code == "FA1.1"
    ).indicator_rows
    assert [mark.year for mark in chart_row.chart.years] == [2022, 2023, 2024, 2025, 2026]
