"""The partner directory through the test client: search, partner page, contacts and their RGPD duties."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partners.models import Contact, Partner
from partners.services import CONTACT_GONE
from partners.views import CHECKED, CONTACT_DELETED, PAGE_SIZE, ROLES_PAGE_SIZE
from tests.actions.factories import ActionFactory, ActionPartnerFactory
from tests.ctg.factories import TerritoryFactory
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("partners:list")
READERS = ["direction", "elected", "service_head", "tech_admin"]


def detail_url(partner: Partner) -> str:
    return reverse("partners:detail", args=[partner.pk])


def names_in(response) -> list[str]:
    return [partner.name for partner in response.context["page"].object_list]


@pytest.fixture
def directory(db):
    return [
        PartnerFactory(name="Caf du Val-de-Marne", kind="caf"),
        PartnerFactory(name="Association Les Petits Pas", kind="association"),
        PartnerFactory(name="Association Familles en Marne", kind="association"),
        PartnerFactory(name="Logirep", kind="social_landlord"),
    ]


class TestList:
    def test_everyone_reads_the_directory_with_links_to_each_partner(self, client_for, directory):
        response = client_for("elected").get(LIST_URL)
        assert names_in(response) == sorted(p.name for p in directory)
        for partner in directory:
            assert f'href="{detail_url(partner)}"' in response.text
        assert reverse("partners:create") not in response.text

    def test_search_by_name_ignores_case(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"q": "  association  "})
        assert names_in(response) == ["Association Familles en Marne", "Association Les Petits Pas"]
        assert "2 partenaires trouvés" in response.text
        assert 'value="  association  "' in response.text  # the search is kept as typed

    def test_filter_by_kind(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"type": "social_landlord"})
        assert names_in(response) == ["Logirep"]

    def test_search_and_filter_together(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"q": "marne", "type": "association"})
        assert names_in(response) == ["Association Familles en Marne"]

    def test_nothing_found(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"q": "introuvable"})
        assert names_in(response) == []
        assert "Aucun partenaire ne correspond à cette recherche." in response.text

    def test_a_wrong_kind_is_ignored(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"type": "n-importe-quoi", "page": "x"})
        assert response.status_code == 200
        assert len(names_in(response)) == 4

    def test_the_number_of_actions(self, client_for, directory, own_action, other_action):
        ActionPartnerFactory(action=own_action, partner=directory[0])
        ActionPartnerFactory(action=other_action, partner=directory[0])
        response = client_for("direction").get(LIST_URL, {"type": "caf"})
        assert response.context["page"].object_list[0].action_count == 2

    def test_pages_keep_the_search(self, client_for, db):
        for number in range(PAGE_SIZE + 5):
            PartnerFactory(name=f"Association {number:02d}")
        PartnerFactory(name="Caf")
        client = client_for("direction")
        first = client.get(LIST_URL, {"q": "association"})
        assert len(names_in(first)) == PAGE_SIZE
        assert "?q=association&amp;page=2" in first.text
        second = client.get(LIST_URL, {"q": "association", "page": 2})
        assert names_in(second) == [f"Association {n:02d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]

    def test_htmx_gets_the_results_only(self, client_for, directory):
        response = client_for("direction").get(LIST_URL, {"q": "logi"}, headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<section id="results"')
        assert "<html" not in response.text
        assert "Logirep" in response.text

    def test_the_form_works_without_javascript(self, client_for, directory):
        response = client_for("direction").get(LIST_URL)
        assert f'<form method="get" action="{LIST_URL}"' in response.text
        assert 'name="q"' in response.text and 'name="type"' in response.text


class TestDetail:
    def test_the_actions_come_twenty_a_page(self, client_for, objective):
        partner = PartnerFactory()
        actions = [ActionFactory(objective=objective, code=f"FA9.{n:02d}") for n in range(ROLES_PAGE_SIZE + 3)]
        for action in actions:
            ActionPartnerFactory(action=action, partner=partner)
        first = client_for("direction").get(detail_url(partner))
        assert [role.action for role in first.context["roles"]] == actions[:ROLES_PAGE_SIZE]
        assert f"{ROLES_PAGE_SIZE + 3} fiches actions, 1 à {ROLES_PAGE_SIZE} ci-dessous." in first.text
        assert 'href="?page=2#actions-title"' in first.text
        second = client_for("direction").get(detail_url(partner), {"page": 2})
        assert [role.action for role in second.context["roles"]] == actions[ROLES_PAGE_SIZE:]

    def test_fields_actions_and_roles(self, client_for, own_action, other_action):
        territory = TerritoryFactory(name="Palissy")
        partner = PartnerFactory(
            name="Caf du Val-de-Marne",
            kind="caf",
            siret="73282932000074",
            address="2 voie Félix-Éboué\n94000 Créteil",
            website="https://www.caf.fr",
            notes="Signataire de la CTG.",
        )
        partner.territories.set([territory])
        ActionPartnerFactory(action=own_action, partner=partner, role="co_pilot")
        ActionPartnerFactory(action=other_action, partner=partner, role="funder")
        ActionPartnerFactory(action=ActionFactory(objective=own_action.objective))  # another partner's
        response = client_for("elected").get(detail_url(partner))
        text = response.text
        assert "732 829 320 00074" in text
        assert "94000 Créteil" in text and 'href="https://www.caf.fr"' in text
        assert "Palissy" in text and "Signataire de la CTG." in text
        roles = [(role.action, role.get_role_display()) for role in response.context["roles"]]
        assert roles == [(own_action, "Co-pilote"), (other_action, "Financeur")]
        assert f'href="{own_action.get_absolute_url()}"' in text
        assert "Co-pilote" in text and "Financeur" in text

    def test_archived_actions_are_marked(self, client_for, objective):
        role = ActionPartnerFactory(action=ActionFactory(objective=objective, archived=True))
        response = client_for("direction").get(detail_url(role.partner))
        assert "Archivée" in response.text

    def test_a_partner_without_action(self, client_for, db):
        response = client_for("direction").get(detail_url(PartnerFactory()))
        assert "ne participe encore à aucune fiche action" in response.text

    def test_unknown_partner(self, client_for, db):
        assert client_for("direction").get(reverse("partners:detail", args=[999])).status_code == 404

    def test_coordination_sees_contacts_with_purpose_and_check_marks(self, client_for, db):
        partner = PartnerFactory()
        fresh = ContactFactory(partner=partner, name="Jeanne Martin", purpose="Invitations au COPIL.")
        old = ContactFactory(
            partner=partner, name="Paul Durand", checked_at=timezone.localdate() - timedelta(days=400)
        )
        ContactFactory(name="Contact d'un autre partenaire")
        response = client_for("coordination").get(detail_url(partner))
        assert [contact.name for contact in response.context["contacts"]] == ["Jeanne Martin", "Paul Durand"]
        text = response.text
        assert "Données personnelles" in text
        assert "Invitations au COPIL." in text
        assert escape("Contact d'un autre partenaire") not in text
        assert 'href="tel:+33123456789"' in text and f'href="mailto:{fresh.email}"' in text
        assert text.count("À vérifier : plus de 12 mois") == 1
        flagged = text.split('id="contact-')[2]
        assert flagged.startswith(f'{old.pk}"') and "À vérifier" in flagged
        assert reverse("partners:contact_checked", args=[old.pk]) in text
        assert reverse("partners:contact_create", args=[partner.pk]) in text

    @pytest.mark.parametrize("role", READERS)
    def test_other_roles_do_not_see_contacts(self, client_for, role):
        partner = PartnerFactory()
        contact = ContactFactory(partner=partner, name="Jeanne Martin", email="jeanne.martin@example.org")
        response = client_for(role).get(detail_url(partner))
        assert response.status_code == 200
        assert response.context["contacts"] is None
        assert "Jeanne Martin" not in response.text and "jeanne.martin" not in response.text
        assert contact.phone not in response.text
        assert "seule la coordination les consulte" in response.text
        for name in ("contact_edit", "contact_delete", "contact_checked"):
            assert reverse(f"partners:{name}", args=[contact.pk]) not in response.text
        assert reverse("partners:edit", args=[partner.pk]) not in response.text


class TestContacts:
    def test_create(self, client_for, db):
        partner = PartnerFactory()
        client = client_for("coordination")
        url = reverse("partners:contact_create", args=[partner.pk])
        form_page = client.get(url)
        assert "Un contact est une donnée personnelle" in form_page.text
        assert "Coordination de la Convention territoriale globale" in form_page.text  # the default purpose
        data = {
            "name": "Jeanne Martin",
            "function": "Directrice",
            "email": "jeanne.martin@example.org",
            "phone": "+33 1 23 45 67 89",
            "purpose": "Invitations au COPIL.",
        }
        response = client.post(url, data)
        assert response.status_code == 302
        assert response.url == detail_url(partner) + "#contacts"
        contact = partner.contacts.get()
        assert (contact.phone, contact.checked_at) == ("01 23 45 67 89", timezone.localdate())
        assert contact.history.get().history_user.username == "coordination"

    def test_edit(self, client_for, db):
        contact = ContactFactory(name="Jeanne Martin", checked_at=date(2024, 1, 2))
        url = reverse("partners:contact_edit", args=[contact.pk])
        client = client_for("coordination")
        served = client.get(url).context["form"]
        data = {name: served[name].value() for name in served.fields} | {
            "function": "Directrice",
            "phone": "0612345678",
        }
        response = client.post(url, data)
        assert response.status_code == 302
        contact.refresh_from_db()
        assert (contact.function, contact.phone, contact.checked_at) == (
            "Directrice",
            "06 12 34 56 78",
            date(2024, 1, 2),
        )
        assert contact.history.count() == 2

    def test_delete_asks_then_deletes_with_its_history(self, client_for, db):
        contact = ContactFactory(name="Jeanne Martin")
        contact.function = "Directrice"
        contact.save()
        kept = ContactFactory(partner=contact.partner)
        url = reverse("partners:contact_delete", args=[contact.pk])
        client = client_for("coordination")
        confirm = client.get(url)
        assert "Supprimer « Jeanne Martin » ?" in confirm.text
        assert Contact.objects.filter(pk=contact.pk).exists()
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == detail_url(contact.partner) + "#contacts"
        assert escape(CONTACT_DELETED.format("Jeanne Martin")) in response.text
        assert list(Contact.objects.all()) == [kept]
        assert not Contact.history.filter(id=contact.pk).exists()
        assert Contact.history.filter(id=kept.pk).exists()

    def test_delete_twice(self, client_for, db):
        contact = ContactFactory()
        url = reverse("partners:contact_delete", args=[contact.pk])
        client = client_for("coordination")
        client.post(url)
        assert client.post(url).status_code == 404

    def test_checked_today(self, client_for, db):
        contact = ContactFactory(name="Jeanne Martin", checked_at=timezone.localdate() - timedelta(days=500))
        client = client_for("coordination")
        response = client.post(reverse("partners:contact_checked", args=[contact.pk]), follow=True)
        assert escape(CHECKED.format("Jeanne Martin")) in response.text
        assert "À vérifier" not in response.text
        contact.refresh_from_db()
        assert contact.checked_at == timezone.localdate()
        last = contact.history.first()
        assert last.history_user.username == "coordination" and last.checked_at == timezone.localdate()

    def test_checked_on_a_contact_deleted_meanwhile(self, client_for, db, monkeypatch):
        contact = ContactFactory()
        from partners import views

        original = views.contact_mark_checked

        def deleted_first(*, pk, by):
            Contact.objects.filter(pk=pk).delete()
            return original(pk=pk, by=by)

        monkeypatch.setattr(views, "contact_mark_checked", deleted_first)
        response = client_for("coordination").post(reverse("partners:contact_checked", args=[contact.pk]), follow=True)
        assert escape(CONTACT_GONE) in response.text

    @pytest.mark.parametrize("role", READERS)
    def test_other_roles_are_refused(self, client_for, role):
        contact = ContactFactory()
        client = client_for(role)
        for name in ("contact_edit", "contact_delete"):
            assert client.get(reverse(f"partners:{name}", args=[contact.pk])).status_code == 403
        assert client.get(reverse("partners:contact_create", args=[contact.partner_id])).status_code == 403
        assert client.post(reverse("partners:contact_checked", args=[contact.pk])).status_code == 403


class TestPartnerForms:
    def test_name_and_kind_are_enough(self, client_for, db):
        """The first version's form posted only these two: every new field is optional."""
        response = client_for("coordination").post(
            reverse("partners:create"), {"name": "ADIL 94", "kind": "association"}
        )
        assert response.status_code == 302
        partner = Partner.objects.get(name="ADIL 94")
        assert (partner.siret, partner.website, list(partner.territories.all())) == ("", "", [])

    def test_create_goes_to_the_new_partner(self, client_for, db):
        data = {"name": "Centre social", "kind": "association", "siret": "", "address": "", "website": "", "notes": ""}
        response = client_for("coordination").post(reverse("partners:create"), data)
        assert response.url == detail_url(Partner.objects.get(name="Centre social"))

    def test_edit_goes_back_to_the_partner(self, client_for, db):
        partner = PartnerFactory()
        data = {"name": "Renommé", "kind": "cpam", "siret": "", "address": "", "website": "", "notes": ""}
        response = client_for("coordination").post(reverse("partners:edit", args=[partner.pk]), data)
        assert response.url == detail_url(partner)
        partner.refresh_from_db()
        assert (partner.name, partner.get_kind_display()) == ("Renommé", "CPAM")


