"""The PDF helper loads only our own files: static files (also under their hashed production names), the
uploaded files, inline data; nothing from the network or elsewhere on the disk."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from ctg.pdf import STATIC_PREFIX, allowed_uri, render_pdf
from ctg.templatetags.french import euros, long_date, percent


def test_static_files_are_found_by_the_finders():
    assert allowed_uri(STATIC_PREFIX + "css/print.css").endswith("/static/css/print.css")


def test_hashed_static_names_are_read_from_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "print.0123456789ab.css").write_text("body{}")
    assert (
        allowed_uri(STATIC_PREFIX + "css/print.0123456789ab.css") == (tmp_path / "css/print.0123456789ab.css").as_uri()
    )
    assert allowed_uri(STATIC_PREFIX + "../../etc/passwd") is None


def test_uploaded_files_are_allowed_and_nothing_else(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert allowed_uri((tmp_path / "logos" / "logo.png").as_uri())
    assert allowed_uri("file:///etc/passwd") is None
    assert allowed_uri("https://example.org/logo.png") is None
    assert allowed_uri("data:image/png;base64,AAAA")


def test_a_document_gets_the_shipped_font_and_its_pages_counted():
    html = (
        '<html lang="fr"><head><link rel="stylesheet" href="/static/css/print.css"></head>'
        '<body><h1 class="doc-title">Synthèse</h1><img src="https://example.org/x.png" alt=""></body></html>'
    )
    pdf = render_pdf(html)
    reader = PdfReader(BytesIO(pdf.content))
    assert pdf.page_count == len(reader.pages) == 1
    fonts = {font["/BaseFont"] for font in _fonts(reader)}
    assert any("Source-Sans-3" in name for name in fonts), fonts
    assert "page 1 / 1" in reader.pages[0].extract_text()


def _fonts(reader):
    resources = reader.pages[0]["/Resources"]
    return [font.get_object() for font in resources["/Font"].values()]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12500"), "12\u202f500,00\u00a0€"),
        (Decimal("0.5"), "0,50\u00a0€"),
        (1234567.891, "1\u202f234\u202f567,89\u00a0€"),
        (Decimal("-300"), "−300,00\u00a0€"),
        (None, "–"),
    ],
)
def test_amounts_follow_french_typography(value, expected):
    assert euros(value) == expected


def test_dates_and_percentages():
    assert long_date(date(2027, 1, 31)) == "31\u00a0janvier\u00a02027"
    assert long_date(date(2026, 3, 1)) == "1er\u00a0mars\u00a02026"
    assert long_date(None) == ""
    assert percent(65) == "65\u202f%"
