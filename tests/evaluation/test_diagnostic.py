"""The diagnostic pages: upload → preview (nothing saved) → confirmation (all or nothing), the diagnostic page
itself, the children under 3, the sample files and the demo."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from evaluation import opendata
from evaluation.demo import context as demo
from evaluation.forms import diagnostic as forms
from evaluation.models import Indicator, Measurement
from evaluation.opendata import CHILDREN_KEY, COMPUTED, read_export
from evaluation.views import diagnostic as views
from tests.ctg.factories import ConventionFactory
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory
from tests.evaluation.test_opendata import NBPLA, S_BEN, TXCOUV

UPLOAD = reverse("evaluation:diagnostic_import")
PREVIEW = reverse("evaluation:diagnostic_preview")
CONFIRM = reverse("evaluation:diagnostic_confirm")
DIAGNOSTIC = reverse("evaluation:diagnostic")
CHILDREN = reverse("evaluation:diagnostic_children")


@pytest.fixture
def joinville(db):
    """The convention of the conftest's users, on the commune 94042."""
    return ConventionFactory(territory__code="94042", territory__name="Joinville-le-Pont")


@pytest.fixture
def coordinator(client_for, joinville):
    return client_for("coordination")


def upload(client, convention, content: bytes | str, *, name="export.csv", year="", content_type="text/csv"):
    content = content.encode() if isinstance(content, str) else content
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), "year": year}
    return client.post(f"{UPLOAD}?convention={convention.pk}", data)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def nothing_saved():
    return not Measurement.objects.exists() and not Indicator.objects.exists()


class TestFlow:
    def test_upload_then_preview_saves_nothing(self, coordinator, joinville):
        response = upload(coordinator, joinville, TXCOUV)
        assert response.status_code == 302
        assert response.url == f"{PREVIEW}?convention={joinville.pk}"
        page = coordinator.get(response.url)
        assert page.status_code == 200
        text = page.text
        assert "txcouv_pe_com (taux de couverture petite enfance)" in text
        assert "Lignes retenues</dt><dd>2 (commune 94042)" in text
        assert "Lignes ignorées</dt><dd>1 (autres communes)" in text
        assert "16 nouvelles valeurs, 0 mise à jour, 0 inchangée ; 8 indicateurs de contexte seront créés." in text
        assert "CTX-TXCOUV – Taux de couverture global petite enfance" in text
        assert "Confirmer l'import" in text
        assert nothing_saved()

    def test_confirm_saves_and_tells_the_counts(self, coordinator, joinville):
        upload(coordinator, joinville, TXCOUV)
        token = coordinator.session[views.SESSION_KEY]["token"]
        response = coordinator.post(CONFIRM, {"token": token})
        assert response.status_code == 302
        assert response.url == f"{DIAGNOSTIC}?convention={joinville.pk}"
        assert flashed(response) == [
            "Import terminé : 16 valeurs créées, 0 mise à jour, 0 inchangée. 8 indicateurs de contexte créés."
        ]
        assert Measurement.objects.filter(indicator__convention=joinville).count() == 16
        assert views.SESSION_KEY not in coordinator.session

    def test_reimport_shows_current_to_new_and_unchanged(self, coordinator, joinville):
        upload(coordinator, joinville, NBPLA)
        coordinator.post(CONFIRM, {"token": coordinator.session[views.SESSION_KEY]["token"]})
        changed = NBPLA.replace(";445\n", ";450\n")
        upload(coordinator, joinville, changed)
        text = coordinator.get(PREVIEW).text
        assert "0 nouvelle valeur, 1 mise à jour, 11 inchangées." in text
        assert '<td class="is-number u-nowrap">445</td>\n          <td class="is-number u-nowrap">450</td>' in text
        response = coordinator.post(CONFIRM, {"token": coordinator.session[views.SESSION_KEY]["token"]})
        assert flashed(response) == ["Import terminé : 0 valeur créée, 1 mise à jour, 11 inchangées."]
        assert Measurement.objects.count() == 12

    def test_year_of_the_form_for_a_file_without_year(self, coordinator, joinville):
        upload(coordinator, joinville, S_BEN, year="2024")
        coordinator.post(CONFIRM, {"token": coordinator.session[views.SESSION_KEY]["token"]})
        foyers = Measurement.objects.get(indicator__open_data_key="indfoy_ndur")
        assert (foyers.year, foyers.value, foyers.indicator.name) == (2024, 2895, "Foyers allocataires")

    def test_a_confirmation_without_preview_is_stale(self, coordinator, joinville):
        response = coordinator.post(CONFIRM, {"token": "ancien"})
        assert response.url == UPLOAD
        assert flashed(response) == [views.STALE]
        assert nothing_saved()

    def test_a_second_confirmation_is_stale(self, coordinator, joinville):
        upload(coordinator, joinville, NBPLA)
        token = coordinator.session[views.SESSION_KEY]["token"]
        coordinator.post(CONFIRM, {"token": token})
        response = coordinator.post(CONFIRM, {"token": token})
        assert flashed(response)[-1] == views.STALE
        assert Measurement.objects.count() == 12

    def test_a_preview_without_session_says_so(self, coordinator, joinville):
        response = coordinator.get(PREVIEW)
        assert response.status_code == 200
        assert views.STALE.replace("'", "&#x27;") in response.text
        assert "Confirmer" not in response.text

    def test_the_token_of_another_preview(self, coordinator, joinville):
        upload(coordinator, joinville, NBPLA)
        response = coordinator.post(CONFIRM, {"token": "autre"})
        assert flashed(response) == [views.CHANGED_PREVIEW]
        assert nothing_saved()

    def test_a_failure_under_the_lock_saves_nothing(self, coordinator, joinville):
        upload(coordinator, joinville, NBPLA)
        IndicatorFactory(
            context=True, action=None, convention=joinville, code="P", open_data_key="tot_offre_com", max_value=100
        )
        response = coordinator.post(CONFIRM, {"token": coordinator.session[views.SESSION_KEY]["token"]})
        assert response.url == f"{PREVIEW}?convention={joinville.pk}"
        assert "hors des bornes de l'indicateur P" in flashed(response)[0]
        assert not Measurement.objects.exists()
        assert Indicator.objects.count() == 1

    def test_a_convention_without_insee_code(self, client_for, convention):
        response = upload(client_for("coordination"), convention, NBPLA)
        assert response.status_code == 200
        assert opendata.NO_CODES.replace("'", "&#x27;") in response.text
        assert views.SESSION_KEY not in response.wsgi_request.session


