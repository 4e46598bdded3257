"""The bilans pages: the workflow through the browser's requests, bad input, the frozen file, permissions,
the htmx polling of a version being produced, query budgets, and the logos of the cover."""

import hashlib
import os
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from ctg.models import Convention
from reports import workflow
from reports.enums import RenderState, ReportStatus
from reports.models import AnnualReport, ReportVersion
from reports.views import bilans, versions
from tests.reports.factories import AnnualReportFactory, ReportVersionFactory, ready_version

HTMX = {"HTTP_HX_REQUEST": "true"}
READERS = ["coordination", "direction", "elected"]
NOT_READERS = ["service_head", "tech_admin"]


def messages_of(response) -> list[str]:
    """The messages this very request added (earlier ones not shown yet stay out)."""
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def logo_url(*args) -> str:
    return reverse("ctg:convention_logo", args=args)


def state(report: AnnualReport) -> tuple:
    fresh = AnnualReport.objects.get(pk=report.pk)
    versions = list(fresh.versions.values_list("number", "state", "sha256"))
    return fresh.status, fresh.version, fresh.synthesis, fresh.validated_version_id, fresh.transmitted_on, versions


def image(fmt: str = "PNG", size=(60, 30), noise: bool = False) -> bytes:
    picture = (
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, "navy")
    )
    buffer = BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def validated(report, coordination, direction):
    workflow.bilan_validate(report=report, by=direction, version=ready_version(report, 1, coordination))
    return report


@pytest.fixture
def transmitted(validated, coordination):
    workflow.bilan_transmit(report=validated, by=coordination, transmitted_on=timezone.localdate(), channel="email")
    return validated


class TestWholeWorkflow:
    def test_create_write_produce_validate_transmit_and_note_the_remarks(
        self, client_for, convention, own_action, coordination
    ):
        client = client_for("coordination")
        response = client.post(url("bilan_create"), {"convention": convention.pk, "year": 2026})
        report = AnnualReport.objects.get(convention=convention, year=2026)
        assert response.url == url("bilan_detail", report.pk)
        assert messages_of(response) == [bilans.CREATED.format(year=2026)]

        assert client.get(url("bilan_edit", report.pk)).status_code == 200
        narrative = {"synthesis": "Une année utile.", "outlook": "Renouveler la CTG.", "version": 1}
        response = client.post(url("bilan_edit", report.pk), narrative)
        assert response.url == url("bilan_detail", report.pk)
        assert AnnualReport.objects.get(pk=report.pk).synthesis == "Une année utile."

        response = client.post(url("bilan_generate", report.pk))
        version = ReportVersion.objects.get(report=report)
        assert version.state == RenderState.READY and version.number == 1
        assert messages_of(response) == [versions.VERSION_READY.format(number=1, pages=version.page_count)]

        direction = client_for("direction")
        page = direction.get(url("bilan_detail", report.pk))
        assert "Valider la version 1" in page.text
        assert "Produire le PDF" not in page.text
        response = direction.post(url("bilan_validate", report.pk), {"version": version.pk})
        assert messages_of(response) == [bilans.VALIDATED.format(number=1, year=2026)]
        assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.VALIDATED

        client = client_for("coordination")
        assert "Transmettre à la CAF" in client.get(url("bilan_detail", report.pk)).text
        assert client.get(url("bilan_transmit", report.pk)).status_code == 200
        today = timezone.localdate()
        response = client.post(
            url("bilan_transmit", report.pk), {"transmitted_on": today, "channel": "partner_portal"}
        )
        assert response.status_code == 302
        assert messages_of(response) == [bilans.TRANSMITTED.format(year=2026, number=1, sha=version.sha256)]
        report.refresh_from_db()
        assert (report.status, report.transmitted_version, report.transmitted_on) == ("transmitted", version, today)

        response = client.post(url("bilan_remarks", report.pk), {"received_on": today, "remarks": "Bilan complet."})
        assert messages_of(response) == [bilans.REMARKS_SAVED]
        assert AnnualReport.objects.get(pk=report.pk).caf_remarks == "Bilan complet."

        page = client_for("elected").get(url("bilan_list"))
        assert "Transmise à la CAF" in page.text
        assert version.sha256[:12] in page.text and version.sha256 in page.text
        assert url("version_download", version.pk) in page.text
        detail = client.get(url("bilan_detail", report.pk)).text
        assert "Bilan complet." in detail
        assert "a demandé la version 1 du PDF" in detail
        assert "Produire le PDF" not in detail


