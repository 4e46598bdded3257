"""The import of CAF open-data files into the territorial diagnostic, the children under 3 and the sample files
(the coordination; the samples for everyone signed in).

An import goes upload → preview → confirmation. The upload reads the file (nothing saved) and keeps the
filtered values it found, a few hundred at most, in the session under a token, then shows the preview,
computed against the database at each display; "Confirmer l'import" saves them in one transaction and
forgets them. The file itself is never stored. See `evaluation.opendata` for the rules.
"""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ctg.models import Convention
from ctg.views.helpers import add_form_errors, convention_or_current, post_data, require
from evaluation.charts import value_text
from evaluation.enums import Period
from evaluation.forms.diagnostic import ChildrenForm, ImportForm, year_field_name
from evaluation.models import Indicator
from evaluation.opendata import (
    CHILDREN_KEY,
    DATASETS,
    FIELDS,
    NEW,
    NO_CODES,
    UNCHANGED,
    UPDATED,
    Export,
    Field,
    children_record,
    convention_codes,
    opendata_import,
    plan_import,
    read_export,
)
from evaluation.perms import can_manage_evaluation

logger = logging.getLogger("evaluation")

SESSION_KEY = "evaluation_diagnostic_import"
FIRST_YEAR = 2020
STALE = (
    "Aucun import en attente : l'aperçu a expiré (session perdue ou déconnexion) ou l'import a déjà été confirmé. "
    "Déposez à nouveau le fichier."
)
CHANGED_PREVIEW = "Un autre fichier a été déposé depuis cet aperçu : vérifiez le nouvel aperçu avant de confirmer."
NOT_IMPORTABLE = "Ce fichier contient des erreurs : rien ne peut être importé. Corrigez-le puis déposez-le à nouveau."
IMPORTED = "Import terminé : {created}, {updated}, {unchanged}."
INDICATORS_CREATED = " {count}."
CHILDREN_SAVED = "Enfants de moins de 3 ans enregistrés. Taux de couverture calculés : {computed}."
NOTHING_CHANGED = "Aucune valeur modifiée."
STATE_LABELS = {NEW: "nouvelle valeur", UPDATED: "mise à jour", UNCHANGED: "inchangée"}
# Sample files for users, in the real format with fictional values (docs/exemples/).
SAMPLES = {
    "s_ben_com_f-exemple.csv": "s_ben_com_f",
    "txcouv_pe_com-exemple.csv": "txcouv_pe_com",
    "nbpla_pe_com-exemple.csv": "nbpla_pe_com",
}
SAMPLES_DIR = settings.BASE_DIR / "docs" / "exemples"
get_or_post = require_http_methods(["GET", "POST"])


def counted(count: int, singular: str, plural: str) -> str:
    """ "0 valeur créée", "1 valeur créée", "2 valeurs créées": in French, 0 takes the singular."""
    return f"{count} {singular if count < 2 else plural}"


def convention_url(name: str, convention: Convention) -> str:
    return f"{reverse(name)}?convention={convention.pk}"


# --- Import: upload, preview, confirmation ------------------------------------------------------------------


