"""Target tables: the indicator block, layouts A–D, the narrative and target_document."""

from decimal import Decimal

from django.utils import timezone

from indicators.selectors import TreeNode, walk
from perfgoals.display import chinese_date, one_line, unit_label
from perfgoals.exports.documents import Document, Narrative, safe_filename
from perfgoals.exports.documents.special_funds import special_fund_grid
from perfgoals.exports.grid import Cell, Grid, Section, money_cell, percent_cell
from perfgoals.exports.selectors import TableExport
from perfgoals.layouts import (
    DEPARTMENT_NARRATIVE,
    SOURCES,
    Layout,
    LayoutSpec,
    layout_spec,
    printed_label,
    printed_when_filled,
    split_mid,
)
from perfgoals.models import Office, TargetTable

# ---------------------------------------------------------------- indicator block


def _has_sub_items(tree: list[TreeNode]) -> bool:
    return any(grand.children for l1 in tree for l2 in l1.children for grand in l2.children)


def _indicator_rows(
    nodes: list[TreeNode],
    *,
    has_sub: bool,
    leaf_cells,
    level_width: int = 3,
    sub_column: bool = True,
) -> list[list[Cell]]:
    """One row per printed leaf; a node's cell sits in its first row and spans
    TreeNode.leaf_count rows (一级/二级 spanning their indicators, 三级 its sub-items)."""
    rows: list[list[Cell]] = []
    for node in nodes:
        ind = node.indicator
        if node.children:
            child_rows = _indicator_rows(
                node.children,
                has_sub=has_sub,
                leaf_cells=leaf_cells,
                level_width=level_width,
                sub_column=sub_column,
            )
        else:
            child_rows = [leaf_cells(node, has_sub)]
            # A 一级/二级 without children still fills the columns to its right.
            missing = max(0, level_width - ind.level)
            child_rows[0] = [Cell("") for _ in range(missing)] + child_rows[0]
        name_span = 1
        # Layouts A/B keep a column for sub-items: a 三级 without sub-items spans it.
        if ind.level == 3 and sub_column and not node.children:
            name_span = 2
        kind = "label" if ind.level < 3 else "text"
        child_rows[0].insert(
            0, Cell(ind.name, rowspan=node.leaf_count, colspan=name_span, kind=kind)
        )
        rows.extend(child_rows)
    return rows


def _value_only(node: TreeNode, has_sub: bool) -> list[Cell]:
    return [Cell(node.indicator.value_text, kind="value")]


def _described(node: TreeNode, has_sub: bool) -> list[Cell]:
    ind = node.indicator
    span = 1 if (has_sub and ind.level == 4) else 2
    return [
        Cell(ind.description, colspan=span),
        Cell(ind.value_text, kind="value"),
        Cell(ind.basis_printed),
    ]


# Relative widths of the optional indicator columns (perfgoals.layouts.INDICATOR_COLUMNS).
COLUMN_WIDTHS = {
    "value_mid": 14,
    "symbol": 5,
    "target": 8,
    "unit": 7,
    "value_explanation": 16,
    "standard": 16,
    "scoring": 16,
}
SPLIT_VALUE = {"symbol", "target", "unit"}


def indicator_columns(item: TableExport) -> list[tuple[str, str]]:
    """The optional columns this table prints: declared by its layout or filled in a row."""
    rows = [node.indicator for node in walk(item.tree)]
    return layout_spec(item.table.layout).indicator_columns_for(rows)


def _with_columns(leaf_cells, columns: list[tuple[str, str]]):
    """`leaf_cells` with the optional columns: 中期指标值 just before the value (templates
    read 中期 then 年度, left to right), the others after the row's last cell."""
    if not columns:
        return leaf_cells
    mid, after = split_mid(columns)

    def cells(node: TreeNode, has_sub: bool) -> list[Cell]:
        ind = node.indicator
        row = leaf_cells(node, has_sub)
        if mid:
            at = next(i for i, cell in enumerate(row) if cell.kind == "value")
            row.insert(at, Cell(ind.value_mid, kind="value"))
        return [
            *row,
            *[
                Cell(getattr(ind, name), kind="value" if name in SPLIT_VALUE else "text")
                for name, _ in after
            ],
        ]

    return cells


