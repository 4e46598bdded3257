"""The permission matrix of the evaluation app: every URL × every role, as in tests/test_permissions.py.

Each part of the app lists its cases and endpoints in a `matrix_*.py` module of this folder.
"""

import pytest

from tests.evaluation import (
    matrix_assessments,
    matrix_diagnostic,
    matrix_grid,
    matrix_indicators,
    matrix_surveys,
    matrix_workshops,
)
from tests.test_permissions import ROLES, Case, check_permission

PARTS = (matrix_indicators, matrix_grid, matrix_diagnostic, matrix_surveys, matrix_workshops, matrix_assessments)
MATRIX: list[Case] = [case for part in PARTS for case in part.CASES]
ENDPOINTS = {name: endpoint for part in PARTS for name, endpoint in part.ENDPOINTS.items()}
MATRIX_URL_NAMES = frozenset(case.name for case in MATRIX)


def test_every_case_has_an_endpoint():
    assert set(ENDPOINTS) == MATRIX_URL_NAMES
    ids = [case.id for case in MATRIX]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(case, role, id=f"{case.id}-{role}") for case in MATRIX for role in ROLES],
)
def test_permission(case: Case, role: str, request, client, own_action, other_action):
    check_permission(case, role, ENDPOINTS[case.name], request, client)
