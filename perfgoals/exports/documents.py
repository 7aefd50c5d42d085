"""Official layouts (DOMAIN.md §4) as Grids and document parts, built from selector output.

One builder per layout; both the PDF and the XLSX writer draw what these return.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from allocations.selectors import ComputedAllocation, ComputedCell
from indicators.framework import normalise_category_name
from indicators.selectors import TreeNode
from perfgoals.display import chinese_date, cn_number, one_line, unit_label
from perfgoals.exports.grid import (
    COUNT_FORMAT,
    Cell,
    Grid,
    Section,
    money_cell,
    number_cell,
    percent_cell,
)
from perfgoals.exports.selectors import (
    DepartmentExport,
    NoticeExport,
    SummaryExport,
    TableExport,
)
from perfgoals.models import Office, TargetTable
from perfgoals.money import from_yuan

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
        Cell(ind.basis),
    ]


def _vlabel(text: str, rowspan: int) -> Cell:
    return Cell(text, rowspan=rowspan, kind="vlabel")


def _value_indicator_section(item: TableExport, label: str) -> tuple[Section, list[int]]:
    """The indicator block of layouts A and B: a vertical label, 一级/二级/三级 (sub-items in
    the fifth column when the tree has them) and the value; with the six column widths."""
    has_sub = _has_sub_items(item.tree)
    body = _indicator_rows(item.tree, has_sub=has_sub, leaf_cells=_value_only)
    if body:
        body[0].insert(0, _vlabel(label, len(body)))
    head = [
        Cell("", kind="head"),
        Cell("一级指标", kind="head"),
        Cell("二级指标", kind="head"),
        Cell("三级指标", colspan=2, kind="head"),
        Cell("指标值", kind="head"),
    ]
    widths = [4, 11, 13, 30, 20, 18] if has_sub else [4, 11, 13, 38, 12, 18]
    return Section(head=[head], body=body), widths


# ---------------------------------------------------------------- target-table layouts


def project_grid(item: TableExport) -> Grid:
    """Layout A (seed 000 附件3, seed 001 附件3): 6 columns; sub-items take column 5."""
    t = item.table
    unit = unit_label(t.amount_unit)
    top = Section(
        body=[
            [
                Cell("项目名称", colspan=2, kind="label"),
                Cell(t.project_name, colspan=2),
                Cell("项目负责人及联系电话", kind="label"),
                Cell(t.contact),
            ],
            [
                Cell("主管部门", colspan=2, kind="label"),
                Cell(t.competent_department, colspan=2),
                Cell("实施单位", kind="label"),
                Cell(t.implementing_unit),
            ],
            [
                Cell(f"资金情况（{unit}）", colspan=2, rowspan=3, kind="label"),
                Cell("年度资金总额：", colspan=2, kind="label"),
                money_cell(t.amount_total, colspan=2),
            ],
            [
                Cell("其中：财政拨款", colspan=2, kind="label"),
                money_cell(t.amount_fiscal, colspan=2),
            ],
            [Cell("其他资金", colspan=2, kind="label"), money_cell(t.amount_other, colspan=2)],
            [_vlabel("总体目标", 2), Cell("年度目标", colspan=5, kind="head")],
            [Cell(t.annual_goal, colspan=5)],
        ]
    )
    indicators, widths = _value_indicator_section(item, "绩效指标")
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
    top = Section(
        body=[
            [Cell("专项名称", colspan=2, kind="label"), Cell(t.project_name, colspan=4)],
            [
                Cell("州级财政部门", colspan=2, kind="label"),
                Cell(t.finance_department, colspan=2),
                Cell("州级主管部门", kind="label"),
                Cell(t.competent_department),
            ],
            [Cell("资金情况", colspan=2, kind="label"), amount],
            [Cell("年度目标", colspan=2, kind="label"), Cell(t.annual_goal, colspan=4)],
        ]
    )
    indicators, widths = _value_indicator_section(item, "绩效目标")
    return Grid(
        title=one_line(t.title),
        widths=widths,
        sections=[top, indicators],
        sheet_name=t.project_name,
    )


def dept_project_grid(item: TableExport) -> Grid:
    """Layout C (seed 004 part 2): 7 columns; the indicator block has six headings."""
    t = item.table
    has_sub = _has_sub_items(item.tree)
    top = Section(
        body=[
            [
                Cell("项目编码", kind="label"),
                Cell(t.project_code, colspan=2),
                Cell("项目名称", kind="label"),
                Cell(t.project_name, colspan=3),
            ],
            [
                Cell("预算规模及资金用途", rowspan=2, kind="label"),
                Cell("预算数", kind="label"),
                money_cell(t.amount_total),
                Cell("其中：财政资金", kind="label"),
                money_cell(t.amount_fiscal),
                Cell("其他资金", kind="label"),
                money_cell(t.amount_other),
            ],
            [Cell(t.fund_purpose, colspan=6)],
            [
                Cell("资金支出计划（%）", rowspan=2, kind="label"),
                *[
                    Cell(label, kind="head", colspan=span)
                    for label, span in zip(
                        TargetTable.SPENDING_PLAN_LABELS, (1, 2, 1, 2), strict=True
                    )
                ],
            ],
            [
                percent_cell(value, colspan=span)
                for value, span in zip(t.spending_plan, (1, 2, 1, 2), strict=True)
            ],
            [Cell("绩效目标", kind="label"), Cell(t.annual_goal, colspan=6)],
        ]
    )
    body = _indicator_rows(item.tree, has_sub=has_sub, leaf_cells=_described, sub_column=False)
    indicators = Section(
        head=[
            [
                Cell("一级指标", kind="head"),
                Cell("二级指标", kind="head"),
                Cell("三级指标", kind="head"),
                Cell("绩效指标描述", colspan=2, kind="head"),
                Cell("指标值", kind="head"),
                Cell("指标值确定依据", kind="head"),
            ]
        ],
        body=body,
    )
    return Grid(
        title=one_line(t.title),
        widths=[11, 13, 18, 13, 15, 13, 17],
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

    def amount(value: Decimal | None) -> Cell:
        return money_cell(value, suffix=unit)

    rows = [
        [Cell("部门名称", kind="label"), Cell(t.project_name or t.organisation.name, colspan=2)],
        [
            Cell("年度预算申请", rowspan=4, kind="label"),
            Cell("资金总额：", kind="label"),
            amount(t.amount_total),
        ],
        [Cell("按支出性质分：", colspan=2, kind="label")],
        [Cell("其中：基本支出：", kind="label"), amount(t.basic_expenditure)],
        [Cell("项目支出：", kind="label"), amount(t.project_expenditure)],
        [Cell("整体绩效目标", kind="label"), Cell(t.annual_goal, colspan=2)],
        [
            Cell("部门整体支出年度绩效指标", rowspan=2, kind="label"),
            Cell("产出指标", kind="label"),
            Cell(t.output_description),
        ],
        [Cell("效益指标", kind="label"), Cell(t.outcome_description)],
        [
            Cell("财政部门审核意见", rowspan=2, kind="label"),
            Cell("业务股室意见：", kind="label"),
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


@dataclass
class Narrative:
    """Seed 004 part 1: headed paragraphs."""

    heading: str
    sections: list[tuple[str, list[str], str]]  # (heading, paragraphs, anchor)
    kind: str = "narrative"


def department_narrative(item: TableExport) -> Narrative:
    t = item.table

    def paragraphs(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    parts = [
        ("一、总体绩效目标", paragraphs(t.annual_goal), "dept-goal"),
        ("二、分项绩效目标", paragraphs(t.sub_goals), "dept-sub-goals"),
        ("三、工作保障措施", paragraphs(t.safeguards), "dept-safeguards"),
    ]
    return Narrative("部门整体绩效目标", [p for p in parts if p[1]])


def is_narrative(table: TargetTable) -> bool:
    return (
        table.amount_total is None
        and not table.output_description
        and bool(table.sub_goals or table.safeguards)
    )


# ---------------------------------------------------------------- special funds (layout E)

WIDE_COLUMNS = [
    ("产出指标", "数量指标", "数量\n指标"),
    ("产出指标", "质量指标", "质量\n指标"),
    ("产出指标", "时效指标", "时效\n指标"),
    ("产出指标", "成本指标", "成本\n指标"),
    ("效益指标", "经济效益指标", "经济效益指标"),
    ("效益指标", "社会效益指标", "社会效益指标"),
    ("效益指标", "生态效益指标", "生态效益指标"),
    ("效益指标", "可持续影响指标", "可持续影响指标"),
    ("满意度指标", "服务对象满意度指标", "社会公益或服务对象满意度指标"),
]
# 2021 generation: the 成本 一级's 二级 all print in the 成本 column of the wide table.
COST_SYNONYMS = {"经济成本指标", "社会成本指标", "生态环境成本指标"}


def _category_key(node: TreeNode) -> str:
    ind = node.indicator
    name = ind.category.name if ind.category_id else normalise_category_name(ind.name)
    if name in COST_SYNONYMS:
        return "成本指标"
    return name


def wide_cells(item: TableExport) -> list[str]:
    """Texts of one fund's indicators per 二级 category, in WIDE_COLUMNS order."""
    texts: dict[str, list[str]] = {key: [] for _, key, _ in WIDE_COLUMNS}
    for l1 in item.tree:
        for l2 in l1.children:
            key = _category_key(l2)
            bucket = texts.get(key)
            if bucket is None:
                continue
            for leaf in l2.children:
                ind = leaf.indicator
                sep = "：" if ind.name and ind.value_text else ""
                bucket.append(f"{ind.name}{sep}{ind.value_text}")
    return ["\n".join(texts[key]) for _, key, _ in WIDE_COLUMNS]


