"""The permission matrix: every URL of the project × every role × the methods it answers to.

Each row of `MATRIX` names a URL, a method, the object it targets where that matters (an action of the
service head's own service, another service's action, an archived action of their own service) and
whether it is sent by htmx; `expected` gives the answer for each role:

- 200 or 302 on a GET: the page is shown, or the role is sent elsewhere (home page, login page when
  already signed in);
- 302 on a POST, or 200 on an htmx POST: the write succeeded, and the test checks that it reached the
  database;
- LOGIN: an anonymous visitor is sent to the login page with `?next=` the requested URL;
- 403 / 405: refused, and the test checks that the database did not change;
- BOUNCED: a POST answered by a redirect that must not write anything.

Every GET and every refused request leaves the database of the three apps exactly as it was.
`tests/test_consistency.py` checks that every named URL of the project appears in this matrix.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from PIL import Image

from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from ctg.enums import ObjectiveLevel
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory
from partners.models import Partner
from reports.models import AnnualReport, Reminder
from reports.workflow import bilan_transmit, bilan_validate
from tests.actions.factories import ActionFactory, ActionPartnerFactory, BudgetLineFactory, MilestoneFactory
from tests.ctg.factories import (
    AmendmentFactory,
    AxisFactory,
    ObjectiveFactory,
    SignatoryFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.partners.factories import PartnerFactory
from tests.reports.factories import AnnualReportFactory, ready_version

ROLES = ("anonymous", "coordination", "direction", "elected", "service_head", "tech_admin")
SIGNED_IN = ROLES[1:]
LOGIN = "login"
BOUNCED = "bounced"
NEW_PASSWORD = "Un-nouveau-mot-de-passe-2025"
# Action targets: the service head's own action, another service's action, an archived action of their own.
ACTION_TARGETS = ("own", "other", "archived")
# The year of the bilans and of the campaign: the last year of the conftest's convention (2022–2026).
YEAR = 2026

Expected = Mapping[str, int | str]


# --- Who gets what -----------------------------------------------------------------------------------------


def everyone(status: int) -> Expected:
    """Pages that need no account (login, password reset)."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> Expected:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def coordination_only(ok: int) -> Expected:
    return {**signed_in(403), "coordination": ok}


def coordination_and_pilot(ok: int) -> Expected:
    """The coordination, and the service head on an action their own service pilots."""
    return {**signed_in(403), "coordination": ok, "service_head": ok}


def nobody(ok: int) -> Expected:
    """Refused to every role, whatever a successful answer would have been."""
    return signed_in(403)


def bilan_readers(ok: int) -> Expected:
    """The coordination, the direction and the élus read the campaign and the bilans."""
    return {**signed_in(403), "coordination": ok, "direction": ok, "elected": ok}


def direction_only(ok: int) -> Expected:
    return {**signed_in(403), "direction": ok}


# Per action target, who may use an endpoint guarded by each predicate of actions/perms.py.
CAN_EDIT = {"own": coordination_only, "other": coordination_only, "archived": coordination_only}
CAN_PLAN = {"own": coordination_only, "other": coordination_only, "archived": nobody}
CAN_UPDATE = {"own": coordination_and_pilot, "other": coordination_only, "archived": nobody}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    expected: Expected
    target: str = ""
    htmx: bool = False
    query: str = ""

    @property
    def id(self) -> str:
        parts = [self.name, self.method, self.target, "htmx" if self.htmx else "", self.query.lstrip("?")]
        return "-".join(part for part in parts if part)


def page(name: str, *, target: str = "", htmx: bool = False, get: int = 200) -> list[Case]:
    """A read-only page: shown to everyone signed in, refusing POST."""
    return [
        Case(name, "GET", signed_in(get), target=target, htmx=htmx),
        Case(name, "POST", signed_in(405), target=target, htmx=htmx),
    ]


def coordination_form(name: str) -> list[Case]:
    """A create, edit or delete page of the CTG's own records: GET shows it, POST writes and redirects."""
    return [Case(name, "GET", coordination_only(200)), Case(name, "POST", coordination_only(302))]


def action_cases(
    name: str,
    rule: dict[str, Callable[[int], Expected]],
    *,
    get: bool = True,
    htmx: bool = True,
    query: str = "",
) -> list[Case]:
    """An endpoint on one action (or one of its milestones, budget lines, partners), for every target.

    Without `get`, the endpoint is POST-only and a GET answers 405 to anyone signed in.
    """
    cases = [] if get else [Case(name, "GET", signed_in(405), target="own")]
    for target in ACTION_TARGETS:
        if get:
            cases.append(Case(name, "GET", rule[target](200), target=target, query=query))
            if htmx:
                cases.append(Case(name, "GET", rule[target](200), target=target, htmx=True, query=query))
        cases.append(Case(name, "POST", rule[target](302), target=target, query=query))
        if htmx:
            cases.append(Case(name, "POST", rule[target](200), target=target, htmx=True, query=query))
    return cases


