"""The entry grid of the indicators (evaluation:indicator_grid and evaluation:indicator_grid_save)."""

import html
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from evaluation.forms.grid import EMPTY, EMPTY_KEPT, GridHiddenInput, GridTextInput
from evaluation.models import Measurement
from evaluation.numbers import DECIMAL_INPUT_ATTRS, NOT_A_NUMBER
from evaluation.services import ABOVE_MAX, ALREADY_THERE, BELOW_MIN, CHANGED_MEANWHILE, INDICATOR_GONE
from evaluation.status import RULE
from evaluation.views.grid import PAGE_SIZE, SAVED, UNCHANGED, entry_year
from tests.actions.factories import ActionFactory
from tests.ctg.factories import ServiceFactory
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory

HTMX = {"HX-Request": "true"}
YEAR = 2026


def grid(**params) -> str:
    return f"{reverse('evaluation:indicator_grid')}?{urlencode({'annee': YEAR, **params})}"


def save_url(indicator, year: int = YEAR, **params) -> str:
    url = reverse("evaluation:indicator_grid_save", args=[indicator.pk, year])
    return f"{url}?{urlencode(params)}" if params else url


def text(response) -> str:
    return html.unescape(response.content.decode())


def row_of(page: str, indicator) -> str:
    match = re.search(rf'<tr id="grid-row-{indicator.pk}".*?</tr>', page, re.S)
    assert match, f"no row for {indicator.code}"
    return match.group()


def stored(indicator, year: int = YEAR) -> Measurement | None:
    return Measurement.objects.filter(indicator=indicator, year=year, period="Y").first()


@pytest.fixture
def own_indicator(own_action):
    """Indicator of an action of the service head's service: target 150 in 2026, 120 in 2025, bounds 0–5 000."""
    indicator = IndicatorFactory(
        action=own_action,
        code="I1.1",
        name="Familles accueillies",
        unit="familles",
        min_value=Decimal("0"),
        max_value=Decimal("5000"),
        baseline_value=Decimal("100"),
        baseline_year=2022,
    )
    IndicatorTargetFactory(indicator=indicator, year=YEAR, value=Decimal("150"))
    MeasurementFactory(indicator=indicator, year=YEAR - 1, value=Decimal("120"))
    return indicator


@pytest.fixture
def other_indicator(other_action):
    return IndicatorFactory(action=other_action, code="I2.1", name="Jeunes accompagnés", unit="jeunes")


@pytest.fixture
def head(client_for):
    return client_for("service_head")


@pytest.fixture
def coordination_client(client_for):
    return client_for("coordination")


def post(client, indicator, value, *, comment="", previous="", htmx=True, year=YEAR, **params):
    data = {"value": value, "comment": comment, "previous": previous}
    return client.post(save_url(indicator, year, **params), data, headers=HTMX if htmx else {})


class TestEntryYear:
    @pytest.mark.parametrize(
        ("today", "year"),
        [
            (date(2027, 1, 15), 2026),  # the bilan 2026 is still collecting its values
            (date(2027, 2, 28), 2026),
            (date(2027, 3, 1), 2027),
            (date(2026, 11, 29), 2026),
            (date(2026, 12, 31), 2026),
        ],
    )
    def test_january_and_february_still_belong_to_the_previous_year(self, today, year):
        assert entry_year(today) == year

    def test_the_default_year_is_brought_into_the_convention(self, head, own_indicator):
        expected = min(max(entry_year(), 2022), 2026)
        response = head.get(reverse("evaluation:indicator_grid"))
        assert response.status_code == 200
        assert f"<h1>Saisie des indicateurs {expected}</h1>" in text(response)
        assert "la grille s'ouvre sur l'année précédente" in text(response)

    @pytest.mark.parametrize("year", ["2030", "2021", "abc", "²"])
    def test_a_year_outside_the_convention_is_a_404(self, head, year):
        assert head.get(reverse("evaluation:indicator_grid"), {"annee": year}).status_code == 404

    def test_a_save_for_a_year_outside_the_convention_is_a_404(self, head, own_indicator):
        assert post(head, own_indicator, "12", year=2030).status_code == 404
        assert not Measurement.objects.filter(year=2030).exists()


