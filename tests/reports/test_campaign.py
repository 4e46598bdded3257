"""The bilan campaign: what each service still owes for the bilan of a year, the reminders e-mailed to the
service heads (page, htmx and plain POST, scheduled command) and their history."""

import re
import smtplib
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from actions.selectors import service_campaigns
from reports.dates import bilan_due_on, campaign_year
from reports.models import Reminder
from reports.reminders import (
    JUST_SENT,
    NOBODY_TO_REMIND,
    NOTHING_MISSING,
    UNREACHABLE,
    ReminderError,
    campaign_gaps,
    campaign_send_reminders,
)
from tests.actions.factories import ActionFactory, BudgetLineFactory, ProgressUpdateFactory
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, ServiceFactory, UserFactory
from tests.reports.factories import ReminderFactory

YEAR = 2026
URL = reverse("reports:campaign")
SEND_URL = reverse("reports:send_reminders")
HTMX = {"HTTP_HX_REQUEST": "true"}
# Measured on SQLite: session, user, convention, 3 for the per-service summary, the actions, the budget lines,
# the reminders, and the request's savepoint and its release. The same at 1 and at 20 actions.
QUERIES = 12


def in_year(year: int, month: int = 6) -> datetime:
    return timezone.make_aware(datetime(year, month, 1, 10, 0))


def campaign_action(objective, service, code: str, **kwargs):
    """An action whose calendar covers the campaign year."""
    return ActionFactory(
        objective=objective,
        pilot_service=service,
        code=code,
        title=f"Action {code}",
        start_date=date(YEAR, 1, 1),
        end_date=date(YEAR, 12, 31),
        **kwargs,
    )


@pytest.fixture
def dataset(convention, objective, service, other_service, service_head):
    """Three services: the petite enfance (head with an e-mail), the jeunesse (head with an e-mail), the
    solidarités (no head). What each one misses for the bilan of YEAR is spelt out in `expected`."""
    service.head = service_head
    service.save(update_fields=["head"])
    youth_head = UserFactory(service_head=True, service=other_service, username="jeunesse")
    other_service.head = youth_head
    other_service.save(update_fields=["head"])
    headless = ServiceFactory(name="Service solidarités")

    updated = campaign_action(objective, service, "FA1.1")
    ProgressUpdateFactory(action=updated, recorded_at=in_year(YEAR))
    BudgetLineFactory(action=updated, year=YEAR, funder="caf_psu", planned=Decimal("12500"))  # missing réalisé
    stale = campaign_action(objective, service, "FA1.2")
    ProgressUpdateFactory(action=stale, recorded_at=in_year(YEAR - 1))  # last year's only: missing
    BudgetLineFactory(action=stale, year=YEAR, actual=Decimal("800"))  # réalisé entered
    campaign_action(objective, service, "FA1.3", archived=True)  # archived: left out
    never = campaign_action(objective, other_service, "FA2.1")  # no point d'étape at all: missing
    BudgetLineFactory(action=never, year=YEAR - 1)  # another year's line: left out
    done = campaign_action(objective, other_service, "FA2.2")
    ProgressUpdateFactory(action=done, recorded_at=in_year(YEAR, 11))
    campaign_action(objective, headless, "FA3.1")  # missing, but nobody to remind
    ActionFactory(  # over before the campaign year: left out
        objective=objective,
        pilot_service=other_service,
        code="FA2.9",
        start_date=date(2023, 1, 1),
        end_date=date(2024, 12, 31),
    )
    return {
        "head": service_head,
        "youth_head": youth_head,
        "headless": headless,
        "stale": stale,
        "expected": {
            service.name: (["FA1.2"], ["FA1.1"]),
            other_service.name: (["FA2.1"], []),
            headless.name: (["FA3.1"], []),
        },
    }


