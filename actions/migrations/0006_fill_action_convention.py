"""Fill each action's convention from its objective; the history's rows too, so that the readable history shows
no change. Done actions (and points d'étape) below 100 % are set to 100 %, which the next migration makes a
constraint."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_convention(apps, schema_editor):
    Objective = apps.get_model("ctg", "Objective")
    convention_of = Subquery(Objective.objects.filter(pk=OuterRef("objective_id")).values("axis__convention_id")[:1])
    for name in ("Action", "HistoricalAction"):
        apps.get_model("actions", name).objects.update(convention_id=convention_of)
    for name in ("Action", "ProgressUpdate"):
        apps.get_model("actions", name).objects.filter(status="done", progress__lt=100).update(progress=100)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0005_action_convention"),
    ]

    operations = [migrations.RunPython(fill_convention, migrations.RunPython.noop)]
