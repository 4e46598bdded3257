"""Agreements: their rules in the database and in the form, the agreements to renew, the list and detail pages,
the partner's page, deletion, and query budgets."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ctg.models import END_BEFORE_START
from partners.agreement_views import PAGE_SIZE
from partners.forms_funding import AgreementForm
from partners.models import (
    AMOUNT_NEGATIVE,
    NOTICE_TOO_LONG,
    Agreement,
    latest_end_for_notice,
    months_before,
    renewal_horizon_days,
)
from tests.actions.factories import ActionFactory
from tests.partners.factories import AgreementFactory, FacilityFactory, PartnerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("partners:agreement_list")
TODAY = date(2026, 3, 10)


def form_data(partner, **changes) -> dict:
    data = {
        "partner": partner.pk,
        "kind": "partnership",
        "reference": "",
        "title": "Convention PIJ",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "annual_amount": "2500",
        "notice_months": "3",
        "notes": "",
    }
    return data | changes


def titles(queryset) -> list[str]:
    return sorted(agreement.title for agreement in queryset)


class TestConstraints:
    def test_the_database_refuses_an_end_before_the_start(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(start_date=date(2026, 1, 1), end_date=date(2025, 12, 31))

    def test_the_database_refuses_a_negative_amount(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(annual_amount=Decimal("-1"))

    def test_the_database_refuses_a_notice_of_more_than_24_months(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(notice_months=25)

    def test_the_constraints_speak_french(self):
        agreement = AgreementFactory.build(
            partner=PartnerFactory(), start_date=date(2026, 1, 1), end_date=date(2025, 1, 1), annual_amount=-5
        )
        with pytest.raises(Exception) as error:
            agreement.validate_constraints()
        assert END_BEFORE_START in error.value.messages
        assert AMOUNT_NEGATIVE in error.value.messages


class TestForm:
    def test_an_end_before_the_start_is_said_next_to_the_end_date_and_nothing_is_saved(self):
        form = AgreementForm(form_data(PartnerFactory(), end_date="2025-12-31"))
        assert not form.is_valid()
        assert form.errors["end_date"] == [END_BEFORE_START]
        assert Agreement.objects.count() == 0

    def test_a_negative_amount_and_a_long_notice_are_refused_in_french(self):
        form = AgreementForm(form_data(PartnerFactory(), annual_amount="-10", notice_months="30"))
        assert not form.is_valid()
        assert form.errors["annual_amount"] == [AMOUNT_NEGATIVE]
        assert form.errors["notice_months"] == [NOTICE_TOO_LONG]

    def test_the_form_offers_open_actions_and_keeps_archived_ones_already_linked(self, objective):
        open_action = ActionFactory(objective=objective, code="FA1.1")
        archived = ActionFactory(objective=objective, code="FA1.2", archived=True)
        other_archived = ActionFactory(objective=objective, code="FA1.3", archived=True)
        assert list(AgreementForm().fields["actions"].queryset) == [open_action]
        agreement = AgreementFactory()
        agreement.actions.set([archived])
        offered = list(AgreementForm(instance=agreement).fields["actions"].queryset)
        assert offered == [open_action, archived]
        assert other_archived not in offered

    def test_coordination_creates_an_agreement_with_linked_actions(self, client_for, own_action):
        partner = PartnerFactory()
        response = client_for("coordination").post(
            reverse("partners:agreement_create"), form_data(partner, actions=[own_action.pk])
        )
        agreement = Agreement.objects.get()
        assert response.url == agreement.get_absolute_url()
        assert (agreement.partner, list(agreement.actions.all()), agreement.notice_months) == (
            partner,
            [own_action],
            3,
        )
        assert agreement.history.get().history_user.username == "coordination"

    def test_an_invalid_post_shows_the_errors_and_saves_nothing(self, client_for):
        response = client_for("coordination").post(
            reverse("partners:agreement_create"), form_data(PartnerFactory(), end_date="2020-01-01")
        )
        assert response.status_code == 200
        assert END_BEFORE_START in response.text
        assert 'aria-describedby="id_end_date_error"' in response.text
        assert Agreement.objects.count() == 0

    def test_the_partner_link_fills_in_the_partner(self, client_for):
        partner = PartnerFactory()
        response = client_for("coordination").get(reverse("partners:agreement_create"), {"partenaire": partner.pk})
        assert response.context["form"].initial["partner"] == partner.pk

    def test_deleting_an_agreement(self, client_for):
        agreement = AgreementFactory()
        response = client_for("coordination").post(reverse("partners:agreement_delete", args=[agreement.pk]))
        assert response.url == LIST_URL
        assert not Agreement.objects.exists()

    def test_deleting_it_twice_says_it_was_already_deleted(self, client_for):
        agreement = AgreementFactory()
        url = reverse("partners:agreement_delete", args=[agreement.pk])
        client = client_for("coordination")
        client.post(url)
        assert client.post(url).status_code == 404

    def test_editing_an_agreement_deleted_meanwhile_says_so(self, client_for):
        agreement = AgreementFactory()
        client = client_for("coordination")
        url = reverse("partners:agreement_edit", args=[agreement.pk])
        assert client.get(url).status_code == 200
        Agreement.objects.filter(pk=agreement.pk).delete()
        assert client.post(url, form_data(agreement.partner)).status_code == 404


class TestRenewal:
    """With a horizon of 120 days from 10 March 2026: until 8 July 2026."""

    @pytest.fixture
    def agreements(self):
        make = AgreementFactory
        return [
            make(title="Finit dans 30 jours", end_date=TODAY + timedelta(days=30)),
            make(title="Finit dans 120 jours", end_date=TODAY + timedelta(days=120)),
            make(title="Finit dans 121 jours", end_date=TODAY + timedelta(days=121)),
            # Ends 31 December 2026, but its six-month notice must be given before 30 June 2026.
            make(title="Préavis dans l'horizon", end_date=date(2026, 12, 31), notice_months=6),
            make(title="Préavis hors horizon", end_date=date(2027, 6, 30), notice_months=6),
            make(title="Finit aujourd'hui", end_date=TODAY),
            make(title="Déjà finie", start_date=date(2020, 1, 1), end_date=TODAY - timedelta(days=1)),
        ]

    def test_to_renew(self, agreements):
        assert titles(Agreement.objects.to_renew(TODAY, 120)) == [
            "Finit aujourd'hui",
            "Finit dans 120 jours",
            "Finit dans 30 jours",
            "Préavis dans l'horizon",
        ]

    def test_a_longer_horizon_takes_more(self, agreements):
        assert titles(Agreement.objects.to_renew(TODAY, 365)) == [
            "Finit aujourd'hui",
            "Finit dans 120 jours",
            "Finit dans 121 jours",
            "Finit dans 30 jours",
            "Préavis dans l'horizon",
            "Préavis hors horizon",
        ]

    def test_the_annotation_says_the_same(self, agreements):
        flagged = Agreement.objects.with_renewal_due(TODAY, 120).filter(renewal_due=True)
        assert titles(flagged) == titles(Agreement.objects.to_renew(TODAY, 120))

    @pytest.mark.parametrize("months", [1, 2, 3, 6, 12, 24])
    def test_the_notice_deadline_in_sql_matches_python_at_the_ends_of_months(self, months):
        """Every limit and end date over two years: `end ≤ latest_end_for_notice` ⇔ `end − months ≤ limit`."""
        for limit in [date(2027, 2, 28), date(2028, 2, 29), date(2027, 4, 30), date(2027, 1, 31), date(2027, 3, 15)]:
            latest = latest_end_for_notice(limit, months)
            for day in range(0, 1200, 1):
                end = limit + timedelta(days=day)
                assert (months_before(end, months) <= limit) == (end <= latest), (limit, months, end)

    def test_the_horizon_is_bounded_and_has_a_default(self):
        assert renewal_horizon_days() == 120
        assert renewal_horizon_days("365") == 365
        assert renewal_horizon_days("5") == 30
        assert renewal_horizon_days("9999") == 730
        assert renewal_horizon_days("abc") == 120
        assert renewal_horizon_days("-40") == 120
        with override_settings(AGREEMENT_RENEWAL_HORIZON_DAYS=200):
            assert renewal_horizon_days() == 200


class TestListPage:
    @pytest.fixture
    def agreements(self):
        today = timezone.localdate()
        caf = PartnerFactory(name="Caf", kind="caf")
        association = PartnerFactory(name="Association", kind="association")
        return [
            AgreementFactory(partner=caf, kind="cpo", title="CPO bientôt finie", end_date=today + timedelta(days=40)),
            AgreementFactory(partner=association, title="Convention lointaine", end_date=today + timedelta(days=300)),
            AgreementFactory(
                partner=association,
                kind="subsidy",
                title="Subvention finie",
                start_date=today - timedelta(days=400),
                end_date=today - timedelta(days=10),
            ),
        ]

    def test_everyone_reads_the_list_with_the_renewals_highlighted(self, client_for, agreements):
        response = client_for("service_head").get(LIST_URL)
        assert [a.title for a in response.context["page"].object_list] == [
            "Subvention finie",
            "CPO bientôt finie",
            "Convention lointaine",
        ]
        assert [a.title for a in response.context["renewals"]] == ["CPO bientôt finie"]
        assert "À renouveler dans les 120 jours : 1" in response.text
        assert "Échue" in response.text
        assert reverse("partners:agreement_create") not in response.text

    def test_the_horizon_parameter(self, client_for, agreements):
        response = client_for("direction").get(LIST_URL, {"horizon": "365"})
        assert [a.title for a in response.context["renewals"]] == ["CPO bientôt finie", "Convention lointaine"]
        assert "À renouveler dans les 365 jours : 2" in response.text
        assert client_for("direction").get(LIST_URL, {"horizon": "1"}).context["horizon"] == 30
        assert client_for("direction").get(LIST_URL, {"horizon": "100000"}).context["horizon"] == 730

    def test_filters(self, client_for, agreements):
        client = client_for("elected")

        def listed(**params):
            return [a.title for a in client.get(LIST_URL, params).context["page"].object_list]

        assert listed(a_renouveler="on") == ["CPO bientôt finie"]
        assert listed(a_renouveler="on", horizon="365") == ["CPO bientôt finie", "Convention lointaine"]
        assert listed(type_partenaire="association") == ["Subvention finie", "Convention lointaine"]
        assert listed(type="subsidy") == ["Subvention finie"]
        assert listed(type="inconnu") == ["Subvention finie", "CPO bientôt finie", "Convention lointaine"]

    def test_the_htmx_request_gets_the_results_only(self, client_for, agreements):
        response = client_for("coordination").get(LIST_URL, {"a_renouveler": "on"}, headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<div id="results"')
        assert "<html" not in response.text
        assert "CPO bientôt finie" in response.text

    def test_the_list_pages(self, client_for):
        for number in range(PAGE_SIZE + 1):
            AgreementFactory(title=f"Convention {number:02d}")
        response = client_for("coordination").get(LIST_URL, {"page": 2})
        assert len(response.context["page"].object_list) == 1


class TestDetailPage:
    def test_the_page_shows_the_agreement_its_notice_and_actions(self, client_for, own_action):
        today = timezone.localdate()
        agreement = AgreementFactory(
            title="DSP multi-accueil", end_date=today + timedelta(days=200), notice_months=6, reference="DSP-01"
        )
        agreement.actions.set([own_action])
        response = client_for("service_head").get(agreement.get_absolute_url())
        assert "DSP-01" in response.text
        assert own_action.get_absolute_url() in response.text
        assert agreement.notice_deadline.strftime("%d/%m/%Y") in response.text
        assert "À renouveler" in response.text  # its notice deadline falls within 120 days
        assert reverse("partners:agreement_edit", args=[agreement.pk]) not in response.text

    def test_the_partner_page_lists_its_agreements_and_facilities(self, client_for):
        partner = PartnerFactory()
        AgreementFactory(partner=partner, title="Convention du partenaire")
        FacilityFactory(manager=partner, name="Crèche gérée")
        FacilityFactory(name="Crèche d'un autre")
        response = client_for("direction").get(partner.get_absolute_url())
        assert "Convention du partenaire" in response.text
        assert "Crèche gérée" in response.text
        assert escape("Crèche d'un autre") not in response.text
        assert f"{reverse('partners:agreement_create')}?partenaire={partner.pk}" not in response.text
        response = client_for("coordination").get(partner.get_absolute_url())
        assert f"{reverse('partners:agreement_create')}?partenaire={partner.pk}" in response.text


class TestQueryBudgets:
    @pytest.mark.parametrize("count", [1, 40])
    def test_list(self, client_for, django_assert_max_num_queries, count):
        today = timezone.localdate()
        for number in range(count):
            AgreementFactory(end_date=today + timedelta(days=number * 10), partner=PartnerFactory())
        client = client_for("coordination")
        # session, user, savepoint, page count, page, renewals count, renewals, release
        with django_assert_max_num_queries(8):
            response = client.get(LIST_URL)
        assert len(response.context["page"].object_list) == min(count, PAGE_SIZE)

    @pytest.mark.parametrize("count", [1, 20])
    def test_detail(self, client_for, objective, django_assert_max_num_queries, count):
        agreement = AgreementFactory()
        agreement.actions.set([ActionFactory(objective=objective) for _ in range(count)])
        client = client_for("coordination")
        with django_assert_max_num_queries(6):  # session, user, savepoint, agreement, actions, release
            response = client.get(agreement.get_absolute_url())
        assert len(response.context["actions"]) == count

    @pytest.mark.parametrize("count", [1, 20])
    def test_partner_page(self, client_for, django_assert_max_num_queries, count):
        partner = PartnerFactory()
        for _ in range(count):
            AgreementFactory(partner=partner)
            FacilityFactory(manager=partner)
        client = client_for("direction")
        # session, user, savepoint, partner, territories, actions (count and page), agreements, facilities, the
        # meetings attended (count and latest), release
        with django_assert_max_num_queries(11):
            response = client.get(partner.get_absolute_url())
        assert len(response.context["agreements"]) == len(response.context["facilities"]) == count
