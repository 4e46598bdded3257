"""The fiche action page, and its creation, edition, archiving and deletion by the coordination."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from actions.forms import CODE_TAKEN, STALE_EDIT
from actions.models import Action, TargetPublic
from actions.services import HAS_UPDATES
from ctg.models import END_BEFORE_START
from tests.actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    BudgetLineFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, TerritoryFactory, UserFactory
from tests.partners.factories import PartnerFactory

NBSP = "\xa0"


def field_group(response, name: str) -> str:
    """The HTML of one field group of a form: its label, help, errors and widget."""
    html = response.content.decode()
    match = re.search(rf'<div class="c-field[^"]*">(?:(?!<div class="c-field).)*?id="id_{name}".*?</div>', html, re.S)
    assert match, f"no field group for {name!r}"
    return match.group()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def detail_url(action) -> str:
    return reverse("actions:detail", args=[action.pk])


@pytest.fixture
def coordination_client(client_for):
    return client_for("coordination")


class TestDetail:
    @pytest.fixture
    def full_action(self, own_action):
        own_action.pilot_name = "Maëlle Roux"
        own_action.finding = "Peu de places d'accueil en QPV."
        own_action.description = "Ouvrir un relais petite enfance."
        own_action.human_resources = "Une animatrice à mi-temps."
        own_action.related_plans = "PEDT"
        own_action.participation = "concertation"
        own_action.priority = "high"
        own_action.start_date, own_action.end_date = date(2024, 1, 15), date(2026, 6, 30)
        own_action.save()
        own_action.publics.set([TargetPublic.objects.get(label="Parents"), TargetPublic.objects.get(label="Seniors")])
        own_action.territories.set([TerritoryFactory(name="Les Hautes-Noues")])
        ActionPartnerFactory(
            action=own_action, partner=PartnerFactory(name="Association Les Petits Pas"), role="co_pilot"
        )
        ActionPartnerFactory(
            action=own_action, partner=PartnerFactory(name="Centre social Arc-en-ciel"), role="funder"
        )
        MilestoneFactory(action=own_action, title="Recrutement", due_on=date(2024, 3, 1), done_on=date(2024, 3, 10))
        MilestoneFactory(action=own_action, title="Ouverture au public", due_on=timezone.localdate() - timedelta(5))
        BudgetLineFactory(
            action=own_action, year=2024, funder="caf_bonus", planned=Decimal("10000"), actual=Decimal("8000")
        )
        BudgetLineFactory(
            action=own_action, year=2025, funder="commune", nature="investment", planned=Decimal("2500.50")
        )
        author = UserFactory(coordination=True, first_name="Nadia", last_name="Benali")
        ProgressUpdateFactory(
            action=own_action,
            author=author,
            status="in_progress",
            progress=30,
            recorded_at=timezone.now() - timedelta(days=40),
            done="Local trouvé.",
            difficulties="Recrutement difficile.",
            next_steps="Signer le bail.",
        )
        ProgressUpdateFactory(
            action=own_action, author=author, progress=40, recorded_at=timezone.now() - timedelta(days=2)
        )
        return own_action

    def test_fiche(self, client_for, full_action):
        response = client_for("elected").get(detail_url(full_action))
        assert response.status_code == 200
        assertContains(response, "<title>FA1.1 – Action du service – Pilote CTG</title>", html=True)
        for text in [
            "Service petite enfance (Maëlle Roux)",
            "du 15/01/2024 au 30/06/2026",
            "<dd>Haute</dd>",
            "<dd>Parents, Seniors</dd>",
            "<dd>Les Hautes-Noues</dd>",
            "<dd>Concertation</dd>",
            "<dd>PEDT</dd>",
            "Une animatrice à mi-temps.",
            "Peu de places d&#x27;accueil en QPV.",
            "Ouvrir un relais petite enfance.",
            str(full_action.objective),
        ]:
            assertContains(response, text)

    def test_empty_fiche_has_readable_defaults(self, client_for, own_action):
        own_action.start_date = own_action.end_date = None
        own_action.save()
        response = client_for("elected").get(detail_url(own_action))
        assertContains(response, "<dd>non renseigné</dd>")
        assertContains(response, "<dd>Toute la commune</dd>")
        assertContains(response, "Aucun partenaire associé.")
        assertContains(response, "Aucun jalon.")
        assertContains(response, "Aucune ligne budgétaire.")
        assertContains(response, "Aucun point d'étape pour l'instant.", count=2)  # timeline and status panel
        assertNotContains(response, "<tfoot>")

    def test_partners_with_their_role(self, client_for, full_action):
        response = client_for("elected").get(detail_url(full_action))
        assertContains(response, "Association Les Petits Pas – Co-pilote")
        assertContains(response, "Centre social Arc-en-ciel – Financeur")

    def test_milestones(self, client_for, full_action):
        response = client_for("elected").get(detail_url(full_action))
        html = response.content.decode()
        section = html[html.index('<section id="milestones"') : html.index('<section id="budget"')]
        assert "Recrutement" in section and "01/03/2024" in section and "10/03/2024" in section
        assert "Ouverture au public" in section
        # Only the milestone past due and not reached is flagged.
        assert section.count('<span class="c-badge c-badge--late">En retard</span>') == 1
        assert section.index("Recrutement") < section.index("Ouverture au public")

    def test_budget_with_totals(self, client_for, full_action):
        response = client_for("elected").get(detail_url(full_action))
        html = response.content.decode()
        section = html[html.index('<section id="budget"') : html.index('<section id="timeline"')]
        assert "CAF – bonus territoire CTG" in section and "Commune" in section and "Investissement" in section
        assert f"10{NBSP}000,00 €" in section and f"8{NBSP}000,00 €" in section
        assert f"2{NBSP}500,50 €" in section
        tfoot = section[section.index("<tfoot>") : section.index("</tfoot>")]
        assert f"12{NBSP}500,50 €" in tfoot  # planned total
        assert f"8{NBSP}000,00 €" in tfoot  # actual total: a missing actual counts as nothing

    def test_timeline_newest_first(self, client_for, full_action):
        response = client_for("elected").get(detail_url(full_action))
        html = response.content.decode()
        section = html[html.index('<section id="timeline"') : html.index('<section id="history"')]
        assert section.count('<li class="c-timeline__item">') == 2
        assert "par Nadia Benali" in section
        assert "<dt>Réalisé</dt><dd>Local trouvé.</dd>" in section
        assert "<dt>Difficultés</dt><dd>Recrutement difficile.</dd>" in section
        assert "<dt>Prochaines étapes</dt><dd>Signer le bail.</dd>" in section
        assert section.index("40 %") < section.index("30 %")
        recent = timezone.localtime(timezone.now() - timedelta(days=2))
        assertContains(response, f"Dernier point d'étape le {recent:%d/%m/%Y}.")

    def test_readable_history(self, coordination_client, coordination, own_action, other_service):
        coordination.first_name, coordination.last_name = "Claire", "Martin"
        coordination.save()
        new_objective = ObjectiveFactory(axis=own_action.objective.axis, code="OO9", title="Accueillir")
        data = form_data(
            own_action,
            title="Relais petite enfance",
            priority="high",
            pilot_service=other_service.pk,
            objective=new_objective.pk,
            end_date="2027-01-31",
        )
        assert coordination_client.post(reverse("actions:edit", args=[own_action.pk]), data).status_code == 302
        line = BudgetLineFactory(action=own_action, planned=Decimal("1000"))
        line.planned = Decimal("1500")
        line._history_user = coordination
        line.save()
        response = coordination_client.get(detail_url(own_action))
        html = response.content.decode()
        history = html[html.index('<section id="history"') : html.index("</section>", html.index('id="history"'))]
        assert "Claire Martin\n      a modifié la fiche :" in history
        assert re.search(r"Intitulé : <del>.*?Action du service</del> → <ins>.*?Relais petite enfance</ins>", history)
        assert re.search(r"Priorité : <del>.*?Moyenne</del> → <ins>.*?Haute</ins>", history)
        assert re.search(
            r"Service pilote : <del>.*?Service petite enfance</del> → <ins>.*?Service jeunesse</ins>", history
        )
        old_objective = re.escape(str(own_action.objective))
        assert re.search(rf"Objectif : <del>.*?{old_objective}</del> → <ins>.*?OO9 – Accueillir</ins>", history)
        old_end = f"{own_action.end_date:%d/%m/%Y}"
        assert re.search(rf"Fin : <del>.*?{old_end}</del> → <ins>.*?31/01/2027</ins>", history)
        assert re.search(r"Prévu \(€\) : <del>.*?1\xa0000,00 €</del> → <ins>.*?1\xa0500,00 €</ins>", history)
        assert "a modifié la ligne budgétaire 2025 – Commune" in history
        assert "Système\n      a créé la fiche" in history  # created by the factory, outside a request
        # Only fields that changed are listed.
        assert "Code :" not in history

    @pytest.mark.parametrize("field", ["title", "description", "pilot_name", "finding"])
    def test_text_is_escaped(self, client_for, objective, service, field):
        action = ActionFactory(
            objective=objective, pilot_service=service, code="X1", **{field: "<script>alert(1)</script>"}
        )
        ProgressUpdateFactory(action=action, done="<b>gras</b>")
        response = client_for("coordination").get(detail_url(action))
        assertNotContains(response, "<script>alert(1)</script>")
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        assertNotContains(response, "<b>gras</b>")
        assertContains(response, "&lt;b&gt;gras&lt;/b&gt;")

    def test_title_is_escaped_in_list_and_history(self, coordination_client, own_action):
        data = form_data(own_action, title="<script>alert(1)</script>")
        coordination_client.post(reverse("actions:edit", args=[own_action.pk]), data)
        for url in [detail_url(own_action), reverse("actions:list"), reverse("actions:mine")]:
            response = coordination_client.get(url)
            assertNotContains(response, "<script>alert(1)</script>")
        assertContains(
            coordination_client.get(detail_url(own_action)), "&lt;script&gt;alert(1)&lt;/script&gt;", count=3
        )

    def test_tools_for_the_coordination(self, coordination_client, own_action):
        response = coordination_client.get(detail_url(own_action))
        assertContains(response, reverse("actions:edit", args=[own_action.pk]))
        assertContains(response, reverse("actions:archive", args=[own_action.pk]))
        assertContains(response, reverse("actions:delete", args=[own_action.pk]))
        assertContains(response, reverse("actions:budget_add", args=[own_action.pk]))
        assertContains(response, reverse("actions:partner_add", args=[own_action.pk]))
        assertContains(response, reverse("actions:milestone_add", args=[own_action.pk]))
        assertContains(response, "Nouveau point d'étape")

    def test_no_delete_link_once_there_is_a_point_d_etape(self, coordination_client, own_action):
        ProgressUpdateFactory(action=own_action)
        assertNotContains(
            coordination_client.get(detail_url(own_action)), reverse("actions:delete", args=[own_action.pk])
        )

    def test_service_head_on_own_action(self, client_for, own_action):
        BudgetLineFactory(action=own_action)
        response = client_for("service_head").get(detail_url(own_action))
        assertNotContains(response, reverse("actions:edit", args=[own_action.pk]))
        assertNotContains(response, reverse("actions:budget_add", args=[own_action.pk]))
        assertNotContains(response, reverse("actions:partner_add", args=[own_action.pk]))
        assertContains(response, reverse("actions:milestone_add", args=[own_action.pk]))
        assertContains(response, "Saisir le réalisé")
        assertContains(response, reverse("actions:record_progress", args=[own_action.pk]))

    @pytest.mark.parametrize("role", ["service_head", "elected", "direction"])
    def test_readers_without_tools(self, client_for, other_action, role):
        response = client_for(role).get(detail_url(other_action))
        assert response.status_code == 200
        assertNotContains(response, reverse("actions:record_progress", args=[other_action.pk]))
        assertNotContains(response, reverse("actions:milestone_add", args=[other_action.pk]))
        assertContains(response, "Seuls le service pilote et la coordination mettent à jour cette action.")

    def test_archived_action(self, coordination_client, objective):
        action = ActionFactory(objective=objective, archived=True)
        response = coordination_client.get(detail_url(action))
        assertContains(response, '<span class="c-badge c-badge--archived">Archivée</span>')
        assertContains(response, "Cette action est archivée.")
        assertContains(response, "Réactiver")
        assertNotContains(response, reverse("actions:record_progress", args=[action.pk]))
        assertNotContains(response, reverse("actions:budget_add", args=[action.pk]))

    def test_unknown_action_is_404(self, coordination_client, db):
        assert coordination_client.get(reverse("actions:detail", args=[999_999])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client, own_action):
        response = client.get(detail_url(own_action))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def form_data(action: Action | None = None, **overrides) -> dict:
    """A complete POST of the fiche form, from an action's saved values."""
    data = {
        "code": action.code if action else "FA9.9",
        "title": action.title if action else "Nouvelle action",
        "objective": action.objective_id if action else "",
        "finding": action.finding if action else "",
        "description": action.description if action else "",
        "pilot_service": action.pilot_service_id if action else "",
        "pilot_name": action.pilot_name if action else "",
        "start_date": action.start_date.isoformat() if action and action.start_date else "",
        "end_date": action.end_date.isoformat() if action and action.end_date else "",
        "priority": action.priority if action else "medium",
        "human_resources": action.human_resources if action else "",
        "related_plans": action.related_plans if action else "",
        "participation": action.participation if action else "none",
        "version": action.version if action else 1,
    }
    if action:
        data["publics"] = list(action.publics.values_list("pk", flat=True))
        data["territories"] = list(action.territories.values_list("pk", flat=True))
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class TestCreate:
    def post(self, client, **data):
        return client.post(reverse("actions:create"), data)

    def valid(self, objective, service, **overrides) -> dict:
        data = form_data(
            objective=objective.pk,
            pilot_service=service.pk,
            start_date="2025-01-01",
            end_date="2025-12-31",
            title="Créer un lieu d'accueil enfants-parents",
        )
        data.update(overrides)
        return data

    def test_form_page(self, coordination_client, objective, convention):
        response = coordination_client.get(reverse("actions:create"))
        assert response.status_code == 200
        assertContains(response, "Nouvelle fiche action")
        assertContains(response, convention.name)
        assertContains(response, '<input type="hidden" name="version" value="1" id="id_version">', html=True)

    def test_form_offers_only_the_objectives_of_the_convention(self, coordination_client, objective):
        foreign = ObjectiveFactory(axis__convention=ConventionFactory(status="drafting"))
        response = coordination_client.get(reverse("actions:create"))
        objectives = field_group(response, "objective")
        assert f'value="{objective.pk}"' in objectives
        assert f'value="{foreign.pk}"' not in objectives

    def test_preselected_objective_and_convention(self, coordination_client, objective):
        drafting = ConventionFactory(status="drafting", name="CTG 2027-2031")
        foreign = ObjectiveFactory(axis__convention=drafting)
        response = coordination_client.get(
            reverse("actions:create"), {"convention": drafting.pk, "objective": foreign.pk}
        )
        assertContains(response, "CTG 2027-2031")
        assert f'<option value="{foreign.pk}" selected>' in field_group(response, "objective")

    def test_without_any_convention_redirects_to_the_conventions(self, coordination_client):
        response = coordination_client.get(reverse("actions:create"))
        assertRedirects(response, reverse("ctg:convention_list"), fetch_redirect_response=False)

    def test_valid_create_redirects_to_the_new_fiche(self, coordination_client, coordination, objective, service):
        parents = TargetPublic.objects.get(label="Parents")
        district = TerritoryFactory(name="Centre-ville")
        data = self.valid(objective, service, publics=[parents.pk], territories=[district.pk])
        response = self.post(coordination_client, **data)
        action = Action.objects.get(code="FA9.9")
        assertRedirects(response, detail_url(action), fetch_redirect_response=False)
        assert action.title == "Créer un lieu d'accueil enfants-parents"
        assert action.status == "to_start" and action.progress == 0 and action.version == 1
        assert list(action.publics.all()) == [parents]
        assert list(action.territories.all()) == [district]
        assert action.history.get().history_user == coordination
        assert messages_of(response) == [f"La fiche « {action} » a été créée."]

    def test_end_before_start_keeps_the_input(self, coordination_client, objective, service):
        data = self.valid(objective, service, start_date="2025-06-01", end_date="2025-05-31", title="Mon intitulé")
        response = self.post(coordination_client, **data)
        assert response.status_code == 200
        assert not Action.objects.exists()
        end = field_group(response, "end_date")
        assert END_BEFORE_START in end
        assert 'value="2025-05-31"' in end
        assert END_BEFORE_START not in field_group(response, "start_date")
        assert 'value="Mon intitulé"' in field_group(response, "title")
        assert f'<option value="{objective.pk}" selected>' in field_group(response, "objective")

    def test_duplicate_code_in_the_same_convention(self, coordination_client, own_action, objective, service):
        response = self.post(coordination_client, **self.valid(objective, service, code="fa1.1"))
        assert response.status_code == 200
        code = field_group(response, "code")
        assert CODE_TAKEN in code
        assert 'value="fa1.1"' in code
        assert Action.objects.count() == 1

    def test_same_code_in_another_convention_is_allowed(self, coordination_client, own_action, service):
        drafting = ConventionFactory(status="drafting")
        foreign = ObjectiveFactory(axis__convention=drafting)
        response = coordination_client.post(
            f"{reverse('actions:create')}?convention={drafting.pk}", self.valid(foreign, service, code="FA1.1")
        )
        assert response.status_code == 302
        assert Action.objects.filter(code="FA1.1").count() == 2

    def test_objective_of_another_convention_is_refused(self, coordination_client, objective, service):
        foreign = ObjectiveFactory(axis__convention=ConventionFactory(status="drafting"))
        response = self.post(coordination_client, **self.valid(foreign, service))
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in field_group(response, "objective")
        assert not Action.objects.exists()

    def test_required_fields(self, coordination_client, objective):
        response = self.post(coordination_client, version=1, priority="medium", participation="none")
        assert response.status_code == 200
        for name in ["code", "title", "objective", "pilot_service"]:
            assert "Ce champ est obligatoire." in field_group(response, name)

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head", "tech_admin"])
    def test_only_the_coordination_creates(self, client_for, objective, service, role):
        client = client_for(role)
        assert client.get(reverse("actions:create")).status_code == 403
        assert self.post(client, **self.valid(objective, service)).status_code == 403
        assert not Action.objects.exists()


