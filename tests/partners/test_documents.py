"""The signed document of an agreement: what is accepted (extension and first bytes, size), where it is stored
(privately, never under a public URL), who downloads it, and that its file follows its agreement."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from partners.documents import (
    DEFAULT_MAX_BYTES,
    DOCUMENT_TOO_LARGE,
    DOCUMENT_WRONG_CONTENT,
    DOCUMENT_WRONG_EXTENSION,
    EXTENSIONS_TEXT,
    max_bytes,
    size_text,
)
from partners.models import Agreement
from partners.services import agreement_delete
from tests.partners.factories import AgreementFactory, PartnerFactory
from tests.partners.test_agreements import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
CREATE_URL = reverse("partners:agreement_create")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_documents() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "conventions"
    return sorted(str(path) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def post_agreement(client, document, **changes):
    return client.post(CREATE_URL, form_data(PartnerFactory(), document=document, **changes))


def with_document(name: str = "convention-signee.pdf", content: bytes = PDF) -> Agreement:
    agreement = AgreementFactory()
    agreement.document.save(name, ContentFile(content))
    return agreement


class TestUpload:
    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("convention.pdf", PDF),
            ("convention.odt", ZIP),
            ("tableau.xlsx", ZIP),
            ("ancien.doc", OLE),
            ("vieux.XLS", OLE),
        ],
    )
    def test_pdf_and_office_files_are_stored_privately(self, client_for, name, content):
        response = post_agreement(client_for("coordination"), upload(name, content))
        agreement = Agreement.objects.get()
        assert response.url == agreement.get_absolute_url()
        assert agreement.document.name.startswith("private/conventions/")
        assert agreement.document_name == name
        assert Path(agreement.document.path).read_bytes() == content
        assert Path(agreement.document.path).is_relative_to(Path(settings.MEDIA_ROOT) / "private")

    @pytest.mark.parametrize("name", ["convention.exe", "photo.png", "convention", "script.pdf.js", "page.html"])
    def test_other_extensions_are_refused_and_nothing_is_saved(self, client_for, name):
        before = stored_documents()
        response = post_agreement(client_for("coordination"), upload(name, PDF))
        assert response.status_code == 200
        assert response.context["form"].errors["document"] == [
            DOCUMENT_WRONG_EXTENSION.format(extensions=EXTENSIONS_TEXT)
        ]
        assert not Agreement.objects.exists()
        assert stored_documents() == before

    @pytest.mark.parametrize(
        ("name", "content"),
        [("convention.pdf", PNG), ("convention.pdf", ZIP), ("convention.docx", PDF), ("convention.doc", ZIP)],
    )
    def test_a_right_extension_with_other_contents_is_refused(self, client_for, name, content):
        before = stored_documents()
        response = post_agreement(client_for("coordination"), upload(name, content))
        extension = name.rsplit(".", 1)[1].upper()
        assert response.context["form"].errors["document"] == [
            DOCUMENT_WRONG_CONTENT.format(name=name, extension=extension)
        ]
        assert not Agreement.objects.exists()
        assert stored_documents() == before

    def test_the_size_limit_is_a_setting_of_10_mo_by_default(self, client_for):
        assert max_bytes() == DEFAULT_MAX_BYTES == 10 * 1024 * 1024
        with override_settings(AGREEMENT_DOCUMENT_MAX_BYTES=1024):
            response = post_agreement(client_for("coordination"), upload("lourd.pdf", PDF + b"0" * 1024))
        assert response.context["form"].errors["document"] == [
            DOCUMENT_TOO_LARGE.format(size="1,1\xa0Ko", limit="1\xa0Ko")
        ]
        assert not Agreement.objects.exists()

    def test_a_file_just_over_10_mo_is_refused(self, client_for):
        response = post_agreement(client_for("coordination"), upload("scan.pdf", PDF + b"0" * DEFAULT_MAX_BYTES))
        assert response.context["form"].errors["document"] == [
            DOCUMENT_TOO_LARGE.format(size="10,1\xa0Mo", limit="10\xa0Mo")
        ]
        assert not Agreement.objects.exists()

    def test_sizes_read_in_french_and_round_up(self):
        assert size_text(10 * 1024 * 1024) == "10\xa0Mo"
        assert size_text(10 * 1024 * 1024 + 1) == "10,1\xa0Mo"
        assert size_text(800 * 1024) == "800\xa0Ko"

    def test_an_error_elsewhere_keeps_no_file(self, client_for):
        before = stored_documents()
        response = post_agreement(client_for("coordination"), upload("ok.pdf", PDF), end_date="2000-01-01")
        assert response.status_code == 200
        assert not Agreement.objects.exists()
        assert stored_documents() == before

    def test_two_documents_of_the_same_name_do_not_clash(self, client_for):
        first, second = with_document("convention.pdf"), with_document("convention.pdf", PDF + b"autre")
        assert first.document.name != second.document.name
        assert first.document_name == second.document_name == "convention.pdf"


class TestReplaceAndDelete:
    def _edit(self, client, agreement, **changes):
        data = form_data(agreement.partner, title=agreement.title) | changes
        return client.post(reverse("partners:agreement_edit", args=[agreement.pk]), data)

    def test_a_new_document_replaces_the_old_file(self, client_for, django_capture_on_commit_callbacks):
        agreement = with_document()
        old = Path(agreement.document.path)
        with django_capture_on_commit_callbacks(execute=True):
            self._edit(client_for("coordination"), agreement, document=upload("avenant.pdf", PDF + b"v2"))
        agreement.refresh_from_db()
        assert agreement.document_name == "avenant.pdf"
        assert not old.exists()
        assert Path(agreement.document.path).read_bytes() == PDF + b"v2"

    def test_an_edit_without_a_new_file_keeps_the_document(self, client_for, django_capture_on_commit_callbacks):
        agreement = with_document()
        with django_capture_on_commit_callbacks(execute=True):
            self._edit(client_for("coordination"), agreement, title="Renommée")
        agreement.refresh_from_db()
        assert (agreement.title, agreement.document_name) == ("Renommée", "convention-signee.pdf")
        assert Path(agreement.document.path).exists()

    def test_removing_the_document_deletes_its_file(self, client_for, django_capture_on_commit_callbacks):
        agreement = with_document()
        old = Path(agreement.document.path)
        with django_capture_on_commit_callbacks(execute=True):
            self._edit(client_for("coordination"), agreement, **{"document-clear": "on"})
        agreement.refresh_from_db()
        assert not agreement.document
        assert not old.exists()

    def test_a_refused_replacement_keeps_the_old_document(self, client_for):
        agreement = with_document()
        before = stored_documents()
        response = self._edit(client_for("coordination"), agreement, document=upload("faux.pdf", PNG))
        assert response.status_code == 200
        agreement.refresh_from_db()
        assert agreement.document_name == "convention-signee.pdf"
        assert stored_documents() == before

    def test_deleting_the_agreement_deletes_its_file(self, coordination, django_capture_on_commit_callbacks):
        agreement = with_document()
        path = Path(agreement.document.path)
        with django_capture_on_commit_callbacks(execute=True):
            agreement_delete(pk=agreement.pk, by=coordination)
        assert not Agreement.objects.exists()
        assert not path.exists()

    def test_the_admin_deletes_the_file_too(self, client_for, django_capture_on_commit_callbacks):
        agreement = with_document()
        path = Path(agreement.document.path)
        url = reverse("admin:partners_agreement_delete", args=[agreement.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client_for("tech_admin").post(url, {"post": "yes"})
        assert not Agreement.objects.exists()
        assert not path.exists()


class TestDownload:
    @pytest.mark.parametrize("role", ["coordination", "direction", "elected"])
    def test_allowed_roles_get_the_file_as_an_attachment(self, client_for, role):
        agreement = with_document()
        response = client_for(role).get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="convention-signee.pdf"'
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF

    def test_an_office_file_is_served_with_its_type(self, client_for):
        agreement = with_document("budget.xlsx", ZIP)
        response = client_for("coordination").get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        b"".join(response.streaming_content)

    @pytest.mark.parametrize("role", ["service_head", "tech_admin"])
    def test_other_roles_are_refused(self, client_for, role):
        agreement = with_document()
        response = client_for(role).get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response.status_code == 403
        page = client_for(role).get(agreement.get_absolute_url())
        assert reverse("partners:agreement_document", args=[agreement.pk]) not in page.text
        assert "Déposé" in page.text

    def test_anonymous_visitors_are_sent_to_the_login_page(self, client):
        agreement = with_document()
        response = client.get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_the_detail_page_links_the_download_for_allowed_roles(self, client_for):
        agreement = with_document()
        page = client_for("elected").get(agreement.get_absolute_url())
        assert reverse("partners:agreement_document", args=[agreement.pk]) in page.text

    def test_no_document_is_a_404(self, client_for):
        agreement = AgreementFactory()
        response = client_for("coordination").get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response.status_code == 404

    def test_a_file_missing_from_the_storage_is_a_404(self, client_for):
        agreement = with_document()
        default_storage.delete(agreement.document.name)
        response = client_for("coordination").get(reverse("partners:agreement_document", args=[agreement.pk]))
        assert response.status_code == 404

    def test_the_file_is_not_reachable_under_the_media_url(self, client_for):
        agreement = with_document()
        client = client_for("coordination")
        for prefix in {"/", "/media/", f"/{settings.MEDIA_URL.strip('/')}/".replace("//", "/")}:
            assert client.get(prefix + agreement.document.name).status_code == 404
