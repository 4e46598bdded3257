"""The signed document of an agreement: what may be stored, and where.

Only PDF and office files are kept, checked twice: by the name's extension and by the file's first bytes (a PDF
starts with `%PDF`, OpenDocument and Office Open XML files are ZIP archives starting with `PK\\x03\\x04`, the
older .doc and .xls are OLE compound files starting with `\\xD0\\xCF\\x11\\xE0`), so that a renamed executable or
image is refused. The size limit is the `AGREEMENT_DOCUMENT_MAX_BYTES` setting (10 Mo by default).

The files live in the default storage under `private/conventions/` (in MEDIA_ROOT, which the site never serves:
`partners.views.agreements.agreement_document` serves them after checking who asks), each in a folder of its own
with a random name, so that two documents of the same name never clash and a name says nothing of another. The
attachments of the governance's meetings follow the same rules, under `private/reunions/` (`private_path`).
"""

import math
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.text import get_valid_filename

from ctg.views.files import open_stored

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
FOLDER = "private/conventions"

PDF, ZIP, OLE = b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
# extension → (the bytes the file must start with, the type it is served as)
FORMATS = {
    ".pdf": (PDF, "application/pdf"),
    ".odt": (ZIP, "application/vnd.oasis.opendocument.text"),
    ".ods": (ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
    ".docx": (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": (ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".doc": (OLE, "application/msword"),
    ".xls": (OLE, "application/vnd.ms-excel"),
}
ACCEPT = ",".join(FORMATS)
EXTENSIONS_TEXT = ", ".join(FORMATS)

DOCUMENT_WRONG_EXTENSION = (
    "Ce type de fichier n'est pas accepté : déposez un PDF ou un document bureautique ({extensions})."
)
DOCUMENT_WRONG_CONTENT = (
    "« {name} » n'est pas un vrai fichier {extension} : son contenu ne correspond pas à son extension (fichier "
    "renommé ou endommagé ?). Enregistrez-le à nouveau dans ce format, par exemple en PDF, puis déposez-le."
)
DOCUMENT_TOO_LARGE = (
    "Le document pèse {size} : la limite est de {limit}. Réduisez-le (PDF compressé) ou scannez-le en plus basse "
    "résolution."
)


def size_text(size: int) -> str:
    """A size as French users read it, rounded up so that a file over the limit never reads as the limit:
    "10 Mo", "10,1 Mo", "800 Ko"."""
    unit, name = (1024 * 1024, "Mo") if size >= 1024 * 1024 else (1024, "Ko")
    value = math.ceil(size * 10 / unit) / 10
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + f"\u00a0{name}"


def max_bytes() -> int:
    return getattr(settings, "AGREEMENT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def private_path(folder: str, filename: str) -> str:
    """`<folder>/<random>/<the file's own name>`: the name is kept for the download. Also used for the
    attachments of the governance's meetings (`governance.models.attachment_path`)."""
    name = get_valid_filename(PurePath(filename).name) or "document"
    return f"{folder}/{uuid.uuid4().hex}/{name[-100:]}"


def document_path(instance, filename: str) -> str:
    """`private/conventions/<random>/<the file's own name>`."""
    return private_path(FOLDER, filename)


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower()


def content_type_of(name: str) -> str:
    return FORMATS.get(extension_of(name), (b"", "application/octet-stream"))[1]


def document_response(field_file, filename: str) -> FileResponse:
    """A stored document, as an attachment (never shown inline by the browser) that no cache keeps."""
    response = FileResponse(
        open_stored(field_file), as_attachment=True, filename=filename, content_type=content_type_of(field_file.name)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def validate_document(value) -> None:
    """A new upload's extension, size and first bytes; a file already stored was checked when it came in."""
    if getattr(value, "_committed", False):
        return
    name = PurePath(value.name or "").name
    extension = extension_of(name)
    if extension not in FORMATS:
        raise ValidationError(DOCUMENT_WRONG_EXTENSION.format(extensions=EXTENSIONS_TEXT), code="document_extension")
    if value.size > max_bytes():
        raise ValidationError(
            DOCUMENT_TOO_LARGE.format(size=size_text(value.size), limit=size_text(max_bytes())),
            code="document_size",
        )
    value.seek(0)
    head = value.read(len(FORMATS[extension][0]))
    value.seek(0)
    if head != FORMATS[extension][0]:
        raise ValidationError(
            DOCUMENT_WRONG_CONTENT.format(name=name, extension=extension.lstrip(".").upper()),
            code="document_content",
        )
