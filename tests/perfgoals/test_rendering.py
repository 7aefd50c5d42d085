"""perfgoals.rendering prints Django's stock widget and error-list templates in Python: every
case here is rendered both ways and must come out byte for byte the same."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from perfgoals import rendering
from perfgoals.rendering import FormRenderer

STOCK = DjangoTemplates()
OURS = FormRenderer()

CHOICES = [
    ("", "全部"),
    (1, "一级 <指标>"),
    ("成本指标", [("a&b", '经济"成本"'), (3, gettext_lazy("Yes"))]),
    (Decimal("2.50"), mark_safe("<b>安全</b>")),
    (4, datetime.date(2020, 9, 23)),  # a label the engine localises
]

WIDGETS = [
    (forms.TextInput(), None),
    (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 20}), "a<b>&\"c'"),
    (forms.TextInput(attrs={"placeholder": None, "aria-describedby": "x_error"}), 0),
    (forms.TextInput(), mark_safe("<i>safe</i>")),
    (forms.TextInput(), ("a", 1)),
    (forms.NumberInput(attrs={"step": Decimal("0.01")}), Decimal("1234.50")),
    (forms.HiddenInput(), 12),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.EmailInput(), "x@example.cn"),
    (forms.DateInput(), datetime.date(2020, 9, 23)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(), ""),
    (forms.Textarea(attrs={"rows": 2}), "第一行\n<第二行> & 3"),
    (forms.Textarea(), Decimal("3.5")),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES, attrs={"class": "unit", "form": "rowform"}), 1),
    (forms.Select(choices=CHOICES), "a&b"),
    (forms.SelectMultiple(choices=CHOICES), [1, "a&b"]),
    (forms.NullBooleanSelect(), True),
    (forms.Select(choices=[]), ""),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda x: type(x).__name__)
def test_widgets_print_as_the_stock_templates(widget, value):
    attrs = {"id": "id_field"}
    assert widget.render("field", value, attrs, renderer=OURS) == widget.render(
        "field", value, attrs, renderer=STOCK
    )


def test_widgets_the_renderer_does_not_print_still_render():
    widget = forms.RadioSelect(choices=[("a", "甲"), ("b", "乙")])
    assert widget.render("r", "a", renderer=OURS) == widget.render("r", "a", renderer=STOCK)


def test_an_option_with_a_template_of_its_own_goes_to_the_engine():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Marked(choices=[("a", "甲")])
    printed = widget.render("s", "a", renderer=OURS)
    assert printed == widget.render("s", "a", renderer=STOCK)
    assert "<option" not in printed


@pytest.mark.parametrize(
    "errors",
    [
        ErrorList(),
        ErrorList(["金额必须大于0。"]),
        ErrorList(["<script>", mark_safe("<b>已转义</b>")], error_class="nonfield"),
        ErrorList([forms.ValidationError("值“%(v)s”无效", params={"v": "<x>"})], field_id="id_a"),
    ],
    ids=["empty", "one", "escaped", "field"],
)
def test_error_lists_print_as_the_stock_templates(errors):
    for template_name in (errors.template_name, errors.template_name_ul):
        context = errors.get_context()
        assert OURS.render(template_name, context) == STOCK.render(template_name, context)


def test_the_project_renders_forms_with_it():
    assert settings.FORM_RENDERER == "perfgoals.rendering.FormRenderer"
    form = forms.Form()
    assert isinstance(form.renderer, FormRenderer)


# --- one CSRF token per response ------------------------------------------------------------


def test_a_page_prints_one_token_in_all_its_forms_and_it_is_accepted(client, demo):
    from django.urls import reverse

    from perfgoals.models import TargetTable, User
    from tests.perfgoals.targets.test_editor import PROJECT, header_post

    table = TargetTable.objects.get(project_name=PROJECT, layout=TargetTable.Layout.PROJECT)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(User.objects.get(username="ruili_health"))
    url = reverse("tables:edit", args=[table.pk])
    page = csrf_client.get(url).content.decode()
    # The header form ({% csrf_token %}), the rows' menus and the checks panel (Python).
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) > 3 and len(set(tokens)) == 1
    data = header_post(table, contact="李四 123") | {"csrfmiddlewaretoken": tokens[0]}
    assert csrf_client.post(url, data).status_code == 302
    table.refresh_from_db()
    assert table.contact == "李四 123"


def test_the_page_token_is_masked_once_and_follows_a_rotated_secret(rf):
    from django.middleware.csrf import _unmask_cipher_token, rotate_token
    from django.template import engines

    from perfgoals.rendering import page_csrf_token

    request = rf.get("/")
    first = page_csrf_token(request)
    assert page_csrf_token(request) == first
    assert _unmask_cipher_token(first) == request.META["CSRF_COOKIE"]
    # What {% csrf_token %} prints is the same token.
    template = engines["django"].from_string("{% csrf_token %}")
    assert f'value="{first}"' in template.render({}, request)
    # A login rotates the secret: the token follows it.
    rotate_token(request)
    second = page_csrf_token(request)
    assert second != first and _unmask_cipher_token(second) == request.META["CSRF_COOKIE"]


UNITS = [("wan", "万元"), ("yuan", "元")]


def _widgets(name_widget):
    unit = forms.Select()
    unit.choices = UNITS
    return {"project_name": name_widget, "amount_total": forms.TextInput(), "amount_unit": unit}


# Shared by every form, as TargetTableForm shares its layout's widgets.
WIDGETS_OF_ONE_LAYOUT = _widgets(forms.TextInput())
WIDGETS_OF_ANOTHER = _widgets(forms.Textarea())


class _Header(forms.Form):
    project_name = forms.CharField(help_text="填写项目全称")
    amount_total = forms.DecimalField(required=False)
    amount_unit = forms.ChoiceField(choices=UNITS)

    def __init__(self, *args, widgets=WIDGETS_OF_ONE_LAYOUT, **kwargs):
        super().__init__(*args, **kwargs)
        for name, widget in widgets.items():
            self.fields[name].widget = widget


def _changed(**attributes):
    def make():
        form = _Header(initial=BASE)
        for field in form.fields.values():
            for attribute, value in attributes.items():
                setattr(field, attribute, value)
        return form

    return make


BASE = {"project_name": "家庭医生签约", "amount_total": Decimal("3.88"), "amount_unit": "wan"}
# Each differs from the forms before it in one thing the printed input depends on.
UNBOUND_FORMS = [
    ("base", lambda: _Header(initial=BASE)),
    ("other values", lambda: _Header(initial={"project_name": "其他项目", "amount_unit": "yuan"})),
    ("more decimals", lambda: _Header(initial={**BASE, "amount_total": Decimal("3.880")})),
    ("no value", lambda: _Header(initial={**BASE, "project_name": None})),
    ("the text None", lambda: _Header(initial={**BASE, "project_name": "None"})),
    ("a prefix", lambda: _Header(initial=BASE, prefix="copy")),
    ("other ids", lambda: _Header(initial=BASE, auto_id="field_%s")),
    ("no ids", lambda: _Header(initial=BASE, auto_id=False)),
    ("no required attribute", lambda: _Header(initial=BASE, use_required_attribute=False)),
    ("not required", _changed(required=False)),
    ("disabled", _changed(disabled=True)),
    ("no help", _changed(help_text="")),
    ("other widgets", lambda: _Header(initial=BASE, widgets=WIDGETS_OF_ANOTHER)),
]


def test_a_kept_input_prints_as_django_prints_it():
    """An unposted form's inputs are kept by what they depend on: each of these forms, which
    differs from those before it in one such thing, prints as Django prints it, the first
    time and again from what was kept."""
    rendering._kept_widgets.clear()
    for name, make in UNBOUND_FORMS:
        for bound in make():
            assert rendering.unbound_widget(bound) == str(bound), (name, bound.name)
    printed = [str(bound) for _, make in UNBOUND_FORMS for bound in make()]
    kept = len(rendering._kept_widgets)
    assert kept > 0
    # The second round is printed from what was kept, not by Django again.
    with mock.patch.object(BoundField, "__str__", side_effect=AssertionError("printed again")):
        again = [rendering.unbound_widget(bound) for _, make in UNBOUND_FORMS for bound in make()]
    assert again == printed
    assert len(rendering._kept_widgets) == kept


def test_a_posted_form_prints_its_values_and_errors_anew():
    typed = {"project_name": "", "amount_total": "abc", "amount_unit": "wan"}
    rendering._kept_widgets.clear()
    # The same values unposted first: what was kept for them has no errors to show.
    for bound in _Header(initial=typed):
        rendering.unbound_widget(bound)
    posted = _Header(typed)
    assert not posted.is_valid()
    for bound in posted:
        assert rendering.unbound_widget(bound) == str(bound)
    assert 'aria-invalid="true"' in rendering.unbound_widget(posted["amount_total"])
    assert 'value="abc"' in rendering.unbound_widget(posted["amount_total"])


class _Stored:
    """A stored file as a form's initial value: its text is its name, its link its url."""

    def __init__(self, url):
        self.url = url

    def __str__(self):
        return "附件.pdf"


SHARED_FILE_INPUT = forms.ClearableFileInput()


class _Upload(forms.Form):
    attachment = forms.FileField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].widget = SHARED_FILE_INPUT


def test_only_text_and_numbers_are_kept():
    # Two files of one name print their own links: a value is kept only when its text is
    # all that it prints.
    rendering._kept_widgets.clear()
    for url in ("/media/a.pdf", "/media/b.pdf"):
        bound = _Upload(initial={"attachment": _Stored(url)})["attachment"]
        assert url in rendering.unbound_widget(bound)
        assert rendering.unbound_widget(bound) == str(bound)


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(rendering, "KEPT_WIDGETS_LIMIT", 4)
    rendering._kept_widgets.clear()
    for n in range(10):
        bound = _Header(initial={**BASE, "project_name": f"项目{n}"})["project_name"]
        assert rendering.unbound_widget(bound) == str(bound)
        assert len(rendering._kept_widgets) <= 4
