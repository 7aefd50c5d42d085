"""Exports of what real templates have and the seeds do not: a department-wide indicator
tree, the optional indicator columns, funds by source, codes and 项目来源. Each prints when
filled; the seeds, which fill none of them, print as before (tests/exports/test_pdf.py …)."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.exports.documents.targets import table_grids
from perfgoals.exports.grid import Grid
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import TargetTable
from tests.exports.helpers import assert_in_order, pdf_text

pytestmark = pytest.mark.django_db

DUTY_TREE = [
    {
        "name": "产出指标",
        "children": [
            {
                "name": "数量指标",
                "children": [
                    {
                        "name": "家庭医生签约服务人数",
                        "value": "≥30000人",
                        "symbol": "≥",
                        "target": "30000",
                        "unit": "人",
                    }
                ],
            }
        ],
    },
    {
        "name": "满意度指标",
        "children": [
            {
                "name": "服务对象满意度指标",
                "children": [
                    {
                        "name": "签约居民满意度",
                        "value": "≥90%",
                        "value_explanation": "按第三方问卷调查",
                    }
                ],
            }
        ],
    },
]


def export(kind: str, ident, fmt: str) -> bytes:
    document = build_document(kind, resolve(kind, str(ident), None))
    return render_pdf(document) if fmt == "pdf" else render_xlsx(document)


def workbook(kind: str, ident):
    return load_workbook(BytesIO(export(kind, ident, "xlsx")))


def sheet_values(ws) -> list[list]:
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in sheet {ws.title}")


def assert_rectangular(grid: Grid) -> None:
    """Every row of every section fills exactly the grid's columns, row spans included."""
    for section in grid.sections:
        rows = section.head + section.body
        carried = [0] * grid.ncols  # rows each column is still covered from above
        for number, row in enumerate(rows):
            column = 0
            for cell in row:
                while column < grid.ncols and carried[column]:
                    column += 1
                assert column + cell.colspan <= grid.ncols, (grid.title, number, cell.text)
                for c in range(column, column + cell.colspan):
                    carried[c] = cell.rowspan
                column += cell.colspan
            while column < grid.ncols and carried[column]:
                column += 1
            assert column == grid.ncols, (grid.title, number, [c.text for c in row])
            carried = [max(0, n - 1) for n in carried]


@pytest.fixture
def seed_department(demo):
    return TargetTable.objects.get(layout="department", organisation__name__contains="石峰")


@pytest.fixture
def narrative_department(demo):
    return TargetTable.objects.get(layout="department", organisation__name="顺平县医疗保障局")


@pytest.fixture
def project(demo):
    return TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")


# --- department-wide tree -----------------------------------------------------------------


def test_a_seed_department_table_without_rows_prints_no_tree(seed_department):
    assert "一级指标" not in pdf_text(export("target", seed_department.pk, "pdf"))
    assert len(workbook("target", seed_department.pk).sheetnames) == 1


def test_a_department_table_prints_its_tree_after_the_declaration_form(seed_department):
    indicator_tree_create(table=seed_department, nodes=DUTY_TREE)
    text = pdf_text(export("target", seed_department.pk, "pdf"))
    assert_in_order(
        text,
        [
            "部门名称",
            "整体绩效目标",
            "绩效股意见",
            "部门整体支出绩效指标",
            "一级指标",
            "指标值",
            "计算符号",
            "目标值",
            "度量单位",
            "指标值说明",
            "产出指标",
            "数量指标",
            "家庭医生签约服务人数",
            "≥30000人",
            "≥",
            "30000",
            "人",
            "满意度指标",
            "签约居民满意度",
            "≥90%",
            "按第三方问卷调查",
        ],
    )
    book = workbook("target", seed_department.pk)
    assert book.sheetnames == ["部门整体支出绩效申报表", "年度绩效指标"]
    ws = book["年度绩效指标"]
    leaf = find(ws, "家庭医生签约服务人数")
    row = [cell.value for cell in ws[leaf.row]]
    # A plain figure is a number in the workbook; notation stays text.
    assert row[leaf.column :] == [None, "≥30000人", "≥", 30000, "人", None]
    for grid in table_grids(resolve("target", str(seed_department.pk), None)):
        assert_rectangular(grid)


def test_a_narrative_department_text_lists_its_tree_in_the_contents(narrative_department):
    indicator_tree_create(table=narrative_department, nodes=DUTY_TREE)
    ident = f"{narrative_department.organisation_id}-{narrative_department.year}"
    document = build_document("department", resolve("department", ident, None))
    toc = next(part for part in document.parts if part.kind == "toc")
    anchors = [entry.anchor for entry in toc.entries]
    assert "dept-indicators" in anchors and len(anchors) == len(set(anchors))
    text = pdf_text(render_pdf(document))
    assert_in_order(text, ["三、工作保障措施", "部门整体支出绩效指标", "签约居民满意度", "≥90%"])


