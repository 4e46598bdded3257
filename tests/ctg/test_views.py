from datetime import date

import pytest
from django.urls import reverse

from ctg.models import END_BEFORE_START, PARENT_MUST_BE_STRATEGIC, Axis, Convention, Objective, Service, Territory
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ConventionFactory, ObjectiveFactory, UserFactory

HTMX = {"HX-Request": "true"}


class TestLanding:
    @pytest.mark.parametrize("role", ["coordination", "tech_admin"])
    def test_coordination_and_admin_land_on_the_current_convention(self, client_for, convention, role):
        response = client_for(role).get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("ctg:overview", args=[convention.pk])

    @pytest.mark.parametrize("role", ["direction", "elected"])
    def test_direction_and_elected_land_on_the_dashboard(self, client_for, convention, role):
        response = client_for(role).get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("reports:dashboard")
        assert response.status_code == 200

    def test_service_head_lands_on_my_actions(self, client_for):
        response = client_for("service_head").get(reverse("home"))
        assert response.url == reverse("actions:mine")

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("actions:list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_login_then_lands_on_own_page(self, client, service_head):
        response = client.post(reverse("login"), {"username": service_head.username, "password": "demo"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("actions:mine")

    def test_wrong_password_shows_french_error(self, client, service_head):
        response = client.post(reverse("login"), {"username": service_head.username, "password": "nope"})
        assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.text

    def test_without_convention_the_overview_leads_to_the_list(self, client_for):
        response = client_for("direction").get(reverse("ctg:current"))
        assert response.url == reverse("ctg:convention_list")

    def test_current_prefers_the_convention_in_force(self, db):
        ConventionFactory(status="drafting", start_date=date(2027, 1, 1), end_date=date(2031, 12, 31))
        in_force = ConventionFactory(status="in_force")
        assert Convention.objects.current() == in_force


class TestPasswordReset:
    def test_reset_email_is_sent_in_french(self, client, coordination, mailoutbox):
        response = client.post(reverse("password_reset"), {"email": coordination.email})
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert "nouveau mot de passe" in mailoutbox[0].subject
        assert "/compte/mot-de-passe/nouveau/" in mailoutbox[0].body

    def test_password_change(self, client_for, coordination):
        response = client_for("coordination").post(
            reverse("password_change"),
            {
                "old_password": "demo",
                "new_password1": "Une phrase de passe longue",
                "new_password2": "Une phrase de passe longue",
            },
        )
        assert response.url == reverse("password_change_done")
        coordination.refresh_from_db()
        assert coordination.check_password("Une phrase de passe longue")


class TestConvention:
    def test_coordination_creates_a_convention(self, client_for, db):
        commune = Territory.objects.create(name="Joinville-le-Pont", kind="commune")
        response = client_for("coordination").post(
            reverse("ctg:convention_create"),
            {
                "name": "CTG 2027–2031",
                "status": "drafting",
                "territory": commune.pk,
                "caf_name": "Caf du Val-de-Marne",
                "start_date": "2027-01-01",
                "end_date": "2031-12-31",
                "stale_after_days": 60,
            },
        )
        convention = Convention.objects.get(name="CTG 2027–2031")
        assert response.url == reverse("ctg:overview", args=[convention.pk])
        assert convention.stale_after_days == 60

    def test_end_before_start_is_refused_and_input_kept(self, client_for, convention):
        response = client_for("coordination").post(
            reverse("ctg:convention_edit", args=[convention.pk]),
            {
                "name": "Nom modifié",
                "status": "in_force",
                "territory": convention.territory_id,
                "caf_name": "Caf",
                "start_date": "2026-01-01",
                "end_date": "2025-01-01",
                "stale_after_days": 90,
            },
        )
        assert response.status_code == 200
        assert END_BEFORE_START in response.text
        assert 'value="Nom modifié"' in response.text
        convention.refresh_from_db()
        assert convention.name != "Nom modifié"

    def test_signatory_and_amendment(self, client_for, convention):
        client = client_for("coordination")
        client.post(
            reverse("ctg:signatory_create", args=[convention.pk]),
            {"organisation": "Ville", "person": "Jean Dupont", "title": "maire"},
        )
        client.post(
            reverse("ctg:amendment_create", args=[convention.pk]),
            {"number": 1, "signed_on": "2024-02-01", "subject": "Nouvelle fiche"},
        )
        page = client.get(reverse("ctg:overview", args=[convention.pk])).text
        assert "Jean Dupont" in page and "Nouvelle fiche" in page

    def test_duplicate_amendment_number_is_refused(self, client_for, convention):
        client = client_for("coordination")
        data = {"number": 1, "signed_on": "2024-02-01", "subject": "Avenant"}
        client.post(reverse("ctg:amendment_create", args=[convention.pk]), data)
        response = client.post(reverse("ctg:amendment_create", args=[convention.pk]), data)
        assert response.status_code == 200
        assert convention.amendments.count() == 1
        assert "Un avenant porte déjà ce numéro dans cette convention." in response.text


class TestAxesAndObjectives:
    def test_coordination_builds_the_tree(self, client_for, convention):
        client = client_for("coordination")
        client.post(
            reverse("ctg:axis_create", args=[convention.pk]),
            {"code": "A1", "title": "Petite enfance", "theme": "early_childhood", "order": 1},
        )
        axis = Axis.objects.get(convention=convention, code="A1")
        client.post(
            reverse("ctg:objective_create", args=[convention.pk]),
            {"axis": axis.pk, "level": "strategic", "code": "OS1.1", "title": "Accueillir", "order": 1},
        )
        strategic = Objective.objects.get(code="OS1.1")
        response = client.post(
            reverse("ctg:objective_create", args=[convention.pk]),
            {
                "axis": axis.pk,
                "level": "operational",
                "parent": strategic.pk,
                "code": "OO1.1.1",
                "title": "Créer",
                "order": 1,
            },
        )
        assert response.status_code == 302
        page = client.get(reverse("ctg:overview", args=[convention.pk])).text
        assert "OS1.1" in page and "OO1.1.1" in page

    def test_operational_objective_needs_a_strategic_parent(self, client_for, convention):
        axis = AxisFactory(convention=convention)
        response = client_for("coordination").post(
            reverse("ctg:objective_create", args=[convention.pk]),
            {"axis": axis.pk, "level": "operational", "code": "OO9", "title": "Orphelin", "order": 1},
        )
        assert response.status_code == 200
        assert PARENT_MUST_BE_STRATEGIC in response.text
        assert not Objective.objects.filter(code="OO9").exists()

    def test_axis_of_another_convention_cannot_be_chosen(self, client_for, convention):
        foreign_axis = AxisFactory()
        response = client_for("coordination").post(
            reverse("ctg:objective_create", args=[convention.pk]),
            {"axis": foreign_axis.pk, "level": "strategic", "code": "OS9", "title": "Ailleurs", "order": 1},
        )
        assert response.status_code == 200
        assert not Objective.objects.filter(code="OS9").exists()

    def test_objective_with_actions_cannot_be_deleted(self, client_for, own_action):
        objective = own_action.objective
        response = client_for("coordination").post(reverse("ctg:objective_delete", args=[objective.pk]), follow=True)
        assert Objective.objects.filter(pk=objective.pk).exists()
        assert "Suppression impossible" in response.text

    def test_empty_objective_is_deleted_after_confirmation(self, client_for, convention):
        objective = ObjectiveFactory(axis__convention=convention)
        client = client_for("coordination")
        assert "Supprimer" in client.get(reverse("ctg:objective_delete", args=[objective.pk])).text
        client.post(reverse("ctg:objective_delete", args=[objective.pk]))
        assert not Objective.objects.filter(pk=objective.pk).exists()

    def test_overview_counts_and_progress_per_axis(self, client_for, own_action, other_action):
        own_action.progress, other_action.progress = 20, 60
        own_action.save()
        other_action.save()
        page = client_for("elected").get(reverse("ctg:overview", args=[own_action.convention.pk])).text
        assert "2 actions" in page
        assert "40 %" in page


class TestOverviewFold:
    """The overview shows axes and objectives with their counts; an objective's actions come on demand, ten at
    a time, as an htmx fragment or (without JavaScript) as the same page with that objective unfolded."""

    @pytest.fixture
    def thirty(self, objective):
        ActionFactory(objective=objective, code="ZARCH", archived=True)
        return [ActionFactory(objective=objective, code=f"O{n:02d}", late=n == 3) for n in range(1, 31)]

    def url(self, of, **params):
        """The overview of the convention of objective `of`, with `params` written as the templates do."""
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return reverse("ctg:overview", args=[of.axis.convention_id]) + (f"?{query}" if query else "")

    def test_objectives_show_their_counts_not_their_actions(self, client_for, objective, thirty):
        page = client_for("elected").get(self.url(objective)).text
        assert objective.code in page
        assert "<strong>O01</strong>" not in page
        assert '30 actions<span class="u-visually-hidden"> de l\'objectif' in page
        assert '<span class="c-badge c-badge--late">1 en retard</span>' in page
        assert f'data-hx-get="{self.url(objective, objective=objective.pk)}"' in page
        assert f'href="{self.url(objective, objective=objective.pk)}#objective-{objective.pk}-actions"' in page

    def test_htmx_fragment_lists_the_first_10_actions(self, client_for, objective, thirty):
        response = client_for("elected").get(self.url(objective, objective=objective.pk), headers=HTMX)
        html = response.text
        assert response.status_code == 200
        assert "<h1" not in html
        assert html.count('<li class="c-tree__action">') == 10
        assert "<strong>O10</strong>" in html
        assert "<strong>O11</strong>" not in html and "ZARCH" not in html
        assert f"objective={objective.pk}&amp;page=2#objective-{objective.pk}-actions" in html
        assert f"?convention={objective.axis.convention_id}&amp;objective={objective.pk}" in html

    def test_last_page_of_the_fragment(self, client_for, objective, thirty):
        html = client_for("elected").get(self.url(objective, objective=objective.pk, page=3), headers=HTMX).text
        assert html.count('<li class="c-tree__action">') == 10
        assert "<strong>O21</strong>" in html and "<strong>O30</strong>" in html
        assert f"objective={objective.pk}&amp;page=2#objective-{objective.pk}-actions" in html

    def test_without_javascript_the_page_unfolds_that_objective(self, client_for, objective, thirty):
        other = ObjectiveFactory(axis=objective.axis)
        ActionFactory(objective=other, code="OTHER")
        html = client_for("elected").get(self.url(objective, objective=objective.pk)).text
        assert "<h1>" in html
        assert html.count('<li class="c-tree__action">') == 10
        assert "OTHER" not in html
        assert '<details class="c-tree__fold" open>' in html

    @pytest.mark.parametrize("value", ["999999", "abc", "²", ""])
    def test_unknown_objective_is_404(self, client_for, objective, value):
        response = client_for("elected").get(self.url(objective, objective=value), headers=HTMX)
        assert response.status_code == 404

    def test_objective_of_another_convention_is_404(self, client_for, objective):
        foreign = ObjectiveFactory()
        response = client_for("elected").get(self.url(objective, objective=foreign.pk))
        assert response.status_code == 404


class TestServicesAndTerritories:
    def test_head_must_belong_to_the_service(self, client_for, service):
        outsider = UserFactory(service_head=True)
        response = client_for("coordination").post(
            reverse("ctg:service_edit", args=[service.pk]),
            {"name": service.name, "kind": "service", "head": outsider.pk},
        )
        assert response.status_code == 200
        service.refresh_from_db()
        assert service.head is None

    def test_head_chosen_among_members(self, client_for, service, service_head):
        client_for("coordination").post(
            reverse("ctg:service_edit", args=[service.pk]),
            {"name": service.name, "kind": "service", "head": service_head.pk},
        )
        assert Service.objects.get(pk=service.pk).head == service_head

    def test_territory_created_and_listed(self, client_for, db):
        client = client_for("coordination")
        client.post(reverse("ctg:territory_create"), {"name": "Palissy", "kind": "district", "is_qpv": "on"})
        assert Territory.objects.get(name="Palissy").is_qpv
        assert "Palissy" in client.get(reverse("ctg:territory_list")).text


class TestErrorPages:
    def test_unknown_url_shows_the_french_404_page(self, client_for):
        response = client_for("direction").get("/nulle-part/")
        assert response.status_code == 404
        assert "Page introuvable" in response.text

    def test_refused_write_shows_the_french_403_page(self, client_for, convention):
        response = client_for("elected").get(reverse("ctg:convention_edit", args=[convention.pk]))
        assert response.status_code == 403
        assert "Accès refusé" in response.text


def test_saved_message_names_the_record(client_for, db):
    response = client_for("coordination").post(
        reverse("ctg:territory_create"), {"name": "Polangis", "kind": "district"}, follow=True
    )
    assert "Enregistré : « Polangis »." in response.text