class TestQueryBudgets:
    """The same number of queries for one partner as for many, with their actions and contacts."""

    def _many_partners(self, count: int, objective):
        for number in range(count):
            partner = PartnerFactory(name=f"Partenaire {number:03d}")
            ActionPartnerFactory(action=ActionFactory(objective=objective), partner=partner)

    @pytest.mark.parametrize("count", [1, 60])
    def test_list(self, client_for, objective, django_assert_max_num_queries, count):
        self._many_partners(count, objective)
        client = client_for("coordination")
        with django_assert_max_num_queries(6):  # session, user, savepoint, count, page, release
            response = client.get(LIST_URL)
        assert len(names_in(response)) == min(count, PAGE_SIZE)

    @pytest.mark.parametrize("count", [1, 30])
    def test_detail(self, client_for, objective, django_assert_max_num_queries, count):
        partner = PartnerFactory()
        partner.territories.set([TerritoryFactory() for _ in range(count)])
        for _ in range(count):
            ActionPartnerFactory(action=ActionFactory(objective=objective), partner=partner)
            ContactFactory(partner=partner)
        client = client_for("coordination")
        # session, user, savepoint, partner, territories, actions (count and page), agreements, facilities,
        # the meetings attended (governance's panel: count and latest), contacts, release
        with django_assert_max_num_queries(13):
            response = client.get(detail_url(partner))
        assert len(response.context["roles"]) == min(count, ROLES_PAGE_SIZE)
        assert len(response.context["contacts"]) == count