MATRIX: list[Case] = [
    # Accounts: login and password reset need no account; the rest does.
    Case("login", "GET", {**everyone(302), "anonymous": 200}),
    Case("login", "POST", {**everyone(BOUNCED), "anonymous": 302}),
    Case("logout", "GET", signed_in(405)),
    Case("logout", "POST", signed_in(302)),
    Case("password_change", "GET", signed_in(200)),
    Case("password_change", "POST", signed_in(302)),
    *page("password_change_done"),
    Case("password_reset", "GET", everyone(200)),
    Case("password_reset", "POST", everyone(302)),
    Case("password_reset_done", "GET", everyone(200)),
    Case("password_reset_confirm", "GET", everyone(200), target="invalid"),
    Case("password_reset_confirm", "GET", everyone(302), target="valid"),
    Case("password_reset_confirm", "GET", everyone(200), target="set-password"),
    Case("password_reset_confirm", "POST", everyone(302), target="set-password"),
    Case("password_reset_complete", "GET", everyone(200)),
    # The health check, for the reverse proxy and the monitoring.
    Case("health", "GET", everyone(200)),
    Case("health", "POST", everyone(405)),
    # The CTG and its referentials.
    *page("home", get=302),
    *page("ctg:current", get=302),
    *page("ctg:overview"),
    *page("ctg:convention_list"),
    *page("ctg:territory_list"),
    *page("ctg:service_list"),
    *coordination_form("ctg:convention_create"),
    *coordination_form("ctg:convention_edit"),
    *coordination_form("ctg:signatory_create"),
    *coordination_form("ctg:signatory_edit"),
    *coordination_form("ctg:signatory_delete"),
    *coordination_form("ctg:amendment_create"),
    *coordination_form("ctg:amendment_edit"),
    *coordination_form("ctg:amendment_delete"),
    *coordination_form("ctg:axis_create"),
    *coordination_form("ctg:axis_edit"),
    *coordination_form("ctg:axis_delete"),
    *coordination_form("ctg:objective_create"),
    *coordination_form("ctg:objective_edit"),
    *coordination_form("ctg:objective_delete"),
    *coordination_form("ctg:territory_create"),
    *coordination_form("ctg:territory_edit"),
    *coordination_form("ctg:service_create"),
    *coordination_form("ctg:service_edit"),
    *page("partners:list"),
    *coordination_form("partners:create"),
    *coordination_form("partners:edit"),
    # Fiches actions.
    *page("actions:list"),
    Case("actions:list", "GET", signed_in(200), htmx=True),
    *page("actions:mine"),
    *coordination_form("actions:create"),
    *(case for target in ACTION_TARGETS for case in page("actions:detail", target=target)),
    *action_cases("actions:edit", CAN_EDIT, htmx=False),
    *action_cases("actions:archive", CAN_EDIT, get=False, htmx=False),
    *action_cases("actions:delete", CAN_EDIT, htmx=False),
    *action_cases("actions:record_progress", CAN_UPDATE),
    *action_cases("actions:record_progress", CAN_UPDATE, query="?origin=card"),
    *action_cases("actions:milestone_add", CAN_UPDATE, get=False),
    *action_cases("actions:milestone_edit", CAN_UPDATE),
    *action_cases("actions:milestone_delete", CAN_UPDATE, get=False),
    *action_cases("actions:budget_add", CAN_PLAN, get=False),
    *action_cases("actions:budget_edit", CAN_UPDATE),
    *action_cases("actions:budget_delete", CAN_PLAN, get=False),
    *action_cases("actions:partner_add", CAN_PLAN, get=False),
    *action_cases("actions:partner_remove", CAN_PLAN, get=False),
    *page("actions:export"),
    *page("actions:export", target="xlsx"),
    *(case for target in ACTION_TARGETS for case in page("actions:pdf", target=target)),
    # Dashboard, bilan campaign, bilans annuels.
    *page("reports:dashboard"),
    Case("reports:campaign", "GET", bilan_readers(200), query=f"?year={YEAR}"),
    Case("reports:campaign", "POST", signed_in(405)),
    Case("reports:send_reminders", "GET", signed_in(405)),
    Case("reports:send_reminders", "POST", coordination_only(302)),
    Case("reports:send_reminders", "POST", coordination_only(200), htmx=True),
    Case("reports:bilan_list", "GET", bilan_readers(200)),
    Case("reports:bilan_list", "POST", signed_in(405)),
    Case("reports:bilan_create", "GET", signed_in(405)),
    Case("reports:bilan_create", "POST", coordination_only(302)),
    Case("reports:bilan_detail", "GET", bilan_readers(200)),
    Case("reports:bilan_detail", "POST", signed_in(405)),
    *coordination_form("reports:bilan_edit"),
    Case("reports:bilan_preview", "GET", bilan_readers(200)),
    Case("reports:bilan_preview", "POST", signed_in(405)),
    Case("reports:bilan_generate", "GET", signed_in(405)),
    Case("reports:bilan_generate", "POST", coordination_only(302)),
    Case("reports:bilan_generate", "POST", coordination_only(200), htmx=True),
    Case("reports:version_state", "GET", bilan_readers(302)),
    Case("reports:version_state", "GET", bilan_readers(200), htmx=True),
    Case("reports:version_state", "POST", signed_in(405)),
    Case("reports:version_download", "GET", bilan_readers(200)),
    Case("reports:version_download", "POST", signed_in(405)),
    Case("reports:bilan_validate", "GET", signed_in(405)),
    Case("reports:bilan_validate", "POST", direction_only(302)),
    *coordination_form("reports:bilan_transmit"),
    *coordination_form("reports:bilan_remarks"),
    *page("ctg:convention_logo"),
]

