"""Checks on uploaded files: the app stores only what it can use, and says why in French."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

LOGO_MAX_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG"}
LOGO_TOO_LARGE = "Le logo pèse {size} : la limite est de {limit}."
LOGO_WRONG_FORMAT = "Le logo doit être une image PNG ou JPEG."


def validate_logo(file) -> None:
    """A PNG or JPEG image of at most 1 Mo (the form's ImageField has already checked it is an image)."""
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            LOGO_TOO_LARGE.format(size=filesizeformat(file.size), limit=filesizeformat(LOGO_MAX_BYTES))
        )
    image = getattr(file, "image", None)
    if image is not None and image.format not in LOGO_FORMATS:
        raise ValidationError(LOGO_WRONG_FORMAT)
