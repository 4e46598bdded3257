"""Checks on a partner's SIRET and a contact's phone number, with the French messages users see."""

import re

from django.core.exceptions import ValidationError

SIRET_NOT_14_DIGITS = "Un SIRET compte exactement 14 chiffres, sans lettres (les espaces sont acceptés)."
SIRET_BAD_CHECK_DIGIT = (
    "Ce SIRET n'existe pas : sa clé de contrôle ne correspond pas à ses chiffres. Vérifiez-le sur l'avis de "
    "situation INSEE ou l'annuaire des entreprises."
)
PHONE_INVALID = (
    "Saisissez un numéro de téléphone français à 10 chiffres, par exemple « 01 23 45 67 89 » ou « +33 1 23 45 67 89 »."
)
# La Poste registers all its establishments under one SIREN; their SIRET do not follow the Luhn key
# but the sum of their digits is a multiple of 5 (INSEE rule).
LA_POSTE_SIREN = "356000000"

# Spaces, dots, dashes and brackets people type between the groups of digits.
_SEPARATORS = re.compile(r"[\s.\-/()]")


def luhn_sum(digits: str) -> int:
    """The Luhn sum of `digits`: from the right, every second digit is doubled (minus 9 above 9)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total


def luhn_check_digit(partial: str) -> str:
    """The digit that, appended to `partial`, makes a valid Luhn number (to build demo SIRET)."""
    return str((10 - luhn_sum(partial + "0") % 10) % 10)


def clean_siret(value: str) -> str:
    """The SIRET as stored: its digits without the spaces people type between the groups."""
    return _SEPARATORS.sub("", value or "")


def is_valid_siret(value: str) -> bool:
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        return False
    if value.startswith(LA_POSTE_SIREN):
        # The head office (…00048) follows the Luhn key, the other establishments the sum rule.
        return sum(int(char) for char in value) % 5 == 0 or luhn_sum(value) % 10 == 0
    return luhn_sum(value) % 10 == 0


def validate_siret(value: str) -> None:
    """14 digits whose Luhn key is right (La Poste's establishments: the sum of the digits, a multiple of 5)."""
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        raise ValidationError(SIRET_NOT_14_DIGITS, code="siret_format")
    if not is_valid_siret(value):
        raise ValidationError(SIRET_BAD_CHECK_DIGIT, code="siret_check_digit")


def normalise_phone(value: str) -> str:
    """A French number written as "01 23 45 67 89", whatever the way it was typed ("0123456789",
    "+33 1 23 45 67 89", "0033 1 23 45 67 89", "01.23.45.67.89"); `ValidationError` when it is not one."""
    digits = _SEPARATORS.sub("", value or "")
    for prefix in ("+33", "0033"):
        if digits.startswith(prefix):
            # "+33 (0)1 23 45 67 89": the national 0 written in brackets after the country code.
            rest = digits[len(prefix) :]
            digits = rest if rest.startswith("0") else "0" + rest
            break
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit() and digits[0] == "0" and digits[1] != "0"):
        raise ValidationError(PHONE_INVALID, code="phone")
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def validate_phone(value: str) -> None:
    normalise_phone(value)
