"""Browser journeys: the demo CTG served by `live_server`, driven by Playwright in the system Chromium.

Every page a journey visits, and every form an htmx swap opens, goes through `assert_accessible`
(axe-core, WCAG 2.1 A and AA).
"""

from io import StringIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from actions.models import Action
from ctg.models import Convention

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "demo"  # seed_demo's password for every demo account
# Quiet moments: no htmx request in flight and no swap still settling.
# (A locator, not `wait_for_function`: the Content-Security-Policy forbids the eval that one needs.)
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"

_axe = Axe()
# Pages without JavaScript cannot run axe (its promise never settles): their HTML is checked in a
# JavaScript-enabled twin page, served the same markup at the same URL so the stylesheet applies.
_js_twins: dict = {}


def assert_accessible(page: Page, where: str = "") -> None:
    """Zero axe-core violations (WCAG 2.1 A and AA) on the page as it is now."""
    twin = _js_twins.get(page.context)
    if twin is not None:
        html, url = page.content(), page.url
        twin.route(lambda u: u == url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
        twin.goto(url)
        twin.unroute_all()
        page = twin
    elif page.evaluate("typeof htmx !== 'undefined'"):
        expect(page.locator(HTMX_BUSY)).to_have_count(0)
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{where or page.url}\n{results.generate_report()}"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"journey-{name}.png", full_page=True)


def set_reload_marker(page: Page) -> None:
    """A flag on `window` that a full page load would wipe out."""
    page.evaluate("window.__ctgMarker = 1")


def assert_no_reload(page: Page) -> None:
    assert page.evaluate("window.__ctgMarker") == 1, "the page was reloaded instead of swapped by htmx"


def log_in(page: Page, username: str, *, check_accessibility: bool = False) -> None:
    page.goto("/compte/connexion/")
    if check_accessibility:
        assert_accessible(page, "login page")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def demo_action(code: str) -> Action:
    return Action.objects.get(code=code, objective__axis__convention=Convention.objects.current())


@pytest.fixture
def demo(transactional_db):
    """The real demo CTG (Joinville-le-Pont), reloaded for each test since `live_server` flushes the database."""
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "fr-FR",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def page_errors():
    """JavaScript errors and failed requests seen by the browser; a journey must end with none."""
    return []


def _watch(page: Page, errors: list[str]) -> Page:
    page.set_default_timeout(5_000)
    page.on("pageerror", lambda error: errors.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: _console_error(message, errors))
    page.on("response", lambda response: _failed_response(response, errors))
    return page


def _console_error(message, errors: list[str]) -> None:
    # Failed loads are reported, with their URL, by _failed_response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(f"console: {message.text}")


def _failed_response(response, errors: list[str]) -> None:
    if response.status >= 400:
        errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page(page, demo, page_errors):
    yield _watch(page, page_errors)
    assert page_errors == []


@pytest.fixture
def no_js_page(browser, browser_context_args, demo, page_errors):
    """A browser with JavaScript turned off: htmx never loads, every link and form is a plain page load."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    twin_context = browser.new_context(**browser_context_args)
    _js_twins[context] = twin_context.new_page()
    yield _watch(context.new_page(), page_errors)
    del _js_twins[context]
    twin_context.close()
    context.close()
    assert page_errors == []
