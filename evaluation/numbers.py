"""Numbers as French users type them: "12,5", "1 200", "1 200,75", "-3", "12.5"."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

NOT_A_NUMBER = "Saisissez un nombre, par exemple 12,5 ou 1 200."
# Spaces, no-break spaces and narrow no-break spaces group the thousands.
GROUPING = re.compile(r"[\s\u00a0\u202f]")


def parse_decimal(text: str) -> Decimal:
    """The number `text` holds; `ValueError` with `NOT_A_NUMBER` when it holds none."""
    cleaned = GROUPING.sub("", text or "").replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise ValueError(NOT_A_NUMBER)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(NOT_A_NUMBER) from error


DECIMAL_INPUT_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}  # a phone's numeric keypad, no suggestions


class FrenchDecimalField(forms.CharField):
    """A decimal typed the French way; `max_digits`/`decimal_places` as the model field's."""

    def __init__(self, *, max_digits: int = 14, decimal_places: int = 4, **kwargs):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        kwargs.setdefault("widget", forms.TextInput(attrs=DECIMAL_INPUT_ATTRS))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            number = parse_decimal(text)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error
        if -number.as_tuple().exponent > self.decimal_places:
            raise forms.ValidationError(f"{self.decimal_places} décimales au plus.", code="decimal_places")
        if number.adjusted() >= self.max_digits - self.decimal_places:
            raise forms.ValidationError("Ce nombre est trop grand.", code="max_digits")
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value


def format_decimal(value: Decimal, decimals: int | None = None) -> str:
    """`value` the French way, without grouping (for an input): "1200,5"."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    text = format(value.normalize() if decimals is None else value, "f")
    return text.replace(".", ",")
