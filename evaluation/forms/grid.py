"""The form of one row of the entry grid: the year-N value of one indicator, its comment, and the value the
row showed when it was served (`previous`), so that a value saved meanwhile by someone else is never
overwritten silently (see `evaluation.services.measurement_record`)."""

from django import forms
from django.utils.html import format_html, format_html_join

from evaluation.models import Indicator, Measurement
from evaluation.numbers import DECIMAL_INPUT_ATTRS, FrenchDecimalField, format_decimal

EMPTY = "Aucune valeur saisie : rien n'a été enregistré."
EMPTY_KEPT = (
    "Champ vide : la valeur enregistrée ({value}) est conservée. Pour la supprimer, passez par la page de "
    "l'indicateur."
)


def row_ids(pk: int) -> dict[str, str]:
    """The stable ids of a row's elements: htmx gives the focus back to the element of the same id after a swap."""
    return {"row": f"grid-row-{pk}", "form": f"grid-form-{pk}", "value": f"grid-value-{pk}"}


class InlineInput:
    """An <input> written in Python, as Django's widget templates write it: a grid page has three inputs per row,
    and going through the templates (input.html, attrs.html) for each was most of its rendering time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_attribute = format_html(' value="{}"', widget["value"]) if widget["value"] is not None else ""
        pieces = [
            format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value)
            for key, value in widget["attrs"].items()
            if value is not False
        ]
        attributes = format_html_join("", "{}", ((piece,) for piece in pieces))
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value_attribute, attributes
        )


class GridTextInput(InlineInput, forms.TextInput):
    pass


class GridHiddenInput(InlineInput, forms.HiddenInput):
    pass


class GridValueForm(forms.Form):
    """The inputs sit in the cells of a table row and join the row's <form> through their `form` attribute."""

    use_required_attribute = False
    conflict = ""  # the value saved by someone else meanwhile, when the row showed another one

    value = FrenchDecimalField(label="Valeur", required=False, widget=GridTextInput(attrs=DECIMAL_INPUT_ATTRS))
    comment = forms.CharField(label="Commentaire", required=False, widget=GridTextInput)
    previous = FrenchDecimalField(required=False, widget=GridHiddenInput)

    def __init__(self, *args, indicator: Indicator, year: int, stored: Measurement | None, **kwargs):
        super().__init__(*args, auto_id=f"grid-%s-{indicator.pk}", **kwargs)
        self.stored = stored.value if stored else None
        form_id = row_ids(indicator.pk)["form"]
        unit = f" ({indicator.unit})" if indicator.unit else ""
        self.fields["value"].label = f"Valeur {year} de {indicator.code}{unit}"
        self.fields["comment"].label = f"Commentaire sur la valeur {year} de {indicator.code}"
        for name in ("value", "comment"):
            self.fields[name].widget.attrs.update({"form": form_id, "data-ctg-grid-input": ""})
        self.fields["value"].widget.attrs.update({"class": "c-entry-grid__value", "data-ctg-grid-value": ""})
        self.fields["comment"].widget.attrs.update({"class": "c-entry-grid__comment", "autocomplete": "off"})
        if stored is not None and not self.is_bound:
            self.initial = {"value": stored.value, "previous": stored.value, "comment": stored.comment}

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is None:
            if self.stored is None:
                raise forms.ValidationError(EMPTY, code="empty")
            raise forms.ValidationError(EMPTY_KEPT.format(value=format_decimal(self.stored)), code="empty")
        return value