class TestPage:
    def test_the_service_head_sees_the_indicators_of_their_service(
        self, head, own_indicator, other_indicator, service
    ):
        # An indicator of another service's action whose responsible service is theirs: they enter it too.
        responsible = IndicatorFactory(action=other_indicator.action, service=service, code="I2.2")
        archived = ActionFactory(objective=own_indicator.action.objective, pilot_service=service, code="FA1.8")
        archived.archived_at = timezone.now()
        archived.save()
        IndicatorFactory(action=archived, code="I1.8")
        page = text(head.get(grid()))
        assert "<title>Saisie des indicateurs 2026 – Service petite enfance – Pilote CTG</title>" in page
        assert f'id="grid-value-{own_indicator.pk}"' in page
        assert f'id="grid-value-{responsible.pk}"' in page
        assert "I2.1" not in page and "I1.8" not in page
        assert "FA1.1 – Action du service" in page and "FA2.1 – Action d'un autre service" in page
        assert 'name="service"' not in page  # no service filter for them

    def test_the_service_filter_is_ignored_for_a_service_head(
        self, head, own_indicator, other_indicator, other_service
    ):
        page = text(head.get(grid(service=other_service.pk)))
        assert "I1.1" in page and "I2.1" not in page

    def test_a_row_shows_target_previous_value_status_and_state(self, head, own_indicator, service_head):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("1200.5"), comment="Provisoire")
        Measurement.objects.filter(year=YEAR).update(author=service_head)
        row = row_of(text(head.get(grid())), own_indicator)
        assert '<td class="is-number" data-label="Cible 2026">150 familles</td>' in row
        assert '<td class="is-number" data-label="Valeur 2025">120 familles</td>' in row
        assert 'value="1200,5"' in row and 'value="Provisoire"' in row
        assert '<input type="hidden" name="previous" value="1200,5"' in row
        assert "Atteint" in row
        assert re.search(r"Saisie le \d\d/\d\d/\d{4} à \d+\sh\s\d\d par ", row)
        assert f'href="{own_indicator.get_absolute_url()}"' in row

    def test_the_row_is_a_small_htmx_form_that_works_without_javascript(self, head, own_indicator):
        row = row_of(text(head.get(grid())), own_indicator)
        url = save_url(own_indicator)
        assert f'<form id="grid-form-{own_indicator.pk}" method="post" action="{url}"' in row
        assert f'data-hx-post="{url}"' in row
        assert 'data-hx-trigger="submit, ctg-grid-leave"' in row
        assert f'data-hx-target="#grid-row-{own_indicator.pk}" data-hx-swap="outerHTML"' in row
        assert 'name="csrfmiddlewaretoken"' in row
        assert row.count(f'form="grid-form-{own_indicator.pk}"') == 2  # the value, then the comment
        assert row.index(f'id="grid-value-{own_indicator.pk}"') < row.index(f'id="grid-comment-{own_indicator.pk}"')
        assert (
            f'<label class="u-visually-hidden" for="grid-value-{own_indicator.pk}">Valeur 2026 de I1.1 (familles)'
            in row
        )
        assert 'inputmode="decimal"' in row

    def test_missing_values_are_counted(self, head, own_indicator, service):
        IndicatorFactory(action=own_indicator.action, code="I1.2")
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("140"))
        page = text(head.get(grid()))
        assert (
            '<p id="grid-missing" class="c-entry-grid-missing"><strong>1 valeur manquante</strong> sur 2.</p>' in page
        )
        MeasurementFactory(indicator=IndicatorFactory(action=own_indicator.action, code="I1.3"), year=YEAR - 1)
        assert "<strong>2 valeurs manquantes</strong> sur 3." in text(head.get(grid()))

    def test_indicators_of_an_objective_or_an_axis_are_grouped_after_the_actions(self, head, own_indicator, service):
        objective = own_indicator.action.objective
        IndicatorFactory(action=None, objective=objective, convention=own_indicator.convention, service=service)
        IndicatorFactory(action=None, axis=objective.axis, convention=own_indicator.convention, service=service)
        context = IndicatorFactory(context=True, convention=own_indicator.convention, service=service, code="CTX1")
        MeasurementFactory(indicator=context, year=YEAR, value=Decimal("61.2"), provenance="import")
        page = text(head.get(grid()))
        titles = re.findall(r'<h2 class="c-entry-grid__group"[^>]*>(.*?)</h2>', page)
        assert titles == [
            "FA1.1 – Action du service",
            f"Objectif {objective}",
            f"Axe {objective.axis}",
            "Indicateurs de la CTG",
        ]
        assert re.search(r"Importée le \d\d/\d\d/\d{4}", row_of(page, context))

    def test_the_status_rule_is_shown(self, head, own_indicator):
        assert RULE in text(head.get(grid()))

    def test_the_coordination_sees_the_first_service_then_moves_to_another(
        self, coordination_client, own_indicator, other_indicator, service, other_service
    ):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("140"))
        page = text(coordination_client.get(grid()))
        # By default the first service by name that has indicators to fill in: "Service jeunesse".
        assert f'id="grid-value-{other_indicator.pk}"' in page and "I1.1" not in page
        assert f'action="{save_url(other_indicator, service=other_service.pk)}"' in page
        assert f'<input type="hidden" name="service" value="{other_service.pk}">' in page
        assert '<h2 class="c-entry-grid__group"' in page
        # The services, with their missing values, as links, the one shown first.
        links = re.findall(r'<a class="c-button c-button--small[^"]*" href="([^"]*)"([^>]*)>([^<]*)<', page)
        assert [(url, current.strip(), name) for url, current, name in links if "service=" in url] == [
            (f"?annee={YEAR}&service={other_service.pk}", 'aria-current="page"', "Service jeunesse"),
            (f"?annee={YEAR}&service={service.pk}", "", "Service petite enfance"),
        ]
        assert f'id="grid-missing-service-{other_service.pk}" class="c-badge c-badge--late">1 manquante sur 1' in page
        assert f'id="grid-missing-service-{service.pk}" class="c-badge c-badge--done">complet (1)' in page

        page = text(coordination_client.get(grid(service=service.pk)))
        assert "I1.1" in page and "I2.1" not in page
        assert f'action="{save_url(own_indicator, service=service.pk)}"' in page

    def test_the_coordination_opens_on_the_first_service_that_has_indicators(
        self, coordination_client, own_indicator, service
    ):
        ServiceFactory(name="A service sans indicateur")
        page = text(coordination_client.get(grid()))
        assert "<title>Saisie des indicateurs 2026 – Service petite enfance – Pilote CTG</title>" in page
        assert f'id="grid-value-{own_indicator.pk}"' in page
        assert "A service sans indicateur" not in page

    def test_nothing_to_enter_for_the_coordination(self, coordination_client, convention):
        page = text(coordination_client.get(grid()))
        assert "Aucun indicateur n'est rattaché à un service dans cette convention." in page
        assert 'aria-label="Services"' not in page

    def test_an_unknown_service_is_a_404(self, coordination_client, own_indicator):
        assert coordination_client.get(grid(service=999999)).status_code == 404
        assert coordination_client.get(grid(service="abc")).status_code == 404

    @pytest.mark.parametrize("role", ["direction", "elected", "tech_admin"])
    def test_other_roles_read_the_values_without_inputs(self, client_for, role, own_indicator):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("140"), comment="Chiffre CAF")
        page = text(client_for(role).get(grid()))
        row = row_of(page, own_indicator)
        assert "<input" not in row and "<form" not in row
        assert "140 familles" in row and "Chiffre CAF" in row
        assert save_url(own_indicator) not in page
        assert "Seuls la coordination et les responsables de service les saisissent." in page

    def test_nothing_to_enter(self, head, convention):
        assert "Aucun indicateur n'est renseigné par Service petite enfance" in text(head.get(grid()))


