"""The bilan annuel's content and its PDF versions: the text extracted from the PDF, the frozen file, the
failures, the background task, the registry of sections, the query budget and the logos."""

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from reports import bilan, rendering
from reports.bilan import BilanSource, Section, bilan_context, build_sections, logo_sources
from reports.enums import RenderState
from reports.models import AnnualReport, ReportVersion
from reports.rendering import PRODUCTION_FAILED, bilan_html, produce_version
from reports.tasks import produce_report_version
from tests.actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    BudgetLineFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.ctg.factories import AmendmentFactory, AxisFactory, ObjectiveFactory, SignatoryFactory
from tests.evaluation.factories import (
    AnswerFactory,
    IndicatorFactory,
    IndicatorTargetFactory,
    MeasurementFactory,
    SurveyFactory,
    WorkshopFactory,
)

SECTION_TITLES = [
    "1. Identité de la convention",
    "2. Synthèse",
    "3. Faits marquants",
    "4. Avancement par axe et par fiche",
    "5. Difficultés rencontrées",
    "6. Financement 2026",
    "7. Activité de la fonction de coopération",
    "8. Perspectives 2027",
    "9. Annexes",
]
POINT_TEXT = "Salle des familles ouverte aux parents du quartier."
# With the evaluation rows (indicators, their values and targets, surveys and their scale questions, workshops):
# 6 of the 24; with the governance and the partners (meetings, decisions, partners present, agreements, facilities'
# funding lines): 5 of the 24 (`reports.bilan_governance`, `reports.bilan_funding`).
QUERY_BUDGET = 24


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def flat(text: str) -> str:
    """Narrow and plain no-break spaces as spaces, runs of white space as one."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def png(colour: str = "#1d4e89") -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def pdf_pages(version: ReportVersion) -> list[str]:
    with version.file.open("rb") as file:
        return [page.extract_text() for page in PdfReader(BytesIO(file.read())).pages]


def stored_bytes(version: ReportVersion) -> bytes:
    with version.file.open("rb") as file:
        return file.read()


@pytest.fixture
def report(convention, own_action, other_action, coordination):
    """Bilan 2026 of a known plan: FA1.1 with a point d'étape and a jalon of 2026, budget 12 500 / 11 000 €."""
    convention.collectivity_name = "Ville de Testville"
    convention.save()
    SignatoryFactory(convention=convention, organisation="Ville de Testville", person="Jeanne Maire", title="maire")
    AmendmentFactory(convention=convention, number=1, subject="Ajout de la fiche FA2.1")
    ProgressUpdateFactory(action=own_action, recorded_at=at(date(2025, 6, 1)), progress=20, done="Texte de 2025.")
    ProgressUpdateFactory(
        action=own_action,
        recorded_at=at(date(2026, 3, 15)),
        progress=40,
        done=POINT_TEXT,
        difficulties="Livraison du mobilier en retard.",
    )
    MilestoneFactory(
        action=own_action, title="Inauguration du lieu", due_on=date(2026, 4, 2), done_on=date(2026, 4, 2)
    )
    MilestoneFactory(action=own_action, title="Jalon de 2025", due_on=date(2025, 4, 2), done_on=date(2025, 4, 2))
    BudgetLineFactory(action=own_action, year=2026, funder="commune", planned=Decimal(12500), actual=Decimal(11000))
    BudgetLineFactory(action=own_action, year=2025, funder="commune", planned=Decimal(99000), actual=Decimal(1))
    ActionPartnerFactory(action=own_action, partner__name="Association des familles")
    other_action.status, other_action.progress = "done", 100
    other_action.save()
    return AnnualReport.objects.create(
        convention=convention,
        year=2026,
        synthesis="Une année de consolidation du plan d'actions.",
        outlook="Préparer la prochaine convention.",
        updated_by=coordination,
    )


@pytest.fixture
def version(report, coordination):
    return ReportVersion.objects.create(report=report, number=1, requested_by=coordination)


@pytest.fixture
def produced(version):
    produce_version(version)
    version.refresh_from_db()
    return version


