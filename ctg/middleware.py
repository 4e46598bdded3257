from django.conf import settings
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
