"""Structured logs: one JSON line per write, with the request's method, path and user."""

import json
import logging
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from ctg.logging import JsonFormatter, RequestContextFilter, RequestContextMiddleware
from tests.test_permissions import BOUNCED, ENDPOINTS, LOGIN, MATRIX, World

OUR_LOGGERS = ("ctg", "actions", "partners", "reports")
# The role that performs each write: the first allowed one in this order.
WRITERS = ("coordination", "direction", "service_head", "elected", "tech_admin")


def write_cases():
    """Every POST of the matrix that writes, on our apps' URLs (the auth views are Django's)."""
    for case in MATRIX:
        if case.method != "POST" or ":" not in case.name:
            continue
        allowed = [role for role in WRITERS if case.expected[role] not in (LOGIN, BOUNCED, 403, 405)]
        if allowed:
            yield pytest.param(case, allowed[0], id=case.id)


def ours(record: logging.LogRecord) -> bool:
    return record.name.split(".")[0] in OUR_LOGGERS


@pytest.fixture
def log_lines(caplog):
    """The records of our loggers at INFO and above, with the request context the production handler adds."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContextFilter())
    return lambda: [record for record in caplog.records if ours(record)]


@pytest.mark.parametrize(("case", "role"), list(write_cases()))
def test_one_info_line_per_write(case, role, request, client, own_action, other_action, log_lines, settings):
    # As in production, the bilan's PDF is produced by the worker, which logs its own line, not by the request.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    endpoint = ENDPOINTS[case.name]
    world = World(request, client, role)
    client.force_login(world.user)
    url = reverse(case.name, kwargs=endpoint.kwargs(world, case.target))
    data = endpoint.data(world, case.target)
    before = len(log_lines())

    response = client.post(url + case.query, data, headers={"HX-Request": "true"} if case.htmx else {})

    assert response.status_code in (200, 302)
    assert endpoint.written(world, case.target)
    records = log_lines()[before:]
    assert [record.levelname for record in records] == ["INFO"], [record.getMessage() for record in records]
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["level"] == "INFO" and line["logger"] in OUR_LOGGERS
    assert (line["method"], line["path"], line["user"]) == ("POST", url, world.user.username)
    assert len(line["request_id"]) == 16 and line["message"]


class TestJsonFormatter:
    def record(self, **extra) -> logging.LogRecord:
        record = logging.LogRecord("actions", logging.INFO, __file__, 1, "Action %s saved", ("FA1.2",), None)
        record.__dict__.update(extra)
        return record

    def test_one_json_object_per_line(self):
        text = JsonFormatter().format(self.record())
        assert "\n" not in text
        line = json.loads(text)
        assert set(line) == {"time", "level", "logger", "message"}
        assert (line["level"], line["logger"], line["message"]) == ("INFO", "actions", "Action FA1.2 saved")
        assert line["time"].endswith("+00:00")

    def test_extra_fields_and_accents(self):
        line = json.loads(JsonFormatter().format(self.record(status_code=403, action=12, note="réalisée")))
        assert (line["status_code"], line["action"], line["note"]) == (403, 12, "réalisée")

    def test_exception(self):
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.LogRecord("ctg", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        line = json.loads(JsonFormatter().format(record))
        assert "ValueError: boom" in line["exception"]

    def test_no_request_context_outside_a_request(self):
        record = self.record()
        assert RequestContextFilter().filter(record)
        assert not hasattr(record, "path")


class TestRequestContext:
    def context_of(self, request) -> dict:
        seen = {}

        def view(request):
            record = logging.LogRecord("ctg", logging.INFO, __file__, 1, "m", (), None)
            RequestContextFilter().filter(record)
            seen.update({key: getattr(record, key, None) for key in ("request_id", "method", "path", "user")})

        RequestContextMiddleware(view)(request)
        return seen

    def test_keeps_the_proxy_request_id_and_not_the_query_string(self):
        request = RequestFactory().get("/actions/?q=Dupont", headers={"X-Request-ID": "abc-123"})
        assert self.context_of(request) == {
            "request_id": "abc-123",
            "method": "GET",
            "path": "/actions/",
            "user": None,
        }

    def test_replaces_a_strange_request_id(self):
        request = RequestFactory().get("/", headers={"X-Request-ID": 'x" injected'})
        assert len(self.context_of(request)["request_id"]) == 16

    def test_the_middleware_comes_first_and_the_console_writes_json(self):
        assert settings.MIDDLEWARE[0] == "ctg.logging.RequestContextMiddleware"
        console = settings.LOGGING["handlers"]["console"]
        assert console["filters"] == ["request_context"]
        assert settings.LOGGING["formatters"][console["formatter"]]["()"] == "ctg.logging.JsonFormatter"
