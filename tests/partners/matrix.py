"""Permission cases of the partner directory and its contacts (see tests/partners/test_permissions.py).

Everyone signed in reads the directory and a partner's page; the coordination keeps them. Contacts are personal
data: only the coordination reaches their pages, every other role gets a 403 (anonymous visitors the login page).
The list, create and edit pages of the first version are in tests/test_permissions.py; their htmx fragment and
an edit with every new field are here.
"""

from datetime import timedelta

from django.utils import timezone

from partners.models import Contact
from tests.partners.factories import ContactFactory
from tests.test_permissions import Case, Endpoint, World, coordination_form, coordination_only, page, signed_in

SIRET = "73282932000074"


def _refreshed(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def contact(w: World) -> Contact:
    """A contact of the world's partner, last checked two years ago."""
    return w.memo(
        "contact", lambda: ContactFactory(partner=w.partner, checked_at=timezone.localdate() - timedelta(days=730))
    )


def contact_data(**changes) -> dict:
    data = {
        "name": "Nouveau Contact",
        "function": "Chargée de mission",
        "email": "nouveau.contact@example.org",
        "phone": "+33 1 23 45 67 89",
        "purpose": "Invitations au COPIL.",
    }
    return data | changes


def partner_data(w: World) -> dict:
    territory = w.memo("partner-territory", lambda: w.convention.territory)
    return {
        "name": "Partenaire complet",
        "kind": "france_travail",
        "siret": "732 829 320 00074",
        "address": "1 rue de Paris\n94340 Joinville-le-Pont",
        "website": "https://www.example.org",
        "territories": [territory.pk],
        "notes": "Permanence le mardi.",
    }


def partner_written(w: World) -> bool:
    partner = _refreshed(w.partner)
    return (partner.name, partner.siret, list(partner.territories.all())) == (
        "Partenaire complet",
        SIRET,
        [w.convention.territory],
    )


CASES: list[Case] = [
    Case("partners:list", "GET", signed_in(200), htmx=True),
    Case("partners:list", "GET", signed_in(200), query="?q=part&type=association&page=1"),
    Case("partners:edit", "POST", coordination_only(302), target="every-field"),
    *page("partners:detail"),
    *coordination_form("partners:contact_create"),
    *coordination_form("partners:contact_edit"),
    *coordination_form("partners:contact_delete"),
    Case("partners:contact_checked", "GET", signed_in(405)),
    Case("partners:contact_checked", "POST", coordination_only(302)),
]

ENDPOINTS: dict[str, Endpoint] = {
    "partners:list": Endpoint(),
    "partners:edit": Endpoint(
        kwargs=lambda w, t: {"pk": w.partner.pk},
        data=lambda w, t: partner_data(w),
        written=lambda w, t: partner_written(w),
    ),
    "partners:detail": Endpoint(kwargs=lambda w, t: {"pk": contact(w).partner_id}),
    "partners:contact_create": Endpoint(
        kwargs=lambda w, t: {"pk": w.partner.pk},
        data=lambda w, t: contact_data(),
        written=lambda w, t: w.partner.contacts.filter(name="Nouveau Contact", phone="01 23 45 67 89").exists(),
    ),
    "partners:contact_edit": Endpoint(
        kwargs=lambda w, t: {"pk": contact(w).pk},
        data=lambda w, t: contact_data(name="Contact renommé"),
        written=lambda w, t: _refreshed(contact(w)).name == "Contact renommé",
    ),
    "partners:contact_delete": Endpoint(
        kwargs=lambda w, t: {"pk": contact(w).pk},
        written=lambda w, t: _refreshed(contact(w)) is None and not Contact.history.filter(id=contact(w).pk).exists(),
    ),
    "partners:contact_checked": Endpoint(
        kwargs=lambda w, t: {"pk": contact(w).pk},
        written=lambda w, t: _refreshed(contact(w)).checked_at == timezone.localdate(),
    ),
}