def _wide_head() -> list[list[Cell]]:
    fixed = [
        "主管部门",
        "支出方向",
        "所属专项名称",
        "专项实施期",
        "支出方向年度金额",
        "实施期绩效目标",
        "年度绩效目标",
    ]
    row1 = [Cell(label, rowspan=3, kind="head") for label in fixed]
    row1.append(Cell("绩效指标", colspan=len(WIDE_COLUMNS), kind="head"))
    row2 = [
        Cell("产出指标", colspan=4, kind="head"),
        Cell("效益指标", colspan=4, kind="head"),
        Cell("满意度指标", kind="head"),
    ]
    row3 = [Cell(label, kind="head") for _, _, label in WIDE_COLUMNS]
    return [row1, row2, row3]


WIDE_WIDTHS = [6, 8, 9, 5, 6, 13, 13] + [7, 8, 5, 6, 4, 8, 4, 5, 5]


def wide_grid(summary_funds: list[TableExport], *, title: str, organisation_name: str) -> Grid:
    body = []
    for item in summary_funds:
        t = item.table
        body.append(
            [
                Cell(t.competent_department or organisation_name),
                Cell(t.spending_direction),
                Cell(t.project_name),
                Cell(t.implementation_period, kind="value"),
                money_cell(t.amount_total),
                Cell(t.period_goal),
                Cell(t.annual_goal),
                *[Cell(text) for text in wide_cells(item)],
            ]
        )
    return Grid(
        title=title,
        widths=WIDE_WIDTHS,
        sections=[Section(head=_wide_head(), body=body)],
        caption_right="单位：万元",
        landscape=True,
        sheet_name="支出方向绩效目标表",
        font_size="7pt",
    )


