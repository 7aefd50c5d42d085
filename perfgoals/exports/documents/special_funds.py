"""Special funds (layout E): the wide 支出方向 grid and the summary grids."""

from decimal import Decimal

from indicators.framework import normalise_category_name
from indicators.selectors import TreeNode
from perfgoals.display import figure, one_line, unit_label
from perfgoals.exports.grid import (
    COUNT_FORMAT,
    Cell,
    Grid,
    Section,
    content_widths,
    money_cell,
    number_cell,
)
from perfgoals.exports.selectors import SummaryExport, TableExport
from perfgoals.models import SpecialFundSummary

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
    # 附件3-2 merges the satisfaction heading down over the 二级 row; the workbook import
    # (perfgoals/targets/imports) reads each column's 一级 and 二级 from rows of their own.
    row2 = [
        Cell("产出指标", colspan=4, kind="head"),
        Cell("效益指标", colspan=4, kind="head"),
        Cell("满意度指标", kind="head"),
    ]
    row3 = [Cell(label, kind="head") for _, _, label in WIDE_COLUMNS]
    return [row1, row2, row3]


# The narrowest each column may be, in characters: what its heading needs (数量/指标 stacked,
# 2019年), and the characters one landscape line holds at the table's 7pt.
WIDE_MIN_WIDTHS = [4, 4, 4, 4, 3, 8, 8] + [4, 4, 6, 4, 3, 4, 3, 4, 4]
WIDE_CHARS = 88


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
        widths=content_widths(
            [[cell.text for cell in row] for row in body], WIDE_MIN_WIDTHS, chars=WIDE_CHARS
        ),
        sections=[Section(head=_wide_head(), body=body)],
        caption_right="单位：万元",
        landscape=True,
        sheet_name="支出方向绩效目标表",
        font_size="7pt",
    )


def special_fund_grid(item: TableExport) -> Grid:
    t = item.table
    return wide_grid([item], title=one_line(t.title), organisation_name=t.organisation.name)


SUMMARY_HEAD = ["序号", "专项支出名称", "支出方向", "资金总额", "实施期绩效目标", "年度绩效目标"]
SUMMARY_WIDTHS = [5, 17, 14, 8, 27, 29]


def _summary_head() -> list[list[Cell]]:
    return [[Cell(label, kind="head") for label in SUMMARY_HEAD]]


def stored_summary_grid(summary: SpecialFundSummary) -> Grid:
    """The bureau's 汇总表 as it wrote it (seed 002 附件3-1): its rows, wording and order."""
    body = [
        [
            number_cell(row.position, COUNT_FORMAT),
            Cell(row.project_name),
            Cell(row.spending_direction),
            money_cell(row.amount),
            Cell(row.period_goal),
            Cell(row.annual_goal),
        ]
        for row in summary.rows.all()
    ]
    return Grid(
        title=one_line(summary.title),
        widths=SUMMARY_WIDTHS,
        sections=[Section(head=_summary_head(), body=body)],
        caption_right=f"单位：{unit_label(summary.amount_unit)}",
        landscape=True,
        sheet_name="汇总表",
        font_size="8pt",
    )


def summary_grids(summary: SummaryExport) -> list[Grid]:
    funds = summary.funds
    wide_title = one_line(funds[0].table.title) if funds else "专项资金支出方向绩效目标表"
    wide = wide_grid(funds, title=wide_title, organisation_name=summary.organisation.name)
    if summary.summary is not None:
        return [stored_summary_grid(summary.summary), wide]
    return [computed_summary_grid(summary, wide_title), wide]


def computed_summary_grid(summary: SummaryExport, wide_title: str) -> Grid:
    """A 汇总表 added up from the 支出方向 tables, for a bureau that has not entered its own."""
    funds = summary.funds
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
                f"注：本表专项资金合计{figure(total)}万元；部门整体支出绩效申报表中项目支出为"
                f"{figure(dept.project_expenditure)}万元，"
                f"其余{figure(diff)}万元不属于本表所列专项资金。"
            )
    return Grid(
        title=summary_title,
        widths=SUMMARY_WIDTHS,
        sections=[Section(head=_summary_head(), body=body)],
        caption_left=summary.organisation.name,
        caption_right="单位：万元",
        note=note,
        landscape=True,
        sheet_name="汇总表",
        font_size="8pt",
    )
