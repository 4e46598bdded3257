"""Store each yearly value's status (computed by the rule of `evaluation.status`), index it for the filters
and counts by status, and fill it for the values already there."""

from collections import defaultdict

from django.db import migrations, models

from evaluation.status import year_status


def fill_statuses(apps, schema_editor):
    Indicator = apps.get_model("evaluation", "Indicator")
    IndicatorTarget = apps.get_model("evaluation", "IndicatorTarget")
    Measurement = apps.get_model("evaluation", "Measurement")
    targets = defaultdict(dict)
    for indicator_id, year, value in IndicatorTarget.objects.values_list("indicator_id", "year", "value"):
        targets[indicator_id][year] = value
    indicators = Indicator.objects.only("direction", "baseline_value", "baseline_year").in_bulk()
    changed = []
    for measurement in Measurement.objects.filter(period="Y").only("indicator_id", "year", "value", "status"):
        indicator = indicators[measurement.indicator_id]
        measurement.status = year_status(indicator, targets[indicator.pk], measurement.value, measurement.year)
        changed.append(measurement)
    Measurement.objects.bulk_update(changed, ["status"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_question_choices_for_choice_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="status",
            field=models.CharField(
                choices=[
                    ("reached", "Atteint"),
                    ("on_track", "En bonne voie"),
                    ("late", "En retard"),
                    ("no_data", "Sans donnée"),
                ],
                default="no_data",
                editable=False,
                help_text="Calculé (evaluation.status) pour la valeur d'une année entière, jamais saisi.",
                max_length=10,
                verbose_name="statut",
            ),
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(fields=["year", "period", "status"], name="measurement_year_status"),
        ),
        migrations.RunPython(fill_statuses, migrations.RunPython.noop),
    ]
