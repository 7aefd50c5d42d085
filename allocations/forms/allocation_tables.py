"""Editing an allocation table: its settings, columns, rows and the grid of cells."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from allocations.forms.fields import (
    AMOUNT_ERRORS,
    COUNT_ERRORS,
    NumberField,
    amount_field,
    percent_field,
)
from allocations.models import AllocationColumn, AllocationStandard, AllocationTable, FundNotice
from perfgoals.display import plain_number
from perfgoals.models import Organisation
from perfgoals.validation import RefuseOverlong


class AllocationTableForm(RefuseOverlong, forms.ModelForm):
    envelope_amount = amount_field("上级资金总额", required=False)

    class Meta:
        model = AllocationTable
        fields = [
            "title",
            "unit",
            "recipient_label",
            "count_total_label",
            "amount_total_label",
            "envelope_amount",
            "envelope_unit",
        ]
        help_texts = {
            "envelope_amount": (
                "上级分到本区域各县市的资金总额（如 40.71万元），填写后核对各行合计。"
            ),
        }


class AllocationColumnForm(RefuseOverlong, forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=AllocationColumn.Kind.choices,
        widget=forms.RadioSelect,
        initial=AllocationColumn.Kind.CALCULATION,
    )
    label = forms.CharField(
        label="列标题",
        max_length=100,
        help_text="如 已脱贫签约人数；资金来源列如 中央财政预算",
        error_messages={"required": "请填写列标题。"},
    )
    standard = forms.ModelChoiceField(
        label="补助标准（按比例分担）",
        # Set per bureau: only the standards of its region and the regions above it.
        queryset=AllocationStandard.objects.none(),
        required=False,
        empty_label="（不选）",
        help_text="只列出适用于本地区（含上级地区）的补助标准，括号内为政策依据文号和适用区域。",
        error_messages={"invalid_choice": "所选补助标准不存在，或不适用于本地区。"},
    )
    share_side = forms.ChoiceField(
        label="本表承担方",
        choices=AllocationColumn.Side.choices,
        initial=AllocationColumn.Side.UPPER,
    )
    standard_amount = NumberField(
        label="或：直接填写标准（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        error_messages={**AMOUNT_ERRORS, "invalid": "标准须为数字，如 4.8。"},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    new_name = forms.CharField(label="或：新建标准——名称", required=False, max_length=150)
    new_base_amount = NumberField(
        label="标准金额（元/人/年）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        error_messages={**AMOUNT_ERRORS, "invalid": "标准须为数字，如 12。"},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    new_upper_percent = percent_field("上级承担（%）", 40)
    new_lower_percent = percent_field("本级承担（%）", 60)
    count_label = forms.CharField(label="人数列标题", required=False, max_length=100)
    standard_label = forms.CharField(label="标准列标题", required=False, max_length=100)
    amount_label = forms.CharField(label="金额列标题", required=False, max_length=100)

    def __init__(self, *args, standards: QuerySet[AllocationStandard], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards
        self.fields["standard"].label_from_instance = lambda s: (
            f"{s.name}：{'不低于' if s.is_minimum else ''}{plain_number(s.base_amount)}{s.unit}"
            + (f"，{s.ratio_text}" if s.has_share else "")
            + f"（{s.basis_text}）"
        )

    SERVICE_FIELD_MAP = {
        "base_amount": "new_base_amount",
        "upper_percent": "new_upper_percent",
        "lower_percent": "new_lower_percent",
        "name": "new_name",
    }

    def clean(self):
        data = super().clean()
        if data.get("kind") != AllocationColumn.Kind.CALCULATION:
            return data
        ways = [
            data.get("standard") is not None,
            data.get("standard_amount") is not None,
            data.get("new_base_amount") is not None,
        ]
        if sum(ways) == 0 and not self.errors:
            self.add_error("standard", "测算组须选择补助标准、直接填写标准，或新建标准。")
        elif sum(ways) > 1:
            self.add_error("standard", "补助标准只能选一种方式：选择、直接填写或新建。")
        if data.get("new_base_amount") is not None:
            upper, lower = data.get("new_upper_percent"), data.get("new_lower_percent")
            if (upper is None) != (lower is None):
                self.add_error("new_lower_percent", "分担比例须同时填写上级和本级承担的百分比。")
            elif upper is not None and upper + lower != 100:
                self.add_error(
                    "new_lower_percent",
                    f"承担比例合计应为100%，现为{plain_number(upper)}% + {plain_number(lower)}% "
                    f"= {plain_number(upper + lower)}%。",
                )
        return data

    def service_kwargs(self, *, region) -> dict:
        data = self.cleaned_data
        new_standard = None
        if data.get("new_base_amount") is not None:
            upper = data.get("new_upper_percent")
            new_standard = {
                "name": data["new_name"] or data["label"],
                "base_amount": data["new_base_amount"],
                "upper_percent": upper,
                "lower_percent": data.get("new_lower_percent"),
                "region": region,
            }
        return {
            "kind": data["kind"],
            "label": data["label"],
            "standard": data.get("standard"),
            "share_side": data.get("share_side") or AllocationColumn.Side.UPPER,
            "standard_amount": data.get("standard_amount"),
            "new_standard": new_standard,
            "count_label": data.get("count_label", ""),
            "standard_label": data.get("standard_label", ""),
            "amount_label": data.get("amount_label", ""),
        }


class AllocationRowForm(RefuseOverlong, forms.Form):
    label = forms.CharField(
        label="单位/县市", max_length=100, error_messages={"required": "请填写单位或县市名称。"}
    )
    organisation = forms.ModelChoiceField(
        label="对应主送单位",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="（按名称对应区域）",
    )

    def __init__(self, *args, notice: FundNotice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            notice_links__notice=notice
        )


class AllocationCellsForm(forms.Form):
    """One input per row × column: head counts under calculation groups, amounts under
    funding sources. Named c_<row>_<column> so the grid posts as one form."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, computed, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.computed = computed
        self.keys: dict[str, tuple[int, int]] = {}
        self.fields["version"].initial = computed.table.version
        for crow in computed.rows:
            for cell in crow.cells:
                name = f"c_{crow.row.pk}_{cell.column.pk}"
                label = f"{crow.row.label} {cell.column.label}"
                if cell.column.kind == AllocationColumn.Kind.CALCULATION:
                    field = forms.IntegerField(
                        label=label,
                        required=False,
                        min_value=0,
                        max_value=10**9,
                        initial=cell.count,
                        error_messages=COUNT_ERRORS,
                        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
                    )
                else:
                    field = amount_field(label, required=False, initial=cell.amount)
                    field.widget.attrs["size"] = 10
                self.fields[name] = field
                self.keys[name] = (crow.row.pk, cell.column.pk)

    @property
    def grid(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (crow.row.label, [self[f"c_{crow.row.pk}_{cell.column.pk}"] for cell in crow.cells])
            for crow in self.computed.rows
        ]

    def values(self) -> dict[tuple[int, int], Decimal | int | None]:
        return {key: self.cleaned_data.get(name) for name, key in self.keys.items()}
