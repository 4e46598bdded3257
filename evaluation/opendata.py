"""CAF open data (domain.md §6) into the convention's context indicators: the territorial diagnostic.

Reading (`read_export`) never touches the database: it turns the bytes of a CSV export into the values of the
convention's communes, or into French errors naming the row and the column. The dataset is recognised from
its columns (no choice to make in the form): `s_ben_com_f` (households per benefit), `txcouv_pe_com`
(childcare coverage rates) and `nbpla_pe_com` (places for under-3s) have no field in common, and a file
holding the fields of several of them is read whole.

Mapping: each field becomes one context indicator of the convention, found again by its `open_data_key`,
which is the field's name (`txcouv_com`): field names are unique across the three datasets. It is created on
first import with the French name, unit and source of `FIELDS`. Values are yearly measurements of provenance
"import"; an import overwrites (no `previous`), so importing a file again updates, never duplicates.

Rows of other communes are ignored: a convention keeps the INSEE code of its territory and those of its
child territories of kind commune (an EPCI). Over several communes, counts (households, places) are added
up; rates cannot be, so they are left out with a note, and the global coverage rate is computed instead.

Taux de couverture computed: the children under 3 (INSEE) are not in the CAF files; the coordination enters
them per year (indicator CTX-ENF3, key `CHILDREN_KEY`). For a year with places (`tot_offre_com`, else the
sum of the five place fields present) and children, and no `txcouv_com` imported for that year, the coverage
indicator's value is places ÷ children × 100, stored with a comment starting with `COMPUTED` (which tells a
computed value, recomputed at each import, from an imported or entered one, never overwritten).
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from ctg.enums import TerritoryKind
from ctg.models import Convention, Territory, User
from evaluation.charts import number_text
from evaluation.enums import Direction, IndicatorKind, Period, Provenance
from evaluation.models import Indicator, Measurement
from evaluation.numbers import parse_decimal
from evaluation.services import measurement_record

logger = logging.getLogger("evaluation")

# --- The catalogue ------------------------------------------------------------------------------------------

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

# --- Messages -----------------------------------------------------------------------------------------------

EMPTY_FILE = "Le fichier est vide."
NOT_TEXT = (
    "Ce fichier n'est pas un fichier texte CSV (un classeur Excel ?) : exportez les données au format CSV "
    "séparé par des points-virgules."
)
NOT_UTF8 = (
    "Ligne {line} : le fichier n'est pas encodé en UTF-8 (caractère illisible). Réexportez-le en UTF-8 "
    "(« CSV UTF-8 » dans le tableur, ou l'export CSV du portail de la Caf) puis déposez-le à nouveau."
)
WRONG_SEPARATOR = (
    "Ligne 1 : le fichier doit être séparé par des points-virgules (;), pas par des virgules ni des "
    "tabulations. Réexportez-le avec le séparateur point-virgule."
)
DUPLICATE_COLUMN = "Ligne 1 : la colonne {column} apparaît deux fois."
MISSING_COMMUNE = (
    "Ligne 1 : colonne numcom (ou numcomdo) manquante : c'est elle qui donne le code INSEE de la commune."
)
MISSING_YEAR = (
    "Ligne 1 : colonne annee manquante. Ce fichier ne dit pas l'année de ses données : indiquez-la dans le formulaire."
)
UNKNOWN_DATASET = (
    "Ligne 1 : aucune colonne de données reconnue. Le fichier doit être un export s_ben_com_f, txcouv_pe_com "
    "ou nbpla_pe_com des données ouvertes de la Caf (avec par exemple la colonne indfoy_ndur, txcouv_com ou "
    "tot_offre_com)."
)
NO_ROWS = "Le fichier ne contient aucune ligne de données sous la ligne d'en-tête."
WRONG_WIDTH = "Ligne {line} : {count} cellules au lieu de {expected} (une cellule contient-elle un point-virgule ?)."
NOT_A_YEAR = "Ligne {line}, colonne annee : « {cell} » n'est pas une année (par exemple 2023)."
NOT_A_NUMBER = "Ligne {line}, colonne {column} : « {cell} » n'est pas un nombre."
NEGATIVE = "Ligne {line}, colonne {column} : « {cell} » est négatif, ce qu'un effectif ou un taux ne peut pas être."
TOO_BIG = "Ligne {line}, colonne {column} : « {cell} » est trop grand."
DUPLICATE_ROW = "Ligne {line} : la commune {code} figure déjà ligne {first} pour l'année {year}."
NO_COMMUNE = "Aucune ligne ne concerne le territoire de la convention (code INSEE {codes}) : rien à importer."
NO_CODES = (
    "Le territoire de la convention n'a pas de code INSEE : renseignez-le (Référentiels, Territoires) avant "
    "d'importer des données ouvertes."
)
MORE = "… et {count} autre(s)."
SECRET_NOTE = "Ligne {line}, colonne {column} : « {cell} » (secret statistique ou donnée non disponible) ignoré."
RATE_NOTE = (
    "Colonne {column} : les taux par commune sont ignorés, car la convention couvre plusieurs communes et un taux "
    "ne s'additionne pas. Le taux de couverture global est calculé à partir des places et des enfants de moins "
    "de 3 ans."
)
FORM_YEAR_IGNORED = "L'année indiquée dans le formulaire n'est pas utilisée : le fichier a une colonne annee."
OUT_OF_BOUNDS = "Colonne {column}, année {year} : {value} est hors des bornes de l'indicateur {code}."
CODE_RACE = "Un indicateur vient d'être créé avec le même code par une autre personne : relancez l'import."
MAX_LISTED = 20
# "nd" (non disponible), "s" or "secret" (secret statistique) and other markers the CAF and INSEE use.
SECRET_CELLS = frozenset({"nd", "n.d.", "n/d", "nc", "ns", "s", "secret", "x", "*", "-", "–"})
YEAR_CELL = re.compile(r"(\d{4})(-\d{2}-\d{2})?")
FOUR_DECIMALS = Decimal("0.0001")


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


# --- Reading a file -----------------------------------------------------------------------------------------


@dataclass
class Export:
    """What a file holds for the convention: `values` per (field, year), over the kept communes."""

    datasets: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    ignored: int = 0
    communes: list[str] = field(default_factory=list)
    values: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.rows - self.ignored

    def to_session(self) -> dict:
        data = {name: getattr(self, name) for name in ("datasets", "columns", "rows", "ignored", "communes")}
        values = [[key, year, str(value)] for (key, year), value in sorted(self.values.items())]
        return data | {"values": values, "notes": capped(self.notes), "errors": capped(self.errors)}

    @classmethod
    def from_session(cls, data: dict) -> "Export":
        names = ("datasets", "columns", "rows", "ignored", "communes", "notes", "errors")
        values = {(key, int(year)): Decimal(value) for key, year, value in data["values"]}
        return cls(**{name: data[name] for name in names}, values=values)


def capped(texts: list[str]) -> list[str]:
    if len(texts) <= MAX_LISTED:
        return list(texts)
    return [*texts[:MAX_LISTED], MORE.format(count=len(texts) - MAX_LISTED)]


def read_export(content: bytes, *, codes: list[str], year: int | None = None) -> Export:
    """The values `content` (a CSV export) holds for the communes `codes`, or the errors that prevent reading
    it: any error means nothing is to be imported. `year` is the year of a file without a year column."""
    export = Export()
    if not content.strip():
        export.errors.append(EMPTY_FILE)
        return export
    if b"\x00" in content[:4096]:
        export.errors.append(NOT_TEXT)
        return export
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        export.errors.append(NOT_UTF8.format(line=content[: error.start].count(b"\n") + 1))
        return export
    if not text.strip():
        export.errors.append(EMPTY_FILE)
        return export
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = [cell.strip().lower() for cell in next(reader)]
    columns = _read_header(header, year, export)
    if export.errors:
        return export
    commune, year_index, fields = columns
    multi_commune = len(codes) > 1
    found: dict[tuple[str, int], int] = {}
    cells: dict[tuple[str, int], list[Decimal]] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        export.rows += 1
        line = reader.line_num
        if len(row) < len(header) or any(cell.strip() for cell in row[len(header) :]):
            export.errors.append(WRONG_WIDTH.format(line=line, count=len(row), expected=len(header)))
            continue
        code = normalise_code(row[commune])
        if code not in codes:
            export.ignored += 1
            continue
        row_year = year if year_index is None else _read_year(row[year_index], line, export)
        if row_year is None:
            continue
        if (code, row_year) in found:
            export.errors.append(
                DUPLICATE_ROW.format(line=line, code=code, first=found[code, row_year], year=row_year)
            )
            continue
        found[code, row_year] = line
        for key, index in fields:
            value = _read_cell(row[index], line, key, export)
            if value is not None and not (multi_commune and FIELDS[key].rate):
                cells.setdefault((key, row_year), []).append(value)
    if not export.rows and not export.errors:
        export.errors.append(NO_ROWS)
    elif not found and not export.errors:
        export.errors.append(NO_COMMUNE.format(codes=", ".join(codes)))
    if multi_commune:
        export.notes.extend(RATE_NOTE.format(column=key) for key, _ in fields if FIELDS[key].rate)
    export.communes = sorted({code for code, _ in found})
    export.values = {} if export.errors else {where: sum(values, Decimal(0)) for where, values in cells.items()}
    return export


def _read_header(header: list[str], year: int | None, export: Export) -> tuple[int, int | None, list] | None:
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        export.errors.append(WRONG_SEPARATOR)
        return None
    for column in sorted({name for name in header if name and header.count(name) > 1}):
        export.errors.append(DUPLICATE_COLUMN.format(column=column))
    index = {name: position for position, name in enumerate(header)}
    commune = next((index[name] for name in COMMUNE_COLUMNS if name in index), None)
    if commune is None:
        export.errors.append(MISSING_COMMUNE)
    year_index = index.get(YEAR_COLUMN)
    if year_index is None and year is None:
        export.errors.append(MISSING_YEAR)
    elif year_index is not None and year is not None:
        export.notes.append(FORM_YEAR_IGNORED)
    fields = [(key, index[key]) for key in FIELDS if key in IMPORTED_KEYS and key in index]
    if not fields:
        export.errors.append(UNKNOWN_DATASET)
    export.columns = [key for key, _ in fields]
    export.datasets = list(dict.fromkeys(FIELDS[key].dataset for key, _ in fields))
    return commune, year_index, fields


def _read_year(cell: str, line: int, export: Export) -> int | None:
    match = YEAR_CELL.fullmatch(cell.strip())
    if match is None or not 1990 <= int(match.group(1)) <= 2100:
        export.errors.append(NOT_A_YEAR.format(line=line, cell=cell.strip()))
        return None
    return int(match.group(1))


def _read_cell(cell: str, line: int, column: str, export: Export) -> Decimal | None:
    """A cell's number; None for an empty cell, or a secret one (with a note); an error for anything else."""
    text = cell.strip()
    if not text:
        return None
    if text.lower() in SECRET_CELLS:
        export.notes.append(SECRET_NOTE.format(line=line, column=column, cell=text))
        return None
    try:
        value = parse_decimal(text)
    except ValueError:
        export.errors.append(NOT_A_NUMBER.format(line=line, column=column, cell=text))
        return None
    if value < 0:
        export.errors.append(NEGATIVE.format(line=line, column=column, cell=text))
        return None
    if value.adjusted() >= 10:
        export.errors.append(TOO_BIG.format(line=line, column=column, cell=text))
        return None
    if value.as_tuple().exponent < -4:
        value = value.quantize(FOUR_DECIMALS, rounding=ROUND_HALF_UP)
    return value


