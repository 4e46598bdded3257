"""The bilan campaign's filters of the plan d'actions (`year`, `missing`, `funder`), which the dashboard's
figures link to: each gives the same actions as the queryset method it stands for."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.actions.factories import ActionFactory, BudgetLineFactory, ProgressUpdateFactory

YEAR = 2025


def at(year: int, month: int = 6, day: int = 1) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12))


@pytest.fixture
def plan(convention, objective, service, other_service):
    """Convention 2022–2026. In 2025: `updated` has a point d'étape and its réalisé, `no_update` has a
    point d'étape of 2024 only and a line of 2025 without réalisé, `open_ended` has no dates, `old` ended in
    2023, `archived` is archived."""
    make = ActionFactory
    actions = {
        "updated": make(objective=objective, pilot_service=service, start_date=date(2024, 1, 1), end_date=None),
        "no_update": make(
            objective=objective, pilot_service=service, start_date=date(2025, 3, 1), end_date=date(2026, 6, 30)
        ),
        "open_ended": make(objective=objective, pilot_service=other_service, start_date=None, end_date=None),
        "old": make(
            objective=objective, pilot_service=other_service, start_date=date(2022, 1, 1), end_date=date(2023, 12, 31)
        ),
        "archived": make(objective=objective, pilot_service=service, archived=True, start_date=None, end_date=None),
    }
    ProgressUpdateFactory(action=actions["updated"], recorded_at=at(YEAR))
    ProgressUpdateFactory(action=actions["no_update"], recorded_at=at(YEAR - 1))
    ProgressUpdateFactory(action=actions["old"], recorded_at=at(2023))
    BudgetLineFactory(action=actions["updated"], year=YEAR, funder="commune", actual=Decimal(900))
    BudgetLineFactory(action=actions["updated"], year=YEAR, funder="commune", actual=Decimal(100))
    BudgetLineFactory(action=actions["no_update"], year=YEAR, funder="caf_bonus", actual=None)
    BudgetLineFactory(action=actions["no_update"], year=YEAR - 1, funder="commune", actual=Decimal(10))
    BudgetLineFactory(action=actions["old"], year=2023, funder="caf_bonus", actual=None)
    BudgetLineFactory(action=actions["archived"], year=YEAR, funder="commune", actual=None)
    return actions


def listed(client, convention, **params) -> tuple[set[str], int]:
    response = client.get(reverse("actions:list"), {"convention": convention.pk, **params})
    assert response.status_code == 200
    page = response.context["page"]
    return {action.code for action in page.object_list}, page.paginator.count


def codes(plan, *names) -> set[str]:
    return {plan[name].code for name in names}


class TestCampaignFilters:
    def test_year_lists_the_actions_whose_calendar_overlaps_it(self, client_for, convention, plan):
        client = client_for("elected")
        assert listed(client, convention, year=YEAR) == (codes(plan, "updated", "no_update", "open_ended"), 3)
        assert listed(client, convention, year=2023) == (codes(plan, "old", "open_ended"), 2)

    def test_year_is_the_in_year_queryset(self, client_for, convention, plan):
        expected = set(Action.objects.active().of_convention(convention).in_year(YEAR).values_list("code", flat=True))
        assert listed(client_for("direction"), convention, year=YEAR)[0] == expected

    def test_missing_update(self, client_for, convention, plan):
        found = listed(client_for("coordination"), convention, year=YEAR, missing="update")
        assert found == (codes(plan, "no_update", "open_ended"), 2)
        expected = Action.objects.active().of_convention(convention).in_year(YEAR).missing_update(YEAR)
        assert found[0] == {action.code for action in expected}

    def test_missing_actual(self, client_for, convention, plan):
        found = listed(client_for("coordination"), convention, year=YEAR, missing="actual")
        assert found == (codes(plan, "no_update"), 1)

    def test_missing_actual_with_a_service(self, client_for, convention, plan, other_service):
        assert (
            listed(
                client_for("coordination"), convention, year=YEAR, missing="actual", pilot_service=other_service.pk
            )[1]
            == 0
        )

    def test_missing_without_a_year_is_ignored(self, client_for, convention, plan):
        client = client_for("coordination")
        everything = listed(client, convention)
        assert everything[1] == 4
        assert listed(client, convention, missing="update") == everything
        assert listed(client, convention, missing="actual") == everything

    def test_funder_and_year(self, client_for, convention, plan):
        client = client_for("service_head")
        assert listed(client, convention, year=YEAR, funder="commune") == (codes(plan, "updated"), 1)
        assert listed(client, convention, year=YEAR, funder="caf_bonus") == (codes(plan, "no_update"), 1)
        # `no_update` has a commune line of 2024 but starts in 2025: the campaign of 2024 does not ask about it.
        assert listed(client, convention, year=YEAR - 1, funder="commune") == (set(), 0)
        assert listed(client, convention, year=YEAR, funder="state")[1] == 0

    def test_funder_lines_of_another_year_do_not_count(self, client_for, convention, plan):
        """`no_update` has a commune line in 2024 and a CAF line in 2025: not a commune action of 2025."""
        assert (
            plan["no_update"].code not in listed(client_for("direction"), convention, year=YEAR, funder="commune")[0]
        )

    def test_funder_without_a_year_counts_every_year_once(self, client_for, convention, plan):
        assert listed(client_for("direction"), convention, funder="commune") == (
            codes(plan, "updated", "no_update"),
            2,
        )

    @pytest.mark.parametrize(
        "params",
        [
            {"year": "abc"},
            {"year": "²"},
            {"year": "1999"},
            {"year": "99999"},
            {"year": "2025.5"},
            {"missing": "nothing"},
            {"funder": "nobody"},
            {"year": "²", "missing": "update"},
        ],
    )
    def test_bad_values_are_ignored(self, client_for, convention, plan, params):
        assert listed(client_for("coordination"), convention, **params)[1] == 4

    def test_the_form_shows_why_the_list_is_filtered(self, client_for, convention, plan):
        response = client_for("elected").get(
            reverse("actions:list"),
            {"convention": convention.pk, "year": YEAR, "missing": "update", "funder": "commune"},
        )
        html = response.text
        assert '<label for="id_year">Année de campagne</label>' in html
        assert f'<option value="{YEAR}" selected>{YEAR}</option>' in html
        assert '<option value="update" selected>Sans point d&#x27;étape dans l&#x27;année</option>' in html
        assert '<option value="commune" selected>Commune</option>' in html
        for year in convention.years:
            assert f'<option value="{year}"' in html

    def test_htmx_fragment_keeps_the_filters(self, client_for, convention, plan):
        response = client_for("coordination").get(
            reverse("actions:list"),
            {"convention": convention.pk, "year": YEAR, "missing": "update"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2
        assert "<form" not in response.text