def _value_heads(columns: list[tuple[str, str]]) -> list[Cell]:
    """The value's head: 中期指标值 and 年度指标值 side by side once the table has 中期."""
    if split_mid(columns)[0]:
        return [Cell("中期指标值", kind="head"), Cell("年度指标值", kind="head")]
    return [Cell("指标值", kind="head")]


def _column_heads(columns: list[tuple[str, str]]) -> list[Cell]:
    return [Cell(label, kind="head") for _, label in split_mid(columns)[1]]


def _column_widths(widths: list[int], value_at: int, columns: list[tuple[str, str]]) -> list[int]:
    """`widths` of the fixed columns, the value's at `value_at`, with the optional ones."""
    mid, after = split_mid(columns)
    widths = list(widths)
    if mid:
        widths.insert(value_at, COLUMN_WIDTHS["value_mid"])
    return widths + [COLUMN_WIDTHS[name] for name, _ in after]


def _widen(rows: list[list[Cell]], extra: int) -> list[list[Cell]]:
    """Stretch the header rows over `extra` added columns: every row's last cell reaches
    the right edge in these layouts (row spans sit on the left)."""
    if extra:
        for row in rows:
            row[-1].colspan += extra
    return rows


def _filled(table: TargetTable, spec: LayoutSpec, names: list[str]) -> list[tuple[str, object]]:
    """(label, value) of the fields among `names` the table fills, in the order given; a
    field printed only when filled (perfgoals.layouts.printed_when_filled) is left out
    when empty."""
    labels = spec.labels
    found = []
    for name in names:
        value = getattr(table, name)
        if printed_when_filled(table.layout, name) and value in (None, ""):
            continue
        found.append((labels[name], value))
    return found


def _vlabel(text: str, rowspan: int) -> Cell:
    return Cell(text, rowspan=rowspan, kind="vlabel")


def _value_indicator_section(
    item: TableExport, label: str, columns: list[tuple[str, str]]
) -> tuple[Section, list[int]]:
    """The indicator block of layouts A and B: a vertical label, 一级/二级/三级 (sub-items in
    the fifth column when the tree has them), the value and the optional `columns`; with
    the column widths."""
    has_sub = _has_sub_items(item.tree)
    body = _indicator_rows(
        item.tree, has_sub=has_sub, leaf_cells=_with_columns(_value_only, columns)
    )
    if body:
        body[0].insert(0, _vlabel(label, len(body)))
    head = [
        Cell("", kind="head"),
        Cell("一级指标", kind="head"),
        Cell("二级指标", kind="head"),
        Cell("三级指标", colspan=2, kind="head"),
        *_value_heads(columns),
        *_column_heads(columns),
    ]
    widths = [4, 11, 13, 30, 20, 18] if has_sub else [4, 11, 13, 38, 12, 18]
    return Section(head=[head], body=body), _column_widths(widths, 5, columns)


# ---------------------------------------------------------------- target-table layouts