# --- Comparing with what is stored, and saving ---------------------------------------------------------------

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
COVERAGE_INPUTS = frozenset({TOTAL_PLACES_KEY, *PLACE_KEYS, CHILDREN_KEY})
CONVENTION_GONE = "Cette convention vient d'être supprimée : rien n'a été importé."


def number(value: Decimal) -> str:
    """`value` the French way, with the decimals it has: "1 234,5"."""
    return number_text(value, max(0, -value.normalize().as_tuple().exponent))


@dataclass(frozen=True)
class Change:
    """One yearly value to store: `old` is the stored one (None: none). `comment` None keeps the stored
    comment; a computed rate carries its explanation, and a value replacing a computed one clears it."""

    key: str
    year: int
    old: Decimal | None
    new: Decimal
    old_computed: bool = False
    comment: str | None = None

    @property
    def computed(self) -> bool:
        return bool(self.comment) and self.comment.startswith(COMPUTED)

    @property
    def state(self) -> str:
        if self.old is None:
            return NEW
        if self.old == self.new and self.old_computed == self.computed:
            return UNCHANGED
        return UPDATED


@dataclass
class Plan:
    indicators: dict[str, Indicator]
    changes: list[Change]
    errors: list[str]

    @property
    def missing_keys(self) -> list[str]:
        keys = {change.key for change in self.changes}
        return [key for key in FIELDS if key in keys and key not in self.indicators]

    def count(self, state: str) -> int:
        return sum(change.state == state for change in self.changes)


