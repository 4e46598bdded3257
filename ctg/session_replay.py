"""Nothing typed is lost when a session expires.

An anonymous POST to a protected page can only come from a form served while the user was logged in: the
session has expired since. Instead of silently sending them to the login page, `SessionReplayMiddleware`
(Django's `LoginRequiredMiddleware`, which it replaces) keeps what was typed in the new anonymous session,
says why a new login is needed, and sends the user back after it to the form's URL. Django's `login()`
cycles the session key but keeps its data, so the stash survives the login. The next GET of that URL shows
the form again, filled with the stashed data (`post_data` in `ctg.views.helpers` binds it), and nothing is
saved until the user presses the button again: a replayed POST would write something they have not
re-read, possibly hours later.

A small form posted from inside a page to a POST-only URL (the fiche's "add a jalon" form) cannot come back at
its own URL: its view is marked with `replayed_on("actions:detail")`, and when the page it was sent from is
one of those (with the same URL arguments), the stash is kept for that page instead, which binds it to the
form whose prefix the fields carry (see `actions.views.detail`).

Left out of the stash: the CSRF token (a new one comes with the new session), files (they cannot be kept in
a session), and any field whose name holds "password". A stash larger than `MAX_STASH_CHARS` is not kept.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "ctg_session_replay"
MAX_STASH_CHARS = 100_000

EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."
EXPIRED_KEPT = (
    "Votre session a expiré : reconnectez-vous. Ce que vous aviez saisi a été conservé : "
    "vous le retrouverez après la connexion, pour le vérifier puis l'enregistrer."
)
EXPIRED_TOO_LONG = "Votre session a expiré : reconnectez-vous. Votre saisie était trop longue pour être conservée."
REPLAYED = (
    "Voici ce que vous aviez saisi avant l'expiration de votre session. Rien n'est encore enregistré : "
    "vérifiez puis enregistrez."
)
NOT_REPLAYED = (
    "Votre session avait expiré : ce que vous aviez envoyé n'a pas été enregistré. Recommencez, s'il vous plaît."
)


def _stashable(request: HttpRequest) -> list[list] | None:
    """The POST fields worth keeping, as JSON-friendly `[name, [values]]` pairs; None if nothing was typed."""
    fields = [
        [name, values]
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and "password" not in name.lower()
    ]
    return fields or None


def _size(fields: list[list]) -> int:
    return sum(len(name) + sum(len(value) for value in values) for name, values in fields)


def _page(request: HttpRequest) -> str | None:
    """The path (and query) of the page the user was on: htmx says it, a plain form's Referer too."""
    url = request.headers.get("HX-Current-URL") if request.htmx else request.headers.get("Referer")
    hosts, secure = {request.get_host()}, request.is_secure()
    if not url or not url_has_allowed_host_and_scheme(url, hosts, secure):
        return None
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # Checked again on its own: "http://host//elsewhere/" holds the protocol-relative "//elsewhere/".
    return path if path.startswith("/") and url_has_allowed_host_and_scheme(path, hosts, secure) else None


def replayed_on(*view_names: str):
    """Mark a POST-only view whose form is shown inside the page of one of `view_names` (URL names): an expired
    session's POST is kept for that page, which shows the form again, rather than lost."""

    def mark(view):
        view.session_replay_pages = frozenset(view_names)
        return view

    return mark


def _host_page(request: HttpRequest, view_func, page: str | None) -> str | None:
    """The page's path when the posting view is marked with `replayed_on` and the page is one of those named,
    about the same object (the same URL arguments: the fiche of the action the jalon was added to)."""
    names = getattr(view_func, "session_replay_pages", None)
    if not names or not page:
        return None
    path = urlsplit(page).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    posted = request.resolver_match
    if match.view_name not in names or posted is None or match.kwargs != posted.kwargs:
        return None
    return path


def _return_path(request: HttpRequest, page: str | None) -> str:
    """Where to come back after the login: the form's own URL, which serves the form as a whole page.

    An htmx form posted from inside another page (a card of "Mes actions") also carries that page as `next`,
    which the point d'étape form uses to go back there once saved."""
    path = request.get_full_path()
    if request.htmx and page and urlsplit(page).path != request.path and "next" not in request.GET:
        path += ("&" if "?" in path else "?") + urlencode({"next": page})
    return path


class SessionReplayMiddleware(LoginRequiredMiddleware):
    """`LoginRequiredMiddleware` that explains the login and keeps what an expired session was sending."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            stash = request.session.pop(SESSION_KEY, None)  # used by this request or never
            if stash and stash["path"] == request.path and request.method == "GET":
                request.session_replay = stash
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        page = _page(request)
        if request.method == "POST":
            target = self._stash(request, page, _host_page(request, view_func, page))
        else:
            # An htmx GET (a filter, a poll) comes back to the page around it, not to its fragment's URL.
            target = page if request.htmx and page else request.get_full_path()
            if request.COOKIES.get(settings.SESSION_COOKIE_NAME):  # sent, yet unknown: it has expired
                messages.warning(request, EXPIRED)
        login_url = resolve_url(self.get_login_url(view_func))
        return redirect_to_login(target, login_url, self.get_redirect_field_name(view_func))

    def _stash(self, request: HttpRequest, page: str | None, host_page: str | None = None) -> str:
        """Keep what was typed for the form's own URL, or for `host_page`, the page that shows the form."""
        fields = _stashable(request)
        if fields is None:
            messages.warning(request, EXPIRED)
            return page or request.get_full_path()
        if _size(fields) > MAX_STASH_CHARS:
            messages.warning(request, EXPIRED_TOO_LONG)
            return page or request.get_full_path()
        request.session[SESSION_KEY] = {"path": host_page or request.path, "page": page, "fields": fields}
        messages.warning(request, EXPIRED_KEPT)
        return page if host_page else _return_path(request, page)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """A POST-only URL cannot show its form again: back to the page it was sent from, saying so."""
        stash = getattr(request, "session_replay", None)
        if stash and response.status_code == 405:
            messages.warning(request, NOT_REPLAYED)
            return redirect(stash["page"] or settings.LOGIN_REDIRECT_URL)
        return response


def replayed_data(request: HttpRequest) -> QueryDict | None:
    """The form data kept when the session expired, for the GET that follows the new login; else None.

    Announces it once, so the user knows the form holds what they typed and is not saved yet."""
    stash = getattr(request, "session_replay", None)
    if stash is None:
        return None
    data = QueryDict(mutable=True)
    for name, values in stash["fields"]:
        data.setlist(name, values)
    data._mutable = False
    if not getattr(request, "session_replay_announced", False):
        request.session_replay_announced = True
        messages.warning(request, REPLAYED)
    return data
