"""The data `scripts/bench.py` measures: the demo CTG (×1), then the same plan grown ×10 and ×100.

Growing the plan copies the current convention's actions N − 1 times into the same objectives, with
everything that hangs on them: points d'étape (twice as many per copy, so that ×100 holds about 2,600
actions and 25,000 points d'étape), jalons, budget lines, partners, publics, territories and the history
of each of those records. The axes and objectives stay those of the demo: a CTG has a handful of axes
whatever the size of the commune, it is the number of actions and of their records that grows.

Everything goes through `bulk_create` (about 110,000 rows at ×100 in a few seconds), on the database of
the `default` connection. The copies keep the demo's pilot services, dates, statuses and flags, so that
each page shows the same mix of late, "sans nouvelles" and done actions at every size.
"""

import io
import time
from collections import defaultdict
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction

from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate
from ctg.models import Convention

BATCH = 1000
# Records of an action copied with it, each with its django-simple-history rows when it has some.
CHILDREN = [Milestone, BudgetLine, ActionPartner]


def seed_demo() -> None:
    """Migrate the (empty) database of the default connection and load the demo CTG into it."""
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())


def clone(obj, **changes):
    """An unsaved copy of `obj` with every concrete field but its primary key, then `changes`."""
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    values.pop(obj._meta.pk.attname)
    return type(obj)(**values | changes)


def by_action(queryset) -> dict[int, list]:
    grouped = defaultdict(list)
    for obj in queryset:
        grouped[obj.action_id].append(obj)
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
    grouped = defaultdict(list)
    for row in model.history.filter(id__in=ids).order_by("history_date", "history_id"):
        grouped[row.id].append(row)
    return grouped


def history_changes(copy) -> dict:
    """What differs in the history of a copy besides its key: an action's code, a record's action."""
    return {"code": copy.code} if isinstance(copy, Action) else {"action_id": copy.action_id}


def multiply(factor: int) -> dict[str, int]:
    """Copy the current convention's actions `factor` − 1 times, with their records; return the counts."""
    convention = Convention.objects.current()
    originals = list(Action.objects.of_convention(convention).order_by("pk"))
    ids = [action.pk for action in originals]
    points = by_action(ProgressUpdate.objects.filter(action__in=ids).order_by("recorded_at", "pk"))
    throughs = [Action.publics.through, Action.territories.through]
    names = {Action.publics.through: "publics ciblés", Action.territories.through: "quartiers"}
    children = {model: by_action(model.objects.filter(action__in=ids).order_by("pk")) for model in CHILDREN + throughs}
    history = {Action: histories(Action, ids)}
    for model in CHILDREN:
        history[model] = histories(model, [row.pk for rows in children[model].values() for row in rows])
    counts = defaultdict(int)
    with transaction.atomic():
        for copy in range(2, factor + 1):
            actions = [clone(action, code=f"{action.code}-{copy}") for action in originals]
            Action.objects.bulk_create(actions, batch_size=BATCH)
            rows = defaultdict(list)  # model -> [(original, copy)]
            rows[Action] = list(zip(originals, actions, strict=True))
            new_points = []
            for original, action in rows[Action]:
                new_points += doubled(points[original.pk], original.created_at, action.pk)
                for model in CHILDREN + throughs:
                    rows[model] += [(row, clone(row, action_id=action.pk)) for row in children[model][original.pk]]
            ProgressUpdate.objects.bulk_create(new_points, batch_size=BATCH)
            for model in CHILDREN + throughs:
                model.objects.bulk_create([new for _, new in rows[model]], batch_size=BATCH)
                counts[names.get(model, model._meta.verbose_name_plural)] += len(rows[model])
            for model, records in history.items():
                copied = [
                    clone(row, id=new.pk, **history_changes(new))
                    for old, new in rows[model]
                    for row in records[old.pk]
                ]
                model.history.model.objects.bulk_create(copied, batch_size=BATCH)
                counts["lignes d'historique"] += len(copied)
            counts["actions"] += len(actions)
            counts["points d'étape"] += len(new_points)
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
