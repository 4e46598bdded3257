"""The rules of `Objective.clean()` and `User.clean()` a row can check alone, in the database too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ctg", "0002_convention_caf_logo_convention_collectivity_logo_and_more"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="objective",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("level", "strategic"), ("parent__isnull", True)),
                    models.Q(("level", "operational"), ("parent__isnull", False)),
                    _connector="OR",
                ),
                name="objective_parent_follows_level",
                violation_error_message="Un objectif opérationnel se rattache à un objectif stratégique du même axe.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "service_head"), _negated=True), ("service__isnull", False), _connector="OR"
                ),
                name="user_service_head_has_service",
                violation_error_message="Un·e responsable de service doit être rattaché·e à un service.",
            ),
        ),
    ]
