"""A survey's results (read by the coordination, the direction and the élus), its exports, and the
coordination's one click that records the share of 4 and 5 of a scale question as an indicator's value."""

import csv
import io
import logging
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from actions.views.exports import BOM, CSV_DELIMITER, CSV_TYPE, XLSX_TYPE, xlsx_bytes
from ctg.views.helpers import require
from evaluation.enums import IndicatorKind, Period, Provenance, QuestionKind
from evaluation.forms.surveys import RecordMeasurementForm
from evaluation.models import Indicator, Measurement, Question, Survey
from evaluation.numbers import format_decimal
from evaluation.perms import can_manage_evaluation, can_read_surveys
from evaluation.services import IndicatorGone, measurement_record
from evaluation.survey_results import export_table, high_share_of, question_results, state_of, with_counts

logger = logging.getLogger("evaluation")

TEXT_PAGE_SIZE = 25
FORMATS = ("csv", "xlsx")
# A cell starting with one of these would be run as a formula by a spreadsheet: the answers come from
# anybody, so such a cell is written with a leading apostrophe in the CSV (the xlsx stores it as text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

INDICATOR_MISSING = "Cet indicateur n'existe plus dans cette convention : rien n'a été enregistré."
NO_ANSWER = "Personne n'a encore répondu à cette question : il n'y a rien à enregistrer."
RECORDED = "{value} % enregistré pour « {indicator} » en {year} (part des notes de 4 ou 5 sur {n} réponses)."
REPLACED = " Cette valeur remplace {previous} enregistrée auparavant ({provenance})."
COMMENT = "Enquête « {title} » : {n} réponses à « {question} », part des notes de 4 ou 5 sur 5."


def indicator_choices(survey: Survey) -> list[tuple[int, str]]:
    """The indicators a result may feed: those of the actions the survey evaluates, and those of the convention's
    axes, objectives or CTG attached to no action; context indicators aside. Bounded by what the survey is about,
    not by the size of the plan (a select of every indicator grew with it)."""
    indicators = (
        Indicator.objects.of_convention(survey.convention_id)
        .exclude(kind=IndicatorKind.CONTEXT)
        .filter(Q(action__isnull=True) | Q(action__in=survey.actions.all()))
    )
    return [
        (pk, f"{code} – {name}" + (f" ({unit})" if unit else ""))
        for pk, code, name, unit in indicators.order_by("code").values_list("pk", "code", "name", "unit")
    ]


def results_context(request, survey: Survey, *, bound: dict | None = None) -> dict:
    """The page's rows: (result of a question, form recording it in an indicator or None)."""
    results = question_results(survey)
    can_record = can_manage_evaluation(request.user)
    choices = indicator_choices(survey) if can_record else []
    rows = []
    for result in results:
        form = None
        if can_record and result.question.kind == QuestionKind.SCALE and result.respondents:
            form = (bound or {}).get(result.question.pk) or RecordMeasurementForm(
                prefix=f"q{result.question.pk}", indicator_choices=choices, initial={"year": survey.closes_on.year}
            )
        rows.append((result, form))
    return {
        "survey": survey,
        "state": state_of(survey),
        "rows": rows,
        "can_manage": can_record,
        "has_indicators": bool(choices),
    }


def require_reader(request) -> None:
    require(can_read_surveys(request.user))


def survey_with_counts(pk: int) -> Survey:
    return get_object_or_404(with_counts(Survey.objects.select_related("convention")), pk=pk)


@require_GET
def survey_results(request, pk):
    require_reader(request)
    survey = survey_with_counts(pk)
    return render(request, "evaluation/survey_results.html", results_context(request, survey))


@require_GET
def survey_text_answers(request, pk):
    """Every answer to a free-text question, the latest first, 25 per page."""
    require_reader(request)
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk, kind=QuestionKind.TEXT)
    answers = question.answers.select_related("response").order_by("-response__submitted_at", "-pk")
    page = Paginator(answers, TEXT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "evaluation/survey_text_answers.html", {"question": question, "survey": question.survey, "page": page}
    )


def csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


@require_GET
def survey_export(request, pk, fmt):
    """The raw answers, one row per response and one column per question, as CSV (";", UTF-8 with BOM, for
    a French Excel) or xlsx."""
    require_reader(request)
    if fmt not in FORMATS:
        raise Http404("Format d'export inconnu.")
    survey = get_object_or_404(Survey, pk=pk)
    headers, rows = export_table(survey)
    if fmt == "csv":
        content = csv_bytes(headers, rows)
    else:
        content = xlsx_bytes(tablib.Dataset(*rows, headers=headers), "Réponses")
    filename = f"enquete-{slugify(survey.title) or survey.pk}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return HttpResponse(
        content,
        content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_POST
def survey_record_measurement(request, pk):
    """Store the share of 4 and 5 of a scale question (%, to the indicator's decimals) as the value of the
    chosen indicator for the chosen year, provenance « Enquête ». An existing value is replaced, and the
    message says which."""
    require(can_manage_evaluation(request.user))
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk, kind=QuestionKind.SCALE)
    survey = question.survey
    form = RecordMeasurementForm(request.POST, prefix=f"q{pk}", indicator_choices=indicator_choices(survey))
    if not form.is_valid():
        context = results_context(request, survey_with_counts(survey.pk), bound={pk: form})
        return render(request, "evaluation/survey_results.html", context)
    back = f"{reverse('evaluation:survey_results', args=[survey.pk])}#question-{pk}"
    year = form.cleaned_data["year"]
    # Locked until the end of the request: the value replaced is the one the message names.
    indicator = (
        Indicator.objects.select_for_update().filter(
            pk=form.cleaned_data["indicator"], convention=survey.convention_id
        )
    ).first()
    if indicator is None:
        messages.error(request, INDICATOR_MISSING)
        return redirect(back)
    high, respondents = high_share_of(question)
    if high is None:
        messages.error(request, NO_ANSWER)
        return redirect(back)
    value = high.quantize(Decimal(1).scaleb(-indicator.decimals), rounding=ROUND_HALF_UP)
    previous = Measurement.objects.filter(indicator=indicator, year=year, period=Period.YEAR).first()
    comment = COMMENT.format(title=survey.title, n=respondents, question=question.text)
    try:
        measurement_record(
            indicator=indicator, year=year, value=value, by=request.user, comment=comment, provenance=Provenance.SURVEY
        )
    except IndicatorGone:
        messages.error(request, INDICATOR_MISSING)
        return redirect(back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    message = RECORDED.format(value=format_decimal(value), indicator=indicator, year=year, n=respondents)
    if previous is not None:
        message += REPLACED.format(
            previous=format_decimal(previous.value), provenance=previous.get_provenance_display().lower()
        )
    logger.info("survey result recorded", extra={"survey": survey.pk, "question": pk, "indicator": indicator.pk})
    messages.success(request, message)
    return redirect(back)


urlpatterns = [
    path("enquetes/<int:pk>/resultats/", survey_results, name="survey_results"),
    path("enquetes/<int:pk>/export.<str:fmt>", survey_export, name="survey_export"),
    path("enquetes/questions/<int:pk>/reponses/", survey_text_answers, name="survey_text_answers"),
    path("enquetes/questions/<int:pk>/indicateur/", survey_record_measurement, name="survey_record_measurement"),
]
