"""The entry grid of the indicators in Chromium: a service head fills two values with the keyboard only, with
htmx, then without JavaScript; every state of the page goes through axe-core (WCAG 2.1 AA)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from evaluation.models import Indicator, Measurement
from evaluation.numbers import NOT_A_NUMBER
from evaluation.views.grid import entry_year
from tests.browser.conftest import assert_accessible, demo_action, log_in, screenshot
from tests.browser.html_validator import validate
from tests.evaluation.factories import IndicatorFactory

pytestmark = pytest.mark.browser
# The visible confirmation, then (for screen readers) which value was saved.
SAVED_AT = re.compile(r"^Enregistré à \d+\sh\s\d\d : FA1\.1-Z\d, [\d,]+.%\.$")


def year_of(indicator: Indicator) -> int:
    years = indicator.convention.years
    return min(max(entry_year(), years[0]), years[-1])


@pytest.fixture
def two_indicators(demo) -> tuple[Indicator, Indicator]:
    """Two indicators of FA1.1 (service petite enfance) without a value yet, next to each other in the grid."""
    action = demo_action("FA1.1")
    common = {"action": action, "unit": "%", "decimals": 1, "min_value": Decimal("0"), "max_value": Decimal("100")}
    return (
        IndicatorFactory(code="FA1.1-Z1", name="Familles satisfaites de l'accueil", **common),
        IndicatorFactory(code="FA1.1-Z2", name="Places occupées en moyenne", **common),
    )


def value_of(indicator: Indicator, year: int) -> Measurement | None:
    return Measurement.objects.filter(indicator=indicator, year=year, period="Y").select_related("author").first()


class TestKeyboardEntry:
    def test_two_values_typed_and_saved_with_the_keyboard(self, page: Page, two_indicators):
        first, second = two_indicators
        year = year_of(first)
        log_in(page, "petite-enfance")
        page.goto(f"{reverse('evaluation:indicator_grid')}?annee={year}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Saisie des indicateurs {year}")
        assert_accessible(page, "entry grid")
        first_row, second_row = page.locator(f"#grid-row-{first.pk}"), page.locator(f"#grid-row-{second.pk}")
        expect(first_row.locator(".c-entry-grid__missing")).to_have_text("Valeur manquante")

        # First row: the value, Tab, a comment, Enter. The focus then moves on to the next row's value.
        first_value = page.get_by_label(f"Valeur {year} de FA1.1-Z1 (%)")
        first_value.focus()
        page.keyboard.type("12,5")
        page.keyboard.press("Tab")
        expect(page.get_by_label(f"Commentaire sur la valeur {year} de FA1.1-Z1")).to_be_focused()
        page.keyboard.type("Enquête de juin")
        page.keyboard.press("Enter")
        expect(first_row.locator(".c-entry-grid__saved[role=status]")).to_have_text(SAVED_AT)
        second_value = page.get_by_label(f"Valeur {year} de FA1.1-Z2 (%)")
        expect(second_value).to_be_focused()
        assert_accessible(page, "entry grid after saving the first row")

        # Second row: the value, then Tab until the focus leaves the row, which saves it.
        page.keyboard.type("87")
        page.keyboard.press("Tab")  # the comment
        page.keyboard.press("Tab")  # the row's button
        page.keyboard.press("Tab")  # out of the row
        expect(second_row.locator(".c-entry-grid__saved[role=status]")).to_have_text(SAVED_AT)
        expect(second_value).not_to_be_focused()
        assert page.evaluate("document.activeElement !== document.body"), "the focus was lost"
        assert_accessible(page, "entry grid after saving the second row")

        # A bad value: the French message next to the field, which keeps the focus and what was typed.
        first_value.focus()
        page.keyboard.press("Control+a")
        page.keyboard.type("12,,5")
        page.keyboard.press("Enter")
        expect(first_row.locator(".errorlist")).to_have_text(NOT_A_NUMBER)
        expect(first_value).to_have_attribute("aria-invalid", "true")
        expect(first_value).to_have_accessible_description(NOT_A_NUMBER)
        expect(first_value).to_be_focused()
        expect(first_value).to_have_value("12,,5")
        assert_accessible(page, "entry grid with an error")
        screenshot(page, "indicator-grid")

        # Saved: a reload shows them, entered by the service head.
        page.reload()
        expect(first_value).to_have_value("12,5")
        expect(page.get_by_label(f"Commentaire sur la valeur {year} de FA1.1-Z1")).to_have_value("Enquête de juin")
        expect(second_value).to_have_value("87")
        expect(second_row.locator(".c-entry-grid__recorded")).to_contain_text("par Sophie Garnier")
        assert value_of(first, year).value == Decimal("12.5") and value_of(first, year).comment == "Enquête de juin"
        assert value_of(second, year).value == Decimal("87")
        assert value_of(second, year).author.username == "petite-enfance"
        # Each row was sent once: leaving a row that was just saved, or the swap itself, sends nothing.
        assert Measurement.history.filter(indicator_id__in=[first.pk, second.pk]).count() == 2


class TestWithoutJavaScript:
    def test_enter_posts_the_row_and_comes_back_to_the_grid(self, no_js_page: Page, two_indicators):
        page = no_js_page
        first, _ = two_indicators
        year = year_of(first)
        log_in(page, "petite-enfance")
        page.goto(f"{reverse('evaluation:indicator_grid')}?annee={year}")
        value = page.get_by_label(f"Valeur {year} de FA1.1-Z1 (%)")
        value.fill("1 000")
        value.press("Enter")  # out of bounds (0 to 100): the whole grid again, with the row's error
        expect(page.locator(".c-form-errors")).to_contain_text(
            f"La valeur {year} de FA1.1-Z1 n'a pas été enregistrée."
        )
        expect(page.locator(f"#grid-row-{first.pk} .errorlist")).to_have_text(
            "La valeur doit être inférieure ou égale à 100."
        )
        expect(value).to_have_value("1 000")
        assert_accessible(page, "entry grid without JavaScript, with an error")

        value.fill("64,5")
        value.press("Enter")
        expect(page).to_have_url(re.compile(rf"annee={year}#grid-row-{first.pk}$"))
        expect(page.locator("#messages")).to_contain_text(f"FA1.1-Z1 : valeur {year} enregistrée (64,5 %).")
        expect(value).to_have_value("64,5")
        assert_accessible(page, "entry grid without JavaScript, saved")
        assert value_of(first, year).value == Decimal("64.5")


PHONE = {"width": 390, "height": 844}
WIDEST = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > 391)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)
  .slice(-5)"""