class TestPages:
    @pytest.fixture
    def many(self, own_action, service):
        """One more indicator of the service than a page holds, without a value in 2026 except the first."""
        indicators = [IndicatorFactory(action=own_action, code=f"I{number:02d}") for number in range(PAGE_SIZE + 1)]
        MeasurementFactory(indicator=indicators[0], year=YEAR, value=Decimal("1"))
        return indicators

    def test_a_page_holds_page_size_indicators_and_the_second_the_rest(self, head, many):
        assert PAGE_SIZE == 10
        first = text(head.get(grid()))
        assert first.count('class="c-entry-grid__row') == 10
        assert f'id="grid-row-{many[9].pk}"' in first and f'id="grid-row-{many[10].pk}"' not in first
        # The counter counts the whole service, not the page.
        assert "<strong>10 valeurs manquantes</strong> sur 11." in first
        assert '<nav class="c-pagination" aria-label="Pages de la grille"' in first
        assert f'<a href="?annee={YEAR}&page=2">Suivante</a>' in first

        second = text(head.get(grid(page=2)))
        assert second.count('class="c-entry-grid__row') == 1
        assert f'id="grid-row-{many[10].pk}"' in second
        assert "<strong>10 valeurs manquantes</strong> sur 11." in second
        # Its rows save back to the second page.
        assert f'action="{save_url(many[10], page=2)}"' in second

    def test_the_page_links_keep_the_year_and_the_service(self, coordination_client, many, service):
        page = text(coordination_client.get(grid(service=service.pk, page=2)))
        assert f'<a href="?annee={YEAR}&service={service.pk}&page=1">Précédente</a>' in page
        assert f'action="{save_url(many[PAGE_SIZE], service=service.pk, page=2)}"' in page

    def test_a_page_beyond_the_last_shows_the_last(self, head, many):
        page = text(head.get(grid(page=9)))
        assert f'id="grid-row-{many[PAGE_SIZE].pk}"' in page and page.count('class="c-entry-grid__row') == 1

    def test_an_error_without_javascript_shows_the_same_page_again(self, head, many):
        response = post(head, many[PAGE_SIZE], "abc", htmx=False, page="2")
        page = text(response)
        assert response.status_code == 200 and NOT_A_NUMBER in row_of(page, many[PAGE_SIZE])
        assert page.count('class="c-entry-grid__row') == 1