class TestBrokenFiles:
    """A broken file: the preview lists the error (row, column), offers no confirmation, and nothing is saved
    even when a confirmation is forced."""

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("annee;nomcom;tot_offre_com\n2023;Joinville;450\n", opendata.MISSING_COMMUNE),
            ("annee,numcom,tot_offre_com\n2023,94042,450\n", "le fichier doit être séparé par des points-virgules"),
            (
                "annee;numcom;nomcom;tot_offre_com\n2023;94042;Créteil;450\n".encode("latin-1"),
                "Ligne 2 : le fichier n&#x27;est pas encodé en UTF-8",
            ),
            (
                "numcom;annee;txcouv_com\n94042;2022;62,7\n94042;2023;abc\n",
                "Ligne 3, colonne txcouv_com : « abc » n&#x27;est pas un nombre.",
            ),
            ("numcom;tot_offre_com\n94042;450\n", "Ligne 1 : colonne annee manquante"),
            ("annee;numcom;tot_offre_com\n", opendata.NO_ROWS),
        ],
        ids=["missing-column", "comma", "latin-1", "non-numeric", "no-year", "header-only"],
    )
    def test_preview_lists_the_error(self, coordinator, joinville, content, message):
        upload(coordinator, joinville, content)
        text = coordinator.get(PREVIEW).text
        assert message.replace("'", "&#x27;") in text
        assert "rien ne peut être importé" in text
        assert "Confirmer l'import" not in text
        response = coordinator.post(CONFIRM, {"token": coordinator.session[views.SESSION_KEY]["token"]})
        assert flashed(response) == [views.NOT_IMPORTABLE]
        assert nothing_saved()

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"content": b""}, forms.EMPTY),
            ({"content": NBPLA, "name": "export.xlsx"}, forms.NOT_CSV),
            ({"content": NBPLA, "content_type": "application/pdf"}, forms.WRONG_TYPE),
            ({"content": NBPLA, "year": "1800"}, "Année invalide."),
        ],
        ids=["empty", "extension", "type", "year"],
    )
    def test_upload_form_errors(self, coordinator, joinville, kwargs, message):
        response = upload(coordinator, joinville, **kwargs)
        assert response.status_code == 200
        assert message.replace("'", "&#x27;") in response.text
        assert views.SESSION_KEY not in coordinator.session

    def test_too_big(self, coordinator, joinville, monkeypatch):
        monkeypatch.setattr(forms, "MAX_BYTES", 100)
        response = upload(coordinator, joinville, NBPLA + "2025;94042;1;1;1;1;1;5\n" * 10)
        assert "la limite est de 100" in response.text
        assert views.SESSION_KEY not in coordinator.session

    def test_five_megabytes_is_the_limit(self):
        assert forms.MAX_BYTES == 5 * 1024 * 1024

    def test_no_file(self, coordinator, joinville):
        response = coordinator.post(f"{UPLOAD}?convention={joinville.pk}", {"year": ""})
        assert forms.NO_FILE in response.text


