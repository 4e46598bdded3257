"""Permission cases of this part of the evaluation app (see tests/evaluation/test_permissions.py)."""

from tests.test_permissions import Case, Endpoint

CASES: list[Case] = []
ENDPOINTS: dict[str, Endpoint] = {}
