import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, DisallowedHost, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.log import log_response
from django_htmx.http import HttpResponseClientRedirect

from ctg.views import errors


class AllowedHostMiddleware:
    """A request for a host that `ALLOWED_HOSTS` does not list gets our French 400 page, in every mode.

    Django refuses such a host (`DisallowedHost`) where a middleware first reads it (security, common, CSRF…),
    and with DEBUG on (the demo) answers with its technical page, in English. Checked here, before those
    middlewares, the request goes no further; the refusal is logged as Django logs it, to
    `django.security.DisallowedHost`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost as error:
            response = errors.bad_request(request, error)
            log_response(
                str(error),
                exception=error,
                request=request,
                response=response,
                level="error",
                logger=logging.getLogger("django.security.DisallowedHost"),
            )
            return response
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """When a session has expired, an htmx request must load the login page as a whole page instead
    of swapping it into the fragment being updated."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_url = resolve_url(settings.LOGIN_URL)

    def __call__(self, request):
        response = self.get_response(request)
        if request.htmx and response.status_code == 302 and response.url.startswith(self.login_url):
            return HttpResponseClientRedirect(response.url)
        return response


class PermissionsPolicyMiddleware:
    """The `Permissions-Policy` header: the application uses no camera, microphone, location, payment…, so
    neither it nor anything injected into it may ask the browser for them (`PERMISSIONS_POLICY` setting)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class ErrorPagesMiddleware:
    """Our French pages where Django answers in English, empty or with its debug pages.

    - 405: `require_POST` & co. return an empty `HttpResponseNotAllowed`; it becomes `405.html` (a short
      text for htmx), with the same `Allow` header. In every mode.
    - With DEBUG on (`make demo`): an unknown URL, `Http404`, a bad request and an exception in a view give
      `404.html`, `400.html` and `500.html` instead of Django's technical pages; the traceback of a 500 still
      goes to the console through the `django.request` logger. With DEBUG off, Django's handlers
      (`ctg.urls.handler400`…) already render the same templates, and this middleware lets them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not self._resolves(request):
            response = errors.page_not_found(request)
        else:
            response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            return errors.method_not_allowed(request, response)
        return response

    @staticmethod
    def _resolves(request) -> bool:
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return True

    def process_exception(self, request, exception):
        if not settings.DEBUG or isinstance(exception, PermissionDenied):
            return None  # Django's own handlers; the 403 page is ours in every mode.
        if isinstance(exception, Http404):
            return errors.page_not_found(request)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            response = errors.bad_request(request, exception)
            log_response("Bad Request: %s", request.path, response=response, request=request, exception=exception)
            return response
        signals.got_request_exception.send(sender=self.__class__, request=request)
        response = errors.server_error(request)
        log_response(
            "Internal Server Error: %s", request.path, response=response, request=request, exception=exception
        )
        return response
