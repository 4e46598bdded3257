"""The demo's workshops and evaluations: present after `seed_demo`, dated relative to today, and seeded once.
(Two tests only: seeding the whole demo takes a while.)"""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ctg.models import Convention, User
from evaluation.enums import CRITERIA
from evaluation.models import Assessment, Workshop
from evaluation.views.assessments import assessment_grid_of


def test_demo_workshops_and_evaluations(db, client):
    call_command("seed_demo", stdout=StringIO())
    demo = Convention.objects.current()
    today = timezone.localdate()

    workshops = list(Workshop.objects.filter(convention=demo).prefetch_related("axes", "actions"))
    assert len(workshops) == 4
    assert sum(today - w.held_on <= timedelta(days=365) for w in workshops) == 3
    assert all(today.year - 2 <= w.held_on.year <= today.year for w in workshops)
    assert all(w.axes.all() and w.actions.all() and w.proposals and w.outcomes and w.inhabitants for w in workshops)
    assert {w.kind for w in workshops} == {"workshop", "public_meeting", "forum", "consultation"}

    year = today.year - 1
    assessments = Assessment.objects.filter(action__convention=demo, year=year, kind="annual")
    assert 10 <= assessments.count() <= 12
    assert set(assessments.values_list("recommendation", flat=True)) == {"continue", "adapt", "perpetuate", "stop"}
    ratings = {rating for name, _ in CRITERIA for rating in assessments.values_list(name, flat=True)}
    assert ratings == {None, 1, 2, 3, 4}
    grids, whole = assessment_grid_of(demo, year, "annual")
    assert whole.assessed == assessments.count()
    assert all(grid.total for grid in grids)

    client.force_login(User.objects.get(username="coordination"))
    for name in ("workshop_list", "workshop_proposals", "assessment_list", "assessment_grid"):
        assert client.get(reverse(f"evaluation:{name}")).status_code == 200, name


def test_seeding_twice_changes_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (Workshop.objects.count(), Assessment.objects.count())
    history = (Workshop.history.count(), Assessment.history.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Workshop.objects.count(), Assessment.objects.count()) == counts
    assert (Workshop.history.count(), Assessment.history.count()) == history
