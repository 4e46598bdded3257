"""Every key page, for every demo role, on a 390 px phone: no horizontal scrolling, headings in order, and
valid HTML for the W3C Nu HTML Checker (zero errors; its warnings are printed)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Page

from actions.models import Action
from ctg.models import Convention
from ctg.views.files import IMAGE_SIGNATURES, LOGO_KINDS
from evaluation.models import Assessment, Indicator, Survey
from governance.models import Meeting
from partners.models import Facility, Partner
from reports.models import AnnualReport
from tests.browser.conftest import log_in
from tests.browser.html_validator import validate

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ROLES = ["coordination", "direction", "elu", "petite-enfance", "admin"]

# Each heading's level, in document order, skipping those nobody can see or hear.
HEADING_LEVELS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
  .filter((h) => !h.closest("[hidden], [aria-hidden='true']") && getComputedStyle(h).display !== "none")
  .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""
# What sticks out of a 390 px page, to say what to fix.
WIDEST = """(limit) => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > limit + 1)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)
  .slice(-5)"""

# Help texts and error messages named by aria-describedby must exist and say something.
SILENT_DESCRIPTIONS = """() => Array.from(document.querySelectorAll("[aria-describedby]")).flatMap((el) =>
  el.getAttribute("aria-describedby").split(/\\s+/)
    .filter((id) => !(document.getElementById(id)?.textContent.trim()))
    .map((id) => `${el.getAttribute("name") || el.tagName.toLowerCase()} → #${id}`))"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def key_pages() -> dict[str, str]:
    """The pages the journeys go through, and the forms they open as whole pages."""
    convention = Convention.objects.current()
    # The fiche with the most jalons and budget lines: the widest tables of the detail page.
    fiche = (
        Action.objects.filter(objective__axis__convention=convention)
        .annotate(rows=Count("milestones", distinct=True) + Count("budget_lines", distinct=True))
        .order_by("-rows")
        .first()
    )
    draft = AnnualReport.objects.get(status="draft")
    indicator = Indicator.objects.of_convention(convention).filter(measurements__isnull=False).first()
    survey = Survey.objects.filter(convention=convention, responses__isnull=False).first()
    assessment = Assessment.objects.filter(action__convention=convention).first()
    others = AnnualReport.objects.exclude(pk=draft.pk).order_by("-year")
    partner = Partner.objects.filter(contacts__isnull=False, agreements__isnull=False).first()
    meeting = Meeting.objects.filter(decisions__isnull=False).order_by("-date").first()
    pages = {
        "overview": reverse("ctg:overview", args=[convention.pk]),
        "plan": reverse("actions:list"),
        "plan-filtered": reverse("actions:list") + "?status=in_progress&late=on&sort=code",
        "plan-search": reverse("actions:list") + "?q=FA1",
        "fiche": fiche.get_absolute_url(),
        "fiche-progress": reverse("actions:record_progress", args=[fiche.pk]),
        "fiche-edit": reverse("actions:edit", args=[fiche.pk]),
        "fiche-new": reverse("actions:create"),
        "fiche-delete": reverse("actions:delete", args=[fiche.pk]),
        "mine": reverse("actions:mine"),
        "dashboard": reverse("reports:dashboard"),
        "campaign": reverse("reports:campaign"),
        "bilans": reverse("reports:bilan_list"),
        "bilan": reverse("reports:bilan_detail", args=[draft.pk]),
        "bilan-preview": reverse("reports:bilan_preview", args=[draft.pk]),
        "bilan-narrative": reverse("reports:bilan_edit", args=[draft.pk]),
        "convention-form": reverse("ctg:convention_edit", args=[convention.pk]),
        "axis-form": reverse("ctg:axis_create", args=[convention.pk]),
        "partners": reverse("partners:list"),
        "partner-form": reverse("partners:create"),
        "conventions": reverse("ctg:convention_list"),
        "territories": reverse("ctg:territory_list"),
        "services": reverse("ctg:service_list"),
        "password-change": reverse("password_change"),
        "indicators": reverse("evaluation:indicator_list"),
        "indicator": reverse("evaluation:indicator_detail", args=[indicator.pk]),
        "indicator-form": reverse("evaluation:indicator_edit", args=[indicator.pk]),
        "indicator-grid": reverse("evaluation:indicator_grid"),
        "diagnostic": reverse("evaluation:diagnostic"),
        "diagnostic-import": reverse("evaluation:diagnostic_import"),
        "surveys": reverse("evaluation:survey_list"),
        "survey": reverse("evaluation:survey_detail", args=[survey.pk]),
        "survey-results": reverse("evaluation:survey_results", args=[survey.pk]),
        "workshops": reverse("evaluation:workshop_list"),
        "workshop-form": reverse("evaluation:workshop_create"),
        "assessments": reverse("evaluation:assessment_list"),
        "assessment-grid": reverse("evaluation:assessment_grid"),
        "assessment-form": reverse("evaluation:assessment_edit", args=[assessment.pk]),
        "partner": reverse("partners:detail", args=[partner.pk]),
        "contact-form": reverse("partners:contact_create", args=[partner.pk]),
        "agreements": reverse("partners:agreement_list"),
        "agreement": reverse("partners:agreement_detail", args=[partner.agreements.first().pk]),
        "agreement-form": reverse("partners:agreement_create"),
        "facilities": reverse("partners:facility_list"),
        "facility": reverse("partners:facility_detail", args=[Facility.objects.first().pk]),
        "funding": reverse("partners:funding_list"),
        "bodies": reverse("governance:body_list"),
        "body": reverse("governance:body_detail", args=[meeting.body_id]),
        "meeting": reverse("governance:meeting_detail", args=[meeting.pk]),
        "meeting-form": reverse("governance:meeting_edit", args=[meeting.pk]),
        "meeting-report": reverse("governance:meeting_report", args=[meeting.pk]),
        "decisions": reverse("governance:decision_list"),
    }
    if others.exists():
        pages["bilan-past"] = reverse("reports:bilan_detail", args=[others.first().pk])
    return pages


