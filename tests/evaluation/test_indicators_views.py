"""Indicator pages: the list and its filters, the detail with its statuses, chart and history, and the value
form (with and without htmx), in a fixed number of queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import Measurement
from evaluation.services import measurement_record
from evaluation.status import RULE
from tests.actions.factories import ActionFactory
from tests.ctg.factories import AxisFactory, ObjectiveFactory
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation:indicator_list")
HTMX = {"HX-Request": "true"}


def value_url(indicator) -> str:
    return reverse("evaluation:indicator_value", args=[indicator.pk])


def text_of(html: str) -> str:
    """The page's words, without markup or repeated spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def indicator(own_action):
    """100 in 2022, 120 expected in 2024, 150 in 2026: 2023 on track, 2024 late, 2025 on track."""
    indicator = IndicatorFactory(
        action=own_action, code="I1.1", name="Familles accueillies", baseline_value=Decimal("100"), baseline_year=2022
    )
    IndicatorTargetFactory(indicator=indicator, year=2024, value=Decimal("120"))
    IndicatorTargetFactory(indicator=indicator, year=2026, value=Decimal("150"))
    for year, value in ((2023, "110"), (2024, "118"), (2025, "140")):
        MeasurementFactory(indicator=indicator, year=year, value=Decimal(value))
    return indicator


def value_post(year=2026, value="155", previous="", period="Y", comment="") -> dict:
    return {
        "value-year": year,
        "value-period": period,
        "value-value": value,
        "value-comment": comment,
        "value-previous": previous,
    }


class TestList:
    def test_rows_show_the_figures_and_the_status_in_words(self, client_for, indicator, convention):
        response = client_for("elected").get(f"{LIST}?annee=2024")
        assert response.status_code == 200
        row = text_of(response.text).split("I1.1", 1)[1]
        assert row.startswith(" Familles accueillies Action FA1.1 familles 100 (2022) 120 118 En retard")
        assert "<title>Indicateurs 2024 – " in response.text

    def test_the_year_defaults_to_the_current_one_within_the_convention(self, client_for, indicator, convention):
        # The conftest's convention runs 2022–2026; an unknown year comes back within it.
        for query, year in (("", 2026), ("?annee=2031", 2026), ("?annee=1999", 2022), ("?annee=abc", 2026)):
            response = client_for("direction").get(LIST + query)
            assert f"valeurs {year}" in response.text, query

    def test_without_target_for_the_year_the_expected_value_is_shown(self, client_for, indicator):
        response = client_for("direction").get(f"{LIST}?annee=2025")
        assert "attendu : 135" in text_of(response.text)

    @pytest.mark.parametrize(
        ("query", "codes"),
        [
            ("status=late&annee=2024", ["I1.1"]),
            ("status=no_data&annee=2024", ["OTHER1", "CTX1"]),  # the plan's indicators first, context ones last
            ("kind=context", ["CTX1"]),
            ("q=accueillies", ["I1.1"]),
            ("q=CTX", ["CTX1"]),
        ],
    )
    def test_filters(self, client_for, indicator, other_action, convention, query, codes):
        IndicatorFactory(action=other_action, code="OTHER1", name="Jeunes reçus")
        IndicatorFactory(context=True, convention=convention, code="CTX1", name="Taux de couverture")
        response = client_for("coordination").get(f"{LIST}?{query}")
        assert re.findall(r'<a href="/indicateurs/\d+/">([^<]+)</a>', response.text) == codes

    def test_filter_by_axis_follows_the_attachment(self, client_for, indicator, convention, objective):
        other_axis = AxisFactory(convention=convention)
        IndicatorFactory(action=None, convention=convention, axis=other_axis, code="AXE2")
        IndicatorFactory(action=None, convention=convention, objective=objective, code="OBJ1")
        response = client_for("coordination").get(f"{LIST}?axis={objective.axis_id}")
        assert re.findall(r'<a href="/indicateurs/\d+/">([^<]+)</a>', response.text) == ["I1.1", "OBJ1"]

    def test_filter_by_service_is_whose_head_enters_the_values(self, client_for, indicator, other_action, service):
        IndicatorFactory(action=other_action, code="OTHER1")
        IndicatorFactory(action=other_action, code="OTHER2", service=service)
        response = client_for("coordination").get(f"{LIST}?service={service.pk}")
        assert re.findall(r'<a href="/indicateurs/\d+/">([^<]+)</a>', response.text) == ["I1.1", "OTHER2"]

    def test_another_conventions_indicators_are_not_listed(self, client_for, indicator):
        IndicatorFactory(code="AILLEURS")
        response = client_for("coordination").get(f"{LIST}?convention={indicator.convention_id}")
        assert "AILLEURS" not in response.text

    def test_htmx_gets_the_results_only(self, client_for, indicator):
        response = client_for("service_head").get(f"{LIST}?kind=output", headers=HTMX)
        assert response.text.lstrip().startswith('<section id="results"')
        assert "<html" not in response.text

    def test_paginated(self, client_for, own_action):
        for n in range(30):
            IndicatorFactory(action=own_action, code=f"P{n:02d}")
        response = client_for("coordination").get(f"{LIST}?page=2")
        shown = {f"P{n:02d}" for n in range(30) if f">P{n:02d}</a>" in response.text}
        assert "30 indicateurs" in response.text and shown == {f"P{n:02d}" for n in range(10, 20)}
        assert 'aria-label="Pages des indicateurs"' in response.text

    def test_only_the_coordination_is_offered_to_create(self, client_for, indicator):
        create = reverse("evaluation:indicator_create")
        assert create in client_for("coordination").get(LIST).text
        assert create not in client_for("service_head").get(LIST).text

    @pytest.mark.parametrize("count", [1, 30])
    def test_constant_queries(self, client_for, own_action, objective, count, django_assert_max_num_queries):
        for n in range(count):
            made = IndicatorFactory(
                action=own_action if n % 3 else None,
                objective=objective if n % 3 == 0 else None,
                convention=own_action.convention,
                code=f"Q{n:02d}",
            )
            IndicatorTargetFactory(indicator=made, year=2026)
            MeasurementFactory(indicator=made, year=2026)
        client = client_for("coordination")
        with django_assert_max_num_queries(9):
            response = client.get(f"{LIST}?status=reached")
        assert response.status_code == 200


