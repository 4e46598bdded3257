"""French error pages, in every mode.

Django renders its 400 and 500 pages with an empty context: the request may be what is broken and the
database may be down. `bad_request` and `server_error` do the same with our templates, giving `base.html`
only the few values it prints, so these pages never run a context processor nor touch the database.
The 403 and 404 pages are Django's own handlers with our templates (`403.html`, `404.html`); a refused form
token gets `csrf_failure` (`CSRF_FAILURE_VIEW`); the 405 page and the pages shown with DEBUG on (the demo)
come from `ctg.middleware.ErrorPagesMiddleware`.
"""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader

# The short text an htmx request gets instead of a whole page (app.js announces its own message).
METHOD_NOT_ALLOWED_TEXT = "Cette adresse ne s'utilise pas ainsi : revenez à la page précédente et réessayez."


def _render_without_request(template_name: str) -> str:
    """Render an error page without the request: no user, no context processor, no database."""
    return loader.get_template(template_name).render({"csrf_token": "", "demo_banner": settings.CTG_DEMO_BANNER})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseBadRequest(_render_without_request("400.html"))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(_render_without_request("500.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose security token did not match (`CSRF_FAILURE_VIEW`): most often a page left open for
    hours, or opened before the last login. Django's own page says so in English."""
    return HttpResponseForbidden(_render_without_request("403_csrf.html"))


def page_not_found(request: HttpRequest) -> HttpResponse:
    """Our 404 page with the request (the navigation of the signed-in user), as Django's handler does."""
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def method_not_allowed(request: HttpRequest, original: HttpResponseNotAllowed) -> HttpResponse:
    """The French 405 page for a response of `require_POST` & co., keeping its `Allow` header."""
    if getattr(request, "htmx", False):
        response = HttpResponse(METHOD_NOT_ALLOWED_TEXT, content_type="text/plain; charset=utf-8", status=405)
    else:
        response = HttpResponse(loader.render_to_string("405.html", request=request), status=405)
    response["Allow"] = original["Allow"]
    # `require_POST` & co. have already logged the refusal: Django would log it again for the new response.
    response._has_been_logged = getattr(original, "_has_been_logged", False)
    return response
