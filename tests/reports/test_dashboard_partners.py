"""The dashboard's block on the network: the convention's next planned meetings, its overdue decisions and the
agreements to renew within the configured horizon; what each reader sees (never a contact), the empty states,
the links landing on lists that count the same, and three queries whatever the number of rows."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from ctg.templatetags.french import long_date
from governance.enums import AttendanceStatus, MeetingStatus
from reports.dashboard_partners import SHOWN, network_dashboard
from tests.ctg.factories import ConventionFactory, UserFactory
from tests.governance.factories import AttendanceFactory, BodyFactory, DecisionFactory, MeetingFactory
from tests.partners.factories import AgreementFactory, ContactFactory, PartnerFactory
from tests.reports.test_dashboard import QUERIES

ROLES = ["coordination", "direction", "elected", "service_head", "tech_admin"]
URL = "/tableau-de-bord/"
TODAY = timezone.localdate()
CONTACT_NAME = "Jeanne Confidentielle"
CONTACT_EMAIL = "jeanne.confidentielle@example.org"
CONTACT_PHONE = "01 98 76 54 32"


def days(count: int):
    return TODAY + timedelta(days=count)


def flat(html: str) -> str:
    return " ".join(strip_tags(html).replace("\u00a0", " ").replace("\u202f", " ").split())


def block(html: str) -> str:
    """The network block of the dashboard page."""
    start = html.index('aria-labelledby="network-title"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def known(convention):
    """Meetings: six planned from today on (the first five shown), and what is never listed (a planned one of
    yesterday, a cancelled one, a held one to come, another convention's). Decisions: seven overdue (due one to seven
    days ago), one done though past due, one due today, another convention's overdue one. Agreements: six ending
    within the 120 days, one whose notice deadline is within them, one ended, one ending far away."""
    copil = BodyFactory(convention=convention, name="COPIL de la CTG", kind="copil")
    cotech = BodyFactory(convention=convention, name="COTECH de la CTG", kind="cotech")
    other = BodyFactory(convention=ConventionFactory(), name="Instance d'une autre CTG")
    for index, offset in enumerate([0, 10, 20, 30, 40, 50]):
        MeetingFactory(body=copil if index % 2 else cotech, date=days(offset), status=MeetingStatus.PLANNED)
    MeetingFactory(body=copil, date=days(-1), status=MeetingStatus.PLANNED)
    MeetingFactory(body=copil, date=days(1), status=MeetingStatus.CANCELLED)
    MeetingFactory(body=copil, date=days(2), status=MeetingStatus.HELD)
    MeetingFactory(body=other, date=days(3), status=MeetingStatus.PLANNED)

    held = MeetingFactory(body=copil, date=days(-60), status=MeetingStatus.HELD, place="Salle du conseil")
    owner = UserFactory(first_name="Claire", last_name="Martin")
    for offset in range(1, 8):
        DecisionFactory(meeting=held, owner=owner, text=f"Décision en retard {offset}", due_on=days(-offset))
    DecisionFactory(
        meeting=held, owner=owner, text="Décision faite", due_on=days(-20), done=True, done_at=timezone.now()
    )
    DecisionFactory(meeting=held, owner=owner, text="Décision du jour", due_on=TODAY)
    DecisionFactory(meeting=MeetingFactory(body=other), text="Décision d'une autre CTG", due_on=days(-5))
    contact = ContactFactory(name=CONTACT_NAME, email=CONTACT_EMAIL, phone=CONTACT_PHONE)
    AttendanceFactory(meeting=held, user=None, contact=contact, status=AttendanceStatus.PRESENT)

    partner = PartnerFactory(name="Association Familles en fête")
    for offset in [15, 30, 45, 60, 75, 90]:
        AgreementFactory(
            partner=partner, title=f"Convention à {offset} jours", start_date=days(-700), end_date=days(offset)
        )
    AgreementFactory(
        partner=partner, title="Convention avec préavis", start_date=days(-700), end_date=days(200), notice_months=3
    )
    AgreementFactory(partner=partner, title="Convention échue", start_date=days(-700), end_date=days(-1))
    AgreementFactory(partner=partner, title="Convention lointaine", start_date=days(-700), end_date=days(400))
    return owner


class TestData:
    def test_the_next_five_planned_meetings_of_the_convention(self, convention, known):
        board = network_dashboard(convention, TODAY)
        assert [meeting.date for meeting in board.meetings] == [days(offset) for offset in [0, 10, 20, 30, 40]]
        assert [meeting.body for meeting in board.meetings][:2] == ["COTECH de la CTG", "COPIL de la CTG"]
        assert board.meetings[0].kind == "Comité technique (COTECH)"
        assert board.meetings[0].place == "Hôtel de ville"
        assert "/reunions/" in board.meetings[0].url

    def test_the_overdue_decisions_oldest_due_first(self, convention, known):
        board = network_dashboard(convention, TODAY)
        assert board.overdue_total == 7
        assert [decision.text for decision in board.overdue] == [f"Décision en retard {n}" for n in range(7, 2, -1)]
        assert board.overdue_more == 2
        assert {decision.owner for decision in board.overdue} == {"Claire Martin"}
        assert board.overdue[0].due_on == days(-7)
        assert board.overdue[0].url.endswith("#decisions")

    def test_the_agreements_to_renew_within_the_horizon(self, convention, known):
        board = network_dashboard(convention, TODAY)
        assert board.horizon == 120
        assert board.renewals_total == 7
        assert [agreement.title for agreement in board.renewals] == [
            "Convention à 15 jours",
            "Convention à 30 jours",
            "Convention à 45 jours",
            "Convention à 60 jours",
            "Convention à 75 jours",
        ]
        assert board.renewals[0].partner == "Association Familles en fête"
        assert board.renewals_more == 2

    def test_the_horizon_is_the_setting(self, convention, known, settings):
        settings.AGREEMENT_RENEWAL_HORIZON_DAYS = 500
        board = network_dashboard(convention, TODAY)
        assert board.horizon == 500
        assert board.renewals_total == 8  # the distant one too; never the ended one

    def test_empty(self, convention):
        board = network_dashboard(convention, TODAY)
        assert board.meetings == board.overdue == board.renewals == []
        assert board.overdue_total == board.renewals_total == 0


class TestPage:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_reader_sees_the_block_without_any_contact(self, client_for, known, role):
        html = client_for(role).get(URL).text
        text = flat(block(html))
        assert "Instances et partenariats" in text
        assert "Prochaines réunions" in text
        assert f"COTECH de la CTG – {flat(long_date(TODAY))}" in text
        assert "7 décisions en retard : leur échéance est passée et elles ne sont pas faites." in text
        assert "Décision en retard 7" in text and "Claire Martin" in text
        assert "Décision en retard 2" not in text  # beyond the first five
        assert "et 2 autres décisions en retard" in text
        assert "et 2 autres conventions à renouveler" in text
        assert "7 conventions à renouveler" in text
        assert "dans les 120 jours" in text
        assert "Association Familles en fête" in text
        assert "Convention lointaine" not in text and "Convention échue" not in text
        for personal in [CONTACT_NAME, CONTACT_EMAIL, CONTACT_PHONE]:
            assert personal not in html

    def test_the_links_lead_to_lists_counting_the_same(self, client_for, convention, known):
        client = client_for("coordination")
        html = client.get(URL).text
        links = {unescape(href) for href in re.findall(r'href="([^"]+)"', block(html))}
        overdue_url = f"{reverse('governance:decision_list')}?convention={convention.pk}&etat=en-retard"
        renew_url = f"{reverse('partners:agreement_list')}?a_renouveler=on"
        assert {overdue_url, renew_url} <= links
        assert client.get(overdue_url).context["page"].paginator.count == 7
        assert client.get(renew_url).context["page"].paginator.count == 7
        meeting_links = [link for link in links if link.startswith("/") and "/reunions/" in link]
        assert len(meeting_links) >= SHOWN

    def test_the_empty_states_are_in_french(self, client_for, convention):
        text = flat(block(client_for("elected").get(URL).text))
        assert "Aucune réunion d'instance n'est prévue." in text
        assert "Aucune décision en retard." in text
        assert "Aucune convention de partenariat à renouveler dans les 120 jours." in text

    def test_one_of_each_is_singular(self, client_for, convention):
        body = BodyFactory(convention=convention, name="COPIL seul")
        MeetingFactory(body=body, date=days(5), status=MeetingStatus.PLANNED)
        DecisionFactory(meeting=MeetingFactory(body=body, date=days(-30)), due_on=days(-1))
        AgreementFactory(start_date=days(-300), end_date=days(30))
        text = flat(block(client_for("direction").get(URL).text))
        assert "1 décision en retard : son échéance est passée et elle n'est pas faite." in text
        assert "1 convention à renouveler : sa fin ou sa date limite de préavis tombe dans les 120 jours." in text
        assert "autre" not in text

    def test_no_inline_style_nor_script(self, client_for, known):
        html = block(client_for("coordination").get(URL).text)
        assert "style=" not in html and "<script" not in html
        assert re.search(r"<[^>]*\son\w+=", html) is None


def grow(convention, size: int, start: int = 0) -> None:
    """`size` more planned meetings, overdue decisions and agreements to renew."""
    body = BodyFactory(convention=convention)
    held = MeetingFactory(body=body, date=days(-90), status=MeetingStatus.HELD)
    for index in range(start, start + size):
        MeetingFactory(body=body, date=days(1 + index % 60), status=MeetingStatus.PLANNED)
        DecisionFactory(meeting=held, due_on=days(-1 - index % 60))
        AgreementFactory(start_date=days(-400), end_date=days(1 + index % 100))


@pytest.mark.parametrize("size", [1, 30])
def test_three_queries_whatever_the_size(convention, size, django_assert_num_queries):
    grow(convention, size)
    with django_assert_num_queries(3):
        board = network_dashboard(convention, TODAY)
    assert board.overdue_total == board.renewals_total == size
    assert len(board.meetings) == min(size, SHOWN)


@pytest.mark.parametrize("size", [1, 30])
def test_the_dashboard_stays_within_its_budget(client_for, convention, size, django_assert_max_num_queries):
    grow(convention, size)
    client = client_for("direction")
    with django_assert_max_num_queries(QUERIES):
        response = client.get(URL)
    assert response.context["network"].overdue_total == size


def test_the_same_count_with_1_and_30_of_each(client_for, convention):
    client = client_for("coordination")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    grow(convention, 1)
    with_one = count()
    grow(convention, 29, start=1)
    assert count() == with_one <= QUERIES