def codes(body: str) -> tuple[list[str], list[str]]:
    """The action codes listed in a reminder's body: (without point d'étape, budget lines without réalisé)."""
    actions, _, lines = body.partition("sans réalisé :")
    pattern = re.compile(r"^- (\S+) – ", re.MULTILINE)
    return pattern.findall(actions), pattern.findall(lines)


class TestDates:
    @pytest.mark.parametrize(
        ("today", "year"), [(date(2027, 1, 15), 2026), (date(2026, 2, 1), 2026), (date(2026, 11, 29), 2026)]
    )
    def test_campaign_year_is_the_previous_one_in_january(self, today, year):
        assert campaign_year(today) == year

    def test_the_bilan_is_due_on_31_january_of_the_next_year(self):
        assert bilan_due_on(2026) == date(2027, 1, 31)


class TestGaps:
    def test_what_each_service_misses(self, convention, dataset):
        gaps = campaign_gaps(convention, YEAR)
        found = {
            gap.service.name: ([a.code for a in gap.actions], [line.action.code for line in gap.lines]) for gap in gaps
        }
        assert found == dataset["expected"]

    def test_counts_match_the_dashboard_selector(self, convention, dataset):
        campaigns = {campaign.service.pk: campaign for campaign in service_campaigns(convention, YEAR)}
        for gap in campaign_gaps(convention, YEAR):
            assert len(gap.actions) == campaigns[gap.service.pk].missing_updates
            assert len(gap.lines) == campaigns[gap.service.pk].missing_actual_lines

    def test_the_last_point_d_etape_is_known(self, convention, dataset):
        gaps = {gap.service.name: gap for gap in campaign_gaps(convention, YEAR)}
        (stale,) = gaps["Service petite enfance"].actions
        assert stale.last_update_at == in_year(YEAR - 1)


class TestPage:
    def test_tables_per_service(self, client_for, convention, dataset):
        response = client_for("direction").get(URL, {"convention": convention.pk, "year": YEAR})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Campagne du bilan 2026" in html
        assert "31\u00a0janvier\u00a02027" in html
        sections = dict(re.findall(r'<details[^>]*id="service-(\d+)">(.*?)</details>', html, re.DOTALL))
        petite = sections[str(dataset["head"].service_id)]
        assert "FA1.2" in petite and "Action FA1.2" in petite and "01/06/2025" in petite
        assert "FA1.1" in petite and "12\u202f500,00\u00a0€" in petite  # the budget line only
        assert "FA1.3" not in html and "FA2.2" not in html and "FA2.9" not in html
        assert dataset["stale"].get_absolute_url() in petite
        assert "petite-enfance@example.fr" in petite
        assert "Aucun·e responsable désigné·e : pas de relance possible" in sections[str(dataset["headless"].pk)]
        # Figures: 3 actions without point d'étape, 1 budget line without réalisé, 3 services out of 3.
        assert re.search(r'c-figure__value">3</span> <span class="c-figure__label">actions sans point', html)
        assert re.search(r'c-figure__value">1</span> <span class="c-figure__label">ligne budgétaire', html)

    def test_default_is_the_current_convention_and_campaign_year(self, client_for, db):
        year = campaign_year()
        convention = ConventionFactory(start_date=date(year - 2, 1, 1), end_date=date(year + 2, 12, 31))
        response = client_for("coordination").get(URL)
        assert response.status_code == 200
        assert response.context["convention"] == convention and response.context["year"] == year

    def test_send_button_only_for_the_coordination(self, client_for, convention, dataset):
        params = {"convention": convention.pk, "year": YEAR}
        assert SEND_URL in client_for("coordination").get(URL, params).content.decode()
        assert SEND_URL not in client_for("elected").get(URL, params).content.decode()

    @pytest.mark.parametrize(
        "params",
        [
            {"convention": "²"},
            {"convention": "abc"},
            {"convention": "99999999999999999999"},
            {"year": "2030"},
            {"year": "²"},
            {"year": ""},
            {"year": "1999"},
        ],
    )
    def test_bad_parameters_are_404(self, client_for, convention, params):
        params = {"convention": str(convention.pk), "year": str(YEAR), **params}
        assert client_for("coordination").get(URL, params).status_code == 404

    def test_an_empty_convention_means_the_current_one(self, client_for, convention):
        assert client_for("coordination").get(URL, {"convention": "", "year": str(YEAR)}).status_code == 200

    def test_history_newest_first(self, client_for, convention, dataset, coordination):
        service = dataset["head"].service
        ReminderFactory(
            convention=convention,
            service=service,
            recipient=dataset["head"],
            sent_by=None,
            sent_at=timezone.make_aware(datetime(2026, 11, 22, 8, 0)),
            missing_updates=4,
        )
        ReminderFactory(
            convention=convention,
            service=service,
            recipient=dataset["head"],
            sent_by=coordination,
            sent_at=timezone.make_aware(datetime(2026, 11, 29, 14, 5)),
            missing_updates=2,
            missing_actuals=1,
        )
        ReminderFactory(convention=convention, year=2025, service=service, recipient=dataset["head"])
        html = client_for("elected").get(URL, {"convention": convention.pk, "year": YEAR}).content.decode()
        history = html[html.index('id="reminders"') :]
        newest, oldest = history.index("Le 29/11/2026 à 14:05"), history.index("Le 22/11/2026 à 08:00")
        assert newest < oldest
        assert f"par {coordination}" in history and "relance automatique" in history
        assert "2 actions sans point d'étape, 1 ligne sans réalisé" in history
        assert history.count("petite-enfance@example.fr") == 2  # last year's campaign is not shown


