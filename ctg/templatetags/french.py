"""French typography for printed documents: amounts "12 500,00 €" and dates "31 janvier 2027", with the
narrow no-break spaces of the Imprimerie nationale's rules."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats

register = template.Library()

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


@register.filter
def euros(value, decimals: int = 2) -> str:
    """12500 → "12 500,00 €" (narrow no-break space between thousands, no-break space before €)."""
    if value is None or value == "":
        return "–"
    quantum = Decimal(1).scaleb(-int(decimals))
    amount = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    integer, _, fraction = f"{abs(amount):.{int(decimals)}f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    number = NARROW_NBSP.join(groups) + ("," + fraction if fraction else "")
    return f"{sign}{number}{NBSP}€"


@register.filter
def long_date(value: date | None) -> str:
    """date(2027, 1, 31) → "31 janvier 2027"; the first of the month is "1er"."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{formats.date_format(value, 'F')}{NBSP}{value.year}"


@register.filter
def percent(value) -> str:
    """65 → "65 %" with a narrow no-break space."""
    if value is None or value == "":
        return "–"
    return f"{value}{NARROW_NBSP}%"
