"""Two people editing the same record of the referentials (convention, axis, objective, signatory, amendment,
territory, service, partner): the second save does not silently overwrite the first. It is shown the conflict
with its input kept and the values saved meanwhile, and a second submission confirms."""

from dataclasses import dataclass

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.urls import reverse

from ctg.forms import SOMEONE_ELSE, saved_display
from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory
from ctg.views import helpers
from partners.models import Partner
from tests.concurrency import messages_of, pause_before, race, tally, text_of
from tests.ctg.factories import (
    AmendmentFactory,
    AxisFactory,
    ConventionFactory,
    ObjectiveFactory,
    ServiceFactory,
    SignatoryFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.partners.factories import PartnerFactory

STALE_START = "a enregistré une modification de « "
CONFIRM = "Vérifiez, puis enregistrez à nouveau pour confirmer."


@dataclass(frozen=True)
class Case:
    """A record's edit page; `theirs` is what the other person changes, `mine` what this person types."""

    url_name: str
    create: object
    theirs: tuple[str, str]
    mine: tuple[str, str]
    keeps_history: bool = False


CASES = {
    "convention": Case(
        "ctg:convention_edit",
        lambda: ConventionFactory(),
        ("caf_name", "Caf du Rhône"),
        ("description", "Présentation revue par la coordination"),
        keeps_history=True,
    ),
    "axis": Case(
        "ctg:axis_edit",
        lambda: AxisFactory(),
        ("title", "Axe renommé"),
        ("description", "Le sens de cet axe"),
        keeps_history=True,
    ),
    "objective": Case(
        "ctg:objective_edit",
        lambda: ObjectiveFactory(),
        ("title", "Objectif renommé"),
        ("description", "Ce que vise cet objectif"),
        keeps_history=True,
    ),
    "signatory": Case("ctg:signatory_edit", lambda: SignatoryFactory(), ("person", "Marie Curie"), ("title", "maire")),
    "amendment": Case(
        "ctg:amendment_edit", lambda: AmendmentFactory(), ("subject", "Sujet revu"), ("description", "Deux fiches")
    ),
    "territory": Case(
        "ctg:territory_edit", lambda: TerritoryFactory(), ("name", "Quartier renommé"), ("code", "94042")
    ),
    "service": Case(
        "ctg:service_edit", lambda: ServiceFactory(), ("name", "Service renommé"), ("name", "Service petite enfance")
    ),
    "partner": Case(
        "partners:edit",
        lambda: PartnerFactory(kind="municipal"),
        ("name", "Association renommée"),
        ("kind", "caf"),
    ),
}
MODELS = {
    "convention": Convention,
    "axis": Axis,
    "objective": Objective,
    "signatory": Signatory,
    "amendment": Amendment,
    "territory": Territory,
    "service": Service,
    "partner": Partner,
}


def form_data(form, **values) -> dict:
    """What the browser posts for the form as served (its hidden fingerprint included), then `values`."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.FileField):
            continue
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
            continue
        data[field.html_name] = "" if value is None else value
    return data | values


def posted(form) -> dict:
    """The data of a bound form, as its page posts it again."""
    return {name: form.data.getlist(name) for name in form.data}


@pytest.fixture
def colleague(db):
    return UserFactory(coordination=True, username="coordination-2", first_name="Sami", last_name="Benali")


@pytest.fixture
def other_person(colleague):
    client = Client()
    client.force_login(colleague)
    return client


def edit(client, url: str, **changes):
    """GET the edit page, then post it with `changes`."""
    form = client.get(url).context["form"]
    return client.post(url, form_data(form, **changes))


@pytest.mark.parametrize("name", CASES)
class TestConflict:
    def test_the_second_save_is_shown_the_conflict_then_confirms(self, client_for, other_person, colleague, name):
        case = CASES[name]
        record = case.create()
        url = reverse(case.url_name, args=[record.pk])
        me = client_for("coordination")
        served = me.get(url).context["form"]
        assert served["fingerprint"].value()

        their_field, their_value = case.theirs
        assert edit(other_person, url, **{their_field: their_value}).status_code == 302

        my_field, my_value = case.mine
        response = me.post(url, form_data(served, **{my_field: my_value}))
        html = text_of(response)
        assert response.status_code == 200
        fresh = MODELS[name].objects.get(pk=record.pk)
        assert getattr(fresh, their_field) == their_value  # theirs kept
        if my_field != their_field:
            assert getattr(fresh, my_field) != my_value  # mine not saved yet
        author = "Sami Benali" if case.keeps_history else SOMEONE_ELSE
        assert f"{author} {STALE_START}{fresh}" in html
        assert CONFIRM in html
        shown = response.context["form"]
        assert shown.conflicts == {their_field: saved_display(fresh, their_field)}
        assert f"Valeur enregistrée entre-temps : {shown.conflicts[their_field]}" in html
        assert shown[my_field].value() == my_value  # the input is kept
        assert f'name="fingerprint" value="{shown.data["fingerprint"]}"' in html  # the next submission confirms

        response = me.post(url, posted(shown))
        assert response.status_code == 302
        assert messages_of(response) == [helpers.SAVED.format(MODELS[name].objects.get(pk=record.pk))]
        assert getattr(MODELS[name].objects.get(pk=record.pk), my_field) == my_value

    def test_without_anyone_else_it_saves_at_once(self, client_for, db, name):
        case = CASES[name]
        record = case.create()
        my_field, my_value = case.mine
        response = edit(client_for("coordination"), reverse(case.url_name, args=[record.pk]), **{my_field: my_value})
        assert response.status_code == 302
        assert getattr(MODELS[name].objects.get(pk=record.pk), my_field) == my_value


class TestWhatCounts:
    def test_a_change_outside_the_form_is_no_conflict(self, client_for, db):
        """The fingerprint covers the form's fields only: a service head named meanwhile through the user admin
        (`head` is a form field) would count, a territory's children do not."""
        territory = TerritoryFactory()
        url = reverse("ctg:territory_edit", args=[territory.pk])
        me = client_for("coordination")
        served = me.get(url).context["form"]
        TerritoryFactory(parent=territory)
        assert me.post(url, form_data(served, code="94042")).status_code == 302

    def test_the_same_change_twice_is_no_conflict(self, client_for, other_person, db):
        """Both typed the same new name: saving the second form overwrites nothing."""
        partner = PartnerFactory(kind="municipal")
        url = reverse("partners:edit", args=[partner.pk])
        me = client_for("coordination")
        served = me.get(url).context["form"]
        edit(other_person, url, name="Association du quartier")
        response = me.post(url, form_data(served, name="Association du quartier", kind="caf"))
        assert response.status_code == 302
        partner.refresh_from_db()
        assert (partner.name, partner.kind) == ("Association du quartier", "caf")

    def test_only_the_fields_saved_meanwhile_are_shown(self, client_for, other_person, db):
        """This person's own change is not called a value saved meanwhile."""
        partner = PartnerFactory(kind="municipal")
        url = reverse("partners:edit", args=[partner.pk])
        me = client_for("coordination")
        served = me.get(url).context["form"]
        edit(other_person, url, kind="state")
        response = me.post(url, form_data(served, name="Association du quartier"))
        assert response.context["form"].conflicts == {"kind": "Services de l'État"}

    def test_a_fingerprint_of_other_fields_counts_every_field(self, client_for, db):
        partner = PartnerFactory(kind="municipal")
        url = reverse("partners:edit", args=[partner.pk])
        data = form_data(client_for("coordination").get(url).context["form"], name="Association du quartier")
        response = client_for("coordination").post(url, data | {"fingerprint": "abc"})
        assert response.context["form"].conflicts == {"name": partner.name}

    def test_a_form_posted_without_fingerprint_saves_as_before(self, client_for, db):
        partner = PartnerFactory(kind="municipal")
        url = reverse("partners:edit", args=[partner.pk])
        data = form_data(client_for("coordination").get(url).context["form"], name="Association du quartier")
        del data["fingerprint"]
        Partner.objects.filter(pk=partner.pk).update(kind="caf")
        assert client_for("coordination").post(url, data).status_code == 302

    def test_a_new_record_has_no_fingerprint(self, client_for, db):
        assert "fingerprint" not in client_for("coordination").get(reverse("partners:create")).context["form"].fields

    def test_dates_and_choices_are_shown_as_read(self, client_for, other_person, db):
        amendment = AmendmentFactory()
        url = reverse("ctg:amendment_edit", args=[amendment.pk])
        me = client_for("coordination")
        served = me.get(url).context["form"]
        edit(other_person, url, signed_on="2025-02-03")
        response = me.post(url, form_data(served))
        assert response.context["form"].conflicts == {"signed_on": "03/02/2025"}


POSTGRESQL = connection.vendor == "postgresql"


@pytest.mark.usefixtures("race_outcomes")
@pytest.mark.skipif(not POSTGRESQL, reason="threads need PostgreSQL: see tests/test_concurrency.py")
@pytest.mark.django_db(transaction=True)
class TestRaces:
    def test_two_edits_of_the_same_axis(self, coordinators, convention, monkeypatch):
        """Both forms served before either saves: one is saved, the other is shown the conflict; nothing of the
        first is lost."""
        pause_before(monkeypatch, helpers, "save_form")
        for number in range(3):
            axis = AxisFactory(convention=convention)
            url = reverse("ctg:axis_edit", args=[axis.pk])
            served = [client.get(url).context["form"] for client in coordinators]
            titles = [f"Axe de Claire {number}", f"Axe de Sami {number}"]
            posts = [
                lambda client=client, form=form, title=title, url=url: client.post(url, form_data(form, title=title))
                for client, form, title in zip(coordinators, served, titles, strict=True)
            ]
            responses = race(*posts, lead=number % 2)
            saved = Axis.objects.get(pk=axis.pk).title
            assert saved in titles
            winner = titles.index(saved)
            assert responses[winner].status_code == 302
            loser = responses[1 - winner]
            assert loser.status_code == 200 and STALE_START in text_of(loser)
            assert loser.context["form"].conflicts == {"title": saved}
            tally("one saved, the other shown the conflict")