class TestDetail:
    def url(self, indicator):
        return reverse("evaluation:indicator_detail", args=[indicator.pk])

    def test_statuses_of_every_year_and_the_rule(self, client_for, indicator):
        response = client_for("elected").get(self.url(indicator))
        words = text_of(response.text)
        assert "2023 110 familles – 110 familles En bonne voie" in words
        assert "2024 118 familles 120 familles 120 familles En retard" in words
        assert "2026 – 150 familles 150 familles Sans donnée" in words
        assert RULE.split(".")[0] in response.text.replace("&#x27;", "'")

    def test_the_chart_and_its_data_table(self, client_for, indicator):
        html = client_for("direction").get(self.url(indicator)).text
        figure = html[html.index('<figure class="c-chart c-line-chart">') : html.index("</figure>")]
        drawing = figure[: figure.index("</svg>")]
        assert drawing.count("<circle") == 3 and drawing.count("<rect") == 2  # three values, two targets
        assert "Données du graphique – valeur de référence : 100 familles en 2022" in figure
        table = text_of(figure[figure.index("<table") :])
        assert "2024 118 familles 120 familles" in table and "2025 140 familles –" in table

    def test_values_are_listed_with_their_provenance_and_author(self, client_for, indicator, service_head):
        measurement_record(indicator=indicator, year=2026, value=Decimal("151"), by=service_head, comment="Bilan")
        words = text_of(client_for("elected").get(self.url(indicator)).text)
        assert f"2026 Année 151 familles Saisie {service_head}" in words

    def test_history_shows_who_changed_a_value(self, client_for, indicator, service_head, coordination):
        client_for("service_head").post(value_url(indicator), value_post(value="148"))
        client_for("coordination").post(value_url(indicator), value_post(value="149", previous="148"))
        words = text_of(client_for("elected").get(self.url(indicator)).text)
        history = words[words.index("Historique des modifications") :]
        assert (
            f"{coordination} a modifié la valeur 2026 : Valeur : ancienne valeur 148 familles → nouvelle valeur 149"
            in history
        )
        assert (
            f"{service_head} a créé la valeur 2026 Valeur : ancienne valeur — → nouvelle valeur 148 familles"
            in history
        )

    def test_readers_get_no_write_control(self, client_for, indicator):
        html = client_for("elected").get(self.url(indicator)).text
        assert 'id="value-form"' not in html and reverse("evaluation:indicator_edit", args=[indicator.pk]) not in html
        html = client_for("service_head").get(self.url(indicator)).text
        assert 'id="value-form"' in html and reverse("evaluation:indicator_edit", args=[indicator.pk]) not in html

    @pytest.mark.parametrize("count", [1, 20])
    def test_constant_queries(self, client_for, indicator, service_head, count, django_assert_max_num_queries):
        for n in range(count):
            measurement_record(indicator=indicator, year=2022 + n % 5, value=Decimal(n), by=service_head)
            indicator.name = f"Nom {n}"
            indicator.save()
        client = client_for("service_head")
        with django_assert_max_num_queries(15):
            assert client.get(self.url(indicator)).status_code == 200