def stored_state(convention: Convention) -> tuple[dict[str, Indicator], dict[tuple[str, int], tuple[Decimal, str]]]:
    """The convention's open-data indicators by key, and their yearly values and comments: two queries."""
    indicators = {
        indicator.open_data_key: indicator
        for indicator in Indicator.objects.of_convention(convention).filter(open_data_key__in=list(FIELDS))
    }
    if not indicators:
        return indicators, {}
    rows = Measurement.objects.filter(indicator__in=list(indicators.values()), period=Period.YEAR).values_list(
        "indicator__open_data_key", "year", "value", "comment"
    )
    return indicators, {(key, year): (value, comment) for key, year, value, comment in rows}


def plan_import(convention: Convention, values: dict[tuple[str, int], Decimal]) -> Plan:
    """What saving `values` would change, with the coverage rates they allow computing. Reads only."""
    indicators, stored = stored_state(convention)
    changes = []
    for (key, year), value in sorted(values.items(), key=lambda item: (list(FIELDS).index(item[0][0]), item[0][1])):
        old, comment = stored.get((key, year), (None, ""))
        old_computed = comment.startswith(COMPUTED)
        changes.append(Change(key, year, old, value, old_computed, "" if old_computed else None))
    years = {year for key, year in values if key in COVERAGE_INPUTS}
    changes.extend(coverage_changes(values, stored, years))
    errors = []
    for change in changes:
        indicator = indicators.get(change.key)
        if indicator is None:
            continue
        low, high = indicator.min_value, indicator.max_value
        if (low is not None and change.new < low) or (high is not None and change.new > high):
            value = number(change.new)
            errors.append(OUT_OF_BOUNDS.format(column=change.key, year=change.year, value=value, code=indicator.code))
    return Plan(indicators, changes, errors)