class TestPermissions:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("coordination", 200), ("direction", 200), ("elected", 200), ("service_head", 403), ("tech_admin", 403)],
    )
    def test_read(self, client_for, convention, role, status):
        assert client_for(role).get(URL, {"year": YEAR}).status_code == status

    def test_anonymous_goes_to_login(self, client, convention):
        assert client.get(URL).status_code == 302

    @pytest.mark.parametrize("role", ["direction", "elected", "service_head", "tech_admin"])
    def test_only_the_coordination_sends(self, client_for, convention, dataset, role):
        response = client_for(role).post(SEND_URL, {"convention": convention.pk, "year": YEAR})
        assert response.status_code == 403
        assert mail.outbox == [] and not Reminder.objects.exists()

    def test_get_is_not_allowed(self, client_for, convention):
        assert client_for("coordination").get(SEND_URL).status_code == 405


class TestSend:
    def test_each_head_gets_exactly_what_their_service_misses(self, client_for, convention, dataset, settings):
        settings.SITE_URL = "https://ctg.example.fr/"
        response = client_for("coordination").post(SEND_URL, {"convention": convention.pk, "year": YEAR})
        assert response.status_code == 302
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert sorted(by_recipient) == ["jeunesse@example.fr", "petite-enfance@example.fr"]  # no head, no mail
        petite = by_recipient["petite-enfance@example.fr"]
        assert petite.subject == (
            "Bilan CTG 2026 – Service petite enfance : 1 action sans point d'étape, 1 réalisé à saisir"
        )
        assert codes(petite.body) == (["FA1.2"], ["FA1.1"])
        assert "le 31\u00a0janvier\u00a02027" in petite.body
        assert f"https://ctg.example.fr{dataset['stale'].get_absolute_url()}\n" in petite.body
        assert f"https://ctg.example.fr{reverse('actions:mine')}" in petite.body
        assert "12\u202f500,00\u00a0€" in petite.body
        assert "&#x27;" not in petite.body and "&amp;" not in petite.body
        youth = by_recipient["jeunesse@example.fr"]
        assert youth.subject == "Bilan CTG 2026 – Service jeunesse : 1 action sans point d'étape"
        assert codes(youth.body) == (["FA2.1"], [])

    def test_reminders_are_recorded_and_shown(self, client_for, convention, dataset, coordination):
        client = client_for("coordination")
        response = client.post(SEND_URL, {"convention": convention.pk, "year": YEAR}, follow=True)
        reminders = {reminder.email: reminder for reminder in Reminder.objects.all()}
        assert sorted(reminders) == ["jeunesse@example.fr", "petite-enfance@example.fr"]
        petite = reminders["petite-enfance@example.fr"]
        assert (petite.recipient, petite.sent_by, petite.year) == (dataset["head"], coordination, YEAR)
        assert (petite.missing_updates, petite.missing_actuals) == (1, 1)
        assert petite.body == next(m.body for m in mail.outbox if m.to == ["petite-enfance@example.fr"])
        html = response.content.decode()
        assert "2 relances envoyées" in html  # the flash message
        history = html[html.index('id="reminders"') :]
        assert f"par {coordination}" in history and "jeunesse@example.fr" in history

    def test_no_js_redirects_to_the_campaign(self, client_for, convention, dataset):
        response = client_for("coordination").post(SEND_URL, {"convention": convention.pk, "year": YEAR})
        assert response.url == f"{URL}?convention={convention.pk}&year={YEAR}"

    def test_htmx_returns_the_history_and_the_message(self, client_for, convention, dataset):
        response = client_for("coordination").post(SEND_URL, {"convention": convention.pk, "year": YEAR}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="reminders"')
        assert "<html" not in html and "Ce qui manque, service par service" not in html
        assert 'id="messages" role="status" aria-live="polite" data-hx-swap-oob="true"' in html
        assert "2 relances envoyées" in html and "petite-enfance@example.fr" in html

    def test_nothing_missing_sends_nothing(self, client_for, convention, objective, service, service_head):
        service.head = service_head
        service.save(update_fields=["head"])
        action = campaign_action(objective, service, "FA1.1")
        ProgressUpdateFactory(action=action, recorded_at=in_year(YEAR))
        client = client_for("coordination")
        response = client.post(SEND_URL, {"convention": convention.pk, "year": YEAR}, follow=True)
        assert NOTHING_MISSING in response.content.decode()
        assert mail.outbox == [] and not Reminder.objects.exists()
        assert campaign_send_reminders(convention=convention, year=YEAR, by=None) == []

    def test_head_without_email_is_skipped(self, convention, dataset, coordination):
        dataset["youth_head"].email = ""
        dataset["youth_head"].save(update_fields=["email"])
        reminders = campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        assert [reminder.email for reminder in reminders] == ["petite-enfance@example.fr"]
        assert [message.to for message in mail.outbox] == [["petite-enfance@example.fr"]]

    def test_nobody_to_remind_says_so(self, convention, objective, coordination):
        campaign_action(objective, ServiceFactory(name="Service sans responsable"), "FA9.1")
        with pytest.raises(ReminderError) as error:
            campaign_send_reminders(convention=convention, year=YEAR, by=coordination)
        assert error.value.message == NOBODY_TO_REMIND
        assert mail.outbox == []

    def test_a_second_send_right_after_is_refused(self, client_for, convention, dataset):
        client = client_for("coordination")
        client.post(SEND_URL, {"convention": convention.pk, "year": YEAR})
        response = client.post(SEND_URL, {"convention": convention.pk, "year": YEAR}, follow=True)
        assert len(mail.outbox) == 2 and Reminder.objects.count() == 2
        assert JUST_SENT.split("{")[0] in response.content.decode()

    def test_a_week_later_is_allowed(self, convention, dataset, coordination):
        ReminderFactory(convention=convention, sent_at=timezone.now() - timedelta(days=7))
        assert len(campaign_send_reminders(convention=convention, year=YEAR, by=coordination)) == 2

    def test_a_refused_address_does_not_stop_the_others(self, client_for, convention, dataset, settings):
        settings.EMAIL_BACKEND = "tests.reports.test_campaign.RefusingBackend"
        response = client_for("coordination").post(SEND_URL, {"convention": convention.pk, "year": YEAR}, follow=True)
        assert [message.to for message in mail.outbox] == [["petite-enfance@example.fr"]]
        assert list(Reminder.objects.values_list("email", flat=True)) == ["petite-enfance@example.fr"]
        html = response.content.decode()
        head = dataset["youth_head"]
        assert UNREACHABLE.format(names=f"{head} (Service jeunesse)").replace("'", "&#x27;") in html
        assert "1 relance envoyée" in html

    @pytest.mark.parametrize("year", ["2030", "abc"])
    def test_bad_year_is_404_and_sends_nothing(self, client_for, convention, dataset, year):
        response = client_for("coordination").post(SEND_URL, {"convention": convention.pk, "year": year})
        assert response.status_code == 404
        assert mail.outbox == []


class RefusingBackend(EmailBackend):
    """The locmem backend, except that the server refuses the jeunesse's address."""

    def send_messages(self, messages):
        if any("jeunesse@example.fr" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"jeunesse@example.fr": (550, b"Unknown user")})
        return super().send_messages(messages)


