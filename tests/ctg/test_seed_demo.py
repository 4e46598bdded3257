from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from actions.enums import ActionStatus
from actions.models import Action, BudgetLine, Milestone, ProgressUpdate
from ctg.models import Convention


@pytest.fixture
def demo(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_ctg_matches_the_domain(demo):
    current = Convention.objects.current()
    assert current.status == "in_force"
    assert current.end_date.year == timezone.localdate().year
    assert Convention.objects.filter(status="drafting").count() == 1
    assert current.axes.count() == 5
    actions = Action.objects.of_convention(current).for_display()
    assert 24 <= actions.count() <= 30
    assert {action.status for action in actions} == set(ActionStatus.values)
    assert 2 <= actions.late().count() <= 6
    assert 2 <= actions.without_news().count() <= 8
    assert ProgressUpdate.objects.order_by("recorded_at").first().recorded_at.year == current.start_date.year
    assert Milestone.objects.exists() and BudgetLine.objects.exists()
    assert all(action.pilot_service_id for action in actions)


@pytest.mark.parametrize("username", ["coordination", "direction", "elu", "petite-enfance", "jeunesse"])
def test_demo_accounts_log_in_with_demo(demo, rf, username):
    # django-axes, the first authentication backend, needs the request.
    assert authenticate(rf.post("/compte/connexion/"), username=username, password="demo") is not None
    assert username in demo


def test_seed_is_idempotent(demo):
    counts = (Convention.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Convention.objects.count(), Action.objects.count(), ProgressUpdate.objects.count()) == counts
    assert "déjà chargée" in out.getvalue()
