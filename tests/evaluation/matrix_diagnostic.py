"""Permission cases of the territorial diagnostic (see tests/evaluation/test_permissions.py): everyone signed
in reads the diagnostic and the sample files; only the coordination uploads, previews, confirms an import and
enters the children under 3."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.enums import Period
from evaluation.models import Measurement
from evaluation.opendata import CHILDREN_KEY, Export
from evaluation.views.diagnostic import SESSION_KEY
from tests.test_permissions import Case, Endpoint, World, coordination_only, page, signed_in

YEAR = 2024
NBPLA = b"annee;numcom;tot_offre_com\n2024;94042;445\n2024;94068;1735\n"


def _commune(w: World) -> None:
    """The conftest's convention covers the commune 94042."""
    territory = w.convention.territory
    if territory.code != "94042":
        territory.code = "94042"
        territory.save(update_fields=["code"])


def _upload(w: World, target: str) -> dict:
    _commune(w)
    return {"file": SimpleUploadedFile("nbpla_pe_com.csv", NBPLA, content_type="text/csv"), "year": ""}


def _pending(w: World, target: str) -> dict:
    """The preview the upload leaves in the session: one value to import."""
    _commune(w)
    session = w.client.session
    export = Export(datasets=["nbpla_pe_com"], columns=["tot_offre_com"], rows=2, ignored=1, communes=["94042"])
    export.values = {("tot_offre_com", YEAR): Decimal(445)}
    session[SESSION_KEY] = {
        "token": "jeton",
        "convention": w.convention.pk,
        "filename": "nbpla_pe_com.csv",
        "export": export.to_session(),
    }
    session.save()
    return {"token": "jeton"}


def _measured(key: str):
    return lambda w, t: Measurement.objects.filter(
        indicator__convention=w.convention, indicator__open_data_key=key, year=YEAR, period=Period.YEAR
    ).exists()


CASES: list[Case] = [
    *page("evaluation:diagnostic"),
    *page("evaluation:diagnostic_sample"),
    Case("evaluation:diagnostic_import", "GET", coordination_only(200)),
    Case("evaluation:diagnostic_import", "POST", coordination_only(302)),
    Case("evaluation:diagnostic_preview", "GET", coordination_only(200)),
    Case("evaluation:diagnostic_preview", "POST", signed_in(405)),
    Case("evaluation:diagnostic_confirm", "GET", signed_in(405)),
    Case("evaluation:diagnostic_confirm", "POST", coordination_only(302)),
    Case("evaluation:diagnostic_children", "GET", coordination_only(200)),
    Case("evaluation:diagnostic_children", "POST", coordination_only(302)),
]
ENDPOINTS: dict[str, Endpoint] = {
    "evaluation:diagnostic": Endpoint(),
    "evaluation:diagnostic_sample": Endpoint(kwargs=lambda w, t: {"name": "nbpla_pe_com-exemple.csv"}),
    "evaluation:diagnostic_import": Endpoint(data=_upload, written=lambda w, t: SESSION_KEY in w.client.session),
    "evaluation:diagnostic_preview": Endpoint(),
    "evaluation:diagnostic_confirm": Endpoint(data=_pending, written=_measured("tot_offre_com")),
    "evaluation:diagnostic_children": Endpoint(
        data=lambda w, t: {f"y{YEAR}": "700", f"shown_{YEAR}": ""}, written=_measured(CHILDREN_KEY)
    ),
}