class TestPdfText:
    def test_the_version_is_ready_with_its_hash_size_and_page_count(self, produced):
        assert produced.state == RenderState.READY
        assert produced.error == ""
        assert produced.generated_at is not None
        content = stored_bytes(produced)
        assert produced.sha256 == hashlib.sha256(content).hexdigest()
        assert produced.size == len(content)
        assert produced.page_count == len(PdfReader(BytesIO(content)).pages) >= 4
        assert Path(produced.file.name).name.startswith("bilan-ctg-2026-v1")

    def test_the_text_shows_the_sections_and_the_known_action(self, produced):
        pages = [flat(page) for page in pdf_pages(produced)]
        text = " ".join(pages)
        for title in SECTION_TITLES:
            assert title in text
        assert "FA1.1 – Action du service" in text
        assert "avancement : 40 %" in text
        assert POINT_TEXT in text
        assert "15 mars 2026" in text
        assert "Livraison du mobilier en retard." in text
        assert "Inauguration du lieu (2 avril 2026)" in text
        assert "12 500,00 €" in text
        assert "11 000,00 €" in text
        assert "88 %" in text  # réalisé ÷ prévu
        # Only year N: the 2025 point d'étape, jalon and budget stay out.
        assert "Texte de 2025." not in text
        assert "Jalon de 2025" not in text
        assert "99 000,00 €" not in text

    def test_the_text_is_french(self, produced):
        text = flat(" ".join(pdf_pages(produced)))
        assert "Réalisée" in text
        assert "Identité" in text
        assert "31 janvier 2027" in text
        assert "Bilan annuel 2026 de la Convention Territoriale Globale" in text
        assert "Ville de Testville" in text
        assert "Jeanne Maire" in text
        assert "Avenant n° 1" in text
        assert "Une année de consolidation du plan d'actions." in text
        assert "Non renseigné." in text  # faits marquants left empty
        assert "Association des familles" in text

    def test_every_page_but_the_cover_has_its_footer(self, produced):
        pages = [flat(page) for page in pdf_pages(produced)]
        count = produced.page_count
        assert "page 1 /" not in pages[0]  # the cover has no header nor footer
        for number, page in enumerate(pages[1:], start=2):
            assert f"page {number} / {count}" in page

    def test_the_table_of_contents_gives_page_numbers(self, produced):
        contents = flat(pdf_pages(produced)[1])
        assert "Sommaire" in contents
        for title in SECTION_TITLES:
            assert re.search(rf"{re.escape(title)} \.*\s*\d+", contents), title
        assert re.search(r"A\d+ – Axe \d+ \.*\s*\d+", contents)

    def test_the_sections_without_data_are_left_out(self, produced):
        text = flat(" ".join(pdf_pages(produced)))
        for absent in ["Contexte", "Gouvernance", "Participation des habitants", "Indicateurs"]:
            assert absent not in text

    def test_the_html_keeps_the_narrow_no_break_spaces(self, report):
        html = bilan_html(report, standalone=True)
        assert "12\u202f500,00\u00a0€" in html
        assert "40\u202f%" in html
        assert "31\u00a0janvier\u00a02027" in html


