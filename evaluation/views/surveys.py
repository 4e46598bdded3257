"""Satisfaction surveys, coordination side: the list, the builder (survey and questions), the QR code and
its poster. The results, the exports and the recording of a result as an indicator's value are in
`evaluation.views.surveys_results`; the public answer page in `evaluation.views.public`.

Every write locks the survey's row first (the public page does too before storing a response): edits of
its questions are served one at a time, and never cross a response being stored. On the builder, htmx
re-renders the list of questions in place; without JavaScript the same forms post and redirect.
"""

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ctg.views.helpers import convention_or_current, form_page, lock_instance, post_data, require
from evaluation.forms.surveys import QuestionForm, SurveyForm
from evaluation.models import Question, Survey
from evaluation.perms import can_manage_evaluation, can_read_surveys
from evaluation.qr import public_url, qr_svg, short_url
from evaluation.survey_results import state_of, with_counts
from evaluation.views import surveys_results

logger = logging.getLogger("evaluation")
get_or_post = require_http_methods(["GET", "POST"])

PAGE_SIZE = 20
SURVEY_GONE = "Cette enquête vient d'être supprimée : rien n'a été enregistré."
QUESTION_GONE = "Cette question vient d'être supprimée."


def lock_survey(pk: int) -> Survey | None:
    return Survey.objects.select_for_update().filter(pk=pk).first()


def answered_by(questions):
    """Annotate `answer_count`: the number of responses that answered each question."""
    return questions.annotate(answer_count=Count("answers__response", distinct=True)).order_by("order", "pk")


# --- List, create, edit, delete ---------------------------------------------------------------------------


