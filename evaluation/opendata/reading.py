"""Reading a CAF open-data CSV export (`read_export`), without touching the database: the values of the
convention's communes, or French errors naming the row and the column.

The dataset is recognised from its columns (no choice to make in the form): `s_ben_com_f` (households per
benefit), `txcouv_pe_com` (childcare coverage rates) and `nbpla_pe_com` (places for under-3s) have no field in
common, and a file holding the fields of several of them is read whole. Rows of other communes are ignored; over
several communes, counts are added up, and rates, which cannot be, are left out with a note.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from evaluation.numbers import parse_decimal
from evaluation.opendata.fields import COMMUNE_COLUMNS, FIELDS, IMPORTED_KEYS, YEAR_COLUMN, normalise_code

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
MORE = "… et {count} autre(s)."
SECRET_NOTE = "Ligne {line}, colonne {column} : « {cell} » (secret statistique ou donnée non disponible) ignoré."
RATE_NOTE = (
    "Colonne {column} : les taux par commune sont ignorés, car la convention couvre plusieurs communes et un taux "
    "ne s'additionne pas. Le taux de couverture global est calculé à partir des places et des enfants de moins "
    "de 3 ans."
)
FORM_YEAR_IGNORED = "L'année indiquée dans le formulaire n'est pas utilisée : le fichier a une colonne annee."
MAX_LISTED = 20
# "nd" (non disponible), "s" or "secret" (secret statistique) and other markers the CAF and INSEE use.
SECRET_CELLS = frozenset({"nd", "n.d.", "n/d", "nc", "ns", "s", "secret", "x", "*", "-", "–"})
YEAR_CELL = re.compile(r"(\d{4})(-\d{2}-\d{2})?")
FOUR_DECIMALS = Decimal("0.0001")


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
