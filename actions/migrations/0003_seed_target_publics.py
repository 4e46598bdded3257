from django.db import migrations

PUBLICS = [
    "0–3 ans",
    "3–11 ans",
    "11–17 ans",
    "16–25 ans",
    "Parents",
    "Familles",
    "Seniors",
    "Personnes en situation de handicap",
    "Habitants",
    "Professionnels",
]


def seed(apps, schema_editor):
    TargetPublic = apps.get_model("actions", "TargetPublic")
    for order, label in enumerate(PUBLICS, start=1):
        TargetPublic.objects.get_or_create(label=label, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("actions", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
