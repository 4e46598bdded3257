"""What the governance and the partners bring to the bilan annuel: the "Gouvernance" section (bodies that met in N,
dates, attendance, decisions and their follow-up), the facilities' funding of N within "Financement", the
coordination's activity prefilled from the data, the annexes "Partenaires" (the directory) and "Comptes rendus";
read from the PDF's text and from the preview, never naming a contact, in a number of queries that does not grow."""

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from pypdf import PdfReader

from ctg.templatetags.french import long_date
from governance.enums import AttendanceStatus, MeetingStatus
from reports.bilan import BilanSource, bilan_context
from reports.bilan_governance import build_coordination, build_governance
from reports.models import AnnualReport, ReportVersion
from reports.rendering import bilan_html, produce_version
from tests.actions.factories import ActionPartnerFactory
from tests.ctg.factories import UserFactory
from tests.governance.factories import AttendanceFactory, BodyFactory, DecisionFactory, MeetingFactory
from tests.partners.factories import (
    AgreementFactory,
    ContactFactory,
    FacilityFactory,
    FundingLineFactory,
    PartnerFactory,
)
from tests.reports.test_bilan_pdf import QUERY_BUDGET

TODAY = timezone.localdate()
CONTACT_NAME = "Jeanne Confidentielle"
CONTACT_EMAIL = "jeanne.confidentielle@example.org"
OTHER_CONTACT = "Paul Discret"
MINUTES = "Le COPIL valide le calendrier du bilan et l'étude de faisabilité de l'EVS."
SUMMARY = (
    "En 2026, la coordination a préparé 5 réunions de 3 instances dont 1 réseau, y a associé 2 partenaires et a "
    "conclu ou renouvelé 2 conventions de partenariat."
)


