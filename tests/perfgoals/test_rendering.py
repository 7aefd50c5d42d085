"""perfgoals.rendering prints Django's stock widget and error-list templates in Python: every
case here is rendered both ways and must come out byte for byte the same."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

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
