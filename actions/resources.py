"""django-import-export resources of the plan d'actions: the exports of the list page, and the columns a
later import reads back.

Columns. Each resource declares its headers once, in an ordered mapping field name → French header
(`ACTION_COLUMNS`, `PROGRESS_UPDATE_COLUMNS`, `BUDGET_LINE_COLUMNS`): the file has exactly these headers,
in this order, and re-importing an unchanged export changes nothing (every row "skipped", tested).
- An action is found by its "Code", a budget line by action, année, nature and financeur (so a réalisé
  typed in Excel comes back); points d'étape are a journal: an import only appends them. Codes are
  unique per convention only: an import builds the resource with `convention=…` (`ConventionResource`).
- The objective is read by its code within the "Axe" column, the pilot service by its name, publics by
  label and territories by name, several values separated by "; ".
- Statuses, priorities, natures and funders are written as their French label; the label or the stored
  value is read back.
- "Partenaires (rôle)" reads "Nom (Rôle); Autre (Rôle)" (`PartnerRolesWidget.clean` parses it); like
  "Axe", "Archivée", the latest point d'étape and the author, it is `readonly`: information only.

Formats. Dates are day/month/year ("31/01/2027"), what French users type and French Excel reads as a date
in CSV; in xlsx they are date cells shown the same way. Numbers: decimal comma in CSV ("12500,00", a number
for French Excel), numeric cells in xlsx. In CSV a text starting with "=", "+", "-" or "@" gets a leading
apostrophe so Excel shows it instead of running it as a formula ("- atelier" would read "#NOM?");
`TextWidget.clean` removes it again.
"""

from datetime import datetime

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from import_export import fields, resources, widgets

from actions.enums import ActionStatus, BudgetNature, Funder, Participation, PartnerRole, Priority
from actions.models import Action, ActionPartner, BudgetLine, ProgressUpdate, TargetPublic
from ctg.models import Objective, Service, Territory

DATE_FORMAT = "%d/%m/%Y"
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNKNOWN_CHOICE = "Valeur inconnue : « {value} »."

ACTION_COLUMNS = {
    "code": "Code",
    "title": "Intitulé",
    "axis": "Axe",
    "objective": "Objectif",
    "pilot_service": "Service pilote",
    "pilot_name": "Référent·e",
    "status": "Statut",
    "progress": "Avancement (%)",
    "start_date": "Début",
    "end_date": "Fin",
    "priority": "Priorité",
    "publics": "Publics cibles",
    "territories": "Territoires",
    "partners": "Partenaires (rôle)",
    "finding": "Constat",
    "description": "Description",
    "human_resources": "Moyens humains",
    "related_plans": "Articulation avec d'autres plans",
    "participation": "Participation citoyenne",
    "archived": "Archivée",
    "last_update_at": "Dernier point d'étape : date",
    "last_update_status": "Dernier point d'étape : statut",
    "last_update_progress": "Dernier point d'étape : avancement (%)",
    "last_update_done": "Dernier point d'étape : ce qui a été fait",
    "last_update_difficulties": "Dernier point d'étape : difficultés",
    "last_update_next_steps": "Dernier point d'étape : prochaines étapes",
}
PROGRESS_UPDATE_COLUMNS = {
    "action": "Code action",
    "recorded_at": "Date",
    "author": "Auteur",
    "status": "Statut",
    "progress": "Avancement (%)",
    "done": "Ce qui a été fait",
    "difficulties": "Difficultés",
    "next_steps": "Prochaines étapes",
}
BUDGET_LINE_COLUMNS = {
    "action": "Code action",
    "year": "Année",
    "nature": "Nature",
    "funder": "Financeur",
    "planned": "Prévu (€)",
    "actual": "Réalisé (€)",
}


# --- Widgets ----------------------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Free text; with `escape_formulae=True` (CSV) a text Excel would take for a formula is prefixed
    with an apostrophe, which `clean` removes."""

    def render(self, value, obj=None, **kwargs):
        text = super().render(value, obj, **kwargs)
        if kwargs.get("escape_formulae") and isinstance(text, str) and text.startswith(FORMULA_STARTS):
            return "'" + text
        return text

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if isinstance(text, str) and text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            return text[1:]
        return text


class ChoiceLabelWidget(widgets.Widget):
    """A TextChoices field written as its French label; read back from the label or the stored value."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        self.labels = dict(choices.choices)
        super().__init__(**kwargs)

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value) if value else ""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        text = str(value).strip().casefold()
        for choice in self.choices:
            if text in (choice.value.casefold(), choice.label.casefold()):
                return choice.value
        raise ValueError(UNKNOWN_CHOICE.format(value=value))


