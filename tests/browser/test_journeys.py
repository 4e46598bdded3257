"""End-to-end journeys in Chromium on the demo CTG, each page checked with axe-core (WCAG 2.1 AA)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from actions.models import Action, ProgressUpdate
from ctg.models import Convention, Objective
from tests.browser.conftest import (
    assert_accessible,
    assert_no_reload,
    demo_action,
    log_in,
    screenshot,
    set_reload_marker,
)

pytestmark = pytest.mark.browser


def open_card_form(page: Page, code: str):
    """Open the point d'étape form inside the action's card of a list, without leaving the page."""
    card = page.locator(f"#action-{demo_action(code).pk}")
    card.get_by_role("link", name=f"Point d'étape – {code}").click()
    form = card.locator("form")
    expect(form.get_by_role("heading", name=f"Nouveau point d'étape – {code}")).to_be_focused()
    return card, form


def fill_progress(form, *, status: str, progress: str, done: str = "", difficulties: str = "", next_steps: str = ""):
    form.get_by_label("Statut").select_option(label=status)
    form.get_by_label("Avancement (%)").fill(progress)
    form.get_by_label("Ce qui a été fait").fill(done)
    form.get_by_label("Difficultés").fill(difficulties)
    form.get_by_label("Prochaines étapes").fill(next_steps)


class TestServiceHeadRecordsProgress:
    def test_from_the_list_card_then_from_the_detail_page(self, page: Page):
        log_in(page, "petite-enfance", check_accessibility=True)
        expect(page).to_have_url(re.compile(r"/actions/mes-actions/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes actions")
        assert_accessible(page, "Mes actions")

        # From the card: FA1.6 is suspended at 30 %, it starts again. Cancelling first gives the focus back.
        set_reload_marker(page)
        card, form = open_card_form(page, "FA1.6")
        form.get_by_role("link", name="Annuler").click()
        expect(card.get_by_role("link", name="Point d'étape – FA1.6")).to_be_focused()
        card, form = open_card_form(page, "FA1.6")
        expect(form.get_by_label("Statut")).to_have_value("suspended")
        assert_accessible(page, "Mes actions, point d'étape form open in the FA1.6 card")
        fill_progress(
            form,
            status="En cours",
            progress="40",
            done="Deux places AVIP libérées à la réouverture du multi-accueil.",
            next_steps="Commission d'attribution de juin.",
        )
        form.get_by_role("button", name="Enregistrer le point d'étape").click()

        saved = card.get_by_role("status").filter(has_text="Point d'étape enregistré")
        expect(saved).to_have_text("Point d'étape enregistré : en cours, 40 %.")
        expect(saved).to_be_focused()
        expect(card.locator(".c-action-card__flags")).to_contain_text("En cours")
        expect(card.locator(".c-progress__value")).to_have_text("Avancement : 40 %")
        expect(card.locator("form")).to_have_count(0)
        assert_no_reload(page)
        assert_accessible(page, "Mes actions after saving from the card")

        # The detail page shows it first in the timeline.
        card.get_by_role("link", name=re.compile("^FA1.6 ")).click()
        expect(page).to_have_url(re.compile(rf"/actions/{demo_action('FA1.6').pk}/$"))
        newest = page.locator("#timeline .c-timeline__item").first
        expect(newest).to_contain_text("En cours")
        expect(newest).to_contain_text("40 %")
        expect(newest).to_contain_text("Deux places AVIP libérées à la réouverture du multi-accueil.")
        expect(newest).to_contain_text("par Sophie Garnier")
        assert_accessible(page, "detail page of FA1.6")

        # From the detail page's status panel, without leaving the page.
        items_before = page.locator("#timeline .c-timeline__item").count()
        set_reload_marker(page)
        status_panel = page.locator("#status")
        status_panel.get_by_role("link", name="Nouveau point d'étape").click()
        status_panel.get_by_role("link", name="Annuler").click()
        expect(status_panel.get_by_role("link", name="Nouveau point d'étape")).to_be_focused()
        status_panel.get_by_role("link", name="Nouveau point d'étape").click()
        expect(status_panel.get_by_role("heading", name="Nouveau point d'étape")).to_be_focused()
        assert_accessible(page, "detail page, point d'étape form open in the status panel")
        form = status_panel.locator("form")
        expect(form.get_by_label("Statut")).to_have_value("in_progress")
        expect(form.get_by_label("Avancement (%)")).to_have_value("40")
        fill_progress(
            form,
            status="En cours",
            progress="55",
            done="Trois enfants accueillis.",
            difficulties="Horaires des formations peu compatibles.",
        )
        form.get_by_role("button", name="Enregistrer le point d'étape").click()

        expect(status_panel.get_by_role("status")).to_have_text("Point d'étape enregistré.")
        expect(status_panel.locator(".c-progress__value")).to_have_text("Avancement : 55 %")
        expect(page.locator("#timeline .c-timeline__item")).to_have_count(items_before + 1)
        newest = page.locator("#timeline .c-timeline__item").first
        expect(newest).to_contain_text("55 %")
        expect(newest).to_contain_text("Trois enfants accueillis.")
        expect(newest).to_contain_text("Horaires des formations peu compatibles.")
        expect(page.locator("#history")).to_contain_text("Sophie Garnier")
        assert_no_reload(page)
        assert_accessible(page, "detail page after saving from the status panel")
        assert list(demo_action("FA1.6").updates.values_list("progress", flat=True)[:2]) == [55, 40]
        screenshot(page, "1-record-progress")


class TestServiceHeadCannotUpdateOtherServices:
    def test_no_button_and_403_on_another_service_action(self, page: Page, page_errors: list[str]):
        log_in(page, "petite-enfance")
        expect(page.locator(".c-action-card")).to_have_count(6)  # FA1.1 to FA1.6, none of FA2.x
        expect(page.locator(".c-action-list")).not_to_contain_text("FA2.")
        assert_accessible(page, "Mes actions")

        other = demo_action("FA2.2")
        page.goto(other.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_contain_text("FA2.2")
        status_panel = page.locator("#status")
        expect(status_panel.get_by_role("link", name="Nouveau point d'étape")).to_have_count(0)
        expect(status_panel).to_contain_text("Seuls le service pilote et la coordination mettent à jour cette action.")
        assert_accessible(page, "detail page of another service's action")

        url = reverse("actions:record_progress", args=[other.pk])
        response = page.goto(url)
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
        assert_accessible(page, "403 page")
        page_errors.remove(f"HTTP 403: GET {response.url}")  # expected, hence not a journey error
        assert page.request.get(f"{url}?origin=detail", headers={"HX-Request": "true"}).status == 403
        csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
        response = page.request.post(
            url,
            form={"status": "in_progress", "progress": "10", "origin": "detail"},
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": page.url},
        )
        assert response.status == 403
        assert not ProgressUpdate.objects.filter(action=other, author__username="petite-enfance").exists()

        # Plan d'actions: cards of other services offer no point d'étape either.
        page.goto(f"{reverse('actions:list')}?q=FA2.2")
        card = page.locator(f"#action-{other.pk}")
        expect(card).to_be_visible()
        expect(card.get_by_role("link", name=re.compile("Point d'étape"))).to_have_count(0)
        assert_accessible(page, "plan d'actions seen by a service head")
        screenshot(page, "2-other-service")


class TestCoordinationBuildsThePlan:
    def test_objectives_then_action_from_the_overview(self, page: Page):
        log_in(page, "coordination")
        expect(page.get_by_role("heading", level=1)).to_contain_text("CTG Ville de Joinville-le-Pont")
        assert_accessible(page, "overview")
        convention = Convention.objects.current()
        axis = convention.axes.order_by("order").first()
        tree = page.locator(f"section[aria-labelledby='axis-{axis.pk}'] .c-tree")

        # A strategic objective.
        page.get_by_role("link", name="Ajouter un objectif", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un objectif")
        assert_accessible(page, "objective form")
        page.get_by_label("Axe").select_option(value=str(axis.pk))
        page.get_by_label("Niveau").select_option(label="Objectif stratégique")
        page.get_by_label("Code").fill("OS1.9")
        page.get_by_label("Intitulé").fill("Soutenir les familles monoparentales")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Enregistré : « OS1.9 – Soutenir les familles monoparentales »."
        )
        expect(tree).to_contain_text("OS1.9 Soutenir les familles monoparentales")
        assert_accessible(page, "overview after adding a strategic objective")
        strategic = Objective.objects.get(axis=axis, code="OS1.9")
        assert strategic.level == "strategic" and strategic.parent is None

        # An operational objective under it, from the link on its node.
        page.get_by_role("link", name="Ajouter un objectif opérationnel à OS1.9").click()
        expect(page.get_by_label("Niveau")).to_have_value("operational")
        expect(page.get_by_label("Objectif stratégique")).to_have_value(str(strategic.pk))
        assert_accessible(page, "operational objective form")
        page.get_by_label("Code").fill("OO1.9.1")
        page.get_by_label("Intitulé").fill("Proposer des places d'accueil en horaires atypiques")
        page.get_by_role("button", name="Enregistrer").click()
        expect(tree).to_contain_text("OO1.9.1 Proposer des places d'accueil en horaires atypiques")
        assert_accessible(page, "overview after adding an operational objective")
        operational = Objective.objects.get(axis=axis, code="OO1.9.1")
        assert operational.parent == strategic

        # A fiche action under the operational objective.
        page.get_by_role("link", name="Ajouter une action à OO1.9.1").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle fiche action")
        expect(page.get_by_label("Objectif")).to_have_value(str(operational.pk))
        assert_accessible(page, "new fiche action form")
        page.get_by_label("Code").fill("FA1.9")
        page.get_by_label("Intitulé").fill("Ouvrir une crèche en horaires décalés")
        page.get_by_label("Service pilote").select_option(label="Service petite enfance")
        page.get_by_label("Référent·e").fill("Sophie Garnier")
        page.get_by_label("Début").fill(convention.start_date.isoformat())
        page.get_by_label("Fin").fill(convention.end_date.isoformat())
        page.get_by_role("checkbox", name="0–3 ans").check()
        page.get_by_role("button", name="Enregistrer la fiche").click()

        action = Action.objects.get(code="FA1.9")
        expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/$"))
        expect(page.get_by_role("status").first).to_contain_text(
            "La fiche « FA1.9 – Ouvrir une crèche en horaires décalés » a été créée."
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("FA1.9 Ouvrir une crèche en horaires décalés")
        assert_accessible(page, "detail page of the new action")
        assert action.objective == operational and action.status == "to_start"

        # On the overview, under its objective, once unfolded (loaded with htmx).
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Vue d'ensemble").click()
        node = page.locator(f"#objective-{operational.pk}")
        node.get_by_text("1 action de l'objectif OO1.9.1").click()
        expect(node.locator(".c-tree__action")).to_contain_text("FA1.9 Ouvrir une crèche en horaires décalés")
        expect(node.locator(".c-tree__action")).to_contain_text("À lancer")
        assert_accessible(page, "overview with the new action")

        # In the plan d'actions, found by the search box.
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Plan d'actions").click()
        page.get_by_label("Recherche").fill("horaires décalés")
        expect(page).to_have_url(re.compile(r"q=horaires"))
        expect(page.locator("#results-count")).to_have_text("1 action")
        expect(page.locator(f"#action-{action.pk}")).to_contain_text("FA1.9 Ouvrir une crèche en horaires décalés")
        assert_accessible(page, "plan d'actions searched")
        screenshot(page, "3-coordination-plan")


class TestWithoutJavaScript:
    def test_point_etape_through_plain_pages(self, no_js_page: Page):
        page = no_js_page
        log_in(page, "petite-enfance")
        assert_accessible(page, "Mes actions without JavaScript")
        action = demo_action("FA1.5")  # in progress, 45 %
        card = page.locator(f"#action-{action.pk}")
        card.get_by_role("link", name="Point d'étape – FA1.5").click()

        expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/point-etape/\?next="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Point d'étape")
        assert_accessible(page, "plain point d'étape page")
        fill_progress(
            page.locator("form.c-form"), status="En cours", progress="50", done="Référente inclusion recrutée."
        )
        page.get_by_role("button", name="Enregistrer le point d'étape").click()

        expect(page).to_have_url(re.compile(r"/actions/mes-actions/$"))
        expect(page.get_by_role("status").first).to_have_text("Point d'étape enregistré.")
        expect(card.locator(".c-progress__value")).to_have_text("Avancement : 50 %")
        assert_accessible(page, "Mes actions after the plain form")

        card.get_by_role("link", name=re.compile("^FA1.5 ")).click()
        newest = page.locator("#timeline .c-timeline__item").first
        expect(newest).to_contain_text("50 %")
        expect(newest).to_contain_text("Référente inclusion recrutée.")
        assert_accessible(page, "detail page without JavaScript")
        screenshot(page, "4-without-javascript")


class TestBadInput:
    def test_progress_over_100_shows_the_error_and_keeps_the_text(self, page: Page):
        log_in(page, "petite-enfance")
        set_reload_marker(page)
        card, form = open_card_form(page, "FA1.1")
        assert_accessible(page, "card form open")
        fill_progress(form, status="En cours", progress="150", done="Le gros œuvre a repris.")
        form.get_by_role("button", name="Enregistrer le point d'étape").click()

        form = card.locator("form")
        progress = form.get_by_label("Avancement (%)")
        field = form.locator(".c-field", has=page.locator("#id_progress"))
        expect(field.locator(".errorlist")).to_have_text("Entre 0 et 100 %.")
        expect(progress).to_have_attribute("aria-invalid", "true")
        expect(progress).to_have_accessible_description(re.compile("Entre 0 et 100 %."))
        expect(progress).to_be_focused()
        expect(progress).to_have_value("150")
        expect(form.get_by_label("Ce qui a été fait")).to_have_value("Le gros œuvre a repris.")
        assert_no_reload(page)
        assert_accessible(page, "card form with an error")
        assert not demo_action("FA1.1").updates.filter(progress=150).exists()

        # A status the action cannot move to is refused the same way.
        fill_progress(form, status="À lancer", progress="70", done="Le gros œuvre a repris.")
        form.get_by_role("button", name="Enregistrer le point d'étape").click()
        status = card.locator("form").get_by_label("Statut")
        expect(status).to_have_attribute("aria-invalid", "true")
        expect(card.locator(".c-field", has=page.locator("#id_status")).locator(".errorlist")).to_have_text(
            "Une action « En cours » ne peut pas passer au statut « À lancer »."
        )
        expect(card.locator("form").get_by_label("Ce qui a été fait")).to_have_value("Le gros œuvre a repris.")
        assert_accessible(page, "card form with a transition error")
        screenshot(page, "5-bad-input")


class TestListFilters:
    def test_status_filter_swaps_the_results_and_pushes_the_url(self, page: Page):
        log_in(page, "elu")
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Plan d'actions").click()
        expect(page).to_have_url(re.compile(r"/actions/$"))
        assert_accessible(page, "plan d'actions")
        total = page.locator("#results-count").inner_text()
        done = Action.objects.active().filter(status="done").count()
        assert done > 1
        done_count = f"{done} actions"

        set_reload_marker(page)
        page.get_by_label("Statut").select_option(label="Réalisée")
        expect(page).to_have_url(re.compile(r"[?&]status=done(&|$)"))
        expect(page.locator("#results-count")).to_have_text(done_count)
        expect(page.locator(".c-action-card")).to_have_count(done)
        expect(page.locator(".c-action-card .c-badge--done")).to_have_count(done)
        assert_no_reload(page)
        assert_accessible(page, "plan d'actions filtered by status")

        # The URL is the source of truth: a reload shows the same filtered list.
        page.reload()
        expect(page.get_by_label("Statut")).to_have_value("done")
        expect(page.locator("#results-count")).to_have_text(done_count)
        assert_accessible(page, "plan d'actions loaded with a status filter")
        screenshot(page, "6-list-filters")

        page.go_back()
        expect(page).to_have_url(re.compile(r"/actions/$"))
        expect(page.locator("#results-count")).to_have_text(total)
