"""A session that expires while a point d'étape is being typed: nothing typed is lost, nothing is saved
behind the user's back, and the login page says why it is there."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from actions.models import ProgressUpdate
from ctg.session_replay import EXPIRED_KEPT, REPLAYED
from tests.browser.conftest import PASSWORD, assert_accessible, demo_action, log_in

pytestmark = pytest.mark.browser

DONE = "Deux places AVIP libérées, saisi juste avant l'expiration de la session."
NEXT_STEPS = "Commission d'attribution de juin."


def expire_sessions() -> None:
    """SESSION_COOKIE_AGE has passed: the browser still sends its cookie, the server no longer knows it."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


class TestSessionExpiresWhileTyping:
    def test_login_explains_then_the_form_comes_back_filled_and_is_saved_on_request(self, page: Page):
        action = demo_action("FA1.6")
        log_in(page, "petite-enfance")
        expect(page).to_have_url(re.compile(r"/actions/mes-actions/$"))

        # A point d'étape typed in the card of "Mes actions" (htmx).
        card = page.locator(f"#action-{action.pk}")
        card.get_by_role("link", name="Point d'étape – FA1.6").click()
        form = card.locator("form")
        form.get_by_label("Statut").select_option(label="En cours")
        form.get_by_label("Avancement (%)").fill("45")
        form.get_by_label("Ce qui a été fait").fill(DONE)
        form.get_by_label("Prochaines étapes").fill(NEXT_STEPS)

        expire_sessions()
        form.get_by_role("button", name="Enregistrer le point d'étape").click()

        # The login page, as a whole page, says why.
        expect(page).to_have_url(re.compile(r"/compte/connexion/\?next="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
        expect(page.locator("#messages")).to_contain_text(EXPIRED_KEPT)
        assert_accessible(page, "login page after the session expired")
        assert not ProgressUpdate.objects.filter(action=action, done=DONE).exists()

        page.locator("#id_username").fill("petite-enfance")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        # The form again, as a page, filled with what was typed; still nothing saved.
        expect(page.get_by_role("heading", level=1)).to_have_text("Point d'étape")
        expect(page.locator("#messages")).to_contain_text(REPLAYED)
        expect(page.get_by_label("Statut")).to_have_value("in_progress")
        expect(page.get_by_label("Avancement (%)")).to_have_value("45")
        expect(page.get_by_label("Ce qui a été fait")).to_have_value(DONE)
        expect(page.get_by_label("Prochaines étapes")).to_have_value(NEXT_STEPS)
        assert_accessible(page, "point d'étape form filled again after the login")
        assert not ProgressUpdate.objects.filter(action=action, done=DONE).exists()

        # Saved when the user says so, then back to "Mes actions", where the card shows it.
        page.get_by_role("button", name="Enregistrer le point d'étape").click()
        expect(page).to_have_url(re.compile(r"/actions/mes-actions/$"))
        expect(page.locator("#messages")).to_contain_text("Point d'étape enregistré.")
        expect(page.locator(f"#action-{action.pk} .c-progress__value")).to_have_text("Avancement : 45 %")
        update = ProgressUpdate.objects.get(action=action, done=DONE)
        assert (update.progress, update.next_steps, update.author.username) == (45, NEXT_STEPS, "petite-enfance")
