"""Exports of the plan d'actions (actions:export) and the printable fiche action (actions:pdf)."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfReader

from actions.enums import ActionStatus
from actions.models import TargetPublic
from actions.resources import (
    ACTION_COLUMNS,
    BUDGET_LINE_COLUMNS,
    PROGRESS_UPDATE_COLUMNS,
    ActionResource,
    BudgetLineResource,
    ChoiceLabelWidget,
    LocalDateWidget,
    PartnerRolesWidget,
    ProgressUpdateResource,
    TextWidget,
)
from actions.views.exports import CSV_TYPE, XLSX_TYPE
from actions.views.lists import PAGE_SIZE
from tests.actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    BudgetLineFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.ctg.factories import ConventionFactory, ObjectiveFactory, TerritoryFactory
from tests.partners.factories import PartnerFactory

COLUMNS = {"fiches": ACTION_COLUMNS, "points-etape": PROGRESS_UPDATE_COLUMNS, "budget": BUDGET_LINE_COLUMNS}
PREFIXES = {"fiches": "fiches-actions", "points-etape": "points-etape", "budget": "budget"}
DATASETS = list(COLUMNS)
FORMATS = ["csv", "xlsx"]
A = ACTION_COLUMNS


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def export(client, dataset="fiches", fmt="csv", **params):
    return client.get(reverse("actions:export", args=[dataset, fmt]), params)


def read_csv(response) -> tuple[list[str], list[dict]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";")
    return list(reader.fieldnames), list(reader)


def read_xlsx(response) -> tuple[list[str], list[dict]]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    return list(header), [dict(zip(header, row, strict=True)) for row in rows]


def read(response, fmt) -> tuple[list[str], list[dict]]:
    return read_csv(response) if fmt == "csv" else read_xlsx(response)


def codes(rows, column="Code") -> list[str]:
    return [row[column] for row in rows]


@pytest.fixture
def exporter(client_for):
    return client_for("elected")  # the least privileged role that reads the list


@pytest.fixture
def plan(own_action, other_action):
    """Two actions with partners, publics, territories, three points d'étape and budget lines."""
    today = timezone.localdate()
    own_action.publics.set([TargetPublic.objects.get_or_create(label=label)[0] for label in ("Parents", "Seniors")])
    own_action.territories.set([TerritoryFactory(name="Palissy")])
    ActionPartnerFactory(action=own_action, partner=PartnerFactory(name="Association Île-de-Loisirs"), role="co_pilot")
    # Created out of order: the latest is the one dated last, not the one saved last.
    ProgressUpdateFactory(action=own_action, recorded_at=at(today - timedelta(days=20)), progress=60, done="Deuxième")
    ProgressUpdateFactory(
        action=own_action,
        recorded_at=at(today - timedelta(days=5)),
        status="suspended",
        progress=70,
        done="Troisième étape réalisée",
        difficulties="Locaux indisponibles",
        next_steps="Relancer le bailleur",
    )
    ProgressUpdateFactory(action=own_action, recorded_at=at(today - timedelta(days=90)), progress=20, done="Première")
    ProgressUpdateFactory(action=other_action, recorded_at=at(today - timedelta(days=3)), progress=10)
    BudgetLineFactory(
        action=own_action, year=2025, funder="caf_bonus", planned=Decimal("12500"), actual=Decimal("9800.5")
    )
    BudgetLineFactory(action=own_action, year=2026, funder="commune", planned=Decimal("3000"), actual=None)
    BudgetLineFactory(action=other_action, year=2026, funder="commune", planned=Decimal("1000"))
    return own_action, other_action


