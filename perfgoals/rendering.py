"""The form renderer: Django's stock input, textarea and select widgets and its error lists,
printed in Python.

Through the template engine each of them costs an include for its attributes and one per
option and per empty error list, about a tenth of a millisecond each: the editor's header form
and row errors, some forty of them, were an eighth of its server time, the list's five filters
a quarter of the list's. What this prints is what the stock templates print, byte for byte
(tests/test_rendering.py renders every case both ways). Any other template (a widget of our
own, a stock one not handled here, an option with a template of its own) goes to the engine.
"""

import html
from decimal import Decimal

from django.forms.renderers import DjangoTemplates
from django.middleware.csrf import get_token
from django.utils.formats import localize
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"
# The stock templates that are `{% include "django/forms/widgets/input.html" %}` alone.
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
_INPUT = f"{_WIDGETS}input.html"
_TEXTAREA = f"{_WIDGETS}textarea.html"
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
_ERRORS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


def escape(text) -> str:
    """django.utils.html.escape for markup built in Python, which marks it safe whole: the
    same characters escaped, without the check for a lazy argument and the SafeString around
    each call (some four hundred calls on the editor page)."""
    return html.escape(str(text))


def _text(value) -> str:
    """`{{ value }}`: localised, escaped unless safe."""
    if type(value) is str:
        # Most values (every attribute name): no localising, and escape is all that
        # conditional_escape does to a string that is not marked safe.
        return escape(value)
    value = localize(template_localtime(value))
    if not isinstance(value, str):
        value = str(value)
    return conditional_escape(value)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (a filter that keeps a safe value safe)."""
    if type(value) is str:
        return escape(value)
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True prints the bare name, False nothing."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _errors(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    described = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{described}>{items}</ul>'


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        printed = self._printed(template_name, context)
        if printed is None:
            return super().render(template_name, context, request=request)
        return mark_safe(printed)

    def _printed(self, template_name: str, context: dict) -> str | None:
        # Each printed as the engine's output after BaseRenderer.render's strip().
        if template_name in _ERRORS:
            return _errors(context)
        widget = context.get("widget")
        if widget is None:
            return None
        if template_name in _INPUTS or template_name == _INPUT:
            return _input(widget)
        if template_name == _TEXTAREA:
            return _textarea(widget)
        if template_name == _SELECT:
            return _select(widget)
        return None


def page_csrf_token(request) -> str:
    """The CSRF token a response prints in every form it holds, masked once per response.

    Django's `get_token` masks the secret anew on each call (32 random characters); the
    editor printed three (its forms, the rows' menus, the checks panel). The mask guards the
    secret across responses, not within one, and `{% csrf_token %}` reuses one per render
    too. Keyed by the secret, so a token rotated in this request (a login) is not reused.
    """
    secret = request.META.get("CSRF_COOKIE")
    cached = request.__dict__.get("_page_csrf_token")
    if cached is not None and secret is not None and cached[0] == secret:
        return cached[1]
    token = get_token(request)
    request._page_csrf_token = (request.META.get("CSRF_COOKIE"), token)
    return token


def csrf(request) -> dict:
    """Context processor in place of Django's built-in one (listed after it, so it wins):
    `{% csrf_token %}` prints the same token as the forms printed in Python."""
    return {"csrf_token": SimpleLazyObject(lambda: page_csrf_token(request))}


# Values kept by their type and text, never by equality: Decimal("3.88") == Decimal("3.880")
# but prints otherwise, and None prints no value where the text "None" prints one.
_KEPT_VALUE_TYPES = frozenset({str, int, Decimal, type(None)})
_kept_widgets: dict[tuple, str] = {}
KEPT_WIDGETS_LIMIT = 4096  # printed inputs; cleared whole when full


def unbound_widget(bound) -> str:
    """`str(bound)` for a field of a form that was not posted: an input printed once per
    widget and value, then kept (the project speaks one language, settings.LANGUAGES).

    Such a field's input is a function of its widget, its value, its form's ids and whether
    it is required or disabled: what a posted form prints (its values, its errors and
    aria-invalid) is printed anew each time. The editor's header printed twenty inputs on
    every page view, 5 % of the page's work, though a table's header changes far less often
    than it is opened. Only for forms that share their widgets, as TargetTableForm shares
    its layout's: the key holds the widget itself, so a form with widgets of its own would
    only fill the store with entries no later form finds.
    """
    form = bound.form
    if form.is_bound:
        return str(bound)
    value = bound.value()
    if type(value) not in _KEPT_VALUE_TYPES:
        return str(bound)
    field = bound.field
    key = (
        field.widget,
        bound.html_name,
        form.auto_id,
        form.use_required_attribute,
        field.required,
        field.disabled,
        bool(field.help_text),
        type(value),
        str(value),
    )
    printed = _kept_widgets.get(key)
    if printed is None:
        printed = str(bound)
        if len(_kept_widgets) >= KEPT_WIDGETS_LIMIT:
            _kept_widgets.clear()
        _kept_widgets[key] = printed
    return printed