class TestEdit:
    def url(self, action):
        return reverse("actions:edit", args=[action.pk])

    def test_form_page_shows_the_saved_values(self, coordination_client, own_action):
        response = coordination_client.get(self.url(own_action))
        assert response.status_code == 200
        assertContains(response, "Modifier la fiche FA1.1")
        assert 'value="Action du service"' in field_group(response, "title")
        assertContains(response, '<input type="hidden" name="version" value="1" id="id_version">', html=True)

    def test_valid_edit(self, coordination_client, own_action):
        response = coordination_client.post(self.url(own_action), form_data(own_action, title="Nouveau titre"))
        assertRedirects(response, detail_url(own_action), fetch_redirect_response=False)
        own_action.refresh_from_db()
        assert own_action.title == "Nouveau titre"
        assert own_action.version == 2
        assert messages_of(response) == ["La fiche a été enregistrée."]

    def test_edit_keeps_status_and_progress(self, coordination_client, own_action):
        data = form_data(own_action, status="done", progress=100)
        coordination_client.post(self.url(own_action), data)
        own_action.refresh_from_db()
        assert (own_action.status, own_action.progress) == ("in_progress", 40)

    def test_end_before_start(self, coordination_client, own_action):
        data = form_data(own_action, start_date="2025-06-01", end_date="2025-01-01")
        response = coordination_client.post(self.url(own_action), data)
        assert response.status_code == 200
        assert END_BEFORE_START in field_group(response, "end_date")
        own_action.refresh_from_db()
        assert own_action.end_date != date(2025, 1, 1)
        assert own_action.version == 1

    def test_code_of_another_fiche_is_taken(self, coordination_client, own_action, other_action):
        response = coordination_client.post(self.url(own_action), form_data(own_action, code="FA2.1"))
        assert CODE_TAKEN in field_group(response, "code")
        own_action.refresh_from_db()
        assert own_action.code == "FA1.1"

    def test_keeping_its_own_code_is_fine(self, coordination_client, own_action):
        response = coordination_client.post(self.url(own_action), form_data(own_action, code="fa1.1"))
        assert response.status_code == 302

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head", "tech_admin"])
    def test_only_the_coordination_edits(self, client_for, own_action, role):
        client = client_for(role)
        assert client.get(self.url(own_action)).status_code == 403
        assert client.post(self.url(own_action), form_data(own_action, title="Piraté")).status_code == 403
        own_action.refresh_from_db()
        assert own_action.title == "Action du service"


