"""The indicator block's rows printed in Python: the read view, the editor and the review
screen print every saved row through here.

Printed by the template engine these rows cost the editor a quarter of its server time
(about 1,500 Python calls a row). Only the row being typed stays in templates
(`_rowform.html`, `_category.html`): its line is cut into parts, printed HTML, then the
template, which the tree partial includes with the page's context, then HTML again.
"""

from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from indicators.models import PerformanceIndicator
from indicators.selectors import TreeNode
from perfgoals.display import moment
from perfgoals.rendering import escape


@dataclass
class Line:
    """One printed row of the indicator block; 一级/二级 cells span the rows below them."""

    first: TreeNode | None = None
    first_span: int = 1
    second: TreeNode | None = None
    second_span: int = 1
    # The 三级 or sub-item printed on this row; None when a 一级/二级 has nothing below yet.
    leaf: TreeNode | None = None
    owner: TreeNode | None = None  # the 一级/二级 an empty row belongs to
    missing_second: bool = False


@dataclass(frozen=True)
class Part:
    """A template the tree partial includes after a part's printed HTML."""

    template: str  # "category" or "row_form"
    row: PerformanceIndicator
    node: TreeNode | None = None
    span: int = 1


@dataclass(frozen=True)
class ReviewForms:
    """What the reviewer's comment and correction forms beside each row post, and the form
    posted with errors, shown again at its row (`form_row`)."""

    comment_url: str
    correct_url: str
    csrf_token: str
    table_version: int
    form_row: int | None = None
    comment_form: Any = None
    correction_form: Any = None


@dataclass(frozen=True)
class TreeOptions:
    """What the printed rows depend on besides the rows themselves."""

    editable: bool
    six_columns: bool
    value_mid_shown: bool
    leaf_span: int
    row_new_url: str
    editing_id: int | None
    # The review screen of the stage's reviewer: the review's forms beside every row.
    review_forms: "ReviewForms | None" = None


class _Parts:
    """Printed HTML with templates between: [(html, Part | None), …], the last Part None."""

    def __init__(self) -> None:
        self.parts: list[tuple[SafeString, Part | None]] = []
        self._html: list[str] = []

    def add(self, html: str) -> None:
        self._html.append(html)

    def include(self, part: Part) -> None:
        self.parts.append((mark_safe("".join(self._html)), part))  # noqa: S308 (escaped here)
        self._html = []

    def done(self) -> list[tuple[SafeString, Part | None]]:
        self.parts.append((mark_safe("".join(self._html)), None))  # noqa: S308 (escaped here)
        return self.parts


def csrf_input(token: str) -> str:
    """What `{% csrf_token %}` prints, for the forms printed here."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


def _typed(row: PerformanceIndicator, options: TreeOptions) -> bool:
    """Whether the row is being typed: then its template prints it."""
    return options.editable and (row.is_draft or row.pk == options.editing_id)


def _row_id(row: PerformanceIndicator) -> str:
    return "new" if row.is_draft else str(row.pk)


def _notes(out: _Parts, row: PerformanceIndicator) -> None:
    for severity, note in row.notes:
        out.add(f'<span class="row-finding sev-{severity}">{escape(note)}</span>')


def _review(out: _Parts, row: PerformanceIndicator, options: TreeOptions) -> None:
    """Beside a row: the reviewers' comments and corrections; on the review screen, for the
    reviewer of the stage, the comment form and (三级 and below) the 良 correction form."""
    for c in getattr(row, "review_comments_shown", ()):
        who = f"{c.get_office_kind_display() or '审核人'} {c.author}"
        out.add(
            f'<div class="review-comment" data-comment="{c.pk}"><span class="who">'
            f"{escape(who)}（{moment(c.created_at, year=False)}，第{c.table_version}版）：</span>"
            f"{linebreaksbr(c.text, autoescape=True)}</div>\n"
        )
    for e in getattr(row, "corrections_shown", ()):
        out.add(
            f'<div class="review-correction"><span class="who">审核修正 {escape(e.actor)}'
            f"（{moment(e.created_at, year=False)}）：</span><del>{escape(e.old_value)}</del> → "
            f"<ins>{escape(e.new_value)}</ins></div>\n"
        )
    forms = options.review_forms
    if forms is not None:
        out.add(_review_forms(row, forms))


def _review_forms(row: PerformanceIndicator, forms: ReviewForms) -> str:
    here = forms.form_row == row.pk
    comment = forms.comment_form if here else None
    correction = forms.correction_form if here else None
    csrf = csrf_input(forms.csrf_token)
    pk = row.pk
    html = [
        f'<details class="review-row-forms"{" open" if here else ""}>',
        f"<summary>批注{'/修正' if row.level >= 3 else ''}</summary>",
        f'<form method="post" action="{forms.comment_url}" class="review-form">',
        f'{csrf}<input type="hidden" name="indicator" value="{pk}">',
        f'<label for="comment-{pk}">对“{escape(row.name)}”的批注</label>',
        f'<textarea id="comment-{pk}" name="text" rows="2">'
        f"{escape(_typed_value(comment, 'text'))}</textarea>",
        _errors(comment, "text", "indicator"),
        '<button type="submit">保存批注</button>',
        "</form>",
    ]
    if row.level >= 3:
        value = _typed_value(correction, "value_text") if correction else row.value_text
        html += [
            f'<form method="post" action="{forms.correct_url}" class="review-form">',
            f'{csrf}<input type="hidden" name="indicator" value="{pk}">'
            f'<input type="hidden" name="version" value="{forms.table_version}">',
            f'<label for="correct-{pk}">修正指标值（良：与单位沟通后直接修正，原值 '
            f"{escape(row.value_text or '（空）')}）</label>",
            f'<input type="text" id="correct-{pk}" name="value_text" value="{escape(value)}">',
            _errors(correction, "value_text", "indicator", "version"),
            '<button type="submit">保存修正</button>',
            "</form>",
        ]
    html.append("</details>")
    return "\n".join(html)


def _typed_value(form, name: str) -> str:
    """What the reviewer typed in a form that came back with errors; "" without one."""
    if form is None:
        return ""
    value = form[name].value()
    return "" if value is None else value


def _errors(form, *names: str) -> str:
    """The errors of a form that came back: its fields' in order, then its own."""
    if form is None:
        return ""
    return "".join(str(form[name].errors) for name in names) + str(form.non_field_errors())


