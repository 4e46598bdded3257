import os

import pytest

from tests.actions.factories import ActionFactory
from tests.browser import chromium
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, ServiceFactory, UserFactory

# Sync Playwright and the ORM share the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROLES = ["coordination", "direction", "elected", "service_head", "tech_admin"]


@pytest.fixture
def convention(db):
    return ConventionFactory()


@pytest.fixture
def objective(convention):
    return ObjectiveFactory(axis__convention=convention)


@pytest.fixture
def service(db):
    return ServiceFactory(name="Service petite enfance")


@pytest.fixture
def other_service(db):
    return ServiceFactory(name="Service jeunesse")


@pytest.fixture
def own_action(objective, service):
    """An action piloted by the service of the `service_head` fixture."""
    return ActionFactory(objective=objective, pilot_service=service, code="FA1.1", title="Action du service")


@pytest.fixture
def other_action(objective, other_service):
    return ActionFactory(
        objective=objective, pilot_service=other_service, code="FA2.1", title="Action d'un autre service"
    )


@pytest.fixture
def coordination(db):
    return UserFactory(coordination=True, username="coordination")


@pytest.fixture
def direction(db):
    return UserFactory(direction=True, username="direction")


@pytest.fixture
def elected(db):
    return UserFactory(elected=True, username="elu")


@pytest.fixture
def service_head(service):
    return UserFactory(service_head=True, service=service, username="petite-enfance")


@pytest.fixture
def tech_admin(db):
    return UserFactory(tech_admin=True, username="admin")


@pytest.fixture
def user_for(request):
    """`user_for("coordination")` returns the user of that role (service heads belong to `service`)."""

    def get(role: str):
        return request.getfixturevalue(role)

    return get


@pytest.fixture
def client_for(client, user_for):
    def get(role: str):
        client.force_login(user_for(role))
        return client

    return get


@pytest.fixture
def coordinators(coordination):
    """Two coordination sessions, for the race tests."""
    from tests.concurrency import logged_in

    return logged_in(coordination), logged_in(UserFactory(coordination=True, username="coordination-2"))


@pytest.fixture(scope="module")
def race_outcomes():
    """Print how each race of a module ended, once the module is done."""
    from tests.concurrency import print_outcomes

    yield
    print_outcomes()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium.EXECUTABLE, "args": chromium.ARGS}
