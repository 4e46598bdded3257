"""Crafted query parameters get a 404, never a 500: "²" is a digit for `str.isdigit()` but not for `int()`,
and a key longer than the database's integers cannot exist."""

import pytest
from django.urls import reverse

PAGES = ["actions:list", "actions:create", "reports:dashboard", "reports:campaign", "reports:bilan_list"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("value", ["²", "-1", "1e3", "99999999999999999999", "١"])
def test_a_crafted_convention_is_not_found(client_for, convention, name, value):
    response = client_for("coordination").get(reverse(name), {"convention": value})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["reports:campaign"])
@pytest.mark.parametrize("value", ["²", "abc", "99999999999999999999"])
def test_a_crafted_year_is_not_found(client_for, convention, name, value):
    assert client_for("coordination").get(reverse(name), {"year": value}).status_code == 404


def test_a_crafted_objective_is_ignored_on_the_new_fiche_form(client_for, convention):
    response = client_for("coordination").get(reverse("actions:create"), {"objective": "²"})
    assert response.status_code == 200
