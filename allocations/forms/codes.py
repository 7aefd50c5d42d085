"""「添加科目」 inside the notice form: a missing classification code and the line it goes to.

Its inputs sit in the notice form (HTML has no nested forms), under the prefix `newcode`, so
adding a code posts everything the user typed and the page comes back with it kept.
"""

from django import forms

from allocations.models import ClassificationCode

PREFIX = "newcode"
# The submit button's name: the notice form page adds a code instead of saving the draft.
ADD_BUTTON = "add_code"


class ClassificationCodeForm(forms.Form):
    scheme = forms.ChoiceField(
        label="分类体系",
        choices=ClassificationCode.Scheme.choices,
        initial=ClassificationCode.Scheme.FUNCTION,
        error_messages={"invalid_choice": "请选择分类体系。"},
    )
    code = forms.CharField(
        label="科目编码",
        required=False,
        max_length=20,
        help_text="功能分类 3/5/7 位（类/款/项），经济分类 3/5 位（类/款），项目分类 1/2 位。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 9, "autocomplete": "off"}),
    )
    name = forms.CharField(
        label="科目名称",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"size": 30}),
    )
    line = forms.TypedChoiceField(
        label="填入第几行",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "所选行不存在。"},
    )

    def __init__(self, *args, line_count: int, **kwargs) -> None:
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "（不填入）")] + [
            (str(i), f"第{i + 1}行") for i in range(line_count)
        ]
        if not self.is_bound and line_count:
            self.initial.setdefault("line", "0")