@require_GET
def survey_list(request):
    require(can_read_surveys(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    surveys = with_counts(Survey.objects.filter(convention=convention)).order_by("-opens_on", "title", "pk")
    page = Paginator(surveys, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for survey in page.object_list:
        survey.state = state_of(survey, today)
    context = {
        "convention": convention,
        "page": page,
        "query": f"convention={convention.pk}" if request.GET.get("convention") else "",
        "can_manage": can_manage_evaluation(request.user),
    }
    return render(request, "evaluation/survey_list.html", context)


def list_url(survey: Survey) -> str:
    return f"{reverse('evaluation:survey_list')}?convention={survey.convention_id}"


@get_or_post
def survey_create(request):
    require(can_manage_evaluation(request.user))
    convention = convention_or_current(request.GET.get("convention"))
    survey = Survey(convention=convention, created_by=request.user)
    return form_page(
        request,
        SurveyForm(post_data(request), instance=survey),
        title="Nouvelle enquête de satisfaction",
        success_url=lambda obj: obj.get_absolute_url(),
        cancel_url=list_url(survey),
        success_message="L'enquête « {} » est créée : ajoutez-lui ses questions.",
    )


@get_or_post
def survey_edit(request, pk):
    require(can_manage_evaluation(request.user))
    survey = get_object_or_404(Survey, pk=pk)
    return form_page(
        request,
        SurveyForm(post_data(request), instance=survey),
        title=f"Modifier l'enquête « {survey} »",
        success_url=lambda obj: obj.get_absolute_url(),
        cancel_url=survey.get_absolute_url(),
        success_message="Enquête enregistrée : « {} ».",
    )


@get_or_post
def survey_delete(request, pk):
    """Deleting a survey deletes its questions and responses: the page says how many first."""
    require(can_manage_evaluation(request.user))
    survey = get_object_or_404(with_counts(Survey.objects.all()), pk=pk)
    if request.method == "POST":
        if lock_instance(survey):
            survey.delete()
            logger.info("survey deleted", extra={"survey": pk})
            messages.success(request, f"L'enquête « {survey} » a été supprimée, avec ses réponses.")
        else:
            messages.info(request, f"L'enquête « {survey} » avait déjà été supprimée.")
        return redirect(list_url(survey))
    return render(request, "evaluation/survey_delete.html", {"survey": survey})


# --- The builder ------------------------------------------------------------------------------------------


def mark_focus(questions: list[Question], focus: str) -> None:
    """After a move (`focus` "<pk>-up" or "<pk>-down"), focus goes back to the button that was pressed, or to
    the other one once the question reached the top or the bottom."""
    for index, question in enumerate(questions):
        question.focus_up = question.focus_down = question.focus_item = False
        if focus not in (f"{question.pk}-up", f"{question.pk}-down"):
            continue
        can_up, can_down = index > 0, index < len(questions) - 1
        if can_up and (focus.endswith("-up") or not can_down):
            question.focus_up = True
        elif can_down:
            question.focus_down = True
        else:
            question.focus_item = True


def builder_context(request, survey: Survey, **extra) -> dict:
    if not hasattr(survey, "response_count"):
        survey = with_counts(Survey.objects.filter(pk=survey.pk)).get()
    questions = list(answered_by(survey.questions.all()))
    mark_focus(questions, extra.get("focus", ""))
    return {
        "survey": survey,
        "state": state_of(survey),
        "questions": questions,
        "public_url": public_url(survey, request),
        "add_form": QuestionForm(prefix="new-question"),
        "actions": survey.actions.order_by("code"),
        "status_message": "",
        "focus": "",
        **extra,
    }


@require_GET
def survey_detail(request, pk):
    require(can_manage_evaluation(request.user))
    survey = get_object_or_404(with_counts(Survey.objects.all()), pk=pk)
    return render(request, "evaluation/survey_detail.html", builder_context(request, survey))


def questions_region(request, survey: Survey, **extra) -> HttpResponse:
    """The list of questions again: for htmx the region and, out of band, the status message; without
    JavaScript the whole builder page (an invalid form shows its errors there)."""
    context = builder_context(request, survey, **extra)
    if not request.htmx:
        return render(request, "evaluation/survey_detail.html", context)
    html = render_to_string("evaluation/survey_detail.html#questions", context, request)
    html += render_to_string("evaluation/survey_detail.html#questions-status", {**context, "oob": True}, request)
    return HttpResponse(html)


def questions_done(request, survey: Survey, message: str, *, focus: str = "", anchor: str = "questions"):
    logger.info("survey %s: %s by %s", survey.pk, message, request.user)
    if request.htmx:
        return questions_region(request, survey, status_message=message, focus=focus)
    messages.success(request, message)
    return redirect(f"{survey.get_absolute_url()}#{anchor}")


def survey_gone(request) -> HttpResponse:
    messages.error(request, SURVEY_GONE)
    if request.htmx:
        return HttpResponseClientRedirect(reverse("evaluation:survey_list"))
    return redirect("evaluation:survey_list")


@require_POST
def question_add(request, pk):
    require(can_manage_evaluation(request.user))
    survey = lock_survey(pk)
    if survey is None:
        return survey_gone(request)
    form = QuestionForm(request.POST, prefix="new-question", instance=Question(survey=survey))
    if not form.is_valid():
        return questions_region(request, survey, add_form=form, focus="add")
    question = form.save(commit=False)
    question.order = (survey.questions.aggregate(last=Max("order"))["last"] or 0) + 1
    question.save()
    return questions_done(request, survey, f"Question ajoutée : « {question} ».", focus="add")


@get_or_post
def question_edit(request, pk):
    """A full page. Once the survey has answers the page warns that rewording changes what they meant, and
    the kind can no longer change (the form refuses it)."""
    require(can_manage_evaluation(request.user))
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    survey = question.survey
    if request.method == "POST" and lock_survey(survey.pk) is None:
        return survey_gone(request)
    answer_count = question.answers.values("response").distinct().count()
    form = QuestionForm(post_data(request), instance=question, has_answers=answer_count > 0)
    return form_page(
        request,
        form,
        title=f"Modifier la question « {question.text} »",
        success_url=lambda obj: f"{survey.get_absolute_url()}#question-{obj.pk}",
        cancel_url=f"{survey.get_absolute_url()}#question-{question.pk}",
        success_message="Question enregistrée : « {} ».",
        template="evaluation/survey_question_form.html",
        context={"survey": survey, "answer_count": answer_count},
    )


def renumber(survey: Survey, questions: list[Question] | None = None) -> None:
    """Orders 1, 2, 3… in the given order (by default the current one); only the rows that change are saved."""
    questions = list(survey.questions.all()) if questions is None else questions
    changed = []
    for position, question in enumerate(questions, start=1):
        if question.order != position:
            question.order = position
            changed.append(question)
    Question.objects.bulk_update(changed, ["order"])


@get_or_post
def question_delete(request, pk):
    """GET asks for confirmation. A POST deletes at once a question nobody answered; for one with answers it
    asks first (the builder links to the confirmation page for those), unless the POST confirms."""
    require(can_manage_evaluation(request.user))
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    survey = question.survey
    answer_count = question.answers.values("response").distinct().count()
    if request.method == "POST":
        if lock_survey(survey.pk) is None:
            return survey_gone(request)
        if not lock_instance(question):
            return questions_done(request, survey, QUESTION_GONE)
        answer_count = question.answers.values("response").distinct().count()
        if not answer_count or request.POST.get("confirm") == "1":
            question.delete()
            renumber(survey)
            return questions_done(request, survey, f"Question supprimée : « {question} ».", focus="heading")
        if request.htmx:  # answers arrived since the builder was shown: ask on a page of its own
            return HttpResponseClientRedirect(reverse("evaluation:survey_question_delete", args=[pk]))
    context = {"question": question, "survey": survey, "answer_count": answer_count}
    return render(request, "evaluation/survey_question_delete.html", context)


@require_POST
def question_move(request, pk):
    """Move a question one place up or down (`direction`), then number the questions 1, 2, 3…"""
    require(can_manage_evaluation(request.user))
    question = get_object_or_404(Question, pk=pk)
    direction = request.POST.get("direction")
    survey = lock_survey(question.survey_id)
    if survey is None:
        return survey_gone(request)
    questions = list(survey.questions.all())
    index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
    if index is None:
        return questions_done(request, survey, QUESTION_GONE)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else index
    if 0 <= target < len(questions) and target != index:
        questions[index], questions[target] = questions[target], questions[index]
        index = target
    renumber(survey, questions)
    message = f"« {question.text} » est la question {index + 1} sur {len(questions)}."
    focus = f"{question.pk}-{direction}" if direction in ("up", "down") else ""
    return questions_done(request, survey, message, focus=focus, anchor=f"question-{question.pk}")


# --- QR code and poster -----------------------------------------------------------------------------------


@require_GET
def survey_qr(request, pk):
    require(can_manage_evaluation(request.user))
    survey = get_object_or_404(Survey, pk=pk)
    svg = qr_svg(public_url(survey, request), title=f"QR code de l'enquête « {survey.title} »")
    filename = f"qr-enquete-{slugify(survey.title) or survey.pk}.svg"
    return HttpResponse(
        svg,
        content_type="image/svg+xml",
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )


@require_GET
def survey_poster(request, pk):
    """A page to print (A4): title, QR code, the address to type, the dates."""
    require(can_manage_evaluation(request.user))
    survey = get_object_or_404(Survey, pk=pk)
    url = public_url(survey, request)
    context = {"survey": survey, "public_url": url, "short_url": short_url(url), "state": state_of(survey)}
    return render(request, "evaluation/survey_poster.html", context)


urlpatterns = [
    path("enquetes/", survey_list, name="survey_list"),
    path("enquetes/nouvelle/", survey_create, name="survey_create"),
    path("enquetes/<int:pk>/", survey_detail, name="survey_detail"),
    path("enquetes/<int:pk>/modifier/", survey_edit, name="survey_edit"),
    path("enquetes/<int:pk>/supprimer/", survey_delete, name="survey_delete"),
    path("enquetes/<int:pk>/questions/ajouter/", question_add, name="survey_question_add"),
    path("enquetes/questions/<int:pk>/modifier/", question_edit, name="survey_question_edit"),
    path("enquetes/questions/<int:pk>/supprimer/", question_delete, name="survey_question_delete"),
    path("enquetes/questions/<int:pk>/deplacer/", question_move, name="survey_question_move"),
    path("enquetes/<int:pk>/qr/", survey_qr, name="survey_qr"),
    path("enquetes/<int:pk>/affiche/", survey_poster, name="survey_poster"),
    *surveys_results.urlpatterns,
]
