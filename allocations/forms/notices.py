"""Drafting a notice: the notice form, its paragraphs and its budget lines."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocations.forms.fields import CodeField, IdsChoiceField, WholeFormSet, amount_field
from allocations.models import BudgetLine, ClassificationCode, FundNotice
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
from perfgoals.inputs import LONG_TEXT_MAX
from perfgoals.models import Organisation, User
from perfgoals.money import AmountUnit
from perfgoals.validation import RefuseOverlong


class NoticeForm(RefuseOverlong, forms.Form):
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
    recipients = IdsChoiceField(
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
        max_length=LONG_TEXT_MAX,
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
        help_text="收到的上级通知所附的目标表，或本区域部门已批准的目标表；"
        "其指标将作为主送单位绩效目标表草稿的起点。",
        error_messages={"invalid_choice": "所选上级绩效目标表不存在或无权引用。"},
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


class ParagraphForm(RefuseOverlong, forms.Form):
    text = forms.CharField(
        label="要求段落",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    numbered = forms.BooleanField(label="编号（一、二、三、）", required=False, initial=True)


class BaseParagraphFormSet(WholeFormSet):
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


class BudgetLineForm(RefuseOverlong, forms.Form):
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


class BaseBudgetLineFormSet(WholeFormSet):
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
