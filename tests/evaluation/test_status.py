"""The computed status of an indicator (evaluation.status)."""

from decimal import Decimal

import pytest

from evaluation.enums import IndicatorStatus
from evaluation.models import Indicator, Measurement
from evaluation.selectors import figures, with_figures
from evaluation.services import measurement_record, statuses_refresh
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def status(indicator, year):
    return Indicator.objects.with_status(year).get(pk=indicator.pk)


def expected(indicator, year):
    return figures(with_figures(Indicator.objects.filter(pk=indicator.pk), year).get(), year).expected


def make(direction="up", baseline=("100", 2022), targets=(("2026", "150"),), values=()):
    indicator = IndicatorFactory(
        direction=direction,
        baseline_value=Decimal(baseline[0]) if baseline else None,
        baseline_year=baseline[1] if baseline else None,
    )
    for year, value in targets:
        IndicatorTargetFactory(indicator=indicator, year=int(year), value=Decimal(value))
    for year, value in values:
        MeasurementFactory(indicator=indicator, year=year, value=Decimal(value))
    return indicator


class TestExpectedValue:
    def test_an_explicit_target_is_the_expected_value(self):
        indicator = make(targets=(("2024", "120"), ("2026", "150")))
        assert expected(indicator, 2024) == pytest.approx(120)

    def test_between_baseline_and_target_the_trajectory_is_linear(self):
        indicator = make(targets=(("2026", "150"),))
        # 2022: 100 → 2026: 150, so 2025 expects 137.5 (a division SQLite must not truncate).
        assert expected(indicator, 2025) == pytest.approx(137.5)

    def test_between_two_targets(self):
        indicator = make(baseline=None, targets=(("2023", "10"), ("2026", "40")))
        assert expected(indicator, 2024) == pytest.approx(20)

    def test_after_the_last_target_it_stays(self):
        indicator = make(targets=(("2025", "150"),))
        assert expected(indicator, 2026) == pytest.approx(150)

    def test_before_any_point_the_first_target(self):
        indicator = make(baseline=None, targets=(("2026", "150"),))
        assert expected(indicator, 2023) == pytest.approx(150)


class TestStatus:
    @pytest.mark.parametrize(
        ("direction", "value", "expected"),
        [
            ("up", "160", IndicatorStatus.REACHED),
            ("up", "150", IndicatorStatus.REACHED),
            ("up", "140", IndicatorStatus.ON_TRACK),  # 2025 expects 137.5
            ("up", "130", IndicatorStatus.LATE),
        ],
    )
    def test_to_raise(self, direction, value, expected):
        indicator = make(direction=direction, values=((2025, value),))
        assert status(indicator, 2025).status == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("40", IndicatorStatus.REACHED), ("50", IndicatorStatus.ON_TRACK), ("60", IndicatorStatus.LATE)],
    )
    def test_to_lower(self, value, expected):
        # 2022: 100 → 2026: 40, so 2025 expects 55.
        indicator = make(direction="down", targets=(("2026", "40"),), values=((2025, value),))
        assert status(indicator, 2025).status == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("96", IndicatorStatus.REACHED), ("104", IndicatorStatus.REACHED), ("90", IndicatorStatus.LATE)],
    )
    def test_to_keep_stable_within_5_percent(self, value, expected):
        indicator = make(direction="stable", targets=(("2026", "100"),), values=((2025, value),))
        assert status(indicator, 2025).status == expected

    def test_no_value_for_the_year_is_no_data(self):
        indicator = make(values=((2024, "200"),))
        assert status(indicator, 2025).status == IndicatorStatus.NO_DATA

    def test_no_target_is_no_data(self):
        indicator = make(targets=(), values=((2025, "200"),))
        assert status(indicator, 2025).status == IndicatorStatus.NO_DATA

    def test_filter_and_count_in_one_query(self, django_assert_num_queries):
        make(values=((2025, "160"),))
        make(values=((2025, "130"),))
        with django_assert_num_queries(1):
            assert Indicator.objects.with_status(2025).filter(status=IndicatorStatus.LATE).count() == 1


class TestStoredStatus:
    """The status is computed once per value of a whole year and stored on it (`statuses_refresh`)."""

    def test_refresh_saves_only_the_statuses_that_changed(self, django_assert_num_queries):
        indicator = make(values=((2024, "126"), (2025, "130")))  # 125 and 137.5 expected: on track, late
        assert dict(indicator.measurements.values_list("year", "status")) == {
            2024: IndicatorStatus.ON_TRACK,
            2025: IndicatorStatus.LATE,
        }
        Indicator.objects.filter(pk=indicator.pk).update(baseline_value=Decimal("80"))  # 2025 now expects 132.5
        assert statuses_refresh(indicator_ids=[indicator.pk]) == 0
        Indicator.objects.filter(pk=indicator.pk).update(baseline_value=Decimal("40"))  # 2025 now expects 122.5
        with django_assert_num_queries(6):  # indicators, targets, values, one UPDATE, and savepoints
            assert statuses_refresh(indicator_ids=[indicator.pk]) == 1
        assert indicator.measurements.get(year=2025).status == IndicatorStatus.ON_TRACK

    def test_a_quarter_has_no_status_of_its_own(self):
        indicator = make(values=((2025, "160"),))
        quarter = MeasurementFactory(indicator=indicator, year=2025, period="Q1", value=Decimal("10"))
        assert quarter.status == IndicatorStatus.NO_DATA
        assert status(indicator, 2025).status == IndicatorStatus.REACHED

    def test_recording_a_value_stores_its_status(self, coordination):
        indicator = make()
        measurement = measurement_record(indicator=indicator, year=2025, value=Decimal("140"), by=coordination)
        assert Measurement.objects.get(pk=measurement.pk).status == IndicatorStatus.ON_TRACK
        measurement_record(indicator=indicator, year=2025, value=Decimal("100"), by=coordination)
        assert Measurement.objects.get(pk=measurement.pk).status == IndicatorStatus.LATE

    @pytest.mark.parametrize("wanted", list(IndicatorStatus))
    def test_the_filter_by_status_agrees_with_the_annotation(self, wanted, django_assert_num_queries):
        make(values=((2025, "160"),))  # reached
        make(values=((2025, "140"),))  # on track
        make(values=((2025, "130"),))  # late
        make(values=((2024, "130"),))  # no value in 2025
        make(targets=(), values=((2025, "130"),))  # no target
        annotated = Indicator.objects.with_status(2025)
        with django_assert_num_queries(1):
            found = set(Indicator.objects.in_status(2025, wanted).values_list("pk", flat=True))
        assert found == {indicator.pk for indicator in annotated if indicator.status == wanted}
        assert len(found) == (2 if wanted == IndicatorStatus.NO_DATA else 1)
