"""The diagnostic's writes under concurrency (see tests/concurrency.py): two confirmations of the same import,
two entries of the same year's children under 3. PostgreSQL only (DATABASE_URL=postgres://…).

Each request is held just before it calls the service, so both have read their preview or form first; the
convention's lock then serves them one after the other, and the second compares with what the first saved.
"""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import Indicator, Measurement
from evaluation.opendata import CHILDREN_KEY
from evaluation.services import ALREADY_THERE
from evaluation.views import diagnostic, diagnostic_import
from tests.concurrency import RACE_MARKS, messages_of, pause_before, race, said, tally
from tests.ctg.factories import ConventionFactory
from tests.evaluation.test_opendata import TXCOUV

ROUNDS = 3
pytestmark = RACE_MARKS

CREATED = "Import terminé : 16 valeurs créées, 0 mise à jour, 0 inchangée. 8 indicateurs de contexte créés."
UNCHANGED = "Import terminé : 0 valeur créée, 0 mise à jour, 16 inchangées."


def preview(client, convention) -> str:
    url = f"{reverse('evaluation:diagnostic_import')}?convention={convention.pk}"
    upload = SimpleUploadedFile("txcouv.csv", TXCOUV.encode(), content_type="text/csv")
    assert client.post(url, {"file": upload, "year": ""}).status_code == 302
    return client.session[diagnostic.SESSION_KEY]["token"]


def test_two_confirmations_of_the_same_import(coordinators, monkeypatch):
    """Two people (or a double click in two tabs) confirm the same file: one creates, the other finds it all."""
    pause_before(monkeypatch, diagnostic_import, "opendata_import")
    for number in range(ROUNDS):
        convention = ConventionFactory(territory__code="94042", territory__name=f"Joinville {number}")
        tokens = [preview(client, convention) for client in coordinators]
        first, second = race(
            *(
                lambda client=client, token=token: client.post(
                    reverse("evaluation:diagnostic_confirm"), {"token": token}
                )
                for client, token in zip(coordinators, tokens, strict=True)
            ),
            lead=number % 2,
        )
        assert first.status_code == second.status_code == 302
        assert sorted(messages_of(first) + messages_of(second)) == sorted([CREATED, UNCHANGED])
        assert Indicator.objects.filter(convention=convention).count() == 8
        assert Measurement.objects.filter(indicator__convention=convention).count() == 16
        tally("one created, one unchanged")


def test_two_entries_of_the_same_year_of_children(coordinators, monkeypatch):
    pause_before(monkeypatch, diagnostic_import, "children_record")
    for number in range(ROUNDS):
        convention = ConventionFactory(territory__code="94042", territory__name=f"Joinville {number}")
        url = f"{reverse('evaluation:diagnostic_children')}?convention={convention.pk}"
        first, second = race(
            lambda url=url: coordinators[0].post(url, {"y2024": "700", "shown_2024": ""}),
            lambda url=url: coordinators[1].post(url, {"y2024": "710", "shown_2024": ""}),
            lead=number % 2,
        )
        stored = Measurement.objects.filter(indicator__convention=convention, indicator__open_data_key=CHILDREN_KEY)
        assert stored.count() == 1
        winner = stored.get().value
        loser = second if winner == Decimal(700) else first
        assert loser.status_code == 200
        assert said(loser, ALREADY_THERE.format(value=int(winner)))
        assert Indicator.objects.filter(convention=convention, open_data_key=CHILDREN_KEY).count() == 1
        tally(f"{winner} kept, the other refused")
