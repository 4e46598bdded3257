"""Store the date of each action's latest point d'étape on the action (kept by `action_record_progress` from now
on), filled here from the points d'étape, in the action's history too (the latest point at each record's date, so
that the readable history shows no change); and index the budget lines for the campaign's figures
(by year, then action, with the values they sum)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_last_update_at(apps, schema_editor):
    points = apps.get_model("actions", "ProgressUpdate").objects.order_by("-recorded_at").values("recorded_at")
    latest = points.filter(action=OuterRef("pk"))
    apps.get_model("actions", "Action").objects.update(last_update_at=Subquery(latest[:1]))
    then = points.filter(action=OuterRef("id"), recorded_at__lte=OuterRef("history_date"))
    apps.get_model("actions", "HistoricalAction").objects.update(last_update_at=Subquery(then[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_action_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="last_update_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="dernier point d'étape"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="last_update_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="dernier point d'étape"),
        ),
        migrations.RunPython(fill_last_update_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=[
                    "convention",
                    "archived_at",
                    "objective",
                    "pilot_service",
                    "status",
                    "progress",
                    "start_date",
                    "end_date",
                    "last_update_at",
                    "created_at",
                ],
                name="action_plan_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="budgetline",
            index=models.Index(fields=["year", "action", "actual", "funder", "planned"], name="budget_line_campaign"),
        ),
    ]
