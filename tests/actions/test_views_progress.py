"""Points d'étape (actions:record_progress): plain page, list card and detail panel with htmx."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from actions.enums import ALLOWED_TRANSITIONS, ActionStatus
from actions.models import DONE_NEEDS_FULL_PROGRESS, TRANSITION_NOT_ALLOWED, ProgressUpdate
from actions.views.progress import RECORDED
from tests.actions.factories import ActionFactory, ProgressUpdateFactory

HTMX = {"HX-Request": "true"}


def url(action, **params) -> str:
    base = reverse("actions:record_progress", args=[action.pk])
    return base + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def data(**overrides) -> dict:
    return {
        "status": "in_progress",
        "progress": 60,
        "done": "Trois ateliers parents-enfants.",
        "difficulties": "",
        "next_steps": "",
        **overrides,
    }


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def field_group(html: str, name: str) -> str:
    match = re.search(rf'<div class="c-field[^"]*">(?:(?!<div class="c-field).)*?id="id_{name}".*?</div>', html, re.S)
    assert match, f"no field group for {name!r}"
    return match.group()


@pytest.fixture
def coordination_client(client_for):
    return client_for("coordination")


class TestPlainPage:
    def test_get_shows_the_full_page_with_the_current_values(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action))
        assert response.status_code == 200
        html = text(response)
        assert "<html" in html
        assert "<title>Point d'étape – FA1.1 – Pilote CTG</title>" in html
        assert "actuellement en cours, 40 %" in html
        assert '<option value="in_progress" selected>' in field_group(html, "status")
        assert 'value="40"' in field_group(html, "progress")
        assert 'name="next"' not in html

    def test_get_never_writes(self, coordination_client, own_action):
        coordination_client.get(url(own_action, status="done", progress=100))
        assert not ProgressUpdate.objects.exists()
        own_action.refresh_from_db()
        assert own_action.status == "in_progress"

    def test_post_records_and_redirects_to_the_detail(self, client_for, service_head, own_action):
        response = client_for("service_head").post(
            url(own_action), data(status="suspended", progress=45, difficulties="Local indisponible.")
        )
        assertRedirects(response, own_action.get_absolute_url(), fetch_redirect_response=False)
        own_action.refresh_from_db()
        assert (own_action.status, own_action.progress) == ("suspended", 45)
        update = ProgressUpdate.objects.get()
        assert update.action == own_action
        assert update.author == service_head
        assert (update.status, update.progress) == ("suspended", 45)
        assert update.done == "Trois ateliers parents-enfants."
        assert update.difficulties == "Local indisponible."
        assert (timezone.now() - update.recorded_at).total_seconds() < 60
        assert own_action.history.first().history_user == service_head
        assert [str(m) for m in get_messages(response.wsgi_request)] == [RECORDED]

    @pytest.mark.parametrize(
        "next_url", ["/actions/?status=in_progress", "/actions/mes-actions/", "http://testserver/actions/"]
    )
    def test_post_redirects_to_a_safe_next(self, coordination_client, own_action, next_url):
        response = coordination_client.post(url(own_action), {**data(), "next": next_url})
        assertRedirects(response, next_url, fetch_redirect_response=False)
        assert ProgressUpdate.objects.count() == 1

    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example/",
            "//evil.example/actions/",
            "http://evil.example/actions/",
            "https:///evil.example",
            "javascript:alert(1)",
            "\\\\evil.example",
        ],
    )
    def test_post_never_redirects_outside(self, coordination_client, own_action, next_url):
        response = coordination_client.post(url(own_action), {**data(), "next": next_url})
        assertRedirects(response, own_action.get_absolute_url(), fetch_redirect_response=False)
        response = coordination_client.post(f"{url(own_action)}?next={next_url}", data(progress=70))
        assertRedirects(response, own_action.get_absolute_url(), fetch_redirect_response=False)

    def test_next_from_the_query_string_is_kept_in_the_form(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action), {"next": "/actions/?late=on"})
        assertContains(response, '<input type="hidden" name="next" value="/actions/?late=on">', html=True)
        assertContains(response, '<a href="/actions/?late=on">Annuler</a>', html=True)

    def test_external_next_is_dropped_from_the_form(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action), {"next": "https://evil.example/"})
        assertNotContains(response, "evil.example")

    def test_invalid_post_shows_the_page_with_errors_and_input(self, coordination_client, own_action):
        response = coordination_client.post(url(own_action), data(progress=150, done="Mon compte rendu"))
        assert response.status_code == 200
        html = text(response)
        assert "<html" in html
        assert "Entre 0 et 100 %." in field_group(html, "progress")
        assert 'value="150"' in field_group(html, "progress")
        assert "Mon compte rendu</textarea>" in field_group(html, "done")
        assert not ProgressUpdate.objects.exists()


class TestCard:
    """From a card of the plan or of "Mes actions" (origin=card)."""

    def test_get_opens_the_form_in_the_card(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action, origin="card"), headers=HTMX)
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html
        assert html.lstrip().startswith(f'<li class="c-action-card" id="action-{own_action.pk}">')
        assert '<input type="hidden" name="origin" value="card">' in html
        assert "Nouveau point d'étape – FA1.1" in html
        assert f'data-hx-target="#action-{own_action.pk}"' in html
        assert '<option value="in_progress" selected>' in field_group(html, "status")

    def test_valid_post_returns_the_updated_card(self, client_for, service_head, own_action):
        response = client_for("service_head").post(
            url(own_action), {**data(status="suspended", progress=55), "origin": "card"}, headers=HTMX
        )
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html
        assert f'id="action-{own_action.pk}"' in html
        assert '<span class="c-badge c-badge--suspended">Suspendue</span>' in html
        assert "55 %" in html and '<progress class="c-progress__bar" max="100" value="55"' in html
        assert "Point d'étape enregistré : suspendue, 55 %." in html
        assert "<form" not in html
        assert f"Dernier point : {timezone.localdate():%d/%m/%Y}" in html
        own_action.refresh_from_db()
        assert (own_action.status, own_action.progress) == ("suspended", 55)
        assert ProgressUpdate.objects.get().author == service_head

    def test_valid_post_clears_the_attention_flags(self, coordination_client, objective):
        action = ActionFactory(objective=objective, stale=True)
        before = coordination_client.get(reverse("actions:list"))
        assertContains(before, "c-action-card--attention")
        response = coordination_client.post(url(action), {**data(), "origin": "card"}, headers=HTMX)
        html = text(response)
        assert "c-action-card--attention" not in html
        assert "Sans nouvelles" not in html

    def test_invalid_post_returns_the_card_with_errors_and_input(self, coordination_client, own_action):
        payload = {**data(progress=101, done="Ce que j'ai saisi"), "origin": "card"}
        response = coordination_client.post(url(own_action), payload, headers=HTMX)
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html
        assert f'id="action-{own_action.pk}"' in html
        assert "Entre 0 et 100 %." in field_group(html, "progress")
        assert 'value="101"' in field_group(html, "progress")
        assert "Ce que j'ai saisi</textarea>" in field_group(html, "done")
        assert '<input type="hidden" name="origin" value="card">' in html
        assert "Point d'étape enregistré" not in html
        assert not ProgressUpdate.objects.exists()

    @pytest.mark.parametrize("method", ["get_cancel", "post"])
    def test_card_fallback_link_does_not_return_to_the_point_d_etape_page(
        self, coordination_client, own_action, method
    ):
        """Without JavaScript (or opened in a new tab), the "Point d'étape" link of a card carries `next`, where
        the user lands once the point is recorded. In a card re-rendered by record_progress it must point to the
        page the card is on, not to record_progress itself (which would show a new form after saving)."""
        headers = {**HTMX, "HX-Current-URL": "http://testserver/actions/?status=in_progress"}
        if method == "post":
            response = coordination_client.post(url(own_action), {**data(), "origin": "card"}, headers=headers)
        else:
            response = coordination_client.get(url(own_action, origin="card", cancel=1), headers=headers)
        link = re.search(r'<a class="c-button[^"]*" href="([^"]*)"', text(response)).group(1)
        target = link.split("next=", 1)[1]
        assert not target.startswith(url(own_action)), link

    def test_cancel_returns_the_card_without_form(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action, origin="card", cancel=1), headers=HTMX)
        html = text(response)
        assert "<html" not in html
        assert f'id="action-{own_action.pk}"' in html
        assert "<form" not in html
        assert f'data-hx-get="{url(own_action)}?origin=card"' in html  # the button to open it again
        assert not ProgressUpdate.objects.exists()


class TestDetailPanel:
    """From the detail page (origin=detail, the default)."""

    @pytest.mark.parametrize("params", [{"origin": "detail"}, {}])
    def test_get_returns_the_status_panel_with_the_form(self, coordination_client, own_action, params):
        response = coordination_client.get(url(own_action, **params), headers=HTMX)
        html = text(response)
        assert "<html" not in html
        assert html.lstrip().startswith('<section id="status"')
        assert '<input type="hidden" name="origin" value="detail">' in html
        assert 'data-hx-target="#status"' in html
        assert 'id="timeline"' not in html and 'id="history"' not in html

    def test_valid_post_returns_status_timeline_and_history(self, coordination_client, coordination, own_action):
        coordination.first_name, coordination.last_name = "Claire", "Martin"
        coordination.save()
        payload = {**data(status="postponed", progress=50, next_steps="Reprendre en septembre."), "origin": "detail"}
        response = coordination_client.post(url(own_action), payload, headers=HTMX)
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html
        assert html.lstrip().startswith('<section id="status"')
        status = html[: html.index('<section id="timeline"')]
        assert '<span class="c-badge c-badge--postponed">Reportée</span>' in status
        assert "50 %" in status
        assert "Point d'étape enregistré." in status
        assert f"Dernier point d'étape le {timezone.localdate():%d/%m/%Y}." in status
        assert "<form" not in status
        assert 'data-hx-swap-oob="true"' not in status

        timeline = re.search(r'<section id="timeline"[^>]*>.*?</section>', html, re.S).group()
        assert 'data-hx-swap-oob="true"' in timeline
        assert "par Claire Martin" in timeline
        assert "<dt>Prochaines étapes</dt><dd>Reprendre en septembre.</dd>" in timeline

        history = re.search(r'<section id="history"[^>]*>.*?</section>', html, re.S).group()
        assert 'data-hx-swap-oob="true"' in history
        assert "Claire Martin\n      a modifié la fiche :" in history
        assert re.search(r"Statut : <del>.*?En cours</del> → <ins>.*?Reportée</ins>", history)
        assert re.search(r"Avancement \(%\) : <del>.*?40</del> → <ins>.*?50</ins>", history)

    def test_invalid_post_returns_the_panel_with_errors_only(self, coordination_client, own_action):
        payload = {**data(status="done", progress=80, done="Presque fini"), "origin": "detail"}
        response = coordination_client.post(url(own_action), payload, headers=HTMX)
        html = text(response)
        assert html.lstrip().startswith('<section id="status"')
        assert DONE_NEEDS_FULL_PROGRESS in field_group(html, "progress")
        assert '<option value="done" selected>' in field_group(html, "status")
        assert "Presque fini</textarea>" in html
        assert 'id="timeline"' not in html and 'id="history"' not in html
        assert not ProgressUpdate.objects.exists()

    def test_cancel_returns_the_panel_without_form(self, coordination_client, own_action):
        response = coordination_client.get(url(own_action, origin="detail", cancel=1), headers=HTMX)
        html = text(response)
        assert html.lstrip().startswith('<section id="status"')
        assert "<form" not in html
        assert "Nouveau point d'étape" in html
        assert 'id="timeline"' not in html


class TestValidation:
    @pytest.mark.parametrize(
        "progress, message",
        [
            (101, "Entre 0 et 100 %."),
            (-1, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
            ("beaucoup", "Saisissez un nombre entier."),
            ("", "Ce champ est obligatoire."),
        ],
    )
    def test_progress_out_of_range(self, coordination_client, own_action, progress, message):
        response = coordination_client.post(url(own_action), data(progress=progress))
        assert response.status_code == 200
        assert message in field_group(text(response), "progress")
        assert not ProgressUpdate.objects.exists()
        own_action.refresh_from_db()
        assert own_action.progress == 40

    def test_unknown_status(self, coordination_client, own_action):
        response = coordination_client.post(url(own_action), data(status="finished"))
        assert "Sélectionnez un choix valide" in field_group(text(response), "status")

    @pytest.mark.parametrize(
        "current, new",
        [
            ("abandoned", "in_progress"),
            ("abandoned", "done"),
            ("done", "to_start"),
            ("done", "abandoned"),
            ("to_start", "done"),
            ("suspended", "done"),
            ("in_progress", "to_start"),
        ],
    )
    def test_forbidden_transition(self, coordination_client, objective, current, new):
        action = ActionFactory(objective=objective, status=current, progress=100 if current == "done" else 20)
        response = coordination_client.post(url(action), data(status=new, progress=100))
        assert response.status_code == 200
        expected = TRANSITION_NOT_ALLOWED.format(current=ActionStatus(current).label, new=ActionStatus(new).label)
        assert expected in field_group(text(response), "status")
        action.refresh_from_db()
        assert action.status == current
        assert not ProgressUpdate.objects.exists()

    def test_forbidden_transition_with_htmx_card(self, coordination_client, objective):
        action = ActionFactory(objective=objective, status="abandoned", progress=10)
        response = coordination_client.post(
            url(action), {**data(status="in_progress"), "origin": "card"}, headers=HTMX
        )
        html = text(response)
        assert f'id="action-{action.pk}"' in html
        assert "Une action « Abandonnée » ne peut pas passer au statut « En cours »." in html

    @pytest.mark.parametrize(
        "current, new",
        [(current, new) for current, targets in ALLOWED_TRANSITIONS.items() for new in sorted(targets)]
        + [(status.value, status.value) for status in ActionStatus],
    )
    def test_allowed_transition(self, coordination_client, objective, current, new):
        action = ActionFactory(objective=objective, status=current, progress=100 if current == "done" else 20)
        response = coordination_client.post(url(action), data(status=new, progress=100))
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == new

    def test_transition_is_checked_against_the_saved_status(self, coordination_client, objective):
        """The form is built before the POST; what counts is the status in the database."""
        action = ActionFactory(objective=objective, status="to_start", progress=0)
        coordination_client.post(url(action), data(status="in_progress", progress=10))
        coordination_client.post(url(action), data(status="done", progress=100))
        action.refresh_from_db()
        assert (action.status, action.progress) == ("done", 100)
        assert ProgressUpdate.objects.filter(action=action).count() == 2

    def test_done_needs_full_progress(self, coordination_client, own_action):
        response = coordination_client.post(url(own_action), data(status="done", progress=90))
        assert response.status_code == 200
        assert DONE_NEEDS_FULL_PROGRESS in field_group(text(response), "progress")
        own_action.refresh_from_db()
        assert own_action.status == "in_progress"
        assert not ProgressUpdate.objects.exists()

    def test_done_at_100(self, coordination_client, own_action):
        response = coordination_client.post(url(own_action), data(status="done", progress=100))
        assert response.status_code == 302
        own_action.refresh_from_db()
        assert (own_action.status, own_action.progress) == ("done", 100)


class TestAccess:
    @pytest.mark.parametrize("role", ["coordination", "service_head"])
    @pytest.mark.parametrize("htmx", [False, True])
    def test_archived_action_is_403(self, client_for, objective, service, role, htmx):
        action = ActionFactory(objective=objective, pilot_service=service, archived=True)
        headers = HTMX if htmx else {}
        client = client_for(role)
        assert client.get(url(action, origin="card"), headers=headers).status_code == 403
        assert client.post(url(action), {**data(), "origin": "card"}, headers=headers).status_code == 403
        assert not ProgressUpdate.objects.exists()

    @pytest.mark.parametrize("role", ["service_head", "direction", "elected", "tech_admin"])
    def test_others_may_not_record(self, client_for, other_action, role):
        client = client_for(role)
        assert client.get(url(other_action)).status_code == 403
        assert client.post(url(other_action), data(), headers=HTMX).status_code == 403
        assert not ProgressUpdate.objects.exists()

    def test_unknown_action_is_404(self, coordination_client, db):
        assert coordination_client.get(reverse("actions:record_progress", args=[999_999])).status_code == 404

    def test_put_is_not_allowed(self, coordination_client, own_action):
        assert coordination_client.put(url(own_action)).status_code == 405

    def test_timeline_keeps_previous_points(self, coordination_client, own_action):
        ProgressUpdateFactory(action=own_action, done="Premier point.")
        response = coordination_client.post(
            url(own_action), {**data(done="Second point."), "origin": "detail"}, headers=HTMX
        )
        html = text(response)
        timeline = re.search(r'<section id="timeline"[^>]*>.*?</section>', html, re.S).group()
        assert timeline.index("Second point.") < timeline.index("Premier point.")
