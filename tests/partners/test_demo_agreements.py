"""The demo's agreements, facilities and funding lines: plausible, two agreements to renew, loaded twice without
change."""

from collections import Counter
from datetime import date

import pytest

from ctg.management.commands import demo_data
from ctg.models import Territory
from partners.demo import AGREEMENTS, seed_partners
from partners.models import RENEWAL_HORIZON_DAYS, Agreement, Facility, FundingLine

TODAY = date(2026, 11, 30)


@pytest.fixture
def places(db):
    commune = Territory.objects.create(kind="commune", name="Joinville-le-Pont", code="94042")
    for name in demo_data.DISTRICTS:
        Territory.objects.create(kind="district", name=name, parent=commune)
    return commune


def snapshot() -> tuple:
    return tuple(
        (list(model.objects.order_by("pk").values()), model.history.count())
        for model in (Agreement, Facility, FundingLine)
    )


@pytest.mark.parametrize("today", [TODAY, date(2027, 2, 28), date(2026, 6, 15)])
def test_agreements(places, today):
    seed_partners(today=today)
    assert Agreement.objects.count() == len(AGREEMENTS) == 11
    for agreement in Agreement.objects.all():
        agreement.full_clean()
    assert Agreement.objects.to_renew(today, RENEWAL_HORIZON_DAYS).count() == 2
    assert Agreement.objects.filter(end_date__lt=today).count() == 1
    assert len({agreement.kind for agreement in Agreement.objects.all()}) == 5


def test_facilities_and_their_funding(places):
    seed_partners(today=TODAY)
    kinds = Counter(Facility.objects.values_list("kind", flat=True))
    assert kinds == {
        "eaje": 4,
        "alsh": 2,
        "rpe": 1,
        "laep": 1,
        "toy_library": 1,
        "social_centre": 1,
        "youth": 1,
        "france_services": 1,
    }
    assert Facility.objects.filter(manager__isnull=True).count() == 6
    assert not Facility.objects.filter(district__isnull=True).exists()
    lines = FundingLine.objects.with_amount()
    assert sorted(set(lines.values_list("year", flat=True))) == [2022, 2023, 2024, 2025, 2026]
    for line in lines:
        line.full_clean()
        if line.year < TODAY.year:
            assert line.stage == "paid" and line.paid <= line.amount
        else:
            assert line.stage in ("planned", "notified") and line.paid is None
    assert set(lines.filter(year=2026).values_list("stage", flat=True)) == {"planned", "notified"}
    assert {"psu", "bonus_eaje", "bonus_alsh", "bonus_rpe", "bonus_laep", "clas", "reaap"} <= set(
        lines.values_list("scheme", flat=True)
    )
    psu = lines.get(facility__name="Multi-accueil Les Canotiers", year=2022, scheme="psu")
    assert 400_000 < psu.amount < 700_000  # 60 places × 1 700 h × 5,62 €


def test_seeding_twice_changes_nothing(places):
    seed_partners(today=TODAY)
    before = snapshot()
    seed_partners(today=TODAY)
    assert snapshot() == before
