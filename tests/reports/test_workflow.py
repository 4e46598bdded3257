"""The bilan's workflow services: brouillon → validé → transmis → remarques de la CAF, each rule broken giving
its French message and leaving the database as it was."""

import hashlib
import logging
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from reports import workflow
from reports.enums import RenderState, ReportStatus, TransmissionChannel
from reports.models import AnnualReport, ReportVersion
from reports.workflow import (
    BilanError,
    StaleNarrative,
    bilan_create,
    bilan_record_caf_remarks,
    bilan_request_version,
    bilan_save_narrative,
    bilan_transmit,
    bilan_validate,
)
from tests.ctg.factories import ConventionFactory, UserFactory
from tests.reports.factories import AnnualReportFactory, ReportVersionFactory
from tests.reports.factories import ready_version as ready


def snapshot(report: AnnualReport) -> tuple:
    """Everything the workflow may change, to check that a refused step changed nothing."""
    fresh = AnnualReport.objects.get(pk=report.pk)
    versions = list(ReportVersion.objects.filter(report=report).values_list("number", "state", "sha256"))
    return (
        fresh.status,
        fresh.version,
        fresh.synthesis,
        fresh.validated_version_id,
        fresh.validated_at,
        fresh.transmitted_version_id,
        fresh.transmitted_on,
        fresh.caf_remarks,
        fresh.history.count(),
        versions,
    )


@pytest.fixture
def validated(report, coordination, direction):
    version = ready(report, 1, coordination)
    bilan_validate(report=report, by=direction, version=version)
    return report


@pytest.fixture
def transmitted(validated, coordination):
    bilan_transmit(
        report=validated, by=coordination, transmitted_on=timezone.localdate(), channel=TransmissionChannel.EMAIL
    )
    return validated


class TestCreate:
    def test_one_bilan_per_year_of_the_convention(self, convention, coordination):
        report = bilan_create(convention=convention, year=2025, by=coordination)
        assert (report.year, report.status, report.updated_by) == (2025, ReportStatus.DRAFT, coordination)
        assert report.history.get().history_user == coordination
        assert bilan_create(convention=convention, year=2025, by=coordination) == report
        assert AnnualReport.objects.count() == 1

    def test_a_year_outside_the_convention_is_refused(self, convention, coordination):
        with pytest.raises(BilanError) as error:
            bilan_create(convention=convention, year=2031, by=coordination)
        assert str(error.value) == "L'année 2031 est hors de la période de la convention (2022–2026)."
        assert not AnnualReport.objects.exists()

    def test_a_concurrent_creation_returns_the_existing_bilan(self, convention, coordination, monkeypatch):
        existing = AnnualReportFactory(convention=convention, year=2024)
        # The first request checked before the other one committed: the unique constraint decides.
        monkeypatch.setattr(AnnualReport.objects, "filter", lambda **kwargs: AnnualReport.objects.none())
        assert bilan_create(convention=convention, year=2024, by=coordination) == existing
        assert AnnualReport.objects.count() == 1


class TestNarrative:
    def test_saving_bumps_the_version_and_names_the_author(self, report, coordination, caplog):
        caplog.set_level(logging.INFO, logger="reports")
        bilan_save_narrative(report=report, by=coordination, data={"synthesis": "Bonne année."}, version=1)
        fresh = AnnualReport.objects.get(pk=report.pk)
        assert (fresh.synthesis, fresh.version, fresh.updated_by) == ("Bonne année.", 2, coordination)
        assert report.version == 2  # the caller's instance follows
        assert fresh.history.first().history_user == coordination
        assert [r.message for r in caplog.records if r.name == "reports"] == [
            f"Bilan {report.pk} narrative saved by {coordination}: synthesis"
        ]

    def test_nothing_changed_saves_nothing(self, report, coordination):
        bilan_save_narrative(report=report, by=coordination, data={"synthesis": ""}, version=1)
        assert AnnualReport.objects.get(pk=report.pk).version == 1
        assert report.history.count() == 1

    def test_a_stale_edit_is_refused_with_the_saved_bilan(self, report, coordination):
        other = UserFactory(coordination=True, first_name="Karim", last_name="Haddad")
        bilan_save_narrative(report=report, by=other, data={"synthesis": "Texte de Karim."}, version=1)
        before = snapshot(report)
        with pytest.raises(StaleNarrative) as error:
            bilan_save_narrative(report=report, by=coordination, data={"synthesis": "Mon texte."}, version=1)
        assert error.value.report.synthesis == "Texte de Karim."
        assert error.value.report.version == 2
        assert str(error.value).startswith("Le bilan a été modifié par Karim Haddad le ")
        assert snapshot(report) == before

    def test_a_transmitted_bilan_is_frozen(self, transmitted, coordination):
        before = snapshot(transmitted)
        with pytest.raises(BilanError) as error:
            bilan_save_narrative(report=transmitted, by=coordination, data={"synthesis": "Après coup."}, version=1)
        today = timezone.localdate().strftime("%d/%m/%Y")
        assert str(error.value) == f"Ce bilan a été transmis à la CAF le {today} : il ne peut plus être modifié."
        assert snapshot(transmitted) == before


