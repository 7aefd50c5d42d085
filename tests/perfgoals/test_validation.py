"""A service's ValidationError on a form: at the field it names, else on the form."""

from django import forms
from django.core.exceptions import ValidationError

from perfgoals.validation import add_validation_errors


class NoticeLikeForm(forms.Form):
    title = forms.CharField(required=False)
    new_name = forms.CharField(required=False)


def bound_form() -> NoticeLikeForm:
    form = NoticeLikeForm({"title": "关于下达资金的通知", "new_name": "标准"})
    assert form.is_valid()
    return form


def test_a_keyed_error_lands_on_its_field_with_params_applied_and_code_kept():
    form = bound_form()
    error = ValidationError("发文字号%(number)s已被使用。", code="dup", params={"number": "5号"})
    add_validation_errors(form, ValidationError({"title": error}))
    assert form.errors["title"] == ["发文字号5号已被使用。"]
    assert form.errors.as_data()["title"][0].code == "dup"
    assert "title" not in form.cleaned_data


def test_a_field_the_form_lacks_becomes_a_non_field_error():
    form = bound_form()
    add_validation_errors(form, ValidationError({"recipients": ["请选择主送机关。"]}))
    assert form.non_field_errors() == ["请选择主送机关。"]


def test_field_map_renames_the_service_argument_to_the_form_field():
    form = bound_form()
    add_validation_errors(
        form, ValidationError({"name": ["请填写名称。"]}), field_map={"name": "new_name"}
    )
    assert form.errors["new_name"] == ["请填写名称。"]
    assert not form.non_field_errors()


def test_unkeyed_errors_go_on_the_form_each_message_once():
    form = bound_form()
    add_validation_errors(
        form, ValidationError([ValidationError("已被他人修改。", code="stale"), "请刷新。"])
    )
    assert form.non_field_errors() == ["已被他人修改。", "请刷新。"]
    assert form.errors.as_data()["__all__"][0].code == "stale"