def _name_link(row: PerformanceIndicator, title: str) -> str:
    edit = row.urls["edit"]
    return (
        f'<a class="cell-link" href="{edit}#row-{row.pk}" hx-get="{edit}" hx-target="#tree"'
        f' hx-swap="outerHTML" title="{title}">{escape(row.name or "（未命名）")}</a>'
    )


def _category(out: _Parts, node: TreeNode, span: int, options: TreeOptions) -> None:
    row = node.indicator
    if _typed(row, options):
        out.include(Part("category", row, node=node, span=span))
        return
    flag = f" flag-{row.worst}" if row.worst else ""
    out.add(f'<td class="cat c{row.level}{flag}" rowspan="{span}" id="row-{_row_id(row)}">')
    name = _name_link(row, "修改名称") if options.editable else escape(row.name)
    out.add(f'\n<div class="cat-name">{name}</div>\n')
    _notes(out, row)
    out.add("\n")
    _review(out, row, options)
    if options.editable:
        out.add(row.menu)
    out.add("\n</td>")


def _new_row_link(options: TreeOptions, parent: PerformanceIndicator, text: str) -> str:
    url = f"{options.row_new_url}?parent={parent.pk}"
    return (
        f'<a href="{url}#row-new" hx-get="{url}" hx-target="#tree" hx-swap="outerHTML">{text}</a>'
    )


def _leaf(out: _Parts, row: PerformanceIndicator, options: TreeOptions) -> None:
    if _typed(row, options):
        out.include(Part("row_form", row))
        return
    mark = '<span class="sub-mark" aria-hidden="true">└</span>' if row.level == 4 else ""
    name = _name_link(row, "编辑此行") if options.editable else escape(row.name)
    # The line breaks keep a space between the name and its notes, as the template had.
    out.add(f'<td class="c3">{mark}{name}\n')
    _notes(out, row)
    out.add("\n")
    _review(out, row, options)
    out.add("\n</td>")
    if options.six_columns:
        out.add(f'<td class="cd">{linebreaksbr(row.description, autoescape=True)}</td>')
    if options.value_mid_shown:
        out.add(f'<td class="cv cv-mid">{escape(row.value_mid)}</td>')
    previous = ""
    if row.previous_value:
        previous = (
            '<span class="previous-value muted" title="复制来源表的指标值，仅供参考">'
            f"上年：{escape(row.previous_value)}</span>"
        )
    out.add(f'<td class="cv">{escape(row.value_text)}{previous}</td>')
    if options.six_columns:
        out.add(f'<td class="cb">{escape(row.basis_printed)}</td>')
    for text in row.extra_cells:
        out.add(f'<td class="cx">{linebreaksbr(text, autoescape=True)}</td>')
    if options.editable:
        out.add(f'<td class="ops">{row.menu}</td>')


def print_tree(roots: list[TreeNode], options: TreeOptions) -> list[tuple[SafeString, Part | None]]:
    """The indicator block's rows printed as parts: HTML, then a template to include, and so
    on. One part when no row is being typed: the template then loops once, not per row or
    cell (a loop step and its test cost the page as much as printing the row); none when
    the tree is empty."""
    lines = _lines(roots)
    if not lines:
        return []
    out = _Parts()
    for line in lines:
        print_line(out, line, options)
    return out.done()