def special_fund_grid(item: TableExport) -> Grid:
    t = item.table
    return wide_grid([item], title=one_line(t.title), organisation_name=t.organisation.name)


def summary_grids(summary: SummaryExport) -> list[Grid]:
    funds = summary.funds
    wide_title = one_line(funds[0].table.title) if funds else "专项资金支出方向绩效目标表"
    summary_title = wide_title.replace("支出方向绩效目标表", "预算绩效目标汇总表")
    if summary_title == wide_title:
        summary_title = f"{summary.year}年专项资金预算绩效目标汇总表"
    total = sum((f.table.amount_total or Decimal(0) for f in funds), Decimal(0))
    body = [
        [
            number_cell(index, COUNT_FORMAT),
            Cell(f.table.project_name),
            Cell(f.table.spending_direction),
            money_cell(f.table.amount_total),
            Cell(f.table.period_goal),
            Cell(f.table.annual_goal),
        ]
        for index, f in enumerate(funds, 1)
    ]
    body.append([Cell("合计", colspan=3, kind="label"), money_cell(total), Cell(""), Cell("")])
    note = ""
    dept = summary.department
    if dept is not None and dept.project_expenditure is not None:
        diff = dept.project_expenditure - total
        if diff:
            note = (
                f"注：本表专项资金合计{total:f}万元；部门整体支出绩效申报表中项目支出为"
                f"{dept.project_expenditure:f}万元，其余{diff:f}万元不属于本表所列专项资金。"
            )
    head = [
        [
            Cell(label, kind="head")
            for label in [
                "序号",
                "专项支出名称",
                "支出方向",
                "资金总额",
                "实施期绩效目标",
                "年度绩效目标",
            ]
        ]
    ]
    summary_grid = Grid(
        title=summary_title,
        widths=[5, 17, 14, 9, 27, 28],
        sections=[Section(head=head, body=body)],
        caption_left=summary.organisation.name,
        caption_right="单位：万元",
        note=note,
        landscape=True,
        sheet_name="汇总表",
        font_size="8pt",
    )
    wide = wide_grid(funds, title=wide_title, organisation_name=summary.organisation.name)
    return [summary_grid, wide]


# ---------------------------------------------------------------- allocation tables


