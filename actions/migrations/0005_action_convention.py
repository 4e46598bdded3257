"""Each action's convention (objective → axis → convention), copied onto the action so that the database can keep
codes unique per convention; filled by the next migration (PostgreSQL cannot build this migration's indexes after
updating the rows in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_progress_update_action_date"),
        ("ctg", "0002_convention_caf_logo_convention_collectivity_logo_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="convention",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="ctg.convention",
                verbose_name="convention",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="convention",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="ctg.convention",
                verbose_name="convention",
            ),
        ),
    ]
