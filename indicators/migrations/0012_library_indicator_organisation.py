import django.db.models.deletion
from django.db import migrations, models


def clear_library(apps, schema_editor):
    """Entries built before were shared whatever their tables' state: drop them, so the next
    `rebuild_library` (or demo load) files every row by whether its table is approved."""
    apps.get_model("indicators", "LibraryIndicator").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0011_indicator_upper_indicator"),
        ("perfgoals", "0006_office_document_prefix_owner"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="libraryindicator",
            name="library_unique_entry",
        ),
        migrations.AddField(
            model_name="libraryindicator",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="perfgoals.organisation",
                verbose_name="所属单位",
            ),
        ),
        migrations.RunPython(clear_library, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="libraryindicator",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", True)),
                fields=("name", "category_name", "fund_type"),
                name="library_unique_entry",
            ),
        ),
        migrations.AddConstraint(
            model_name="libraryindicator",
            constraint=models.UniqueConstraint(
                condition=models.Q(("organisation__isnull", False)),
                fields=("organisation", "name", "category_name", "fund_type"),
                name="library_unique_own_entry",
            ),
        ),
    ]
