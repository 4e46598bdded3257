"""Facilities: their rules, the list, the page with its funding lines grouped by year, deletion, query budgets."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from ctg.views.helpers import PROTECTED_DELETE
from partners.facility_views import PAGE_SIZE
from partners.forms_funding import FacilityForm
from partners.models import CAPACITY_NEGATIVE, FACILITY_NAME_TAKEN, Facility
from tests.ctg.factories import TerritoryFactory
from tests.partners.factories import FacilityFactory, FundingLineFactory, PartnerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("partners:facility_list")


def facility_data(**changes) -> dict:
    data = {"name": "Multi-accueil", "kind": "eaje", "capacity": "40", "manager": "", "district": ""}
    return data | {"address": "", "notes": ""} | changes


class TestRules:
    def test_two_facilities_cannot_share_a_name(self):
        FacilityFactory(name="Crèche")
        with pytest.raises(IntegrityError), transaction.atomic():
            Facility.objects.create(name="Crèche", kind="eaje")
        form = FacilityForm(facility_data(name="Crèche"))
        assert form.non_field_errors() == [FACILITY_NAME_TAKEN]

    def test_a_negative_capacity_is_refused_in_french(self):
        form = FacilityForm(facility_data(capacity="-3"))
        assert not form.is_valid()
        assert form.errors["capacity"] == [CAPACITY_NEGATIVE]
        assert not Facility.objects.exists()

    def test_the_quartier_is_chosen_among_districts(self):
        district = TerritoryFactory(kind="district", name="Palissy")
        commune = TerritoryFactory(kind="commune", name="Joinville-le-Pont")
        offered = list(FacilityForm().fields["district"].queryset)
        assert district in offered and commune not in offered
        assert not FacilityForm(facility_data(district=commune.pk)).is_valid()

    def test_a_municipal_facility_has_no_manager(self, client_for):
        response = client_for("coordination").post(reverse("partners:facility_create"), facility_data())
        facility = Facility.objects.get()
        assert response.url == facility.get_absolute_url()
        assert facility.manager is None
        assert "Régie municipale" in client_for("coordination").get(facility.get_absolute_url()).text


class TestPages:
    def test_the_list_filters_by_kind(self, client_for):
        FacilityFactory(name="Crèche", kind="eaje")
        FacilityFactory(name="Centre de loisirs", kind="alsh")
        response = client_for("service_head").get(LIST_URL, {"type": "alsh"})
        assert [f.name for f in response.context["page"].object_list] == ["Centre de loisirs"]
        assert reverse("partners:facility_create") not in response.text
        fragment = client_for("service_head").get(LIST_URL, headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith('<section id="results"')

    def test_the_page_groups_funding_lines_by_year_with_totals(self, client_for):
        facility = FacilityFactory(manager=PartnerFactory(name="Gestionnaire"))
        FundingLineFactory(facility=facility, year=2025, scheme="psu", flat_amount=Decimal("1000"), planned=None)
        FundingLineFactory(
            facility=facility, year=2025, scheme="bonus_eaje", flat_amount=Decimal("250.50"), planned=Decimal("250.50")
        )
        FundingLineFactory(facility=facility, year=2024, scheme="psu", rated=True, planned=Decimal("5500"))
        FundingLineFactory(year=2025)  # another facility's
        response = client_for("elected").get(facility.get_absolute_url())
        years = response.context["years"]
        assert [year for year, totals, lines in years] == [2025, 2024]
        totals_2025 = years[0][1]
        assert (totals_2025["lines"], totals_2025["computed"], totals_2025["planned_total"]) == (
            2,
            Decimal("1250.50"),
            Decimal("250.50"),
        )
        assert [line.scheme for line in years[0][2]] == ["bonus_eaje", "psu"]
        assert years[1][2][0].amount == Decimal("5500.00")
        assert "Gestionnaire" in response.text
        assert "1\u202f250,50\xa0€" in response.text

    def test_a_facility_with_funding_lines_is_not_deleted(self, client_for):
        line = FundingLineFactory()
        client = client_for("coordination")
        response = client.post(reverse("partners:facility_delete", args=[line.facility_id]), follow=True)
        assert escape(PROTECTED_DELETE) in response.text
        assert Facility.objects.filter(pk=line.facility_id).exists()

    def test_the_list_pages(self, client_for):
        for number in range(PAGE_SIZE + 2):
            FacilityFactory(name=f"Équipement {number:02d}")
        response = client_for("coordination").get(LIST_URL, {"page": 2})
        assert len(response.context["page"].object_list) == 2


class TestQueryBudgets:
    @pytest.mark.parametrize("count", [1, 40])
    def test_list(self, client_for, django_assert_max_num_queries, count):
        district = TerritoryFactory(kind="district")
        for _ in range(count):
            FacilityFactory(manager=PartnerFactory(), district=district)
        client = client_for("coordination")
        with django_assert_max_num_queries(6):  # session, user, savepoint, count, page, release
            response = client.get(LIST_URL)
        assert len(response.context["page"].object_list) == min(count, PAGE_SIZE)

    @pytest.mark.parametrize("count", [1, 30])
    def test_detail(self, client_for, django_assert_max_num_queries, count):
        facility = FacilityFactory(manager=PartnerFactory())
        for number in range(count):
            FundingLineFactory(facility=facility, year=2000 + number)
        client = client_for("coordination")
        with django_assert_max_num_queries(7):  # session, user, savepoint, facility, lines, totals, release
            response = client.get(facility.get_absolute_url())
        assert len(response.context["years"]) == count