class LocalDateWidget(widgets.DateWidget):
    """A date, or the local date of a datetime (points d'étape are timestamped)."""

    def __init__(self, **kwargs):
        super().__init__(format=DATE_FORMAT, **kwargs)

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, datetime):
            value = timezone.localdate(value)
        return super().render(value, obj, **kwargs)

    def clean(self, value, row=None, **kwargs):
        parsed = super().clean(value, row, **kwargs)
        return parsed.date() if isinstance(parsed, datetime) else parsed  # xlsx cells come back as datetimes


class YesNoWidget(widgets.Widget):
    """Writes "oui" when the value is set (an archive date), "non" otherwise."""

    def render(self, value, obj=None, **kwargs):
        return "oui" if value else "non"


class PartnerRolesWidget(TextWidget):
    """Writes "Nom (Rôle); Autre (Rôle)" from an action's `partner_roles` (prefetched with their partner)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:  # an unsaved action, in an import's diff
            return ""
        text = LIST_SEPARATOR.join(f"{role.partner.name} ({role.get_role_display()})" for role in value.all())
        return super().render(text, obj, **kwargs)

    def clean(self, value, row=None, **kwargs) -> list[tuple[str, str]]:
        """[(partner name, role value), …]; an unknown role is an error."""
        pairs = []
        for item in filter(None, (part.strip() for part in (super().clean(value, row) or "").split(";"))):
            name, _, role = item.rpartition(" (")
            if not name or not role.endswith(")"):
                raise ValueError(UNKNOWN_CHOICE.format(value=item))
            pairs.append((name.strip(), ChoiceLabelWidget(PartnerRole).clean(role[:-1])))
        return pairs


class ConventionForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key found by a code within the convention of the import (set by `ConventionResource`)."""

    convention = None

    def __init__(self, model, field, *, convention_path: str, **kwargs):
        self.convention_path = convention_path
        super().__init__(model, field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = self.model.objects.all()
        if self.convention is not None:
            queryset = queryset.filter(**{self.convention_path: self.convention})
        return queryset


class ObjectiveWidget(ConventionForeignKeyWidget):
    """An objective code is unique within its axis: the "Axe" column of the row narrows the search."""

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = super().get_queryset(value, row, *args, **kwargs)
        axis = (row or {}).get(ACTION_COLUMNS["axis"])
        return queryset.filter(axis__code=axis) if axis else queryset


def column(columns: dict, name: str, widget: widgets.Widget | None = None, **kwargs) -> fields.Field:
    """The field `name` under its declared header; free text unless another widget is given."""
    kwargs.setdefault("attribute", name)
    return fields.Field(column_name=columns[name], widget=widget or TextWidget(), **kwargs)


def action_code(columns: dict) -> fields.Field:
    return column(
        columns, "action", ConventionForeignKeyWidget(Action, "code", convention_path="objective__axis__convention")
    )


# --- Resources --------------------------------------------------------------------------------------------


class ConventionResource(resources.ModelResource):
    """`convention=` scopes every code lookup of an import to that convention (codes are unique per
    convention only); the resource's own copies of the widgets carry it."""

    def __init__(self, *, convention=None, **kwargs):
        super().__init__(**kwargs)
        self.convention = convention
        for field in self.fields.values():
            if isinstance(field.widget, ConventionForeignKeyWidget):
                field.widget.convention = convention


def latest_update(name: str) -> Subquery:
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-recorded_at", "-pk")
    return Subquery(latest.values(name)[:1])


class ActionResource(ConventionResource):
    """One row per fiche action, with its latest point d'étape."""

    C = ACTION_COLUMNS
    code = column(C, "code")
    title = column(C, "title")
    axis = column(C, "axis", widgets.Widget(), attribute="objective__axis__code", readonly=True)
    objective = column(C, "objective", ObjectiveWidget(Objective, "code", convention_path="axis__convention"))
    pilot_service = column(C, "pilot_service", widgets.ForeignKeyWidget(Service, "name"))
    pilot_name = column(C, "pilot_name")
    status = column(C, "status", ChoiceLabelWidget(ActionStatus))
    progress = column(C, "progress", widgets.IntegerWidget())
    start_date = column(C, "start_date", LocalDateWidget())
    end_date = column(C, "end_date", LocalDateWidget())
    priority = column(C, "priority", ChoiceLabelWidget(Priority))
    publics = column(C, "publics", widgets.ManyToManyWidget(TargetPublic, separator=LIST_SEPARATOR, field="label"))
    territories = column(C, "territories", widgets.ManyToManyWidget(Territory, separator=LIST_SEPARATOR, field="name"))
    partners = column(C, "partners", PartnerRolesWidget(), attribute="partner_roles", readonly=True)
    finding = column(C, "finding")
    description = column(C, "description")
    human_resources = column(C, "human_resources")
    related_plans = column(C, "related_plans")
    participation = column(C, "participation", ChoiceLabelWidget(Participation))
    archived = column(C, "archived", YesNoWidget(), attribute="archived_at", readonly=True)
    last_update_at = column(C, "last_update_at", LocalDateWidget(), readonly=True)
    last_update_status = column(C, "last_update_status", ChoiceLabelWidget(ActionStatus), readonly=True)
    last_update_progress = column(C, "last_update_progress", widgets.IntegerWidget(), readonly=True)
    last_update_done = column(C, "last_update_done", readonly=True)
    last_update_difficulties = column(C, "last_update_difficulties", readonly=True)
    last_update_next_steps = column(C, "last_update_next_steps", readonly=True)
    del C

    class Meta:
        model = Action
        fields = tuple(ACTION_COLUMNS)
        export_order = tuple(ACTION_COLUMNS)
        import_id_fields = ("code",)
        skip_unchanged = True
        chunk_size = 1000

    def get_queryset(self):
        """The actions of the convention given, if any: codes are unique per convention only."""
        queryset = super().get_queryset()
        return queryset.of_convention(self.convention) if self.convention else queryset

    def filter_export(self, queryset, **kwargs):
        """Everything a row reads, in a fixed number of queries: the related rows joined or prefetched,
        the latest point d'étape as correlated subqueries (see `ActionQuerySet.with_last_update`)."""
        return (
            queryset.with_last_update()
            .select_related("objective__axis", "pilot_service")
            .prefetch_related(
                "publics",
                "territories",
                Prefetch("partner_roles", queryset=ActionPartner.objects.select_related("partner")),
            )
            .annotate(
                last_update_status=latest_update("status"),
                last_update_progress=latest_update("progress"),
                last_update_done=latest_update("done"),
                last_update_difficulties=latest_update("difficulties"),
                last_update_next_steps=latest_update("next_steps"),
            )
        )


class ProgressUpdateResource(ConventionResource):
    C = PROGRESS_UPDATE_COLUMNS
    action = action_code(C)
    recorded_at = column(C, "recorded_at", LocalDateWidget())
    author = column(C, "author", widgets.Widget(), readonly=True)  # an import records who imports
    status = column(C, "status", ChoiceLabelWidget(ActionStatus))
    progress = column(C, "progress", widgets.IntegerWidget())
    done = column(C, "done")
    difficulties = column(C, "difficulties")
    next_steps = column(C, "next_steps")
    del C

    class Meta:
        model = ProgressUpdate
        fields = tuple(PROGRESS_UPDATE_COLUMNS)
        export_order = tuple(PROGRESS_UPDATE_COLUMNS)
        force_init_instance = True  # points d'étape are a journal: an import only appends
        chunk_size = 2000

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("action", "author")


class BudgetLineResource(ConventionResource):
    C = BUDGET_LINE_COLUMNS
    action = action_code(C)
    year = column(C, "year", widgets.IntegerWidget())
    nature = column(C, "nature", ChoiceLabelWidget(BudgetNature))
    funder = column(C, "funder", ChoiceLabelWidget(Funder))
    planned = column(C, "planned", widgets.DecimalWidget())
    actual = column(C, "actual", widgets.DecimalWidget())
    del C

    class Meta:
        model = BudgetLine
        fields = tuple(BUDGET_LINE_COLUMNS)
        export_order = tuple(BUDGET_LINE_COLUMNS)
        import_id_fields = ("action", "year", "nature", "funder")  # so a réalisé typed in Excel comes back
        skip_unchanged = True
        chunk_size = 2000

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("action")