MATRIX_URL_NAMES = frozenset(case.name for case in MATRIX)


# --- The objects each URL works on ------------------------------------------------------------------------


class World:
    """The fixtures of tests/conftest.py plus the objects the endpoints need, created on first use."""

    def __init__(self, request, client, role: str):
        self._request = request
        self.client = client
        self.role = role
        self._per_target: dict[tuple[str, str], object] = {}

    def __getattr__(self, name):
        # The conftest fixtures: convention, objective, service, other_service, own_action, other_action.
        if name.startswith("_"):
            raise AttributeError(name)
        return self._request.getfixturevalue(name)

    @cached_property
    def user(self):
        return None if self.role == "anonymous" else self._request.getfixturevalue(self.role)

    @cached_property
    def someone(self):
        """A user outside the roles under test: logs in, resets their password."""
        return UserFactory(username="quelquun", email="quelquun@example.fr")

    @cached_property
    def signatory(self):
        return SignatoryFactory(convention=self.convention)

    @cached_property
    def amendment(self):
        return AmendmentFactory(convention=self.convention)

    @cached_property
    def empty_axis(self):
        return AxisFactory(convention=self.convention)

    @cached_property
    def empty_objective(self):
        return ObjectiveFactory(axis=self.objective.axis, level=ObjectiveLevel.STRATEGIC, parent=None)

    @cached_property
    def territory(self):
        return TerritoryFactory()

    @cached_property
    def partner(self):
        return PartnerFactory()

    @cached_property
    def archived_action(self):
        return ActionFactory(
            objective=self.objective, pilot_service=self.service, code="FA1.9", title="Action archivée", archived=True
        )

    # Bilans of the convention (2022–2026): 2026 a brouillon with a produced PDF, 2025 validated,
    # 2024 transmitted; 2023 has none yet.
    @cached_property
    def draft_report(self) -> AnnualReport:
        report = AnnualReportFactory(convention=self.convention, year=YEAR)
        ready_version(report, 1, self._request.getfixturevalue("coordination"))
        return report

    @cached_property
    def validated_report(self) -> AnnualReport:
        report = AnnualReportFactory(convention=self.convention, year=YEAR - 1)
        version = ready_version(report, 1, self._request.getfixturevalue("coordination"))
        bilan_validate(report=report, by=self._request.getfixturevalue("direction"), version=version)
        return _refreshed(report)

    @cached_property
    def transmitted_report(self) -> AnnualReport:
        report = AnnualReportFactory(convention=self.convention, year=YEAR - 2)
        version = ready_version(report, 1, self._request.getfixturevalue("coordination"))
        bilan_validate(report=report, by=self._request.getfixturevalue("direction"), version=version)
        bilan_transmit(
            report=_refreshed(report),
            by=self._request.getfixturevalue("coordination"),
            transmitted_on=timezone.localdate(),
            channel="email",
        )
        return _refreshed(report)

    @cached_property
    def convention_with_logo(self) -> Convention:
        buffer = BytesIO()
        Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
        self.convention.collectivity_logo.save("logo.png", ContentFile(buffer.getvalue()))
        return self.convention

    @cached_property
    def campaign_to_remind(self) -> Convention:
        """The own action has no point d'étape this year, and its service has a head to remind."""
        self.own_action.budget_lines.create(year=YEAR, funder="commune", planned=Decimal("100"))
        self.service.head = self._request.getfixturevalue("service_head")
        self.service.save()
        return self.convention

    def action(self, target: str) -> Action:
        return {"own": self.own_action, "other": self.other_action, "archived": self.archived_action}[target]

    def _child(self, kind: str, target: str, factory):
        key = (kind, target)
        if key not in self._per_target:
            self._per_target[key] = factory(action=self.action(target))
        return self._per_target[key]

    def milestone(self, target: str) -> Milestone:
        return self._child("milestone", target, MilestoneFactory)

    def budget_line(self, target: str) -> BudgetLine:
        return self._child("budget_line", target, BudgetLineFactory)

    def action_partner(self, target: str) -> ActionPartner:
        return self._child("action_partner", target, ActionPartnerFactory)

    def reset_token(self, target: str) -> dict:
        uidb64 = urlsafe_base64_encode(force_bytes(self.someone.pk))
        if target == "invalid":
            return {"uidb64": uidb64, "token": "jeton-invalide"}
        if target == "valid":
            return {"uidb64": uidb64, "token": default_token_generator.make_token(self.someone)}
        # Django keeps the token in the session and sends the browser on to this URL.
        token = default_token_generator.make_token(self.someone)
        response = self.client.get(reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))
        assert response.status_code == 302
        return {"uidb64": uidb64, "token": "set-password"}

    def session_user_pk(self) -> str | None:
        return self.client.session.get(SESSION_KEY)

    def memo(self, key: str, build: Callable[[], object]):
        """The object `build()` makes, made once per test: for the matrices of the other apps."""
        if key not in self._per_target:
            self._per_target[key] = build()
        return self._per_target[key]


