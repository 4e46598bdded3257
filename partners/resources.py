"""The CSV export of the funding lines (django-import-export), in the formats of the plan's exports
(`actions/resources.py`): ";" between columns, decimal comma, choices written as their French label, UTF-8 with a
BOM so that French Excel reads the accents, and a text that Excel would take for a formula prefixed with an
apostrophe. Export only: funding lines are entered in the app."""

from decimal import Decimal

from import_export import fields, resources, widgets

from partners.enums import FacilityKind, FundingFunder, FundingScheme, FundingStage
from partners.models import FundingLine

CSV_TYPE = "text/csv; charset=utf-8"
CSV_DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FUNDING_LINE_COLUMNS = {
    "facility": "Équipement",
    "facility_kind": "Type d'équipement",
    "manager": "Gestionnaire",
    "year": "Année",
    "scheme": "Dispositif",
    "funder": "Financeur",
    "quantity": "Quantité",
    "unit_rate": "Taux unitaire (€)",
    "flat_amount": "Montant forfaitaire (€)",
    "amount": "Montant calculé (€)",
    "stage": "Étape",
    "planned": "Prévu (€)",
    "notified": "Notifié (€)",
    "paid": "Versé (€)",
    "comment": "Commentaire",
}


class TextWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        text = "" if value is None else str(value)
        if kwargs.get("escape_formulae") and text.startswith(FORMULA_STARTS):
            return "'" + text
        return text


class LabelWidget(widgets.Widget):
    """A choice written as its French label."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices.choices)
        super().__init__(**kwargs)

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class FrenchDecimalWidget(widgets.Widget):
    """A number with `places` decimals, a decimal comma and no thousands separator ("12500,00"), which French
    Excel reads as a number; empty when there is none. The same on both databases (SQLite computes the products
    in floating point, PostgreSQL in numeric)."""

    def __init__(self, places: int = 2, **kwargs):
        self.places = places
        super().__init__(**kwargs)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{Decimal(value):.{self.places}f}".replace(".", ",")


def column(name: str, widget: widgets.Widget | None = None, attribute: str | None = None) -> fields.Field:
    return fields.Field(
        attribute=attribute or name, column_name=FUNDING_LINE_COLUMNS[name], widget=widget or TextWidget()
    )


class FundingLineResource(resources.ModelResource):
    facility = column("facility", attribute="facility__name")
    facility_kind = column("facility_kind", LabelWidget(FacilityKind), attribute="facility__kind")
    manager = column("manager", attribute="facility__manager__name")
    year = column("year", widgets.IntegerWidget())
    scheme = column("scheme", LabelWidget(FundingScheme))
    funder = column("funder", LabelWidget(FundingFunder))
    quantity = column("quantity", FrenchDecimalWidget())
    unit_rate = column("unit_rate", FrenchDecimalWidget(places=4))
    flat_amount = column("flat_amount", FrenchDecimalWidget())
    amount = column("amount", FrenchDecimalWidget())
    stage = column("stage", LabelWidget(FundingStage))
    planned = column("planned", FrenchDecimalWidget())
    notified = column("notified", FrenchDecimalWidget())
    paid = column("paid", FrenchDecimalWidget())
    comment = column("comment")

    class Meta:
        model = FundingLine
        fields = tuple(FUNDING_LINE_COLUMNS)
        export_order = tuple(FUNDING_LINE_COLUMNS)


def csv_bytes(data) -> bytes:
    return (BOM + data.export("csv", delimiter=CSV_DELIMITER)).encode("utf-8")