class TestBadInput:
    def test_a_year_outside_the_convention(self, client_for, convention):
        response = client_for("coordination").post(url("bilan_create"), {"convention": convention.pk, "year": 2031})
        assert messages_of(response) == ["L'année 2031 est hors de la période de la convention (2022–2026)."]
        assert response.url == f"{url('bilan_list')}?convention={convention.pk}"
        assert not AnnualReport.objects.exists()

    def test_a_missing_year(self, client_for, convention):
        response = client_for("coordination").post(url("bilan_create"), {"convention": convention.pk, "year": "x"})
        assert messages_of(response) == [bilans.BAD_CREATE_REQUEST]
        assert not AnnualReport.objects.exists()

    def test_transmitting_a_draft(self, client_for, report, coordination):
        ready_version(report, 1, coordination)
        before = state(report)
        client = client_for("coordination")
        for response in [
            client.get(url("bilan_transmit", report.pk)),
            client.post(
                url("bilan_transmit", report.pk), {"transmitted_on": timezone.localdate(), "channel": "email"}
            ),
        ]:
            assert response.url == url("bilan_detail", report.pk)
            assert messages_of(response) == [workflow.NOT_VALIDATED]
        assert state(report) == before

    def test_transmitting_at_a_future_date(self, client_for, validated):
        before = state(validated)
        tomorrow = timezone.localdate() + timedelta(days=1)
        response = client_for("coordination").post(
            url("bilan_transmit", validated.pk), {"transmitted_on": tomorrow, "channel": "email"}
        )
        assert response.status_code == 200
        assert escape(workflow.DATE_IN_FUTURE) in response.text
        assert state(validated) == before

    def test_validating_twice(self, client_for, validated, direction):
        before = state(validated)
        version = validated.validated_version
        response = client_for("direction").post(url("bilan_validate", validated.pk), {"version": version.pk})
        day = timezone.localdate().strftime("%d/%m/%Y")
        assert messages_of(response) == [f"Ce bilan est déjà validé (version 1, par {direction} le {day})."]
        assert state(validated) == before

    @pytest.mark.parametrize("kind", ["pending", "failed", "outdated"])
    def test_validating_a_version_that_is_not_the_latest_produced(self, client_for, report, coordination, kind):
        if kind == "outdated":
            version = ready_version(report, 1, coordination)
            ready_version(report, 2, coordination)
            expected = workflow.VERSION_OUTDATED.format(number=1, latest=2)
        else:
            version = ReportVersionFactory(report=report, number=1, requested_by=coordination, state=kind)
            words = "encore en cours de production" if kind == "pending" else "en échec"
            expected = f"La version 1 ne peut pas être validée : son PDF est {words}."
        before = state(report)
        response = client_for("direction").post(url("bilan_validate", report.pk), {"version": version.pk})
        assert messages_of(response) == [expected]
        assert state(report) == before

    def test_validating_without_a_version(self, client_for, report):
        response = client_for("direction").post(url("bilan_validate", report.pk), {"version": "abc"})
        assert messages_of(response) == [bilans.CHOOSE_VERSION]

    def test_generating_and_editing_after_transmission(self, client_for, transmitted):
        before = state(transmitted)
        frozen = workflow.frozen_message(transmitted)
        client = client_for("coordination")
        for response in [
            client.post(url("bilan_generate", transmitted.pk)),
            client.get(url("bilan_edit", transmitted.pk)),
            client.post(url("bilan_edit", transmitted.pk), {"synthesis": "Après coup.", "version": 1}),
        ]:
            assert response.url == url("bilan_detail", transmitted.pk)
            assert messages_of(response) == [frozen]
        assert state(transmitted) == before

    def test_remarks_before_transmission(self, client_for, validated):
        response = client_for("coordination").get(url("bilan_remarks", validated.pk))
        assert messages_of(response) == [workflow.NOT_TRANSMITTED]

    def test_a_narrative_edited_by_two_people_at_once(self, report, coordination):
        first, second = Client(), Client()
        first.force_login(coordination)
        second.force_login(coordination)
        edit = url("bilan_edit", report.pk)
        assert 'name="version" value="1"' in first.get(edit).text
        assert 'name="version" value="1"' in second.get(edit).text
        first.post(edit, {"synthesis": "Texte de la première personne.", "version": 1})

        response = second.post(edit, {"synthesis": "Texte de la seconde personne.", "version": 1})
        assert response.status_code == 200
        assert escape(f"Le bilan a été modifié par {coordination} le ") in response.text
        assert "Texte de la seconde personne.</textarea>" in response.text  # the input is kept
        assert "Valeur enregistrée entre-temps : Texte de la première personne." in response.text
        assert 'name="version" value="2"' in response.text
        assert AnnualReport.objects.get(pk=report.pk).synthesis == "Texte de la première personne."

        response = second.post(edit, {"synthesis": "Texte de la seconde personne.", "version": 2})  # confirmed
        assert response.status_code == 302
        saved = AnnualReport.objects.get(pk=report.pk)
        assert (saved.synthesis, saved.version) == ("Texte de la seconde personne.", 3)