@get_or_post
def diagnostic_import(request):
    """Upload a file: it is read at once (nothing saved), what it holds for the convention is kept in the
    session, and the preview shows it."""
    require(can_manage_evaluation(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    form = ImportForm(post_data(request), request.FILES or None)
    codes = convention_codes(convention)
    if request.method == "POST" and form.is_valid():
        if not codes:
            form.add_error(None, NO_CODES)
        else:
            upload = form.cleaned_data["file"]
            export = read_export(upload.read(), codes=codes, year=form.cleaned_data["year"])
            request.session[SESSION_KEY] = {
                "token": uuid.uuid4().hex,
                "convention": convention.pk,
                "filename": upload.name[:120],
                "export": export.to_session(),
            }
            logger.info(
                "open data file read",
                extra={"convention": convention.pk, "datasets": export.datasets, "errors": len(export.errors)},
            )
            return redirect(convention_url("evaluation:diagnostic_preview", convention))
    return render(
        request,
        "evaluation/diagnostic_import.html",
        {
            "convention": convention,
            "form": form,
            "codes": codes,
            "datasets": DATASETS,
            "samples": [(name, reverse("evaluation:diagnostic_sample", args=[name])) for name in SAMPLES],
            "children_url": convention_url("evaluation:diagnostic_children", convention),
            "diagnostic_url": convention_url("evaluation:diagnostic", convention),
        },
    )


@dataclass(frozen=True)
class PreviewLine:
    year: int
    old: str
    new: str
    state: str
    label: str
    computed: bool


@dataclass(frozen=True)
class PreviewIndicator:
    spec: Field
    indicator: Indicator | None
    lines: list[PreviewLine]


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    return pending if isinstance(pending, dict) and "export" in pending else None


@require_GET
def diagnostic_preview(request):
    """What the pending import would change, compared with the database now: nothing is saved here."""
    require(can_manage_evaluation(request.user))
    pending = _pending(request)
    convention = Convention.objects.filter(pk=pending["convention"]).first() if pending else None
    if convention is None:
        convention = convention_or_current(request.GET.get("convention"))
        return render(
            request, "evaluation/diagnostic_preview.html", {"convention": convention, "pending": None, "stale": STALE}
        )
    export = Export.from_session(pending["export"])
    plan = plan_import(convention, export.values) if not export.errors else None
    indicators = []
    if plan is not None:
        by_key: dict[str, list[PreviewLine]] = {}
        for change in plan.changes:
            spec = FIELDS[change.key]
            old = "–" if change.old is None else value_text(change.old, spec.decimals)
            by_key.setdefault(change.key, []).append(
                PreviewLine(
                    change.year,
                    old,
                    value_text(change.new, spec.decimals),
                    change.state,
                    STATE_LABELS[change.state],
                    change.computed,
                )
            )
        indicators = [PreviewIndicator(FIELDS[key], plan.indicators.get(key), lines) for key, lines in by_key.items()]
    errors = export.errors or (plan.errors if plan else [])
    return render(
        request,
        "evaluation/diagnostic_preview.html",
        {
            "convention": convention,
            "pending": pending,
            "stale": "",
            "export": export,
            "datasets": [(key, DATASETS[key]) for key in export.datasets],
            "errors": errors,
            "indicators": indicators,
            "summary": _summary(plan) if plan else "",
            "importable": not errors and bool(indicators),
            "import_url": convention_url("evaluation:diagnostic_import", convention),
        },
    )


def _summary(plan) -> str:
    summary = ", ".join(
        [
            counted(plan.count(NEW), "nouvelle valeur", "nouvelles valeurs"),
            counted(plan.count(UPDATED), "mise à jour", "mises à jour"),
            counted(plan.count(UNCHANGED), "inchangée", "inchangées"),
        ]
    )
    if missing := len(plan.missing_keys):
        summary += " ; " + counted(missing, "indicateur de contexte sera créé", "indicateurs de contexte seront créés")
    return summary + "."


@require_POST
def diagnostic_confirm(request):
    """Save the pending import in one transaction (all or nothing), then show the diagnostic."""
    require(can_manage_evaluation(request.user))
    pending = _pending(request)
    convention = Convention.objects.filter(pk=pending["convention"]).first() if pending else None
    if convention is None:
        messages.error(request, STALE)
        return redirect(reverse("evaluation:diagnostic_import"))
    if request.POST.get("token") != pending.get("token"):
        messages.error(request, CHANGED_PREVIEW)
        return redirect(convention_url("evaluation:diagnostic_preview", convention))
    export = Export.from_session(pending["export"])
    if export.errors:
        messages.error(request, NOT_IMPORTABLE)
        return redirect(convention_url("evaluation:diagnostic_preview", convention))
    try:
        counts = opendata_import(convention=convention, values=export.values, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(convention_url("evaluation:diagnostic_preview", convention))
    del request.session[SESSION_KEY]
    logger.info(
        "open data imported",
        extra={
            "convention": convention.pk,
            "file": pending["filename"],
            "datasets": export.datasets,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "indicators": counts.indicators,
        },
    )
    message = IMPORTED.format(
        created=counted(counts.created, "valeur créée", "valeurs créées"),
        updated=counted(counts.updated, "mise à jour", "mises à jour"),
        unchanged=counted(counts.unchanged, "inchangée", "inchangées"),
    )
    if counts.indicators:
        message += INDICATORS_CREATED.format(
            count=counted(counts.indicators, "indicateur de contexte créé", "indicateurs de contexte créés")
        )
    messages.success(request, message)
    return redirect(convention_url("evaluation:diagnostic", convention))


# --- Children under 3, sample files -------------------------------------------------------------------------


@get_or_post
def diagnostic_children(request):
    """The coordination enters the children under 3 per year (INSEE); the coverage rates of those years are
    computed again where the CAF gave none."""
    require(can_manage_evaluation(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    indicator = Indicator.objects.of_convention(convention).filter(open_data_key=CHILDREN_KEY).first()
    stored = {}
    if indicator is not None:
        measurements = indicator.measurements.filter(period=Period.YEAR)
        stored = dict(measurements.values_list("year", "value"))
    years = list(range(min([FIRST_YEAR, *stored]), max([timezone.localdate().year, *stored]) + 1))
    form = ChildrenForm(post_data(request), years=years, stored=stored)
    if request.method == "POST" and form.is_valid():
        if not form.entries:
            messages.info(request, NOTHING_CHANGED)
            return redirect(convention_url("evaluation:diagnostic", convention))
        try:
            counts = children_record(convention=convention, entries=form.entries, by=request.user)
        except ValidationError as error:
            _add_year_errors(form, error)
        else:
            logger.info("children under 3 recorded", extra={"convention": convention.pk, "years": list(form.entries)})
            messages.success(request, CHILDREN_SAVED.format(computed=counts.created + counts.updated))
            return redirect(convention_url("evaluation:diagnostic", convention))
    return render(
        request,
        "evaluation/diagnostic_children.html",
        {
            "convention": convention,
            "form": form,
            "year_fields": [form[year_field_name(year)] for year in years],
            "shown_fields": [form[f"shown_{year}"] for year in years],
            "diagnostic_url": convention_url("evaluation:diagnostic", convention),
        },
    )


def _add_year_errors(form: ChildrenForm, error: ValidationError) -> None:
    """A refused year (keyed by the year in `children_record`) next to its field, other errors above."""
    if not hasattr(error, "error_dict"):
        add_form_errors(form, error)
        return
    for key, texts in error.message_dict.items():
        name = year_field_name(int(key)) if key.isdigit() else None
        form.add_error(name if name in form.fields else None, texts)


@require_GET
def diagnostic_sample(request, name: str):
    """A sample file in the CAF's format (fictional values), to see what the import expects."""
    if name not in SAMPLES:
        raise Http404("Fichier d'exemple inconnu.")
    return FileResponse(
        (SAMPLES_DIR / name).open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )


urlpatterns = [
    path("diagnostic/import/", diagnostic_import, name="diagnostic_import"),
    path("diagnostic/import/apercu/", diagnostic_preview, name="diagnostic_preview"),
    path("diagnostic/import/confirmer/", diagnostic_confirm, name="diagnostic_confirm"),
    path("diagnostic/enfants-moins-de-3-ans/", diagnostic_children, name="diagnostic_children"),
    path("diagnostic/exemples/<str:name>", diagnostic_sample, name="diagnostic_sample"),
]
