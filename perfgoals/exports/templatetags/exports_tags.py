from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from perfgoals.exports.kinds import KINDS

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


@register.simple_tag
def export_links(kind: str, obj) -> dict:
    """URLs of the export of `obj`: a model instance for target/notice/allocation; for
    department/summary anything with organisation_id and year (a TargetTable) or "org-year"."""
    exporting = KINDS.get(kind)
    if exporting is None or obj is None:
        return {}
    ident = exporting.ident_of(obj)
    if not ident:
        return {}
    links = {
        "kind": kind,
        "ident": ident,
        "background": exporting.background,
        "label": exporting.link_label,
    }
    for fmt in ("pdf", "xlsx"):
        links[fmt] = reverse("exports:download", args=[kind, ident, fmt])
    links["start"] = reverse("exports:job_create")
    return links
