"""PDF documents made with WeasyPrint from our own templates.

Fonts come from `static/vendor/` (declared in `static/css/print.css`), never from the machine by chance,
and the documents may load only our static files and the uploaded logos: no network, no other file.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# Relative URLs in the documents resolve against this base; nothing is ever fetched from it.
BASE_URL = "https://pilote-ctg.invalid/"
STATIC_PREFIX = BASE_URL + settings.STATIC_URL.lstrip("/")


class ForbiddenResource(Exception):
    pass


@dataclass(frozen=True)
class Pdf:
    content: bytes
    page_count: int


def allowed_uri(url: str) -> str | None:
    """The local `file://` address a document may load for `url`, or None: only our static files (and
    what they link to), the uploaded files and inline data are allowed."""
    if url.startswith(STATIC_PREFIX):
        name = url.removeprefix(STATIC_PREFIX).split("?")[0]
        if ".." in name:
            return None
        # In production {% static %} gives the hashed names that only exist in STATIC_ROOT.
        collected = Path(settings.STATIC_ROOT, name)
        path = finders.find(name) or (collected if collected.is_file() else None)
        return Path(path).as_uri() if path else None
    if url.startswith("file://"):
        roots = [settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
        inside = any(url.startswith(Path(root).resolve().as_uri() + "/") for root in roots)
        return url if inside and ".." not in url else None
    return url if url.startswith("data:") else None


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            uri = allowed_uri(url)
            if uri is None:
                raise ForbiddenResource(f"Ressource refusée dans un PDF : {url}")
            return super().fetch(uri, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"})


def render_pdf(html: str) -> Pdf:
    """Lay out `html` (a whole document linking `print.css`) and return the PDF with its page count."""
    # Imported here: WeasyPrint takes over a second to import, and only PDF requests need it.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render(font_config=fonts)
    return Pdf(content=document.write_pdf(), page_count=len(document.pages))


def file_uri(field_file) -> str:
    """The `file://` address of an uploaded file, for a PDF template (empty when there is no file)."""
    return Path(field_file.path).resolve().as_uri() if field_file else ""
