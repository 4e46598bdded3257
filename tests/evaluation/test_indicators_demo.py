"""The demo's indicators: one or two per fiche action, values entered by the pilot services' heads, some missing
for the current year, some off-track; seeded once. (One test: seeding the whole demo takes a while.)"""

from collections import Counter
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from actions.models import Action
from ctg.models import Convention
from evaluation.enums import IndicatorKind
from evaluation.models import Indicator, IndicatorTarget, Measurement


def test_demo_indicators_seeded_once(db):
    call_command("seed_demo", stdout=StringIO())
    demo = Convention.objects.current()
    today = timezone.localdate()
    actions = Action.objects.of_convention(demo)
    counts = Counter(Indicator.objects.filter(action__in=actions).values_list("action__code", flat=True))
    assert set(counts) == set(actions.values_list("code", flat=True))
    assert set(counts.values()) == {1, 2}

    own = Indicator.objects.of_convention(demo).exclude(kind=IndicatorKind.CONTEXT)
    statuses = Counter(own.with_status(today.year).values_list("status", flat=True))
    assert statuses["no_data"] >= 5 and statuses["late"] >= 5 and statuses["reached"] >= 5
    assert Counter(own.with_status(today.year - 1).values_list("status", flat=True))["on_track"] >= 10
    assert all(i.baseline_year == demo.start_date.year and i.targets.count() == 4 for i in own)

    # Each value entered, in January after its year, by the head of the action's service (the coordination
    # for its own service's actions, and for the one correction of the demo).
    values = Measurement.objects.filter(indicator__in=own).select_related("author", "indicator__action")
    assert all(m.author.service_id == m.indicator.action.pilot_service_id or m.author.is_coordination for m in values)
    assert all(m.recorded_at.date() < today for m in values)
    corrected = Measurement.history.filter(indicator__code="FA1.2-I1", history_type="~").get()
    assert corrected.history_user.is_coordination

    numbers = (Indicator.objects.count(), IndicatorTarget.objects.count(), Measurement.objects.count())
    history = (Indicator.history.count(), IndicatorTarget.history.count(), Measurement.history.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Indicator.objects.count(), IndicatorTarget.objects.count(), Measurement.objects.count()) == numbers
    assert (Indicator.history.count(), IndicatorTarget.history.count(), Measurement.history.count()) == history
