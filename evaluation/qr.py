"""The public address of a survey and its QR code (segno: pure Python, no image library, SVG output)."""

import io
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from evaluation.models import Survey


def public_url(survey: Survey, request: HttpRequest | None = None) -> str:
    """The absolute address of the survey's answer page: on `SITE_URL` (where the site is served, also used
    by the e-mails), else on the host of the request."""
    path = reverse("evaluation:survey_answer", args=[survey.token])
    site = getattr(settings, "SITE_URL", "")
    if site:
        return site.rstrip("/") + path
    return request.build_absolute_uri(path) if request else path


def short_url(url: str) -> str:
    """The address to type, written without its scheme: "ctg.example.fr/e/Ab12Cd34Ef56/"."""
    parts = urlsplit(url)
    return parts.netloc + parts.path


def qr_svg(url: str, *, title: str) -> bytes:
    """The QR code of `url` as a standalone SVG, black on white with its quiet zone, scaled by its viewBox
    (sized by whoever shows it). Error correction M survives a crease or a stain on a printed poster."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", border=4, omitsize=True, title=title, dark="#000", light="#fff", nl=True
    )
    return buffer.getvalue()
