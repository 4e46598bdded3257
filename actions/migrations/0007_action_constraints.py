"""The invariants the forms check, in the database too (a separate migration: PostgreSQL cannot alter a table
whose rows the previous one updated in the same transaction)."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_fill_action_convention"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="convention",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="ctg.convention",
                verbose_name="convention",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "done"), _negated=True), ("progress", 100), _connector="OR"),
                name="action_done_at_100",
                violation_error_message="Une action réalisée est avancée à 100 %.",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.UniqueConstraint(
                models.F("convention"),
                django.db.models.functions.text.Lower("code"),
                name="action_unique_code_per_convention",
                violation_error_message="Ce code est déjà utilisé par une autre fiche action de cette convention.",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetline",
            constraint=models.CheckConstraint(
                condition=models.Q(("year__gte", 2000), ("year__lte", 2100)),
                name="budget_line_year_range",
                violation_error_message="Année invalide.",
            ),
        ),
        migrations.AddConstraint(
            model_name="progressupdate",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "done"), _negated=True), ("progress", 100), _connector="OR"),
                name="progress_update_done_at_100",
                violation_error_message="Une action réalisée est avancée à 100 %.",
            ),
        ),
    ]