class TestFiles:
    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("dataset", DATASETS)
    def test_type_name_headers_and_rows(self, exporter, plan, convention, dataset, fmt):
        response = export(exporter, dataset, fmt)
        assert response.status_code == 200
        assert response["Content-Type"] == {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}[fmt]
        day = timezone.localdate().isoformat()
        filename = f"{PREFIXES[dataset]}-{slugify(convention.name)}-{day}.{fmt}"
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        headers, rows = read(response, fmt)
        assert headers == list(COLUMNS[dataset].values())
        assert len(rows) == {"fiches": 2, "points-etape": 4, "budget": 3}[dataset]

    def test_csv_is_utf8_with_bom_and_semicolons(self, exporter, plan):
        content = export(exporter, "fiches", "csv").content
        assert content.startswith(b"\xef\xbb\xbf")
        first_line = content.decode("utf-8")[1:].splitlines()[0]
        assert first_line == ";".join(ACTION_COLUMNS.values())
        assert "Intitulé" in first_line  # accents survive

    def test_a_fiche_row_holds_every_field_and_the_latest_point(self, exporter, plan, objective):
        own_action, _ = plan
        own_action.description = "- atelier parents\n- café des familles"
        own_action.save()
        headers, rows = read_csv(export(exporter, "fiches", "csv"))
        row = rows[0]
        latest = timezone.localdate() - timedelta(days=5)
        assert row[A["code"]] == "FA1.1"
        assert row[A["title"]] == "Action du service"
        assert row[A["axis"]] == objective.axis.code
        assert row[A["objective"]] == objective.code
        assert row[A["pilot_service"]] == "Service petite enfance"
        assert row[A["status"]] == "En cours"
        assert row[A["progress"]] == "40"
        assert row[A["start_date"]] == own_action.start_date.strftime("%d/%m/%Y")
        assert row[A["publics"]] == "Parents; Seniors"
        assert row[A["territories"]] == "Palissy"
        assert row[A["partners"]] == "Association Île-de-Loisirs (Co-pilote)"
        assert row[A["description"]] == "'- atelier parents\n- café des familles"  # not a formula for Excel
        assert row[A["archived"]] == "non"
        assert row[A["last_update_at"]] == latest.strftime("%d/%m/%Y")
        assert row[A["last_update_status"]] == "Suspendue"
        assert row[A["last_update_progress"]] == "70"
        assert row[A["last_update_done"]] == "Troisième étape réalisée"
        assert row[A["last_update_difficulties"]] == "Locaux indisponibles"
        assert row[A["last_update_next_steps"]] == "Relancer le bailleur"
        assert rows[1][A["last_update_progress"]] == "10"

    def test_xlsx_cells_are_typed(self, exporter, plan):
        own_action, _ = plan
        own_action.title = "=1+1 n'est pas une formule"
        own_action.save()
        _, rows = read_xlsx(export(exporter, "fiches", "xlsx"))
        assert rows[0][A["title"]] == "=1+1 n'est pas une formule"
        assert rows[0][A["progress"]] == 40
        assert rows[0][A["start_date"]].date() == own_action.start_date
        assert rows[0][A["last_update_at"]].date() == timezone.localdate() - timedelta(days=5)
        _, lines = read_xlsx(export(exporter, "budget", "xlsx"))
        assert (lines[0]["Prévu (€)"], lines[0]["Réalisé (€)"], lines[1]["Réalisé (€)"]) == (12500, 9800.5, None)

    def test_budget_and_points_rows(self, exporter, plan):
        _, lines = read_csv(export(exporter, "budget", "csv"))
        assert lines[0] == {
            "Code action": "FA1.1",
            "Année": "2025",
            "Nature": "Fonctionnement",
            "Financeur": "CAF – bonus territoire CTG",
            "Prévu (€)": "12500,00",
            "Réalisé (€)": "9800,50",
        }
        assert lines[1]["Réalisé (€)"] == ""
        _, points = read_csv(export(exporter, "points-etape", "csv"))
        assert [(p["Code action"], p["Avancement (%)"]) for p in points] == [
            ("FA1.1", "20"),
            ("FA1.1", "60"),
            ("FA1.1", "70"),
            ("FA2.1", "10"),
        ]
        assert points[2]["Statut"] == "Suspendue"
        assert points[2]["Difficultés"] == "Locaux indisponibles"