def coverage_changes(values: dict, stored: dict, years: set[int]) -> list[Change]:
    """The coverage rates of `years` computable from the places and the children under 3 (stored, or about to
    be), for the years without a rate imported from the CAF (in `values`, or stored and not computed)."""
    merged = {where: value for where, (value, _) in stored.items()} | values
    changes = []
    for year in sorted(years):
        old = stored.get((COVERAGE_KEY, year))
        if (COVERAGE_KEY, year) in values or (old and not old[1].startswith(COMPUTED)):
            continue
        places = merged.get((TOTAL_PLACES_KEY, year))
        if places is None:
            parts = [merged[key, year] for key in PLACE_KEYS if (key, year) in merged]
            places = sum(parts, Decimal(0)) if parts else None
        children = merged.get((CHILDREN_KEY, year))
        if places is None or not children:
            continue
        rate = (places * 100 / children).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        comment = COMPUTED_COMMENT.format(places=number(places), children=number(children))
        changes.append(Change(COVERAGE_KEY, year, old[0] if old else None, rate, old is not None, comment))
    return changes


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    unchanged: int
    indicators: int


def lock_convention(convention: Convention) -> None:
    """One import or entry at a time per convention: its row, then its open-data indicators, are locked."""
    if not Convention.objects.select_for_update().filter(pk=convention.pk).exists():
        raise ValidationError(CONVENTION_GONE)
    list(
        Indicator.objects.of_convention(convention)
        .filter(open_data_key__in=list(FIELDS))
        .select_for_update()
        .values_list("pk", flat=True)
    )


