"""Firing requests at the same instant, each in its own thread, with its own database connection and so its own
transaction (`ATOMIC_REQUESTS`): the way two people, or a double click, reach the server. PostgreSQL only:
threads cannot share SQLite's in-memory test database.
"""

import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import wraps

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

HTMX = {"HX-Request": "true"}
POSTGRESQL = connection.vendor == "postgresql"
# The marks of every race module: threads need PostgreSQL (SQLite serialises the writers, and its in-memory test
# database is not shared between threads), real transactions, and the outcomes tallied for the summary.
RACE_MARKS = [
    pytest.mark.usefixtures("race_outcomes"),
    pytest.mark.skipif(not POSTGRESQL, reason="threads need PostgreSQL: see tests/concurrency.py"),
    *([pytest.mark.django_db(transaction=True)] if POSTGRESQL else []),
]
# Long enough for the other request to reach the same point, short enough for a module of a few dozen races.
PAUSE = 0.1
STAGGER = 0.06
TIMEOUT = 30


class Browser(Client):
    """A logged-in person whose browser shows every flashed message: none carries over to the next request (the
    tests do not follow redirects)."""

    def request(self, **request):
        self.cookies.pop(CookieStorage.cookie_name, None)
        return super().request(**request)


def logged_in(user) -> Browser:
    client = Browser()
    client.force_login(user)
    return client


def race(
    *requests: Callable[[], HttpResponse], lead: int | None = None, stagger: float = STAGGER
) -> list[HttpResponse]:
    """Run the requests at once (a barrier lets them go together) and return their responses, in order.

    With `lead`, that request gets a head start of `stagger` (by default shorter than `PAUSE`, so both still read
    before either writes): alternating it between rounds makes each request win some of them.

    A view that raises (what would be a 500) raises here, in the test's thread; a request still running after
    `TIMEOUT` (a deadlock) fails the test.
    """
    barrier = threading.Barrier(len(requests))
    responses: list[HttpResponse | None] = [None] * len(requests)
    errors: list[BaseException | None] = [None] * len(requests)

    def run(index: int, request: Callable[[], HttpResponse]) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            if lead is not None and index != lead:
                time.sleep(stagger)
            responses[index] = request()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread below
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request never finished (a deadlock?)"
    for error in errors:
        if error is not None:
            raise error
    for response in responses:
        assert response.status_code != 500
    return responses


def pause_before(monkeypatch, target: object, name: str, seconds: float | Callable[[], float] = PAUSE) -> None:
    """Make every call of `target.name` wait `seconds` first (or `seconds()`, to vary it between rounds).

    Put on a view's write (the service it calls, the save), it lets both requests read and check their form
    before either writes: the interleaving where a stale read, a check made too early or a full-row save would
    lose something. Which request then writes first is left to the race; each test checks both outcomes.
    """
    original = getattr(target, name)

    @wraps(original)
    def paused(*args, **kwargs):
        time.sleep(seconds() if callable(seconds) else seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, paused)


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text_of(response: HttpResponse) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def said(response: HttpResponse, message: str) -> bool:
    """`message` reached the user: in the page or fragment, or flashed for the page redirected to."""
    return message in text_of(response) or message in messages_of(response)


# How each round ended, per test: printed at the end of a module run with `-s` (`print_outcomes`).
OUTCOMES: dict[str, Counter] = defaultdict(Counter)


def tally(outcome: str) -> None:
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0].rsplit("::", 1)[-1]
    OUTCOMES[test][outcome] += 1


def print_outcomes() -> None:
    for test, outcomes in OUTCOMES.items():
        print(f"{test}: " + ", ".join(f"{outcome} ×{count}" for outcome, count in sorted(outcomes.items())))
    OUTCOMES.clear()
