"""The data `scripts/bench.py` measures: the demo CTG (×1), then the same plan grown ×10 and ×100.

Growing the plan copies the current convention's actions N − 1 times into the same objectives, with
everything that hangs on them: points d'étape (twice as many per copy, so that ×100 holds about 2,600
actions and 25,000 points d'étape), jalons, budget lines, partners, publics, territories, evaluations of
the action, and its indicators with their targets and values; plus the history of each of those records.
The axes and objectives stay those of the demo: a CTG has a handful of axes whatever the size of the
commune, it is the number of actions and of their records that grows. The participation grows with the
plan: each copy adds the demo's workshops again (linked to that copy's actions) and the responses of each
closed survey again. The context indicators of the diagnostic and the open survey stay as they are: the
territory and today's survey do not grow with the plan.

Everything goes through `bulk_create` (about 220,000 rows at ×100 in about 25 s), on the database of
the `default` connection. The copies keep the demo's pilot services, dates, statuses, flags and values, so
that each page shows the same mix of late, "sans nouvelles" and done actions, and of off-track indicators,
at every size.
"""

import io
import time
from collections import defaultdict
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from ctg.models import Convention
from evaluation.models import Answer, Assessment, Indicator, IndicatorTarget, Measurement, Response, Workshop
from evaluation.tallies import tallies_rebuild

BATCH = 1000
# Records of an action copied with it, each with its django-simple-history rows when it has some.
CHILDREN = [Milestone, BudgetLine, ActionPartner, Assessment, Indicator]
# Records of an action's indicator copied with it, with their history.
INDICATOR_CHILDREN = [IndicatorTarget, Measurement]
NAMES = {
    Action: "actions",
    Action.publics.through: "publics ciblés",
    Action.territories.through: "quartiers",
    Workshop.axes.through: "axes d'ateliers",
    Workshop.actions.through: "actions d'ateliers",
}


def seed_demo() -> None:
    """Migrate the (empty) database of the default connection and load the demo CTG into it."""
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())


def clone(obj, **changes):
    """An unsaved copy of `obj` with every concrete field but its primary key, then `changes`."""
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    values.pop(obj._meta.pk.attname)
    return type(obj)(**values | changes)


def grouped_by(queryset, attname: str = "action_id") -> dict[int, list]:
    grouped = defaultdict(list)
    for obj in queryset:
        grouped[getattr(obj, attname)].append(obj)
    return grouped


def doubled(points: list[ProgressUpdate], created_at, action_id: int) -> list[ProgressUpdate]:
    """Each point d'étape of an action, preceded by an earlier one of the same status and progress,
    halfway from the point before (or the action's creation): the latest point, hence the action's
    status, progress and flags, stay those of the original."""
    copies, previous = [], created_at
    for point in points:  # oldest first
        gap = max(point.recorded_at - previous, timedelta(hours=2))
        copies.append(clone(point, action_id=action_id, recorded_at=point.recorded_at - gap / 2))
        copies.append(clone(point, action_id=action_id))
        previous = point.recorded_at
    return copies


def histories(model, ids: list[int]) -> dict[int, list]:
    """The django-simple-history rows of the `model` records `ids`, grouped by record, oldest first."""
    return grouped_by(model.history.filter(id__in=ids).order_by("history_date", "history_id"), "id")


def history_changes(original, copy) -> dict:
    """What the history of a copy changes from the original's besides its key: the fields in which the copy
    differs (an action's or indicator's code, the action or indicator a record hangs on)."""
    recorded = {field.attname for field in original.history.model._meta.concrete_fields}
    return {
        field.attname: getattr(copy, field.attname)
        for field in original._meta.concrete_fields
        if field.attname in recorded
        and not field.primary_key
        and getattr(copy, field.attname) != getattr(original, field.attname)
    }


def child_copy(row, action_id: int, number: int):
    """A copy of an action's record for the copy `action_id`; an indicator's code stays unique in the convention."""
    changes = {"code": f"{row.code}-{number}"} if isinstance(row, Indicator) else {}
    return clone(row, action_id=action_id, **changes)


