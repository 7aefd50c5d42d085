"""A service's ValidationError shown on the form that collected the input.

Services raise ValidationError keyed by their own argument names (`{"doc_number": ...}`) or
unkeyed; the view puts each message at the form field of that name, or at the top of the form
when the form has no such field. Kernel: imports Django only.
"""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

__all__ = ["STALE_PAGE", "RefuseOverlong", "add_validation_errors", "posted_version"]

OVERLONG = "最多%(limit_value)d个字，现在有%(show_value)d个字，请删减后再保存。"


class RefuseOverlong:
    """Mixin for forms: text over a field's max_length is refused at the field, never cut.

    A browser silently cuts typed or pasted text at an input's `maxlength` attribute, so a
    301-character name arrived as its first 300 characters with no word said. Without the
    attribute the whole text reaches the server, whose max_length check refuses it with
    OVERLONG at the field and gives the typed text back for the user to shorten.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                field.widget.attrs.pop("maxlength", None)
                field.error_messages["max_length"] = OVERLONG


# What a form hears when the version it carried is missing or not a version at all.
STALE_PAGE = "页面已过期或不完整，请刷新后重新填写。"
# Versions count saves; anything longer is not one (and would overflow an SQLite integer).
_MAX_VERSION_DIGITS = 9


def posted_version(data: Mapping) -> int | None:
    """The version a posted form was read at, or None when it is missing or malformed."""
    text = data.get("version")
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        return None
    if len(text) > _MAX_VERSION_DIGITS:
        return None
    return int(text)


def add_validation_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    field_map: Mapping[str, str] | None = None,
) -> None:
    """Put `exc` on `form`: each error at the field it names, renamed through `field_map`
    when the form calls the service's argument differently, else as a non-field error.

    The errors are added as they are, so their codes survive and their params are applied
    when the form renders them.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    field_map = field_map or {}
    for name, errors in exc.error_dict.items():
        target = field_map.get(name, name)
        form.add_error(target if target in form.fields else None, errors)