def _dates(start: date | None, end: date | None) -> dict:
    return {"start_date": start.isoformat() if start else "", "end_date": end.isoformat() if end else ""}


def convention_data(convention: Convention | None, w: World, **changes) -> dict:
    data = {
        "name": "Nouvelle CTG",
        "status": "drafting",
        "territory": w.convention.territory_id,
        "caf_name": "Caf du Val-de-Marne",
        **_dates(date(2027, 1, 1), date(2031, 12, 31)),
        "signed_on": "",
        "stale_after_days": 90,
        "description": "",
    }
    if convention:
        data |= {
            "name": convention.name,
            "status": convention.status,
            "territory": convention.territory_id,
            **_dates(convention.start_date, convention.end_date),
            "stale_after_days": convention.stale_after_days,
        }
    return data | changes


def action_data(action: Action | None, w: World, **changes) -> dict:
    data = {
        "code": "FA9.9",
        "title": "Nouvelle fiche",
        "objective": w.objective.pk,
        "finding": "",
        "description": "",
        "pilot_service": w.service.pk,
        "pilot_name": "",
        **_dates(date(2025, 1, 1), date(2026, 12, 31)),
        "priority": "medium",
        "human_resources": "",
        "related_plans": "",
        "participation": "none",
        "version": 1,
    }
    if action:
        data |= {
            "code": action.code,
            "title": action.title,
            "objective": action.objective_id,
            "pilot_service": action.pilot_service_id,
            **_dates(action.start_date, action.end_date),
            "priority": action.priority,
            "participation": action.participation,
            "version": action.version,
        }
    return data | changes


def _refreshed(obj):
    """The row as saved now, or None once deleted."""
    return type(obj).objects.filter(pk=obj.pk).first()


@dataclass(frozen=True)
class Endpoint:
    """How to call one URL: its kwargs, the valid POST data, and whether the write is in the database."""

    kwargs: Callable[[World, str], dict] = lambda w, target: {}
    data: Callable[[World, str], dict] = lambda w, target: {}
    written: Callable[[World, str], bool] | None = None


def pk_of(attribute: str) -> Callable[[World, str], dict]:
    return lambda w, target: {"pk": getattr(w, attribute).pk}


def action_pk(w: World, target: str) -> dict:
    return {"pk": w.action(target).pk}


def convention_pk(w: World, target: str) -> dict:
    return {"convention_pk": w.convention.pk}


def progress_data(w: World, target: str) -> dict:
    return {"status": "in_progress", "progress": 65, "done": "Deux ateliers parents ont eu lieu."}


def progress_written(w: World, target: str) -> bool:
    return ProgressUpdate.objects.filter(action=w.action(target), progress=65).exists()