class TestDiagnosticPage:
    def import_all(self, convention, coordination):
        for text, year in ((TXCOUV, None), (NBPLA, None), (S_BEN, 2024)):
            values = read_export(text.encode(), codes=["94042"], year=year).values
            opendata.opendata_import(convention=convention, values=values, by=coordination)

    def test_everyone_reads_the_indicators_by_theme_with_sources(self, client_for, joinville, coordination):
        opendata.children_record(convention=joinville, entries={2024: (None, Decimal(700))}, by=coordination)
        self.import_all(joinville, coordination)
        response = client_for("elected").get(f"{DIAGNOSTIC}?convention={joinville.pk}")
        text = response.text
        assert response.status_code == 200
        titles = [title for _, title in views.GROUPS[:4]]
        positions = [text.index(f">{escape(title)}</h2>") for title in titles]
        assert positions == sorted(positions)
        assert "Source : Caf – données ouvertes, jeu txcouv_pe_com (Taux de couverture petite enfance)." in text
        assert 'Foyers allocataires <span class="u-muted">(foyers)</span>' in text
        assert "2\xa0895" in text  # French grouping
        assert "62,7" in text
        assert '63,6<span aria-hidden="true">*</span><span class="u-visually-hidden"> (calculé)</span>' in text
        assert "Taux calculé par Pilote CTG" in text
        assert "Import du " in text
        assert "Importer des données ouvertes" not in text  # the élu reads only
        assert 'class="c-chart__svg"' in text

    def test_the_coordination_sees_the_links(self, coordinator, joinville):
        text = coordinator.get(f"{DIAGNOSTIC}?convention={joinville.pk}").text
        assert f"{UPLOAD}?convention={joinville.pk}" in text
        assert f"{CHILDREN}?convention={joinville.pk}" in text
        assert "Aucun indicateur de contexte pour l'instant" in text

    def test_years_from_2020_to_now(self, client_for, joinville):
        indicator = IndicatorFactory(context=True, action=None, convention=joinville, code="CTX-X")
        MeasurementFactory(indicator=indicator, year=2016, value=Decimal(5))
        response = client_for("direction").get(f"{DIAGNOSTIC}?convention={joinville.pk}")
        assert response.context["years"] == list(range(2016, date.today().year + 1))

    def test_indicators_of_actions_are_not_context(self, client_for, joinville, own_action):
        IndicatorFactory(action=own_action, convention=joinville, code="I-ACTION", name="Indicateur d'action")
        assert "I-ACTION" not in client_for("direction").get(f"{DIAGNOSTIC}?convention={joinville.pk}").text

    def test_constant_queries(self, client_for, joinville, coordination, django_assert_max_num_queries):
        client = client_for("service_head")
        url = f"{DIAGNOSTIC}?convention={joinville.pk}"
        indicator = IndicatorFactory(context=True, action=None, convention=joinville, code="CTX-1")
        MeasurementFactory(indicator=indicator, year=2023, author=coordination)
        client.get(url)
        with django_assert_max_num_queries(9) as one:
            client.get(url)
        opendata.children_record(convention=joinville, entries={2024: (None, Decimal(700))}, by=coordination)
        self.import_all(joinville, coordination)
        ConventionFactory()
        with django_assert_max_num_queries(len(one.captured_queries)):
            response = client.get(url)
        assert len(response.context["groups"]) == 5
        assert sum(len(group.rows) for group in response.context["groups"]) == 26


