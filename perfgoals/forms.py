"""Forms of the target-table editor: the header fields each layout prints (DOMAIN.md §4)."""

import unicodedata

from django import forms
from django.db import models

from perfgoals.models import TargetTable

Layout = TargetTable.Layout

TITLE = ("title", "表名")
UNIT = ("amount_unit", "金额单位")
# The 资金情况 and 总体目标 blocks the project and transfer-payment tables print alike.
FUNDS = (
    "资金情况",
    [
        UNIT,
        ("amount_total", "年度资金总额"),
        ("amount_fiscal", "其中：财政拨款"),
        ("amount_other", "其他资金"),
    ],
)
OVERALL_GOAL = ("总体目标", [("annual_goal", "年度目标")])

# Per layout: (section title, [(field, label as the official table prints it)]).
LAYOUT_SECTIONS: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    Layout.PROJECT: [
        (
            "基本信息",
            [
                TITLE,
                ("project_name", "项目名称"),
                ("contact", "项目负责人及联系电话"),
                ("competent_department", "主管部门"),
                ("implementing_unit", "实施单位"),
            ],
        ),
        FUNDS,
        OVERALL_GOAL,
    ],
    Layout.TRANSFER: [
        (
            "基本信息",
            [
                TITLE,
                ("project_name", "专项名称"),
                ("finance_department", "财政部门"),
                ("competent_department", "主管部门"),
            ],
        ),
        FUNDS,
        OVERALL_GOAL,
    ],
    Layout.DEPT_PROJECT: [
        (
            "基本信息",
            [
                TITLE,
                ("project_code", "项目编码"),
                ("project_name", "项目名称"),
                ("contact", "项目负责人及联系电话"),
            ],
        ),
        (
            "预算规模及资金用途",
            [
                UNIT,
                ("amount_total", "预算数"),
                ("amount_fiscal", "其中：财政资金"),
                ("amount_other", "其他资金"),
                ("fund_purpose", "资金用途"),
            ],
        ),
        (
            "资金支出计划（%，累计）",
            [
                ("spend_by_mar", "3月底"),
                ("spend_by_jun", "6月底"),
                ("spend_by_oct", "10月底"),
                ("spend_by_dec", "12月底"),
            ],
        ),
        ("绩效目标", [("annual_goal", "绩效目标")]),
    ],
    Layout.DEPARTMENT: [
        ("基本信息", [TITLE, ("project_name", "部门（单位）名称")]),
        (
            "年度预算申请资金",
            [
                UNIT,
                ("amount_total", "资金总额"),
                ("basic_expenditure", "基本支出"),
                ("project_expenditure", "项目支出"),
            ],
        ),
        (
            "整体绩效目标",
            [
                ("annual_goal", "整体绩效目标"),
                ("output_description", "产出指标"),
                ("outcome_description", "效益指标"),
                ("sub_goals", "分项绩效目标"),
                ("safeguards", "工作保障措施"),
            ],
        ),
    ],
    Layout.SPECIAL_FUND: [
        (
            "基本信息",
            [
                TITLE,
                ("project_name", "专项支出名称"),
                ("spending_direction", "支出方向"),
                ("competent_department", "主管部门"),
                ("implementation_period", "实施期"),
            ],
        ),
        ("资金情况", [UNIT, ("amount_total", "资金总额")]),
        ("绩效目标", [("period_goal", "实施期绩效目标"), ("annual_goal", "年度绩效目标")]),
    ],
}

HEADER_FIELDS = sorted(
    {name for sections in LAYOUT_SECTIONS.values() for _, fields in sections for name, _ in fields}
)
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
        labels = {name: label for _, fields in LAYOUT_SECTIONS[layout] for name, label in fields}
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
        for title, fields in LAYOUT_SECTIONS[self.layout]:
            yield title, [self[name] for name, _ in fields]

    def header_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