def serve_logos_from_storage(page: Page) -> None:
    """The live server's threads share one in-memory SQLite connection: the logos of the bilan's preview,
    requested at once, can find the database locked (an intermittent 500 unrelated to what this test checks).
    The browser gets the same bytes, read from the storage beforehand."""
    logos = {}
    for convention in Convention.objects.all():
        for kind, field_name in LOGO_KINDS.items():
            if field_file := getattr(convention, field_name):
                with field_file.open("rb") as handle:
                    body = handle.read()
                mime = next(mime for signature, mime in IMAGE_SIGNATURES.items() if body.startswith(signature))
                logos[reverse("ctg:convention_logo", args=[convention.pk, kind])] = (body, mime)

    def fulfil(route):
        body, mime = logos[urlsplit(route.request.url).path]
        route.fulfill(body=body, content_type=mime)

    page.route(lambda url: urlsplit(url).path in logos, fulfil)


def check_page(page: Page, url: str, name: str, html_dir: Path, problems: list[str]) -> bool:
    """Visit one page: its served HTML saved for the checker, its width and headings checked. False if the
    role may not see it."""
    response = page.goto(url)
    if response.status in (403, 404):
        return False
    assert response.status == 200, f"{name}: HTTP {response.status}"
    (html_dir / f"{name}.html").write_text(response.text(), encoding="utf-8")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{name} ({url}) is {width} px wide: {page.evaluate(WIDEST, PHONE['width'])}")
    for silent in page.evaluate(SILENT_DESCRIPTIONS):
        problems.append(f"{name} ({url}): aria-describedby names an empty or missing element: {silent}")
    levels = page.evaluate(HEADING_LEVELS)
    previous = 0
    for level, text in levels:
        if level > previous + 1:
            problems.append(f"{name} ({url}): h{level} « {text} » follows h{previous}")
        previous = level
    if not levels or levels[0][0] != 1:
        problems.append(f"{name} ({url}): the first heading is not an h1")
    return True


def test_phone_width_heading_order_and_valid_html(page: Page, page_errors: list[str], tmp_path: Path):
    problems: list[str] = []
    seen: set[str] = set()
    serve_logos_from_storage(page)
    anonymous_pages = {"login": reverse("login"), "password-reset": reverse("password_reset")}
    for name, url in anonymous_pages.items():
        check_page(page, url, name, tmp_path, problems)
        seen.add(name)
    pages = key_pages()
    for role in ROLES:
        log_in(page, role)
        for name, url in pages.items():
            if check_page(page, url, f"{role}-{name}", tmp_path, problems):
                seen.add(name)
        page.get_by_role("button", name="Se déconnecter").click()
    # Pages refused to a role are expected, not journey errors.
    page_errors[:] = [error for error in page_errors if not re.match(r"HTTP 40[34]: GET ", error)]
    assert set(pages) | set(anonymous_pages) == seen, "some pages were seen by no role"

    findings = validate(sorted(tmp_path.glob("*.html")))
    errors = [finding for finding in findings if finding.kind == "error"]
    warnings = sorted({finding.message for finding in findings if finding.kind != "error"})
    print(f"{len(list(tmp_path.glob('*.html')))} pages checked; checker warnings:", *warnings, sep="\n  ")
    problems += [str(error) for error in errors]
    assert not problems, "\n".join(problems)
