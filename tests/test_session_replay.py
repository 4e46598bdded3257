"""An expired session: the login page says why, and what was typed comes back in the form, unsaved."""

import gzip
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from actions.models import Milestone, ProgressUpdate
from ctg.session_replay import (
    EXPIRED,
    EXPIRED_KEPT,
    EXPIRED_TOO_LONG,
    MAX_STASH_CHARS,
    NOT_REPLAYED,
    REPLAYED,
    SESSION_KEY,
)

TYPED = "Trois ateliers parents-enfants, tapés juste avant l'expiration."


def progress_url(action) -> str:
    return reverse("actions:record_progress", args=[action.pk])


def typed(**overrides) -> dict:
    return {
        "status": "in_progress",
        "progress": "60",
        "done": TYPED,
        "difficulties": "",
        "next_steps": "",
        **overrides,
    }


def expire_sessions() -> None:
    """What happens when SESSION_COOKIE_AGE has passed: the browser still sends the cookie, the row is stale."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def log_in_again(client, user, next_url: str):
    return client.post(reverse("login"), {"username": user.username, "password": "demo", "next": next_url})


@pytest.fixture
def expired_client(client, service_head):
    """A service head whose session has just expired."""
    client.force_login(service_head)
    expire_sessions()
    return client


class TestAnonymousPost:
    def test_redirects_to_login_with_the_form_url_and_keeps_what_was_typed(self, expired_client, own_action):
        url = progress_url(own_action)
        response = expired_client.post(url, typed())
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?")
        assert next_of(response.url) == url
        assert flashed(response) == [EXPIRED_KEPT]
        stash = expired_client.session[SESSION_KEY]
        assert stash["path"] == url
        assert dict(stash["fields"])["done"] == [TYPED]
        assert "csrfmiddlewaretoken" not in dict(stash["fields"])
        assert not ProgressUpdate.objects.exists()

    def test_the_login_page_says_why(self, expired_client, own_action):
        response = expired_client.post(progress_url(own_action), typed(), follow=True)
        assert response.templates[0].name == "registration/login.html"
        assert EXPIRED_KEPT.replace("'", "&#x27;") in response.content.decode()

    def test_passwords_and_tokens_are_not_kept(self, expired_client, own_action):
        expired_client.post(progress_url(own_action), typed(csrfmiddlewaretoken="x", old_password="secret"))
        names = {name for name, values in expired_client.session[SESSION_KEY]["fields"]}
        assert names == {"status", "progress", "done", "difficulties", "next_steps"}

    def test_too_long_is_not_kept_and_said(self, expired_client, own_action):
        response = expired_client.post(progress_url(own_action), typed(done="x" * (MAX_STASH_CHARS + 1)))
        assert SESSION_KEY not in expired_client.session
        assert flashed(response) == [EXPIRED_TOO_LONG]

    def test_nothing_typed_goes_back_to_the_page(self, expired_client, own_action):
        """A button alone (archive, log out): nothing to keep; the login leads back to the page it was on."""
        page = own_action.get_absolute_url()
        response = expired_client.post(
            reverse("actions:archive", args=[own_action.pk]), {}, headers={"Referer": f"http://testserver{page}"}
        )
        assert next_of(response.url) == page
        assert flashed(response) == [EXPIRED]
        assert SESSION_KEY not in expired_client.session

    def test_htmx_post_gets_hx_redirect_back_to_the_form_then_to_the_page(self, expired_client, own_action):
        """From a card of "Mes actions": the form comes back as a page, which returns to "Mes actions" once saved."""
        mine = reverse("actions:mine")
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{mine}"}
        response = expired_client.post(progress_url(own_action), {**typed(), "origin": "card"}, headers=headers)
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login") + "?")
        assert next_of(response["HX-Redirect"]) == f"{progress_url(own_action)}?next={mine.replace('/', '%2F')}"
        assert expired_client.session[SESSION_KEY]["page"] == mine

    @pytest.mark.parametrize("referer", ["https://evil.example/", "http://testserver//evil.example/", "javascript:x"])
    def test_foreign_referer_is_ignored(self, expired_client, own_action, referer):
        url = reverse("actions:archive", args=[own_action.pk])
        response = expired_client.post(url, {}, headers={"Referer": referer})
        assert next_of(response.url) == url


class TestAnonymousGet:
    def test_expired_session_is_explained(self, expired_client):
        response = expired_client.get(reverse("actions:list"))
        assert next_of(response.url) == reverse("actions:list")
        assert flashed(response) == [EXPIRED]

    def test_first_visit_is_not_called_an_expiry(self, client, db):
        response = client.get(reverse("actions:list"))
        assert response.status_code == 302
        assert flashed(response) == []

    def test_after_logging_out_it_is_not_called_an_expiry(self, client, service_head):
        client.force_login(service_head)
        client.post(reverse("logout"))
        response = client.get(reverse("actions:list"))
        assert response.status_code == 302
        assert flashed(response) == []

    def test_htmx_fragment_comes_back_to_the_page_around_it(self, expired_client, own_action):
        headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/actions/?status=late"}
        response = expired_client.get(reverse("actions:list") + "?status=late&page=2", headers=headers)
        assert next_of(response["HX-Redirect"]) == "/actions/?status=late"


class TestAfterLogin:
    def test_the_form_comes_back_filled_and_nothing_is_saved(self, expired_client, service_head, own_action):
        url = progress_url(own_action)
        expired_client.post(url, typed(status="in_progress", progress="65"))
        response = log_in_again(expired_client, service_head, url)
        assert response.url == url
        response = expired_client.get(url)
        html = response.content.decode()
        assert response.templates[0].name == "actions/progress_form.html"
        assert response.context["form"].is_bound
        assert response.context["form"]["done"].value() == TYPED
        assert 'value="65"' in html
        assert REPLAYED.replace("'", "&#x27;") in html
        assert not ProgressUpdate.objects.exists()

    def test_the_stash_is_used_once(self, expired_client, service_head, own_action):
        url = progress_url(own_action)
        expired_client.post(url, typed())
        log_in_again(expired_client, service_head, url)
        expired_client.get(url)
        response = expired_client.get(url)
        assert not response.context["form"].is_bound
        assert TYPED not in response.content.decode()
        assert SESSION_KEY not in expired_client.session

    def test_saving_the_replayed_form_records_it_and_returns_to_the_page(
        self, expired_client, service_head, own_action
    ):
        mine = reverse("actions:mine")
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{mine}"}
        response = expired_client.post(progress_url(own_action), {**typed(), "origin": "card"}, headers=headers)
        form_url = next_of(response["HX-Redirect"])
        response = log_in_again(expired_client, service_head, form_url)
        assert response.url == form_url
        html = expired_client.get(form_url).content.decode()
        assert f'<input type="hidden" name="next" value="{mine}">' in html
        response = expired_client.post(form_url, {**typed(), "next": mine})
        assert response.url == mine
        assert ProgressUpdate.objects.get().done == TYPED

    def test_other_paths_are_unaffected_and_drop_the_stash(self, expired_client, service_head, own_action):
        url = progress_url(own_action)
        expired_client.post(url, typed())
        log_in_again(expired_client, service_head, reverse("actions:list"))
        assert expired_client.get(reverse("actions:list")).status_code == 200
        assert SESSION_KEY not in expired_client.session
        response = expired_client.get(url)
        assert not response.context["form"].is_bound

    def test_a_post_only_url_goes_back_to_the_page_and_says_nothing_was_saved(
        self, expired_client, service_head, own_action
    ):
        """A POST-only view not marked `replayed_on` (archiving): its URL cannot show a form again."""
        page = own_action.get_absolute_url()
        archive = reverse("actions:archive", args=[own_action.pk])
        response = expired_client.post(archive, {"archived": "1"}, headers={"Referer": f"http://testserver{page}"})
        assert next_of(response.url) == archive
        expired_client.get(response.url)  # the login page, which shows the first message
        log_in_again(expired_client, service_head, archive)
        response = expired_client.get(archive)
        assert response.status_code == 302
        assert response.url == page
        assert flashed(response) == [NOT_REPLAYED]
        own_action.refresh_from_db()
        assert own_action.archived_at is None


JALON = "Réunion de lancement avec les crèches"


def jalon(**overrides) -> dict:
    return {"new-milestone-title": JALON, "new-milestone-due_on": "2030-01-10", **overrides}


class TestInlineAddFormsOfTheFiche:
    """The fiche's small "add" forms post to POST-only URLs: what they were sending comes back in the form, on
    the fiche, after the new login."""

    def test_the_login_leads_back_to_the_fiche(self, expired_client, own_action):
        page = own_action.get_absolute_url()
        add = reverse("actions:milestone_add", args=[own_action.pk])
        response = expired_client.post(add, jalon(), headers={"Referer": f"http://testserver{page}"})
        assert next_of(response.url) == page
        assert flashed(response) == [EXPIRED_KEPT]
        assert expired_client.session[SESSION_KEY]["path"] == page

    def test_the_jalon_comes_back_in_its_form_unsaved(self, expired_client, service_head, own_action):
        page = own_action.get_absolute_url()
        add = reverse("actions:milestone_add", args=[own_action.pk])
        expired_client.post(add, jalon(), headers={"Referer": f"http://testserver{page}"})
        log_in_again(expired_client, service_head, page)
        response = expired_client.get(page)
        html = response.content.decode()
        form = response.context["milestone_form"]
        assert form.is_bound
        assert form["title"].value() == JALON
        assert f'value="{JALON}"' in html
        assert 'value="2030-01-10"' in html
        assert REPLAYED.replace("'", "&#x27;") in html
        assert not Milestone.objects.exists()
        response = expired_client.get(page)  # used once
        assert not response.context["milestone_form"].is_bound
        assert JALON not in response.content.decode()

    def test_htmx_from_the_fiche(self, expired_client, service_head, own_action):
        page = own_action.get_absolute_url()
        add = reverse("actions:milestone_add", args=[own_action.pk])
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
        response = expired_client.post(add, jalon(), headers=headers)
        assert next_of(response["HX-Redirect"]) == page
        log_in_again(expired_client, service_head, page)
        assert expired_client.get(page).context["milestone_form"]["title"].value() == JALON

    @pytest.mark.parametrize(
        ("name", "context_name", "data", "typed_field", "typed"),
        [
            (
                "actions:budget_add",
                "budget_form",
                {"new-budget-year": "2026", "new-budget-funder": "commune", "new-budget-planned": "1234.50"},
                "planned",
                "1234.50",
            ),
            ("actions:partner_add", "partner_form", {"new-partner-role": "operator"}, "role", "operator"),
        ],
    )
    def test_budget_line_and_partner(
        self, client, coordination, own_action, name, context_name, data, typed_field, typed
    ):
        """Only the form the data was typed in is bound: the others stay empty, without errors."""
        client.force_login(coordination)
        expire_sessions()
        page = own_action.get_absolute_url()
        client.post(reverse(name, args=[own_action.pk]), data, headers={"Referer": f"http://testserver{page}"})
        log_in_again(client, coordination, page)
        response = client.get(page)
        context = response.context
        assert context[context_name].is_bound
        assert context[context_name][typed_field].value() == typed
        others = {"milestone_form", "budget_form", "partner_form"} - {context_name}
        assert not any(context[other].is_bound for other in others)
        assert REPLAYED.replace("'", "&#x27;") in response.content.decode()

    def test_an_invalid_entry_shows_its_errors_as_the_form_would(self, expired_client, service_head, own_action):
        page = own_action.get_absolute_url()
        add = reverse("actions:milestone_add", args=[own_action.pk])
        expired_client.post(
            add, jalon(**{"new-milestone-due_on": ""}), headers={"Referer": f"http://testserver{page}"}
        )
        log_in_again(expired_client, service_head, page)
        form = expired_client.get(page).context["milestone_form"]
        assert form["title"].value() == JALON
        assert "due_on" in form.errors

    @pytest.mark.parametrize("page_of", ["list", "other_action"])
    def test_sent_from_another_page_it_is_not_replayed_there(
        self, expired_client, service_head, own_action, other_action, page_of
    ):
        """The stash is kept for the fiche of that very action only; otherwise the form's URL is told it was
        not saved, as before."""
        page = reverse("actions:list") if page_of == "list" else other_action.get_absolute_url()
        add = reverse("actions:milestone_add", args=[own_action.pk])
        response = expired_client.post(add, jalon(), headers={"Referer": f"http://testserver{page}"})
        assert next_of(response.url) == add
        expired_client.get(response.url)  # the login page, which shows the first message
        log_in_again(expired_client, service_head, add)
        response = expired_client.get(add)
        assert response.url == page
        assert flashed(response) == [NOT_REPLAYED]
        assert not Milestone.objects.exists()


class TestCompression:
    def test_html_is_gzipped_when_the_browser_accepts_it(self, client_for):
        response = client_for("coordination").get(reverse("ctg:convention_list"), headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert b"<html" in gzip.decompress(response.content)

    def test_not_gzipped_otherwise(self, client_for):
        response = client_for("coordination").get(reverse("ctg:convention_list"))
        assert not response.has_header("Content-Encoding")