class TestFrozenVersion:
    def test_a_second_production_changes_nothing(self, produced):
        before = (produced.file.name, produced.sha256, produced.size, produced.generated_at, stored_bytes(produced))
        files = sorted(Path(settings.MEDIA_ROOT, "bilans").iterdir())
        produce_version(produced)
        produce_version(ReportVersion.objects.get(pk=produced.pk))
        produced.refresh_from_db()
        after = (produced.file.name, produced.sha256, produced.size, produced.generated_at, stored_bytes(produced))
        assert after == before
        assert sorted(Path(settings.MEDIA_ROOT, "bilans").iterdir()) == files

    def test_later_changes_of_the_data_leave_the_file_unchanged(self, produced, own_action, coordination):
        content, sha256 = stored_bytes(produced), produced.sha256
        ProgressUpdateFactory(action=own_action, recorded_at=at(date(2026, 11, 2)), progress=60, done="Nouveau point.")
        own_action.title = "Titre changé après coup"
        own_action.save()
        produced.refresh_from_db()
        assert stored_bytes(produced) == content
        assert produced.sha256 == sha256 == hashlib.sha256(stored_bytes(produced)).hexdigest()
        # A new version does show the change.
        newer = ReportVersion.objects.create(report=produced.report, number=2, requested_by=coordination)
        produce_version(newer)
        newer.refresh_from_db()
        assert newer.sha256 != sha256
        assert "Titre changé après coup" in flat(" ".join(pdf_pages(newer)))
        assert "Titre changé après coup" not in flat(" ".join(pdf_pages(produced)))

    def test_a_failing_render_marks_the_version_failed_in_french(self, version, monkeypatch, caplog):
        def broken(html):
            raise RuntimeError("WeasyPrint en panne")

        monkeypatch.setattr(rendering, "render_pdf", broken)
        produce_version(version)  # does not raise
        version.refresh_from_db()
        assert version.state == RenderState.FAILED
        assert version.error == PRODUCTION_FAILED
        assert not version.file
        assert version.sha256 == ""
        assert "échec de la production" in caplog.text

    def test_a_failure_never_touches_a_ready_version(self, produced, monkeypatch):
        monkeypatch.setattr(rendering, "render_pdf", lambda html: 1 / 0)
        rendering._mark_failed(produced)
        produced.refresh_from_db()
        assert produced.state == RenderState.READY
        assert produced.error == ""

    def test_the_task_produces_the_file(self, version):
        produce_report_version.enqueue(version.pk)
        version.refresh_from_db()
        assert version.state == RenderState.READY
        assert version.sha256 == hashlib.sha256(stored_bytes(version)).hexdigest()

    def test_the_task_ignores_a_missing_version(self, db, caplog):
        produce_report_version.enqueue(987654)
        assert "introuvable" in caplog.text


class TestSections:
    def test_a_section_without_data_is_left_out_and_the_numbers_follow(self, report):
        sections = [
            Section("first", "Première", "reports/bilan/_section_narrative.html", bilan.narrative("synthesis"), 10),
            Section("empty", "Sans données", "reports/bilan/_section_narrative.html", lambda source: None, 20),
            Section("second", "Seconde", "reports/bilan/_section_narrative.html", bilan.narrative("outlook"), 30),
        ]
        built = build_sections(BilanSource(report), sections)
        assert [(section.number, section.key) for section in built] == [(1, "first"), (2, "second")]

    def test_an_app_adds_its_section_by_appending_one_entry(self, report, monkeypatch):
        context = Section(
            "context",
            "Contexte",
            "reports/bilan/_section_narrative.html",
            lambda source: {"text": "Données CAF."},
            200,
        )
        monkeypatch.setattr(bilan, "SECTIONS", [*bilan.SECTIONS, context])
        html = bilan_html(report, standalone=True)
        assert html.index("4. Contexte") < html.index("5. Avancement par axe et par fiche")
        assert '<a href="#bilan-context">4. Contexte</a>' in html
        assert "3. Faits marquants" in html

    def test_partners_are_in_french_alphabetical_order(self, report, own_action, other_action):
        ActionPartnerFactory(action=own_action, partner__name="Zoo de Vincennes")
        ActionPartnerFactory(action=own_action, partner__name="École des parents")
        ActionPartnerFactory(action=other_action, partner=own_action.partners.get(name="École des parents"))
        partners = BilanSource(report).partners
        assert [(p.name, p.action_count) for p in partners] == [
            ("Association des familles", 1),
            ("École des parents", 2),
            ("Zoo de Vincennes", 1),
        ]

    def test_no_inline_style_nor_script(self, report):
        for html in [bilan_html(report, standalone=True), bilan_html(report, standalone=False)]:
            assert "style=" not in html
            assert "<script" not in html
            assert re.search(r"<[^>]*\son\w+=", html) is None

    def test_the_body_fits_in_the_app_layout(self, report):
        body = bilan_html(report, standalone=False)
        assert "<html" not in body and "<head" not in body and "<body" not in body
        context = bilan_context(report)
        assert context["collectivity_logo_src"] == context["caf_logo_src"] == ""


