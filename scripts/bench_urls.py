"""The project's URLs plus one benchmark-only page, used as `ROOT_URLCONF` by `scripts/bench.py` alone.

The floor page is the least a login-protected Django page costs here (middleware, session, user): what
the measured pages cost above it is our own code.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ctg import urls as project

FLOOR_PATH = "/bench-floor/"


@require_GET
def floor(request):
    return HttpResponse(f"<!doctype html><title>Plancher</title><p>{request.user}</p>")


urlpatterns = [path(FLOOR_PATH.lstrip("/"), floor, name="bench_floor"), *project.urlpatterns]
# The project's error pages, if it names them.
globals().update({name: getattr(project, name) for name in dir(project) if name.startswith("handler")})
