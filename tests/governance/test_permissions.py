"""The permission matrix of the governance: every URL × every role, as in tests/test_permissions.py.

`MATRIX_URL_NAMES` is for tests/test_consistency.py, which checks that every URL of the project is in a matrix.
"""

import pytest
from django.apps import apps
from django.urls import get_resolver

import tests.test_permissions as core
from tests.governance import matrix
from tests.test_permissions import ROLES, Case, check_permission

MATRIX: list[Case] = matrix.CASES
ENDPOINTS = matrix.ENDPOINTS
MATRIX_URL_NAMES = frozenset(case.name for case in MATRIX)
CORE_STATE = core.database_state


def database_state() -> dict[str, list[dict]]:
    """The core apps' rows and the governance's, history tables included."""
    models = apps.get_app_config("governance").get_models()
    return CORE_STATE() | {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def test_every_case_has_an_endpoint_and_every_role():
    assert set(ENDPOINTS) == MATRIX_URL_NAMES
    ids = [case.id for case in MATRIX]
    assert len(ids) == len(set(ids))
    for case in MATRIX:
        assert set(case.expected) == set(ROLES), case.id


def test_every_url_of_the_app_is_in_the_matrix():
    names = {
        f"governance:{name}"
        for name in get_resolver().namespace_dict["governance"][1].reverse_dict
        if isinstance(name, str)
    }
    assert sorted(names - MATRIX_URL_NAMES) == []


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(case, role, id=f"{case.id}-{role}") for case in MATRIX for role in ROLES],
)
def test_permission(case: Case, role: str, request, client, own_action, other_action, monkeypatch):
    monkeypatch.setattr(core, "database_state", database_state)
    check_permission(case, role, ENDPOINTS[case.name], request, client)