class TestValueForm:
    def test_a_service_head_enters_a_french_number(self, client_for, indicator, service_head):
        response = client_for("service_head").post(value_url(indicator), value_post(value="1 200,5", comment="ok"))
        assert response.status_code == 302 and response.url.endswith("#measures")
        stored = indicator.measurements.get(year=2026)
        assert (stored.value, stored.author, stored.provenance, stored.comment) == (
            Decimal("1200.5"),
            service_head,
            "entry",
            "ok",
        )

    @pytest.mark.parametrize(
        ("value", "message"),
        [("douze", "Saisissez un nombre, par exemple 12,5 ou 1 200."), ("", "Ce champ est obligatoire.")],
    )
    def test_bad_input_is_a_french_message(self, client_for, indicator, value, message):
        response = client_for("service_head").post(value_url(indicator), value_post(value=value), headers=HTMX)
        assert response.status_code == 200 and message in response.text
        assert response.text.lstrip().startswith('<section id="measures"')
        assert not indicator.measurements.filter(year=2026).exists()

    def test_bounds_are_checked(self, client_for, indicator):
        indicator.max_value = Decimal("140")
        indicator.save()
        response = client_for("coordination").post(value_url(indicator), value_post(value="141"))
        assert response.status_code == 200
        assert services.ABOVE_MAX.format(bound="140") in response.text
        assert not indicator.measurements.filter(year=2026).exists()

    def test_a_value_already_there_is_not_overwritten_silently(self, client_for, indicator):
        client = client_for("service_head")
        response = client.post(value_url(indicator), value_post(year=2025, value="141"))
        assert services.ALREADY_THERE.format(value="140") in response.text
        assert indicator.measurements.get(year=2025).value == Decimal("140")
        # The form now carries the stored value: sent again, knowingly, it replaces it.
        assert 'name="value-previous" value="140"' in response.text
        response = client.post(value_url(indicator), value_post(year=2025, value="141", previous="140"))
        assert response.status_code == 302
        assert indicator.measurements.get(year=2025).value == Decimal("141")

    def test_a_value_changed_meanwhile_is_reported(self, client_for, indicator, coordination):
        form = client_for("service_head").get(f"{value_url(indicator)}?annee=2025&periode=Y").text
        assert 'name="value-value" value="140"' in form and "Corriger la valeur 2025" in form
        measurement_record(indicator=indicator, year=2025, value=Decimal("139"), by=coordination)
        response = client_for("service_head").post(value_url(indicator), value_post(2025, "142", previous="140"))
        assert services.CHANGED_MEANWHILE.format(value="139") in response.text
        assert indicator.measurements.get(year=2025).value == Decimal("139")

    def test_htmx_success_swaps_the_values_and_updates_figures_and_history(self, client_for, indicator):
        response = client_for("service_head").post(value_url(indicator), value_post(value="151"), headers=HTMX)
        assert response.status_code == 200
        html = response.text
        assert html.lstrip().startswith('<section id="measures"')
        assert "Valeur 2026 enregistrée : 151 familles." in html and 'role="status"' in html
        assert '<section id="figures" class="c-panel" aria-labelledby="figures-title" data-hx-swap-oob="true">' in html
        assert '<section id="history" class="c-panel" aria-labelledby="history-title" data-hx-swap-oob="true">' in html
        assert "Atteint" in html  # 151 meets the final target of 150

    def test_quarterly_indicators_offer_quarters(self, client_for, own_action):
        indicator = IndicatorFactory(action=own_action, frequency="quarterly")
        html = client_for("coordination").get(reverse("evaluation:indicator_detail", args=[indicator.pk])).text
        assert '<option value="Q3">3e trimestre</option>' in html
        response = client_for("coordination").post(value_url(indicator), value_post(value="7", period="Q3"))
        assert response.status_code == 302
        assert indicator.measurements.get().period == "Q3"
        response = client_for("coordination").post(value_url(indicator), value_post(value="7", period="M03"))
        assert "Sélectionnez un choix valide" in response.text

    def test_a_year_outside_the_convention_is_refused(self, client_for, indicator):
        response = client_for("coordination").post(value_url(indicator), value_post(year=2030))
        assert response.status_code == 200 and "Sélectionnez un choix valide" in response.text

    def test_a_value_of_a_deleted_indicator(self, client_for, indicator):
        client, url = client_for("coordination"), value_url(indicator)
        indicator.delete()
        assert client.post(url, value_post()).status_code == 404


