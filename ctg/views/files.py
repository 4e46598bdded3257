"""Uploaded files are not public (MEDIA_ROOT is never served as such): views that check who asks serve them,
here the cover logos of a convention; the reports app serves the bilans' PDF the same way."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ctg.models import Convention

LOGO_KINDS = {"collectivity": "collectivity_logo", "caf": "caf_logo"}
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def open_stored(field_file):
    """The stored file, opened for reading, or a 404 when it is missing from the storage."""
    try:
        return field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("Fichier introuvable.") from missing


@require_GET
def logo(request, pk, kind):
    """A convention's uploaded logo (PNG or JPEG, checked at upload), for its form and the bilan's preview."""
    if kind not in LOGO_KINDS:
        raise Http404
    convention = get_object_or_404(Convention, pk=pk)
    field_file = getattr(convention, LOGO_KINDS[kind])
    if not field_file:
        raise Http404
    handle = open_stored(field_file)
    head = handle.read(8)
    handle.seek(0)
    content_type = next((mime for sig, mime in IMAGE_SIGNATURES.items() if head.startswith(sig)), None)
    if content_type is None:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-cache"
    return response
