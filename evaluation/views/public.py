"""The public answer page of a survey, `e/<token>/`: no account, no JavaScript needed, a plain POST then the
thank-you page (post/redirect/get).

Abuse is handled in this order:
- Django's CSRF check (the page sets the cookie with `ensure_csrf_cookie`);
- the honeypot (`HONEYPOT`): a field moved off-screen by CSS, hidden from screen readers (`aria-hidden` on its
  wrapper), out of the tab order (`tabindex="-1"`) and never autofilled (`autocomplete="off"`), so that
  nobody sees it; its label says not to fill it, for any user agent that would show it. Filled, the thank-you
  page comes as for a real answer (the robot learns nothing) and nothing is stored;
- the dates: before the opening day or after the closing day nothing is stored and the page says when the
  survey opens (200) or since when it is closed (410 Gone);
- the one-time `nonce`, signed, carried by the form: a second POST of the same form (a double click, the
  back button) shows the thank-you page again and stores nothing (`Response.nonce` is unique);
- a rate limit per address and survey (`RATE_LIMIT` responses per `RATE_WINDOW`), on a keyed hash of the
  address (`client_hash`: the address itself is never stored), answered 429 with the answers kept.

The dates, the nonce and the rate limit are checked again under a lock on the survey's row, which also
serialises the responses of one survey with the edits of its questions.
"""

import enum
import logging
import secrets
from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from ctg.security import client_ip
from ctg.templatetags.french import long_date
from evaluation.forms.surveys import HONEYPOT, AnswerForm
from evaluation.models import Answer, Response, Survey
from evaluation.tallies import tallies_add

logger = logging.getLogger("evaluation")

RATE_LIMIT = 10
RATE_WINDOW = timedelta(hours=1)
RATE_LIMITED = (
    "Beaucoup de réponses à cette enquête sont déjà arrivées de votre connexion dans l'heure : par précaution, "
    "la vôtre n'a pas encore été enregistrée. Vos réponses sont conservées ci-dessous : réessayez dans une heure."
)
NOT_YET_OPEN = "L'enquête ouvrira le {date}. Revenez à partir de ce jour-là pour y répondre."
CLOSED = (
    "L'enquête est close depuis le {date} : les réponses étaient possibles jusqu'au {last}. Merci de votre intérêt."
)
FORM_EXPIRED = "Ce formulaire n'était plus valable : vos réponses sont conservées, envoyez-les à nouveau."
NONCE_SALT = "evaluation.survey.nonce"
CLIENT_SALT = "evaluation.survey.client"


class Outcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


def new_nonce(survey: Survey) -> str:
    """A one-time token for one display of the form, signed with the survey it belongs to."""
    return signing.dumps({"s": survey.pk, "n": secrets.token_urlsafe(24)}, salt=NONCE_SALT)


def read_nonce(survey: Survey, signed: str) -> str | None:
    """The nonce of a signed token of this survey's form; None if forged or of another survey."""
    try:
        data = signing.loads(signed or "", salt=NONCE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != survey.pk or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def client_hash(request) -> str:
    """A keyed hash (SECRET_KEY) of the visitor's address, found as for the login throttling (behind
    `REVERSE_PROXY_COUNT` proxies, from X-Forwarded-For)."""
    return salted_hmac(CLIENT_SALT, client_ip(request) or "", algorithm="sha256").hexdigest()


@transaction.atomic
def response_submit(*, survey: Survey, answers: list, nonce: str, client: str) -> Outcome:
    """Store one response and its answers, unless the survey is not open today, this form was already sent,
    or the address has sent `RATE_LIMIT` responses to this survey within `RATE_WINDOW`."""
    survey = Survey.objects.select_for_update().filter(pk=survey.pk).first()
    if survey is None or not survey.is_open():
        return Outcome.UNAVAILABLE
    if Response.objects.filter(nonce=nonce).exists():
        return Outcome.DUPLICATE
    since = timezone.now() - RATE_WINDOW
    if Response.objects.filter(survey=survey, client_hash=client, submitted_at__gte=since).count() >= RATE_LIMIT:
        return Outcome.RATE_LIMITED
    # A question deleted while the form was being filled in takes its answer with it; one whose kind changed
    # meanwhile (it had no answer yet) drops it too: the answer was given to another question.
    current = dict(survey.questions.values_list("pk", "kind"))
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, client_hash=client, nonce=nonce)
    except IntegrityError:  # the same form, sent twice at the same instant
        return Outcome.DUPLICATE
    stored = Answer.objects.bulk_create(
        Answer(response=response, question=question, value=value, score=score)
        for question, value, score in answers
        if current.get(question.pk) == question.kind
    )
    tallies_add(stored)
    logger.info("survey response stored", extra={"survey": survey.pk, "response": response.pk})
    return Outcome.STORED


def unavailable(request, survey: Survey):
    """The page of a survey that is not open today: 200 before its opening, 410 once closed."""
    today = timezone.localdate()
    if today < survey.opens_on:
        message, status = NOT_YET_OPEN.format(date=long_date(survey.opens_on)), 200
    else:
        closed_on = long_date(survey.closes_on + timedelta(days=1))
        message, status = CLOSED.format(date=closed_on, last=long_date(survey.closes_on)), 410
    return render(request, "evaluation/public_unavailable.html", {"survey": survey, "message": message}, status=status)


def answer_page(request, survey: Survey, form: AnswerForm, signed_nonce: str, *, alert: str = "", status=200):
    context = {"survey": survey, "form": form, "signed_nonce": signed_nonce, "alert": alert, "honeypot": HONEYPOT}
    return render(request, "evaluation/public_answer.html", context, status=status)


@login_not_required
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    survey = get_object_or_404(Survey.objects.select_related("convention__territory"), token=token)
    if not survey.is_open():
        return unavailable(request, survey)
    questions = list(survey.questions.all())
    if request.method == "GET":
        return answer_page(request, survey, AnswerForm(questions), new_nonce(survey))

    form = AnswerForm(questions, request.POST)
    if form.honeypot_filled:
        logger.info("survey honeypot filled", extra={"survey": survey.pk})
        return redirect("evaluation:survey_thanks", token=survey.token)
    signed = request.POST.get("nonce", "")
    nonce = read_nonce(survey, signed)
    if nonce is None:
        form.is_valid()
        return answer_page(request, survey, form, new_nonce(survey), alert=FORM_EXPIRED)
    if not form.is_valid():
        return answer_page(request, survey, form, signed)
    outcome = response_submit(survey=survey, answers=form.answers(), nonce=nonce, client=client_hash(request))
    if outcome is Outcome.UNAVAILABLE:
        return unavailable(request, get_object_or_404(Survey, pk=survey.pk))
    if outcome is Outcome.RATE_LIMITED:
        logger.info("survey rate limit reached", extra={"survey": survey.pk})
        response = answer_page(request, survey, form, signed, alert=RATE_LIMITED, status=429)
        response["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
        return response
    return redirect("evaluation:survey_thanks", token=survey.token)


@login_not_required
@require_GET
def survey_thanks(request, token):
    survey = get_object_or_404(Survey.objects.select_related("convention__territory"), token=token)
    return render(request, "evaluation/public_thanks.html", {"survey": survey})


urlpatterns = [
    path("e/<str:token>/", survey_answer, name="survey_answer"),
    path("e/<str:token>/merci/", survey_thanks, name="survey_thanks"),
]