def project_grid(item: TableExport) -> Grid:
    """Layout A (seed 000 附件3, seed 001 附件3): 6 columns; sub-items take column 5."""
    t = item.table
    spec = layout_spec(t.layout)
    unit = unit_label(t.amount_unit)
    columns = indicator_columns(item)
    rows = [
        [
            Cell(printed_label(t, "project_name"), colspan=2, kind="label"),
            Cell(t.project_name, colspan=2),
            Cell(printed_label(t, "contact"), kind="label"),
            Cell(t.contact),
        ],
        [
            Cell(printed_label(t, "competent_department"), colspan=2, kind="label"),
            Cell(t.competent_department, colspan=2),
            Cell(printed_label(t, "implementing_unit"), kind="label"),
            Cell(t.implementing_unit),
        ],
    ]
    rows += [
        [Cell(label, colspan=2, kind="label"), Cell(text, colspan=4)]
        for label, text in _filled(
            t, spec, ["project_source", "project_attribute", "implementation_period"]
        )
    ]
    # 年度资金总额, 其中：财政拨款, (上年结转,) 其他资金, then the sources a template has.
    funds = [("年度资金总额：", t.amount_total), ("其中：财政拨款", t.amount_fiscal)]
    funds += _filled(t, spec, ["amount_carryover"])
    funds += [("其他资金", t.amount_other)]
    funds += _filled(t, spec, [name for name, _ in SOURCES])
    for index, (label, value) in enumerate(funds):
        row = [
            Cell(label, colspan=2, kind="label"),
            money_cell(value, places=spec.amount_places, colspan=2),
        ]
        if index == 0:
            row.insert(0, Cell(f"资金情况（{unit}）", colspan=2, rowspan=len(funds), kind="label"))
        rows.append(row)
    if t.period_goal:
        # 中期目标 and 年度目标 side by side, as the templates with both print them.
        rows += [
            [
                _vlabel("总体目标", 2),
                Cell("中期目标", colspan=2, kind="head"),
                Cell("年度目标", colspan=3, kind="head"),
            ],
            [Cell(t.period_goal, colspan=2), Cell(t.annual_goal, colspan=3)],
        ]
    else:
        rows += [
            [_vlabel("总体目标", 2), Cell("年度目标", colspan=5, kind="head")],
            [Cell(t.annual_goal, colspan=5)],
        ]
    top = Section(body=_widen(rows, len(columns)))
    indicators, widths = _value_indicator_section(item, "绩效指标", columns)
    return Grid(
        title=t.title or "绩效目标表",
        subtitle=f"（{t.year}年度）",
        widths=widths,
        sections=[top, indicators],
        sheet_name=t.project_name,
    )


def transfer_grid(item: TableExport) -> Grid:
    """Layout B (seed 000 附件2): 转移支付区域绩效目标表."""
    t = item.table
    amount = money_cell(t.amount_total, suffix=unit_label(t.amount_unit), colspan=4)
    amount.kind = "text"
    columns = indicator_columns(item)
    top = Section(
        body=_widen(
            [
                [
                    Cell(printed_label(t, "project_name"), colspan=2, kind="label"),
                    Cell(t.project_name, colspan=4),
                ],
                [
                    Cell(printed_label(t, "finance_department"), colspan=2, kind="label"),
                    Cell(t.finance_department, colspan=2),
                    Cell(printed_label(t, "competent_department"), kind="label"),
                    Cell(t.competent_department),
                ],
                [Cell("资金情况", colspan=2, kind="label"), amount],
                [Cell("年度目标", colspan=2, kind="label"), Cell(t.annual_goal, colspan=4)],
            ],
            len(columns),
        )
    )
    indicators, widths = _value_indicator_section(item, "绩效目标", columns)
    return Grid(
        title=one_line(t.title),
        widths=widths,
        sections=[top, indicators],
        sheet_name=t.project_name,
    )


def dept_project_grid(item: TableExport) -> Grid:
    """Layout C (seed 004 part 2): 7 columns; the indicator block has six headings."""
    t = item.table
    spec = layout_spec(t.layout)
    places = spec.amount_places
    has_sub = _has_sub_items(item.tree)
    columns = indicator_columns(item)
    rows = [
        [
            Cell(printed_label(t, "project_code"), kind="label"),
            Cell(t.project_code, colspan=2),
            Cell(printed_label(t, "project_name"), kind="label"),
            Cell(t.project_name, colspan=3),
        ],
    ]
    rows += [
        [Cell(label, kind="label"), Cell(text, colspan=6)]
        for label, text in _filled(
            t, spec, ["project_source", "project_attribute", "implementation_period"]
        )
    ]
    rows += [
        [
            Cell("预算规模及资金用途", rowspan=2, kind="label"),
            Cell("预算数", kind="label"),
            money_cell(t.amount_total, places=places),
            Cell("其中：财政资金", kind="label"),
            money_cell(t.amount_fiscal, places=places),
            Cell("其他资金", kind="label"),
            money_cell(t.amount_other, places=places),
        ],
        [Cell(t.fund_purpose, colspan=6)],
    ]
    sources = _filled(t, spec, ["amount_carryover", *(name for name, _ in SOURCES)])
    for index, (label, value) in enumerate(sources):
        row = [Cell(label, kind="label"), money_cell(value, places=places, colspan=5)]
        if index == 0:
            row.insert(0, Cell("资金来源", rowspan=len(sources), kind="label"))
        rows.append(row)
    rows += [
        [
            Cell("资金支出计划（%）", rowspan=2, kind="label"),
            *[
                Cell(label, kind="head", colspan=span)
                for label, span in zip(TargetTable.SPENDING_PLAN_LABELS, (1, 2, 1, 2), strict=True)
            ],
        ],
        [
            percent_cell(value, places=places, colspan=span)
            for value, span in zip(t.spending_plan, (1, 2, 1, 2), strict=True)
        ],
    ]
    if t.period_goal:
        rows += [
            [
                Cell("绩效目标", rowspan=2, kind="label"),
                Cell("中期目标", colspan=3, kind="head"),
                Cell("年度目标", colspan=3, kind="head"),
            ],
            [Cell(t.period_goal, colspan=3), Cell(t.annual_goal, colspan=3)],
        ]
    else:
        rows.append([Cell("绩效目标", kind="label"), Cell(t.annual_goal, colspan=6)])
    top = Section(body=_widen(rows, len(columns)))
    body = _indicator_rows(
        item.tree,
        has_sub=has_sub,
        leaf_cells=_with_columns(_described, columns),
        sub_column=False,
    )
    indicators = Section(
        head=[
            [
                Cell("一级指标", kind="head"),
                Cell("二级指标", kind="head"),
                Cell("三级指标", kind="head"),
                Cell("绩效指标描述", colspan=2, kind="head"),
                *_value_heads(columns),
                Cell("指标值确定依据", kind="head"),
                *_column_heads(columns),
            ]
        ],
        body=body,
    )
    return Grid(
        title=one_line(t.title),
        widths=_column_widths([11, 13, 18, 13, 15, 13, 17], 5, columns),
        sections=[top, indicators],
        caption_left=f"{t.organisation.unit_code}{t.organisation.name}",
        caption_right=f"单位：{unit_label(t.amount_unit)}",
        sheet_name=f"{t.sequence or ''}{t.project_name}",
    )


def department_grid(item: TableExport) -> Grid:
    """Layout D (seed 002 附件3-3): 部门整体支出绩效申报表 with the review-opinion rows."""
    t = item.table
    unit = unit_label(t.amount_unit)

    def opinion(kind: str) -> str:
        found = item.opinions.get(kind)
        if not found:
            return ""
        grade = f"（{found.get_grade_display()}）" if found.grade else ""
        return f"{found.text}{grade}"

    spec = layout_spec(t.layout)

    def amount(value: Decimal | None) -> Cell:
        return money_cell(value, places=spec.amount_places, suffix=unit)

    rows = [
        [Cell("部门名称", kind="label"), Cell(t.project_name or t.organisation.name, colspan=2)],
    ]
    rows += [
        [Cell(label, kind="label"), Cell(text, colspan=2)]
        for label, text in _filled(t, spec, ["department_code", "department_duties"])
    ]
    sources = _filled(t, spec, [name for name, _ in SOURCES])
    budget = [
        [Cell("资金总额：", kind="label"), amount(t.amount_total)],
        [Cell("按支出性质分：", colspan=2, kind="label")],
        [Cell("其中：基本支出：", kind="label"), amount(t.basic_expenditure)],
        [Cell("项目支出：", kind="label"), amount(t.project_expenditure)],
    ]
    if sources:
        budget.append([Cell("按资金来源分：", colspan=2, kind="label")])
        budget += [
            [Cell(f"{'其中：' if index == 0 else ''}{label}：", kind="label"), amount(value)]
            for index, (label, value) in enumerate(sources)
        ]
    budget[0].insert(0, Cell("年度预算申请", rowspan=len(budget), kind="label"))
    rows += budget
    rows += [
        [Cell("整体绩效目标", kind="label"), Cell(t.annual_goal, colspan=2)],
        [
            Cell("部门整体支出年度绩效指标", rowspan=2, kind="label"),
            Cell("产出指标", kind="label"),
            Cell(t.output_description),
        ],
        [Cell("效益指标", kind="label"), Cell(t.outcome_description)],
        [
            Cell("财政部门审核意见", rowspan=2, kind="label"),
            # Seed 002 prints this one colon half-width and the next full-width: verbatim.
            Cell("业务股室意见:", kind="label"),
            Cell(opinion(Office.Kind.BUSINESS)),
        ],
        [Cell("绩效股意见：", kind="label"), Cell(opinion(Office.Kind.PERFORMANCE))],
    ]
    return Grid(
        title=one_line(t.title) or "部门整体支出绩效申报表",
        widths=[22, 20, 58],
        sections=[Section(body=rows)],
        sheet_name="部门整体支出绩效申报表",
    )


NARRATIVE_ANCHORS = {
    "annual_goal": "dept-goal",
    "sub_goals": "dept-sub-goals",
    "safeguards": "dept-safeguards",
}


def department_narrative(item: TableExport) -> Narrative:
    t = item.table

    def paragraphs(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    # Each part opens with its lead-in line, as the document prints it under the heading.
    parts = [
        (heading, [lead, *paragraphs(getattr(t, field))], NARRATIVE_ANCHORS[field])
        for heading, lead, field in DEPARTMENT_NARRATIVE
        if getattr(t, field).strip()
    ]
    # The department's duties come before its goals, unnumbered, when a template has them.
    duties = paragraphs(t.department_duties)
    if t.department_code:
        duties.insert(0, f"部门（单位）编码：{t.department_code}")
    if duties:
        parts.insert(0, ("部门职能职责概述", duties, "dept-duties"))
    return Narrative("部门整体绩效目标", [p for p in parts if p[1]])


def department_indicator_grid(item: TableExport) -> Grid:
    """The 部门整体支出 table's 年度绩效指标 (产出/效益/满意度 per duty) of the national and
    provincial templates, printed after the declaration form or the narrative."""
    t = item.table
    indicators, widths = _value_indicator_section(item, "年度绩效指标", indicator_columns(item))
    return Grid(
        title="部门整体支出绩效指标",
        widths=widths,
        sections=[indicators],
        caption_left=t.project_name or t.organisation.name,
        sheet_name="年度绩效指标",
        anchor="dept-indicators",
    )


def is_narrative(table: TargetTable) -> bool:
    return (
        table.amount_total is None
        and not table.output_description
        and bool(table.sub_goals or table.safeguards)
    )


# ---------------------------------------------------------------- documents


TREE_GRIDS = {
    Layout.PROJECT: project_grid,
    Layout.TRANSFER: transfer_grid,
    Layout.DEPT_PROJECT: dept_project_grid,
    Layout.SPECIAL_FUND: special_fund_grid,
}


def approval_mark(item: TableExport) -> str:
    """已批准（第2版，2021年3月5日）when the table printed is an approved version, else ""."""
    snapshot = item.approval
    if snapshot is None:
        return ""
    approved_on = chinese_date(timezone.localdate(snapshot.approved_at))
    return f"已批准（第{snapshot.number}版，{approved_on}）"


def stamped(parts: list, item: TableExport) -> list:
    """Mark the first part a table prints as (its heading area) when it is approved."""
    if parts:
        parts[0].stamp = approval_mark(item)
    return parts


def table_grids(item: TableExport) -> list:
    """The parts one table prints as, by its layout (perfgoals.layouts)."""
    table = item.table
    if table.layout == Layout.DEPARTMENT:
        # 部门整体支出 (layout D): the declaration form, or headed paragraphs (seed 004 part 1),
        # then its indicator tree when it has one.
        parts: list = [department_narrative(item) if is_narrative(table) else department_grid(item)]
        if item.tree:
            parts.append(department_indicator_grid(item))
        return stamped(parts, item)
    return stamped([TREE_GRIDS[table.layout](item)], item)


def target_document(item: TableExport) -> Document:
    t = item.table
    return Document(
        title=f"{t.project_name}绩效目标表",
        filename=safe_filename(f"{t.year}_{t.project_name}_绩效目标表"),
        parts=table_grids(item),
    )
