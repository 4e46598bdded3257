from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="missing_values",
            field=models.PositiveIntegerField(default=0, verbose_name="valeurs d'indicateurs à saisir"),
        ),
    ]