def budget_line_data(w: World, target: str) -> dict:
    line = w.budget_line(target)
    fields = {"year": line.year, "nature": line.nature, "funder": line.funder, "planned": line.planned}
    return {f"edit-{name}": value for name, value in fields.items()} | {"edit-actual": "1234.50"}


ENDPOINTS: dict[str, Endpoint] = {
    # Accounts.
    "login": Endpoint(
        data=lambda w, t: {"username": w.someone.username, "password": "demo"},
        written=lambda w, t: w.session_user_pk() == str(w.someone.pk),
    ),
    "logout": Endpoint(written=lambda w, t: w.session_user_pk() is None),
    "password_change": Endpoint(
        data=lambda w, t: {"old_password": "demo", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        written=lambda w, t: w.user is not None and _refreshed(w.user).check_password(NEW_PASSWORD),
    ),
    "password_change_done": Endpoint(),
    "password_reset": Endpoint(
        data=lambda w, t: {"email": w.someone.email},
        written=lambda w, t: [message.to for message in mail.outbox] == [[w.someone.email]],
    ),
    "password_reset_done": Endpoint(),
    "password_reset_confirm": Endpoint(
        kwargs=lambda w, target: w.reset_token(target),
        data=lambda w, t: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        written=lambda w, t: _refreshed(w.someone).check_password(NEW_PASSWORD),
    ),
    "password_reset_complete": Endpoint(),
    "health": Endpoint(),
    # The CTG.
    "home": Endpoint(),
    "ctg:current": Endpoint(),
    "ctg:overview": Endpoint(kwargs=pk_of("convention")),
    "ctg:convention_list": Endpoint(),
    "ctg:territory_list": Endpoint(),
    "ctg:service_list": Endpoint(),
    "ctg:convention_create": Endpoint(
        data=lambda w, t: convention_data(None, w),
        written=lambda w, t: Convention.objects.filter(name="Nouvelle CTG").exists(),
    ),
    "ctg:convention_edit": Endpoint(
        kwargs=pk_of("convention"),
        data=lambda w, t: convention_data(w.convention, w, name="CTG renommée"),
        written=lambda w, t: _refreshed(w.convention).name == "CTG renommée",
    ),
    "ctg:signatory_create": Endpoint(
        kwargs=convention_pk,
        data=lambda w, t: {"organisation": "CAF", "person": "Mme Nouvelle", "title": "", "signed_on": ""},
        written=lambda w, t: Signatory.objects.filter(convention=w.convention, person="Mme Nouvelle").exists(),
    ),
    "ctg:signatory_edit": Endpoint(
        kwargs=pk_of("signatory"),
        data=lambda w, t: {"organisation": "Ville", "person": "M. Modifié", "title": "maire", "signed_on": ""},
        written=lambda w, t: _refreshed(w.signatory).person == "M. Modifié",
    ),
    "ctg:signatory_delete": Endpoint(kwargs=pk_of("signatory"), written=lambda w, t: _refreshed(w.signatory) is None),
    "ctg:amendment_create": Endpoint(
        kwargs=convention_pk,
        data=lambda w, t: {"number": 7, "signed_on": "2025-02-03", "subject": "Nouvel avenant", "description": ""},
        written=lambda w, t: Amendment.objects.filter(convention=w.convention, subject="Nouvel avenant").exists(),
    ),
    "ctg:amendment_edit": Endpoint(
        kwargs=pk_of("amendment"),
        data=lambda w, t: {
            "number": w.amendment.number,
            "signed_on": "2024-03-01",
            "subject": "Objet modifié",
            "description": "",
        },
        written=lambda w, t: _refreshed(w.amendment).subject == "Objet modifié",
    ),
    "ctg:amendment_delete": Endpoint(kwargs=pk_of("amendment"), written=lambda w, t: _refreshed(w.amendment) is None),
    "ctg:axis_create": Endpoint(
        kwargs=convention_pk,
        data=lambda w, t: {"code": "A9", "title": "Nouvel axe", "theme": "youth", "description": "", "order": 9},
        written=lambda w, t: Axis.objects.filter(convention=w.convention, code="A9").exists(),
    ),
    "ctg:axis_edit": Endpoint(
        kwargs=lambda w, t: {"pk": w.objective.axis_id},
        data=lambda w, t: {
            "code": w.objective.axis.code,
            "title": "Axe renommé",
            "theme": "parenting",
            "description": "",
            "order": 1,
        },
        written=lambda w, t: _refreshed(w.objective.axis).title == "Axe renommé",
    ),
    "ctg:axis_delete": Endpoint(kwargs=pk_of("empty_axis"), written=lambda w, t: _refreshed(w.empty_axis) is None),
    "ctg:objective_create": Endpoint(
        kwargs=convention_pk,
        data=lambda w, t: {
            "axis": w.objective.axis_id,
            "level": "strategic",
            "parent": "",
            "code": "OS9",
            "title": "Nouvel objectif",
            "description": "",
            "order": 0,
        },
        written=lambda w, t: Objective.objects.filter(axis=w.objective.axis, code="OS9").exists(),
    ),
    "ctg:objective_edit": Endpoint(
        kwargs=pk_of("objective"),
        data=lambda w, t: {
            "axis": w.objective.axis_id,
            "level": w.objective.level,
            "parent": w.objective.parent_id,
            "code": w.objective.code,
            "title": "Objectif renommé",
            "description": "",
            "order": 0,
        },
        written=lambda w, t: _refreshed(w.objective).title == "Objectif renommé",
    ),
    "ctg:objective_delete": Endpoint(
        kwargs=pk_of("empty_objective"), written=lambda w, t: _refreshed(w.empty_objective) is None
    ),
    "ctg:territory_create": Endpoint(
        data=lambda w, t: {"name": "Quartier des Lilas", "kind": "district", "code": "", "parent": ""},
        written=lambda w, t: Territory.objects.filter(name="Quartier des Lilas").exists(),
    ),
    "ctg:territory_edit": Endpoint(
        kwargs=pk_of("territory"),
        data=lambda w, t: {"name": "Quartier renommé", "kind": "district", "code": "", "parent": "", "is_qpv": "on"},
        written=lambda w, t: _refreshed(w.territory).name == "Quartier renommé",
    ),
    "ctg:service_create": Endpoint(
        data=lambda w, t: {"name": "Service culture", "kind": "service", "parent": "", "head": ""},
        written=lambda w, t: Service.objects.filter(name="Service culture").exists(),
    ),
    "ctg:service_edit": Endpoint(
        kwargs=pk_of("other_service"),
        data=lambda w, t: {"name": "Service jeunesse et sports", "kind": "service", "parent": "", "head": ""},
        written=lambda w, t: _refreshed(w.other_service).name == "Service jeunesse et sports",
    ),
    # Partners.
    "partners:list": Endpoint(),
    "partners:create": Endpoint(
        data=lambda w, t: {"name": "Centre social des Lilas", "kind": "association"},
        written=lambda w, t: Partner.objects.filter(name="Centre social des Lilas").exists(),
    ),
    "partners:edit": Endpoint(
        kwargs=pk_of("partner"),
        data=lambda w, t: {"name": "Partenaire renommé", "kind": "caf"},
        written=lambda w, t: _refreshed(w.partner).name == "Partenaire renommé",
    ),
    # Fiches actions.
    "actions:list": Endpoint(),
    "actions:mine": Endpoint(),
    "actions:create": Endpoint(
        data=lambda w, t: action_data(None, w),
        written=lambda w, t: Action.objects.filter(code="FA9.9").exists(),
    ),
    "actions:detail": Endpoint(kwargs=action_pk),
    "actions:edit": Endpoint(
        kwargs=action_pk,
        data=lambda w, target: action_data(w.action(target), w, title="Fiche renommée"),
        written=lambda w, target: _refreshed(w.action(target)).title == "Fiche renommée",
    ),
    "actions:archive": Endpoint(
        kwargs=action_pk,
        # Archiving an archived fiche brings it back.
        written=lambda w, target: (_refreshed(w.action(target)).archived_at is None) == (target == "archived"),
    ),
    "actions:delete": Endpoint(kwargs=action_pk, written=lambda w, target: _refreshed(w.action(target)) is None),
    "actions:record_progress": Endpoint(kwargs=action_pk, data=progress_data, written=progress_written),
    "actions:milestone_add": Endpoint(
        kwargs=action_pk,
        data=lambda w, t: {"new-milestone-title": "Comité de suivi", "new-milestone-due_on": "2026-06-30"},
        written=lambda w, target: w.action(target).milestones.filter(title="Comité de suivi").exists(),
    ),
    "actions:milestone_edit": Endpoint(
        kwargs=lambda w, target: {"pk": w.milestone(target).pk},
        data=lambda w, t: {"edit-title": "Jalon modifié", "edit-due_on": "2026-06-30", "edit-done_on": "2026-06-15"},
        written=lambda w, target: _refreshed(w.milestone(target)).title == "Jalon modifié",
    ),
    "actions:milestone_delete": Endpoint(
        kwargs=lambda w, target: {"pk": w.milestone(target).pk},
        written=lambda w, target: _refreshed(w.milestone(target)) is None,
    ),
    "actions:budget_add": Endpoint(
        kwargs=action_pk,
        data=lambda w, t: {
            "new-budget-year": 2026,
            "new-budget-nature": "operating",
            "new-budget-funder": "caf_bonus",
            "new-budget-planned": "5000",
            "new-budget-actual": "",
        },
        written=lambda w, target: w.action(target).budget_lines.filter(funder="caf_bonus").exists(),
    ),
    "actions:budget_edit": Endpoint(
        kwargs=lambda w, target: {"pk": w.budget_line(target).pk},
        data=budget_line_data,
        written=lambda w, target: _refreshed(w.budget_line(target)).actual == Decimal("1234.50"),
    ),
    "actions:budget_delete": Endpoint(
        kwargs=lambda w, target: {"pk": w.budget_line(target).pk},
        written=lambda w, target: _refreshed(w.budget_line(target)) is None,
    ),
    "actions:partner_add": Endpoint(
        kwargs=action_pk,
        data=lambda w, t: {"new-partner-partner": w.partner.pk, "new-partner-role": "co_pilot"},
        written=lambda w, target: w.action(target).partner_roles.filter(partner=w.partner).exists(),
    ),
    "actions:partner_remove": Endpoint(
        kwargs=lambda w, target: {"pk": w.action_partner(target).pk},
        written=lambda w, target: _refreshed(w.action_partner(target)) is None,
    ),
    "actions:export": Endpoint(kwargs=lambda w, target: {"dataset": "fiches", "fmt": target or "csv"}),
    "actions:pdf": Endpoint(kwargs=action_pk),
    # Dashboard, campaign and bilans.
    "reports:dashboard": Endpoint(),
    "reports:campaign": Endpoint(),
    "reports:send_reminders": Endpoint(
        data=lambda w, t: {"convention": w.campaign_to_remind.pk, "year": YEAR},
        written=lambda w, t: Reminder.objects.filter(convention=w.convention, year=YEAR).exists(),
    ),
    "reports:bilan_list": Endpoint(),
    "reports:bilan_create": Endpoint(
        data=lambda w, t: {"convention": w.convention.pk, "year": YEAR - 3},
        written=lambda w, t: AnnualReport.objects.filter(convention=w.convention, year=YEAR - 3).exists(),
    ),
    "reports:bilan_detail": Endpoint(kwargs=pk_of("draft_report")),
    "reports:bilan_edit": Endpoint(
        kwargs=pk_of("draft_report"),
        data=lambda w, t: {"synthesis": "Une année utile.", "version": w.draft_report.version},
        written=lambda w, t: _refreshed(w.draft_report).synthesis == "Une année utile.",
    ),
    "reports:bilan_preview": Endpoint(kwargs=pk_of("draft_report")),
    "reports:bilan_generate": Endpoint(
        kwargs=pk_of("draft_report"), written=lambda w, t: w.draft_report.versions.filter(number=2).exists()
    ),
    "reports:version_state": Endpoint(kwargs=lambda w, t: {"pk": w.draft_report.versions.get().pk}),
    "reports:version_download": Endpoint(kwargs=lambda w, t: {"pk": w.draft_report.versions.get().pk}),
    "reports:bilan_validate": Endpoint(
        kwargs=pk_of("draft_report"),
        data=lambda w, t: {"version": w.draft_report.versions.get().pk},
        written=lambda w, t: _refreshed(w.draft_report).status == "validated",
    ),
    "reports:bilan_transmit": Endpoint(
        kwargs=pk_of("validated_report"),
        data=lambda w, t: {"transmitted_on": timezone.localdate().isoformat(), "channel": "partner_portal"},
        written=lambda w, t: _refreshed(w.validated_report).status == "transmitted",
    ),
    "reports:bilan_remarks": Endpoint(
        kwargs=pk_of("transmitted_report"),
        data=lambda w, t: {"received_on": timezone.localdate().isoformat(), "remarks": "Bilan complet, merci."},
        written=lambda w, t: _refreshed(w.transmitted_report).caf_remarks == "Bilan complet, merci.",
    ),
    "ctg:convention_logo": Endpoint(kwargs=lambda w, t: {"pk": w.convention_with_logo.pk, "kind": "collectivity"}),
}


def database_state() -> dict[str, list[dict]]:
    """Every row of every model of the three apps, history tables included."""
    labels = ("ctg", "actions", "partners", "evaluation", "reports")
    models = [model for label in labels for model in apps.get_app_config(label).get_models()]
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


def _next_of(location: str) -> str | None:
    return parse_qs(urlsplit(location).query).get("next", [None])[0]


# --- The tests --------------------------------------------------------------------------------------------


class TestMatrix:
    def test_every_case_has_an_endpoint_and_every_role(self):
        assert set(ENDPOINTS) == MATRIX_URL_NAMES
        for case in MATRIX:
            assert set(case.expected) == set(ROLES), case.id

    def test_case_ids_are_unique(self):
        ids = [case.id for case in MATRIX]
        assert len(ids) == len(set(ids))

    def test_every_write_declares_its_effect(self):
        for case in MATRIX:
            if case.method == "POST" and set(case.expected.values()) - {LOGIN, BOUNCED, 403, 405}:
                assert ENDPOINTS[case.name].written is not None, case.id


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(case, role, id=f"{case.id}-{role}") for case in MATRIX for role in ROLES],
)
def test_permission(case: Case, role: str, request, client, own_action, other_action):
    """A CTG with an action of the service head's service and one of another service, then one request."""
    check_permission(case, role, ENDPOINTS[case.name], request, client)