class TestFrozenFile:
    def test_the_transmitted_file_never_changes(self, client_for, report, own_action, coordination, direction):
        client = client_for("coordination")
        client.post(url("bilan_edit", report.pk), {"synthesis": "Texte transmis.", "version": 1})
        client.post(url("bilan_generate", report.pk))
        version = ReportVersion.objects.get(report=report)
        workflow.bilan_validate(report=report, by=direction, version=version)
        client.post(url("bilan_transmit", report.pk), {"transmitted_on": timezone.localdate(), "channel": "post"})
        response = client.get(url("version_download", version.pk))
        sent = b"".join(response.streaming_content)
        assert hashlib.sha256(sent).hexdigest() == version.sha256 == response["X-Content-SHA256"]

        own_action.title = "Titre changé après la transmission"
        own_action.save()
        AnnualReport.objects.filter(pk=report.pk).update(synthesis="Texte changé après la transmission.")
        client.post(url("bilan_generate", report.pk))

        response = client.get(url("version_download", version.pk))
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="{version.filename}"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == sent
        assert ReportVersion.objects.get(pk=version.pk).sha256 == version.sha256
        assert ReportVersion.objects.filter(report=report).count() == 1

    def test_only_a_produced_version_downloads(self, client_for, report, coordination):
        pending = ReportVersionFactory(report=report, number=1, requested_by=coordination)
        assert client_for("elected").get(url("version_download", pending.pk)).status_code == 404


class TestProducingIsVisible:
    def test_a_pending_version_polls_and_the_page_refreshes_without_javascript(
        self, client_for, report, coordination, queued_tasks
    ):
        client = client_for("coordination")
        response = client.post(url("bilan_generate", report.pk), **HTMX)
        version = ReportVersion.objects.get(report=report)
        assert version.state == RenderState.PENDING
        html = response.text
        assert "<html" not in html
        assert html.lstrip().startswith(f'<tr id="version-{version.pk}"')
        assert f'data-hx-get="{url("version_state", version.pk)}?detail=1" data-hx-trigger="every 2s"' in html
        assert '<span class="c-badge c-badge--in_progress" role="status">Production du PDF en cours…</span>' in html
        assert 'id="bilan-actions"' in html and 'data-hx-swap-oob="true"' in html
        # Out of band inside a <template>: after a table row, a <form> would otherwise lose its fields.
        assert html.index("</tr>") < html.index("<template>") < html.index('id="bilan-actions"')
        assert html.rstrip().endswith("</template>")
        assert versions.VERSION_REQUESTED.format(number=1) in html  # the message, out of band

        page = client.get(url("bilan_detail", report.pk)).text
        assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
        assert "Produire le PDF" not in page  # one production at a time

        polled = client_for("elected").get(url("version_state", version.pk), **HTMX)
        assert polled.text.count("<tr") == 1 and 'data-hx-trigger="every 2s"' in polled.text

    def test_the_ready_row_stops_polling(self, client_for, report, coordination):
        version = ready_version(report, 1, coordination)
        response = client_for("elected").get(url("version_state", version.pk), **HTMX)
        assert "data-hx-trigger" not in response.text
        assert "Brouillon" in response.text and version.sha256[:12] in response.text
        assert versions.VERSION_READY.format(number=1, pages=3) in response.text
        assert 'id="bilan-actions"' not in response.text  # the list page has no workflow panel

        on_detail = client_for("direction").get(f"{url('version_state', version.pk)}?detail=1", **HTMX).text
        assert 'id="bilan-actions"' in on_detail and "Valider la version 1" in on_detail

    def test_without_htmx_the_state_url_leads_to_the_bilan(self, client_for, report, coordination):
        version = ready_version(report, 1, coordination)
        response = client_for("elected").get(url("version_state", version.pk))
        assert response.url == f"{url('bilan_detail', report.pk)}#versions"

    def test_a_failed_version_says_so(self, client_for, report, coordination):
        version = ReportVersionFactory(
            report=report, number=1, requested_by=coordination, state=RenderState.FAILED, error="Erreur de rendu."
        )
        response = client_for("elected").get(url("version_state", version.pk), **HTMX)
        assert "Échec" in response.text and "Erreur de rendu." in response.text
        assert versions.VERSION_FAILED.format(number=1) in response.text

    def test_a_new_version_of_a_validated_bilan_needs_validating_again(self, client_for, validated, queued_tasks):
        response = client_for("coordination").post(url("bilan_generate", validated.pk))
        assert messages_of(response) == [versions.VERSION_REQUESTED.format(number=2), versions.VALIDATION_WITHDRAWN]
        assert AnnualReport.objects.get(pk=validated.pk).status == ReportStatus.DRAFT


