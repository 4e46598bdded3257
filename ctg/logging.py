"""Structured logs: one JSON object per line, easy to ship to a log collector and to search.

    {"time": "2026-01-30T09:12:03.512+00:00", "level": "INFO", "logger": "actions",
     "message": "Progress update on action FA1.2 by petite-enfance: in_progress 60%",
     "request_id": "3f2a9c0d1b7e4a55", "method": "POST", "path": "/actions/12/point-etape/",
     "user": "petite-enfance"}

`RequestContextMiddleware` keeps the current request in a context variable; `RequestContextFilter`, set on
the handler, copies its method, path (without the query string, which may hold searched names), user and
request id onto each record logged while the request is served; `JsonFormatter` writes the line.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.utils.functional import empty

_current_request = contextvars.ContextVar("ctg_current_request", default=None)

# A request id given by the reverse proxy (nginx's $request_id) is kept when it looks like one.
REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
CONTEXT = ("request_id", "method", "path", "user")
# What every LogRecord carries; anything else was passed with `extra=` and is written as is.
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request",  # Django's own loggers attach the request object itself
}


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(REQUEST_ID_HEADER, "")
        request.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _username(request) -> str | None:
    """The signed-in user, if the request has already looked them up: logging must never be what queries
    the session (the health check logs precisely when the database does not answer)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.get_username() if user.is_authenticated else None


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        if request is not None:
            context = {
                "request_id": getattr(request, "request_id", None),
                "method": request.method,
                "path": request.path,
                "user": _username(request),
            }
            for key, value in context.items():
                if value is not None and not hasattr(record, key):
                    setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {key: getattr(record, key) for key in CONTEXT if hasattr(record, key)}
        entry |= {
            key: value
            for key, value in record.__dict__.items()
            if key not in STANDARD_ATTRIBUTES and key not in entry and not key.startswith("_")
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
