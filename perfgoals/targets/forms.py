"""Forms of the target-table editor: the header fields each layout prints (DOMAIN.md §4)."""

import unicodedata

from django import forms
from django.db import models

from perfgoals.layouts import HEADER_FIELDS, layout_spec
from perfgoals.models import TargetTable
from perfgoals.validation import RefuseOverlong

TEXTAREAS = {
    "annual_goal",
    "period_goal",
    "fund_purpose",
    "output_description",
    "outcome_description",
    "sub_goals",
    "safeguards",
    "department_duties",
}
# Not printed on any official table: which framework generation the checks hold the tree to.
FRAMEWORK_SECTION = "指标体系"


class LenientDecimalField(forms.DecimalField):
    """Accepts what staff paste from Excel/WPS: 1,234.50, full-width digits, trailing 万元/%."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().replace(",", "")
            for suffix in ("万元", "元", "%"):
                value = value.removesuffix(suffix).strip()
        return super().to_python(value)


class TargetTableForm(RefuseOverlong, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = TargetTable
        fields = [*HEADER_FIELDS, "framework"]
        field_classes = {
            name: LenientDecimalField
            for name in HEADER_FIELDS
            if isinstance(TargetTable._meta.get_field(name), models.DecimalField)
        }

    def __init__(self, *args, layout: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        spec = layout_spec(layout)
        labels = spec.labels
        if spec.has_tree:
            self.fields["framework"].label = "指标体系版本"
            self.fields["framework"].choices = [("", "自动判断"), *TargetTable.Framework.choices]
            self.fields["framework"].help_text = (
                "自动判断：按指标树判断（成本指标列在产出指标下为2015版）；"
                "表样与指标树不一致时可指定。"
            )
        else:
            del self.fields["framework"]
        for name in list(self.fields):
            if name in ("version", "framework"):
                continue
            if name not in labels:
                del self.fields[name]
                continue
            field = self.fields[name]
            field.label = labels[name]
            if name in TEXTAREAS:
                field.widget = forms.Textarea(attrs={"rows": 4})
            elif isinstance(field, forms.DecimalField):
                # Text input: keeps "1,234.50" as typed when it is refused, no spinner arrows.
                field.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "num"})
                field.localize = False
        if "amount_unit" in self.fields:
            self.fields["amount_unit"].widget.attrs["class"] = "unit"

    def clean_department_code(self) -> str:
        # Full-width brackets and digits typed with a Chinese input method: ［０１５００１］.
        return unicodedata.normalize("NFKC", self.cleaned_data["department_code"]).strip()

    def sections(self):
        for title, fields in layout_spec(self.layout).sections:
            yield title, [self[name] for name, _ in fields]
        if "framework" in self.fields:
            yield FRAMEWORK_SECTION, [self["framework"]]

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