def _lines(roots: list[TreeNode]) -> list[Line]:
    """The rows of the indicator block: 一级/二级 cells span the rows below them."""
    lines: list[Line] = []
    for first in roots:
        start = len(lines)
        if not first.children:
            lines.append(Line(owner=first, missing_second=True))
        for second in first.children:
            second_start = len(lines)
            leaves = []
            for third in second.children:
                leaves.append(third)
                # Sub-items print on their own rows under their 三级 (seed 001).
                leaves.extend(third.children)
            if not leaves:
                lines.append(Line(owner=second))
            lines.extend(Line(leaf=leaf) for leaf in leaves)
            lines[second_start].second = second
            lines[second_start].second_span = len(lines) - second_start
        lines[start].first = first
        lines[start].first_span = len(lines) - start
    return lines


def print_line(out: _Parts, line: Line, options: TreeOptions) -> None:
    """One `<tr>` of the indicator block (see the module's docstring)."""
    leaf = line.leaf.indicator if line.leaf is not None else None
    if leaf is None:
        out.add("<tr>")
    else:
        worst = getattr(leaf, "worst", "")  # a row being typed has no findings yet
        flag = f" flag-{worst}" if worst else ""
        editing = " editing" if leaf.is_draft or leaf.pk == options.editing_id else ""
        out.add(f'<tr id="row-{_row_id(leaf)}" class="leaf level-{leaf.level}{flag}{editing}">')
    if line.first is not None:
        _category(out, line.first, line.first_span, options)
    if line.second is not None:
        _category(out, line.second, line.second_span, options)
    if line.missing_second:
        link = ""
        if options.editable:
            link = _new_row_link(options, line.owner.indicator, "＋ 二级指标")
        out.add(f'<td class="c2 empty">{link}</td>')
    if leaf is not None:
        _leaf(out, leaf, options)
    else:
        owner = line.owner.indicator
        link = ""
        if options.editable and owner.level == 2:
            link = _new_row_link(options, owner, "＋ 三级指标")
        out.add(f'<td class="empty" colspan="{options.leaf_span}">{link}</td>')
        if options.editable:
            out.add('<td class="ops"></td>')
    out.add("</tr>")


def row_menu(row: PerformanceIndicator) -> SafeString:
    """The row's actions in a disclosure menu: one Tab stop per row. The page carries the
    menu once per level (#row-menus); editor.js fills this one when it opens. Without
    JavaScript it links to the row's actions page. Printed here once per row rather than by
    an include per row in the template, which cost the editor a millisecond."""
    name = escape(row.name)
    return mark_safe(  # noqa: S308 (the name is escaped; the rest are numbers and URLs)
        f'<details class="ops-menu" data-row="{row.pk}" data-level="{row.level}"'
        f' data-row-version="{row.version}" data-name="{name}">\n'
        f'  <summary title="行操作" aria-label="“{name}”的操作">⋯</summary>\n'
        f'  <div class="menu"><a href="{row.urls["actions"]}">全部操作</a></div>\n'
        "</details>"
    )


_ADD_BELOW = {1: "添加二级指标", 2: "添加三级指标", 3: "添加子项"}
_DELETES_TOO = {1: "及其下的全部指标", 2: "及其下的全部指标", 3: "（含子项）"}


def ops_menu(row, *, row_new_url: str, table_version: int, csrf_token: str) -> SafeString:
    """A row's actions: in the editor's row menus (the page's one copy per level, which
    editor.js fills for a row) and on the row's actions page without JavaScript. `row` has
    pk, level, name, version and urls (RowUrls.of)."""
    pk, urls = row.pk, row.urls

    def tree_link(href: str, text: str) -> str:
        return (
            f'<a href="{href}#row-new" hx-get="{href}" hx-target="#tree" hx-swap="outerHTML">'
            f"{text}</a>"
        )

    edit = urls["edit"]
    links = [
        f'<a href="{edit}#row-{pk}" hx-get="{edit}" hx-target="#tree" hx-swap="outerHTML">编辑</a>'
    ]
    if row.level in _ADD_BELOW:
        links.append(tree_link(f"{row_new_url}?parent={pk}", _ADD_BELOW[row.level]))
    for where, text in (("above", "在上方插入"), ("below", "在下方插入")):
        links.append(tree_link(f"{row_new_url}?anchor={pk}&amp;where={where}", text))
    csrf = csrf_input(csrf_token)
    for direction, text in (("up", "上移"), ("down", "下移")):
        url = urls[direction]
        links.append(
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#tree"'
            f' hx-swap="outerHTML">{csrf}<input type="hidden" name="version"'
            f' value="{table_version}" class="table-version">'
            f'<button type="submit" class="link">{text}</button></form>'
        )
    delete = urls["delete"]
    links.append(
        f'<a class="danger" href="{delete}" hx-post="{delete}"'
        f""" hx-vals='{{"version": "{table_version}", "row_version": "{row.version}"}}'"""
        f' hx-confirm="删除“{escape(row.name)}”{_DELETES_TOO.get(row.level, "")}？"'
        ' hx-target="#tree" hx-swap="outerHTML">删除</a>'
    )
    return mark_safe("\n".join(links))  # noqa: S308 (escaped above)
