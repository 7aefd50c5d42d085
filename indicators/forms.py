"""Forms of the indicator-tree editor: one row, and rows pasted from Excel."""

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet

from indicators.models import PerformanceIndicator
from indicators.paste import parse_pasted_rows
from indicators.services import ROW_FIELDS
from perfgoals.inputs import LONG_TEXT_MAX
from perfgoals.validation import RefuseOverlong


def _max_length(name: str) -> int | None:
    return PerformanceIndicator._meta.get_field(name).max_length


def _nothing(name: str) -> QuerySet:
    """No choice at all: the cited models live in a layer above, which supplies the scope."""
    return PerformanceIndicator._meta.get_field(name).related_model.objects.none()


@dataclass(frozen=True)
class BasisSources:
    """What a row's 指标值确定依据 may cite, already scoped to the user's organisation by the
    page that builds the form: policy paragraphs of its region and the notices it sees."""

    paragraphs: QuerySet
    notices: QuerySet


class IndicatorRowForm(RefuseOverlong, forms.Form):
    """Name, value, description, basis and the optional columns of one row; the tree rules
    live in the services."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    # The row's own version when it was opened for editing (absent for a new row).
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="指标名称", max_length=_max_length("name"), required=False)
    value_text = forms.CharField(
        label="指标值", max_length=_max_length("value_text"), required=False
    )
    description = forms.CharField(
        label="绩效指标描述",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    basis = forms.CharField(label="指标值确定依据", max_length=_max_length("basis"), required=False)
    basis_paragraph = forms.ModelChoiceField(
        label="引用政策条款",
        queryset=_nothing("basis_paragraph"),
        required=False,
        empty_label="（不引用）",
        error_messages={"invalid_choice": "所选政策条款不存在，或不适用于本单位所在地区。"},
        widget=forms.Select(attrs={"form": "rowform", "id": "rowform-basis-paragraph"}),
    )
    basis_notice = forms.ModelChoiceField(
        label="引用通知",
        queryset=_nothing("basis_notice"),
        required=False,
        empty_label="（不引用）",
        error_messages={"invalid_choice": "所选通知不存在，或本单位不能查看。"},
        widget=forms.Select(attrs={"form": "rowform", "id": "rowform-basis-notice"}),
    )
    value_mid = forms.CharField(
        label="中期指标值", max_length=_max_length("value_mid"), required=False
    )
    symbol = forms.ChoiceField(
        label="计算符号",
        choices=[("", "—"), *PerformanceIndicator.Symbol.choices],
        required=False,
    )
    target = forms.CharField(label="目标值", max_length=_max_length("target"), required=False)
    unit = forms.CharField(label="度量单位", max_length=_max_length("unit"), required=False)
    value_explanation = forms.CharField(
        label="指标值说明",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    standard = forms.CharField(
        label="绩效标准",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    scoring = forms.CharField(
        label="评（扣）分标准",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Set by Enter in the row's last field (editor.js) or the "保存并添加下一行" button.
    next = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, basis_sources: BasisSources | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if basis_sources is not None:
            self.fields["basis_paragraph"].queryset = basis_sources.paragraphs
            self.fields["basis_notice"].queryset = basis_sources.notices
        self.fields["basis_paragraph"].label_from_instance = lambda p: p.citation
        self.fields["basis_notice"].label_from_instance = lambda n: n.citation

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("basis_paragraph") and cleaned.get("basis_notice"):
            self.add_error(
                "basis_notice", "指标值确定依据只能引用一个政策条款或一个通知，请只选一个。"
            )
        return cleaned

    def row_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ROW_FIELDS}


class PasteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="从Excel复制的行",
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "spellcheck": "false",
                "class": "paste",
                "placeholder": "在Excel中选中“一级指标、二级指标、三级指标、指标值”四列"
                "（或含绩效指标描述、指标值确定依据的六列），复制后粘贴到这里",
            }
        ),
        max_length=200_000,
        # Leading tabs are the merged 一级/二级 cells of the first row.
        strip=False,
    )

    def clean(self):
        cleaned = super().clean()
        if "text" in cleaned:
            self.result = parse_pasted_rows(cleaned["text"])
            if not self.result.rows and not self.result.problems:
                self.add_error("text", "没有识别到任何指标行。")
        return cleaned