def flat(text: str) -> str:
    """Narrow and plain no-break spaces as spaces, runs of white space as one."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def page_text(html: str) -> str:
    return flat(unescape(strip_tags(html)))


def pdf_text(version: ReportVersion) -> str:
    with version.file.open("rb") as file:
        return flat(" ".join(page.extract_text() for page in PdfReader(BytesIO(file.read())).pages))


def present(meeting, *, users: int = 0, contacts=(), excused: int = 0, absent_contacts=(), absent: int = 0) -> None:
    for _ in range(users):
        AttendanceFactory(meeting=meeting, status=AttendanceStatus.PRESENT)
    for contact in contacts:
        AttendanceFactory(meeting=meeting, user=None, contact=contact, status=AttendanceStatus.PRESENT)
    for _ in range(excused):
        AttendanceFactory(meeting=meeting, status=AttendanceStatus.EXCUSED)
    for contact in absent_contacts:
        AttendanceFactory(meeting=meeting, user=None, contact=contact, status=AttendanceStatus.ABSENT)
    for _ in range(absent):
        AttendanceFactory(meeting=meeting, status=AttendanceStatus.ABSENT)
    AttendanceFactory(meeting=meeting, status=AttendanceStatus.INVITED)  # never marked: counted nowhere


@pytest.fixture
def governed(report):
    """The governance of 2026 (the report's year).

    COPIL: held on 12 March (3 present of whom a contact of « Familles en fête », 1 excused, 1 absent: a contact of
    « Arc-en-ciel »; a decision done and one overdue) and on 20 June (2 present of whom the « Arc-en-ciel » contact;
    one decision open, one open without due date). COTECH: held on 2 April (1 present, 1 absent), planned on
    10 December, cancelled on 5 May, held in 2025 (a decision of 2025). Réseau parentalité: held on 15 September
    (the « Familles en fête » contact present; one decision done).
    Agreements: two started in 2026, one in 2025. Funding lines of 2026: the Lutins (municipal: PSU, bonus territoire
    and the commune's share), the ALSH Palissy (managed by Léo Lagrange: quantity × rate); one line of 2025.
    """
    convention = report.convention
    families = PartnerFactory(name="Familles en fête", kind="association")
    rainbow = PartnerFactory(name="Centre social Arc-en-ciel", kind="association")
    PartnerFactory(name="Léo Lagrange", kind="company")
    jeanne = ContactFactory(partner=families, name=CONTACT_NAME, email=CONTACT_EMAIL)
    paul = ContactFactory(partner=rainbow, name=OTHER_CONTACT)
    owner = UserFactory(first_name="Claire", last_name="Martin")

    copil = BodyFactory(convention=convention, kind="copil", name="COPIL de la CTG")
    cotech = BodyFactory(convention=convention, kind="cotech", name="COTECH de la CTG")
    network = BodyFactory(convention=convention, kind="network", name="Réseau parentalité")

    march = MeetingFactory(body=copil, date=date(2026, 3, 12), status=MeetingStatus.HELD, minutes=MINUTES)
    present(march, users=2, contacts=[jeanne], excused=1, absent_contacts=[paul])
    DecisionFactory(
        meeting=march, owner=owner, text="Valider le calendrier du bilan", done=True, done_at=timezone.now()
    )
    DecisionFactory(meeting=march, owner=owner, text="Lancer l'étude EVS", due_on=TODAY - timedelta(days=10))
    june = MeetingFactory(body=copil, date=date(2026, 6, 20), status=MeetingStatus.HELD, minutes="")
    present(june, users=1, contacts=[paul])
    DecisionFactory(meeting=june, owner=owner, text="Préparer l'avenant n° 2", due_on=TODAY + timedelta(days=30))
    DecisionFactory(meeting=june, owner=owner, text="Associer le collège", due_on=None)

    april = MeetingFactory(body=cotech, date=date(2026, 4, 2), status=MeetingStatus.HELD)
    present(april, users=1, absent=1)
    MeetingFactory(body=cotech, date=date(2026, 12, 10), status=MeetingStatus.PLANNED)
    MeetingFactory(body=cotech, date=date(2026, 5, 5), status=MeetingStatus.CANCELLED)
    last_year = MeetingFactory(body=cotech, date=date(2025, 10, 10), status=MeetingStatus.HELD)
    DecisionFactory(meeting=last_year, text="Décision de 2025", due_on=date(2025, 12, 1))

    september = MeetingFactory(body=network, date=date(2026, 9, 15), status=MeetingStatus.HELD)
    present(september, contacts=[jeanne])
    DecisionFactory(meeting=september, text="Diffuser le guide des parents", done=True, done_at=timezone.now())

    AgreementFactory(
        partner=families,
        kind="cpo",
        title="CPO Familles en fête",
        start_date=date(2026, 1, 1),
        end_date=date(2028, 12, 31),
    )
    AgreementFactory(
        partner=rainbow, title="Convention ludothèque", start_date=date(2026, 9, 1), end_date=date(2027, 8, 31)
    )
    AgreementFactory(partner=rainbow, title="Convention de 2025", start_date=date(2025, 1, 1))

    lutins = FacilityFactory(name="Multi-accueil Les Lutins", kind="eaje", capacity=40)
    FundingLineFactory(
        facility=lutins,
        year=2026,
        scheme="psu",
        flat_amount=Decimal(100000),
        planned=Decimal(100000),
        notified=Decimal(95000),
        stage="notified",
        paid=Decimal(60000),
    )
    FundingLineFactory(facility=lutins, year=2026, scheme="bonus_eaje", flat_amount=Decimal(20000), planned=None)
    FundingLineFactory(
        facility=lutins,
        year=2026,
        scheme="other",
        funder="commune",
        flat_amount=Decimal(50000),
        planned=Decimal(50000),
        paid=Decimal(50000),
    )
    FundingLineFactory(facility=lutins, year=2025, flat_amount=Decimal(99999), planned=Decimal(99999))
    alsh = FacilityFactory(
        name="ALSH Palissy", kind="alsh", capacity=None, manager=PartnerFactory(name="Léo Lagrange Animation")
    )
    FundingLineFactory(facility=alsh, year=2026, scheme="ps_alsh", rated=True, planned=None)
    return report


def sections_of(report: AnnualReport) -> dict:
    return {section.key: section for section in bilan_context(report)["sections"]}


class TestGovernance:
    def test_the_bodies_that_met_with_their_dates_and_attendance(self, governed):
        data = build_governance(BilanSource(governed))
        rows = [
            (row.body.name, [m.date for m in row.meetings], row.present, row.excused, row.absent, row.decisions)
            for row in data["bodies"]
        ]
        assert rows == [
            ("COPIL de la CTG", [date(2026, 3, 12), date(2026, 6, 20)], 5, 1, 1, 4),
            ("COTECH de la CTG", [date(2026, 4, 2)], 1, 0, 1, 0),
            ("Réseau parentalité", [date(2026, 9, 15)], 1, 0, 0, 1),
        ]
        assert data["meetings"] == 4

    def test_the_decisions_of_the_year_and_their_follow_up(self, governed):
        data = build_governance(BilanSource(governed))
        follow = data["follow_up"]
        assert (follow.total, follow.done, follow.open, follow.overdue) == (5, 2, 2, 1)
        assert follow.on == TODAY
        # What remains to do: the overdue first, then by due date, those without one last.
        assert [decision.text for decision in data["pending"]] == [
            "Lancer l'étude EVS",
            "Préparer l'avenant n° 2",
            "Associer le collège",
        ]

    def test_left_out_when_no_meeting_was_held_in_the_year(self, report):
        MeetingFactory(body__convention=report.convention, date=date(2026, 12, 10), status=MeetingStatus.PLANNED)
        MeetingFactory(body__convention=report.convention, date=date(2025, 3, 1), status=MeetingStatus.HELD)
        MeetingFactory(date=date(2026, 3, 1), status=MeetingStatus.HELD)  # another convention's
        assert build_governance(BilanSource(report)) is None
        assert "governance" not in sections_of(report)


class TestCoordinationActivity:
    def test_the_activity_is_prefilled_from_the_data(self, governed):
        activity = build_coordination(BilanSource(governed))["activity"]
        assert activity.summary == SUMMARY
        assert [(kind.label, kind.bodies, kind.meetings) for kind in activity.kinds] == [
            ("Comité de pilotage (COPIL)", 1, 2),
            ("Comité technique (COTECH)", 1, 2),  # held and planned: both prepared; the cancelled one is not
            ("Réseau", 1, 1),
        ]
        assert activity.partners == 2
        assert [agreement.title for agreement in activity.agreements] == [
            "CPO Familles en fête",
            "Convention ludothèque",
        ]

    def test_agreements_alone(self, report):
        AgreementFactory(title="Convention seule", start_date=date(2026, 2, 1))
        activity = build_coordination(BilanSource(report))["activity"]
        assert activity.summary == "En 2026, la coordination a conclu ou renouvelé 1 convention de partenariat."

    def test_nothing_to_count(self, report):
        assert build_coordination(BilanSource(report)) == {"text": "", "activity": None}


class TestFacilityFunding:
    def test_lines_per_facility_and_scheme_with_totals_per_funder(self, governed):
        funding = sections_of(governed)["funding"]
        facilities = funding.data["facilities"]
        lutins, alsh = facilities["facilities"][1], facilities["facilities"][0]  # by name: ALSH first
        assert alsh.facility.name == "ALSH Palissy" and alsh.manager == "Léo Lagrange Animation"
        assert [(row.scheme, row.planned) for row in alsh.rows] == [("Prestation de service ALSH", Decimal("5500"))]
        assert lutins.manager == "Régie municipale"
        assert [(row.funder, row.scheme) for row in lutins.rows] == [
            ("CAF", "PSU – prestation de service unique (EAJE)"),
            ("CAF", "Bonus territoire CTG – EAJE"),
            ("Commune", "Autre"),
        ]
        # No planned amount entered: the computed one counts.
        assert lutins.rows[1].planned == Decimal(20000)
        assert (lutins.total.planned, lutins.total.notified, lutins.total.paid) == (170000, 95000, 110000)
        totals = {funder.label: funder.amounts for funder in facilities["funders"]}
        assert list(totals) == ["CAF", "Commune"]
        assert (totals["CAF"].planned, totals["CAF"].notified, totals["CAF"].paid) == (125500, 95000, 60000)
        assert (totals["Commune"].planned, totals["Commune"].notified, totals["Commune"].paid) == (50000, None, 50000)
        assert facilities["total"].lines == 4
        assert [entry.title for entry in funding.toc] == ["Budget des fiches actions", "Financements des équipements"]

    def test_no_line_in_the_year(self, report):
        FundingLineFactory(year=2025)
        funding = sections_of(report)["funding"]
        assert funding.data["facilities"] is None
        assert funding.toc == []


class TestAnnexes:
    def test_the_partner_directory_with_the_fiches_of_each(self, governed, own_action):
        ActionPartnerFactory(action=own_action, partner=PartnerFactory(name="Éducation nationale", kind="education"))
        partners = sections_of(governed)["annexes"].data["partners"]
        assert [(partner.name, partner.action_count) for partner in partners] == [
            ("Centre social Arc-en-ciel", 0),
            ("Éducation nationale", 1),
            ("Familles en fête", 0),
            ("Léo Lagrange", 0),
            ("Léo Lagrange Animation", 0),
        ]

    def test_the_minutes_of_the_meetings_held(self, governed):
        annexes = sections_of(governed)["annexes"]
        minutes = annexes.data["minutes"]
        assert [(meeting.body.name, meeting.date) for meeting in minutes] == [
            ("COPIL de la CTG", date(2026, 3, 12)),
            ("COTECH de la CTG", date(2026, 4, 2)),
            ("COPIL de la CTG", date(2026, 6, 20)),
            ("Réseau parentalité", date(2026, 9, 15)),
        ]
        assert [decision.text for decision in minutes[0].decisions_of_year] == [
            "Valider le calendrier du bilan",
            "Lancer l'étude EVS",
        ]
        assert [entry.title for entry in annexes.toc] == ["Liste des fiches actions", "Partenaires", "Comptes rendus"]


class TestDocument:
    def test_the_pdf_text(self, governed, coordination):
        governed.coordination_activity = "La coordination a relancé le réseau des assistantes maternelles."
        governed.save()
        version = ReportVersion.objects.create(report=governed, number=1, requested_by=coordination)
        produce_version(version)
        version.refresh_from_db()
        text = pdf_text(version)
        # The sections in the outline's order, numbered.
        for title in [
            "4. Gouvernance",
            "5. Avancement par axe et par fiche",
            "7. Financement 2026",
            "8. Activité de la fonction de coopération",
            "10. Annexes",
        ]:
            assert text.count(title) >= 2, title  # in the table of contents and as a heading
        contents = text[: text.index("1. Identité de la convention", text.index("Sommaire") + 50)]
        for entry in ["Comptes rendus", "Financements des équipements", "Partenaires"]:
            assert re.search(rf"{entry} \.*\s*\d+", contents), entry
        # Gouvernance.
        assert "4 réunions tenues en 2026 par 3 instances de la convention." in text
        assert "12 mars 2026, 20 juin 2026" in text
        assert "5 décisions prises en 2026." in text
        assert f"Au {flat(long_date(TODAY))} :" in text
        assert (
            "faites : 2" in text
            and "en cours, dans les délais : 2" in text
            and "en retard (échéance passée) : 1" in text
        )
        assert "Lancer l'étude EVS" in text
        # Financement: the facilities' lines of 2026 only.
        assert "Financements des équipements" in text
        assert "Multi-accueil Les Lutins" in text and "Régie municipale" in text
        assert "125 500,00 €" in text  # the CAF's planned total
        assert "170 000,00 €" in text  # the Lutins' planned total
        assert "99 999,00 €" not in text
        # The coordination's activity, then its own words.
        assert SUMMARY in text
        assert text.index(SUMMARY) < text.index("La coordination a relancé le réseau des assistantes maternelles.")
        assert "CPO Familles en fête" in text and "Convention de 2025" not in text
        # Annexes.
        assert "COPIL de la CTG du 12 mars 2026" in text
        assert "présents : 3, excusés : 1, absents : 1" in text
        assert MINUTES in text
        assert "Compte rendu non rédigé." in text
        assert "Décision de 2025" not in text
        # Never a contact.
        for personal in [CONTACT_NAME, CONTACT_EMAIL, OTHER_CONTACT]:
            assert personal not in text

    def test_the_preview(self, client_for, governed):
        page = client_for("elected").get(reverse("reports:bilan_preview", args=[governed.pk])).text
        text = page_text(page)
        assert '<a href="#bilan-governance">4. Gouvernance</a>' in page
        assert '<a href="#bilan-annexe-comptes-rendus">Comptes rendus</a>' in page
        assert '<a href="#bilan-financement-equipements">Financements des équipements</a>' in page
        assert "Suivi des décisions" in text
        assert SUMMARY in text
        assert "Réseau parentalité du 15 septembre 2026" in text
        for personal in [CONTACT_NAME, CONTACT_EMAIL, OTHER_CONTACT]:
            assert personal not in page
        assert "style=" not in page.split('class="c-bilan"', 1)[1]

    def test_without_governance_nor_funding_nothing_is_added(self, report):
        html = page_text(bilan_html(report, standalone=True))
        for absent in ["Gouvernance", "Comptes rendus", "Financements des équipements", "la coordination a préparé"]:
            assert absent not in html
        assert "Activité de la fonction de coopération Non renseigné." in html
        assert "Aucun partenaire dans l'annuaire." in html


def grow(report: AnnualReport, size: int) -> None:
    """`size` more bodies, each with a held meeting of 2026 (attendance, decisions, a contact present), a planned
    one, an agreement started in 2026 and a facility with two funding lines of 2026."""
    for _ in range(size):
        body = BodyFactory(convention=report.convention)
        meeting = MeetingFactory(body=body, date=date(2026, 5, 1), status=MeetingStatus.HELD, minutes="Compte rendu.")
        present(meeting, users=1, contacts=[ContactFactory()], excused=1, absent=1)
        DecisionFactory(meeting=meeting, due_on=TODAY - timedelta(days=1))
        DecisionFactory(meeting=meeting, done=True, done_at=timezone.now())
        MeetingFactory(body=body, date=date(2026, 11, 1), status=MeetingStatus.PLANNED)
        AgreementFactory(start_date=date(2026, 4, 1))
        facility = FacilityFactory(manager=PartnerFactory())
        FundingLineFactory(facility=facility, year=2026)
        FundingLineFactory(facility=facility, year=2026, funder="commune", scheme="other")


def test_the_number_of_queries_does_not_grow(report, django_assert_max_num_queries):
    counts = []
    for size in (1, 15):
        grow(report, size)
        fresh = AnnualReport.objects.get(pk=report.pk)
        with django_assert_max_num_queries(QUERY_BUDGET), CaptureQueriesContext(connection) as queries:
            bilan_html(fresh, standalone=True)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    sections = sections_of(report)
    assert len(sections["annexes"].data["minutes"]) == 16
    assert sections["governance"].data["follow_up"].total == 32
