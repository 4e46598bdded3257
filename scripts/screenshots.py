"""Take screenshots of the main pages of a running demo (make demo) into ./screenshots/.

Usage: .venv/bin/python scripts/screenshots.py [base_url]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser import chromium  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path("screenshots")

PAGES = {
    "coordination": [
        "/ctg/",
        "/actions/",
        "/actions/?late=on",
        "/partenaires/",
        "/ctg/services/",
        "/actions/nouvelle/",
    ],
    "petite-enfance": ["/actions/mes-actions/", "/tableau-de-bord/"],
    "direction": ["/tableau-de-bord/", "/bilans/", "/bilans/campagne/"],
    "coordination ": ["/bilans/1/", "/bilans/2/", "/bilans/2/redaction/", "/bilans/2/apercu/"],
}


def login(page, username):
    page.goto(f"{BASE}/compte/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium.EXECUTABLE, args=chromium.ARGS)
        for width, suffix in [(1366, ""), (390, "-mobile")]:
            for username, paths in PAGES.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                login(page, username.strip())
                for path in paths:
                    page.goto(BASE + path)
                    name = username.strip() + path.replace("/", "_").replace("?", "_").replace("=", "-")
                    page.screenshot(path=OUT / f"{name}{suffix}.png", full_page=True)
                page.close()
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        login(page, "petite-enfance")
        page.goto(f"{BASE}/actions/")
        page.get_by_role("link", name="FA1.1 Ouvrir").click()
        page.screenshot(path=OUT / "detail.png", full_page=True)
        page.get_by_role("link", name="Nouveau point d'étape").click()
        page.wait_for_selector("#status form")
        page.screenshot(path=OUT / "detail-progress-form.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
