"""Permission cases of the agreements (and their signed documents), the facilities and their funding lines (see
tests/partners/test_permissions.py).

Everyone signed in reads the agreements, the facilities, the funding lines and their totals, and exports the
lines; only the coordination creates, edits and deletes them. The signed document of an agreement is served to the
coordination, the direction and the élus only: service heads and the technical administrator get a 403.
Anonymous visitors are sent to the login page. No record here belongs to a service: no own / other target.
"""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Agreement, Facility, FundingLine
from tests.partners.factories import AgreementFactory, FacilityFactory, FundingLineFactory
from tests.test_permissions import Case, Endpoint, World, coordination_form, page, signed_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def document_readers(ok: int) -> dict:
    """The coordination, the direction and the élus open an agreement's signed document."""
    return {**signed_in(403), "coordination": ok, "direction": ok, "elected": ok}


def _refreshed(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def agreement(w: World) -> Agreement:
    """An agreement of the world's partner, with its signed PDF stored."""

    def build():
        made = AgreementFactory(partner=w.partner, title="Convention de la ludothèque")
        made.document.save("convention-signee.pdf", ContentFile(PDF))
        return made

    return w.memo("agreement", build)


def facility(w: World) -> Facility:
    return w.memo("facility", lambda: FacilityFactory(name="Multi-accueil des Canotiers", manager=w.partner))


def empty_facility(w: World) -> Facility:
    return w.memo("empty-facility", lambda: FacilityFactory(name="Équipement sans financement"))


def funding_line(w: World) -> FundingLine:
    return w.memo("funding-line", lambda: FundingLineFactory(facility=facility(w), year=2025))


def listing(build) -> callable:
    """The kwargs of a list page (none), once `build` has put a record in it."""

    def kwargs(w: World, target: str) -> dict:
        build(w)
        return {}

    return kwargs


def agreement_data(w: World, **changes) -> dict:
    data = {
        "partner": w.partner.pk,
        "kind": "cpo",
        "reference": "CPO-2025-01",
        "title": "Nouvelle convention",
        "start_date": "2025-01-01",
        "end_date": "2027-12-31",
        "annual_amount": "15000",
        "notice_months": "6",
        "actions": [w.own_action.pk],
        "notes": "",
        "document": SimpleUploadedFile("cpo.pdf", PDF, content_type="application/pdf"),
    }
    return data | changes


def facility_data(**changes) -> dict:
    data = {"name": "Nouvel équipement", "kind": "alsh", "capacity": "80", "manager": "", "district": ""}
    return data | {"address": "", "notes": ""} | changes


def funding_data(**changes) -> dict:
    data = {
        "year": "2026",
        "scheme": "clas",
        "funder": "caf",
        "quantity": "",
        "unit_rate": "",
        "flat_amount": "4500",
        "stage": "planned",
        "planned": "",
        "notified": "",
        "paid": "",
        "comment": "",
    }
    return data | changes


CASES: list[Case] = [
    *page("partners:agreement_list"),
    Case("partners:agreement_list", "GET", signed_in(200), htmx=True),
    Case(
        "partners:agreement_list",
        "GET",
        signed_in(200),
        query="?type_partenaire=caf&type=cpo&a_renouveler=on&horizon=365",
    ),
    *page("partners:agreement_detail"),
    *coordination_form("partners:agreement_create"),
    *coordination_form("partners:agreement_edit"),
    *coordination_form("partners:agreement_delete"),
    Case("partners:agreement_document", "GET", document_readers(200)),
    Case("partners:agreement_document", "POST", signed_in(405)),
    *page("partners:facility_list"),
    Case("partners:facility_list", "GET", signed_in(200), htmx=True),
    *page("partners:facility_detail"),
    *coordination_form("partners:facility_create"),
    *coordination_form("partners:facility_edit"),
    *coordination_form("partners:facility_delete"),
    *coordination_form("partners:funding_create"),
    *coordination_form("partners:funding_edit"),
    *coordination_form("partners:funding_delete"),
    *page("partners:funding_list"),
    Case("partners:funding_list", "GET", signed_in(200), htmx=True),
    Case("partners:funding_list", "GET", signed_in(200), query="?annee=2025&dispositif=psu&page=1"),
    *page("partners:funding_export"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "partners:agreement_list": Endpoint(kwargs=listing(agreement)),
    "partners:agreement_detail": Endpoint(kwargs=lambda w, t: {"pk": agreement(w).pk}),
    "partners:agreement_create": Endpoint(
        data=lambda w, t: agreement_data(w),
        written=lambda w, t: Agreement.objects.filter(
            title="Nouvelle convention", partner=w.partner, actions=w.own_action, document__endswith="/cpo.pdf"
        ).exists(),
    ),
    "partners:agreement_edit": Endpoint(
        kwargs=lambda w, t: {"pk": agreement(w).pk},
        data=lambda w, t: agreement_data(w, title="Convention renommée", document=""),
        written=lambda w, t: _refreshed(agreement(w)).title == "Convention renommée",
    ),
    "partners:agreement_delete": Endpoint(
        kwargs=lambda w, t: {"pk": agreement(w).pk}, written=lambda w, t: _refreshed(agreement(w)) is None
    ),
    "partners:agreement_document": Endpoint(kwargs=lambda w, t: {"pk": agreement(w).pk}),
    "partners:facility_list": Endpoint(kwargs=listing(facility)),
    "partners:facility_detail": Endpoint(kwargs=lambda w, t: {"pk": funding_line(w).facility_id}),
    "partners:facility_create": Endpoint(
        data=lambda w, t: facility_data(),
        written=lambda w, t: Facility.objects.filter(name="Nouvel équipement", capacity=80).exists(),
    ),
    "partners:facility_edit": Endpoint(
        kwargs=lambda w, t: {"pk": facility(w).pk},
        data=lambda w, t: facility_data(name="Équipement renommé", manager=w.partner.pk),
        written=lambda w, t: _refreshed(facility(w)).name == "Équipement renommé",
    ),
    "partners:facility_delete": Endpoint(
        kwargs=lambda w, t: {"pk": empty_facility(w).pk}, written=lambda w, t: _refreshed(empty_facility(w)) is None
    ),
    "partners:funding_create": Endpoint(
        kwargs=lambda w, t: {"pk": facility(w).pk},
        data=lambda w, t: funding_data(),
        written=lambda w, t: facility(w).funding_lines.filter(year=2026, scheme="clas").exists(),
    ),
    "partners:funding_edit": Endpoint(
        kwargs=lambda w, t: {"pk": funding_line(w).pk},
        data=lambda w, t: funding_data(
            year="2025", scheme="psu", flat_amount="12000", stage="notified", notified="11800"
        ),
        written=lambda w, t: _refreshed(funding_line(w)).notified == 11800,
    ),
    "partners:funding_delete": Endpoint(
        kwargs=lambda w, t: {"pk": funding_line(w).pk}, written=lambda w, t: _refreshed(funding_line(w)) is None
    ),
    "partners:funding_list": Endpoint(kwargs=listing(funding_line)),
    "partners:funding_export": Endpoint(kwargs=listing(funding_line)),
}
