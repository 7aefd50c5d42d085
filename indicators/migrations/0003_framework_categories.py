from django.db import migrations

from indicators.framework import FRAMEWORK


def load_framework(apps, schema_editor):
    FrameworkCategory = apps.get_model("indicators", "FrameworkCategory")
    for generation, firsts in FRAMEWORK.items():
        for position, (name, synonyms, seconds) in enumerate(firsts, start=1):
            first, _ = FrameworkCategory.objects.update_or_create(
                generation=generation, level=1, name=name,
                defaults={"synonyms": synonyms, "position": position, "parent": None},
            )
            for sub_position, (sub_name, sub_synonyms) in enumerate(seconds, start=1):
                FrameworkCategory.objects.update_or_create(
                    generation=generation, level=2, name=sub_name,
                    defaults={
                        "synonyms": sub_synonyms,
                        "position": position * 10 + sub_position,
                        "parent": first,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_initial")]

    operations = [migrations.RunPython(load_framework, migrations.RunPython.noop)]