class TestChildren:
    def test_enter_and_compute_the_coverage(self, coordinator, joinville, coordination):
        values = read_export(NBPLA.encode(), codes=["94042"]).values
        opendata.opendata_import(convention=joinville, values=values, by=coordination)
        url = f"{CHILDREN}?convention={joinville.pk}"
        page = coordinator.get(url)
        assert page.status_code == 200 and 'name="y2024"' in page.text
        response = coordinator.post(url, {"y2023": "720", "y2024": "700", "shown_2023": "", "shown_2024": ""})
        assert response.status_code == 302
        assert flashed(response) == ["Enfants de moins de 3 ans enregistrés. Taux de couverture calculés : 2."]
        rate = Measurement.objects.get(indicator__open_data_key="txcouv_com", year=2024)
        assert rate.value == Decimal("63.6") and rate.comment.startswith(COMPUTED)
        children = Measurement.objects.get(indicator__open_data_key=CHILDREN_KEY, year=2024)
        assert (children.provenance, children.indicator.code, children.indicator.source) == (
            "entry",
            "CTX-ENF3",
            "INSEE – recensement de la population",
        )

    def test_a_value_stored_meanwhile_is_not_overwritten(self, coordinator, joinville, coordination):
        opendata.children_record(convention=joinville, entries={2024: (None, Decimal(700))}, by=coordination)
        url = f"{CHILDREN}?convention={joinville.pk}"
        response = coordinator.post(url, {"y2024": "690", "shown_2024": ""})
        assert response.status_code == 200
        assert "Une valeur (700) est déjà enregistrée pour cette période" in response.text
        assert Measurement.objects.get(indicator__open_data_key=CHILDREN_KEY).value == 700

    def test_a_stored_value_is_not_erased(self, coordinator, joinville, coordination):
        opendata.children_record(convention=joinville, entries={2024: (None, Decimal(700))}, by=coordination)
        url = f"{CHILDREN}?convention={joinville.pk}"
        response = coordinator.post(url, {"y2024": "", "shown_2024": "700.0000"})
        assert forms.NO_ERASE.replace("'", "&#x27;") in response.text
        assert Measurement.objects.get(indicator__open_data_key=CHILDREN_KEY).value == 700

    def test_an_unchanged_form_saves_nothing(self, coordinator, joinville, coordination):
        opendata.children_record(convention=joinville, entries={2024: (None, Decimal(700))}, by=coordination)
        url = f"{CHILDREN}?convention={joinville.pk}"
        response = coordinator.post(url, {"y2024": "700", "shown_2024": "700.0000"})
        assert flashed(response) == [views.NOTHING_CHANGED]

    def test_a_non_number(self, coordinator, joinville):
        response = coordinator.post(f"{CHILDREN}?convention={joinville.pk}", {"y2024": "sept cents"})
        assert "Saisissez un nombre" in response.text
        assert not Measurement.objects.exists()


class TestSamples:
    @pytest.mark.parametrize("name", list(views.SAMPLES))
    def test_samples_are_importable_files_of_their_dataset(self, name):
        content = (views.SAMPLES_DIR / name).read_bytes()
        export = read_export(content, codes=["94042"], year=2023)
        assert export.errors == []
        assert export.datasets == [views.SAMPLES[name]]
        assert export.ignored >= 2 and export.communes == ["94042"]

    def test_download(self, client_for):
        response = client_for("direction").get(
            reverse("evaluation:diagnostic_sample", args=["s_ben_com_f-exemple.csv"])
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert b"".join(response.streaming_content).startswith(b"numcomdo;")

    def test_unknown_sample(self, client_for):
        response = client_for("direction").get(reverse("evaluation:diagnostic_sample", args=["..%2Fsettings.py"]))
        assert response.status_code == 404


class TestDemo:
    def test_seeds_through_the_importer_and_twice_changes_nothing(self, joinville, coordination):
        today = date(2026, 3, 15)
        demo.seed(convention=joinville, users={"coordination": coordination}, today=today)
        values = Measurement.objects.filter(indicator__convention=joinville)
        count = values.count()
        assert count == 10 * 6 + 8 * 5 + 6 * 6 + 6 + 1  # s_ben, txcouv (not 2025), places, children, 2025's rate
        rates = {m.year: m for m in values.filter(indicator__open_data_key="txcouv_com")}
        assert sorted(rates) == list(range(2020, 2026))
        assert rates[2025].comment.startswith(COMPUTED) and not rates[2024].comment
        assert Decimal(60) <= rates[2025].value <= Decimal(65)
        assert values.get(indicator__open_data_key="indfoy_ndur", year=2024).value == 2910
        recorded = list(values.order_by("pk").values_list("pk", "recorded_at"))
        demo.seed(convention=joinville, users={"coordination": coordination}, today=today)
        assert list(values.order_by("pk").values_list("pk", "recorded_at")) == recorded