def allocation_grid(computed: ComputedAllocation) -> Grid:
    """Seed 000 附件1 (calculation groups: count × standard = amount in 元) and seed 001 附件1
    (funding-source columns with 合计)."""
    table = computed.table
    unit = unit_label(table.unit)
    calcs = [c for c in computed.columns if c.kind == "calc"]
    head1: list[Cell] = [Cell(table.recipient_label, rowspan=2, kind="head")]
    head2: list[Cell] = []
    widths = [12.0]
    if calcs:
        head1.append(Cell(table.count_total_label or "人数合计", colspan=2, kind="head"))
        head2 += [
            Cell("经费测算数据", kind="head"),
            Cell(table.amount_total_label or f"经费合计（{unit}）", kind="head"),
        ]
        widths += [10, 10]
        for column in computed.columns:
            if column.kind == "calc":
                head1.append(Cell(column.label, colspan=3, kind="head"))
                head2 += [
                    Cell(column.count_label or "人数", kind="head"),
                    Cell(column.standard_label or "补助标准（元）", kind="head"),
                    Cell(column.amount_label or "金额（元）", kind="head"),
                ]
                widths += [10, 10, 11]
            else:
                head1.append(Cell(column.label, rowspan=2, kind="head"))
                widths.append(11)
    else:
        head1.append(Cell("金额", colspan=len(computed.columns), kind="head"))
        head2 += [Cell(column.label, kind="head") for column in computed.columns]
        head1.append(Cell(table.amount_total_label or "合计", rowspan=2, kind="head"))
        widths += [14] * len(computed.columns) + [14]

    def row_cells(label: str, cells, count_total, total) -> list[Cell]:
        out = [Cell(label, kind="label")]
        if calcs:
            out += [number_cell(count_total, COUNT_FORMAT), money_cell(total)]
        for cell in cells:
            if cell.column.kind == "calc":
                out += [
                    number_cell(cell.count, COUNT_FORMAT),
                    number_cell(cell.standard, "0.00##"),
                    money_cell(cell.amount_yuan),
                ]
            else:
                out.append(money_cell(cell.amount))
        if not calcs:
            out.append(money_cell(total))
        return out

    body = [row_cells(r.row.label, r.cells, r.count_total, r.total) for r in computed.rows]
    if len(computed.rows) > 1:
        totals = []
        for index, column in enumerate(computed.columns):
            yuan = computed.column_amounts_yuan[index]
            shown = from_yuan(yuan, table.unit) if yuan is not None else None
            totals.append(ComputedCell(column, computed.column_counts[index], None, yuan, shown))
        body.append(row_cells("合计", totals, computed.count_total, computed.total))
    note = ""
    if table.envelope_amount is not None:
        note = f"上级资金总额：{table.envelope_amount:f}{unit_label(table.envelope_unit)}"
    return Grid(
        title=one_line(table.title),
        widths=widths,
        sections=[Section(head=[head1, head2] if head2 else [head1], body=body)],
        caption_right=f"单位：{unit}" if not calcs else "",
        note=note,
        landscape=len(widths) > 8,
        sheet_name="分配表",
    )


# ---------------------------------------------------------------- documents


def table_grids(item: TableExport) -> list:
    layout = item.table.layout
    if layout == TargetTable.Layout.PROJECT:
        return [project_grid(item)]
    if layout == TargetTable.Layout.TRANSFER:
        return [transfer_grid(item)]
    if layout == TargetTable.Layout.DEPT_PROJECT:
        return [dept_project_grid(item)]
    if layout == TargetTable.Layout.SPECIAL_FUND:
        return [special_fund_grid(item)]
    if is_narrative(item.table):
        return [department_narrative(item)]
    return [department_grid(item)]


@dataclass
class NoticeBody:
    doc_number: str
    issuer_mark: str
    title: str
    recipients: str
    paragraphs: list[str]
    attachment_titles: list[str]
    issuer_name: str
    signed_date: str
    copy_to: str
    printed_by: str
    printed_date: str
    kind: str = "notice"


@dataclass
class Cover:
    organisation: str
    title: str
    draft: bool
    compiled_by: str
    reviewed_by: str
    kind: str = "cover"


@dataclass
class TocEntry:
    text: str
    anchor: str
    level: int


@dataclass
class Toc:
    entries: list[TocEntry]
    kind: str = "toc"


@dataclass
class PartTitle:
    """第一部分 / 第二部分 on a page of its own heading."""

    number: str
    text: str
    anchor: str
    kind: str = "part"


@dataclass
class Placeholder:
    heading: str
    title: str
    text: str
    kind: str = "placeholder"


@dataclass
class Document:
    title: str
    filename: str  # without extension
    parts: list = field(default_factory=list)

    @property
    def grids(self) -> list[Grid]:
        return [p for p in self.parts if isinstance(p, Grid)]


def _safe_filename(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", one_line(text))[:80] or "export"


def target_document(item: TableExport) -> Document:
    t = item.table
    return Document(
        title=f"{t.project_name}绩效目标表",
        filename=_safe_filename(f"{t.year}_{t.project_name}_绩效目标表"),
        parts=table_grids(item),
    )


def allocation_document(computed: ComputedAllocation) -> Document:
    grid = allocation_grid(computed)
    return Document(title=grid.title, filename=_safe_filename(grid.title), parts=[grid])


def notice_document(data: NoticeExport) -> Document:
    notice = data.notice
    paragraphs, number = [], 0
    for paragraph in data.paragraphs:
        if paragraph.numbered:
            number += 1
            paragraphs.append(f"{cn_number(number)}、{paragraph.text}")
        else:
            paragraphs.append(paragraph.text)
    recipients = "、".join(org.name for org in data.recipients)
    issuer = notice.issuer_name or (notice.issuer.name if notice.issuer else "")
    body = NoticeBody(
        doc_number=notice.doc_number,
        issuer_mark=issuer,
        title=one_line(notice.title),
        recipients=f"{recipients}：" if recipients else "",
        paragraphs=paragraphs,
        attachment_titles=[one_line(a.attachment.title) for a in data.attachments],
        issuer_name=issuer,
        signed_date=chinese_date(notice.signed_date or notice.printed_date),
        copy_to=notice.copy_to,
        printed_by=notice.printed_by or notice.issuer_name,
        printed_date=chinese_date(notice.printed_date or notice.signed_date),
    )
    parts: list = [body]
    for index, item in enumerate(data.attachments, 1):
        heading = f"附件{index}"
        grids: list = []
        if item.allocation is not None:
            grids = [allocation_grid(item.allocation)]
        elif item.target is not None:
            grids = table_grids(item.target)
        if not grids:
            parts.append(
                Placeholder(
                    heading,
                    one_line(item.attachment.title),
                    "（本附件为上级文件所附表格，见上级来文。）",
                )
            )
            continue
        grids[0].heading = heading
        for grid in grids:
            if isinstance(grid, Grid):
                grid.sheet_name = f"附件{index}"
        parts.extend(grids)
    return Document(
        title=body.title,
        filename=_safe_filename(f"{notice.doc_number}_{notice.title}"),
        parts=parts,
    )


def department_document(data: DepartmentExport, progress=None) -> Document:
    org = data.organisation
    title = f"{data.year}年部门预算绩效文本"
    parts: list = [
        Cover(
            organisation=org.name,
            title=title,
            draft=data.is_draft,
            compiled_by=f"{org.name}编制",
            reviewed_by=f"{data.reviewer.name}审核" if data.reviewer else "",
        )
    ]
    entries: list[TocEntry] = []
    body: list = []
    if data.department is not None:
        body.append(PartTitle("第一部分", "部门整体绩效目标", "part-1"))
        entries.append(TocEntry("第一部分 部门整体绩效目标", "part-1", 1))
        for part in table_grids(data.department):
            if isinstance(part, Narrative):
                for heading, _, anchor in part.sections:
                    entries.append(TocEntry(heading, anchor, 2))
            else:
                part.anchor = "dept-table"
                entries.append(TocEntry(part.title, "dept-table", 2))
            body.append(part)
    if data.projects:
        body.append(PartTitle("第二部分", "预算项目绩效目标", "part-2"))
        entries.append(TocEntry("第二部分 预算项目绩效目标", "part-2", 1))
    for index, item in enumerate(data.projects, 1):
        grid = dept_project_grid(item)
        number = item.table.sequence or index
        grid.heading = f"{number}、{grid.title}"
        grid.anchor = f"project-{item.table.pk}"
        grid.sheet_name = f"{number}"
        entries.append(TocEntry(grid.heading, grid.anchor, 2))
        body.append(grid)
        if progress:
            progress(index, len(data.projects))
    parts.append(Toc(entries))
    parts.extend(body)
    return Document(
        title=f"{org.name}{title}", filename=_safe_filename(f"{org.name}_{title}"), parts=parts
    )


def summary_document(data: SummaryExport) -> Document:
    grids = summary_grids(data)
    return Document(
        title=grids[0].title,
        filename=_safe_filename(f"{data.organisation.name}_{grids[0].title}"),
        parts=grids,
    )