class TestSaveWithHtmx:
    def test_a_french_number_is_saved_and_the_row_confirms_it(self, head, own_indicator, service_head):
        response = post(head, own_indicator, "1 200,5", comment="Chiffre provisoire")
        assert response.status_code == 200
        fragment = text(response)
        assert fragment.lstrip().startswith(f'<tr id="grid-row-{own_indicator.pk}"')
        assert "<html" not in fragment
        assert re.search(r'<p class="c-saved c-entry-grid__saved" role="status">Enregistré à \d+\sh\s\d\d', fragment)
        assert "I1.1, 1\u00a0200,5 familles" in fragment
        assert 'value="1200,5"' in fragment and '<input type="hidden" name="previous" value="1200,5"' in fragment
        measurement = stored(own_indicator)
        assert measurement.value == Decimal("1200.5")
        assert (measurement.comment, measurement.author, measurement.provenance) == (
            "Chiffre provisoire",
            service_head,
            "entry",
        )

    @pytest.mark.parametrize(
        ("typed", "value"),
        [
            ("12,5", "12.5"),
            ("1 200", "1200"),
            ("1\u00a0200,5", "1200.5"),
            ("1\u202f200", "1200"),
            ("42.25", "42.25"),
        ],
    )
    def test_numbers_typed_the_french_way(self, head, own_indicator, typed, value):
        assert post(head, own_indicator, typed).status_code == 200
        assert stored(own_indicator).value == Decimal(value)

    def test_the_fragment_is_the_row_of_the_page(self, head, own_indicator):
        """Swapped into the page, the row is the one a fresh page shows, but for its confirmation."""

        def comparable(row: str) -> str:
            row = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", row)
            return re.sub(r'<td class="c-entry-grid__state">\s*<p[^>]*>.*?</p>', "", row, flags=re.S)

        fragment = text(post(head, own_indicator, "140", comment="Définitif"))
        swapped = row_of(fragment, own_indicator)
        fresh = row_of(text(head.get(grid())), own_indicator)
        assert "Enregistré à" in swapped and "Saisie le" in fresh
        assert comparable(swapped) == comparable(fresh)

    def test_the_status_is_computed_after_saving(self, head, own_indicator):
        assert "Sans donnée" in row_of(text(head.get(grid())), own_indicator)
        assert "En retard" in text(post(head, own_indicator, "110"))  # expected 150 in 2026
        assert "Atteint" in text(post(head, own_indicator, "160", previous="110"))

    def test_the_counters_are_updated_out_of_band(self, coordination_client, own_indicator, service):
        IndicatorFactory(action=own_indicator.action, code="I1.2")
        fragment = text(post(coordination_client, own_indicator, "140", service=service.pk))
        counters = fragment[fragment.index("</tr>") :]
        assert (
            '<template><p id="grid-missing" class="c-entry-grid-missing" data-hx-swap-oob="true">'
            "<strong>1 valeur manquante</strong> sur 2.</p></template>"
        ) in counters
        assert (
            f'<template><span id="grid-missing-service-{service.pk}" class="c-badge c-badge--late" '
            'data-hx-swap-oob="true">1 manquante sur 2</span></template>'
        ) in counters

    def test_without_a_service_the_counters_are_those_of_the_row_service(
        self, coordination_client, own_indicator, other_indicator, service
    ):
        fragment = text(post(coordination_client, own_indicator, "140"))
        assert "Toutes les valeurs sont saisies (1 sur 1)." in fragment
        assert f'id="grid-missing-service-{service.pk}"' in fragment

    def test_the_service_head_has_no_service_links(self, head, own_indicator):
        fragment = text(post(head, own_indicator, "140"))
        assert "grid-missing-service" not in fragment

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("abc", NOT_A_NUMBER),
            ("1,2,3", NOT_A_NUMBER),
            ("12,34567", "4 décimales au plus."),
            ("-1", BELOW_MIN.format(bound="0")),
            ("5000,01", ABOVE_MAX.format(bound="5000")),
        ],
    )
    def test_a_bad_value_is_refused_next_to_the_field(self, head, own_indicator, typed, message):
        response = post(head, own_indicator, typed, comment="Mon commentaire")
        assert response.status_code == 200
        row = text(response)
        pk = own_indicator.pk
        assert f'<ul class="errorlist" id="grid-value-{pk}_error"><li>{message}</li></ul>' in row
        field = re.search(rf'<input[^>]*id="grid-value-{pk}"[^>]*>', row).group()
        assert 'aria-invalid="true"' in field and f'aria-describedby="grid-value-{pk}_error"' in field
        assert f'value="{typed}"' in field
        assert 'value="Mon commentaire"' in row
        assert 'role="status">Enregistré' not in row
        assert stored(own_indicator) is None

    def test_an_empty_value_saves_nothing_and_says_so(self, head, own_indicator):
        assert EMPTY in text(post(head, own_indicator, "", comment="Sans chiffre"))
        assert stored(own_indicator) is None
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("130"))
        assert EMPTY_KEPT.format(value="130") in text(post(head, own_indicator, " ", previous="130"))
        assert stored(own_indicator).value == Decimal("130")

    def test_a_value_saved_meanwhile_is_not_overwritten(self, head, own_indicator, coordination):
        # The row showed 130; meanwhile someone saved 135.
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("135"), author=coordination)
        row = text(post(head, own_indicator, "140", previous="130"))
        assert CHANGED_MEANWHILE.format(value="135") in row
        assert "Valeur enregistrée entre-temps : 135" in row
        assert 'value="140"' in row  # what they typed stays
        assert '<input type="hidden" name="previous" value="135"' in row
        assert stored(own_indicator).value == Decimal("135")
        # Now that they have seen it, saving again replaces it.
        assert "Enregistré à" in text(post(head, own_indicator, "140", previous="135"))
        assert stored(own_indicator).value == Decimal("140")

    def test_a_first_value_entered_meanwhile_is_not_overwritten(self, head, own_indicator):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("135"))
        row = text(post(head, own_indicator, "140", previous=""))
        assert ALREADY_THERE.format(value="135") in row
        assert stored(own_indicator).value == Decimal("135")

    def test_a_double_submit_saves_once(self, head, own_indicator):
        first = text(post(head, own_indicator, "140", comment="Estimation"))
        second = text(post(head, own_indicator, "140", comment="Estimation"))  # the same form, sent twice
        assert "Enregistré à" in first
        assert "Déjà enregistré, rien n'a changé" in second
        assert Measurement.history.filter(indicator_id=own_indicator.pk, year=YEAR).count() == 1

    def test_the_same_value_with_another_comment_updates_the_comment(self, head, own_indicator):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("140"))
        assert "Enregistré à" in text(post(head, own_indicator, "140", comment="Chiffre définitif", previous=""))
        assert stored(own_indicator).comment == "Chiffre définitif"

    def test_a_deleted_indicator_is_said_so(self, head, own_indicator):
        url = save_url(own_indicator)
        own_indicator.delete()
        response = head.post(url, {"value": "12"}, headers=HTMX)
        assert response.status_code == 200
        assert INDICATOR_GONE in text(response)
        assert not Measurement.objects.filter(year=YEAR).exists()

    def test_the_coordination_enters_any_indicator(self, coordination_client, other_indicator, coordination):
        assert "Enregistré à" in text(post(coordination_client, other_indicator, "18"))
        assert stored(other_indicator).author == coordination


