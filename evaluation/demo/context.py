"""The demo's territorial diagnostic (fictional values): Joinville-le-Pont (INSEE 94042, about 19,500
inhabitants) from 2020 to last year, loaded by the importer itself from CSV text written here in the CAF's
format, with a neighbouring commune whose rows the importer ignores.

The CAF has not published last year's coverage rates yet: the importer computes that year's rate from the
places and the children under 3, entered first as the coordination would. Idempotent: a second run finds
every value unchanged and writes nothing.
"""

from datetime import date
from decimal import Decimal

from ctg.models import Convention, User
from evaluation.enums import Period
from evaluation.models import Measurement
from evaluation.opendata import CHILDREN_KEY, children_record, convention_codes, opendata_import, read_export

FIRST_YEAR = 2020
JOINVILLE = ("94042", "Joinville-le-Pont")
NEIGHBOUR = ("94068", "Saint-Maur-des-Fossés")  # ignored: not the convention's commune
PLACE_FIELDS = ("pl_psu_col_com", "pl_hors_psu_col_com", "pl_am_ind_com", "pl_gad_ind_com", "pl_prescol_com")


def round5(number: float) -> int:
    """The CAF rounds its counts to 5."""
    return int(5 * round(number / 5))


def children(index: int) -> int:
    """Children under 3 of year FIRST_YEAR + index (INSEE)."""
    return 720 - 5 * index


def households(index: int, scale: float = 1.0) -> dict[str, int]:
    return {
        key: round5(scale * (base + step * index))
        for key, base, step in (
            ("indfoy_ndur", 2850, 15),
            ("indnbp_ndur", 7650, 40),
            ("indfoy_af", 1460, -5),
            ("indfoy_cf", 235, -2),
            ("indfoy_asf", 255, 5),
            ("indfoy_ab", 540, -10),
            ("indfoy_cmg", 335, -5),
            ("indfoy_ndural", 1140, 10),
            ("indfoy_rsa", 575, -6),
            ("indfoy_ppa", 1010, 20),
        )
    }


def places(index: int, scale: float = 1.0) -> dict[str, int]:
    counts = [185 + (10 if index >= 2 else 0), 40 + (10 if index >= 3 else 0), 175 - 5 * index, 15, 30]
    row = {key: round5(scale * count) for key, count in zip(PLACE_FIELDS, counts, strict=True)}
    return row | {"tot_offre_com": sum(row.values())}


def rates(index: int, scale: float = 1.0) -> dict[str, str]:
    """The coverage rates the CAF would publish: places ÷ children × 100, one decimal, French comma."""
    offer, kids = places(index, scale), children(index) * scale

    def rate(*keys: str) -> str:
        return f"{sum(offer[key] for key in keys) * 100 / kids:.1f}".replace(".", ",")

    return {
        "txcouv_com": rate(*PLACE_FIELDS),
        "txcouv_eaje_com": rate("pl_psu_col_com", "pl_hors_psu_col_com"),
        "txcouv_ind_com": rate("pl_am_ind_com", "pl_gad_ind_com"),
        "txcouv_psu_col_com": rate("pl_psu_col_com"),
        "txcouv_hors_psu_col_com": rate("pl_hors_psu_col_com"),
        "txcouv_am_ind_com": rate("pl_am_ind_com"),
        "txcouv_gad_ind_com": rate("pl_gad_ind_com"),
        "txcouv_prescol_com": rate("pl_prescol_com"),
    }


def csv_text(columns: list[str], rows: list[dict]) -> str:
    """A CAF export: semicolons, a header of field names, one line per commune and year."""
    lines = [";".join(columns)]
    lines += [";".join(str(row.get(column, "")) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"


def s_ben_file(year: int) -> str:
    """One year of s_ben_com_f, an export without a year column (the year is given to the importer)."""
    index = year - FIRST_YEAR
    rows = [{"numcomdo": code, "nomcomdo": name, **households(index, scale)} for (code, name), scale in _communes()]
    return csv_text(["numcomdo", "nomcomdo", *households(0)], rows)


def txcouv_file(years: range) -> str:
    rows = [
        {"numcom": code, "nomcom": name, "annee": year, **rates(year - FIRST_YEAR, scale)}
        for year in years
        for (code, name), scale in _communes()
    ]
    return csv_text(["numcom", "nomcom", "annee", *rates(0)], rows)


def nbpla_file(years: range) -> str:
    rows = [
        {"annee": year, "numcom": code, "nomcom": name, **places(year - FIRST_YEAR, scale)}
        for year in years
        for (code, name), scale in _communes()
    ]
    return csv_text(["annee", "numcom", "nomcom", *places(0)], rows)


def _communes():
    return [(JOINVILLE, 1.0), (NEIGHBOUR, 3.9)]


def _import(convention: Convention, text: str, by: User | None, *, year: int | None = None) -> None:
    export = read_export(text.encode(), codes=convention_codes(convention), year=year)
    if export.errors:
        raise RuntimeError(f"Demo open data rejected: {export.errors}")
    opendata_import(convention=convention, values=export.values, by=by)


def seed(*, convention: Convention, users: dict[str, User], today: date) -> None:
    coordination = users.get("coordination")
    years = range(FIRST_YEAR, today.year)
    stored = dict(
        Measurement.objects.filter(
            indicator__convention=convention, indicator__open_data_key=CHILDREN_KEY, period=Period.YEAR
        ).values_list("year", "value")
    )
    entries = {
        year: (stored.get(year), Decimal(children(year - FIRST_YEAR)))
        for year in years
        if stored.get(year) != children(year - FIRST_YEAR)
    }
    if entries:
        children_record(convention=convention, entries=entries, by=coordination)
    for year in years:
        _import(convention, s_ben_file(year), coordination, year=year)
    # Last year's rates are not published yet: computed from the places and the children.
    _import(convention, txcouv_file(years[:-1]), coordination)
    _import(convention, nbpla_file(years), coordination)
