"""Funding lines: quantity × unit rate or a flat amount (never both), the stages and their amounts, the computed
amount, the totals per year and per scheme, the funding page, its CSV export and query budgets."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from partners.facility_views import PAGE_SIZE
from partners.forms_funding import FundingLineForm
from partners.models import (
    AMOUNT_NEGATIVE,
    FUNDING_BASIS,
    FUNDING_NOTIFIED_MISSING,
    FUNDING_PAID_MISSING,
    FUNDING_QUANTITY_MISSING,
    FUNDING_RATE_MISSING,
    FUNDING_YEAR_RANGE,
    FundingLine,
)
from partners.resources import FUNDING_LINE_COLUMNS
from tests.partners.factories import FacilityFactory, FundingLineFactory, PartnerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("partners:funding_list")
EXPORT_URL = reverse("partners:funding_export")


def line_data(**changes) -> dict:
    data = {
        "year": "2026",
        "scheme": "psu",
        "funder": "caf",
        "quantity": "",
        "unit_rate": "",
        "flat_amount": "",
        "stage": "planned",
        "planned": "",
        "notified": "",
        "paid": "",
        "comment": "",
    }
    return data | changes


def bound(facility, **changes) -> FundingLineForm:
    return FundingLineForm(line_data(**changes), instance=FundingLine(facility=facility))


class TestConstraints:
    @pytest.mark.parametrize(
        "values",
        [
            {"quantity": Decimal(10), "unit_rate": Decimal(2), "flat_amount": Decimal(20)},  # both forms
            {"quantity": None, "unit_rate": None, "flat_amount": None},  # neither
            {"quantity": Decimal(10), "unit_rate": None, "flat_amount": None},  # a quantity without its rate
        ],
    )
    def test_exactly_one_form_of_amount(self, values):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLine.objects.create(facility=FacilityFactory(), year=2025, scheme="psu", **values)

    @pytest.mark.parametrize("field", ["flat_amount", "planned", "notified", "paid"])
    def test_no_negative_amount(self, field):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLineFactory(**{field: Decimal("-1")})

    @pytest.mark.parametrize(("stage", "missing"), [("notified", "notified"), ("paid", "paid")])
    def test_a_notified_or_paid_line_has_its_amount(self, stage, missing):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLineFactory(stage=stage, **{missing: None})

    def test_the_year_is_bounded(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingLineFactory(year=1999)


class TestForm:
    def test_both_forms_are_refused_and_nothing_is_saved(self):
        facility = FacilityFactory()
        form = bound(facility, quantity="100", unit_rate="5", flat_amount="500")
        assert not form.is_valid()
        assert form.errors["flat_amount"] == [FUNDING_BASIS]
        assert not FundingLine.objects.exists()

    def test_neither_form_is_refused(self):
        form = bound(FacilityFactory())
        assert form.errors["flat_amount"] == [FUNDING_BASIS]

    def test_half_a_product_is_refused_next_to_the_missing_half(self):
        facility = FacilityFactory()
        assert bound(facility, quantity="100").errors["unit_rate"] == [FUNDING_RATE_MISSING]
        assert bound(facility, unit_rate="5").errors["quantity"] == [FUNDING_QUANTITY_MISSING]

    def test_a_stage_needs_its_amount(self):
        facility = FacilityFactory()
        assert bound(facility, flat_amount="10", stage="notified").errors["notified"] == [FUNDING_NOTIFIED_MISSING]
        assert bound(facility, flat_amount="10", stage="paid").errors["paid"] == [FUNDING_PAID_MISSING]

    def test_negative_amounts_and_wrong_years_are_refused_in_french(self):
        form = bound(FacilityFactory(), flat_amount="-5", planned="-1", year="1990")
        assert form.errors["flat_amount"] == [AMOUNT_NEGATIVE]
        assert form.errors["planned"] == [AMOUNT_NEGATIVE]
        assert form.errors["year"] == [FUNDING_YEAR_RANGE]

    def test_coordination_adds_a_line_on_the_facility_page(self, client_for):
        facility = FacilityFactory()
        response = client_for("coordination").post(
            reverse("partners:funding_create", args=[facility.pk]),
            line_data(quantity="72000", unit_rate="5.62", stage="notified", notified="404640"),
        )
        assert response.url == facility.get_absolute_url() + "#financements"
        line = FundingLine.objects.with_amount().get()
        assert (line.facility, line.amount, line.notified) == (facility, Decimal("404640.00"), Decimal("404640"))

    def test_an_invalid_post_shows_the_error_next_to_the_field(self, client_for):
        facility = FacilityFactory()
        response = client_for("coordination").post(
            reverse("partners:funding_create", args=[facility.pk]), line_data(quantity="10", flat_amount="5")
        )
        assert response.status_code == 200
        assert 'aria-describedby="id_unit_rate_error"' in response.text
        assert not FundingLine.objects.exists()


class TestAmountsAndTotals:
    def test_the_computed_amount_is_rounded_to_the_cent(self):
        FundingLineFactory(flat_amount=None, quantity=Decimal("1234.50"), unit_rate=Decimal("6.7890"))
        assert FundingLine.objects.with_amount().get().amount == Decimal("8381.02")  # 8 381,0205

    def test_totals_per_year_and_per_scheme(self):
        FundingLineFactory(year=2025, scheme="psu", flat_amount=Decimal("100"), planned=Decimal("90"))
        FundingLineFactory(
            year=2025, scheme="clas", rated=True, planned=None, stage="paid", notified=Decimal(5), paid=Decimal(4)
        )
        FundingLineFactory(year=2026, scheme="psu", flat_amount=Decimal("40.25"), planned=None)
        by_year = list(FundingLine.objects.totals_by("year"))
        assert by_year == [
            {
                "year": 2025,
                "lines": 2,
                "computed": Decimal("5600.00"),
                "planned_total": Decimal("90"),
                "notified_total": Decimal("5"),
                "paid_total": Decimal("4"),
            },
            {
                "year": 2026,
                "lines": 1,
                "computed": Decimal("40.25"),
                "planned_total": None,
                "notified_total": None,
                "paid_total": None,
            },
        ]
        by_scheme = {row["scheme"]: (row["lines"], row["computed"]) for row in FundingLine.objects.totals_by("scheme")}
        assert by_scheme == {"clas": (1, Decimal("5500.00")), "psu": (2, Decimal("140.25"))}


class TestFundingPage:
    @pytest.fixture
    def lines(self):
        creche, alsh = FacilityFactory(name="Crèche"), FacilityFactory(name="ALSH", kind="alsh")
        return [
            FundingLineFactory(facility=creche, year=2025, scheme="psu", flat_amount=Decimal("1000")),
            FundingLineFactory(facility=creche, year=2026, scheme="bonus_eaje", flat_amount=Decimal("300")),
            FundingLineFactory(facility=alsh, year=2026, scheme="ps_alsh", flat_amount=Decimal("200")),
        ]

    def test_everyone_reads_the_totals(self, client_for, lines):
        response = client_for("service_head").get(LIST_URL)
        assert [row["year"] for row in response.context["by_year"]] == [2025, 2026]
        assert response.context["grand_total"]["computed"] == Decimal("1500")
        assert {row["label"] for row in response.context["by_scheme"]} == {
            "PSU – prestation de service unique (EAJE)",
            "Bonus territoire CTG – EAJE",
            "Prestation de service ALSH",
        }
        assert reverse("partners:funding_edit", args=[lines[0].pk]) not in response.text

    def test_filters_apply_to_lines_and_totals(self, client_for, lines):
        client = client_for("direction")
        response = client.get(LIST_URL, {"annee": "2026"})
        assert response.context["page"].paginator.count == 2
        assert [row["computed"] for row in response.context["by_year"]] == [Decimal("500")]
        response = client.get(LIST_URL, {"equipement": lines[0].facility_id, "dispositif": "psu"})
        assert list(response.context["page"].object_list) == [lines[0]]
        response = client.get(LIST_URL, {"annee": "deux-mille", "equipement": "999999"})
        assert response.context["page"].paginator.count == 3  # wrong filters are ignored

    def test_the_htmx_request_gets_the_results_only(self, client_for, lines):
        response = client_for("elected").get(LIST_URL, {"annee": "2025"}, headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<div id="results"')
        assert f"{EXPORT_URL}?annee=2025" in response.text

    def test_the_lines_page(self, client_for):
        facility = FacilityFactory()
        for year in range(2000, 2000 + PAGE_SIZE + 3):
            FundingLineFactory(facility=facility, year=year)
        response = client_for("coordination").get(LIST_URL, {"page": 2})
        assert len(response.context["page"].object_list) == 3
        assert response.context["grand_total"]["lines"] == PAGE_SIZE + 3


class TestExport:
    def _rows(self, response) -> list[dict]:
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))

    def test_the_csv_has_french_headers_labels_and_decimal_commas(self, client_for):
        facility = FacilityFactory(name="Multi-accueil", manager=PartnerFactory(name="Crèches Horizon"))
        FundingLineFactory(
            facility=facility,
            year=2026,
            rated=True,
            unit_rate=Decimal("5.6200"),
            stage="notified",
            notified=Decimal("5600.50"),
            comment="=SOMME(A1:A2)",
        )
        response = client_for("service_head").get(EXPORT_URL)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="financements-')
        (row,) = self._rows(response)
        assert list(row) == list(FUNDING_LINE_COLUMNS.values())
        assert row == {
            "Équipement": "Multi-accueil",
            "Type d'équipement": "EAJE (multi-accueil, crèche)",
            "Gestionnaire": "Crèches Horizon",
            "Année": "2026",
            "Dispositif": "PSU – prestation de service unique (EAJE)",
            "Financeur": "CAF",
            "Quantité": "1000,00",
            "Taux unitaire (€)": "5,6200",
            "Montant forfaitaire (€)": "",
            "Montant calculé (€)": "5620,00",
            "Étape": "Notifié",
            "Prévu (€)": "10000,00",
            "Notifié (€)": "5600,50",
            "Versé (€)": "",
            "Commentaire": "'=SOMME(A1:A2)",
        }

    def test_the_export_follows_the_filters(self, client_for):
        FundingLineFactory(year=2025, facility=FacilityFactory(name="A"))
        FundingLineFactory(year=2026, facility=FacilityFactory(name="B"))
        rows = self._rows(client_for("coordination").get(EXPORT_URL, {"annee": "2026"}))
        assert [row["Équipement"] for row in rows] == ["B"]
        assert rows[0]["Gestionnaire"] == ""


class TestQueryBudgets:
    @pytest.mark.parametrize("count", [1, 60])
    def test_funding_page(self, client_for, django_assert_max_num_queries, count):
        facilities = [FacilityFactory() for _ in range(3)]
        for number in range(count):
            FundingLineFactory(
                facility=facilities[number % 3], year=2000 + number % 7, scheme=["psu", "clas"][number % 2]
            )
        client = client_for("coordination")
        # session, user, savepoint, facilities of the filter, count, page, totals per year, per scheme, release
        with django_assert_max_num_queries(9):
            response = client.get(LIST_URL)
        assert len(response.context["page"].object_list) == min(count, PAGE_SIZE)

    @pytest.mark.parametrize("count", [1, 60])
    def test_export(self, client_for, django_assert_max_num_queries, count):
        for _ in range(count):
            FundingLineFactory(facility=FacilityFactory(manager=PartnerFactory()))
        client = client_for("coordination")
        with django_assert_max_num_queries(5):  # session, user, savepoint, lines, release
            response = client.get(EXPORT_URL)
        assert len(response.content.decode().splitlines()) == count + 1
