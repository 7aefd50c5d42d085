from django.db import migrations

from indicators.framework import sync_framework


def load_framework(apps, schema_editor):
    sync_framework(apps.get_model("indicators", "FrameworkCategory"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_initial")]

    operations = [migrations.RunPython(load_framework, migrations.RunPython.noop)]
