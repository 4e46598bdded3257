"""The campaign reminders list the indicators each service still has to give a value of the year for: exactly
those it enters (its own, or those of the fiches it pilots), without a value for the whole year; the count is
recorded on the reminder; the scheduled command and its dry run do the same."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Indicator
from reports.models import Reminder
from reports.reminders import campaign_gaps, campaign_send_reminders
from tests.actions.factories import ActionFactory
from tests.ctg.factories import ServiceFactory, UserFactory
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory

YEAR = 2026


def indicator_codes(body: str) -> list[str]:
    """The indicator codes a reminder lists, in order."""
    _, found, rest = body.partition(f"sans valeur {YEAR} :\n")
    if not found:
        return []
    block = rest.split("\n\n")[0]
    return re.findall(r"^- (\S+) – ", block, re.MULTILINE)


@pytest.fixture
def heads(service, other_service, service_head):
    service.head = service_head
    service.save(update_fields=["head"])
    youth = UserFactory(service_head=True, service=other_service, username="jeunesse")
    other_service.head = youth
    other_service.save(update_fields=["head"])
    observatory = ServiceFactory(name="Observatoire social")
    observatory.head = UserFactory(service_head=True, service=observatory, username="observatoire")
    observatory.save(update_fields=["head"])
    return {"petite": service_head, "youth": youth, "observatory": observatory}


@pytest.fixture
def indicators(convention, own_action, other_action, heads, other_service):
    """What each service owes for 2026 (see `expected`)."""

    def make(code, *, values=(), periods=("Y",), **kwargs):
        kwargs.setdefault("action", own_action)
        if kwargs["action"] is None:
            kwargs.setdefault("convention", convention)
        created = IndicatorFactory(code=code, name=f"Indicateur {code}", **kwargs)
        for year in values:
            for period in periods:
                MeasurementFactory(indicator=created, year=year, period=period, value=Decimal(1))
        return created

    make("I1.1")  # no value at all: missing
    make("I1.2", values=[YEAR])  # entered: not listed
    make("I1.3", values=[YEAR - 1])  # last year's only: missing
    make("I1.4", values=[YEAR], periods=["Q1", "Q2"])  # quarters only, no value for the whole year: missing
    make("I1.5", service=other_service)  # on the petite enfance's fiche, but the jeunesse enters it
    make("I2.1", action=other_action)  # the jeunesse's fiche
    make("CTX.1", action=None, context=True)  # the coordination imports it: nobody is reminded
    make("OBS.1", action=None, service=heads["observatory"])  # a service with no fiche in the campaign
    archived = ActionFactory(objective=own_action.objective, pilot_service=own_action.pilot_service, archived=True)
    make("I9.1", action=archived)  # archived fiche: left out
    IndicatorFactory(code="AILLEURS")  # another convention's
    return {
        "Service petite enfance": ["I1.1", "I1.3", "I1.4"],
        "Service jeunesse": ["I1.5", "I2.1"],
        "Observatoire social": ["OBS.1"],
    }


class TestGaps:
    def test_each_service_owes_exactly_its_indicators(self, convention, indicators):
        gaps = campaign_gaps(convention, YEAR, with_indicators=True)
        found = {gap.service.name: [indicator.code for indicator in gap.indicators] for gap in gaps}
        assert {name: codes for name, codes in found.items() if codes} == indicators
        # A service owing only indicator values joins the campaign, in the order of the names.
        assert [gap.service.name for gap in gaps] == [
            "Observatoire social",
            "Service jeunesse",
            "Service petite enfance",
        ]
        observatory = gaps[0]
        assert observatory.is_missing and observatory.can_be_reminded
        assert (observatory.actions, observatory.lines) == ([], [])

    def test_the_same_set_as_entered_by(self, convention, indicators, service, other_service):
        """One rule: what a service owes is what `entered_by` gives it, without a value of the year."""
        awaited = Indicator.objects.of_convention(convention).awaited().with_entering_service().missing_value(YEAR)
        for owner in (service, other_service):
            codes = set(
                Indicator.objects.of_convention(convention)
                .entered_by(owner.pk)
                .missing_value(YEAR)
                .exclude(action__archived_at__isnull=False)
                .values_list("code", flat=True)
            )
            assert codes == set(awaited.filter(entering_service=owner.pk).values_list("code", flat=True))

    def test_without_the_option_the_page_s_reading_is_unchanged(self, convention, indicators):
        gaps = campaign_gaps(convention, YEAR)
        assert all(gap.indicators == [] for gap in gaps)
        assert "Observatoire social" not in [gap.service.name for gap in gaps]


class TestEmails:
    def test_the_body_lists_the_exact_missing_indicators(self, convention, indicators, coordination, settings):
        settings.SITE_URL = "https://ctg.example.fr"
        campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert sorted(by_recipient) == ["jeunesse@example.fr", "observatoire@example.fr", "petite-enfance@example.fr"]
        petite = by_recipient["petite-enfance@example.fr"]
        assert indicator_codes(petite.body) == indicators["Service petite enfance"]
        assert "3 indicateurs sans valeur 2026 :" in petite.body
        assert "- I1.1 – Indicateur I1.1 (fiche FA1.1)" in petite.body
        for absent in ["I1.2", "I1.5", "I2.1", "CTX.1", "OBS.1", "I9.1", "AILLEURS"]:
            assert absent not in petite.body
        assert "3 valeurs d'indicateurs à saisir" in petite.subject
        youth = by_recipient["jeunesse@example.fr"]
        assert indicator_codes(youth.body) == indicators["Service jeunesse"]
        observatory = by_recipient["observatoire@example.fr"]
        assert indicator_codes(observatory.body) == ["OBS.1"]
        assert observatory.subject == "Bilan CTG 2026 – Observatoire social : 1 valeur d'indicateur à saisir"
        assert "point d'étape" not in observatory.body.split("Vous retrouvez")[0]

    def test_the_link_to_the_entry_grid(self, convention, indicators, coordination, heads, settings):
        settings.SITE_URL = "https://ctg.example.fr"
        campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        observatory = next(message for message in mail.outbox if message.to == ["observatoire@example.fr"])
        grid = reverse("evaluation:indicator_grid")
        url = f"https://ctg.example.fr{grid}?convention={convention.pk}&annee={YEAR}&service={heads['observatory'].pk}"
        assert f"la grille de saisie {YEAR} :\n  {url}\n" in observatory.body

    def test_the_count_is_recorded(self, convention, indicators, coordination):
        campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        recorded = dict(Reminder.objects.values_list("service__name", "missing_values"))
        assert recorded == {name: len(codes) for name, codes in indicators.items()}

    def test_nothing_listed_once_the_values_are_entered(self, convention, indicators, coordination):
        for indicator in Indicator.objects.filter(code__in=["I1.1", "I1.3", "I1.4"]):
            MeasurementFactory(indicator=indicator, year=YEAR, value=Decimal(3))
        campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        petite = next(message for message in mail.outbox if message.to == ["petite-enfance@example.fr"])
        assert indicator_codes(petite.body) == []
        assert "indicateur" not in petite.subject
        assert Reminder.objects.get(email="petite-enfance@example.fr").missing_values == 0


class TestCommand:
    def test_the_scheduled_command_lists_them(self, convention, indicators):
        call_command("send_campaign_reminders", convention=convention.pk, year=YEAR, stdout=StringIO())
        observatory = next(message for message in mail.outbox if message.to == ["observatoire@example.fr"])
        assert indicator_codes(observatory.body) == ["OBS.1"]
        assert Reminder.objects.get(email="observatoire@example.fr").sent_by is None

    def test_the_dry_run_names_them(self, convention, indicators):
        out = StringIO()
        call_command("send_campaign_reminders", "--dry-run", convention=convention.pk, year=YEAR, stdout=out)
        output = out.getvalue()
        assert "indicateurs sans valeur 2026 : I1.1, I1.3, I1.4" in output
        assert "- Observatoire social : relance à" in output
        assert mail.outbox == [] and not Reminder.objects.exists()


@pytest.mark.parametrize("size", [1, 15])
def test_one_query_more_whatever_the_number_of_indicators(convention, objective, heads, size):
    services = [ServiceFactory() for _ in range(3)]
    for index in range(size):
        action = ActionFactory(objective=objective, pilot_service=services[index % 3])
        IndicatorFactory(action=action)
        IndicatorFactory(action=None, convention=convention, service=services[(index + 1) % 3])
    with CaptureQueriesContext(connection) as without:
        campaign_gaps(convention, YEAR)
    with CaptureQueriesContext(connection) as with_indicators:
        gaps = campaign_gaps(convention, YEAR, with_indicators=True)
        [gap.head for gap in gaps]  # the heads come with the services
    assert len(with_indicators) == len(without) + 1
    assert sum(len(gap.indicators) for gap in gaps) == 2 * size
