import pytest

from tests.reports.factories import AnnualReportFactory


@pytest.fixture
def queued_tasks(settings):
    """Tasks queued and not run, as the database queue does until its worker takes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def report(convention):
    """The bilan 2026 of the conftest's convention (2022–2026), a brouillon."""
    return AnnualReportFactory(convention=convention, year=2026)