def check_permission(case: Case, role: str, endpoint: Endpoint, request, client) -> None:
    """Send the case's request as `role` and check the answer and what it wrote (or did not)."""
    world = World(request, client, role)
    if world.user is not None:
        client.force_login(world.user)
    url = reverse(case.name, kwargs=endpoint.kwargs(world, case.target)) + case.query
    data = endpoint.data(world, case.target) if case.method == "POST" else None
    expected = case.expected[role]
    writes = case.method == "POST" and expected not in (LOGIN, BOUNCED, 403, 405)
    mail.outbox.clear()
    written_before = endpoint.written(world, case.target) if endpoint.written else None
    if writes:
        assert written_before is False, "the write must not be there before the request"
    before = database_state()

    headers = {"HX-Request": "true"} if case.htmx else {}
    send = client.post if case.method == "POST" else client.get
    response = send(url, data, headers=headers)
    if response.streaming:
        # Read a served file (PDF, logo) to its end, which closes it. Not `response.close()`: outside the
        # client, its signal would close the database connection of the test's transaction.
        b"".join(response.streaming_content)

    login_url = reverse("login")
    if expected == LOGIN and case.htmx:
        # htmx must load the login page as a whole page, not inside the fragment.
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(f"{login_url}?")
        assert _next_of(response["HX-Redirect"]) == url
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(f"{login_url}?")
        assert _next_of(response.url) == url
    elif expected == BOUNCED:
        assert response.status_code == 302
    else:
        assert response.status_code == expected
    if response.status_code == 302 and expected != LOGIN:
        assert _next_of(response.url) is None, "a signed-in user must not be sent to the login page"

    if writes:
        assert endpoint.written(world, case.target)
    else:
        assert database_state() == before
        if endpoint.written:
            assert endpoint.written(world, case.target) == written_before


