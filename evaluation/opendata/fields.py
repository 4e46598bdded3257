"""The catalogue of CAF open data (domain.md §6): the datasets, their fields and the French names, units, sources and
methods of the context indicators they become, and the INSEE codes of a convention's communes.

Each field becomes one context indicator of the convention, found again by its `open_data_key`, which is the
field's name (`txcouv_com`): field names are unique across the three datasets.
"""

from dataclasses import dataclass

from django.db.models import Q

from ctg.enums import TerritoryKind
from ctg.models import Convention, Territory

DATASETS = {
    "s_ben_com_f": "Foyers allocataires par prestation",
    "txcouv_pe_com": "Taux de couverture petite enfance",
    "nbpla_pe_com": "Places d'accueil du jeune enfant",
}
COMMUNE_COLUMNS = ("numcomdo", "numcom")
YEAR_COLUMN = "annee"
CHILDREN_KEY = "enfants_moins_3_ans"
COVERAGE_KEY = "txcouv_com"
TOTAL_PLACES_KEY = "tot_offre_com"
PLACE_KEYS = ("pl_psu_col_com", "pl_hors_psu_col_com", "pl_am_ind_com", "pl_gad_ind_com", "pl_prescol_com")
COMPUTED = "Calculé par Pilote CTG"
COMPUTED_COMMENT = COMPUTED + " : {places} places ÷ {children} enfants de moins de 3 ans × 100."
CHILDREN_SOURCE = "INSEE – recensement de la population"
RATE_UNIT = "places pour 100 enfants"


@dataclass(frozen=True)
class Field:
    key: str
    dataset: str
    code: str
    name: str
    unit: str
    rate: bool = False

    @property
    def decimals(self) -> int:
        return 1 if self.rate else 0

    @property
    def source(self) -> str:
        return CHILDREN_SOURCE if self.dataset == "insee" else f"Caf – données ouvertes ({self.dataset})"


def _fields(dataset: str, unit: str, rate: bool, *rows: tuple[str, ...]) -> list[Field]:
    """The fields of a dataset: (key, code, name), or (key, code, name, unit) for a unit of their own."""
    return [Field(key, dataset, code, name, (rest or [unit])[0], rate) for key, code, name, *rest in rows]


FIELDS: dict[str, Field] = {
    f.key: f
    for f in [
        *_fields(
            "s_ben_com_f",
            "foyers",
            False,
            ("indfoy_ndur", "CTX-FOY", "Foyers allocataires"),
            ("indnbp_ndur", "CTX-PERS", "Personnes couvertes par les prestations de la Caf", "personnes"),
            ("indfoy_af", "CTX-AF", "Foyers bénéficiaires des allocations familiales"),
            ("indfoy_cf", "CTX-CF", "Foyers bénéficiaires du complément familial"),
            ("indfoy_asf", "CTX-ASF", "Foyers bénéficiaires de l'allocation de soutien familial"),
            ("indfoy_ab", "CTX-AB", "Foyers bénéficiaires de l'allocation de base de la Paje"),
            ("indfoy_cmg", "CTX-CMG", "Foyers bénéficiaires du complément de libre choix du mode de garde"),
            ("indfoy_ndural", "CTX-AL", "Foyers bénéficiaires d'une aide au logement"),
            ("indfoy_rsa", "CTX-RSA", "Foyers bénéficiaires du RSA"),
            ("indfoy_ppa", "CTX-PPA", "Foyers bénéficiaires de la prime d'activité"),
        ),
        *_fields(
            "txcouv_pe_com",
            RATE_UNIT,
            True,
            (COVERAGE_KEY, "CTX-TXCOUV", "Taux de couverture global petite enfance"),
            ("txcouv_eaje_com", "CTX-TXCOUV-EAJE", "Taux de couverture – accueil collectif (EAJE)"),
            ("txcouv_ind_com", "CTX-TXCOUV-IND", "Taux de couverture – accueil individuel"),
            ("txcouv_psu_col_com", "CTX-TXCOUV-PSU", "Taux de couverture – EAJE financés par la PSU"),
            ("txcouv_hors_psu_col_com", "CTX-TXCOUV-HPSU", "Taux de couverture – EAJE hors PSU"),
            ("txcouv_am_ind_com", "CTX-TXCOUV-AM", "Taux de couverture – assistants maternels"),
            ("txcouv_gad_ind_com", "CTX-TXCOUV-GAD", "Taux de couverture – garde à domicile"),
            ("txcouv_prescol_com", "CTX-TXCOUV-PRESCOL", "Taux de couverture – préscolarisation"),
        ),
        *_fields(
            "nbpla_pe_com",
            "places",
            False,
            ("pl_psu_col_com", "CTX-PL-PSU", "Places en EAJE (PSU)"),
            ("pl_hors_psu_col_com", "CTX-PL-HPSU", "Places en EAJE hors PSU"),
            ("pl_am_ind_com", "CTX-PL-AM", "Places chez les assistants maternels"),
            ("pl_gad_ind_com", "CTX-PL-GAD", "Places en garde à domicile"),
            ("pl_prescol_com", "CTX-PL-PRESCOL", "Places en préscolarisation (enfants de 2 ans)"),
            (TOTAL_PLACES_KEY, "CTX-PL-TOT", "Offre totale d'accueil du jeune enfant"),
        ),
        Field(CHILDREN_KEY, "insee", "CTX-ENF3", "Enfants de moins de 3 ans", "enfants"),
    ]
}
METHODS = {
    COVERAGE_KEY: "Places (EAJE PSU et hors PSU, assistants maternels, garde à domicile, préscolarisation) "
    "÷ enfants de moins de 3 ans × 100. Calculé par Pilote CTG à partir des places et des enfants de moins de "
    "3 ans pour une année sans taux publié par la Caf.",
    CHILDREN_KEY: "Population de moins de 3 ans de la commune (recensement INSEE), saisie par la coordination.",
}
CAF_METHOD = "Données ouvertes de la Caf au 31 décembre de l'année, arrondies à 5."
IMPORTED_KEYS = frozenset(key for key, f in FIELDS.items() if f.dataset in DATASETS)
NO_CODES = (
    "Le territoire de la convention n'a pas de code INSEE : renseignez-le (Référentiels, Territoires) avant "
    "d'importer des données ouvertes."
)


def normalise_code(cell: str) -> str:
    """An INSEE commune code as written in a file: "1004" (a number that lost its leading zero) is "01004"."""
    code = cell.strip().upper()
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code


def convention_codes(convention: Convention) -> list[str]:
    """The INSEE codes a convention keeps: its territory's, and those of its child communes (an EPCI)."""
    territories = Territory.objects.filter(
        Q(pk=convention.territory_id) | Q(parent_id=convention.territory_id, kind=TerritoryKind.COMMUNE)
    ).exclude(code="")
    return sorted({normalise_code(code) for code in territories.values_list("code", flat=True)})