def add_plan(convention, service, author, count: int):
    """`count` more actions over two new axes, each with points d'étape, jalons, budget and partners, an
    indicator with values and a target (and one on its objective, one of context), a survey of 2026 with its
    answers and a workshop of 2026."""
    objectives = [ObjectiveFactory(axis=AxisFactory(convention=convention)) for _ in range(2)]
    for index in range(count):
        action = ActionFactory(objective=objectives[index % 2], pilot_service=service)
        for month in (2, 9):
            ProgressUpdateFactory(action=action, author=author, recorded_at=at(date(2026, month, 1)))
        MilestoneFactory(action=action, due_on=date(2026, 5, 1), done_on=date(2026, 5, 1))
        BudgetLineFactory(action=action, year=2026, funder="caf_bonus", planned=Decimal(1000), actual=Decimal(900))
        ActionPartnerFactory(action=action)
        indicator = IndicatorFactory(action=action, with_baseline=True)
        for year in (2025, 2026):
            MeasurementFactory(indicator=indicator, year=year, value=Decimal(110 + year - 2025))
        IndicatorTargetFactory(indicator=indicator, year=2026)
        IndicatorFactory(action=None, convention=convention, objective=objectives[index % 2])
        MeasurementFactory(indicator=IndicatorFactory(context=True, convention=convention), year=2024)
        survey = SurveyFactory(convention=convention, opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 1))
        AnswerFactory(response__survey=survey, question__survey=survey, score=5)
        WorkshopFactory(convention=convention, held_on=date(2026, 6, 1))


class TestQueries:
    def test_the_number_of_queries_does_not_grow_with_the_plan(
        self, report, service, coordination, django_assert_max_num_queries
    ):
        counts = []
        for size in (1, 12):
            add_plan(report.convention, service, coordination, size)
            fresh = AnnualReport.objects.get(pk=report.pk)
            with django_assert_max_num_queries(QUERY_BUDGET), CaptureQueriesContext(connection) as queries:
                bilan_html(fresh, standalone=True)
            counts.append(len(queries))
        assert counts[0] == counts[1]
        sections = {section.key: section for section in bilan_context(report)["sections"]}
        actions = [action for item in sections["progress"].data["axes"] for action in item.actions]
        assert len(actions) == 2 + 1 + 12
        assert sum(len(action.indicator_rows) for action in actions) == 1 + 12
        assert len(sections["context"].data["rows"]) == len(sections["participation"].data["surveys"]) == 1 + 12


class TestLogos:
    def test_uploaded_logos_are_read_from_their_files(self, report, version):
        convention = report.convention
        convention.collectivity_logo.save("ville.png", png(), save=False)
        convention.caf_logo.save("caf.png", png("#0b7a75"), save=False)
        convention.save()
        sources = logo_sources(convention, standalone=True)
        media = Path(settings.MEDIA_ROOT).resolve().as_uri() + "/"
        assert sources["collectivity_logo_src"].startswith(media)
        assert sources["caf_logo_src"].startswith(media)
        assert sources["collectivity_logo_src"].endswith(".png")
        preview = logo_sources(convention, standalone=False)
        assert preview == {
            "collectivity_logo_src": reverse("ctg:convention_logo", args=[convention.pk, "collectivity"]),
            "caf_logo_src": reverse("ctg:convention_logo", args=[convention.pk, "caf"]),
        }
        html = bilan_html(report, standalone=True)
        assert 'alt="Logo de Ville de Testville"' in html
        assert f'alt="Logo de {convention.caf_name}"' in html

        produce_version(version)
        version.refresh_from_db()
        assert version.state == RenderState.READY
        with version.file.open("rb") as file:
            cover = PdfReader(BytesIO(file.read())).pages[0]
        assert len(cover.images) == 2