class TestStaleEdit:
    """Two people edit the same fiche: the second save must not silently overwrite the first."""

    @pytest.fixture
    def other_editor(self, db):
        return UserFactory(coordination=True, first_name="Bruno", last_name="Lefèvre", username="bruno")

    def test_second_save_with_an_old_version_is_refused_then_confirmed(
        self, client, coordination, other_editor, own_action
    ):
        url = reverse("actions:edit", args=[own_action.pk])
        # Coordination opens the form at version 1.
        client.force_login(coordination)
        page = client.get(url)
        assertContains(page, '<input type="hidden" name="version" value="1" id="id_version">', html=True)
        stale_data = form_data(own_action, title="Titre de Claire", pilot_name="Claire")

        # Meanwhile Bruno saves the fiche.
        bruno = Client()
        bruno.force_login(other_editor)
        response = bruno.post(url, form_data(own_action, title="Titre de Bruno", priority="high"))
        assert response.status_code == 302
        own_action.refresh_from_db()
        assert own_action.version == 2

        # Coordination saves with version 1.
        response = client.post(url, stale_data)
        assert response.status_code == 200
        html = response.content.decode()
        message = STALE_EDIT.format(author="Bruno Lefèvre", date="XX").split(" le XX")[0]
        assert message in html.replace("&#x27;", "'")
        assert "Vérifiez, puis enregistrez à nouveau pour confirmer." in html
        # The second person's input is kept...
        assert 'value="Titre de Claire"' in field_group(response, "title")
        assert 'value="Claire"' in field_group(response, "pilot_name")
        # ... the value saved meanwhile is shown next to the field that differs ...
        assert "Valeur enregistrée entre-temps : Titre de Bruno" in field_group(response, "title")
        assert "Valeur enregistrée entre-temps : Haute" in field_group(response, "priority")
        assert "Valeur enregistrée entre-temps" not in field_group(response, "code")
        # ... the form now carries the current version ...
        assertContains(response, '<input type="hidden" name="version" value="2" id="id_version">', html=True)
        # ... and the database keeps Bruno's save.
        own_action.refresh_from_db()
        assert (own_action.title, own_action.priority, own_action.pilot_name) == ("Titre de Bruno", "high", "")
        assert own_action.version == 2

        # Re-posting the form as shown (now at version 2) confirms the edit.
        response = client.post(url, {**stale_data, "version": 2})
        assertRedirects(response, detail_url(own_action), fetch_redirect_response=False)
        own_action.refresh_from_db()
        assert (own_action.title, own_action.pilot_name, own_action.version) == ("Titre de Claire", "Claire", 3)

    def test_stale_edit_is_reported_even_when_nothing_else_changed(self, coordination_client, own_action):
        url = reverse("actions:edit", args=[own_action.pk])
        data = form_data(own_action, title="Premier")
        assert coordination_client.post(url, data).status_code == 302
        # The same person re-posts an old tab of the form.
        response = coordination_client.post(url, {**data, "title": "Second"})
        assert response.status_code == 200
        own_action.refresh_from_db()
        assert own_action.title == "Premier"

    def test_stale_edit_message_gives_the_local_time_of_the_other_save(
        self, client, coordination, other_editor, own_action
    ):
        """The time of the other save is shown in the user's time zone (Europe/Paris), like every date."""
        url = reverse("actions:edit", args=[own_action.pk])
        bruno = Client()
        bruno.force_login(other_editor)
        bruno.post(url, form_data(own_action, title="Titre de Bruno"))
        saved_at = timezone.localtime(own_action.history.first().history_date)
        client.force_login(coordination)
        response = client.post(url, form_data(own_action, title="Titre de Claire"))
        expected = STALE_EDIT.format(author="Bruno Lefèvre", date=f"{saved_at:%d/%m/%Y à %H:%M}")
        assert expected in response.content.decode().replace("&#x27;", "'")

    def test_missing_version_is_refused(self, coordination_client, own_action):
        data = form_data(own_action, title="Sans version")
        del data["version"]
        response = coordination_client.post(reverse("actions:edit", args=[own_action.pk]), data)
        assert response.status_code == 200
        own_action.refresh_from_db()
        assert own_action.title == "Action du service"