class TestRequestVersion:
    def test_numbers_follow_and_a_validated_bilan_goes_back_to_draft(self, validated, coordination):
        version = bilan_request_version(report=validated, by=coordination)
        assert version.number == 2
        assert version.withdrew_validation is True
        fresh = AnnualReport.objects.get(pk=validated.pk)
        assert (fresh.status, fresh.validated_version, fresh.validated_by) == (ReportStatus.DRAFT, None, None)

    def test_the_version_is_produced_at_once_by_the_immediate_backend(self, report, coordination):
        version = bilan_request_version(report=report, by=coordination)
        assert (version.number, version.state, version.withdrew_validation) == (1, RenderState.READY, False)
        with version.file.open("rb") as file:
            assert hashlib.sha256(file.read()).hexdigest() == version.sha256
        assert version.page_count >= 1

    def test_one_production_at_a_time(self, report, coordination):
        ReportVersionFactory(report=report, number=1, requested_by=coordination)
        before = snapshot(report)
        with pytest.raises(BilanError) as error:
            bilan_request_version(report=report, by=coordination)
        assert str(error.value) == workflow.ALREADY_PENDING.format(number=1)
        assert snapshot(report) == before

    def test_a_lost_production_does_not_block_the_next_one(self, report, coordination, queued_tasks):
        ReportVersionFactory(
            report=report, number=1, requested_by=coordination, requested_at=timezone.now() - timedelta(hours=1)
        )
        version = bilan_request_version(report=report, by=coordination)
        assert (version.number, version.state) == (2, RenderState.PENDING)

    def test_refused_once_transmitted(self, transmitted, coordination):
        before = snapshot(transmitted)
        with pytest.raises(BilanError, match="transmis à la CAF"):
            bilan_request_version(report=transmitted, by=coordination)
        assert snapshot(transmitted) == before


class TestValidate:
    def test_the_direction_validates_the_latest_ready_version(self, report, coordination, direction, caplog):
        caplog.set_level(logging.INFO, logger="reports")
        ready(report, 1, coordination)
        latest = ready(report, 2, coordination)
        ReportVersionFactory(report=report, number=3, requested_by=coordination, state=RenderState.FAILED)
        bilan_validate(report=report, by=direction, version=latest)
        fresh = AnnualReport.objects.get(pk=report.pk)
        assert (fresh.status, fresh.validated_version, fresh.validated_by) == (
            ReportStatus.VALIDATED,
            latest,
            direction,
        )
        assert fresh.history.first().history_user == direction
        assert f"Bilan {report.pk} version 2 validated by {direction}" in caplog.messages

    def test_validating_twice_names_the_first_validation(self, report, coordination):
        marchand = UserFactory(direction=True, first_name="Hélène", last_name="Marchand")
        version = ready(report, 3, coordination)
        at = timezone.make_aware(datetime(2027, 1, 12, 10))
        bilan_validate(report=report, by=marchand, version=version, at=at)
        before = snapshot(report)
        with pytest.raises(BilanError) as error:
            bilan_validate(report=report, by=UserFactory(direction=True), version=version)
        assert str(error.value) == "Ce bilan est déjà validé (version 3, par Hélène Marchand le 12/01/2027)."
        assert snapshot(report) == before

    @pytest.mark.parametrize(
        ("state", "words"), [(RenderState.PENDING, "encore en cours de production"), (RenderState.FAILED, "en échec")]
    )
    def test_only_a_produced_version(self, report, coordination, direction, state, words):
        version = ReportVersionFactory(report=report, number=1, requested_by=coordination, state=state)
        before = snapshot(report)
        with pytest.raises(BilanError) as error:
            bilan_validate(report=report, by=direction, version=version)
        assert str(error.value) == f"La version 1 ne peut pas être validée : son PDF est {words}."
        assert snapshot(report) == before

    @pytest.mark.parametrize("newer_state", [RenderState.READY, RenderState.PENDING])
    def test_an_outdated_version_is_refused(self, report, coordination, direction, newer_state):
        old = ready(report, 1, coordination)
        if newer_state == RenderState.READY:
            ready(report, 2, coordination)
        else:
            ReportVersionFactory(report=report, number=2, requested_by=coordination)
        before = snapshot(report)
        with pytest.raises(BilanError) as error:
            bilan_validate(report=report, by=direction, version=old)
        assert str(error.value) == workflow.VERSION_OUTDATED.format(number=1, latest=2)
        assert snapshot(report) == before

    def test_a_version_of_another_bilan_is_refused(self, report, coordination, direction):
        other = ready(AnnualReportFactory(convention=report.convention, year=2025), 1, coordination)
        with pytest.raises(BilanError, match="n'appartient pas"):
            bilan_validate(report=report, by=direction, version=other)
        assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