class Plan:
    """The current convention's records that each copy repeats, read once."""

    def __init__(self):
        convention = Convention.objects.current()
        self.actions = list(Action.objects.of_convention(convention).order_by("pk"))
        ids = [action.pk for action in self.actions]
        self.points = grouped_by(ProgressUpdate.objects.filter(action__in=ids).order_by("recorded_at", "pk"))
        self.throughs = [Action.publics.through, Action.territories.through]
        self.children = {
            model: grouped_by(model.objects.filter(action__in=ids).order_by("pk"))
            for model in CHILDREN + self.throughs
        }
        self.of_indicator = {
            model: grouped_by(model.objects.filter(indicator__action__in=ids).order_by("pk"), "indicator_id")
            for model in INDICATOR_CHILDREN
        }
        self.workshops = list(Workshop.objects.filter(convention=convention).order_by("pk"))
        self.workshop_links = {
            through: grouped_by(through.objects.filter(workshop__in=self.workshops).order_by("pk"), "workshop_id")
            for through in (Workshop.axes.through, Workshop.actions.through)
        }
        closed = Response.objects.filter(survey__convention=convention, survey__closes_on__lt=timezone.localdate())
        self.responses = list(closed.order_by("pk"))
        self.answers = grouped_by(Answer.objects.filter(response__in=self.responses).order_by("pk"), "response_id")
        records = {Action: self.actions, Workshop: self.workshops}
        records |= {model: self.all(self.children[model]) for model in CHILDREN}
        records |= {model: self.all(self.of_indicator[model]) for model in INDICATOR_CHILDREN}
        self.history = {model: histories(model, [row.pk for row in rows]) for model, rows in records.items()}

    @staticmethod
    def all(grouped: dict[int, list]) -> list:
        return [row for rows in grouped.values() for row in rows]

    def copy(self, number: int, counts: dict[str, int]) -> None:
        """The `number`-th copy of the plan, its counts added to `counts`."""
        rows = defaultdict(list)  # model -> [(original, copy)]

        def create(model, pairs: list[tuple]) -> list[tuple]:
            model.objects.bulk_create([new for _, new in pairs], batch_size=BATCH)
            rows[model] += pairs
            counts[NAMES.get(model, model._meta.verbose_name_plural)] += len(pairs)
            return pairs

        actions = create(Action, [(action, clone(action, code=f"{action.code}-{number}")) for action in self.actions])
        copied_action = {original.pk: action.pk for original, action in actions}
        points = [doubled(self.points[old.pk], old.created_at, new.pk) for old, new in actions]
        create(ProgressUpdate, [(None, point) for copies in points for point in copies])
        for model in CHILDREN + self.throughs:
            pairs = [
                (row, child_copy(row, new.pk, number)) for old, new in actions for row in self.children[model][old.pk]
            ]
            create(model, pairs)
        for model in INDICATOR_CHILDREN:
            create(
                model,
                [
                    (row, clone(row, indicator_id=new.pk))
                    for old, new in rows[Indicator]
                    for row in self.of_indicator[model][old.pk]
                ],
            )
        workshops = create(Workshop, [(workshop, clone(workshop)) for workshop in self.workshops])
        for through, links in self.workshop_links.items():
            pairs = []
            for old, new in workshops:
                for link in links[old.pk]:
                    link_copy = clone(link, workshop_id=new.pk)
                    if through is Workshop.actions.through:  # the copy's workshops are about the copy's actions
                        link_copy.action_id = copied_action.get(link.action_id, link.action_id)
                    pairs.append((link, link_copy))
            create(through, pairs)
        responses = create(Response, [(old, clone(old, nonce=f"{old.nonce}-{number}")) for old in self.responses])
        create(
            Answer, [(row, clone(row, response_id=new.pk)) for old, new in responses for row in self.answers[old.pk]]
        )
        for model, records in self.history.items():
            copied = []
            for old, new in rows[model]:
                changes = history_changes(old, new)
                copied += [clone(row, id=new.pk, **changes) for row in records[old.pk]]
            model.history.model.objects.bulk_create(copied, batch_size=BATCH)
            counts["lignes d'historique"] += len(copied)


def multiply(factor: int) -> dict[str, int]:
    """Copy the current convention's plan `factor` − 1 times; return the counts of rows added."""
    plan = Plan()
    counts = defaultdict(int)
    with transaction.atomic():
        for number in range(2, factor + 1):
            plan.copy(number, counts)
        # The copied responses answer the demo's own surveys: their counts are made again.
        tallies_rebuild(survey_ids=sorted({response.survey_id for response in plan.responses}))
    return dict(counts)


def analyze() -> None:
    """After a bulk load, what autovacuum would soon do on PostgreSQL: the planner's statistics, and the
    visibility map that lets index-only scans (the last point d'étape) skip the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def grow(factor: int) -> str:
    """`multiply` then `analyze`, and a line saying what was added and how long it took."""
    start = time.perf_counter()
    counts = multiply(factor) if factor > 1 else {}
    analyze()
    added = ", ".join(f"{count} {name}" for name, count in counts.items()) or "rien (la démo)"
    return f"×{factor} : {added} ajoutés en {time.perf_counter() - start:.1f} s"
