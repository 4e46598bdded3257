"""Login throttling (django-axes): the client's address behind a reverse proxy, and the French lock-out page.

The settings that use these functions are in `ctg/settings/base.py` (`AXES_*`).
"""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

LOCKOUT_STATUS = 429
LOCKOUT_MESSAGE = (
    "Trop d'essais de connexion ont échoué pour cet identifiant : par sécurité, le compte est bloqué "
    "pendant {minutes} minutes, même avec le bon mot de passe. Réessayez après ce délai ; si vous avez "
    "oublié votre mot de passe, utilisez « Mot de passe oublié ? » ou adressez-vous à la coordination."
)


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address, for the lock-out records.

    Behind `REVERSE_PROXY_COUNT` reverse proxies (nginx in front of gunicorn: 1), each proxy appends the
    address it received the request from to `X-Forwarded-For`: the visitor's is the one the outermost proxy
    appended, `count` places from the right. What stands further left was written by the visitor and
    could be forged. Without proxies (the default), the header is ignored and `REMOTE_ADDR` is used.
    """
    count = settings.REVERSE_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page again, with the lock-out explained in French (status 429 and `Retry-After`).

    Used for the application's login and the admin's: the form posts back to the page it came from, and
    both read the same fields. Its form is unbound, so showing it tries no password."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context = {
        "form": AuthenticationForm(request),
        "next": next_url,
        "lockout_message": LOCKOUT_MESSAGE.format(minutes=lockout_minutes()),
    }
    response = render(request, "registration/login.html", context, status=LOCKOUT_STATUS)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