# --- optional indicator columns -------------------------------------------------------------


def test_a_filled_column_prints_in_pdf_and_xlsx_and_widens_the_header(project):
    row = PerformanceIndicator.objects.filter(table=project, level=3).order_by("pk").first()
    PerformanceIndicator.objects.filter(pk=row.pk).update(
        standard="达到国家基本公共卫生服务规范", scoring="每低1个百分点扣0.5分"
    )
    text = pdf_text(export("target", project.pk, "pdf"))
    assert_in_order(
        text,
        ["指标值", "绩效标准", "评（扣）分标准", row.name, row.value_text, "每低1个百分点扣0.5分"],
    )
    assert "指标值说明" not in text  # no row fills it
    ws = workbook("target", project.pk).active
    head = find(ws, "评（扣）分标准")
    assert head.row == find(ws, "一级指标").row and head.column == ws.max_column
    leaf = find(ws, row.name)
    assert ws.cell(leaf.row, ws.max_column).value == "每低1个百分点扣0.5分"
    goal = find(ws, "年度目标")
    merged = next(r for r in ws.merged_cells.ranges if goal.coordinate in r)
    assert merged.max_col == ws.max_column  # the header rows span the added columns
    assert_rectangular(table_grids(resolve("target", str(project.pk), None))[0])


# --- header fields --------------------------------------------------------------------------


def test_project_source_and_funds_by_source_print_when_filled(project):
    TargetTable.objects.filter(pk=project.pk).update(
        project_source="党中央、国务院决策部署",
        amount_carryover=Decimal("0.5"),
        amount_general_budget=Decimal("3.38"),
    )
    text = pdf_text(export("target", project.pk, "pdf"))
    assert_in_order(
        text,
        [
            "实施单位",
            "项目来源",
            "党中央、国务院决策部署",
            "资金情况",
            "年度资金总额",
            "其中：财政拨款",
            "上年结转",
            "0.5",
            "其他资金",
            "一般公共预算",
            "3.38",
            "总体目标",
        ],
    )
    assert "政府性基金" not in text and "事业收入" not in text
    ws = workbook("target", project.pk).active
    carryover = find(ws, "上年结转")
    amount = ws.cell(carryover.row, carryover.column + 2)
    assert amount.value == pytest.approx(0.5) and amount.data_type == "n"
    assert_rectangular(table_grids(resolve("target", str(project.pk), None))[0])


def test_dept_project_sources_print_in_their_own_block(demo):
    table = TargetTable.objects.filter(layout="dept_project").order_by("pk").first()
    TargetTable.objects.filter(pk=table.pk).update(
        project_source="部门日常工作", amount_government_fund=Decimal("100")
    )
    text = pdf_text(export("target", table.pk, "pdf"))
    assert_in_order(text, ["项目名称", "项目来源", "部门日常工作", "预算规模及资金用途"])
    assert_in_order(text, ["资金来源", "政府性基金", "100.00", "资金支出计划"])
    assert_rectangular(table_grids(resolve("target", str(table.pk), None))[0])


def test_department_code_duties_and_sources_print_on_the_declaration_form(seed_department):
    TargetTable.objects.filter(pk=seed_department.pk).update(
        department_code="[015001]",
        department_duties="负责全区卫生计生工作。",
        amount_general_budget=Decimal("1600"),
        amount_business_income=Decimal("67.84"),
    )
    text = pdf_text(export("target", seed_department.pk, "pdf"))
    assert_in_order(
        text,
        [
            "部门名称",
            "部门（单位）编码",
            "[015001]",
            "部门职能职责概述",
            "负责全区卫生计生工作。",
            "年度预算申请",
            "项目支出",
            "按资金来源分",
            "其中：一般公共预算",
            "1600万元",
            "事业收入",
            "67.84万元",
            "整体绩效目标",
        ],
    )
    assert_rectangular(table_grids(resolve("target", str(seed_department.pk), None))[0])


def test_a_narrative_department_prints_its_duties_first(narrative_department):
    TargetTable.objects.filter(pk=narrative_department.pk).update(
        department_duties="负责全县医疗保障工作。"
    )
    text = pdf_text(export("target", narrative_department.pk, "pdf"))
    assert_in_order(text, ["部门职能职责概述", "负责全县医疗保障工作。", "一、总体绩效目标"])