class TestArchive:
    def test_archive_then_restore(self, coordination_client, coordination, own_action):
        url = reverse("actions:archive", args=[own_action.pk])
        response = coordination_client.post(url)
        assertRedirects(response, detail_url(own_action), fetch_redirect_response=False)
        own_action.refresh_from_db()
        assert own_action.archived_at is not None
        assert messages_of(response) == ["La fiche a été archivée."]
        assert own_action.history.first().history_user == coordination

        response = coordination_client.post(url)
        own_action.refresh_from_db()
        assert own_action.archived_at is None
        assert messages_of(response)[-1] == "La fiche a été réactivée."

    def test_history_shows_the_archiving_time_in_local_time(self, coordination_client, own_action):
        coordination_client.post(reverse("actions:archive", args=[own_action.pk]))
        own_action.refresh_from_db()
        archived_at = timezone.localtime(own_action.archived_at)
        response = coordination_client.get(detail_url(own_action))
        assert re.search(
            rf"Archivée le : <del>.*?—</del> → <ins>.*?{archived_at:%d/%m/%Y %H:%M}</ins>", response.content.decode()
        )

    def test_archived_action_leaves_the_plan(self, coordination_client, own_action):
        coordination_client.post(reverse("actions:archive", args=[own_action.pk]))
        assertNotContains(coordination_client.get(reverse("actions:list")), "FA1.1")
        assertContains(coordination_client.get(reverse("actions:list"), {"archived": "on"}), "FA1.1")

    def test_get_is_not_allowed(self, coordination_client, own_action):
        assert coordination_client.get(reverse("actions:archive", args=[own_action.pk])).status_code == 405
        own_action.refresh_from_db()
        assert own_action.archived_at is None

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head", "tech_admin"])
    def test_only_the_coordination_archives(self, client_for, own_action, role):
        assert client_for(role).post(reverse("actions:archive", args=[own_action.pk])).status_code == 403
        own_action.refresh_from_db()
        assert own_action.archived_at is None


