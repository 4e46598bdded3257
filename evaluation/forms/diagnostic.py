"""Forms of the territorial diagnostic: the upload of a CAF open-data file, and the children under 3."""

from decimal import Decimal

from django import forms
from django.template.defaultfilters import filesizeformat

from evaluation.models import YEAR_OUT_OF_RANGE
from evaluation.numbers import FrenchDecimalField, parse_decimal

MAX_BYTES = 5 * 1024 * 1024
TOO_BIG = "Le fichier pèse {size} : la limite est de {limit}."
NOT_CSV = "Le fichier doit être un export CSV (extension .csv)."
WRONG_TYPE = "Ce fichier n'est pas un fichier texte CSV : exportez les données au format CSV."
EMPTY = "Le fichier est vide."
NO_FILE = "Choisissez le fichier CSV à importer."
# What browsers send for a .csv file: Windows says Excel, some say nothing precise.
CSV_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/x-csv",
        "application/csv",
        "application/x-csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
        "",
    }
)
NO_ERASE = "Une valeur enregistrée ne s'efface pas ici : saisissez la valeur corrigée."


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV des données ouvertes de la Caf",
        help_text="Export s_ben_com_f, txcouv_pe_com ou nbpla_pe_com, séparé par des points-virgules, en UTF-8, "
        "5 Mo au plus. Le jeu de données est reconnu d'après ses colonnes.",
        error_messages={"required": NO_FILE, "empty": EMPTY},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    year = forms.IntegerField(
        label="Année des données",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="Seulement pour un fichier sans colonne annee (certains exports s_ben_com_f) : l'année à "
        "laquelle ses chiffres se rapportent.",
        error_messages={"invalid": YEAR_OUT_OF_RANGE, "min_value": YEAR_OUT_OF_RANGE, "max_value": YEAR_OUT_OF_RANGE},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(NOT_CSV)
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in CSV_TYPES:
            raise forms.ValidationError(WRONG_TYPE)
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                TOO_BIG.format(size=filesizeformat(upload.size), limit=filesizeformat(MAX_BYTES))
            )
        return upload


def year_field_name(year: int) -> str:
    return f"y{year}"


class ChildrenForm(forms.Form):
    """One field per year: the number of children under 3, and (hidden) the value the page showed, so that a
    value stored meanwhile by someone else is not silently overwritten."""

    def __init__(self, *args, years: list[int], stored: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            shown = stored.get(year)
            self.fields[year_field_name(year)] = FrenchDecimalField(
                label=str(year), required=False, decimal_places=0, initial=shown
            )
            self.fields[f"shown_{year}"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial="" if shown is None else str(shown)
            )

    def clean(self):
        cleaned = super().clean()
        self.entries: dict[int, tuple[Decimal | None, Decimal]] = {}
        for year in self.years:
            name = year_field_name(year)
            if name not in cleaned:
                continue
            try:
                shown = parse_decimal(cleaned[f"shown_{year}"]) if cleaned.get(f"shown_{year}") else None
            except ValueError:
                shown = None
            value = cleaned[name]
            if value is None:
                if shown is not None:
                    self.add_error(name, NO_ERASE)
            elif value != shown:
                self.entries[year] = (shown, value)
        return cleaned
