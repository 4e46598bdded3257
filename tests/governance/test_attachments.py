"""A meeting's attachments: what is accepted (the rules of the agreements' signed documents, `partners.documents`),
where it is stored (privately, never under a public URL), who downloads it and how, and that its file goes with it
once the deletion is committed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from governance.forms import ATTACHMENT_REQUIRED
from governance.models import MeetingAttachment
from governance.services import ATTACHMENT_ADDED, ATTACHMENT_DELETED, ATTACHMENT_GONE, attachment_delete
from partners.documents import DOCUMENT_TOO_LARGE, DOCUMENT_WRONG_CONTENT, DOCUMENT_WRONG_EXTENSION, EXTENSIONS_TEXT
from tests.governance.factories import BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HTMX = {"HX-Request": "true"}


@pytest.fixture
def meeting(convention):
    return MeetingFactory(body=BodyFactory(convention=convention, name="COPIL de la CTG"))


def stored_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "reunions"
    return sorted(str(path) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def add(client, meeting, name: str, content: bytes, title: str = "", **headers):
    data = {"attachment-title": title, "attachment-file": SimpleUploadedFile(name, content)}
    return client.post(reverse("governance:attachment_add", args=[meeting.pk]), data, headers=headers)


def stored(meeting, name: str = "diaporama.pdf", content: bytes = PDF, title: str = "Diaporama") -> MeetingAttachment:
    attachment = MeetingAttachment(meeting=meeting, title=title)
    attachment.file.save(name, ContentFile(content))
    return attachment


class TestUpload:
    @pytest.mark.parametrize(
        ("name", "content"),
        [("releve.pdf", PDF), ("notes.odt", ZIP), ("budget.xlsx", ZIP), ("ancien.doc", OLE), ("vieux.XLS", OLE)],
    )
    def test_pdf_and_office_files_are_stored_privately(self, client_for, coordination, meeting, name, content):
        response = add(client_for("coordination"), meeting, name, content, title="Relevé signé")
        attachment = MeetingAttachment.objects.get()
        assert response.status_code == 302
        assert response.url == f"{meeting.get_absolute_url()}#attachments"
        assert (attachment.meeting, attachment.title, attachment.uploaded_by) == (
            meeting,
            "Relevé signé",
            coordination,
        )
        assert attachment.file.name.startswith("private/reunions/") and attachment.filename == name
        assert Path(attachment.file.path).read_bytes() == content
        assert Path(attachment.file.path).is_relative_to(Path(settings.MEDIA_ROOT) / "private")

    def test_without_a_title_the_file_name_is_used(self, client_for, meeting):
        add(client_for("coordination"), meeting, "feuille-emargement.pdf", PDF)
        assert MeetingAttachment.objects.get().title == "feuille-emargement"

    def test_htmx_gets_the_region_back_with_the_new_attachment(self, client_for, meeting):
        response = add(client_for("coordination"), meeting, "releve.pdf", PDF, title="Relevé", **HTMX)
        attachment = MeetingAttachment.objects.get()
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="attachments"')
        assert ATTACHMENT_ADDED.format(attachment).replace("'", "&#x27;") in response.text
        assert reverse("governance:attachment_download", args=[attachment.pk]) in response.text
        assert attachment.file.name not in response.text

    @pytest.mark.parametrize("name", ["script.exe", "photo.png", "releve", "releve.pdf.js", "page.html"])
    def test_other_extensions_are_refused_and_nothing_is_saved(self, client_for, meeting, name):
        before = stored_files()
        response = add(client_for("coordination"), meeting, name, PDF)
        assert response.status_code == 200
        assert response.context["attachment_form"].errors["file"] == [
            DOCUMENT_WRONG_EXTENSION.format(extensions=EXTENSIONS_TEXT)
        ]
        assert not MeetingAttachment.objects.exists() and stored_files() == before

    @pytest.mark.parametrize(
        ("name", "content"), [("releve.pdf", PNG), ("releve.pdf", ZIP), ("notes.docx", PDF), ("vieux.doc", ZIP)]
    )
    def test_a_right_extension_with_other_contents_is_refused(self, client_for, meeting, name, content):
        before = stored_files()
        response = add(client_for("coordination"), meeting, name, content, **HTMX)
        extension = name.rsplit(".", 1)[1].upper()
        assert response.status_code == 200
        assert response.context["attachment_form"].errors["file"] == [
            DOCUMENT_WRONG_CONTENT.format(name=name, extension=extension)
        ]
        assert not MeetingAttachment.objects.exists() and stored_files() == before

    def test_a_file_too_large_is_refused(self, client_for, meeting):
        before = stored_files()
        with override_settings(AGREEMENT_DOCUMENT_MAX_BYTES=1024):
            response = add(client_for("coordination"), meeting, "lourd.pdf", PDF + b"0" * 1024)
        assert response.context["attachment_form"].errors["file"] == [
            DOCUMENT_TOO_LARGE.format(size="1,1\xa0Ko", limit="1\xa0Ko")
        ]
        assert not MeetingAttachment.objects.exists() and stored_files() == before

    def test_no_file_is_refused(self, client_for, meeting):
        url = reverse("governance:attachment_add", args=[meeting.pk])
        response = client_for("coordination").post(url, {"attachment-title": "Sans fichier"})
        assert response.context["attachment_form"].errors["file"] == [ATTACHMENT_REQUIRED]
        assert not MeetingAttachment.objects.exists()


class TestDownload:
    @pytest.mark.parametrize("role", ["coordination", "direction", "elected", "service_head"])
    def test_served_as_an_attachment_never_cached(self, client_for, meeting, role):
        attachment = stored(meeting, "compte-rendu signé.pdf")
        response = client_for(role).get(reverse("governance:attachment_download", args=[attachment.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "compte-rendu_sign" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"

    def test_the_office_type_is_given(self, client_for, meeting):
        attachment = stored(meeting, "budget.xlsx", ZIP)
        response = client_for("coordination").get(reverse("governance:attachment_download", args=[attachment.pk]))
        b"".join(response.streaming_content)
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def test_a_missing_file_is_a_404(self, client_for, meeting):
        attachment = stored(meeting)
        Path(attachment.file.path).unlink()
        url = reverse("governance:attachment_download", args=[attachment.pk])
        assert client_for("coordination").get(url).status_code == 404

    def test_the_meeting_page_lists_them_and_only_the_coordination_gets_the_controls(self, client_for, meeting):
        attachment = stored(meeting, title="Diaporama du COPIL")
        for role, controls in (("coordination", True), ("direction", False), ("service_head", False)):
            page = client_for(role).get(meeting.get_absolute_url()).text
            assert "Diaporama du COPIL" in page
            assert reverse("governance:attachment_download", args=[attachment.pk]) in page
            assert (reverse("governance:attachment_delete", args=[attachment.pk]) in page) is controls
            assert (reverse("governance:attachment_add", args=[meeting.pk]) in page) is controls
            assert 'enctype="multipart/form-data"' in page if controls else True
            assert attachment.file.name not in page and " style=" not in page


class TestDelete:
    def test_confirmed_then_deleted_with_its_file_once_committed(
        self, client_for, meeting, django_capture_on_commit_callbacks
    ):
        attachment = stored(meeting)
        path = Path(attachment.file.path)
        url = reverse("governance:attachment_delete", args=[attachment.pk])
        client = client_for("coordination")
        confirm = client.get(url)
        assert confirm.status_code == 200 and "Diaporama" in confirm.text
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(url)
            assert path.exists(), "the file stays until the deletion is committed"
        for callback in callbacks:
            callback()
        assert response.url == f"{meeting.get_absolute_url()}#attachments"
        assert not MeetingAttachment.objects.exists() and not path.exists()
        assert [str(m) for m in response.wsgi_request._messages] == [ATTACHMENT_DELETED.format(attachment)]

    def test_twice_says_it_was_already_deleted(self, coordination, meeting):
        attachment = stored(meeting)
        attachment_delete(pk=attachment.pk, by=coordination)
        with pytest.raises(Exception, match=ATTACHMENT_GONE):
            attachment_delete(pk=attachment.pk, by=coordination)

    def test_deleting_the_meeting_in_the_admin_deletes_the_files(
        self, client_for, meeting, django_capture_on_commit_callbacks
    ):
        paths = [Path(stored(meeting, f"piece-{n}.pdf").file.path) for n in range(2)]
        url = reverse("admin:governance_meeting_delete", args=[meeting.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert client_for("tech_admin").post(url, {"post": "yes"}).status_code == 302
        assert not MeetingAttachment.objects.exists()
        assert not any(path.exists() for path in paths)

    def test_the_admin_deletes_the_file_too(self, client_for, meeting, django_capture_on_commit_callbacks):
        attachment = stored(meeting)
        url = reverse("admin:governance_meetingattachment_delete", args=[attachment.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert client_for("tech_admin").post(url, {"post": "yes"}).status_code == 302
        assert not Path(attachment.file.path).exists()