class TestDeleteValue:
    def test_removes_the_value(self, client_for, indicator):
        measurement = indicator.measurements.get(year=2024)
        url = reverse("evaluation:measurement_delete", args=[measurement.pk])
        response = client_for("service_head").post(url, headers=HTMX)
        assert "La valeur 2024 a été supprimée." in response.text
        assert not Measurement.objects.filter(pk=measurement.pk).exists()
        # Deleted meanwhile by someone else: a 404, nothing else changes.
        assert client_for("service_head").post(url).status_code == 404

    def test_not_on_another_services_indicator(self, client_for, other_action):
        measurement = MeasurementFactory(indicator=IndicatorFactory(action=other_action))
        response = client_for("service_head").post(reverse("evaluation:measurement_delete", args=[measurement.pk]))
        assert response.status_code == 403 and Measurement.objects.filter(pk=measurement.pk).exists()


class TestServiceHeadScope:
    def test_the_responsible_service_outranks_the_actions_pilot(self, client_for, other_action, service):
        """An indicator of another service's action whose values `service` is responsible for."""
        indicator = IndicatorFactory(action=other_action, service=service)
        response = client_for("service_head").post(value_url(indicator), value_post(value="3"))
        assert response.status_code == 302 and indicator.measurements.exists()

    def test_an_objective_indicator_is_entered_by_the_coordination_only(self, client_for, convention):
        objective = ObjectiveFactory(axis__convention=convention)
        ActionFactory(objective=objective)
        indicator = IndicatorFactory(action=None, convention=convention, objective=objective)
        assert client_for("service_head").post(value_url(indicator), value_post()).status_code == 403
        assert client_for("coordination").post(value_url(indicator), value_post()).status_code == 302


class TestSwap:
    """The htmx answer applied to the page gives the page a fresh load shows (but for the confirmation)."""

    SECTION = re.compile(r'<section id="(?P<id>[\w-]+)"[^>]*>.*?</section>', re.S)
    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')

    def normalised(self, html: str) -> str:
        html = self.CSRF.sub("", html).replace(' data-hx-swap-oob="true"', "")
        return re.sub(r'<p class="c-saved"[^>]*>.*?</p>', "", html)

    def test_saving_a_value(self, client_for, indicator):
        client = client_for("service_head")
        detail = reverse("evaluation:indicator_detail", args=[indicator.pk])
        page = client.get(detail).text
        fragment = client.post(value_url(indicator), value_post(value="151"), headers=HTMX).text
        parts = {match["id"]: match.group() for match in self.SECTION.finditer(fragment)}
        assert set(parts) == {"measures", "figures", "history"}
        swapped = self.SECTION.sub(lambda match: parts.get(match["id"], match.group()), page)
        assert self.normalised(swapped) == self.normalised(client.get(detail).text)