class TestPages:
    def test_the_list_shows_every_year_with_due_dates_and_start_buttons(self, client_for, report, coordination):
        ready_version(report, 1, coordination)
        page = client_for("coordination").get(url("bilan_list")).text
        assert "31\xa0janvier\xa02027" in page
        for year in [2022, 2023, 2024, 2025]:
            assert f"Commencer le bilan {year}" in page
        assert "Commencer le bilan 2026" not in page
        assert "jours</span>" in page  # the countdown of the current campaign
        assert "Commencer le bilan" not in client_for("direction").get(url("bilan_list")).text

    def test_the_preview_includes_the_document_and_the_logos(self, client_for, report):
        report.convention.caf_logo.save("caf.png", SimpleUploadedFile("caf.png", image()), save=True)
        page = client_for("elected").get(url("bilan_preview", report.pk)).text
        assert 'class="c-bilan"' in page
        assert f'src="{logo_url(report.convention.pk, "caf")}"' in page
        assert "Synthèse" in page

    def test_the_navigation_links_to_the_bilans_for_readers_only(self, client_for, report):
        page = client_for("elected").get(url("bilan_detail", report.pk)).text
        assert f'<a href="{url("bilan_list")}" aria-current="page">Bilans</a>' in page
        assert url("bilan_list") not in client_for("service_head").get(reverse("actions:list")).text

    def test_the_history_is_readable(self, client_for, validated, direction):
        page = client_for("elected").get(url("bilan_detail", validated.pk)).text
        assert "a commencé le bilan" in page
        assert f"{direction}\n" in page or str(direction) in page
        assert "Version validée : <del>" in page and "version 1</ins>" in page


GET, POST = "get", "post"


class TestQueryBudgets:
    def count(self, client, path) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def test_the_list_costs_the_same_whatever_the_years_and_versions(self, client_for, convention, coordination):
        client = client_for("elected")
        report = AnnualReportFactory(convention=convention, year=2026)
        ready_version(report, 1, coordination)
        small = self.count(client, url("bilan_list"))
        for year in [2022, 2023, 2024, 2025]:
            other = AnnualReportFactory(convention=convention, year=year)
            for number in range(1, 5):
                ready_version(other, number, coordination)
        ReportVersionFactory(report=report, number=2, requested_by=coordination)
        assert self.count(client, url("bilan_list")) == small <= 10

    def test_the_detail_costs_the_same_whatever_the_versions_and_history(
        self, client_for, report, coordination, direction
    ):
        client = client_for("direction")
        ready_version(report, 1, coordination)
        small = self.count(client, url("bilan_detail", report.pk))
        for number in range(2, 8):
            ready_version(report, number, coordination)
            workflow.bilan_save_narrative(
                report=report, by=coordination, data={"synthesis": f"Texte {number}"}, version=report.version
            )
        workflow.bilan_validate(report=report, by=direction, version=ReportVersion.objects.get(number=7))
        assert self.count(client, url("bilan_detail", report.pk)) == small <= 12


