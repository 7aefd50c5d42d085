from django.db import migrations, models

# The demo bureaus' 发文代字 and the offices that own them (fixtures/demo/organisations.json).
DEMO_CODES = {
    ("德宏州财政局", "社会保障科"): "德财社",
    ("瑞丽市财政局", "社保股"): "瑞财社",
    ("株洲市石峰区财政局", "社保股"): "石财社",
    ("河北省财政厅", "社会保障处"): "冀财社",
    ("顺平县财政局", "社保股"): "顺财社",
    ("三门峡市人民政府办公室", "六科"): "三政办",
}


def assign_demo_codes(apps, schema_editor):
    """Give each demo code to its owning office where none is registered yet, so that a
    database loaded before codes were owned numbers only with its own codes."""
    Office = apps.get_model("perfgoals", "Office")
    for (organisation, office), code in DEMO_CODES.items():
        if Office.objects.filter(document_prefix=code).exists():
            continue
        Office.objects.filter(
            organisation__name=organisation, name=office, document_prefix=""
        ).update(document_prefix=code)


class Migration(migrations.Migration):
    dependencies = [
        ("perfgoals", "0005_special_fund_summary"),
    ]

    operations = [
        migrations.RunPython(assign_demo_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="office",
            constraint=models.UniqueConstraint(
                condition=models.Q(("document_prefix", ""), _negated=True),
                fields=("document_prefix",),
                name="office_unique_document_prefix",
                violation_error_message="该发文代字已登记给其他股室。",
            ),
        ),
    ]
