"""Security: login throttling (django-axes), the Content-Security-Policy and Permissions-Policy headers, and
templates ready for the strict CSP. The deployment settings are in test_env_and_locks.py."""

import json
import re
from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ctg.security import LOCKOUT_MESSAGE, client_ip

BASE_DIR = Path(settings.BASE_DIR)
WRONG = "pas-le-bon-mot-de-passe"
RIGHT = "demo"  # the factories' password

# django-csp writes the directives in no fixed order: the tests compare them as a mapping.
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
EXPECTED_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()"
)


def directives(header: str) -> dict[str, list[str]]:
    parsed = [part.split() for part in header.split(";")]
    assert len({name for name, *_ in parsed}) == len(parsed), "a directive appears twice"
    return {name: sources for name, *sources in parsed}


def log_in(client, username: str, password: str, url_name: str = "login"):
    return client.post(reverse(url_name), {"username": username, "password": password})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lockout_text(minutes: int = 15) -> str:
    return escape(LOCKOUT_MESSAGE.format(minutes=minutes))


def fail_until_locked(client, username: str, url_name: str = "login"):
    """Four refusals with the form's own error, then the fifth failure locks the account."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, username, WRONG, url_name)
        assert response.status_code == 200
        assert lockout_text() not in response.content.decode()
    return log_in(client, username, WRONG, url_name)


# --- Login throttling ------------------------------------------------------------------------------------


class TestLoginThrottling:
    @pytest.mark.parametrize("url_name", ["login", "admin:login"])
    def test_five_failures_lock_the_account_even_against_the_right_password(self, client, tech_admin, url_name):
        response = fail_until_locked(client, tech_admin.username, url_name)
        assert response.status_code == 429
        assert lockout_text() in response.content.decode()
        assert response["Retry-After"] == "900"

        response = log_in(client, tech_admin.username, RIGHT, url_name)
        assert response.status_code == 429
        assert lockout_text() in response.content.decode()
        assert "registration/login.html" in [template.name for template in response.templates]
        assert not is_signed_in(client)

    def test_the_lockout_page_is_the_french_login_page(self, client, coordination):
        fail_until_locked(client, coordination.username)
        response = client.post(reverse("login"), {"username": "coordination", "password": RIGHT, "next": "/actions/"})
        html = response.content.decode()
        assert '<html lang="fr">' in html
        assert 'role="alert"' in html
        assert '<input type="hidden" name="next" value="/actions/">' in html
        assert "Account locked" not in html

    def test_another_account_is_not_affected(self, client, coordination, direction):
        fail_until_locked(client, coordination.username)
        response = log_in(client, direction.username, RIGHT)
        assert response.status_code == 302
        assert is_signed_in(client)

    def test_a_successful_login_resets_the_count(self, client, coordination):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(client, coordination.username, WRONG)
        assert log_in(client, coordination.username, RIGHT).status_code == 302
        client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(client, coordination.username, WRONG).status_code == 200
        assert log_in(client, coordination.username, RIGHT).status_code == 302

    def test_the_lock_lifts_after_the_cool_off(self, client, coordination):
        fail_until_locked(client, coordination.username)
        # 16 minutes later: the failures are older than the 15-minute cool-off.
        AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
        assert log_in(client, coordination.username, RIGHT).status_code == 302

    def test_trying_again_during_the_lockout_does_not_extend_it(self, client, coordination):
        fail_until_locked(client, coordination.username)
        AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14))
        assert log_in(client, coordination.username, WRONG).status_code == 429
        AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=2))
        assert log_in(client, coordination.username, RIGHT).status_code == 302

    def test_an_administrator_can_lift_the_lock(self, client, coordination):
        fail_until_locked(client, coordination.username)
        assert reset(username=coordination.username) == 1
        assert log_in(client, coordination.username, RIGHT).status_code == 302

    @override_settings(AXES_COOLOFF_TIME=timedelta(minutes=30))
    def test_the_message_gives_the_configured_cool_off(self, client, coordination):
        response = fail_until_locked(client, coordination.username)
        assert lockout_text(30) in response.content.decode()
        assert response["Retry-After"] == "1800"

    @override_settings(REVERSE_PROXY_COUNT=1)
    def test_behind_a_proxy_the_attempt_records_the_visitor_address(self, client, coordination):
        client.post(
            reverse("login"),
            {"username": coordination.username, "password": WRONG},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.6.6.6, 203.0.113.7",
        )
        assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


class TestClientIp:
    @pytest.mark.parametrize(
        ("proxies", "forwarded", "expected"),
        [
            (0, "203.0.113.7", "192.0.2.1"),  # no proxy configured: the header is the visitor's own words
            (1, "203.0.113.7", "203.0.113.7"),
            (1, "10.6.6.6, 203.0.113.7", "203.0.113.7"),  # what the visitor wrote on the left is ignored
            (2, "10.6.6.6, 203.0.113.7, 198.51.100.2", "203.0.113.7"),
            (2, "203.0.113.7", "192.0.2.1"),  # fewer addresses than proxies: not to be trusted
            (1, "", "192.0.2.1"),
        ],
    )
    def test_x_forwarded_for_is_read_only_behind_configured_proxies(self, rf, settings, proxies, forwarded, expected):
        settings.REVERSE_PROXY_COUNT = proxies
        request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected


# --- Headers ----------------------------------------------------------------------------------------------


class TestHeaders:
    @pytest.mark.parametrize(
        ("role", "url_name"),
        [
            ("anonymous", "login"),
            ("coordination", "actions:list"),
            ("coordination", "ctg:current"),
            ("tech_admin", "admin:index"),
            ("tech_admin", "admin:actions_action_changelist"),
        ],
    )
    def test_csp_and_permissions_policy_on_every_kind_of_page(self, client, db, user_for, role, url_name):
        if role != "anonymous":
            client.force_login(user_for(role))
        response = client.get(reverse(url_name))
        assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP
        assert response["Permissions-Policy"] == EXPECTED_PERMISSIONS_POLICY

    def test_no_unsafe_source_anywhere_in_the_policy(self):
        sources = [source for values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].values() for source in values]
        assert not [source for source in sources if "unsafe" in source]

    def test_error_pages_carry_the_headers_too(self, client, coordination):
        client.force_login(coordination)
        response = client.get("/nexiste-pas/")
        assert response.status_code == 404
        assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP

    def test_htmx_is_told_not_to_write_styles(self, client, db):
        """Otherwise htmx adds a <style> element and copies `style` attributes while settling a swap, which
        `style-src 'self'` refuses."""
        html = client.get(reverse("login")).content.decode()
        meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
        config = json.loads(meta.group(1))
        assert config["includeIndicatorStyles"] is False
        assert "style" not in config["attributesToSettle"]

    @pytest.mark.parametrize(
        "url_name", ["admin:index", "admin:actions_action_changelist", "admin:actions_action_add"]
    )
    def test_the_admin_needs_no_inline_script_or_style(self, client, tech_admin, url_name):
        client.force_login(tech_admin)
        html = client.get(reverse(url_name)).content.decode()
        assert inline_code(html) == []


# --- Templates written for the strict CSP -----------------------------------------------------------------

INLINE_PATTERNS = {
    "style attribute": re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "event handler attribute": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S),
    "hx-on": re.compile(r"\b(?:data-)?hx-on"),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "script without src": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "inline script content": re.compile(r"<script[^>]*>\s*[^<\s]", re.I),
}


def inline_code(html: str) -> list[str]:
    return [name for name, pattern in INLINE_PATTERNS.items() if pattern.search(html)]


def template_files() -> list[Path]:
    return sorted(path for path in (BASE_DIR / "templates").rglob("*.html"))


class TestTemplatesAreReadyForTheCsp:
    @pytest.mark.parametrize("path", template_files(), ids=lambda path: path.relative_to(BASE_DIR).as_posix())
    def test_no_inline_script_style_or_handler(self, path):
        assert inline_code(path.read_text()) == []

    @pytest.mark.parametrize(
        "html",
        [
            '<div style="width: 5%">',
            "<style>p{}</style>",
            '<button onclick="go()">',
            '<a data-hx-on:click="x">',
            '<a href="javascript:go()">',
            "<script>go()</script>",
            '<script src="/a.js">go()</script>',
        ],
    )
    def test_the_check_finds_what_it_looks_for(self, html):
        assert inline_code(html) != []

    def test_the_check_lets_external_scripts_through(self):
        assert inline_code('<script src="/static/js/app.js" defer></script><p class="c-note">Bonjour</p>') == []
