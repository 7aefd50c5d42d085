"""Forms of the target-table editor: the header fields each layout prints (DOMAIN.md §4)."""

import unicodedata

from django import forms
from django.db import models

from perfgoals.layouts import HEADER_FIELDS, layout_spec
from perfgoals.models import TargetTable

TEXTAREAS = {
    "annual_goal",
    "period_goal",
    "fund_purpose",
    "output_description",
    "outcome_description",
    "sub_goals",
    "safeguards",
}


class LenientDecimalField(forms.DecimalField):
    """Accepts what staff paste from Excel/WPS: 1,234.50, full-width digits, trailing 万元/%."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().replace(",", "")
            for suffix in ("万元", "元", "%"):
                value = value.removesuffix(suffix).strip()
        return super().to_python(value)


class TargetTableForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = TargetTable
        fields = HEADER_FIELDS
        field_classes = {
            name: LenientDecimalField
            for name in HEADER_FIELDS
            if isinstance(TargetTable._meta.get_field(name), models.DecimalField)
        }

    def __init__(self, *args, layout: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        labels = layout_spec(layout).labels
        for name in list(self.fields):
            if name == "version":
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

    def sections(self):
        for title, fields in layout_spec(self.layout).sections:
            yield title, [self[name] for name, _ in fields]

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