class TestCommand:
    def test_sends_as_an_automatic_reminder(self, convention, dataset):
        out = StringIO()
        call_command("send_campaign_reminders", convention=convention.pk, year=YEAR, stdout=out)
        assert len(mail.outbox) == 2
        assert set(Reminder.objects.values_list("sent_by", flat=True)) == {None}
        assert "2 relances envoyées" in out.getvalue()

    def test_dry_run_sends_nothing(self, convention, dataset):
        out = StringIO()
        call_command("send_campaign_reminders", "--dry-run", convention=convention.pk, year=YEAR, stdout=out)
        assert mail.outbox == [] and not Reminder.objects.exists()
        output = out.getvalue()
        assert "Service petite enfance : relance à" in output and "FA1.2" in output
        assert "Service solidarités : pas de relance possible" in output
        assert "2 relances seraient envoyées." in output

    def test_defaults_to_the_current_convention_and_campaign_year(self, db):
        year = campaign_year()
        ConventionFactory(start_date=date(year - 1, 1, 1), end_date=date(year + 1, 12, 31))
        out = StringIO()
        call_command("send_campaign_reminders", stdout=out)
        assert NOTHING_MISSING in out.getvalue()

    @pytest.mark.parametrize(
        ("options", "message"), [({"year": 2030}, "n'est pas couverte"), ({"convention": 0}, "Aucune convention")]
    )
    def test_bad_options(self, convention, options, message):
        with pytest.raises(CommandError, match=message):
            call_command("send_campaign_reminders", **{"convention": convention.pk, **options}, stdout=StringIO())


class TestQueries:
    @pytest.mark.parametrize("size", [1, 20])
    def test_constant_number_of_queries(
        self, client_for, convention, coordination, django_assert_max_num_queries, size
    ):
        services = [ServiceFactory(name=f"Service {n}") for n in range(3)]
        for service in services:
            service.head = UserFactory(service_head=True, service=service)
            service.save(update_fields=["head"])
        objectives = [ObjectiveFactory(axis__convention=convention) for _ in range(2)]
        for n in range(size):
            action = campaign_action(objectives[n % 2], services[n % 3], f"Q{n:03d}")
            if n % 2:
                ProgressUpdateFactory(action=action, recorded_at=in_year(YEAR))
            BudgetLineFactory.create_batch(2, action=action, year=YEAR)
            ReminderFactory(convention=convention, service=services[n % 3], recipient=services[n % 3].head)
        client = client_for("coordination")
        with django_assert_max_num_queries(QUERIES):
            response = client.get(URL, {"convention": convention.pk, "year": YEAR})
        assert response.status_code == 200
        assert len(response.context["gaps"]) == min(size, 3)
