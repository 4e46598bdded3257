"""Browser journeys of the steering dashboard and of the bilan annuel, on the demo CTG in Chromium.

The bilan 2026 of the demo is a brouillon: the coordination reminds the services, writes the synthesis and
produces the PDF (the test settings run the task at once), the direction validates it, the coordination
transmits it. Every page visited goes through axe-core.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from reports.models import AnnualReport
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

FIGURES = ["fiches actions", "en retard", "sans nouvelles", "sans point d'étape"]


def list_count(page: Page) -> int:
    return int(page.locator("#results-count").inner_text().split()[0])


class TestDirectionReadsTheDashboard:
    @pytest.mark.parametrize("label", FIGURES)
    def test_a_figure_leads_to_a_list_of_the_same_count(self, page: Page, label):
        log_in(page, "direction")
        expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
        assert_accessible(page, "dashboard")
        figure = page.locator(".c-figures .c-figure").filter(has_text=label)
        value = int(figure.locator(".c-figure__value").inner_text())
        figure.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/actions/\?"))
        assert list_count(page) == value
        assert_accessible(page, f"list behind « {label} »")


class TestBilanFromDraftToTransmission:
    def test_remind_write_produce_validate_transmit(self, page: Page, browser, browser_context_args):
        report = AnnualReport.objects.get(status="draft")

        # The coordination reminds the services of what is missing.
        log_in(page, "coordination")
        page.goto(f"/bilans/campagne/?year={report.year}")
        assert_accessible(page, "campaign")
        page.get_by_role("button", name="Relancer les services").click()
        expect(page.locator("#reminders")).to_contain_text("courriel")
        assert_accessible(page, "campaign after the reminders")

        # … writes the synthesis …
        page.goto(f"/bilans/{report.pk}/redaction/")
        assert_accessible(page, "narrative form")
        page.get_by_label("Synthèse").fill("Une année de consolidation : le guichet unique est en place.")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan annuel {report.year}")
        expect(page.locator("main")).to_contain_text("Une année de consolidation")

        # … and produces the PDF, without leaving the page (WeasyPrint runs in the request: time enough for a
        # loaded machine; its speed is measured by `make bench`).
        page.get_by_role("button", name="Produire le PDF").click()
        expect(page.get_by_role("link", name=re.compile(r"^Télécharger"))).to_be_visible(timeout=30_000)
        assert_accessible(page, "bilan with a produced version")
        screenshot(page, "bilan-produced")
        version = report.versions.get()
        assert version.state == "ready" and version.page_count > 3

        # The direction validates that version.
        direction = browser.new_context(**browser_context_args).new_page()
        log_in(direction, "direction")
        direction.goto(f"/bilans/{report.pk}/")
        direction.get_by_role("button", name="Valider la version 1").click()
        expect(direction.locator("main")).to_contain_text("Validé")
        assert_accessible(direction, "bilan validated")
        direction.context.close()

        # The coordination transmits it to the CAF: the file is frozen.
        page.goto(f"/bilans/{report.pk}/")
        page.get_by_role("link", name="Transmettre à la CAF").click()
        assert_accessible(page, "transmission form")
        page.get_by_label("Canal").select_option(label="Courriel")
        page.get_by_role("button", name="Enregistrer la transmission").click()
        expect(page.locator("main")).to_contain_text("PDF transmis figé")
        report.refresh_from_db()
        assert report.status == "transmitted" and report.transmitted_version == version
        screenshot(page, "bilan-transmitted")