class TestSaveWithoutJavaScript:
    def test_post_redirect_get(self, head, own_indicator):
        response = post(head, own_indicator, "1 200", htmx=False)
        assert response.status_code == 302
        assert response.url == f"{grid()}#grid-row-{own_indicator.pk}"
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            SAVED.format(code="I1.1", year=YEAR, value="1\u00a0200 familles")
        ]
        assert stored(own_indicator).value == Decimal("1200")

    def test_the_filters_are_kept(self, coordination_client, own_indicator, service):
        response = post(coordination_client, own_indicator, "12", htmx=False, service=service.pk)
        assert response.url == f"{grid(service=service.pk)}#grid-row-{own_indicator.pk}"

    def test_the_page_is_kept(self, coordination_client, own_indicator, service):
        response = post(coordination_client, own_indicator, "12", htmx=False, service=service.pk, page="2")
        assert response.url == f"{grid(service=service.pk, page=2)}#grid-row-{own_indicator.pk}"

    def test_an_unchanged_value_is_said_so(self, head, own_indicator):
        MeasurementFactory(indicator=own_indicator, year=YEAR, value=Decimal("12"))
        response = post(head, own_indicator, "12", previous="12", htmx=False)
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert messages == [UNCHANGED.format(code="I1.1", year=YEAR, value="12 familles")]

    def test_an_error_shows_the_whole_grid_with_the_row_error_and_the_input(self, head, own_indicator, service):
        other = IndicatorFactory(action=own_indicator.action, code="I1.2")
        response = post(head, own_indicator, "12,5,6", comment="Brouillon", htmx=False)
        assert response.status_code == 200
        page = text(response)
        assert "<html" in page
        assert "La valeur 2026 de I1.1 n'a pas été enregistrée." in page
        assert f'<a href="#grid-value-{own_indicator.pk}">' in page
        row = row_of(page, own_indicator)
        assert NOT_A_NUMBER in row and 'value="12,5,6"' in row and 'value="Brouillon"' in row
        assert "errorlist" not in row_of(page, other)

    def test_a_deleted_indicator_is_said_so(self, head, own_indicator):
        url = save_url(own_indicator)
        own_indicator.delete()
        response = head.post(url, {"value": "12"})
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == [INDICATOR_GONE]


