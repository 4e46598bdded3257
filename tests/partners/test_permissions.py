"""The permission matrix of the partners app: every new URL × every role, as in tests/test_permissions.py.

Each part of the app lists its cases and endpoints in a module of this folder (`matrix.py` for the directory and
its contacts, `matrix_agreements.py` for the agreements, facilities and funding lines). `MATRIX_URL_NAMES` is for
tests/test_consistency.py, which checks that every URL of the project is in a matrix.
"""

import pytest

from tests.partners import matrix, matrix_agreements
from tests.test_permissions import ROLES, SIGNED_IN, Case, check_permission

PARTS = (matrix, matrix_agreements)
MATRIX: list[Case] = [case for part in PARTS for case in part.CASES]
ENDPOINTS = {name: endpoint for part in PARTS for name, endpoint in part.ENDPOINTS.items()}
MATRIX_URL_NAMES = frozenset(case.name for case in MATRIX)


def test_every_case_has_an_endpoint_and_every_role():
    assert set(ENDPOINTS) == MATRIX_URL_NAMES
    ids = [case.id for case in MATRIX]
    assert len(ids) == len(set(ids))
    for case in MATRIX:
        assert set(case.expected) == set(ROLES), case.id


def test_every_url_of_the_app_is_in_a_matrix():
    from django.urls import get_resolver

    from tests.test_permissions import MATRIX_URL_NAMES as CORE_URL_NAMES

    names = {
        f"partners:{name}"
        for name in get_resolver().namespace_dict["partners"][1].reverse_dict
        if isinstance(name, str)
    }
    assert sorted(names - MATRIX_URL_NAMES - CORE_URL_NAMES) == []


def test_only_the_coordination_the_direction_and_the_elus_open_signed_documents():
    for case in MATRIX:
        if case.name == "partners:agreement_document":
            opened = {role for role in SIGNED_IN if case.expected[role] == 200}
            assert opened <= {"coordination", "direction", "elected"}, case.id


def test_only_the_coordination_reaches_the_contacts():
    for case in MATRIX:
        if case.name.startswith("partners:contact_"):
            assert {role for role in SIGNED_IN if case.expected[role] not in (403, 405)} <= {"coordination"}, case.id


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(case, role, id=f"{case.id}-{role}") for case in MATRIX for role in ROLES],
)
def test_permission(case: Case, role: str, request, client, own_action, other_action):
    check_permission(case, role, ENDPOINTS[case.name], request, client)
