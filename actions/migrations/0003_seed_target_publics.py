from django.db import migrations

from actions.enums import DEFAULT_PUBLICS



def seed(apps, schema_editor):
    TargetPublic = apps.get_model("actions", "TargetPublic")
    for order, label in enumerate(DEFAULT_PUBLICS, start=1):
        TargetPublic.objects.get_or_create(label=label, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("actions", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