class TestLogos:
    def edit(self, client, convention: Convention, **files):
        data = {
            "name": convention.name,
            "status": convention.status,
            "territory": convention.territory_id,
            "caf_name": convention.caf_name,
            "collectivity_name": "Ville de Testville",
            "start_date": convention.start_date,
            "end_date": convention.end_date,
            "stale_after_days": convention.stale_after_days,
            **files,
        }
        return client.post(reverse("ctg:convention_edit", args=[convention.pk]), data)

    def test_the_form_uploads_files(self, client_for, convention):
        page = client_for("coordination").get(reverse("ctg:convention_edit", args=[convention.pk])).text
        assert 'enctype="multipart/form-data"' in page
        assert 'accept="image/png,image/jpeg"' in page

    def test_a_valid_png_is_saved_and_served(self, client_for, convention):
        content = image()
        response = self.edit(
            client_for("coordination"), convention, collectivity_logo=SimpleUploadedFile("ville.png", content)
        )
        assert response.status_code == 302
        convention.refresh_from_db()
        assert convention.collectivity_name == "Ville de Testville"
        served = client_for("service_head").get(logo_url(convention.pk, "collectivity"))
        assert served["Content-Type"] == "image/png"
        assert b"".join(served.streaming_content) == content
        page = client_for("coordination").get(reverse("ctg:convention_edit", args=[convention.pk])).text
        assert f'href="{logo_url(convention.pk, "collectivity")}"' in page  # the current logo, served by the app

    def test_a_jpeg_is_served_as_such(self, client_for, convention):
        self.edit(client_for("coordination"), convention, caf_logo=SimpleUploadedFile("caf.jpg", image("JPEG")))
        response = client_for("elected").get(logo_url(convention.pk, "caf"))
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
        assert response["Content-Type"] == "image/jpeg"

    def test_a_text_file_named_png_is_refused(self, client_for, convention):
        fake = SimpleUploadedFile("logo.png", b"Ceci n'est pas une image.", content_type="image/png")
        response = self.edit(client_for("coordination"), convention, collectivity_logo=fake)
        assert response.status_code == 200
        assert "Téléversez une image valide." in response.text
        convention.refresh_from_db()
        assert not convention.collectivity_logo and convention.collectivity_name == ""

    def test_a_too_large_image_is_refused(self, client_for, convention):
        content = image(size=(1000, 800), noise=True)
        assert len(content) > 2 * 1024 * 1024
        response = self.edit(client_for("coordination"), convention, caf_logo=SimpleUploadedFile("caf.png", content))
        assert response.status_code == 200
        assert re.search(r"Le logo pèse 2,\d\xa0Mio : la limite est de 1,0\xa0Mio\.", response.text)
        convention.refresh_from_db()
        assert not convention.caf_logo

    def test_another_image_format_is_refused(self, client_for, convention):
        response = self.edit(
            client_for("coordination"), convention, caf_logo=SimpleUploadedFile("caf.gif", image("GIF"))
        )
        assert response.status_code == 200
        assert "Le logo doit être une image PNG ou JPEG." in response.text
        convention.refresh_from_db()
        assert not convention.caf_logo

    @pytest.mark.parametrize("kind", ["collectivity", "autre"])
    def test_no_logo_is_a_404(self, client_for, convention, kind):
        assert client_for("elected").get(logo_url(convention.pk, kind)).status_code == 404


def test_line_ends_typed_in_a_browser_do_not_count_as_a_change(client_for, report):
    """Browsers send CRLF: a part left untouched must not appear in the history as changed."""
    report.highlights = "Premier fait.\nSecond fait."
    report.save()
    data = {
        "synthesis": "Nouvelle synthèse.",
        "highlights": "Premier fait.\r\nSecond fait.",
        "version": report.version,
    }
    assert client_for("coordination").post(reverse("reports:bilan_edit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert (report.synthesis, report.highlights) == ("Nouvelle synthèse.", "Premier fait.\nSecond fait.")
    last = report.history.first()
    assert last.prev_record.highlights == last.highlights
