"""Forms of the target-table editor: the header fields each layout prints (DOMAIN.md §4)."""

import copy
import functools
import unicodedata

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models

from perfgoals.inputs import LONG_TEXT_MAX
from perfgoals.layouts import HEADER_FIELDS, layout_spec, printed_label
from perfgoals.models import TargetTable
from perfgoals.money import AmountUnit, read_amount, read_percent
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
    """Accepts what staff paste from Excel/WPS: 1,234.50, full-width digits, a unit after it.

    An amount field converts a typed 元/万元 into the table's unit (perfgoals.money) and keeps
    the note of the conversion for the page; a percent field refuses an amount.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit: str | None = None  # the table's AmountUnit; None on a percent field
        self.conversion = ""

    def to_python(self, value):
        self.conversion = ""
        if not isinstance(value, str) or value.strip() in self.empty_values:
            return super().to_python(value)
        if self.unit is None:
            return read_percent(value)
        amount, self.conversion = read_amount(value, self.unit)
        return amount


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
        # The layout's fields, labelled and with their widgets, are worked out once per
        # layout: the form copies only those, not all 37 header fields to drop most of them.
        self.base_fields = _layout_fields(layout)
        super().__init__(*args, **kwargs)
        self.layout = layout
        if self.instance.pk and self.instance.layout == layout:
            labels = layout_spec(layout).labels
            for name, field in self.fields.items():
                if name in labels:
                    # The table's own wording where its document has one (项目负责人及电话).
                    field.label = printed_label(self.instance, name, labels[name])
        # The unit the amounts are read in: the one posted with them when it is a valid
        # choice, else the table's (amount_unit is cleaned after the amounts, by name order).
        unit = self.data.get(self.add_prefix("amount_unit")) if self.is_bound else None
        if unit not in AmountUnit.values:
            unit = self.instance.amount_unit
        for name, field in self.fields.items():
            if isinstance(field, LenientDecimalField):
                field.unit = None if name in TargetTable.SPENDING_PLAN_FIELDS else unit

    def clean_department_code(self) -> str:
        # Full-width brackets and digits typed with a Chinese input method: ［０１５００１］.
        return unicodedata.normalize("NFKC", self.cleaned_data["department_code"]).strip()

    def sections(self):
        for title, fields in layout_spec(self.layout).sections:
            yield title, [self[name] for name, _ in fields]
        if "framework" in self.fields:
            yield FRAMEWORK_SECTION, [self["framework"]]

    def conversions(self) -> list[str]:
        """What was typed in another unit and converted, one note per field, for the page."""
        return [
            f"{field.label}：{field.conversion}"
            for field in self.fields.values()
            if isinstance(field, LenientDecimalField) and field.conversion
        ]

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


@functools.cache
def _layout_fields(layout: str) -> "_LayoutFields":
    """TargetTableForm's fields for `layout`: those its table prints, with its labels and
    their widgets, and the framework choice where it has a tree (the version always)."""
    spec = layout_spec(layout)
    labels = spec.labels
    fields = copy.deepcopy(TargetTableForm.base_fields)
    if spec.has_tree:
        fields["framework"].label = "指标体系版本"
        fields["framework"].choices = [("", "自动判断"), *TargetTable.Framework.choices]
        fields[
            "framework"
        ].help_text = (
            "自动判断：按指标树判断（成本指标列在产出指标下为2015版）；表样与指标树不一致时可指定。"
        )
    else:
        del fields["framework"]
    for name in list(fields):
        if name in ("version", "framework"):
            continue
        if name not in labels:
            del fields[name]
            continue
        field = fields[name]
        field.label = labels[name]
        if name in TEXTAREAS:
            field.widget = forms.Textarea(attrs={"rows": 4})
            field.max_length = LONG_TEXT_MAX
            field.validators.append(MaxLengthValidator(LONG_TEXT_MAX))
        elif isinstance(field, forms.DecimalField):
            # Text input: keeps "1,234.50" as typed when it is refused, no spinner arrows.
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "num"})
            field.localize = False
    if "amount_unit" in fields:
        fields["amount_unit"].widget.attrs["class"] = "unit"
    return _LayoutFields(fields)


class _LayoutFields(dict):
    """A layout's fields, which each form copies (BaseForm deep-copies its base_fields).

    The copy is of the fields alone: what a form sets per instance (label, unit, error
    messages, validators) is its own, while the widgets and choices, fixed per layout here,
    are shared. A deep copy of the header's twenty fields, their widgets and the options of
    each choice was a third of the time the editor spent on its header form.
    """

    def __deepcopy__(self, memo) -> dict[str, forms.Field]:
        return {name: _own_copy(field) for name, field in self.items()}


def _own_copy(field: forms.Field) -> forms.Field:
    copied = copy.copy(field)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied
