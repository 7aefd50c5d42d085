"""The editor's view-model: the tree as printed lines, the draft row, the lint panel.

The pages (pages.py) and the row actions (rows.py) both render the editor template's
partials through `editor_context`, so the tree looks the same whether it came with the page
or after a row change.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from allocations.selectors import notice_basis_choices, policy_paragraphs_visible_to
from indicators.forms import BasisSources, IndicatorRowForm
from indicators.library import LibraryEntry
from indicators.models import LintAcknowledgement, PerformanceIndicator
from indicators.selectors import (
    TreeNode,
    build_tree,
    framework_category_names,
    indicator_get,
    indicator_level,
    indicator_rows,
    indicator_values,
    lint_acknowledgements,
    sibling_index,
    walk,
)
from perfgoals.display import money, percent
from perfgoals.findings import Finding, Severity
from perfgoals.layouts import layout_spec, printed_label, printed_when_filled, split_mid
from perfgoals.models import ReviewComment, ReviewEvent, TableSnapshot, TargetTable, User
from perfgoals.prepared import PreparedReads
from perfgoals.rendering import escape, page_csrf_token, unbound_widget
from perfgoals.selectors import attach_users, sorted_by, target_tables_visible_to
from perfgoals.targets.checks import check_table
from perfgoals.targets.editor.panel import PanelFinding, print_findings
from perfgoals.targets.editor.tree import (
    ReviewForms,
    TreeOptions,
    ops_menu,
    print_tree,
    row_menu,
)
from perfgoals.targets.forms import TargetTableForm
from perfgoals.targets.review import EDITABLE, is_reviewer_of

# A draft's index past every sibling: the row is appended.
END = 10**6


@dataclass
class Draft:
    """A row being typed that does not exist yet: where it goes and what was typed."""

    parent_id: int | None
    level: int
    index: int  # among the siblings, 0-based
    anchor_id: int | None = None
    where: str = ""
    form: Any = None

    @property
    def position(self) -> int | None:
        """The 1-based position asked for; None to append after the last sibling."""
        return self.index + 1 if self.index < END else None


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parent_level(table_id: int, parent_id: int | None) -> int:
    if parent_id is None:
        return 0
    level = indicator_level(table_id=table_id, indicator_id=parent_id)
    if level is None:
        raise Http404("没有找到上级指标。")
    return level


def draft_from_request(data, table_id: int) -> Draft:
    """Where a new row goes: under `parent` at `position`, or above/below an `anchor` row."""
    anchor_id = int_or_none(data.get("anchor"))
    where = data.get("where", "")
    if anchor_id is not None and where in ("above", "below"):
        anchor = indicator_get(table_id=table_id, indicator_id=anchor_id)
        if anchor is None:
            raise Http404("没有找到指标。")
        index = sibling_index(anchor)
        return Draft(
            parent_id=anchor.parent_id,
            level=anchor.level,
            index=index if where == "above" else index + 1,
            anchor_id=anchor_id,
            where=where,
        )
    parent_id = int_or_none(data.get("parent"))
    level = _parent_level(table_id, parent_id) + 1
    if level > PerformanceIndicator.Level.SUB_ITEM:
        raise Http404("子项下不能再添加下级指标。")
    position = int_or_none(data.get("position"))
    return Draft(parent_id=parent_id, level=level, index=(position - 1) if position else END)


def next_draft(row: PerformanceIndicator) -> Draft:
    """The blank row right below `row`, opened by 保存并添加下一行."""
    return Draft(parent_id=row.parent_id, level=row.level, index=row.position)


def _attach_draft(roots: list[TreeNode], indicators: dict, draft: Draft, table) -> None:
    row = PerformanceIndicator(
        table=table, level=draft.level, parent_id=draft.parent_id, position=draft.index + 1
    )
    row.is_draft = True
    node = TreeNode(row)
    siblings = roots if draft.parent_id is None else indicators[draft.parent_id].children
    siblings.insert(min(draft.index, len(siblings)), node)


@dataclass
class EditorState:
    editing_id: int | None = None
    row_form: Any = None
    draft: Draft | None = None
    tree_error: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class ReviewTrail:
    """What the review left on a table: events (with grades, 审核意见 and corrections) and
    comments, the table-level ones apart; each row gets its own as attributes."""

    events: list[ReviewEvent]
    table_comments: list[ReviewComment]
    corrections: list[ReviewEvent]
    # Why the table is back with the bureau (已退回修改) or out of the budget (未通过审核).
    decision: ReviewEvent | None = None


# A table's review events and comments, read on every table page: compiled once per thread.
_trail_reads = PreparedReads()


def review_trail(
    table: TargetTable,
    rows: list[PerformanceIndicator],
    acknowledgements: Iterable[LintAcknowledgement] = (),
) -> ReviewTrail:
    """Two queries, and one of the users' names when anyone acted, commented or acknowledged
    a warning (`acknowledgements` get theirs too); sets `review_comments_shown`,
    `corrections_shown` and `review_shown` (either of them) on every row."""
    events = sorted_by(
        _trail_reads.list(
            ("events",), lambda pk: ReviewEvent.objects.filter(table_id=pk).order_by(), table.pk
        ),
        "created_at",
        "pk",
    )
    comments = sorted_by(
        _trail_reads.list(
            ("comments",),
            lambda pk: ReviewComment.objects.filter(table_id=pk).order_by(),
            table.pk,
        ),
        "created_at",
        "pk",
    )
    attach_users(("actor", events), ("author", comments), ("acknowledged_by", acknowledgements))
    live = {row.pk for row in rows}
    comments_by_row: dict[int, list[ReviewComment]] = {}
    table_comments = []
    for comment in comments:
        if comment.indicator_id in live:
            comments_by_row.setdefault(comment.indicator_id, []).append(comment)
        else:
            # On the table, or on a row deleted since: its label still says which.
            table_comments.append(comment)
    corrections = [e for e in events if e.action == ReviewEvent.Action.CORRECT]
    corrections_by_row: dict[int, list[ReviewEvent]] = {}
    for event in corrections:
        corrections_by_row.setdefault(event.indicator_id, []).append(event)
    for row in rows:
        row.review_comments_shown = comments_by_row.get(row.pk, [])
        row.corrections_shown = corrections_by_row.get(row.pk, [])
        # Most rows have neither: the tree then skips the row's review block altogether.
        row.review_shown = bool(row.review_comments_shown or row.corrections_shown)
    decision = None
    if table.status in (TargetTable.Status.RETURNED, TargetTable.Status.REJECTED):
        decision = next(
            (e for e in reversed(events) if e.to_status == table.status and e.comment), None
        )
    return ReviewTrail(
        events=events,
        table_comments=table_comments,
        corrections=corrections,
        decision=decision,
    )


# A pk no table or row has, standing in for the real one in a URL reversed once per page.
_PK = 2_147_483_646


class RowUrls:
    """A row's action URLs, each reversed once per page and filled per row.

    The editor prints eight per row; reversed in the template ({% url %}) they cost a third
    of the page's server time.
    """

    NAMES = {
        "edit": "tables:row_edit",
        "delete": "tables:row_delete",
        "actions": "tables:row_actions",
    }

    def __init__(self) -> None:
        self._parts = _row_url_parts(get_urlconf(), get_script_prefix())

    def of(self, pk: int) -> dict[str, str]:
        return {key: f"{head}{pk}{tail}" for key, (head, tail) in self._parts.items()}


@functools.lru_cache(maxsize=16)
def _row_url_parts(urlconf: str | None, script_prefix: str) -> dict[str, list[str]]:
    """RowUrls' URLs split around the stand-in pk, once per URLconf and script prefix (which
    `reverse` reads from the request's thread): the same on every page."""
    parts = {key: reverse(name, args=[_PK]).split(str(_PK)) for key, name in RowUrls.NAMES.items()}
    for direction in ("up", "down"):
        parts[direction] = reverse("tables:row_move", args=[_PK, direction]).split(str(_PK))
    return parts


# What the page's one copy of each row menu prints for the row's id, version and name and for
# the table's version; editor.js puts the row's own in their place when a menu opens.
MENU_MARKS = {"row": _PK, "row_version": _PK - 1, "table_version": _PK - 2, "name": "__row_name__"}


@dataclass(frozen=True)
class MenuRow:
    """The stand-in row of a level's menu copy (see MENU_MARKS)."""

    level: int
    urls: dict[str, str]
    pk: int = MENU_MARKS["row"]
    version: int = MENU_MARKS["row_version"]
    name: str = MENU_MARKS["name"]


def menu_copies(request: HttpRequest, row_urls: RowUrls, row_new_url: str) -> list:
    """(level, menu) of the page's one copy of each level's row menu (#row-menus)."""
    urls = row_urls.of(MENU_MARKS["row"])
    csrf_token = page_csrf_token(request)
    return [
        (
            level,
            ops_menu(
                MenuRow(level, urls),
                row_new_url=row_new_url,
                table_version=MENU_MARKS["table_version"],
                csrf_token=csrf_token,
            ),
        )
        for level in (1, 2, 3, 4)
    ]


def editor_context(
    request: HttpRequest,
    table: TargetTable,
    *,
    editable: bool,
    state: EditorState | None = None,
    snapshot: TableSnapshot | None = None,
    frozen_rows: list[PerformanceIndicator] | None = None,
    review_forms: ReviewForms | None = None,
) -> dict[str, Any]:
    """Everything the editor partials need, in a fixed number of queries whatever the size.

    With `snapshot` (and its rebuilt `frozen_rows`), the approved version as frozen: no
    checks, no review trail, nothing editable. `review_forms`: the review screen of the
    stage's reviewer, with the review's forms beside every row."""
    state = state or EditorState()
    if snapshot is not None:
        rows = frozen_rows or []
        findings = []
        acknowledgements = {}
        trail = None
        editable = False
    else:
        rows = indicator_rows(table_id=table.pk)
        findings = check_table(table, indicators=rows)
        acknowledgements = lint_acknowledgements(table_id=table.pk)
        trail = review_trail(table, rows, acknowledgements.values())
        if table.copied_from_id:
            set_previous_values(rows, indicator_values(table_id=table.copied_from_id))
    panel: list[PanelFinding] = []
    by_row: dict[int, list[PanelFinding]] = {}
    table_findings = []
    for finding in findings:
        item = PanelFinding(
            finding,
            acknowledgements.get(finding.key) if finding.severity == Severity.WARNING else None,
        )
        panel.append(item)
        if finding.indicator_id:
            by_row.setdefault(finding.indicator_id, []).append(item)
        else:
            table_findings.append(finding)
    for row in rows:
        items = by_row.get(row.pk, [])
        row.worst = _worst([item.finding for item in items if item.acknowledgement is None])
        # Beside the row its name goes without saying; the panel keeps the full message.
        row.notes = [
            (item.css, item.finding.message.removeprefix(f"{row.name}：")) for item in items
        ]
    spec = layout_spec(table.layout)
    columns = spec.indicator_columns_for(rows)
    # 中期指标值 sits before the value (templates read 中期 then 年度); the rest after it.
    mid_shown, after = split_mid(columns)
    row_urls = RowUrls() if editable else None
    for row in rows:
        row.extra_cells = [getattr(row, name) for name, _ in after]
        # Asked of every row by the template: a missing attribute costs it a dir() per row.
        row.is_draft = False
        if not hasattr(row, "previous_value"):
            row.previous_value = ""
        if row_urls is not None:
            row.urls = row_urls.of(row.pk)
            row.menu = row_menu(row)
    roots = build_tree(rows)
    nodes = {node.indicator.pk: node for node in walk(roots)}
    draft = state.draft
    if draft is not None and (draft.parent_id is None or draft.parent_id in nodes):
        _attach_draft(roots, nodes, draft, table)
    row_new_url = reverse("tables:row_new", args=[table.pk]) if editable else ""
    leaf_span = (4 if spec.six_columns else 2) + len(columns)
    options = TreeOptions(
        editable=editable,
        six_columns=spec.six_columns,
        value_mid_shown=mid_shown,
        leaf_span=leaf_span,
        row_new_url=row_new_url,
        editing_id=state.editing_id,
        review_forms=review_forms,
    )
    field_findings: dict[str, list] = {}
    for finding in table_findings:
        if finding.field:
            field_findings.setdefault(finding.field, []).append(finding)
    return {
        "table": table,
        "editable": editable,
        "snapshot": snapshot,
        "trail": trail,
        "six_columns": spec.six_columns,
        # Optional columns (计算符号 … 评（扣）分标准) the layout declares or a row fills.
        "indicator_columns": after,
        "value_mid_shown": mid_shown,
        # Cells a leaf's name, value and columns take, and the width of the whole block.
        "leaf_span": leaf_span,
        "tree_span": (7 if spec.six_columns else 5) + len(columns),
        # A department-wide table without rows prints no tree when read; the editor offers one.
        "show_tree": spec.has_tree and (editable or bool(rows) or not spec.tree_optional),
        "tree_parts": print_tree(roots, options),
        "reviewing": review_forms is not None,
        "findings": findings,
        "findings_html": print_findings(
            panel, table=table, editable=editable, csrf_token=page_csrf_token(request)
        ),
        "finding_counts": _counts(panel),
        "field_findings": field_findings,
        "state": state,
        "row_form": _row_form(request.user, table, state),
        # Reversed once here, not per row in the template (see RowUrls).
        "row_new_url": row_new_url,
        "menu_copies": (
            menu_copies(request, row_urls, row_new_url) if row_urls is not None else []
        ),
        "menu_marks": MENU_MARKS,
        "category_names": (
            framework_category_names(generation=table.framework_generation)
            if editable and _typing(state)
            else {}
        ),
    }


def _name_paths(rows: list[PerformanceIndicator]) -> dict[int, tuple[str, ...]]:
    """Each row's names from its 一级 down: how a copied row finds its original."""
    by_pk = {row.pk: row for row in rows}
    paths: dict[int, tuple[str, ...]] = {}

    def path(row: PerformanceIndicator) -> tuple[str, ...]:
        if row.pk not in paths:
            parent = by_pk.get(row.parent_id)
            paths[row.pk] = (*(path(parent) if parent else ()), row.name.strip())
        return paths[row.pk]

    for row in rows:
        path(row)
    return paths


def set_previous_values(
    rows: list[PerformanceIndicator], previous: list[PerformanceIndicator]
) -> None:
    """Set `previous_value` on each leaf of a copied table: the value of the row at the
    same path of names in the table it was copied from (「上年：≥90%」), "" when none.
    Matched by names, not by copy order, so rows moved or renamed since simply show none."""
    found: dict[tuple[str, ...], str] = {}
    by_pk = {row.pk: row for row in previous}
    for pk, row_path in _name_paths(previous).items():
        found.setdefault(row_path, by_pk[pk].value_text)
    current = {row.pk: row for row in rows}
    for pk, row_path in _name_paths(rows).items():
        current[pk].previous_value = found.get(row_path, "")


def _typing(state: EditorState) -> bool:
    return state.draft is not None or state.editing_id is not None


def row_form(user: User, *args, **kwargs) -> IndicatorRowForm:
    """The row form with what its 指标值确定依据 may cite: the policy paragraphs that apply to
    the user's region and the notices the user sees; another id is refused at the field."""
    sources = BasisSources(
        paragraphs=policy_paragraphs_visible_to(user), notices=notice_basis_choices(user)
    )
    return IndicatorRowForm(*args, basis_sources=sources, **kwargs)


def _row_form(user: User, table: TargetTable, state: EditorState):
    if state.row_form is not None:
        return state.row_form
    if state.draft is not None and state.draft.form is not None:
        return state.draft.form
    if _typing(state):
        return row_form(user, initial={"version": table.version})
    return None


def _worst(findings: list[Finding]) -> str:
    severities = {finding.severity for finding in findings}
    return next((str(s) for s in (Severity.ERROR, Severity.WARNING) if s in severities), "")


def _counts(panel: list["PanelFinding"]) -> dict[str, int]:
    """Errors, open warnings and acknowledged warnings."""
    counts = {"error": 0, "warning": 0, "acknowledged": 0}
    for item in panel:
        counts[item.css] += 1
    return counts


def editor_url(table: TargetTable, anchor: str = "") -> str:
    url = reverse("tables:edit", args=[table.pk])
    return f"{url}#{anchor}" if anchor else url


def next_row_url(row: PerformanceIndicator) -> str:
    """The editor with a blank row open right below `row` (the no-JS 保存并添加下一行)."""
    url = reverse("tables:row_new", args=[row.table_id])
    parent = row.parent_id or ""
    return f"{url}?parent={parent}&position={row.position + 1}#row-new"


def library_groups(
    entries: list[LibraryEntry], first_fund_type: str = ""
) -> list[tuple[str, str, list[LibraryEntry]]]:
    """Library entries as (二级 heading, fund type, entries), `first_fund_type`'s groups first."""
    groups: dict[tuple[str, str], list] = {}
    for entry in entries:
        heading = f"{entry.first_level_name} › {entry.category_name}".strip(" ›")
        groups.setdefault((heading, entry.fund_type), []).append(entry)
    if first_fund_type:
        # The table's own fund type first, the others after.
        groups = dict(sorted(groups.items(), key=lambda item: item[0][1] != first_fund_type))
    return [(heading, fund, items) for (heading, fund), items in groups.items()]


@dataclass
class HeaderField:
    bound: Any  # BoundField
    findings: list
    theirs: Any = None
    differs: bool = False

    def html(self) -> SafeString:
        """The field's block in the header form: label, input, help, errors, the other
        user's value and the checks' findings. Printed here rather than in the template,
        where the header's twenty-odd fields cost the editor a sixth of its server time."""
        bound = self.bound
        name = bound.name
        errors = bound.errors
        css = f"field field-{name}"
        if errors:
            css += " has-error"
        if self.findings:
            css += " has-finding"
        html = [
            f'<div class="{css}" id="field-{name}">',
            f'<label for="{escape(bound.id_for_label)}">{escape(bound.label)}</label>',
            unbound_widget(bound),
        ]
        if bound.help_text:
            # The id the widget's aria-describedby names (BoundField.aria_describedby).
            helptext_id = f' id="{escape(bound.auto_id)}_helptext"' if bound.auto_id else ""
            html.append(f'<p class="help muted"{helptext_id}>{escape(bound.help_text)}</p>')
        if errors:
            html.append(str(errors))
        if self.differs:
            theirs = "（空）" if self.theirs in (None, "") else self.theirs
            html.append(f'<p class="theirs">他人刚保存的值：{escape(theirs)}</p>')
        for finding in self.findings:
            html.append(
                f'<p class="field-finding sev-{finding.severity}">{escape(finding.message)}</p>'
            )
        html.append("</div>")
        return mark_safe("\n".join(html))  # noqa: S308 (escaped above)


def header_sections(form: TargetTableForm, context: dict, current_values: dict) -> list:
    """The form's sections with the lint findings and the other user's values per field."""
    sections = []
    for title, fields in form.sections():
        sections.append(
            (
                title,
                [
                    HeaderField(
                        bound=bound,
                        findings=context["field_findings"].get(bound.name, []),
                        theirs=current_values.get(bound.name),
                        differs=bound.name in current_values,
                    )
                    for bound in fields
                ],
            )
        )
    return sections


class HeaderDisplay(list):
    """header_display's sections, and `html`: their rows of the official table's header as
    detail.html printed them with nested loops and filters, which cost 5 % of the read and
    review pages."""

    @cached_property
    def html(self) -> SafeString:
        lines = []
        for title, rows in self:
            # The section's title spans its rows, printed in the first.
            section = (
                f'<th rowspan="{len(rows)}" class="section-label">{conditional_escape(title)}</th>'
            )
            for name, label, text in rows:
                if name == "goals":
                    parts = "".join(
                        f"<div><strong>{conditional_escape(part)}</strong><br>"
                        f"{linebreaksbr(part_text)}</div>"
                        for part, part_text in text
                    )
                    cell = f'<td class="goals"><div class="side-by-side">{parts}</div></td>'
                else:
                    num = ' class="num"' if name.startswith(("amount", "spend")) else ""
                    cell = f"<td{num}>{linebreaksbr(text)}</td>"
                lines.append(
                    f'<tr id="field-{conditional_escape(name)}">{section}'
                    f"<th>{conditional_escape(label)}</th>{cell}</tr>"
                )
                section = ""
        return mark_safe("\n".join(lines))


def header_display(table: TargetTable) -> HeaderDisplay:
    """Read-only header: (section, [(field, label, text)]) as the official table prints it."""
    unit = table.get_amount_unit_display()
    sections = HeaderDisplay()
    for title, fields in layout_spec(table.layout).sections:
        rows = []
        for name, label in fields:
            if name in ("amount_unit", "title"):
                continue
            value = getattr(table, name)
            if printed_when_filled(table.layout, name) and value in (None, ""):
                continue
            model_field = table._meta.get_field(name)
            if name.startswith("spend_by_"):
                text = percent(value)
            elif value is not None and model_field.get_internal_type() == "DecimalField":
                text = f"{money(value)}{unit}"
            else:
                text = "" if value is None else str(value)
            label = printed_label(table, name, label)
            rows.append((name, label, text))
        rows = _goals_side_by_side(rows)
        if rows:
            sections.append((title, rows))
    return sections


def _goals_side_by_side(rows: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """中期目标 and 年度目标 as one row of two columns, as the templates with both print them;
    the row's text is then [(label, text), (label, text)]."""
    names = [name for name, _, _ in rows]
    if "period_goal" not in names or "annual_goal" not in names:
        return rows
    mid = rows[names.index("period_goal")]
    annual = rows[names.index("annual_goal")]
    pair = ("goals", f"{mid[1]}／{annual[1]}", [(mid[1], mid[2]), (annual[1], annual[2])])
    return [
        pair if name == "period_goal" else row
        for name, row in zip(names, rows, strict=True)
        if name != "annual_goal"
    ]


@dataclass
class ReviewActions:
    """The review buttons this user gets on this table now; the services decide in the end
    (a forged POST of a button not shown is refused there)."""

    submit: bool = False
    withdraw: bool = False
    adjust: bool = False
    review: bool = False
    # The read-only review screen: finance users of the region see it in every state.
    review_screen: bool = False


def review_actions(user, table: TargetTable, trail: ReviewTrail | None) -> ReviewActions:
    Status = TargetTable.Status
    own = (
        user.is_authenticated
        and user.role == User.Role.BUREAU_STAFF
        and user.organisation_id == table.organisation_id
    )
    submitter = None
    if trail is not None:
        submitter = next(
            (e.actor_id for e in reversed(trail.events) if e.action == ReviewEvent.Action.SUBMIT),
            None,
        )
    reviewer = is_reviewer_of(user, table)
    return ReviewActions(
        submit=own and table.status in EDITABLE,
        withdraw=own and table.status == Status.SUBMITTED and submitter == user.pk,
        adjust=own and table.status == Status.APPROVED,
        review=reviewer,
        review_screen=reviewer
        or (
            user.is_authenticated
            and user.organisation_id != table.organisation_id
            and table.status != Status.DRAFT
        ),
    )


@dataclass
class CopiedFrom:
    pk: int
    year: int
    project_name: str
    visible: bool


def copied_from_display(user, table: TargetTable) -> CopiedFrom | None:
    """Where the table was copied from; linked only when the user may still see it."""
    if table.copied_from_id is None:
        return None
    source = (
        TargetTable.objects.filter(pk=table.copied_from_id)
        .values("pk", "year", "project_name")
        .first()
    )
    if source is None:
        return None
    visible = target_tables_visible_to(user).filter(pk=table.copied_from_id).exists()
    return CopiedFrom(visible=visible, **source)


def shows_snapshot(user, table: TargetTable) -> bool:
    """Outside the owning organisation, an adjustment being drafted is not the table yet:
    the approved version in force is."""
    return (
        table.approved_snapshot_id is not None
        and table.status == TargetTable.Status.DRAFT
        and user.organisation_id != table.organisation_id
    )
