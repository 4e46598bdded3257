"""French error pages (400, 403, 404, 405, 500) in the test settings (DEBUG off, as in production) and with
DEBUG on (the demo), for a visitor signed in or not."""

import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path, reverse

from ctg import urls as project_urls
from ctg.views import errors

# This module is also the URL conf of the tests marked with `use_test_urls`: the project's URLs, Django's
# error handlers as the project sets them, and two views that fail.


@login_not_required
def failing_view(request):
    raise RuntimeError("Panne simulée")


@login_not_required
def suspicious_view(request):
    raise SuspiciousOperation("Requête trafiquée")


urlpatterns = [
    path("test-erreur/panne/", failing_view, name="test_failing"),
    path("test-erreur/suspecte/", suspicious_view, name="test_suspicious"),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler500 = project_urls.handler500
use_test_urls = pytest.mark.urls(__name__)

TITLES = {
    "400": "Requête incorrecte",
    "403": "Accès refusé",
    "403_csrf": "Formulaire expiré",
    "404": "Page introuvable",
    "405": "Action impossible depuis cette adresse",
    "500": "Une erreur est survenue",
}


def assert_french_page(response, status: int, page: str = "") -> str:
    page = page or str(status)
    assert response.status_code == status
    assert f"{page}.html" in [template.name for template in response.templates]
    assert "base.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f"<h1>{TITLES[page]}</h1>" in html
    assert '<a href="/">Retour à l\'accueil</a>' in html
    return html


# --- DEBUG off (production, tests) --------------------------------------------------------------------------


class TestErrorPages:
    def test_400_for_an_unknown_host(self, client, db, caplog):
        with caplog.at_level(logging.ERROR, logger="django.security"):
            assert_french_page(client.get("/", HTTP_HOST="attaquant.example"), 400)
        assert [record.name for record in caplog.records] == ["django.security.DisallowedHost"]

    @use_test_urls
    def test_400_for_a_suspicious_request(self, client, db):
        assert_french_page(client.get("/test-erreur/suspecte/"), 400)

    def test_403_for_a_refused_page(self, client, elected):
        client.force_login(elected)
        assert_french_page(client.get(reverse("ctg:territory_create")), 403)

    def test_403_for_a_form_whose_token_was_refused(self, db):
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "coordination", "password": "demo"})
        assert_french_page(response, 403, "403_csrf")

    def test_404_for_an_unknown_address_without_an_account(self, client, db):
        html = assert_french_page(client.get("/nexiste-pas/"), 404)
        assert "Se déconnecter" not in html

    def test_404_for_an_unknown_address_keeps_the_navigation(self, client, coordination):
        client.force_login(coordination)
        html = assert_french_page(client.get("/nexiste-pas/"), 404)
        assert "Se déconnecter" in html

    def test_404_for_a_missing_object(self, client, coordination):
        client.force_login(coordination)
        assert_french_page(client.get(reverse("actions:detail", args=[999999])), 404)

    def test_405_for_a_get_on_a_post_only_address(self, client, coordination, own_action):
        client.force_login(coordination)
        response = client.get(reverse("actions:archive", args=[own_action.pk]))
        assert_french_page(response, 405)
        assert response["Allow"] == "POST"

    def test_405_to_htmx_is_a_short_text(self, client, coordination, own_action):
        client.force_login(coordination)
        response = client.get(reverse("actions:archive", args=[own_action.pk]), headers={"HX-Request": "true"})
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == errors.METHOD_NOT_ALLOWED_TEXT

    @use_test_urls
    def test_500_for_a_failing_view(self, client, db):
        client.raise_request_exception = False
        assert_french_page(client.get("/test-erreur/panne/"), 500)

    @use_test_urls
    def test_500_for_a_signed_in_user(self, client, coordination):
        client.force_login(coordination)
        client.raise_request_exception = False
        html = assert_french_page(client.get("/test-erreur/panne/"), 500)
        assert "Se déconnecter" not in html, "the 500 page does not read the user (nor the database)"


class TestPagesWithoutTheDatabase:
    """No `db` fixture here: any query would fail the test. The database may be what is down."""

    def test_the_500_page_needs_no_database(self, rf):
        response = errors.server_error(rf.get("/"))
        assert response.status_code == 500
        assert "<h1>Une erreur est survenue</h1>" in response.content.decode()

    def test_the_400_page_needs_neither_database_nor_a_valid_request(self, rf):
        response = errors.bad_request(rf.get("/", HTTP_HOST="attaquant.example"), SuspiciousOperation())
        assert response.status_code == 400
        assert "<h1>Requête incorrecte</h1>" in response.content.decode()


# --- DEBUG on (make demo) ---------------------------------------------------------------------------------


class TestErrorPagesWithDebug:
    @pytest.fixture(autouse=True)
    def debug(self, settings):
        settings.DEBUG = True

    def test_404_for_an_unknown_address(self, client, coordination):
        client.force_login(coordination)
        html = assert_french_page(client.get("/nexiste-pas/"), 404)
        assert "URLconf" not in html

    def test_404_for_an_unknown_address_without_an_account(self, client, db):
        assert_french_page(client.get("/nexiste-pas/"), 404)

    def test_404_for_a_missing_object(self, client, coordination):
        client.force_login(coordination)
        assert_french_page(client.get(reverse("actions:detail", args=[999999])), 404)

    def test_a_missing_slash_still_redirects(self, client, coordination):
        client.force_login(coordination)
        response = client.get("/actions")
        assert response.status_code == 301
        assert response.url == "/actions/"

    def test_405_for_a_get_on_a_post_only_address(self, client, coordination, own_action):
        client.force_login(coordination)
        response = client.get(reverse("actions:archive", args=[own_action.pk]))
        assert_french_page(response, 405)
        assert response["Allow"] == "POST"

    @use_test_urls
    def test_400_for_a_suspicious_request(self, client, db):
        assert_french_page(client.get("/test-erreur/suspecte/"), 400)

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_400_for_an_unknown_host(self, client, db, method, caplog):
        """Not Django's technical page: ours, and the refusal logged as Django logs it."""
        with caplog.at_level(logging.ERROR, logger="django.security"):
            response = getattr(client, method)("/", HTTP_HOST="attaquant.example")
        html = assert_french_page(response, 400)
        assert "DisallowedHost" not in html
        [record] = [record for record in caplog.records if record.name == "django.security.DisallowedHost"]
        assert "attaquant.example" in record.getMessage()

    def test_400_for_an_unknown_host_signed_in(self, client, coordination):
        client.force_login(coordination)
        assert_french_page(client.get(reverse("actions:list"), HTTP_HOST="attaquant.example"), 400)

    @use_test_urls
    def test_500_shows_our_page_and_logs_the_traceback(self, client, db, caplog):
        client.raise_request_exception = False
        with caplog.at_level(logging.ERROR, logger="django.request"):
            assert_french_page(client.get("/test-erreur/panne/"), 500)
        [record] = [record for record in caplog.records if record.name == "django.request"]
        assert record.getMessage() == "Internal Server Error: /test-erreur/panne/"
        assert record.exc_info[0] is RuntimeError