class TestFilters:
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_status(self, exporter, objective, fmt):
        ActionFactory(objective=objective, code="DONE", done=True)
        ActionFactory(objective=objective, code="OPEN")
        _, rows = read(export(exporter, "fiches", fmt, status="done"), fmt)
        assert codes(rows) == ["DONE"]

    def test_late_applies_to_every_dataset(self, exporter, objective):
        late = ActionFactory(objective=objective, code="LATE", late=True)
        on_time = ActionFactory(objective=objective, code="ONTIME")
        for action in (late, on_time):
            ProgressUpdateFactory(action=action)
            BudgetLineFactory(action=action)
        assert codes(read_csv(export(exporter, "fiches", late="on"))[1]) == ["LATE"]
        for dataset in ("points-etape", "budget"):
            assert codes(read_csv(export(exporter, dataset, late="on"))[1], "Code action") == ["LATE"]

    def test_search_sort_and_many_to_many_filters_keep_one_row_per_action(self, exporter, objective):
        district = TerritoryFactory()
        for code in ("B", "A"):
            action = ActionFactory(objective=objective, code=code, title="Accueil")
            action.territories.set([district, TerritoryFactory()])
            ProgressUpdateFactory(action=action)
        ActionFactory(objective=objective, code="C", title="Autre")
        params = {"q": "accueil", "territory": district.pk, "sort": "-progress"}
        assert codes(read_csv(export(exporter, "fiches", **params))[1]) == ["A", "B"]
        params["sort"] = "last_update"
        assert len(read_csv(export(exporter, "points-etape", **params))[1]) == 2

    def test_archived_are_left_out_unless_asked(self, exporter, objective):
        ActionFactory(objective=objective, code="ARCH", archived=True)
        ActionFactory(objective=objective, code="LIVE")
        assert codes(read_csv(export(exporter))[1]) == ["LIVE"]
        _, rows = read_csv(export(exporter, archived="on"))
        assert codes(rows) == ["ARCH"]
        assert rows[0][A["archived"]] == "oui"

    def test_the_convention_parameter_chooses_the_plan(self, exporter, objective):
        ActionFactory(objective=objective, code="CURRENT")
        other = ConventionFactory(status="drafting", name="CTG suivante")
        ActionFactory(objective=ObjectiveFactory(axis__convention=other), code="NEXT")
        response = export(exporter, convention=other.pk)
        assert codes(read_csv(response)[1]) == ["NEXT"]
        assert "ctg-suivante" in response["Content-Disposition"]

    def test_every_page_is_exported(self, exporter, objective):
        ActionFactory.create_batch(PAGE_SIZE + 5, objective=objective)
        assert len(read_xlsx(export(exporter, "fiches", "xlsx"))[1]) == PAGE_SIZE + 5


class TestRefusals:
    @pytest.mark.parametrize("role", ["coordination", "direction", "elected", "service_head", "tech_admin"])
    def test_every_signed_in_role_may_export(self, client_for, own_action, role):
        assert export(client_for(role)).status_code == 200

    @pytest.mark.parametrize(
        "dataset, fmt", [("fiches", "pdf"), ("actions", "csv"), ("budget", "xls"), ("points-etape", "json")]
    )
    def test_unknown_dataset_or_format(self, exporter, convention, dataset, fmt):
        assert export(exporter, dataset, fmt).status_code == 404

    def test_post_is_refused(self, exporter, convention):
        assert exporter.post(reverse("actions:export", args=["fiches", "csv"])).status_code == 405

    def test_anonymous_goes_to_login(self, client, own_action):
        for target in (
            reverse("actions:export", args=["fiches", "csv"]),
            reverse("actions:pdf", args=[own_action.pk]),
        ):
            response = client.get(target)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))


def make_plan(objective, count: int):
    for action in ActionFactory.create_batch(count, objective=objective):
        action.publics.set([TargetPublic.objects.get_or_create(label="Parents")[0]])
        action.territories.set([TerritoryFactory()])
        ActionPartnerFactory(action=action)
        ProgressUpdateFactory.create_batch(2, action=action)
        BudgetLineFactory.create_batch(2, action=action)


class TestQueries:
    @pytest.mark.parametrize("count", [1, 30])
    @pytest.mark.parametrize("dataset", DATASETS)
    def test_constant(self, exporter, objective, django_assert_max_num_queries, dataset, count):
        make_plan(objective, count)
        # session, user, transaction (2), convention, the "sans nouvelles" thresholds, the rows; for the fiches
        # also the paginated export's count and the prefetched publics, territories and partners.
        with django_assert_max_num_queries(11 if dataset == "fiches" else 7):
            response = export(exporter, dataset, "xlsx")
        assert len(read_xlsx(response)[1]) == count * (1 if dataset == "fiches" else 2)


