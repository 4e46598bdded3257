"""Defining an indicator: the form with its targets per year, the rules in French, the choices limited to the
convention, atomic saves that write only the form's own fields, and the deletion that says what goes with it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.enums import IndicatorStatus
from evaluation.forms.indicators import YEARS_CHANGED, IndicatorForm
from evaluation.models import BASELINE_INCOMPLETE, BOUNDS_INVERTED, CODE_TAKEN, ONE_ATTACHMENT, Indicator
from tests.actions.factories import ActionFactory
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory
from tests.evaluation.matrix_indicators import indicator_data

pytestmark = pytest.mark.django_db

CREATE = reverse("evaluation:indicator_create")


class World:
    """What `indicator_data` reads: the conftest's convention and the service head's action."""

    def __init__(self, convention, own_action):
        self.convention, self.own_action = convention, own_action


@pytest.fixture
def data(convention, own_action):
    def build(**changes) -> dict:
        return indicator_data(World(convention, own_action), **changes)

    return build


def errors_of(response) -> str:
    return response.text.replace("&#x27;", "'")


class TestCreate:
    def test_with_targets_and_french_numbers(self, client_for, data, own_action):
        payload = data(
            baseline_value="1 200,5",
            baseline_year=2022,
            decimals=1,
            max_value="5 000",
            **{"targets-2-value": "1 300", "targets-4-value": "1 500,5"},
        )
        response = client_for("coordination").post(f"{CREATE}?convention={own_action.convention_id}", payload)
        indicator = Indicator.objects.get(code="I-NOUVEAU")
        assert response.status_code == 302 and response.url == indicator.get_absolute_url()
        assert (indicator.baseline_value, indicator.max_value, indicator.action) == (
            Decimal("1200.5"),
            Decimal("5000"),
            own_action,
        )
        assert dict(indicator.targets.values_list("year", "value")) == {2024: Decimal("1300"), 2026: Decimal("1500.5")}

    def test_the_action_link_of_the_fiche_preselects_it(self, client_for, own_action):
        html = client_for("coordination").get(f"{CREATE}?action={own_action.pk}").text
        assert f'<option value="{own_action.pk}" selected>' in html
        assert f'href="{own_action.get_absolute_url()}">Annuler' in html

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"baseline_value": "100"}, BASELINE_INCOMPLETE),
            ({"baseline_year": 2022}, BASELINE_INCOMPLETE),
            ({"min_value": "10", "max_value": "5"}, BOUNDS_INVERTED),
            ({"baseline_value": "cent", "baseline_year": 2022}, "Saisissez un nombre, par exemple 12,5 ou 1 200."),
            ({"targets-1-value": "beaucoup"}, "Saisissez un nombre, par exemple 12,5 ou 1 200."),
            ({"decimals": 5}, "Quatre décimales au plus."),
            ({"baseline_value": "1,23456", "baseline_year": 2022}, "4 décimales au plus."),
            ({"code": ""}, "Ce champ est obligatoire."),
        ],
    )
    def test_bad_input_is_a_french_message_and_nothing_is_saved(self, client_for, data, changes, message):
        response = client_for("coordination").post(CREATE, data(**changes))
        assert response.status_code == 200
        assert errors_of(response).count(message) == 1
        assert not Indicator.objects.exists()

    def test_a_code_taken_whatever_its_case(self, client_for, data, own_action):
        IndicatorFactory(action=own_action, code="i-nouveau")
        response = client_for("coordination").post(CREATE, data())
        assert CODE_TAKEN in errors_of(response)
        assert Indicator.objects.count() == 1

    def test_the_same_code_in_another_convention_is_free(self, client_for, data):
        IndicatorFactory(code="I-NOUVEAU")
        assert client_for("coordination").post(CREATE, data()).status_code == 302

    def test_one_attachment_at_most(self, client_for, data, objective):
        response = client_for("coordination").post(CREATE, data(objective=objective.pk))
        assert errors_of(response).count(ONE_ATTACHMENT) == 1
        assert not Indicator.objects.exists()

    def test_a_ctg_indicator_has_no_attachment(self, client_for, data):
        assert client_for("coordination").post(CREATE, data(action="", kind="context")).status_code == 302
        assert Indicator.objects.get().action is None

    def test_choices_are_the_conventions(self, client_for, data, convention):
        elsewhere = ActionFactory()
        response = client_for("coordination").post(CREATE, data(action=elsewhere.pk))
        assert "Sélectionnez un choix valide" in response.text
        form = IndicatorForm(convention=convention)
        assert elsewhere not in form.fields["action"].queryset
        assert set(form.fields["axis"].queryset) == set(convention.axes.all())

    def test_targets_must_be_the_conventions_years(self, client_for, data):
        response = client_for("coordination").post(CREATE, data(**{"targets-0-year": 2019}))
        assert YEARS_CHANGED in errors_of(response)
        assert not Indicator.objects.exists()


class TestEdit:
    @pytest.fixture
    def indicator(self, own_action):
        indicator = IndicatorFactory(action=own_action, code="I-NOUVEAU", unit="familles")
        IndicatorTargetFactory(indicator=indicator, year=2024, value=Decimal("120"))
        IndicatorTargetFactory(indicator=indicator, year=2026, value=Decimal("150"))
        return indicator

    def url(self, indicator):
        return reverse("evaluation:indicator_edit", args=[indicator.pk])

    def test_shows_the_stored_targets(self, client_for, indicator):
        html = client_for("coordination").get(self.url(indicator)).text
        assert 'name="targets-2-value" value="120"' in html and 'name="targets-4-value" value="150"' in html
        assert '<label for="id_targets-2-value">2024 (familles)</label>' in html

    def test_changes_only_the_targets_that_changed(self, client_for, data, indicator):
        payload = data(**{"targets-2-value": "", "targets-3-value": "140", "targets-4-value": "150,0"})
        response = client_for("coordination").post(self.url(indicator), payload)
        assert response.status_code == 302
        assert dict(indicator.targets.values_list("year", "value")) == {2025: Decimal("140"), 2026: Decimal("150")}
        history = indicator.targets.model.history.filter(indicator_id=indicator.pk)
        # 2024 created then deleted, 2025 created, 2026 created and left alone (no change recorded).
        assert sorted(history.values_list("year", "history_type")) == [
            (2024, "+"),
            (2024, "-"),
            (2025, "+"),
            (2026, "+"),
        ]

    def test_new_targets_and_direction_move_the_stored_status_of_the_values(self, client_for, data, indicator):
        value = MeasurementFactory(indicator=indicator, year=2025, value=Decimal("130"))  # 135 expected in 2025
        assert value.status == IndicatorStatus.LATE
        payload = data(**{"targets-2-value": "120", "targets-3-value": "125", "targets-4-value": "150"})
        assert client_for("coordination").post(self.url(indicator), payload).status_code == 302
        value.refresh_from_db()
        assert value.status == IndicatorStatus.ON_TRACK
        payload = data(direction="down", **{"targets-2-value": "120", "targets-4-value": "100"})
        assert client_for("coordination").post(self.url(indicator), payload).status_code == 302
        value.refresh_from_db()
        assert value.status == IndicatorStatus.LATE  # to lower: 110 expected in 2025
        # The status is derived: the value's own history records no change.
        assert value.history.count() == 1

    def test_saves_only_the_forms_fields(self, client_for, data, indicator):
        """Fields the form does not hold (the convention, the creation date) are not written back."""
        created_at = indicator.created_at
        Indicator.objects.filter(pk=indicator.pk).update(created_at=created_at.replace(year=2020))
        client_for("coordination").post(self.url(indicator), data(name="Renommé", **{"targets-4-value": "150"}))
        indicator.refresh_from_db()
        assert indicator.name == "Renommé" and indicator.created_at.year == 2020

    def test_deleted_meanwhile(self, client_for, data, indicator):
        client, url = client_for("coordination"), self.url(indicator)
        Indicator.objects.filter(pk=indicator.pk).delete()
        assert client.post(url, data()).status_code == 404


class TestDelete:
    def test_says_how_many_values_go_with_it(self, client_for, own_action):
        indicator = IndicatorFactory(action=own_action)
        for year in (2023, 2024, 2025):
            MeasurementFactory(indicator=indicator, year=year)
        IndicatorTargetFactory(indicator=indicator)
        url = reverse("evaluation:indicator_delete", args=[indicator.pk])
        html = client_for("coordination").get(url).text
        assert "3 valeurs saisies</strong> seront supprimées avec l'indicateur, ainsi que sa cible." in html
        response = client_for("coordination").post(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('evaluation:indicator_list')}?convention={indicator.convention_id}"
        assert not Indicator.objects.exists() and not indicator.measurements.exists()

    def test_without_values(self, client_for, own_action):
        indicator = IndicatorFactory(action=own_action)
        html = client_for("coordination").get(reverse("evaluation:indicator_delete", args=[indicator.pk])).text
        assert "Aucune valeur n'a été saisie pour cet indicateur." in html
