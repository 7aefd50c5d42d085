"""Fields shared by the notice and allocation-table forms: amounts, head counts, codes."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from allocations.models import ClassificationCode
from perfgoals.money import MONEY_DIGITS, MONEY_PLACES, PERCENT, read_number
from perfgoals.validation import STALE_PAGE

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


PERCENT_ERRORS = {
    "invalid": "比例须为数字，如 40。",
    "min_value": "比例不能为负数。",
    # Django applies the limit with %-formatting, so a literal percent sign is doubled.
    "max_value": "比例不能超过100%%。",
    "unit": "比例须为百分数，不能填金额。",
}


class NumberField(forms.DecimalField):
    """A number read as perfgoals.money reads one (no exponent, underscore, NaN or infinity;
    full-width digits and separators folded); a unit typed after it is refused here, where
    the field's own unit is printed beside it. A percent field accepts a trailing %."""

    def __init__(self, *args, percent: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.percent = percent

    def to_python(self, value):
        if not isinstance(value, str) or value.strip() in self.empty_values:
            return super().to_python(value)
        try:
            number, unit = read_number(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if unit and not (self.percent and unit == PERCENT):
            raise ValidationError(
                self.error_messages.get("unit", self.error_messages["invalid"]), code="unit"
            )
        return number


def percent_field(label: str, example: int) -> NumberField:
    return NumberField(
        label=label,
        required=False,
        percent=True,
        min_value=0,
        max_value=100,
        # No max_digits: at most 100 with two decimals fits the column, and a long number
        # gets the one message that says why.
        decimal_places=2,
        error_messages={**PERCENT_ERRORS, "invalid": f"比例须为数字，如 {example}。"},
    )


def amount_field(label: str, *, required: bool = True, **kwargs) -> forms.DecimalField:
    # Limits derived from the model's money columns, so nothing the form accepts overflows.
    return NumberField(
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
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL refuses a NUL byte in a query: no code holds one anyway.
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value.replace("\x00", "")[:20]},
            )
        return super().to_python(value.strip() if isinstance(value, str) else value)


class WholeFormSet(forms.BaseFormSet):
    """A formset whose posted count must cover every stored row it was shown with.

    The count travels in hidden fields; cut down (or made negative) it would drop stored
    rows that nobody marked for deletion. A row goes only by its own delete box.
    """

    def clean(self) -> None:
        super().clean()
        counts = self.management_form.cleaned_data
        stored = len(self.initial or [])
        if counts.get("INITIAL_FORMS") != stored or counts.get("TOTAL_FORMS", -1) < stored:
            raise ValidationError(STALE_PAGE, code="incomplete_formset")


# The largest id a 64-bit integer column holds; SQLite refuses to even compare with more.
MAX_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Picks by id, refusing an id no integer column can hold before the database sees it
    (SQLite raises OverflowError inside `id IN (…)`)."""

    def _check_values(self, value):
        for item in value:
            text = str(item).strip()
            if text.isascii() and text.isdigit() and int(text) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:30]},
                )
        return super()._check_values(value)
