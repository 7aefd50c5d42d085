from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def grid_cell(cell, tag: str = "td"):
    """One <td>/<th>; a hand-written tag because the template loop runs for every cell of
    every table and Django's {% if %} chains per attribute cost more than the PDF layout."""
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.kind == "vlabel":
        inner = "".join(f"<span>{conditional_escape(ch)}</span>" for ch in cell.text)
    else:
        inner = conditional_escape(cell.text)
    return mark_safe(f'<{tag} class="{cell.kind}"{attrs}>{inner}</{tag}>')  # noqa: S308


def _org_year(obj) -> str:
    if isinstance(obj, str):
        return obj
    org_id = getattr(obj, "organisation_id", None)
    year = getattr(obj, "year", None)
    if org_id is None or year is None:
        return ""
    return f"{org_id}-{year}"


@register.simple_tag
def export_links(kind: str, obj) -> dict:
    """URLs of the export of `obj`: a model instance for target/notice/allocation; for
    department/summary anything with organisation_id and year (a TargetTable) or "org-year"."""
    from perfgoals.exports.selectors import BACKGROUND_KINDS, KINDS

    if kind not in KINDS or obj is None:
        return {}
    ident = _org_year(obj) if kind in BACKGROUND_KINDS else str(getattr(obj, "pk", obj))
    if not ident:
        return {}
    links = {"kind": kind, "ident": ident, "background": kind in BACKGROUND_KINDS}
    for fmt in ("pdf", "xlsx"):
        links[fmt] = reverse("exports:download", args=[kind, ident, fmt])
    links["start"] = reverse("exports:job_create")
    return links
