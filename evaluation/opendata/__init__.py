"""CAF open data (domain.md §6) into the convention's context indicators: the territorial diagnostic.

Reading (`read_export`, in `reading`) never touches the database: it turns the bytes of a CSV export into the
values of the convention's communes, or into French errors naming the row and the column. The dataset is
recognised from its columns (no choice to make in the form): `s_ben_com_f` (households per benefit),
`txcouv_pe_com` (childcare coverage rates) and `nbpla_pe_com` (places for under-3s) have no field in common, and
a file holding the fields of several of them is read whole.

Mapping (the catalogue, in `fields`): each field becomes one context indicator of the convention, found again by
its `open_data_key`, which is the field's name (`txcouv_com`): field names are unique across the three datasets.
It is created on first import with the French name, unit and source of `FIELDS`. Values are yearly measurements
of provenance "import"; an import overwrites (no `previous`), so importing a file again updates, never
duplicates.

Rows of other communes are ignored: a convention keeps the INSEE code of its territory and those of its
child territories of kind commune (an EPCI). Over several communes, counts (households, places) are added
up; rates cannot be, so they are left out with a note, and the global coverage rate is computed instead.

Taux de couverture computed (in `saving`, with the preview and the save): the children under 3 (INSEE) are not
in the CAF files; the coordination enters them per year (indicator CTX-ENF3, key `CHILDREN_KEY`). For a year with
places (`tot_offre_com`, else the sum of the five place fields present) and children, and no `txcouv_com`
imported for that year, the coverage indicator's value is places ÷ children × 100, stored with a comment
starting with `COMPUTED` (which tells a computed value, recomputed at each import, from an imported or entered
one, never overwritten).

This package exposes the names the views, the demo and the tests use; the others stay in their module.
"""

from evaluation.opendata.fields import (
    CHILDREN_KEY,
    COMPUTED,
    DATASETS,
    FIELDS,
    NO_CODES,
    PLACE_KEYS,
    Field,
    convention_codes,
)
from evaluation.opendata.reading import (
    EMPTY_FILE,
    FORM_YEAR_IGNORED,
    MAX_LISTED,
    MISSING_COMMUNE,
    MISSING_YEAR,
    NO_COMMUNE,
    NO_ROWS,
    NOT_TEXT,
    NOT_UTF8,
    RATE_NOTE,
    UNKNOWN_DATASET,
    WRONG_SEPARATOR,
    Export,
    read_export,
)
from evaluation.opendata.saving import (
    NEW,
    UNCHANGED,
    UPDATED,
    Counts,
    children_record,
    opendata_import,
    plan_import,
)

__all__ = [
    "CHILDREN_KEY",
    "COMPUTED",
    "DATASETS",
    "EMPTY_FILE",
    "FIELDS",
    "FORM_YEAR_IGNORED",
    "MAX_LISTED",
    "MISSING_COMMUNE",
    "MISSING_YEAR",
    "NEW",
    "NO_CODES",
    "NO_COMMUNE",
    "NO_ROWS",
    "NOT_TEXT",
    "NOT_UTF8",
    "PLACE_KEYS",
    "RATE_NOTE",
    "UNCHANGED",
    "UNKNOWN_DATASET",
    "UPDATED",
    "WRONG_SEPARATOR",
    "Counts",
    "Export",
    "Field",
    "children_record",
    "convention_codes",
    "opendata_import",
    "plan_import",
    "read_export",
]