class TestDelete:
    def url(self, action):
        return reverse("actions:delete", args=[action.pk])

    def test_confirmation_page(self, coordination_client, own_action):
        response = coordination_client.get(self.url(own_action))
        assert response.status_code == 200
        assertContains(response, "Supprimer « FA1.1 – Action du service » ?")
        assert Action.objects.filter(pk=own_action.pk).exists()

    def test_delete_without_point_d_etape(self, coordination_client, own_action):
        MilestoneFactory(action=own_action)
        BudgetLineFactory(action=own_action)
        ActionPartnerFactory(action=own_action)
        response = coordination_client.post(self.url(own_action))
        assertRedirects(response, reverse("actions:list"), fetch_redirect_response=False)
        assert not Action.objects.filter(pk=own_action.pk).exists()
        assert messages_of(response) == ["La fiche « FA1.1 – Action du service » a été supprimée."]

    def test_delete_refused_with_a_point_d_etape(self, coordination_client, own_action):
        ProgressUpdateFactory(action=own_action)
        response = coordination_client.post(self.url(own_action), follow=True)
        assertRedirects(response, detail_url(own_action))
        assertContains(response, HAS_UPDATES.replace("'", "&#x27;"))
        assert Action.objects.filter(pk=own_action.pk).exists()

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head", "tech_admin"])
    def test_only_the_coordination_deletes(self, client_for, own_action, role):
        assert client_for(role).post(self.url(own_action)).status_code == 403
        assert Action.objects.filter(pk=own_action.pk).exists()
