"""The plan d'actions (actions:list) and "Mes actions" (actions:mine)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import TargetPublic
from tests.actions.factories import ActionFactory, ProgressUpdateFactory
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, TerritoryFactory, UserFactory

HTMX = {"HX-Request": "true"}
CODE = re.compile(r'<span class="c-action-card__code">([^<]*)</span>')


def codes(response) -> list[str]:
    """The codes of the action cards shown, in page order."""
    return CODE.findall(response.content.decode())


def select(response, name: str) -> str:
    """The HTML of one <select> of the filter form."""
    match = re.search(rf'<select name="{name}".*?</select>', response.content.decode(), re.DOTALL)
    assert match, f"no <select name={name!r}>"
    return match.group()


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def list_client(client_for):
    return client_for("coordination")


def get_list(client, **params):
    return client.get(reverse("actions:list"), params)


class TestFilters:
    def test_no_filter_shows_every_active_action_of_the_convention(self, list_client, own_action, other_action):
        ActionFactory(code="ARCH", objective=own_action.objective, archived=True)
        ActionFactory(code="OTHER-CTG", objective=ObjectiveFactory(axis__convention=ConventionFactory()))
        response = get_list(list_client)
        assert response.status_code == 200
        assert codes(response) == ["FA1.1", "FA2.1"]
        assertContains(response, "2 actions")

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("fa1", ["FA1.1"]),  # code, case-insensitive
            ("ludothèque", ["FA2.1"]),  # title
            ("itinérante", ["FA3.1"]),  # description
            ("Maëlle", ["FA1.1"]),  # référent·e
            ("introuvable", []),
        ],
    )
    def test_free_text_search(self, list_client, objective, query, expected):
        ActionFactory(objective=objective, code="FA1.1", title="Relais petite enfance", pilot_name="Maëlle Roux")
        ActionFactory(objective=objective, code="FA2.1", title="Ouvrir une ludothèque")
        ActionFactory(objective=objective, code="FA3.1", title="Médiation", description="Une médiation itinérante.")
        response = get_list(list_client, q=query)
        assert codes(response) == expected
        if not expected:
            assertContains(response, "Aucune action ne correspond à ces critères.")

    def test_axis(self, list_client, objective, convention):
        other_axis_objective = ObjectiveFactory(axis__convention=convention)
        ActionFactory(objective=objective, code="A1")
        ActionFactory(objective=other_axis_objective, code="A2")
        assert codes(get_list(list_client, axis=objective.axis_id)) == ["A1"]
        assert codes(get_list(list_client, axis=other_axis_objective.axis_id)) == ["A2"]

    def test_objective_includes_its_operational_sub_objectives(self, list_client, objective):
        strategic = objective.parent
        sibling = ObjectiveFactory(axis=objective.axis, parent=strategic)
        elsewhere = ObjectiveFactory(axis=objective.axis)  # another strategic objective
        ActionFactory(objective=objective, code="O1")
        ActionFactory(objective=sibling, code="O2")
        ActionFactory(objective=strategic, code="O3")
        ActionFactory(objective=elsewhere, code="O4")
        assert codes(get_list(list_client, objective=strategic.pk)) == ["O1", "O2", "O3"]
        assert codes(get_list(list_client, objective=objective.pk)) == ["O1"]
        assert codes(get_list(list_client, objective=elsewhere.pk)) == ["O4"]

    def test_objective_of_another_convention_is_not_a_choice(self, list_client, own_action):
        foreign = ObjectiveFactory(axis__convention=ConventionFactory(status="drafting"))
        ActionFactory(objective=foreign, code="FOREIGN")
        response = get_list(list_client, objective=foreign.pk)
        # The invalid choice is reported and ignored, and the foreign action never leaks into this convention.
        assert codes(response) == ["FA1.1"]
        assertContains(response, "Sélectionnez un choix valide")

    def test_pilot_service(self, list_client, own_action, other_action, service, other_service):
        assert codes(get_list(list_client, pilot_service=service.pk)) == ["FA1.1"]
        assert codes(get_list(list_client, pilot_service=other_service.pk)) == ["FA2.1"]

    def test_status(self, list_client, objective):
        ActionFactory(objective=objective, code="S1", status="in_progress")
        ActionFactory(objective=objective, code="S2", done=True)
        ActionFactory(objective=objective, code="S3", status="suspended")
        assert codes(get_list(list_client, status="done")) == ["S2"]
        assert codes(get_list(list_client, status="suspended")) == ["S3"]
        assert codes(get_list(list_client, status="to_start")) == []

    def test_territory(self, list_client, objective):
        north, south = TerritoryFactory(name="Quartier Nord"), TerritoryFactory(name="Quartier Sud")
        ActionFactory(objective=objective, code="T1").territories.set([north])
        ActionFactory(objective=objective, code="T2").territories.set([north, south])
        ActionFactory(objective=objective, code="T3")
        assert codes(get_list(list_client, territory=north.pk)) == ["T1", "T2"]  # distinct: T2 only once
        assert codes(get_list(list_client, territory=south.pk)) == ["T2"]
        assertContains(get_list(list_client, territory=north.pk), "2 actions")

    def test_public(self, list_client, objective):
        parents, seniors = (
            TargetPublic.objects.create(label="Parents test"),
            TargetPublic.objects.create(label="Aînés"),
        )
        ActionFactory(objective=objective, code="P1").publics.set([parents, seniors])
        ActionFactory(objective=objective, code="P2").publics.set([seniors])
        ActionFactory(objective=objective, code="P3")
        assert codes(get_list(list_client, public=parents.pk)) == ["P1"]
        assert codes(get_list(list_client, public=seniors.pk)) == ["P1", "P2"]

    def test_late(self, list_client, objective):
        ActionFactory(objective=objective, code="L1", late=True)
        ActionFactory(objective=objective, code="L2", late=True, done=True)
        ActionFactory(objective=objective, code="L3", late=True, status="abandoned")
        ActionFactory(objective=objective, code="L4", late=True, status="suspended")
        ActionFactory(objective=objective, code="L5")  # ends in the future
        ActionFactory(objective=objective, code="L6", end_date=None)
        ActionFactory(objective=objective, code="L7", end_date=timezone.localdate())  # ends today: not yet late
        response = get_list(list_client, late="on")
        assert codes(response) == ["L1", "L4"]
        assertContains(response, "En retard", count=2 + 1)  # two badges and the filter label

    def test_without_news(self, list_client, objective):
        ActionFactory(objective=objective, code="N1", stale=True)  # created 200 days ago, no point d'étape
        ActionFactory(objective=objective, code="N2", stale=True, done=True)
        ActionFactory(objective=objective, code="N3", stale=True, status="abandoned")
        ActionFactory(objective=objective, code="N4")  # created now
        recent = ActionFactory(objective=objective, code="N5", stale=True)
        ProgressUpdateFactory(action=recent, recorded_at=days_ago(10))
        old = ActionFactory(objective=objective, code="N6", stale=True)
        ProgressUpdateFactory(action=old, recorded_at=days_ago(120))
        ProgressUpdateFactory(action=old, recorded_at=days_ago(150))
        assert codes(get_list(list_client, without_news="on")) == ["N1", "N6"]

    def test_without_news_follows_the_convention_threshold(self, list_client, convention, objective):
        ActionFactory(objective=objective, code="D100", created_at=days_ago(100))
        with_update = ActionFactory(objective=objective, code="D60", created_at=days_ago(400))
        ProgressUpdateFactory(action=with_update, recorded_at=days_ago(60))
        ActionFactory(objective=objective, code="D20", created_at=days_ago(20))
        assert convention.stale_after_days == 90
        response = get_list(list_client, without_news="on")
        assert codes(response) == ["D100"]
        assertContains(response, "Sans nouvelles depuis 90 jours")

        convention.stale_after_days = 120
        convention.save()
        response = get_list(list_client, without_news="on")
        assert codes(response) == []
        assertContains(response, "Sans nouvelles depuis 120 jours")

        convention.stale_after_days = 30
        convention.save()
        assert codes(get_list(list_client, without_news="on")) == ["D100", "D60"]
        # The badge on the cards follows the same threshold.
        response = get_list(list_client)
        assertContains(response, '<span class="c-badge c-badge--stale">Sans nouvelles</span>', count=2)

    def test_without_news_threshold_is_per_convention(self, list_client, objective):
        strict = ConventionFactory(status="drafting", stale_after_days=10)
        strict_objective = ObjectiveFactory(axis__convention=strict)
        ActionFactory(objective=objective, code="LAX", created_at=days_ago(50))
        ActionFactory(objective=strict_objective, code="STRICT", created_at=days_ago(50))
        assert codes(get_list(list_client, without_news="on")) == []
        assert codes(get_list(list_client, without_news="on", convention=strict.pk)) == ["STRICT"]

    def test_archived_shows_only_archived_actions(self, list_client, objective):
        ActionFactory(objective=objective, code="AR1", archived=True)
        ActionFactory(objective=objective, code="AR2")
        assert codes(get_list(list_client)) == ["AR2"]
        response = get_list(list_client, archived="on")
        assert codes(response) == ["AR1"]
        assertContains(response, '<span class="c-badge c-badge--archived">Archivée</span>', count=1)

    def test_filters_combine(self, list_client, objective, service, other_service):
        ActionFactory(objective=objective, code="C1", pilot_service=service, late=True)
        ActionFactory(objective=objective, code="C2", pilot_service=service)
        ActionFactory(objective=objective, code="C3", pilot_service=other_service, late=True)
        assert codes(get_list(list_client, pilot_service=service.pk, late="on")) == ["C1"]

    def test_filter_form_keeps_the_chosen_values(self, list_client, own_action, service):
        response = get_list(list_client, q="enfance", pilot_service=service.pk, late="on", status="in_progress")
        html = response.content.decode()
        assert '<input type="search" name="q" id="id_q" value="enfance">' in html
        assert f'<option value="{service.pk}" selected>' in select(response, "pilot_service")
        assert '<option value="in_progress" selected>' in select(response, "status")
        assert '<option value="" selected>' in select(response, "axis")
        assert '<input type="checkbox" name="late" checked>' in html
        assert '<input type="checkbox" name="without_news" >' in html


class TestNoDuplicates:
    def test_territory_and_public_list_each_action_once_without_distinct(self, list_client, objective):
        """The through tables hold each (action, territory) and (action, public) pair once, so the list needs no
        DISTINCT (which made the database compare whole annotated rows)."""
        districts = [TerritoryFactory(name=f"Quartier {n}") for n in range(3)]
        publics = list(TargetPublic.objects.all()[:3])
        for n in range(3):
            action = ActionFactory(objective=objective, code=f"D{n}")
            action.territories.set(districts)
            action.publics.set(publics)
        with CaptureQueriesContext(connection) as queries:
            response = get_list(list_client, territory=districts[1].pk, public=publics[2].pk)
        assert codes(response) == ["D0", "D1", "D2"]
        assertContains(response, "3 actions")
        assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)


class TestSorting:
    @pytest.fixture
    def actions(self, objective):
        # code, title, status, progress, end date, last news (days ago)
        rows = [
            ("S1", "Dialogue", "in_progress", 50, 40, 20),
            ("S2", "Atelier", "to_start", 0, 20, 5),
            ("S3", "Crèche", "done", 100, 30, 60),
            ("S4", "Bilan", "recurring", 70, 10, 100),
        ]
        for code, title, status, progress, end_in, news in rows:
            action = ActionFactory(
                objective=objective,
                code=code,
                title=title,
                status=status,
                progress=progress,
                end_date=in_days(end_in),
                created_at=days_ago(news if code == "S2" else 300),
            )
            if code != "S2":
                ProgressUpdateFactory(action=action, recorded_at=days_ago(news))

    @pytest.mark.parametrize(
        "sort, expected",
        [
            (None, ["S1", "S2", "S3", "S4"]),
            ("code", ["S1", "S2", "S3", "S4"]),
            ("title", ["S2", "S4", "S3", "S1"]),
            ("status", ["S2", "S1", "S3", "S4"]),
            ("-progress", ["S3", "S4", "S1", "S2"]),
            ("progress", ["S2", "S1", "S4", "S3"]),
            ("end_date", ["S4", "S2", "S3", "S1"]),
            ("last_update", ["S4", "S3", "S1", "S2"]),
            ("nonsense", ["S1", "S2", "S3", "S4"]),
        ],
    )
    def test_sort(self, list_client, actions, sort, expected):
        params = {"sort": sort} if sort else {}
        response = get_list(list_client, **params)
        assert response.status_code == 200
        assert codes(response) == expected

    def test_sort_is_kept_with_filters(self, list_client, actions):
        assert codes(get_list(list_client, sort="-progress", without_news="on")) == ["S4"]
        assert codes(get_list(list_client, sort="title", q="a")) == ["S2", "S4", "S1"]


class TestPagination:
    @pytest.fixture
    def thirty_actions(self, objective):
        return [ActionFactory(objective=objective, code=f"P{n:02d}") for n in range(1, 31)]

    def test_first_page_holds_25_actions(self, list_client, thirty_actions):
        response = get_list(list_client)
        assert codes(response) == [f"P{n:02d}" for n in range(1, 26)]
        assertContains(response, "30 actions")
        assertContains(response, '<span aria-current="page">1</span>', html=True)
        assertContains(response, "Suivante")
        assertNotContains(response, "Précédente")

    def test_second_page(self, list_client, thirty_actions):
        response = get_list(list_client, page=2)
        assert codes(response) == [f"P{n:02d}" for n in range(26, 31)]
        assertContains(response, "30 actions")
        assertContains(response, '<span aria-current="page">2</span>', html=True)
        assertContains(response, "Précédente")
        assertNotContains(response, "Suivante")

    @pytest.mark.parametrize("page", ["99", "abc"])
    def test_out_of_range_or_invalid_page(self, list_client, thirty_actions, page):
        response = get_list(list_client, page=page)
        assert response.status_code == 200
        expected = [f"P{n:02d}" for n in range(26, 31)] if page == "99" else [f"P{n:02d}" for n in range(1, 26)]
        assert codes(response) == expected

    def test_page_links_keep_the_filters(self, list_client, thirty_actions, convention):
        response = get_list(list_client, convention=convention.pk, status="in_progress", page=1)
        html = response.content.decode()
        assert f"?convention={convention.pk}&amp;status=in_progress&amp;page=2" in html
        assert "page=1&amp;page" not in html  # the current page is not carried over

    def test_filters_apply_before_pagination(self, list_client, thirty_actions):
        response = get_list(list_client, q="P0")
        assert codes(response) == [f"P0{n}" for n in range(1, 10)]
        assertNotContains(response, 'class="c-pagination"')

    def test_no_pagination_for_a_single_page(self, list_client, own_action):
        assertNotContains(get_list(list_client), 'class="c-pagination"')


class TestConventionParameter:
    def test_defaults_to_the_convention_in_force(self, list_client, own_action):
        drafting = ConventionFactory(status="drafting", name="CTG en préparation")
        ActionFactory(objective=ObjectiveFactory(axis__convention=drafting), code="NEXT")
        response = get_list(list_client)
        assert codes(response) == ["FA1.1"]
        assertContains(response, own_action.convention.name)

    def test_shows_the_requested_convention(self, list_client, own_action):
        drafting = ConventionFactory(status="drafting", name="CTG en préparation")
        ActionFactory(objective=ObjectiveFactory(axis__convention=drafting), code="NEXT")
        response = get_list(list_client, convention=drafting.pk)
        assert codes(response) == ["NEXT"]
        assertContains(response, "CTG en préparation")
        assertContains(response, f'<input type="hidden" name="convention" value="{drafting.pk}">', html=True)

    def test_filter_choices_are_those_of_the_requested_convention(self, list_client, objective):
        drafting = ConventionFactory(status="drafting")
        foreign = ObjectiveFactory(axis__convention=drafting)
        response = get_list(list_client, convention=drafting.pk)
        axis_select = select(response, "axis")
        assert f'<option value="{foreign.axis_id}">' in axis_select
        assert f'<option value="{objective.axis_id}">' not in axis_select
        objective_select = select(response, "objective")
        assert f'<option value="{foreign.pk}">' in objective_select
        assert f'<option value="{objective.pk}">' not in objective_select

    def test_unknown_convention_is_404(self, list_client, own_action):
        assert get_list(list_client, convention=999_999).status_code == 404

    def test_non_numeric_convention_is_404(self, list_client, own_action):
        assert get_list(list_client, convention="abc").status_code == 404

    def test_empty_convention_means_the_current_one(self, list_client, own_action):
        assert codes(get_list(list_client, convention="")) == ["FA1.1"]

    def test_no_convention_at_all_is_404(self, client_for):
        assert client_for("coordination").get(reverse("actions:list")).status_code == 404


class TestHtmx:
    def test_htmx_request_returns_only_the_results(self, list_client, own_action, other_action, service):
        response = list_client.get(reverse("actions:list"), {"pilot_service": service.pk}, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith('<section id="results"')
        assert 'id="filters-title"' not in html
        assert codes(response) == ["FA1.1"]
        assertContains(response, "1 action<")

    def test_full_page_contains_filters_and_results(self, list_client, own_action):
        response = get_list(list_client)
        assertContains(response, "<html")
        assertContains(response, 'id="filters-title"')
        assertContains(response, 'id="results"')
        assertContains(response, 'data-hx-target="#results"')

    def test_htmx_pagination(self, list_client, objective):
        for n in range(1, 28):
            ActionFactory(objective=objective, code=f"H{n:02d}")
        response = list_client.get(reverse("actions:list"), {"page": 2}, headers=HTMX)
        assert "<html" not in response.content.decode()
        assert codes(response) == ["H26", "H27"]


class TestCards:
    def test_point_d_etape_link_only_where_the_user_may_record_one(self, client_for, own_action, other_action):
        response = client_for("service_head").get(reverse("actions:list"))
        own_url = reverse("actions:record_progress", args=[own_action.pk])
        other_url = reverse("actions:record_progress", args=[other_action.pk])
        assertContains(response, f'data-hx-get="{own_url}?origin=card"')
        assertNotContains(response, other_url)

    def test_coordination_may_record_on_every_card_and_create(self, list_client, own_action, other_action):
        response = get_list(list_client)
        for action in (own_action, other_action):
            assertContains(
                response, f'data-hx-get="{reverse("actions:record_progress", args=[action.pk])}?origin=card"'
            )
        assertContains(response, "Nouvelle fiche action")

    def test_elected_reads_without_tools(self, client_for, own_action):
        response = client_for("elected").get(reverse("actions:list"))
        assert codes(response) == ["FA1.1"]
        assertNotContains(response, "Nouvelle fiche action")
        assertNotContains(response, reverse("actions:record_progress", args=[own_action.pk]))

    def test_card_shows_last_update_and_flags(self, list_client, objective):
        action = ActionFactory(objective=objective, code="F1", late=True, stale=True)
        ProgressUpdateFactory(action=action, recorded_at=days_ago(100))
        response = get_list(list_client)
        assertContains(response, f"Dernier point : {timezone.localtime(days_ago(100)):%d/%m/%Y}")
        assertContains(response, "c-action-card--attention")
        assertContains(response, '<span class="c-badge c-badge--late">En retard</span>')
        assertContains(response, '<span class="c-badge c-badge--stale">Sans nouvelles</span>')


class TestMyActions:
    def url(self):
        return reverse("actions:mine")

    def test_only_the_active_actions_of_the_users_service(self, client_for, own_action, other_action, service):
        ActionFactory(objective=own_action.objective, pilot_service=service, code="FA1.9", archived=True)
        response = client_for("service_head").get(self.url())
        assert response.status_code == 200
        assert codes(response) == ["FA1.1"]
        assertContains(response, "Les fiches actions pilotées par Service petite enfance.")

    def test_includes_actions_of_every_convention(self, client_for, own_action, service):
        drafting_objective = ObjectiveFactory(axis__convention=ConventionFactory(status="drafting"))
        ActionFactory(objective=drafting_objective, pilot_service=service, code="FA0.1")
        assert codes(client_for("service_head").get(self.url())) == ["FA0.1", "FA1.1"]

    def test_actions_needing_an_update_come_first(self, client_for, objective, service):
        ActionFactory(objective=objective, pilot_service=service, code="M1")
        ActionFactory(objective=objective, pilot_service=service, code="M2", late=True)
        ActionFactory(objective=objective, pilot_service=service, code="M3")
        ActionFactory(objective=objective, pilot_service=service, code="M4", stale=True)
        ActionFactory(objective=objective, pilot_service=service, code="M5", late=True, done=True)
        fresh = ActionFactory(objective=objective, pilot_service=service, code="M6", stale=True)
        ProgressUpdateFactory(action=fresh, recorded_at=days_ago(5))
        response = client_for("service_head").get(self.url())
        assert codes(response) == ["M2", "M4", "M1", "M3", "M5", "M6"]
        assertContains(response, "2 actions attendent un point d'étape (en retard ou sans nouvelles)")

    def test_stale_threshold_follows_the_convention(self, client_for, convention, objective, service):
        ActionFactory(objective=objective, pilot_service=service, code="M1")
        ActionFactory(objective=objective, pilot_service=service, code="M2", created_at=days_ago(40))
        client = client_for("service_head")
        assert codes(client.get(self.url())) == ["M1", "M2"]
        convention.stale_after_days = 30
        convention.save()
        response = client.get(self.url())
        assert codes(response) == ["M2", "M1"]
        assertContains(response, "1 action attend un point d'étape")

    def test_everything_up_to_date(self, client_for, own_action):
        response = client_for("service_head").get(self.url())
        assertContains(response, "Toutes vos actions sont à jour.")

    def test_service_without_actions(self, client_for, other_action):
        response = client_for("service_head").get(self.url())
        assert codes(response) == []
        assertContains(response, "Votre service ne pilote aucune action pour l'instant.")

    @pytest.mark.parametrize("role", ["coordination", "direction", "elected", "tech_admin"])
    def test_user_without_service_gets_an_explanation(self, client_for, own_action, role):
        response = client_for(role).get(self.url())
        assert response.status_code == 200
        assert codes(response) == []
        assertContains(response, "Vous n'êtes rattaché·e à aucun service : aucune action ne vous est confiée.")

    def test_member_of_a_service_who_is_not_its_head_reads_without_tools(self, client, own_action, service):
        member = UserFactory(direction=True, service=service)
        client.force_login(member)
        response = client.get(self.url())
        assert codes(response) == ["FA1.1"]
        assertNotContains(response, reverse("actions:record_progress", args=[own_action.pk]))

    def test_other_service_head_sees_their_own(self, client, own_action, other_action, other_service):
        client.force_login(UserFactory(service_head=True, service=other_service))
        assert codes(client.get(self.url())) == ["FA2.1"]

    def test_ten_per_page_those_needing_an_update_first_across_pages(self, client_for, objective, service):
        for n in range(1, 24):
            ActionFactory(objective=objective, pilot_service=service, code=f"M{n:02d}", late=n in (7, 17))
        client = client_for("service_head")
        first = client.get(self.url())
        assert codes(first) == ["M07", "M17", "M01", "M02", "M03", "M04", "M05", "M06", "M08", "M09"]
        assertContains(first, "2 actions attendent un point d'étape")
        assertContains(first, '<span aria-current="page">1</span>', html=True)
        third = client.get(self.url(), {"page": 3})
        assert codes(third) == ["M21", "M22", "M23"]
        assertContains(third, "2 actions attendent un point d'étape")
        assertContains(third, 'href="?page=2"')

    @pytest.mark.parametrize("page", ["99", "abc", "²"])
    def test_out_of_range_or_invalid_page(self, client_for, own_action, page):
        response = client_for("service_head").get(self.url(), {"page": page})
        assert response.status_code == 200
        assert codes(response) == ["FA1.1"]
        assertNotContains(response, 'class="c-pagination"')
