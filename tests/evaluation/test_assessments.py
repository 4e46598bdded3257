"""Evaluations of actions: the form (good and bad input), one evaluation per action, type and year, the edit
that refuses a silent overwrite, the pages that read them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.enums import CRITERIA
from evaluation.forms.assessments import AssessmentCreateForm, AssessmentForm, edit_token
from evaluation.models import ASSESSMENT_TAKEN, RATING_NEEDS_NOTE, Assessment
from tests.actions.factories import ActionFactory
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, UserFactory
from tests.evaluation.factories import AssessmentFactory

CREATE = reverse("evaluation:assessment_create")
LIST = reverse("evaluation:assessment_list")


def ratings(**changes) -> dict:
    """Every criterion rated 3 with its justification, no recommendation, then `changes`."""
    data = {}
    for name, label in CRITERIA:
        data |= {name: "3", f"{name}_note": f"{label} : satisfaisant."}
    return data | {"recommendation": "", "recommendation_note": ""} | changes


def create_data(action, **changes) -> dict:
    return ratings(**({"action": action.pk, "kind": "annual", "year": "2025"} | changes))


def edit(assessment: Assessment, **changes) -> dict:
    return ratings(seen=edit_token(assessment), **changes)


class TestAssessmentForm:
    def test_valid(self, convention, own_action, coordination):
        form = AssessmentCreateForm(create_data(own_action, recommendation="adapt"), convention=convention)
        assert form.is_valid(), form.errors
        assessment = form.save_by(coordination)
        assert (assessment.relevance, assessment.recommendation, assessment.author) == (3, "adapt", coordination)

    def test_criteria_may_stay_not_rated(self, convention, own_action):
        data = create_data(own_action, impact="", impact_note="", sustainability="", sustainability_note="")
        form = AssessmentCreateForm(data, convention=convention)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["impact"] is None

    def test_a_justification_without_rating_is_kept(self, convention, own_action):
        form = AssessmentCreateForm(create_data(own_action, impact="", impact_note="Trop tôt."), convention=convention)
        assert form.is_valid(), form.errors

    @pytest.mark.parametrize("criterion", [name for name, _ in CRITERIA])
    def test_a_rating_needs_its_justification(self, convention, own_action, criterion):
        data = create_data(own_action, **{f"{criterion}_note": "   "})
        form = AssessmentCreateForm(data, convention=convention)
        assert not form.is_valid()
        assert form.errors == {f"{criterion}_note": [RATING_NEEDS_NOTE]}

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"relevance": "5"}, "relevance"),
            ({"relevance": "0"}, "relevance"),
            ({"coherence": "bien"}, "coherence"),
            ({"recommendation": "oublier"}, "recommendation"),
            ({"kind": "mid_term"}, "kind"),
            ({"year": "2019"}, "year"),
            ({"year": "deux"}, "year"),
        ],
    )
    def test_out_of_range_choices_are_refused(self, convention, own_action, changes, field):
        form = AssessmentCreateForm(create_data(own_action, **changes), convention=convention)
        assert not form.is_valid()
        assert field in form.errors
        assert "Sélectionnez un choix valide" in form.errors[field][0]

    def test_an_action_of_another_convention_is_refused(self, convention):
        foreign = ActionFactory(objective=ObjectiveFactory(axis__convention=ConventionFactory()))
        form = AssessmentCreateForm(create_data(foreign), convention=convention)
        assert not form.is_valid()
        assert list(form.errors) == ["action"]

    def test_a_second_evaluation_of_the_same_action_type_and_year_is_refused(self, convention, own_action):
        AssessmentFactory(action=own_action, year=2025)
        form = AssessmentCreateForm(create_data(own_action), convention=convention)
        assert not form.is_valid()
        assert form.non_field_errors() == [ASSESSMENT_TAKEN]

    def test_another_type_or_year_is_welcome(self, convention, own_action):
        AssessmentFactory(action=own_action, year=2025)
        assert AssessmentCreateForm(create_data(own_action, year="2024"), convention=convention).is_valid()
        assert AssessmentCreateForm(create_data(own_action, kind="final"), convention=convention).is_valid()


class TestDatabaseConstraints:
    @pytest.mark.parametrize("criterion", [name for name, _ in CRITERIA])
    def test_a_rating_without_justification_is_refused(self, own_action, criterion):
        with pytest.raises(IntegrityError), transaction.atomic():
            AssessmentFactory(action=own_action, **{criterion: 2, f"{criterion}_note": ""})

    def test_one_per_action_type_and_year(self, own_action):
        AssessmentFactory(action=own_action, year=2025)
        with pytest.raises(IntegrityError), transaction.atomic():
            AssessmentFactory(action=own_action, year=2025)

    def test_the_model_says_which_criterion(self, own_action):
        assessment = Assessment(action=own_action, year=2025, impact=1)
        with pytest.raises(Exception) as error:
            assessment.full_clean()
        assert "Impact : justifiez la note attribuée." in str(error.value)


class TestCreate:
    def test_create_as_the_coordination(self, client_for, coordination, own_action):
        response = client_for("coordination").post(CREATE, create_data(own_action, recommendation="continue"))
        assessment = Assessment.objects.get()
        assert response.url == reverse("evaluation:assessment_detail", args=[assessment.pk])
        assert (assessment.action, assessment.year, assessment.author) == (own_action, 2025, coordination)

    def test_a_duplicate_post_shows_the_french_error_and_a_link_to_the_existing_one(self, client_for, own_action):
        existing = AssessmentFactory(action=own_action, year=2025)
        response = client_for("coordination").post(CREATE, create_data(own_action))
        assert response.status_code == 200
        assert ASSESSMENT_TAKEN in response.text
        assert reverse("evaluation:assessment_edit", args=[existing.pk]) in response.text
        assert Assessment.objects.count() == 1

    def test_asking_for_an_existing_one_opens_it_for_editing(self, client_for, own_action):
        existing = AssessmentFactory(action=own_action, year=2025, kind="final")
        params = {"action": own_action.pk, "type": "final", "annee": "2025"}
        response = client_for("coordination").get(CREATE, params)
        assert response.url == reverse("evaluation:assessment_edit", args=[existing.pk])

    def test_the_form_is_prefilled_from_the_link(self, client_for, own_action):
        response = client_for("coordination").get(CREATE, {"action": own_action.pk, "type": "final"})
        initial = response.context["form"].initial
        assert (initial["action"], initial["kind"], initial["year"]) == (own_action, "final", 2026)
        annual = client_for("coordination").get(CREATE, {"action": own_action.pk}).context["form"].initial
        assert (annual["kind"], annual["year"]) == ("annual", timezone.localdate().year - 1)

    @pytest.mark.parametrize("params", [{"action": "²"}, {"action": "999999"}, {"annee": "1e3"}])
    def test_crafted_parameters_are_not_found(self, client_for, convention, params):
        assert client_for("coordination").get(CREATE, params).status_code == 404

    def test_the_grid_uses_the_french_labels(self, client_for, convention):
        page = client_for("coordination").get(CREATE).text
        for label in ("Pertinence", "Durabilité", "Très satisfaisant", "Insatisfaisant", "Non évalué", "Pérenniser"):
            assert label in page


class TestEdit:
    def test_edit_saves_only_its_fields_and_who_saved(self, client_for, coordination, own_action):
        assessment = AssessmentFactory(action=own_action, year=2025)
        url = reverse("evaluation:assessment_edit", args=[assessment.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client_for("coordination").post(url, edit(assessment, recommendation="stop"))
        assert response.status_code == 302
        updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "evaluation_assessment"')]
        assert len(updates) == 1
        assert '"action_id"' not in updates[0] and '"year"' not in updates[0]
        assessment.refresh_from_db()
        assert (assessment.recommendation, assessment.impact, assessment.author) == ("stop", 3, coordination)

    def test_a_stale_edit_is_shown_again_with_the_input_and_nothing_is_lost(self, client_for, own_action):
        assessment = AssessmentFactory(action=own_action, year=2025)
        seen = edit(assessment, relevance_note="Ma justification.", recommendation="adapt")
        # Someone else saves in between.
        someone = UserFactory(coordination=True, first_name="Inès", last_name="Morel")
        other = AssessmentForm(edit(assessment, recommendation="perpetuate"), instance=assessment)
        assert other.is_valid(), other.errors
        other.save_by(someone)

        client = client_for("coordination")
        url = reverse("evaluation:assessment_edit", args=[assessment.pk])
        response = client.post(url, seen)
        assert response.status_code == 200
        assert "Inès Morel" in response.text and "pendant que vous la modifiiez" in response.text
        assert "Ma justification." in response.text  # the user's input is kept
        assert "Valeur enregistrée entre-temps : Pérenniser" in response.text
        assessment.refresh_from_db()
        assert assessment.recommendation == "perpetuate"

        # Submitted again, as shown, it is the user's confirmed choice.
        confirmed = dict(seen, seen=response.context["form"]["seen"].value())
        assert client.post(url, confirmed).status_code == 302
        assessment.refresh_from_db()
        assert (assessment.recommendation, assessment.relevance_note) == ("adapt", "Ma justification.")

    def test_a_rating_without_justification_on_edit(self, client_for, own_action):
        assessment = AssessmentFactory(action=own_action, year=2025)
        url = reverse("evaluation:assessment_edit", args=[assessment.pk])
        response = client_for("coordination").post(url, edit(assessment, efficiency_note=""))
        assert response.status_code == 200
        assert RATING_NEEDS_NOTE in response.text
        assessment.refresh_from_db()
        assert assessment.efficiency is None

    def test_edit_locks_the_row(self, client_for, own_action):
        assessment = AssessmentFactory(action=own_action, year=2025)
        url = reverse("evaluation:assessment_edit", args=[assessment.pk])
        with CaptureQueriesContext(connection) as queries:
            client_for("coordination").post(url, edit(assessment))
        if connection.features.has_select_for_update:
            assert any("FOR UPDATE" in q["sql"] for q in queries)

    def test_delete_goes_back_to_the_action(self, client_for, own_action):
        assessment = AssessmentFactory(action=own_action, year=2025)
        response = client_for("coordination").post(reverse("evaluation:assessment_delete", args=[assessment.pk]))
        assert response.url == reverse("evaluation:action_assessments", args=[own_action.pk])
        assert not Assessment.objects.exists()


class TestReading:
    def test_detail_shows_ratings_with_words_and_dots(self, client_for, own_action):
        assessment = AssessmentFactory(
            action=own_action, year=2025, effectiveness=1, effectiveness_note="Objectifs manqués."
        )
        page = client_for("elected").get(reverse("evaluation:assessment_detail", args=[assessment.pk])).text
        assert "Objectifs manqués." in page
        assert "●○○○" in page and "Insatisfaisant" in page
        assert "●●●○" in page and "Satisfaisant" in page
        assert "Poursuivre" in page
        assert reverse("evaluation:assessment_edit", args=[assessment.pk]) not in page

    def test_action_page_lists_its_evaluations(self, client_for, own_action):
        AssessmentFactory(action=own_action, year=2024)
        AssessmentFactory(action=own_action, year=2025)
        AssessmentFactory(action=own_action, year=2026, kind="final")
        response = client_for("service_head").get(reverse("evaluation:action_assessments", args=[own_action.pk]))
        assert [(a.kind, a.year) for a in response.context["assessments"]] == [
            ("final", 2026),
            ("annual", 2025),
            ("annual", 2024),
        ]
        assert CREATE not in response.text

    def test_action_page_without_evaluation(self, client_for, own_action):
        page = client_for("coordination").get(reverse("evaluation:action_assessments", args=[own_action.pk])).text
        assert "pas encore été évaluée" in page
        assert f"{CREATE}?action={own_action.pk}" in page

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, ["FA1.1 2025", "FA2.1 2025", "FA1.1 2024"]),
            ({"annee": "2025"}, ["FA1.1 2025", "FA2.1 2025"]),
            ({"recommandation": "stop"}, ["FA2.1 2025"]),
            ({"type": "final"}, []),
            ({"annee": "²", "type": "x", "recommandation": "y"}, ["FA1.1 2025", "FA2.1 2025", "FA1.1 2024"]),
        ],
    )
    def test_list_filters(self, client_for, own_action, other_action, params, expected):
        AssessmentFactory(action=own_action, year=2025)
        AssessmentFactory(action=own_action, year=2024)
        AssessmentFactory(action=other_action, year=2025, recommendation="stop")
        AssessmentFactory(action=ActionFactory(), year=2025)  # another convention
        page = client_for("direction").get(LIST, params).context["page"]
        assert [f"{a.action.code} {a.year}" for a in page.object_list] == expected

    @pytest.mark.parametrize("count", [1, 30])
    def test_list_fixed_query_budget(self, client_for, objective, django_assert_max_num_queries, count):
        for n in range(count):
            AssessmentFactory(action=ActionFactory(objective=objective, code=f"FA{n}"), author=UserFactory())
        client = client_for("coordination")
        # Session and user, savepoint and release, convention, the count, the page with actions and authors.
        with django_assert_max_num_queries(7):
            assert client.get(LIST).status_code == 200

    @pytest.mark.parametrize("count", [1, 6])
    def test_action_page_fixed_query_budget(self, client_for, own_action, django_assert_max_num_queries, count):
        for year in range(2026 - count + 1, 2027):
            AssessmentFactory(action=own_action, year=year, author=UserFactory())
        client = client_for("coordination")
        # Session and user, savepoint and release, the action, its evaluations with their authors.
        with django_assert_max_num_queries(6):
            assert client.get(reverse("evaluation:action_assessments", args=[own_action.pk])).status_code == 200