class TestPilotWrites:
    """What the matrix cannot say in a status code: the service head's writes stay within their rights."""

    def test_service_head_enters_the_actual_but_not_the_planned_amount(self, client_for, own_action):
        line = BudgetLineFactory(action=own_action, planned=Decimal("10000.00"))
        data = {"edit-year": 2030, "edit-funder": "state", "edit-planned": "99999", "edit-actual": "8000"}
        response = client_for("service_head").post(reverse("actions:budget_edit", args=[line.pk]), data)
        assert response.status_code == 302
        line.refresh_from_db()
        assert (line.year, line.funder, line.planned, line.actual) == (
            2025,
            "commune",
            Decimal("10000.00"),
            Decimal("8000"),
        )

    def test_progress_is_recorded_in_the_name_of_the_service_head(self, client_for, service_head, own_action):
        data = {"status": "in_progress", "progress": 50, "done": "Lancement."}
        client_for("service_head").post(reverse("actions:record_progress", args=[own_action.pk]), data)
        update = own_action.updates.get()
        assert update.author == service_head
        own_action.refresh_from_db()
        assert own_action.progress == 50

    @pytest.mark.parametrize("role", ["direction", "elected", "tech_admin"])
    def test_read_only_roles_see_no_write_control_on_the_detail_page(self, client_for, own_action, role):
        response = client_for(role).get(own_action.get_absolute_url())
        for name in ("record_progress", "edit", "archive", "delete", "milestone_add", "budget_add", "partner_add"):
            assert reverse(f"actions:{name}", args=[own_action.pk]) not in response.text, name