class TestResources:
    """The contract a later import relies on."""

    @pytest.mark.parametrize(
        "resource, columns",
        [
            (ActionResource, ACTION_COLUMNS),
            (ProgressUpdateResource, PROGRESS_UPDATE_COLUMNS),
            (BudgetLineResource, BUDGET_LINE_COLUMNS),
        ],
    )
    def test_headers_are_the_declared_import_columns(self, db, resource, columns):
        assert resource().export().headers == list(columns.values())

    @pytest.mark.parametrize("resource", [ActionResource, BudgetLineResource])
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_reimporting_an_unchanged_export_changes_nothing(self, exporter, plan, convention, resource, fmt):
        dataset = "fiches" if resource is ActionResource else "budget"
        # The same code in another convention must not be confused with ours.
        ActionFactory(code="FA1.1", objective=ObjectiveFactory(axis__convention=ConventionFactory(status="drafting")))
        response = export(exporter, dataset, fmt)
        if fmt == "csv":
            data = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv", delimiter=";")
        else:
            data = tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")
        result = resource(convention=convention).import_data(data, dry_run=True)
        assert not result.has_errors() and not result.has_validation_errors()
        assert result.totals["skip"] == len(data) > 0

    def test_widgets_read_back_what_they_write(self):
        assert ChoiceLabelWidget(ActionStatus).clean("Réalisée") == "done"
        assert ChoiceLabelWidget(ActionStatus).clean("in_progress") == "in_progress"
        with pytest.raises(ValueError, match="Valeur inconnue"):
            ChoiceLabelWidget(ActionStatus).clean("Terminée")
        assert LocalDateWidget().clean("31/01/2027") == date(2027, 1, 31)
        assert LocalDateWidget().clean(datetime(2027, 1, 31)) == date(2027, 1, 31)
        text = TextWidget()
        for value in ("=SOMME(A1)", "- atelier", "+33 1 23", "@x", "Texte ordinaire", "'déjà cité"):
            assert text.clean(text.render(value, escape_formulae=True)) == value
        pairs = PartnerRolesWidget().clean("Caf du Val-de-Marne (Financeur); Centre (social) (Opérateur)")
        assert pairs == [("Caf du Val-de-Marne", "funder"), ("Centre (social)", "operator")]
        assert PartnerRolesWidget().render(None) == ""  # a new action, in an import's diff


def pdf_text(response) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\u202f\u00a0]", " ", text), len(reader.pages)


class TestFichePdf:
    @pytest.mark.parametrize("role", ["coordination", "direction", "elected", "service_head", "tech_admin"])
    def test_every_signed_in_role_gets_it(self, client_for, own_action, role):
        response = client_for(role).get(reverse("actions:pdf", args=[own_action.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'inline; filename="fiche-FA1.1.pdf"'

    def test_content(self, exporter, plan):
        own_action, _ = plan
        own_action.finding = "Les familles monoparentales du quartier manquent de solutions d'accueil."
        own_action.save()
        MilestoneFactory(action=own_action, title="Ouverture du lieu d'accueil", due_on=date(2026, 9, 1))
        ProgressUpdateFactory.create_batch(4, action=own_action, done="Ancien point", recorded_at=at(date(2020, 1, 1)))
        text, pages = pdf_text(exporter.get(reverse("actions:pdf", args=[own_action.pk])))
        assert "FA1.1" in text and "Action du service" in text
        assert "Association Île-de-Loisirs" in text and "Co-pilote" in text
        assert "12 500,00 €" in text and "9 800,50 €" in text and "15 500,00 €" in text
        assert "1er septembre 2026" in text
        assert "Parents, Seniors" in text and "Palissy" in text
        assert "familles monoparentales" in text and "Troisième étape réalisée" in text
        assert "Les 5 derniers sur 7" in text and text.count("Ancien point") == 2
        assert f"page 1 / {pages}" in text and f"page {pages} / {pages}" in text

    def test_unknown_action(self, exporter, db):
        assert exporter.get(reverse("actions:pdf", args=[999])).status_code == 404

    def test_the_detail_page_links_to_it(self, exporter, own_action):
        response = exporter.get(own_action.get_absolute_url())
        assert reverse("actions:pdf", args=[own_action.pk]) in response.content.decode()
        assert "Version imprimable (PDF)" in response.content.decode()


class TestListBlock:
    def test_links_carry_the_current_filters_in_the_page_and_the_fragment(self, exporter, own_action):
        params = {"convention": own_action.convention.pk, "status": "in_progress", "page": "1"}
        for headers in ({}, {"HX-Request": "true"}):
            html = exporter.get(reverse("actions:list"), params, headers=headers).content.decode()
            for dataset in DATASETS:
                for fmt in FORMATS:
                    url = reverse("actions:export", args=[dataset, fmt])
                    assert f'href="{url}?convention={own_action.convention.pk}&amp;status=in_progress"' in html
