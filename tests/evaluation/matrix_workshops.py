"""Permission cases of the workshops (see tests/evaluation/test_permissions.py): everyone signed in reads them,
only the coordination records, edits and deletes them."""

from evaluation.models import Workshop
from tests.evaluation.factories import WorkshopFactory
from tests.test_permissions import Case, Endpoint, World, coordination_form, page, signed_in


def workshop(w: World) -> Workshop:
    return w.memo(
        "workshop",
        lambda: WorkshopFactory(convention=w.convention, topic="Atelier parents", proposals="Des ateliers le samedi"),
    )


def workshop_pk(w: World, target: str) -> dict:
    return {"pk": workshop(w).pk}


def workshop_data(w: World, topic: str) -> dict:
    return {
        "held_on": "2026-03-14",
        "kind": "consultation",
        "topic": topic,
        "place": "Ludothèque",
        "axes": [w.objective.axis_id],
        "actions": [w.own_action.pk, w.other_action.pk],
        "inhabitants": 25,
        "professionals": 6,
        "outcomes": "Des besoins de garde le samedi.",
        "proposals": "Ouvrir le samedi\nUn atelier par trimestre",
    }


def saved(pk: int) -> Workshop | None:
    return Workshop.objects.filter(pk=pk).first()


CASES: list[Case] = [
    *page("evaluation:workshop_list"),
    Case("evaluation:workshop_list", "GET", signed_in(200), htmx=True),
    *page("evaluation:workshop_proposals"),
    *page("evaluation:workshop_detail"),
    *coordination_form("evaluation:workshop_create"),
    *coordination_form("evaluation:workshop_edit"),
    *coordination_form("evaluation:workshop_delete"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:workshop_list": Endpoint(),
    "evaluation:workshop_proposals": Endpoint(),
    "evaluation:workshop_detail": Endpoint(kwargs=workshop_pk),
    "evaluation:workshop_create": Endpoint(
        data=lambda w, t: workshop_data(w, "Forum des familles"),
        written=lambda w, t: Workshop.objects.filter(convention=w.convention, topic="Forum des familles").exists(),
    ),
    "evaluation:workshop_edit": Endpoint(
        kwargs=workshop_pk,
        data=lambda w, t: workshop_data(w, "Atelier renommé"),
        written=lambda w, t: saved(workshop(w).pk).topic == "Atelier renommé",
    ),
    "evaluation:workshop_delete": Endpoint(kwargs=workshop_pk, written=lambda w, t: saved(workshop(w).pk) is None),
}
