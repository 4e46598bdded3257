"""Measure the main pages at 1, 50 and 500 actions: SQL queries and server time (median of 5).

Runs against a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL).
Usage: .venv/bin/python scripts/benchmark.py [counts…]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from actions.models import TargetPublic  # noqa: E402
from tests.actions.factories import (  # noqa: E402
    ActionFactory,
    ActionPartnerFactory,
    BudgetLineFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.ctg.factories import ObjectiveFactory, ServiceFactory, TerritoryFactory, UserFactory  # noqa: E402


def add_actions(objectives, service, count, author, publics, districts):
    for i in range(count):
        action = ActionFactory(objective=objectives[i % len(objectives)], pilot_service=service)
        action.publics.set(publics[:2])
        action.territories.set(districts[:2])
        ProgressUpdateFactory(action=action, author=author)
        MilestoneFactory(action=action)
        BudgetLineFactory(action=action)
        ActionPartnerFactory(action=action)
    return action


def measure(client, url, headers=None):
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, headers=headers or {})
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(timings) * 1000


def main(counts):
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        service = ServiceFactory()
        head = UserFactory(service_head=True, service=service)
        objectives = [ObjectiveFactory() for _ in range(5)]
        for objective in objectives[1:]:
            objective.axis.convention = objectives[0].axis.convention
            objective.axis.save()
        publics = list(TargetPublic.objects.all())
        districts = [TerritoryFactory() for _ in range(3)]
        client = Client()
        client.force_login(head)
        done = 0
        print(f"{'actions':>8} {'page':<28} {'requêtes':>9} {'ms':>8}")
        for count in counts:
            last = add_actions(objectives, service, count - done, head, publics, districts)
            done = count
            pages = {
                "liste": reverse("actions:list"),
                "liste (htmx)": reverse("actions:list"),
                "fiche": reverse("actions:detail", args=[last.pk]),
                "mes actions": reverse("actions:mine"),
                "vue d'ensemble": reverse("ctg:overview", args=[objectives[0].axis.convention_id]),
            }
            for name, url in pages.items():
                headers = {"HX-Request": "true"} if "htmx" in name else None
                queries, ms = measure(client, url, headers)
                print(f"{count:>8} {name:<28} {queries:>9} {ms:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 50, 500])
