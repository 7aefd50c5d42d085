"""Fields shared by the notice and allocation-table forms: amounts, head counts, codes."""

from decimal import Decimal

from django import forms

from allocations.models import ClassificationCode
from perfgoals.money import MONEY_DIGITS, MONEY_PLACES

AMOUNT_ERRORS = {
    "required": "请填写金额。",
    "invalid": "金额须为数字，如 3.88（不要带单位或文字）。",
    "min_value": "金额不能为负数。",
    "max_digits": "金额位数过多（最多 %(max)s 位数字）。",
    "max_decimal_places": "金额最多保留 %(max)s 位小数。",
    "max_whole_digits": "金额整数部分过长。",
}
COUNT_ERRORS = {
    "invalid": "人数须为整数，如 6625。",
    "min_value": "人数不能为负数。",
}


def amount_field(label: str, *, required: bool = True, **kwargs) -> forms.DecimalField:
    # Limits derived from the model's money columns, so nothing the form accepts overflows.
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        error_messages=AMOUNT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num"}),
        **kwargs,
    )


class CodeField(forms.ModelChoiceField):
    """A classification code typed or picked by its digits (2100399), shown with its name."""

    def __init__(self, scheme: str, label: str, *, required: bool = False) -> None:
        super().__init__(
            queryset=ClassificationCode.objects.filter(scheme=scheme, is_active=True),
            to_field_name="code",
            label=label,
            required=required,
            widget=forms.TextInput(
                attrs={
                    "list": f"codes-{scheme}",
                    "inputmode": "numeric",
                    "size": 8,
                    "autocomplete": "off",
                }
            ),
            error_messages={
                "invalid_choice": f"收支分类科目表中没有{ClassificationCode.Scheme(scheme).label}"
                "编码“%(value)s”；请核对，或用下方「添加科目」添加。",
                "required": "请填写科目编码。",
            },
        )

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)
