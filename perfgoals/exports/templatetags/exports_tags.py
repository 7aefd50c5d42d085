from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from perfgoals.exports.kinds import KINDS
from perfgoals.exports.typeset import nobreak, title_lines

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
        inner = nobreak(cell.text)
    return mark_safe(f'<{tag} class="{cell.kind}"{attrs}>{inner}</{tag}>')  # noqa: S308


# Ems of title text one line holds (print.css): the notice title at 20pt and a table title at
# 16pt across A4's text width, portrait 178 mm or landscape 273 mm, less a little slack.
TITLE_CAPACITY = {"notice": 24.0, "portrait": 30.0, "landscape": 46.0}


register.filter("nobreak", nobreak)


@register.simple_tag
def title_text(text: str, where: str):
    """A title on balanced lines cut at a phrase boundary (typeset.title_lines)."""
    lines = title_lines(text, TITLE_CAPACITY[where])
    return mark_safe("<br>".join(str(nobreak(line)) for line in lines))  # noqa: S308


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
