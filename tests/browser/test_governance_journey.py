"""The governance journey in Chromium on the demo CTG, each page checked with axe-core (WCAG 2.1 AA): the
coordination plans a COPIL, builds its agenda from the late actions in one click, takes attendance and records
two decisions linked to actions; the service head concerned sees the decision on the action's page and on
"Mes actions", and marks it done."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from actions.models import Action
from ctg.models import Convention, User
from governance.demo import COPIL, seed_governance
from governance.models import Decision, Meeting
from tests.browser.conftest import assert_accessible, assert_no_reload, log_in, set_reload_marker

pytestmark = pytest.mark.browser

FIRST = "Ouvrir deux places supplémentaires au multi-accueil Palissy avant la rentrée."
SECOND = "Présenter au COTECH le plan de recrutement des auxiliaires."


@pytest.fixture
def governance(demo):
    """The demo's governance, seeded here whether or not seed_demo already does it (it is idempotent)."""
    convention = Convention.objects.current()
    users = {user.username: user for user in User.objects.all()}
    seed_governance(convention=convention, users=users, today=timezone.localdate())
    return convention


def test_copil_agenda_attendance_decisions_then_the_pilot_marks_done(page: Page, governance):
    early_late = list(
        Action.objects.active()
        .of_convention(governance)
        .late()
        .filter(pilot_service__head__username="petite-enfance")
        .order_by("code")
    )
    assert early_late, "the demo has late actions of the petite enfance service"
    action = early_late[0]
    day = timezone.localdate() + timedelta(days=75)

    # The coordination plans a COPIL.
    log_in(page, "coordination")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Instances").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Instances de la CTG")
    assert_accessible(page, "bodies list")
    page.get_by_role("link", name=COPIL).click()
    assert_accessible(page, "COPIL page")
    page.get_by_role("link", name="Nouvelle réunion").click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Début").fill("09:30")
    page.get_by_label("Fin").fill("08:00")
    page.get_by_label("Lieu").fill("Hôtel de ville, salle du conseil")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_end_time_error")).to_contain_text("L'heure de fin doit être postérieure")
    assert_accessible(page, "meeting form with an error")
    page.get_by_label("Fin").fill("12:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COPIL} du {day:%d/%m/%Y}")
    meeting = Meeting.objects.get(body__name=COPIL, date=day)
    assert_accessible(page, "meeting page")

    # Its agenda from the late actions, in one click, without reloading the page.
    set_reload_marker(page)
    agenda = page.locator("#agenda")
    agenda.get_by_role("button", name="Ajouter les actions en retard, sans nouvelles ou à discuter").click()
    expect(agenda.get_by_role("status")).to_contain_text("ajoutée")
    expect(agenda.get_by_role("link", name=re.compile(f"^{re.escape(action.code)} "))).to_be_visible()
    count = meeting.agenda_items.count()
    agenda.get_by_role("button", name="Ajouter les actions en retard, sans nouvelles ou à discuter").click()
    expect(agenda.get_by_role("status")).to_contain_text("Aucune action à ajouter")
    assert meeting.agenda_items.count() == count
    assert_no_reload(page)

    # Attendance: the members are invited, then marked.
    attendance = page.locator("#attendance")
    attendance.get_by_role("button", name="Inviter les membres").click()
    expect(attendance.get_by_role("status")).to_contain_text("membres invités")
    selects = attendance.get_by_role("combobox")
    assert selects.count() >= 3
    selects.nth(0).select_option(label="Présent·e")
    selects.nth(1).select_option(label="Excusé·e")
    attendance.get_by_role("button", name="Enregistrer les présences").click()
    expect(attendance.get_by_role("status")).to_have_text("Présences enregistrées.")
    assert sorted(meeting.attendances.exclude(status="invited").values_list("status", flat=True)) == [
        "excused",
        "present",
    ]
    assert_accessible(page, "meeting page after attendance")

    # Two decisions linked to actions; the first without an owner is refused in French.
    decisions = page.locator("#decisions")
    decisions.get_by_role("textbox", name="Décision", exact=True).fill(FIRST)
    decisions.get_by_label("Fiches actions concernées").fill(action.code)
    decisions.get_by_role("button", name="Enregistrer la décision").click()
    expect(decisions.locator(".c-field").filter(has_text="Responsable")).to_contain_text(
        "Une décision sans responsable ne sera suivie par personne"
    )
    assert_accessible(page, "decision form with an error")
    decisions.get_by_label("Responsable").select_option(label="Sophie Garnier")
    decisions.get_by_label("Échéance").fill((timezone.localdate() + timedelta(days=120)).isoformat())
    decisions.get_by_role("button", name="Enregistrer la décision").click()
    expect(decisions.get_by_role("status")).to_contain_text("Décision enregistrée")
    decisions.get_by_role("textbox", name="Décision", exact=True).fill(SECOND)
    decisions.get_by_label("Responsable").select_option(label="Sophie Garnier")
    decisions.get_by_label("Fiches actions concernées").fill(early_late[-1].code.lower())
    decisions.get_by_role("button", name="Enregistrer la décision").click()
    expect(decisions.get_by_role("status")).to_contain_text("Décision enregistrée")
    assert_no_reload(page)
    assert_accessible(page, "meeting page with its decisions")
    first = Decision.objects.get(meeting=meeting, text=FIRST)
    assert list(first.actions.all()) == [action]

    # The service head sees it on the action's page and on "Mes actions", and marks it done.
    page.context.clear_cookies()
    log_in(page, "petite-enfance")
    page.goto(action.get_absolute_url())
    expect(page.locator("#governance")).to_contain_text(FIRST)
    assert_accessible(page, "action page with its decisions")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Mes actions").click()
    mine = page.locator("#my-decisions")
    expect(mine).to_contain_text(FIRST)
    assert_accessible(page, "Mes actions with the decisions")
    set_reload_marker(page)
    state = mine.locator(f"#decision-{first.pk}-state")
    state.get_by_role("button", name=re.compile("^Marquer comme faite")).click()
    expect(state.get_by_role("status")).to_have_text("Décision marquée comme faite.")
    expect(state.get_by_role("button", name=re.compile("^Rouvrir"))).to_be_visible()
    assert_no_reload(page)
    assert_accessible(page, "Mes actions after marking the decision done")
    first.refresh_from_db()
    assert first.done and first.done_by.username == "petite-enfance"
