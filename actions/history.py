"""A readable history of a fiche action: who changed which field, from what to what, and when.

Built from django-simple-history records of the action and of its jalons, budget lines and
partners, in a fixed number of queries whatever the length of the history.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone

from actions.models import Action, ActionPartner, BudgetLine, Milestone
from ctg.models import Objective, Service
from partners.models import Partner

IGNORED_FIELDS = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user"}
# Bookkeeping, not a change anyone made: the version counter, the parent, and the date of the latest point
# d'étape (the points d'étape have their own timeline).
NOT_SHOWN = {"version", "action_id", "last_update_at"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    user: object
    subject: str
    verb: str
    changes: list[Change]


def display(field: models.Field, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"n° {value}")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"
    return str(value)


def field_changes(previous, record, fields: list[models.Field], names: dict) -> list[Change]:
    """The fields that differ between two history records of the same object, readable."""
    return [
        Change(
            str(field.verbose_name),
            display(field, getattr(previous, field.attname), names),
            display(field, getattr(record, field.attname), names),
        )
        for field in fields
        if getattr(previous, field.attname) != getattr(record, field.attname)
    ]


def _entries(records: list, model: type[models.Model], subject, names: dict) -> list[HistoryEntry]:
    fields = [f for f in model._meta.concrete_fields if f.attname not in IGNORED_FIELDS | NOT_SHOWN]
    previous_by_object: dict[int, object] = {}
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        if record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, record.history_user, subject(record), "created", []))
        elif record.history_type == "-":
            entries.append(HistoryEntry(record.history_date, record.history_user, subject(record), "deleted", []))
        elif previous is not None and (changes := field_changes(previous, record, fields, names)):
            entries.append(HistoryEntry(record.history_date, record.history_user, subject(record), "changed", changes))
    return entries


def _names(model, ids) -> dict:
    return {(model, obj.pk): str(obj) for obj in model.objects.filter(pk__in=set(ids) - {None})}


def action_history(action: Action) -> list[HistoryEntry]:
    """Newest first."""
    action_records = list(action.history.select_related("history_user"))
    milestone_records = list(Milestone.history.filter(action_id=action.pk).select_related("history_user"))
    budget_records = list(BudgetLine.history.filter(action_id=action.pk).select_related("history_user"))
    partner_records = list(ActionPartner.history.filter(action_id=action.pk).select_related("history_user"))
    names = {
        **_names(Objective, [r.objective_id for r in action_records]),
        **_names(Service, [r.pilot_service_id for r in action_records]),
        **_names(Partner, [r.partner_id for r in partner_records]),
    }
    entries = [
        *_entries(action_records, Action, lambda r: "la fiche", names),
        *_entries(milestone_records, Milestone, lambda r: f"le jalon « {r.title} »", names),
        *_entries(
            budget_records,
            BudgetLine,
            lambda r: f"la ligne budgétaire {r.year} – {display(BudgetLine._meta.get_field('funder'), r.funder, {})}",
            names,
        ),
        *_entries(
            partner_records, ActionPartner, lambda r: f"le partenaire {names.get((Partner, r.partner_id))}", names
        ),
    ]
    # Oldest first (the fiche's own records before its parts at the same instant), then reversed.
    return sorted(entries, key=lambda entry: entry.at)[::-1]