class TestPermissions:
    def test_a_service_head_cannot_enter_another_service_indicator(self, head, other_indicator):
        assert post(head, other_indicator, "12").status_code == 403
        assert post(head, other_indicator, "12", htmx=False).status_code == 403
        assert stored(other_indicator) is None

    def test_the_responsible_service_enters_an_indicator_of_another_service_action(self, head, other_action, service):
        indicator = IndicatorFactory(action=other_action, service=service)
        assert post(head, indicator, "12").status_code == 200
        assert stored(indicator).value == Decimal("12")

    def test_the_pilot_service_does_not_enter_an_indicator_another_service_is_responsible_for(
        self, head, own_action, other_service
    ):
        indicator = IndicatorFactory(action=own_action, service=other_service)
        assert post(head, indicator, "12").status_code == 403

    @pytest.mark.parametrize("role", ["direction", "elected", "tech_admin"])
    def test_read_only_roles_cannot_post(self, client_for, role, own_indicator):
        assert post(client_for(role), own_indicator, "12").status_code == 403
        assert stored(own_indicator) is None

    def test_get_is_not_allowed_on_the_save_url(self, head, own_indicator):
        assert head.get(save_url(own_indicator)).status_code == 405


class TestQueries:
    def make(self, count: int, objective, services, start: int = 0) -> None:
        for number in range(start, start + count):
            service = services[number % len(services)]
            action = ActionFactory(objective=objective, pilot_service=service, code=f"FA9.{number}")
            indicator = IndicatorFactory(action=action, code=f"Q{number}", unit="places")
            IndicatorTargetFactory(indicator=indicator, year=YEAR, value=Decimal("10"))
            MeasurementFactory(indicator=indicator, year=YEAR - 1, value=Decimal("8"))
            if number % 2:
                MeasurementFactory(indicator=indicator, year=YEAR, value=Decimal("9"))
            if number % 3 == 0:
                IndicatorFactory(action=action, service=services[0], code=f"Q{number}bis")

    @pytest.mark.parametrize("role", ["coordination", "service_head", "direction"])
    def test_the_grid_costs_the_same_with_1_or_many_indicators(
        self, client_for, role, objective, service, django_assert_max_num_queries
    ):
        services = [service, *ServiceFactory.create_batch(3)]
        client = client_for(role)
        self.make(1, objective, services)
        with django_assert_max_num_queries(12) as few:
            assert client.get(grid()).status_code == 200
        self.make(30, objective, services, start=1)
        with django_assert_max_num_queries(len(few)) as many:
            page = text(client.get(grid()))
        assert page.count('class="c-entry-grid__row') > 5
        assert len(many) == len(few)

    def test_a_page_costs_the_same_beyond_one_page(self, head, objective, service, django_assert_max_num_queries):
        services = [service, *ServiceFactory.create_batch(2)]
        self.make(1, objective, services)
        with django_assert_max_num_queries(12) as few:
            assert head.get(grid()).status_code == 200
        self.make(45, objective, services, start=1)  # 30 more indicators of the service: four pages
        with django_assert_max_num_queries(len(few)):
            page = text(head.get(grid(page=4)))
        assert 0 < page.count('class="c-entry-grid__row') < PAGE_SIZE

    def test_saving_a_row_costs_a_fixed_number_of_queries(
        self, coordination_client, own_indicator, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(28):
            assert post(coordination_client, own_indicator, "12").status_code == 200


@pytest.mark.parametrize(
    ("inline", "template"), [(GridTextInput, forms.TextInput), (GridHiddenInput, forms.HiddenInput)]
)
@pytest.mark.parametrize("value", [None, "", "1 200,5", '"<Très bien> & plus"'])
def test_the_grid_inputs_are_written_as_the_widget_templates_write_them(inline, template, value):
    attrs = {"id": "grid-value-1", "form": "grid-form-1", "data-ctg-grid-input": "", "required": True, "x": False}
    assert inline(attrs=DECIMAL_INPUT_ATTRS).render("value", value, attrs) == template(
        attrs=DECIMAL_INPUT_ATTRS
    ).render("value", value, attrs)