@transaction.atomic
def opendata_import(*, convention: Convention, values: dict[tuple[str, int], Decimal], by: User | None) -> Counts:
    """Save the values a file gave (`Export.values`) and the coverage rates they allow computing: all or
    nothing (a `ValidationError` in French otherwise). Compared with the stored values under the locks, so the
    counts say what this import really changed; an unchanged value is not written again."""
    lock_convention(convention)
    plan = plan_import(convention, values)
    if plan.errors:
        raise ValidationError(plan.errors)
    return apply_plan(convention, plan, by)


@transaction.atomic
def children_record(
    *, convention: Convention, entries: dict[int, tuple[Decimal | None, Decimal]], by: User | None
) -> Counts:
    """Store the children under 3 typed for some years (`entries`: year → (the value the form showed, the new
    value); a value stored meanwhile by someone else is refused, as in the entry grid), then the coverage rates
    they allow computing. The `ValidationError` of a refused year is keyed by that year."""
    lock_convention(convention)
    indicators, _ = stored_state(convention)
    children = indicators.get(CHILDREN_KEY) or indicator_create(
        convention, FIELDS[CHILDREN_KEY], taken_codes(convention)
    )
    for year, (shown, value) in sorted(entries.items()):
        try:
            measurement_record(indicator=children, year=year, value=value, by=by, previous=shown)
        except ValidationError as error:
            raise ValidationError({str(year): error.messages}) from error
    plan = plan_import(convention, {(CHILDREN_KEY, year): value for year, (_, value) in entries.items()})
    if plan.errors:
        raise ValidationError(plan.errors)
    return apply_plan(convention, plan, by)


def apply_plan(convention: Convention, plan: Plan, by: User | None) -> Counts:
    indicators = dict(plan.indicators)
    taken = taken_codes(convention)
    for key in plan.missing_keys:
        indicators[key] = indicator_create(convention, FIELDS[key], taken)
    for change in plan.changes:
        if change.state != UNCHANGED:
            measurement_record(
                indicator=indicators[change.key],
                year=change.year,
                value=change.new,
                by=by,
                comment=change.comment,
                provenance=Provenance.IMPORT,
            )
    return Counts(plan.count(NEW), plan.count(UPDATED), plan.count(UNCHANGED), len(plan.missing_keys))


def taken_codes(convention: Convention) -> set[str]:
    return {code.lower() for code in Indicator.objects.of_convention(convention).values_list("code", flat=True)}


def indicator_create(convention: Convention, spec: Field, taken: set[str]) -> Indicator:
    """The context indicator of a field, with the catalogue's code, or the first free one after it."""
    code, number = spec.code, 2
    while code.lower() in taken:
        code, number = f"{spec.code}-{number}", number + 1
    taken.add(code.lower())
    indicator = Indicator(
        convention=convention,
        code=code,
        name=spec.name,
        kind=IndicatorKind.CONTEXT,
        unit=spec.unit,
        decimals=spec.decimals,
        direction=Direction.UP if spec.dataset in ("txcouv_pe_com", "nbpla_pe_com") else Direction.STABLE,
        source=spec.source,
        method=METHODS.get(spec.key, CAF_METHOD),
        open_data_key=spec.key,
        min_value=Decimal(0),
    )
    indicator.full_clean()
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as error:
        raise ValidationError(CODE_RACE) from error
    logger.info("context indicator created", extra={"indicator": indicator.pk, "key": spec.key})
    return indicator
