"""Workshops and concertations: the form (good and bad input), the edit that writes only its own fields, the
list with its filters and totals, the proposals per axis, and fixed query budgets."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.forms.workshops import NEGATIVE_COUNT, NOT_A_COUNT, WorkshopForm
from evaluation.models import Workshop
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ConventionFactory, ObjectiveFactory
from tests.evaluation.factories import WorkshopFactory

LIST = reverse("evaluation:workshop_list")
PROPOSALS = reverse("evaluation:workshop_proposals")


def form_data(**changes) -> dict:
    data = {
        "held_on": "2026-03-14",
        "kind": "workshop",
        "topic": "Atelier parents – écrans",
        "place": "Ludothèque",
        "inhabitants": "18",
        "professionals": "3",
        "outcomes": "Des parents démunis face aux écrans.",
        "proposals": "Un atelier le samedi\nUne conférence au collège",
    }
    return data | changes


class TestWorkshopForm:
    def test_valid_with_axes_and_actions_of_the_convention(self, convention, objective, own_action):
        data = form_data(axes=[objective.axis_id], actions=[own_action.pk])
        form = WorkshopForm(data, instance=Workshop(convention=convention), convention=convention)
        assert form.is_valid(), form.errors
        workshop = form.save()
        assert list(workshop.axes.all()) == [objective.axis]
        assert list(workshop.actions.all()) == [own_action]
        assert workshop.participants == 21

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"inhabitants": "-3"}, "inhabitants", NEGATIVE_COUNT),
            ({"professionals": "-1"}, "professionals", NEGATIVE_COUNT),
            ({"inhabitants": "douze"}, "inhabitants", NOT_A_COUNT),
            ({"professionals": "2,5"}, "professionals", NOT_A_COUNT),
            ({"topic": ""}, "topic", "Ce champ est obligatoire."),
            ({"held_on": "31/02/2026"}, "held_on", "Saisissez une date valide."),
            ({"kind": "fete"}, "kind", "Sélectionnez un choix valide. fete n’en fait pas partie."),
        ],
    )
    def test_bad_input_gets_a_french_message(self, convention, changes, field, message):
        form = WorkshopForm(form_data(**changes), instance=Workshop(convention=convention), convention=convention)
        assert not form.is_valid()
        assert form.errors[field] == [message]

    def test_axes_and_actions_of_another_convention_are_refused(self, convention):
        other = ConventionFactory()
        foreign_action = ActionFactory(objective=ObjectiveFactory(axis__convention=other))
        data = form_data(axes=[foreign_action.objective.axis_id], actions=[foreign_action.pk])
        form = WorkshopForm(data, instance=Workshop(convention=convention), convention=convention)
        assert not form.is_valid()
        assert set(form.errors) == {"axes", "actions"}

    def test_the_database_refuses_a_negative_count(self, convention):
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkshopFactory(convention=convention, inhabitants=-1)


class TestWorkshopPages:
    def test_create_then_detail(self, client_for, convention, objective, own_action):
        client = client_for("coordination")
        data = form_data(axes=[objective.axis_id], actions=[own_action.pk])
        response = client.post(reverse("evaluation:workshop_create"), data)
        workshop = Workshop.objects.get()
        assert response.url == reverse("evaluation:workshop_detail", args=[workshop.pk])
        assert workshop.convention == convention
        page = client.get(response.url).text
        assert "Atelier parents – écrans" in page
        assert "Une conférence au collège" in page
        assert own_action.get_absolute_url() in page

    def test_invalid_post_shows_the_errors_and_saves_nothing(self, client_for, convention):
        response = client_for("coordination").post(reverse("evaluation:workshop_create"), form_data(inhabitants="-2"))
        assert response.status_code == 200
        assert NEGATIVE_COUNT in response.text
        assert not Workshop.objects.exists()

    def test_edit_writes_only_the_form_fields(self, client_for, convention, objective):
        workshop = WorkshopFactory(convention=convention)
        client = client_for("coordination")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("evaluation:workshop_edit", args=[workshop.pk]), form_data(topic="Renommé"))
        assert response.status_code == 302
        updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "evaluation_workshop"')]
        assert len(updates) == 1
        assert '"convention_id"' not in updates[0]
        workshop.refresh_from_db()
        assert (workshop.topic, workshop.inhabitants, workshop.convention) == ("Renommé", 18, convention)

    def test_edit_locks_the_row(self, client_for, convention):
        workshop = WorkshopFactory(convention=convention)
        with CaptureQueriesContext(connection) as queries:
            client_for("coordination").post(reverse("evaluation:workshop_edit", args=[workshop.pk]), form_data())
        if connection.features.has_select_for_update:
            assert any("FOR UPDATE" in q["sql"] for q in queries)

    def test_edit_of_a_deleted_workshop_says_so(self, client_for, convention):
        workshop = WorkshopFactory(convention=convention)
        url = reverse("evaluation:workshop_edit", args=[workshop.pk])
        client = client_for("coordination")
        client.get(url)
        Workshop.objects.filter(pk=workshop.pk).delete()
        assert client.post(url, form_data()).status_code == 404

    def test_delete(self, client_for, convention):
        workshop = WorkshopFactory(convention=convention)
        response = client_for("coordination").post(reverse("evaluation:workshop_delete", args=[workshop.pk]))
        assert response.url == f"{LIST}?convention={convention.pk}"
        assert not Workshop.objects.exists()

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head"])
    def test_readers_see_no_write_link(self, client_for, convention, role):
        workshop = WorkshopFactory(convention=convention)
        detail = client_for(role).get(reverse("evaluation:workshop_detail", args=[workshop.pk])).text
        assert reverse("evaluation:workshop_edit", args=[workshop.pk]) not in detail
        assert reverse("evaluation:workshop_create") not in client_for(role).get(LIST).text


@pytest.fixture
def workshops(convention):
    """Five workshops over two years of the convention, one of another convention."""
    rows = [
        (date(2025, 3, 1), "workshop", 10, 2),
        (date(2025, 6, 1), "forum", 40, 5),
        (date(2026, 2, 1), "workshop", 7, 1),
        (date(2026, 5, 1), "public_meeting", 55, 6),
        (date(2026, 9, 1), "workshop", 12, 3),
    ]
    made = [
        WorkshopFactory(convention=convention, held_on=day, kind=kind, inhabitants=inh, professionals=pro)
        for day, kind, inh, pro in rows
    ]
    WorkshopFactory(held_on=date(2026, 2, 1), inhabitants=999, professionals=999)
    return made


class TestWorkshopList:
    @pytest.mark.parametrize(
        ("params", "count", "inhabitants", "professionals"),
        [
            ({}, 5, 124, 17),
            ({"annee": "2026"}, 3, 74, 10),
            ({"type": "workshop"}, 3, 29, 6),
            ({"annee": "2026", "type": "workshop"}, 2, 19, 4),
            ({"annee": "2024"}, 0, 0, 0),
            ({"annee": "deux-mille", "type": "fete"}, 5, 124, 17),  # wrong filters are ignored
        ],
    )
    def test_filters_and_totals(self, client_for, workshops, params, count, inhabitants, professionals):
        response = client_for("direction").get(LIST, params)
        assert response.context["totals"] == {
            "count": count,
            "inhabitants": inhabitants,
            "professionals": professionals,
        }
        assert response.context["page"].paginator.count == count
        assert len(response.context["page"].object_list) == count

    def test_newest_first_and_paginated(self, client_for, convention):
        for day in range(1, 26):
            WorkshopFactory(convention=convention, held_on=date(2026, 1, day))
        page = client_for("elected").get(LIST).context["page"]
        assert page.paginator.num_pages == 3
        assert [w.held_on.day for w in page.object_list][:3] == [25, 24, 23]
        last = client_for("elected").get(LIST, {"page": "3"}).context["page"]
        assert [w.held_on.day for w in last.object_list] == [5, 4, 3, 2, 1]

    def test_htmx_gets_the_results_only(self, client_for, workshops):
        response = client_for("coordination").get(LIST, {"annee": "2025"}, headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<section id="results"')
        assert "2 ateliers ou concertations" in response.text
        assert "<html" not in response.text

    def test_a_crafted_convention_is_not_found(self, client_for, convention):
        assert client_for("coordination").get(LIST, {"convention": "²"}).status_code == 404

    @pytest.mark.parametrize("count", [1, 30])
    def test_fixed_query_budget(self, client_for, convention, objective, django_assert_max_num_queries, count):
        axes = [objective.axis, AxisFactory(convention=convention)]
        for n in range(count):
            WorkshopFactory(convention=convention).axes.set(axes[: n % 3])
        client = client_for("coordination")
        # Session and user, the request's savepoint and its release, convention, the aggregate, the page, its axes.
        with django_assert_max_num_queries(8):
            assert client.get(LIST).status_code == 200


class TestProposals:
    def test_grouped_by_axis_including_the_axes_of_the_actions(self, client_for, convention, objective, own_action):
        second_axis = AxisFactory(convention=convention, order=2, title="Parentalité")
        first = WorkshopFactory(convention=convention, topic="Atelier A", proposals="Ouvrir le samedi\n\n  \nUn LAEP")
        first.axes.set([second_axis])
        first.actions.set([own_action])  # of the conftest objective's axis
        second = WorkshopFactory(convention=convention, topic="Forum B", proposals="Un budget jeunes")
        WorkshopFactory(convention=convention, topic="Sans proposition", proposals="")
        response = client_for("service_head").get(PROPOSALS)
        groups = response.context["groups"]
        assert [(group.axis, [w.topic for w in group.workshops]) for group in groups] == [
            (objective.axis, ["Atelier A"]),
            (second_axis, ["Atelier A"]),
            (None, ["Forum B"]),
        ]
        assert groups[0].workshops[0].proposal_lines == ["Ouvrir le samedi", "Un LAEP"]
        assert "Sans proposition" not in response.text
        assert second.topic in response.text

    def test_empty(self, client_for, convention):
        assert "Aucun atelier n'a encore noté" in client_for("elected").get(PROPOSALS).text

    @pytest.mark.parametrize("count", [1, 30])
    def test_fixed_query_budget(
        self, client_for, convention, objective, own_action, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            workshop = WorkshopFactory(convention=convention, proposals="Une idée")
            workshop.axes.set([objective.axis])
            workshop.actions.set([own_action])
        client = client_for("coordination")
        # Session and user, savepoint and release, convention, workshops, their axes, their actions with their axes.
        with django_assert_max_num_queries(8):
            assert client.get(PROPOSALS).status_code == 200