HEADING_LEVELS = "() => Array.from(document.querySelectorAll('h1, h2, h3, h4')).map((h) => Number(h.tagName[1]))"


class TestStandards:
    def test_phone_width_headings_and_valid_html(self, browser, browser_context_args, two_indicators, tmp_path):
        """As test_standards.py does for the other key pages: on a 390 px phone, no horizontal scrolling, headings
        in order, and no error for the W3C checker, for a service head, the coordination and an élu, and for the
        grid shown again with a row's error."""
        first, _ = two_indicators
        url = f"{reverse('evaluation:indicator_grid')}?annee={year_of(first)}"
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "is_mobile": True})
        page = context.new_page()
        problems = []
        for username in ("petite-enfance", "coordination", "elu"):
            log_in(page, username)
            response = page.goto(url)
            assert response.status == 200
            (tmp_path / f"{username}.html").write_text(response.text(), encoding="utf-8")
            if (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE["width"]:
                problems.append(f"{username}: the grid is {width} px wide: {page.evaluate(WIDEST)}")
            levels = page.evaluate(HEADING_LEVELS)
            if levels[0] != 1 or any(after > before + 1 for before, after in zip(levels, levels[1:], strict=False)):
                problems.append(f"{username}: headings out of order {levels}")
            if username == "petite-enfance":
                screenshot(page, "indicator-grid-phone")
                csrf = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")
                save = reverse("evaluation:indicator_grid_save", args=[first.pk, year_of(first)])
                error = page.request.post(
                    save, form={"value": "abc", "previous": ""}, headers={"X-CSRFToken": csrf, "Referer": page.url}
                )
                assert error.status == 200
                (tmp_path / "error.html").write_text(error.text(), encoding="utf-8")
            page.get_by_role("button", name="Se déconnecter").click()
        context.close()
        problems += [str(finding) for finding in validate(sorted(tmp_path.glob("*.html"))) if finding.kind == "error"]
        assert not problems, "\n".join(problems)
