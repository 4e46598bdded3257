"""How we start Debian's Chromium: Playwright cannot download its own browser on our machines, and
without these flags Chromium keeps calling out to a closed network."""

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
