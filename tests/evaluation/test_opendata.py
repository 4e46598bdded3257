"""Reading CAF open-data CSV exports (files built here), and saving them as context indicators."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ctg.enums import TerritoryKind
from evaluation import opendata
from evaluation.enums import IndicatorKind, Period, Provenance
from evaluation.models import Indicator, Measurement
from evaluation.opendata import (
    CHILDREN_KEY,
    COMPUTED,
    FIELDS,
    children_record,
    convention_codes,
    opendata_import,
    plan_import,
    read_export,
)
from tests.ctg.factories import ConventionFactory, TerritoryFactory
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory

CODES = ["94042"]
TXCOUV = (
    "numcom;nomcom;annee;txcouv_com;txcouv_eaje_com;txcouv_ind_com;txcouv_psu_col_com;txcouv_hors_psu_col_com;"
    "txcouv_am_ind_com;txcouv_gad_ind_com;txcouv_prescol_com\n"
    "94042;Joinville-le-Pont;2022;62,7;33,1;25,4;27,5;5,6;23,2;2,1;4,2\n"
    "94068;Saint-Maur-des-Fossés;2022;60,1;30;25;25;5;20;2;3\n"
    "94042;Joinville-le-Pont;2023;63,8;34,8;24,8;27,7;7,1;22,7;2,1;4,3\n"
)
NBPLA = (
    "annee;numcom;nomcom;pl_psu_col_com;pl_hors_psu_col_com;pl_am_ind_com;pl_gad_ind_com;pl_prescol_com;"
    "tot_offre_com\n"
    "2023;94042;Joinville-le-Pont;195;50;160;15;30;450\n"
    "2023;94068;Saint-Maur-des-Fossés;760;155;645;60;115;1735\n"
    "2024;94042;Joinville-le-Pont;195;50;155;15;30;445\n"
)
S_BEN = (
    "numcomdo;indfoy_ndur;indnbp_ndur;indfoy_af;indfoy_cf;indfoy_asf;indfoy_ab;indfoy_cmg;indfoy_ndural;"
    "indfoy_rsa;indfoy_ppa\n"
    "94042;2895;7770;1445;230;270;510;320;1170;555;1070\n"
    "94068;11290;30305;5635;895;1055;1990;1250;4565;2170;4175\n"
)


def read(text: str | bytes, codes=CODES, year=None):
    content = text.encode() if isinstance(text, str) else text
    return read_export(content, codes=codes, year=year)


@pytest.fixture
def joinville(db):
    return ConventionFactory(territory__code="94042", territory__name="Joinville-le-Pont")


def stored(convention, key: str) -> dict[int, Measurement]:
    rows = Measurement.objects.filter(indicator__convention=convention, indicator__open_data_key=key)
    return {measurement.year: measurement for measurement in rows}


class TestReading:
    def test_txcouv_file(self):
        export = read(TXCOUV)
        assert export.errors == []
        assert export.datasets == ["txcouv_pe_com"]
        assert (export.rows, export.kept, export.ignored, export.communes) == (3, 2, 1, ["94042"])
        assert export.values["txcouv_com", 2022] == Decimal("62.7")
        assert export.values["txcouv_prescol_com", 2023] == Decimal("4.3")
        assert len(export.values) == 16

    def test_nbpla_file(self):
        export = read(NBPLA)
        assert export.datasets == ["nbpla_pe_com"]
        assert export.values["tot_offre_com", 2024] == Decimal(445)
        assert export.values["pl_psu_col_com", 2023] == Decimal(195)
        assert ("tot_offre_com", 2023) in export.values and len(export.values) == 12

    def test_s_ben_file_without_year_column_takes_the_year_of_the_form(self):
        export = read(S_BEN, year=2024)
        assert export.errors == []
        assert export.datasets == ["s_ben_com_f"]
        assert export.values["indfoy_ndur", 2024] == Decimal(2895)
        assert {year for _, year in export.values} == {2024}
        assert len(export.values) == 10

    def test_a_file_without_year_column_needs_the_year(self):
        export = read(S_BEN)
        assert export.errors == [opendata.MISSING_YEAR]
        assert export.values == {}

    def test_the_year_column_wins_over_the_form(self):
        export = read(NBPLA, year=2019)
        assert {year for _, year in export.values} == {2023, 2024}
        assert export.notes == [opendata.FORM_YEAR_IGNORED]

    @pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
    def test_utf8_with_or_without_bom(self, bom):
        export = read(bom + TXCOUV.encode())
        assert export.errors == []
        assert export.values == read(TXCOUV).values

    def test_windows_line_ends_and_quoted_cells(self):
        text = '"annee";"numcom";"tot_offre_com"\r\n"2023";"94042";"450"\r\n'
        assert read(text).values == {("tot_offre_com", 2023): Decimal(450)}

    def test_reordered_and_extra_columns(self):
        text = (
            "Tot_Offre_Com;extra;NUMCOM;annee;nomcom;pl_psu_col_com;autre chose\n"
            "450;x;94042;2023;Joinville-le-Pont;195;zz\n"
        )
        export = read(text)
        assert export.errors == []
        assert export.values == {("tot_offre_com", 2023): Decimal(450), ("pl_psu_col_com", 2023): Decimal(195)}

    def test_other_communes_are_ignored_even_with_bad_cells(self):
        text = "annee;numcom;tot_offre_com\n2023;94068;abc\n2023;94042;450\n2023;75056;n'importe quoi\n"
        export = read(text)
        assert export.errors == []
        assert (export.kept, export.ignored) == (1, 2)
        assert export.values == {("tot_offre_com", 2023): Decimal(450)}

    def test_a_code_that_lost_its_leading_zero(self):
        export = read("annee;numcom;tot_offre_com\n2023;1004;120\n", codes=["01004"])
        assert export.values == {("tot_offre_com", 2023): Decimal(120)}

    def test_french_decimals_spaces_and_more_than_four_decimals(self):
        text = "annee;numcom;txcouv_com;indfoy_ndur\n2023;94042;58,33333;1 200\n"
        export = read(text)
        assert export.values == {("txcouv_com", 2023): Decimal("58.3333"), ("indfoy_ndur", 2023): Decimal(1200)}

    def test_empty_cells_are_no_value_and_secret_ones_are_noted(self):
        text = "annee;numcom;pl_psu_col_com;pl_gad_ind_com;pl_prescol_com\n2023;94042;195;;nd\n"
        export = read(text)
        assert export.errors == []
        assert export.values == {("pl_psu_col_com", 2023): Decimal(195)}
        assert export.notes == [
            "Ligne 2, colonne pl_prescol_com : « nd » (secret statistique ou donnée non disponible) ignoré."
        ]

    def test_several_communes_add_up_counts_and_leave_rates_out(self):
        text = "annee;numcom;tot_offre_com;txcouv_com\n2023;94042;450;62,7\n2023;94068;1735;60,1\n2023;94015;10;1\n"
        export = read(text, codes=["94042", "94068"])
        assert export.errors == []
        assert export.values == {("tot_offre_com", 2023): Decimal(2185)}
        assert export.notes == [opendata.RATE_NOTE.format(column="txcouv_com")]
        assert (export.kept, export.ignored, export.communes) == (2, 1, ["94042", "94068"])

    def test_session_round_trip(self):
        export = read(TXCOUV)
        again = opendata.Export.from_session(export.to_session())
        assert again.values == export.values
        assert (again.rows, again.ignored, again.communes, again.datasets) == (3, 1, ["94042"], ["txcouv_pe_com"])


class TestBrokenFiles:
    """Each broken file gives a French message naming the row and the column, and no value at all."""

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", opendata.EMPTY_FILE),
            (b"  \n\n", opendata.EMPTY_FILE),
            (b"\xef\xbb\xbf\n", opendata.EMPTY_FILE),
            (b"PK\x03\x04\x00\x00binary", opendata.NOT_TEXT),
            (b"annee;numcom;tot_offre_com\n", opendata.NO_ROWS),
            (b"annee,numcom,tot_offre_com\n2023,94042,450\n", opendata.WRONG_SEPARATOR),
            (b"annee\tnumcom\ttot_offre_com\n2023\t94042\t450\n", opendata.WRONG_SEPARATOR),
            (b"annee;nomcom;tot_offre_com\n2023;Joinville;450\n", opendata.MISSING_COMMUNE),
            (b"annee;numcom;population\n2023;94042;19500\n", opendata.UNKNOWN_DATASET),
            (b"annee;numcom;tot_offre_com\n2023;94068;450\n", opendata.NO_COMMUNE.format(codes="94042")),
        ],
        ids=[
            "empty",
            "blank",
            "bom-only",
            "xlsx",
            "header-only",
            "comma",
            "tab",
            "no-commune",
            "unknown",
            "other-communes",
        ],
    )
    def test_whole_file_errors(self, content, message):
        export = read(content)
        assert export.errors == [message]
        assert export.values == {}

    def test_latin1_bytes_name_the_line_and_suggest_utf8(self):
        content = "annee;numcom;nomcom;tot_offre_com\n2023;94042;Joinville;450\n2023;94028;Créteil;900\n"
        export = read(content.encode("latin-1"))
        assert export.errors == [opendata.NOT_UTF8.format(line=3)]
        assert "UTF-8" in export.errors[0] and "Réexportez" in export.errors[0]

    def test_non_numeric_cell(self):
        text = "numcom;annee;txcouv_com;txcouv_eaje_com\n94042;2022;62,7;30\n94042;2023;abc;31\n"
        export = read(text)
        assert export.errors == ["Ligne 3, colonne txcouv_com : « abc » n'est pas un nombre."]
        assert export.values == {}

    def test_missing_year_column(self):
        export = read("numcom;tot_offre_com\n94042;450\n")
        assert export.errors == [
            "Ligne 1 : colonne annee manquante. Ce fichier ne dit pas l'année de ses données : indiquez-la dans le "
            "formulaire."
        ]

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            ("2023;94042;-5", "Ligne 2, colonne tot_offre_com : « -5 » est négatif"),
            ("2023;94042;99999999999", "Ligne 2, colonne tot_offre_com : « 99999999999 » est trop grand."),
            ("vingt;94042;450", "Ligne 2, colonne annee : « vingt » n'est pas une année"),
            ("2023;94042", "Ligne 2 : 2 cellules au lieu de 3"),
            ("2023;94042;450;12", "Ligne 2 : 4 cellules au lieu de 3"),
        ],
        ids=["negative", "too-big", "year", "short-row", "long-row"],
    )
    def test_bad_rows(self, row, message):
        export = read(f"annee;numcom;tot_offre_com\n{row}\n")
        assert len(export.errors) == 1 and export.errors[0].startswith(message), export.errors
        assert export.values == {}

    def test_a_trailing_semicolon_is_not_an_extra_cell(self):
        assert read("annee;numcom;tot_offre_com\n2023;94042;450;\n").values == {("tot_offre_com", 2023): 450}

    def test_a_commune_twice_for_a_year(self):
        export = read("annee;numcom;tot_offre_com\n2023;94042;450\n2024;94042;440\n2023;94042;455\n")
        assert export.errors == ["Ligne 4 : la commune 94042 figure déjà ligne 2 pour l'année 2023."]

    def test_a_column_twice(self):
        export = read("annee;numcom;tot_offre_com;tot_offre_com\n2023;94042;450;450\n")
        assert export.errors == ["Ligne 1 : la colonne tot_offre_com apparaît deux fois."]

    def test_errors_are_all_listed_then_capped(self):
        rows = "".join(f"{2000 + n};94042;x{n}\n" for n in range(30))
        export = read("annee;numcom;tot_offre_com\n" + rows)
        assert len(export.errors) == 30
        listed = export.to_session()["errors"]
        assert len(listed) == opendata.MAX_LISTED + 1 and listed[-1] == "… et 10 autre(s)."


class TestConventionCodes:
    def test_a_commune_and_the_communes_of_an_epci(self, db):
        commune = ConventionFactory(territory__code="94042")
        assert convention_codes(commune) == ["94042"]
        epci = TerritoryFactory(kind=TerritoryKind.EPCI, name="Paris Est Marne et Bois", code="200057941")
        TerritoryFactory(kind=TerritoryKind.COMMUNE, name="Nogent", code="94052", parent=epci)
        TerritoryFactory(kind=TerritoryKind.COMMUNE, name="Sans code", code="", parent=epci)
        TerritoryFactory(kind=TerritoryKind.DISTRICT, name="Quartier", code="940520101", parent=epci)
        assert convention_codes(ConventionFactory(territory=epci)) == ["200057941", "94052"]

    def test_no_code(self, db):
        assert convention_codes(ConventionFactory()) == []


class TestImport:
    def test_creates_the_context_indicators_and_their_values(self, joinville, coordination):
        counts = opendata_import(convention=joinville, values=read(TXCOUV).values, by=coordination)
        assert counts == opendata.Counts(created=16, updated=0, unchanged=0, indicators=8)
        coverage = Indicator.objects.get(convention=joinville, open_data_key="txcouv_com")
        assert (coverage.code, coverage.name, coverage.unit, coverage.decimals) == (
            "CTX-TXCOUV",
            "Taux de couverture global petite enfance",
            "places pour 100 enfants",
            1,
        )
        assert coverage.kind == IndicatorKind.CONTEXT
        assert coverage.source == "Caf – données ouvertes (txcouv_pe_com)"
        assert (coverage.action_id, coverage.objective_id, coverage.axis_id) == (None, None, None)
        value = stored(joinville, "txcouv_com")[2022]
        assert (value.value, value.period, value.provenance, value.author) == (
            Decimal("62.7"),
            Period.YEAR,
            Provenance.IMPORT,
            coordination,
        )

    def test_every_field_has_a_french_name_and_a_unique_code(self):
        assert len({spec.code for spec in FIELDS.values()}) == len(FIELDS) == 25
        assert all(spec.name and spec.unit for spec in FIELDS.values())

    def test_importing_again_updates_and_never_duplicates(self, joinville, coordination):
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        again = opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert again == opendata.Counts(created=0, updated=0, unchanged=12, indicators=0)
        assert Measurement.objects.count() == 12 and Indicator.objects.count() == 6
        changed = read(
            NBPLA.replace("2024;94042;Joinville-le-Pont;195;50;155;15;30;445", "2024;94042;J;195;50;155;15;30;450")
        )
        counts = opendata_import(convention=joinville, values=changed.values, by=coordination)
        assert counts == opendata.Counts(created=0, updated=1, unchanged=11, indicators=0)
        assert stored(joinville, "tot_offre_com")[2024].value == 450
        assert Measurement.objects.count() == 12

    def test_an_indicator_created_by_hand_with_the_key_is_used(self, joinville, coordination):
        mine = IndicatorFactory(context=True, action=None, convention=joinville, code="TX", open_data_key="txcouv_com")
        opendata_import(convention=joinville, values=read(TXCOUV).values, by=coordination)
        assert stored(joinville, "txcouv_com")[2023].indicator == mine

    def test_a_code_already_taken_gets_a_suffix(self, joinville, coordination):
        IndicatorFactory(context=True, action=None, convention=joinville, code="ctx-pl-tot")
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert Indicator.objects.get(convention=joinville, open_data_key="tot_offre_com").code == "CTX-PL-TOT-2"

    def test_a_value_out_of_the_bounds_saves_nothing(self, joinville, coordination):
        IndicatorFactory(
            context=True, action=None, convention=joinville, code="P", open_data_key="tot_offre_com", max_value=400
        )
        with pytest.raises(ValidationError) as error:
            opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert error.value.messages == [
            "Colonne tot_offre_com, année 2023 : 450 est hors des bornes de l'indicateur P.",
            "Colonne tot_offre_com, année 2024 : 445 est hors des bornes de l'indicateur P.",
        ]
        assert Measurement.objects.count() == 0
        assert Indicator.objects.count() == 1

    def test_the_other_conventions_are_untouched(self, joinville, coordination):
        other = ConventionFactory(territory__code="94042")
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert not Indicator.objects.filter(convention=other).exists()


class TestCoverage:
    """taux = places ÷ children under 3 × 100, for a year without a rate from the CAF."""

    def children(self, convention, by, **years):
        entries = {int(year[1:]): (None, Decimal(count)) for year, count in years.items()}
        return children_record(convention=convention, entries=entries, by=by)

    def test_computed_from_the_total_of_places(self, joinville, coordination):
        self.children(joinville, coordination, y2023=720, y2024=700)
        counts = opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert counts.created == 12 + 2
        rates = stored(joinville, "txcouv_com")
        assert {year: m.value for year, m in rates.items()} == {2023: Decimal("62.5"), 2024: Decimal("63.6")}
        assert rates[2024].comment == f"{COMPUTED} : 445 places ÷ 700 enfants de moins de 3 ans × 100."
        assert rates[2024].provenance == Provenance.IMPORT
        assert Indicator.objects.get(open_data_key=CHILDREN_KEY).code == "CTX-ENF3"

    def test_computed_from_the_sum_of_the_place_fields(self, joinville, coordination):
        self.children(joinville, coordination, y2023=500)
        places = "annee;numcom;pl_psu_col_com;pl_hors_psu_col_com;pl_am_ind_com;pl_gad_ind_com;pl_prescol_com\n"
        opendata_import(convention=joinville, values=read(places + "2023;94042;100;20;80;;nd\n").values, by=None)
        assert stored(joinville, "txcouv_com")[2023].value == Decimal(40)

    def test_computed_when_the_children_come_after_the_places(self, joinville, coordination):
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert stored(joinville, "txcouv_com") == {}
        counts = self.children(joinville, coordination, y2024=712)
        assert counts.created == 1
        assert stored(joinville, "txcouv_com")[2024].value == Decimal("62.5")

    def test_not_computed_when_the_caf_gives_the_rate(self, joinville, coordination):
        self.children(joinville, coordination, y2023=720)
        values = read(NBPLA).values | read(TXCOUV).values
        opendata_import(convention=joinville, values=values, by=coordination)
        rate = stored(joinville, "txcouv_com")[2023]
        assert (rate.value, rate.comment) == (Decimal("63.8"), "")

    def test_an_imported_rate_replaces_a_computed_one_and_is_kept_afterwards(self, joinville, coordination):
        self.children(joinville, coordination, y2023=720)
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert stored(joinville, "txcouv_com")[2023].comment.startswith(COMPUTED)
        counts = opendata_import(convention=joinville, values=read(TXCOUV).values, by=coordination)
        assert counts.updated == 1
        rate = stored(joinville, "txcouv_com")[2023]
        assert (rate.value, rate.comment) == (Decimal("63.8"), "")
        again = opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert (again.created, again.updated) == (0, 0)
        assert stored(joinville, "txcouv_com")[2023].value == Decimal("63.8")

    def test_a_rate_entered_by_hand_is_not_overwritten_by_a_computed_one(self, joinville, coordination):
        coverage = IndicatorFactory(context=True, action=None, convention=joinville, open_data_key="txcouv_com")
        MeasurementFactory(indicator=coverage, year=2023, value=Decimal(70), comment="Saisi")
        self.children(joinville, coordination, y2023=720)
        opendata_import(convention=joinville, values=read(NBPLA).values, by=coordination)
        assert stored(joinville, "txcouv_com")[2023].value == 70

    def test_the_preview_reads_only(self, joinville, coordination, django_assert_max_num_queries):
        self.children(joinville, coordination, y2024=700)
        before = Measurement.objects.count()
        with django_assert_max_num_queries(2):
            plan = plan_import(joinville, read(NBPLA).values)
        assert [(c.key, c.year, c.state) for c in plan.changes if c.computed] == [("txcouv_com", 2024, "new")]
        assert plan.missing_keys == ["txcouv_com", *opendata.PLACE_KEYS, "tot_offre_com"]
        assert Measurement.objects.count() == before

    def test_children_stored_meanwhile_are_not_overwritten(self, joinville, coordination):
        self.children(joinville, coordination, y2024=700)
        with pytest.raises(ValidationError) as error:
            children_record(convention=joinville, entries={2024: (None, Decimal(710))}, by=coordination)
        assert list(error.value.message_dict) == ["2024"]
        assert stored(joinville, CHILDREN_KEY)[2024].value == 700
