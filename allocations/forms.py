"""Forms for drafting notices and editing allocation tables.

Forms parse and validate input at the field; the services re-check what the database and
the user's scope decide (duplicates, recipients, concurrency) and their errors are put back
on the same fields, with the user's input kept.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocations.models import (
    AllocationColumn,
    AllocationStandard,
    AllocationTable,
    BudgetLine,
    ClassificationCode,
    FundNotice,
)
from allocations.selectors import (
    notice_basis_choices,
    notice_recipient_choices,
    notice_upper_table_choices,
)
from allocations.services.notices import (
    STANDARD_PERFORMANCE_PARAGRAPH,
    BudgetLineData,
    notice_opening_text,
    notice_upper_table,
)
from perfgoals.models import Organisation, User
from perfgoals.money import MONEY_DIGITS, MONEY_PLACES, AmountUnit

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
                "编码“%(value)s”；请核对，或请管理员在代码表中添加。",
                "required": "请填写科目编码。",
            },
        )

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


class NoticeForm(forms.Form):
    title = forms.CharField(
        label="标题",
        max_length=300,
        widget=forms.TextInput(attrs={"size": 80}),
        error_messages={"required": "请填写通知标题。"},
    )
    year = forms.IntegerField(
        label="预算年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "年度须为四位数字，如 2020。",
            "min_value": "年度不能早于2000年。",
            "max_value": "年度不能晚于2100年。",
        },
    )
    recipients = forms.ModelMultipleChoiceField(
        label="主送机关",
        queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个主送机关。",
            "invalid_choice": "所选单位不存在。",
            "invalid_pk_value": "所选单位不存在。",
        },
    )
    parent = forms.ModelChoiceField(
        label="依据的上级文件（系统内）",
        queryset=FundNotice.objects.none(),
        required=False,
        empty_label="（不选，或在下方填写系统外文件）",
        error_messages={"invalid_choice": "所选上级文件不存在或无权引用。"},
    )
    basis_number = forms.CharField(
        label="或：上级文件文号（系统外）",
        required=False,
        max_length=40,
        help_text="如 德财社〔2020〕162号；[] 【】 写法也可。",
    )
    basis_title = forms.CharField(
        label="上级文件标题", required=False, max_length=300, help_text="系统中尚无该文号时必填。"
    )
    amount = amount_field("下达金额")
    amount_unit = forms.ChoiceField(
        label="单位", choices=AmountUnit.choices, initial=AmountUnit.WAN
    )
    opening = forms.CharField(
        label="正文开头（依据、金额、科目）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="留空则按依据文件、金额和收支分类科目自动生成。",
    )
    paying_account = forms.CharField(
        label="拨款账户",
        required=False,
        max_length=200,
        help_text="如 财政社保专户：建行16003-1701",
    )
    upper_table = forms.ModelChoiceField(
        label="上级绩效目标表（作为附件）",
        queryset=None,
        required=False,
        empty_label="（无）",
        help_text="其指标将作为主送单位绩效目标表草稿的起点。",
    )
    attach_recipient_tables = forms.BooleanField(
        label="附件含主送单位绩效目标表（印发时生成草稿）", required=False, initial=True
    )
    copy_to = forms.CharField(label="抄送", required=False, max_length=300)
    signed_date = forms.DateField(
        label="成文日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2020-08-28。"},
    )
    printed_date = forms.DateField(
        label="印发日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空则为印发当日。",
        error_messages={"invalid": "日期格式应为 2020-08-28。"},
    )
    printed_by = forms.CharField(label="印发机关", required=False, max_length=100)
    doc_number = forms.CharField(
        label="发文字号（仅历史通知手工填写）",
        required=False,
        max_length=40,
        help_text="留空则印发时自动编号。",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        issuer = user.organisation
        self.allowed_recipients = list(notice_recipient_choices(issuer))
        # Only the bureaus the issuer may address are offered; anything else posted is
        # refused by clean_recipients with the unit's name.
        self.fields["recipients"].choices = [(o.pk, o.name) for o in self.allowed_recipients]
        self.fields["parent"].queryset = notice_basis_choices(user)
        self.fields["parent"].label_from_instance = lambda n: f"{n.doc_number} {n.title}"
        self.fields["upper_table"].queryset = notice_upper_table_choices(user, issuer=issuer)
        self.fields["upper_table"].label_from_instance = lambda t: (
            f"{t.year}年 {t.organisation.name} {t.title}：{t.project_name}"
        )
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def clean_recipients(self):
        chosen = self.cleaned_data["recipients"]
        allowed = {o.pk for o in self.allowed_recipients}
        outside = [o.name for o in chosen if o.pk not in allowed]
        if outside:
            raise ValidationError(
                "%(names)s不在本局的下达范围内：只能主送本区域的部门或下级区域的财政局。",
                code="recipient_out_of_region",
                params={"names": "、".join(outside)},
            )
        return list(chosen)

    def clean(self):
        data = super().clean()
        if data.get("parent") and data.get("basis_number"):
            self.add_error("basis_number", "已选择系统内的上级文件，无需再填写文号。")
        return data

    def service_kwargs(self, paragraphs: "ParagraphFormSet", lines: "BudgetLineFormSet") -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "year": data["year"],
            "recipients": data["recipients"],
            "parent": data["parent"],
            "basis_number": data["basis_number"],
            "basis_title": data["basis_title"],
            "amount": data["amount"],
            "amount_unit": data["amount_unit"],
            "opening": data["opening"],
            "paragraphs": paragraphs.paragraphs(),
            "budget_lines": lines.budget_lines(),
            "paying_account": data["paying_account"],
            "copy_to": data["copy_to"],
            "signed_date": data["signed_date"],
            "printed_date": data["printed_date"],
            "printed_by": data["printed_by"],
            "doc_number": data["doc_number"],
            "upper_table": data["upper_table"],
            "attach_recipient_tables": data["attach_recipient_tables"],
        }

    @classmethod
    def initial_from(cls, notice: FundNotice) -> dict:
        paragraphs = list(notice.paragraphs.all())
        opening = paragraphs[0].text if paragraphs and not paragraphs[0].numbered else ""
        generated = notice_opening_text(
            notice=notice,
            parent=notice.parent,
            budget_lines=list(
                notice.budget_lines.select_related(
                    "function_code", "gov_econ_code", "dept_econ_code", "project_kind_code"
                )
            ),
        )
        if opening == generated:
            # Left blank so that it is written again from the amount, basis and codes as
            # they are saved: changing the amount must not leave the old figure in the text.
            opening = ""

        return {
            "title": notice.title,
            "year": notice.year,
            "recipients": [link.organisation_id for link in notice.recipient_links.all()],
            "parent": notice.parent_id,
            "amount": notice.amount,
            "amount_unit": notice.amount_unit,
            "opening": opening,
            "paying_account": notice.paying_account,
            "copy_to": notice.copy_to,
            "signed_date": notice.signed_date,
            "printed_date": notice.printed_date,
            "printed_by": notice.printed_by,
            "doc_number": notice.doc_number,
            "upper_table": notice_upper_table(notice),
            "attach_recipient_tables": notice.attach_recipient_tables,
        }


class ParagraphForm(forms.Form):
    text = forms.CharField(
        label="要求段落", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    numbered = forms.BooleanField(label="编号（一、二、三、）", required=False, initial=True)


class BaseParagraphFormSet(forms.BaseFormSet):
    def paragraphs(self) -> list[tuple[str, bool]]:
        return [
            (form.cleaned_data["text"], form.cleaned_data.get("numbered", False))
            for form in self.forms
            if form.cleaned_data.get("text", "").strip() and not form.cleaned_data.get("DELETE")
        ]

    @staticmethod
    def initial_new() -> list[dict]:
        return [{"text": STANDARD_PERFORMANCE_PARAGRAPH, "numbered": True}]

    @staticmethod
    def initial_from(notice: FundNotice) -> list[dict]:
        """The saved paragraphs after the opening (the opening has its own field)."""
        return [
            {"text": p.text, "numbered": p.numbered}
            for p in notice.paragraphs.all()
            if p.position > 1 or p.numbered
        ]


ParagraphFormSet = forms.formset_factory(
    ParagraphForm, formset=BaseParagraphFormSet, extra=2, can_delete=True, max_num=30
)


class BudgetLineForm(forms.Form):
    source = forms.CharField(
        label="资金来源",
        max_length=100,
        required=False,
        help_text="如 中央财政预算、中央福彩公益金",
    )
    budget_kind = forms.ChoiceField(label="预算类别", choices=BudgetLine.BudgetKind.choices)
    amount = amount_field("金额", required=False)
    unit = forms.ChoiceField(label="单位", choices=AmountUnit.choices, initial=AmountUnit.WAN)
    function_code = CodeField(ClassificationCode.Scheme.FUNCTION, "支出功能分类科目")
    gov_econ_code = CodeField(ClassificationCode.Scheme.GOV_ECON, "政府预算支出经济分类")
    dept_econ_code = CodeField(ClassificationCode.Scheme.DEPT_ECON, "部门预算支出经济分类")
    project_kind_code = CodeField(ClassificationCode.Scheme.PROJECT_KIND, "项目分类")

    def clean(self):
        data = super().clean()
        filled = any(
            data.get(name)
            for name in (
                "source",
                "amount",
                "function_code",
                "gov_econ_code",
                "dept_econ_code",
                "project_kind_code",
            )
        )
        if filled:
            if not data.get("source"):
                self.add_error("source", "请填写资金来源。")
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", "请填写金额。")
            if not data.get("function_code") and "function_code" not in self.errors:
                self.add_error("function_code", "请填写支出功能分类科目编码，如 2100399。")
        self.is_blank = not filled
        return data


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def budget_lines(self) -> list[BudgetLineData]:
        lines = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or getattr(form, "is_blank", True) or data.get("DELETE"):
                continue
            lines.append(
                BudgetLineData(
                    source=data["source"],
                    amount=data["amount"],
                    unit=data["unit"],
                    budget_kind=data["budget_kind"],
                    function_code=data["function_code"],
                    gov_econ_code=data.get("gov_econ_code"),
                    dept_econ_code=data.get("dept_econ_code"),
                    project_kind_code=data.get("project_kind_code"),
                )
            )
        return lines

    @staticmethod
    def initial_from(notice: FundNotice) -> list[dict]:
        return [
            {
                "source": line.source,
                "budget_kind": line.budget_kind,
                "amount": line.amount,
                "unit": line.unit,
                "function_code": line.function_code,
                "gov_econ_code": line.gov_econ_code,
                "dept_econ_code": line.dept_econ_code,
                "project_kind_code": line.project_kind_code,
            }
            for line in notice.budget_lines.select_related(
                "function_code", "gov_econ_code", "dept_econ_code", "project_kind_code"
            )
        ]


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetLineFormSet, extra=2, can_delete=True, max_num=20
)


# ----------------------------------------------------------------------------------------
# Allocation tables


class AllocationTableForm(forms.ModelForm):
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


class AllocationColumnForm(forms.Form):
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
        queryset=AllocationStandard.objects.select_related("region"),
        required=False,
        empty_label="（不选）",
        error_messages={"invalid_choice": "所选补助标准不存在。"},
    )
    share_side = forms.ChoiceField(
        label="本表承担方",
        choices=AllocationColumn.Side.choices,
        initial=AllocationColumn.Side.UPPER,
    )
    standard_amount = forms.DecimalField(
        label="或：直接填写标准（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        error_messages={**AMOUNT_ERRORS, "invalid": "标准须为数字，如 4.8。"},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    new_name = forms.CharField(label="或：新建标准——名称", required=False, max_length=150)
    new_base_amount = forms.DecimalField(
        label="标准金额（元/人/年）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        error_messages={**AMOUNT_ERRORS, "invalid": "标准须为数字，如 12。"},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    new_upper_percent = forms.DecimalField(
        label="上级承担（%）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={
            "invalid": "比例须为数字，如 40。",
            "min_value": "比例不能为负数。",
            "max_value": "比例不能超过100%。",
        },
    )
    new_lower_percent = forms.DecimalField(
        label="本级承担（%）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={
            "invalid": "比例须为数字，如 60。",
            "min_value": "比例不能为负数。",
            "max_value": "比例不能超过100%。",
        },
    )
    count_label = forms.CharField(label="人数列标题", required=False, max_length=100)
    standard_label = forms.CharField(label="标准列标题", required=False, max_length=100)
    amount_label = forms.CharField(label="金额列标题", required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].label_from_instance = lambda s: (
            f"{s.name}：{'不低于' if s.is_minimum else ''}{s.base_amount.normalize():f}{s.unit}"
            + (f"，{s.ratio_text}" if s.has_share else "")
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
                    f"承担比例合计应为100%，现为{upper.normalize():f}% + {lower.normalize():f}% "
                    f"= {(upper + lower).normalize():f}%。",
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


class AllocationRowForm(forms.Form):
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
