"""Jalons, budget lines and partners edited in place on the detail page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from actions.models import ActionPartner, BudgetLine, Milestone
from tests.actions.factories import ActionFactory, ActionPartnerFactory, BudgetLineFactory, MilestoneFactory
from tests.partners.factories import PartnerFactory

HTMX = {"HX-Request": "true"}
NBSP = "\xa0"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}"[^>]*>.*?\n {{0,4}}</section>', html, re.S)
    assert match, f"no section #{section_id}"
    return match.group()


def assert_fragment(response, section_id: str) -> tuple[str, str]:
    """An htmx answer: the section first, then the history out of band, and nothing else."""
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    assert html.lstrip().startswith(f'<section id="{section_id}"')
    assert html.count("<section ") == 2
    main = section(html, section_id)
    assert 'data-hx-swap-oob="true"' not in main
    history = section(html, "history")
    assert '<section id="history" class="c-panel" aria-labelledby="history-title" data-hx-swap-oob="true">' in history
    return main, history


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def anchor(action, section_id: str) -> str:
    return f"{action.get_absolute_url()}#{section_id}"


@pytest.fixture
def coordination_client(client_for, coordination):
    coordination.first_name, coordination.last_name = "Claire", "Martin"
    coordination.save()
    return client_for("coordination")


@pytest.fixture
def head_client(client_for, service_head):
    service_head.first_name, service_head.last_name = "Sami", "Haddad"
    service_head.save()
    return client_for("service_head")


class TestMilestones:
    def add_url(self, action):
        return reverse("actions:milestone_add", args=[action.pk])

    def payload(self, **overrides):
        return {"new-milestone-title": "Comité de pilotage", "new-milestone-due_on": "2026-03-15", **overrides}

    @pytest.mark.parametrize("client_name", ["coordination_client", "head_client"])
    def test_add_with_htmx(self, request, own_action, client_name):
        client = request.getfixturevalue(client_name)
        response = client.post(self.add_url(own_action), self.payload(), headers=HTMX)
        main, history = assert_fragment(response, "milestones")
        milestone = Milestone.objects.get()
        assert (milestone.action, milestone.title, milestone.due_on) == (
            own_action,
            "Comité de pilotage",
            date(2026, 3, 15),
        )
        assert "Jalon ajouté." in main
        assert "Comité de pilotage" in main and "15/03/2026" in main
        assert 'name="new-milestone-title"' in main  # a fresh form to add another one
        author = "Claire Martin" if client_name == "coordination_client" else "Sami Haddad"
        assert f"{author}\n      a créé le jalon « Comité de pilotage »" in history

    def test_add_without_htmx_redirects_to_the_section(self, coordination_client, own_action):
        response = coordination_client.post(self.add_url(own_action), self.payload())
        assertRedirects(response, anchor(own_action, "milestones"), fetch_redirect_response=False)
        assert messages_of(response) == ["Jalon ajouté."]
        assert Milestone.objects.count() == 1

    def test_invalid_add_with_htmx_keeps_the_input(self, coordination_client, own_action):
        payload = self.payload(**{"new-milestone-due_on": "", "new-milestone-done_on": "pas une date"})
        response = coordination_client.post(self.add_url(own_action), payload, headers=HTMX)
        main, _ = assert_fragment(response, "milestones")
        assert "Ce champ est obligatoire." in main
        assert "Saisissez une date valide." in main
        assert 'value="Comité de pilotage"' in main
        assert "Jalon ajouté." not in main
        assert not Milestone.objects.exists()

    def test_invalid_add_without_htmx_shows_the_page(self, coordination_client, own_action):
        response = coordination_client.post(self.add_url(own_action), self.payload(**{"new-milestone-title": ""}))
        assert response.status_code == 200
        html = text(response)
        assert "<html" in html
        assert "Ce champ est obligatoire." in section(html, "milestones")
        assert not Milestone.objects.exists()

    def test_edit_form_with_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture", due_on=date(2026, 9, 1))
        response = coordination_client.get(reverse("actions:milestone_edit", args=[milestone.pk]), headers=HTMX)
        main, _ = assert_fragment(response, "milestones")
        assert 'name="edit-title"' in main and 'value="Ouverture"' in main
        assert 'value="2026-09-01"' in main
        assert f'action="{reverse("actions:milestone_edit", args=[milestone.pk])}"' in main
        assert "Annuler" in main

    def test_edit_form_without_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture")
        response = coordination_client.get(reverse("actions:milestone_edit", args=[milestone.pk]))
        html = text(response)
        assert "<html" in html
        assert "Modifier le jalon « Ouverture »" in html
        assert f'<a href="{anchor(own_action, "milestones")}">Annuler</a>' in html

    def test_edit_with_htmx(self, head_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture", due_on=date(2026, 9, 1))
        payload = {"edit-title": "Ouverture", "edit-due_on": "2026-09-01", "edit-done_on": "2026-09-03"}
        response = head_client.post(reverse("actions:milestone_edit", args=[milestone.pk]), payload, headers=HTMX)
        main, history = assert_fragment(response, "milestones")
        milestone.refresh_from_db()
        assert milestone.done_on == date(2026, 9, 3)
        assert "Jalon enregistré." in main and "03/09/2026" in main
        assert 'name="edit-title"' not in main
        assert "Sami Haddad\n      a modifié le jalon « Ouverture » :" in history
        assert re.search(r"Atteint le : <del>.*?—</del> → <ins>.*?03/09/2026</ins>", history)

    def test_edit_without_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action)
        payload = {"edit-title": "Renommé", "edit-due_on": "2026-09-01"}
        response = coordination_client.post(reverse("actions:milestone_edit", args=[milestone.pk]), payload)
        assertRedirects(response, anchor(own_action, "milestones"), fetch_redirect_response=False)
        milestone.refresh_from_db()
        assert milestone.title == "Renommé"

    def test_invalid_edit_with_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture")
        payload = {"edit-title": "Nouveau nom", "edit-due_on": ""}
        response = coordination_client.post(
            reverse("actions:milestone_edit", args=[milestone.pk]), payload, headers=HTMX
        )
        main, _ = assert_fragment(response, "milestones")
        assert "Ce champ est obligatoire." in main
        assert 'value="Nouveau nom"' in main
        milestone.refresh_from_db()
        assert milestone.title == "Ouverture"

    def test_invalid_edit_without_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture")
        payload = {"edit-title": "", "edit-due_on": "2026-01-01"}
        response = coordination_client.post(reverse("actions:milestone_edit", args=[milestone.pk]), payload)
        assert response.status_code == 200
        assert "Ce champ est obligatoire." in text(response)
        milestone.refresh_from_db()
        assert milestone.title == "Ouverture"

    def test_delete_with_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action, title="Ouverture")
        response = coordination_client.post(reverse("actions:milestone_delete", args=[milestone.pk]), headers=HTMX)
        main, history = assert_fragment(response, "milestones")
        assert not Milestone.objects.exists()
        assert "Jalon supprimé." in main and "Aucun jalon." in main
        assert "Claire Martin\n      a supprimé le jalon « Ouverture »" in history

    def test_delete_without_htmx(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action)
        response = coordination_client.post(reverse("actions:milestone_delete", args=[milestone.pk]))
        assertRedirects(response, anchor(own_action, "milestones"), fetch_redirect_response=False)
        assert not Milestone.objects.exists()

    def test_delete_needs_post(self, coordination_client, own_action):
        milestone = MilestoneFactory(action=own_action)
        assert coordination_client.get(reverse("actions:milestone_delete", args=[milestone.pk])).status_code == 405
        assert Milestone.objects.exists()

    @pytest.mark.parametrize("role", ["service_head", "direction", "elected"])
    def test_others_may_not_touch_milestones(self, client_for, other_action, role):
        milestone = MilestoneFactory(action=other_action, title="Intouchable")
        client = client_for(role)
        assert client.post(self.add_url(other_action), self.payload(), headers=HTMX).status_code == 403
        edit = reverse("actions:milestone_edit", args=[milestone.pk])
        assert client.get(edit, headers=HTMX).status_code == 403
        assert client.post(edit, {"edit-title": "X", "edit-due_on": "2026-01-01"}).status_code == 403
        assert client.post(reverse("actions:milestone_delete", args=[milestone.pk])).status_code == 403
        assert list(Milestone.objects.values_list("title", flat=True)) == ["Intouchable"]

    def test_archived_action_is_read_only(self, coordination_client, objective):
        action = ActionFactory(objective=objective, archived=True)
        milestone = MilestoneFactory(action=action)
        assert coordination_client.post(self.add_url(action), self.payload()).status_code == 403
        assert coordination_client.post(reverse("actions:milestone_delete", args=[milestone.pk])).status_code == 403
        assert Milestone.objects.count() == 1


class TestBudget:
    def add_url(self, action):
        return reverse("actions:budget_add", args=[action.pk])

    def payload(self, **overrides):
        return {
            "new-budget-year": "2026",
            "new-budget-nature": "operating",
            "new-budget-funder": "caf_bonus",
            "new-budget-planned": "15000",
            "new-budget-actual": "",
            **overrides,
        }

    def test_add_with_htmx(self, coordination_client, own_action):
        BudgetLineFactory(action=own_action, planned=Decimal("1000"), actual=Decimal("250"))
        response = coordination_client.post(self.add_url(own_action), self.payload(), headers=HTMX)
        main, history = assert_fragment(response, "budget")
        line = BudgetLine.objects.get(funder="caf_bonus")
        assert (line.year, line.planned, line.actual) == (2026, Decimal("15000"), None)
        assert "Ligne budgétaire ajoutée." in main
        assert "CAF – bonus territoire CTG" in main
        tfoot = main[main.index("<tfoot>") : main.index("</tfoot>")]
        assert f"16{NBSP}000,00 €" in tfoot and "250,00 €" in tfoot
        assert "Claire Martin\n      a créé la ligne budgétaire 2026 – CAF – bonus territoire CTG" in history

    def test_add_without_htmx(self, coordination_client, own_action):
        response = coordination_client.post(self.add_url(own_action), self.payload())
        assertRedirects(response, anchor(own_action, "budget"), fetch_redirect_response=False)
        assert messages_of(response) == ["Ligne budgétaire ajoutée."]

    @pytest.mark.parametrize(
        "overrides, message",
        [
            ({"new-budget-year": "1990"}, "Année invalide."),
            ({"new-budget-planned": "-5"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
            ({"new-budget-planned": ""}, "Ce champ est obligatoire."),
            ({"new-budget-funder": "mecene"}, "Sélectionnez un choix valide."),
            ({"new-budget-actual": "beaucoup"}, "Saisissez un nombre."),
        ],
    )
    def test_invalid_add(self, coordination_client, own_action, overrides, message):
        response = coordination_client.post(self.add_url(own_action), self.payload(**overrides), headers=HTMX)
        main, _ = assert_fragment(response, "budget")
        assert message in main
        assert "Ligne budgétaire ajoutée." not in main
        assert not BudgetLine.objects.exists()

    def test_invalid_add_keeps_the_input(self, coordination_client, own_action):
        response = coordination_client.post(
            self.add_url(own_action), self.payload(**{"new-budget-year": "1990"}), headers=HTMX
        )
        main, _ = assert_fragment(response, "budget")
        assert 'value="1990"' in main and 'value="15000"' in main
        assert '<option value="caf_bonus" selected>' in main

    def test_coordination_edits_the_whole_line(self, coordination_client, own_action):
        line = BudgetLineFactory(action=own_action, year=2025, funder="commune", planned=Decimal("10000"))
        edit = reverse("actions:budget_edit", args=[line.pk])
        main, _ = assert_fragment(coordination_client.get(edit, headers=HTMX), "budget")
        assert 'name="edit-planned"' in main and 'name="edit-year"' in main
        payload = {"edit-year": "2025", "edit-nature": "investment", "edit-funder": "state", "edit-planned": "12000"}
        main, history = assert_fragment(coordination_client.post(edit, payload, headers=HTMX), "budget")
        line.refresh_from_db()
        assert (line.nature, line.funder, line.planned) == ("investment", "state", Decimal("12000"))
        assert "Ligne budgétaire enregistrée." in main
        assert re.search(rf"Prévu \(€\) : <del>.*?10{NBSP}000,00 €</del> → <ins>.*?12{NBSP}000,00 €</ins>", history)
        assert re.search(r"Financeur : <del>.*?Commune</del> → <ins>.*?État</ins>", history)

    def test_service_head_gets_the_actual_form(self, head_client, own_action):
        line = BudgetLineFactory(action=own_action, year=2025, funder="commune", planned=Decimal("10000"))
        response = head_client.get(reverse("actions:budget_edit", args=[line.pk]), headers=HTMX)
        main, _ = assert_fragment(response, "budget")
        assert 'name="edit-actual"' in main
        for name in ["year", "nature", "funder", "planned"]:
            assert f'name="edit-{name}"' not in main
        assert "Supprimer" not in main  # a service head does not delete budget lines

    def test_service_head_changes_only_the_actual(self, head_client, service_head, own_action):
        line = BudgetLineFactory(action=own_action, year=2025, funder="commune", planned=Decimal("10000"))
        payload = {
            "edit-actual": "1234.56",
            "edit-planned": "1",
            "edit-year": "1999",
            "edit-funder": "state",
            "edit-nature": "investment",
        }
        response = head_client.post(reverse("actions:budget_edit", args=[line.pk]), payload, headers=HTMX)
        main, history = assert_fragment(response, "budget")
        line.refresh_from_db()
        assert line.actual == Decimal("1234.56")
        assert (line.year, line.funder, line.nature, line.planned) == (2025, "commune", "operating", Decimal("10000"))
        assert f"1{NBSP}234,56 €" in main
        assert "Sami Haddad\n      a modifié la ligne budgétaire 2025 – Commune :" in history
        assert re.search(rf"Réalisé \(€\) : <del>.*?—</del> → <ins>.*?1{NBSP}234,56 €</ins>", history)
        assert "Prévu (€) :" not in history
        assert line.history.first().history_user == service_head

    def test_service_head_invalid_actual(self, head_client, own_action):
        line = BudgetLineFactory(action=own_action)
        response = head_client.post(
            reverse("actions:budget_edit", args=[line.pk]), {"edit-actual": "-3"}, headers=HTMX
        )
        main, _ = assert_fragment(response, "budget")
        assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in main
        assert 'value="-3"' in main
        line.refresh_from_db()
        assert line.actual is None

    def test_service_head_without_htmx(self, head_client, own_action):
        line = BudgetLineFactory(action=own_action)
        edit = reverse("actions:budget_edit", args=[line.pk])
        page = text(head_client.get(edit))
        assert "<html" in page and 'name="edit-actual"' in page and 'name="edit-planned"' not in page
        response = head_client.post(edit, {"edit-actual": "500"})
        assertRedirects(response, anchor(own_action, "budget"), fetch_redirect_response=False)
        line.refresh_from_db()
        assert line.actual == Decimal("500")

    def test_service_head_may_not_add_or_delete(self, head_client, own_action):
        line = BudgetLineFactory(action=own_action)
        assert head_client.post(self.add_url(own_action), self.payload(), headers=HTMX).status_code == 403
        assert head_client.post(reverse("actions:budget_delete", args=[line.pk]), headers=HTMX).status_code == 403
        assert BudgetLine.objects.count() == 1

    def test_service_head_of_another_service(self, head_client, other_action):
        line = BudgetLineFactory(action=other_action)
        edit = reverse("actions:budget_edit", args=[line.pk])
        assert head_client.get(edit, headers=HTMX).status_code == 403
        assert head_client.post(edit, {"edit-actual": "1"}).status_code == 403
        line.refresh_from_db()
        assert line.actual is None

    def test_delete_with_htmx(self, coordination_client, own_action):
        line = BudgetLineFactory(action=own_action, year=2025, funder="commune")
        response = coordination_client.post(reverse("actions:budget_delete", args=[line.pk]), headers=HTMX)
        main, history = assert_fragment(response, "budget")
        assert not BudgetLine.objects.exists()
        assert "Ligne budgétaire supprimée." in main and "Aucune ligne budgétaire." in main
        assert "Claire Martin\n      a supprimé la ligne budgétaire 2025 – Commune" in history

    def test_delete_without_htmx(self, coordination_client, own_action):
        line = BudgetLineFactory(action=own_action)
        response = coordination_client.post(reverse("actions:budget_delete", args=[line.pk]))
        assertRedirects(response, anchor(own_action, "budget"), fetch_redirect_response=False)
        assert not BudgetLine.objects.exists()

    def test_archived_action_is_read_only(self, coordination_client, objective):
        action = ActionFactory(objective=objective, archived=True)
        line = BudgetLineFactory(action=action)
        assert coordination_client.post(self.add_url(action), self.payload()).status_code == 403
        edit = reverse("actions:budget_edit", args=[line.pk])
        assert coordination_client.post(edit, {"edit-actual": "1"}).status_code == 403
        assert coordination_client.post(reverse("actions:budget_delete", args=[line.pk])).status_code == 403
        line.refresh_from_db()
        assert line.actual is None


class TestPartners:
    def add_url(self, action):
        return reverse("actions:partner_add", args=[action.pk])

    def test_add_with_htmx(self, coordination_client, own_action):
        partner = PartnerFactory(name="Association Les Petits Pas")
        payload = {"new-partner-partner": partner.pk, "new-partner-role": "funder"}
        response = coordination_client.post(self.add_url(own_action), payload, headers=HTMX)
        main, history = assert_fragment(response, "partners")
        role = ActionPartner.objects.get()
        assert (role.action, role.partner, role.role) == (own_action, partner, "funder")
        assert "Partenaire ajouté." in main
        assert "Association Les Petits Pas – Financeur" in main
        # Already associated: no longer offered.
        assert f'<option value="{partner.pk}">' not in main
        assert "Claire Martin\n      a créé le partenaire Association Les Petits Pas" in history

    def test_add_without_htmx(self, coordination_client, own_action):
        partner = PartnerFactory()
        payload = {"new-partner-partner": partner.pk, "new-partner-role": "relay"}
        response = coordination_client.post(self.add_url(own_action), payload)
        assertRedirects(response, anchor(own_action, "partners"), fetch_redirect_response=False)
        assert messages_of(response) == ["Partenaire ajouté."]

    def test_same_partner_twice_is_refused(self, coordination_client, own_action):
        role = ActionPartnerFactory(action=own_action, role="operator")
        payload = {"new-partner-partner": role.partner_id, "new-partner-role": "funder"}
        response = coordination_client.post(self.add_url(own_action), payload, headers=HTMX)
        main, _ = assert_fragment(response, "partners")
        assert "Ce partenaire est déjà associé à l'action." in main
        assert ActionPartner.objects.get().role == "operator"

    def test_missing_role(self, coordination_client, own_action):
        partner = PartnerFactory()
        response = coordination_client.post(
            self.add_url(own_action), {"new-partner-partner": partner.pk}, headers=HTMX
        )
        main, _ = assert_fragment(response, "partners")
        assert "Ce champ est obligatoire." in main
        assert f'<option value="{partner.pk}" selected>' in main
        assert not ActionPartner.objects.exists()

    def test_partner_already_on_another_action_is_offered(self, coordination_client, own_action, other_action):
        role = ActionPartnerFactory(action=other_action)
        response = coordination_client.get(own_action.get_absolute_url())
        assert f'<option value="{role.partner_id}">' in section(text(response), "partners")

    def test_remove_with_htmx(self, coordination_client, own_action):
        role = ActionPartnerFactory(action=own_action, partner=PartnerFactory(name="Centre social Arc-en-ciel"))
        response = coordination_client.post(reverse("actions:partner_remove", args=[role.pk]), headers=HTMX)
        main, history = assert_fragment(response, "partners")
        assert not ActionPartner.objects.exists()
        assert "Partenaire retiré." in main and "Aucun partenaire associé." in main
        assert "Claire Martin\n      a supprimé le partenaire Centre social Arc-en-ciel" in history

    def test_remove_without_htmx(self, coordination_client, own_action):
        role = ActionPartnerFactory(action=own_action)
        response = coordination_client.post(reverse("actions:partner_remove", args=[role.pk]))
        assertRedirects(response, anchor(own_action, "partners"), fetch_redirect_response=False)
        assert not ActionPartner.objects.exists()

    @pytest.mark.parametrize("role_name", ["service_head", "direction", "elected"])
    def test_only_the_coordination_chooses_partners(self, client_for, own_action, role_name):
        role = ActionPartnerFactory(action=own_action)
        client = client_for(role_name)
        payload = {"new-partner-partner": PartnerFactory().pk, "new-partner-role": "relay"}
        assert client.post(self.add_url(own_action), payload, headers=HTMX).status_code == 403
        assert client.post(reverse("actions:partner_remove", args=[role.pk]), headers=HTMX).status_code == 403
        assert ActionPartner.objects.count() == 1

    def test_archived_action_is_read_only(self, coordination_client, objective):
        action = ActionFactory(objective=objective, archived=True)
        role = ActionPartnerFactory(action=action)
        payload = {"new-partner-partner": PartnerFactory().pk, "new-partner-role": "relay"}
        assert coordination_client.post(self.add_url(action), payload).status_code == 403
        assert coordination_client.post(reverse("actions:partner_remove", args=[role.pk])).status_code == 403
        assert ActionPartner.objects.count() == 1


class TestEscaping:
    def test_user_text_is_escaped_in_sections_and_history(self, coordination_client, own_action):
        payload = {"new-milestone-title": "<img src=x onerror=alert(1)>", "new-milestone-due_on": "2026-03-15"}
        response = coordination_client.post(
            reverse("actions:milestone_add", args=[own_action.pk]), payload, headers=HTMX
        )
        main, history = assert_fragment(response, "milestones")
        assert "<img src=x" not in main and "<img src=x" not in history
        assert "&lt;img src=x onerror=alert(1)&gt;" in main
        assert "a créé le jalon « &lt;img src=x onerror=alert(1)&gt; »" in history

    def test_partner_name_is_escaped(self, coordination_client, own_action):
        partner = PartnerFactory(name="<b>Asso</b>")
        payload = {"new-partner-partner": partner.pk, "new-partner-role": "relay"}
        response = coordination_client.post(
            reverse("actions:partner_add", args=[own_action.pk]), payload, headers=HTMX
        )
        main, history = assert_fragment(response, "partners")
        assert "<b>Asso</b>" not in main + history
        assert "&lt;b&gt;Asso&lt;/b&gt; – Relais" in main
        assert "a créé le partenaire &lt;b&gt;Asso&lt;/b&gt;" in history