class TestTransmit:
    def test_the_validated_version_is_transmitted(self, validated, coordination):
        day = timezone.localdate()
        bilan_transmit(report=validated, by=coordination, transmitted_on=day, channel=TransmissionChannel.POST)
        fresh = AnnualReport.objects.get(pk=validated.pk)
        assert fresh.status == ReportStatus.TRANSMITTED
        assert fresh.transmitted_version == fresh.validated_version
        assert (fresh.transmitted_on, fresh.transmission_channel, fresh.transmitted_by) == (day, "post", coordination)

    def test_a_draft_cannot_be_transmitted(self, report, coordination):
        ready(report, 1, coordination)
        before = snapshot(report)
        with pytest.raises(BilanError) as error:
            bilan_transmit(report=report, by=coordination, transmitted_on=timezone.localdate(), channel="email")
        assert str(error.value) == "Le bilan doit être validé par la direction avant d'être transmis à la CAF."
        assert snapshot(report) == before

    @pytest.mark.parametrize(
        ("days", "channel", "message"),
        [
            (1, "email", workflow.DATE_IN_FUTURE),
            (-1, "email", "La transmission ne peut pas précéder la validation du bilan ({date})."),
            (0, "pigeon", workflow.UNKNOWN_CHANNEL),
        ],
    )
    def test_bad_dates_and_channels(self, validated, coordination, days, channel, message):
        before = snapshot(validated)
        with pytest.raises(BilanError) as error:
            bilan_transmit(
                report=validated,
                by=coordination,
                transmitted_on=timezone.localdate() + timedelta(days=days),
                channel=channel,
            )
        assert str(error.value) == message.format(date=timezone.localdate().strftime("%d/%m/%Y"))
        assert snapshot(validated) == before

    def test_transmitting_twice_is_refused(self, transmitted, coordination):
        before = snapshot(transmitted)
        with pytest.raises(BilanError, match="transmis à la CAF le"):
            bilan_transmit(report=transmitted, by=coordination, transmitted_on=timezone.localdate(), channel="post")
        assert snapshot(transmitted) == before


class TestCafRemarks:
    def test_remarks_of_a_transmitted_bilan(self, transmitted, coordination):
        day = timezone.localdate()
        bilan_record_caf_remarks(report=transmitted, by=coordination, remarks="  Merci.  ", received_on=day)
        fresh = AnnualReport.objects.get(pk=transmitted.pk)
        assert (fresh.caf_remarks, fresh.caf_remarks_on, fresh.status) == ("Merci.", day, ReportStatus.TRANSMITTED)

    def test_refused_before_transmission(self, validated, coordination):
        before = snapshot(validated)
        with pytest.raises(BilanError) as error:
            bilan_record_caf_remarks(report=validated, by=coordination, remarks="Merci.", received_on=date.today())
        assert str(error.value) == workflow.NOT_TRANSMITTED
        assert snapshot(validated) == before

    @pytest.mark.parametrize(
        ("remarks", "days", "message"),
        [("", 0, workflow.REMARKS_EMPTY), ("Merci.", 1, workflow.DATE_IN_FUTURE), ("Merci.", -3, "précéder")],
    )
    def test_bad_remarks(self, transmitted, coordination, remarks, days, message):
        before = snapshot(transmitted)
        with pytest.raises(BilanError, match=message):
            bilan_record_caf_remarks(
                report=transmitted,
                by=coordination,
                remarks=remarks,
                received_on=timezone.localdate() + timedelta(days=days),
            )
        assert snapshot(transmitted) == before


def test_each_convention_has_its_own_years(coordination):
    convention = ConventionFactory(start_date=date(2025, 1, 1), end_date=date(2028, 12, 31))
    with pytest.raises(BilanError, match=r"\(2025–2028\)"):
        bilan_create(convention=convention, year=2024, by=coordination)
