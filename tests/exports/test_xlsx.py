from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from allocations.models import FundNotice
from indicators.models import PerformanceIndicator
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import Organisation, TargetTable

pytestmark = pytest.mark.django_db


def workbook(kind: str, ident):
    content = render_xlsx(build_document(kind, resolve(kind, str(ident), None)))
    return load_workbook(BytesIO(content))


def find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in sheet {ws.title}")


def merged_range_of(ws, cell):
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return merged
    return None


def test_project_table_sheet_keeps_the_seed_layout(demo):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    ws = workbook("target", table.pk).active
    parent = find(ws, "资助参保人次数")
    span = merged_range_of(ws, parent)
    assert span is not None and span.max_row - span.min_row + 1 == 6  # six sub-items
    sub = find(ws, "农村特困人员（五保户）")
    assert ws.cell(sub.row, sub.column + 1).value == "95人"
    output = find(ws, "产出指标")
    assert merged_range_of(ws, output).max_row - merged_range_of(ws, output).min_row + 1 == 13
    vertical = find(ws, "绩效指标")
    assert vertical.alignment.textRotation == 255
    total = find(ws, "年度资金总额：")
    amount = ws.cell(total.row, total.column + 2)
    assert amount.value == pytest.approx(154.18) and amount.data_type == "n"
    assert amount.number_format == "0.00"  # 154.18 as printed
    assert amount.border.left.style == "thin"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    header = find(ws, "一级指标")
    assert ws.print_title_rows == f"${header.row}:${header.row}"
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    assert find(ws, "对健全社会救助体系的影响").alignment.wrap_text


def test_text_that_looks_like_a_formula_stays_text(demo):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    leaf = PerformanceIndicator.objects.filter(table=table, level=3).order_by("pk").first()
    PerformanceIndicator.objects.filter(pk=leaf.pk).update(
        name='=HYPERLINK("http://evil/","x")', value_text="=1+1"
    )
    TargetTable.objects.filter(pk=table.pk).update(contact="+86 188", implementing_unit="@SUM(A1)")
    ws = workbook("target", table.pk).active
    for text in ["=1+1", '=HYPERLINK("http://evil/","x")', "+86 188", "@SUM(A1)"]:
        cell = find(ws, text)
        assert cell.data_type == "s" and cell.quotePrefix, text


def test_allocation_amounts_are_numbers(demo):
    from allocations.models import AllocationTable

    table = AllocationTable.objects.get(notice__doc_serial=296)
    ws = workbook("allocation", table.pk).active
    row = find(ws, "瑞丽市").row
    assert ws.cell(row, 2).value == 7602 and ws.cell(row, 6).value == pytest.approx(31800)
    assert ws.cell(row, 9).value == pytest.approx(7034.4)
    # 3.88 and 31800 as the seed prints them: no separators, no padded places.
    assert ws.cell(row, 3).number_format == "0.00"
    assert ws.cell(row, 6).number_format == "0"
    assert [ws.cell(row, c).number_format for c in (5, 8, 9)] == ["0.0", "0.0", "0.0"]
    assert merged_range_of(ws, find(ws, "已脱贫签约人数")).size["columns"] == 3


def test_seed_001_allocation_has_source_columns_and_total(demo):
    from allocations.models import AllocationTable

    ws = workbook("allocation", AllocationTable.objects.get(notice__doc_serial=258).pk).active
    row = find(ws, "瑞丽市").row
    assert [ws.cell(row, c).value for c in (2, 3, 4)] == [
        pytest.approx(145.18),
        pytest.approx(9),
        pytest.approx(154.18),
    ]
    assert find(ws, "合计") and find(ws, "单位：万元")


def test_department_workbook_has_an_index_and_one_sheet_per_table(demo):
    org = Organisation.objects.get(name="顺平县医疗保障局")
    wb = workbook("department", f"{org.pk}-2020")
    assert wb.sheetnames[:5] == [
        "封面",
        "目录",
        "第一部分 部门整体绩效目标",
        "部门整体绩效目标",
        "第二部分 预算项目绩效目标",
    ]
    assert len(wb.sheetnames) == 5 + 16
    assert wb.sheetnames[5] == "1 城乡居民基本医疗保险代办员补助资金"
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert [wb["封面"].cell(r, 1).value for r in range(1, 6)] == [
        "顺平县医疗保障局",
        "2020年部门预算绩效文本",
        "（草案）",
        "顺平县医疗保障局编制",
        "顺平县财政局审核",
    ]
    index = wb["目录"]
    assert index.cell(3, 2).hyperlink is not None
    first = wb[wb.sheetnames[5]]
    assert find(first, "450002顺平县医疗保障局") and find(first, "单位：元")
    assert find(first, "450-0201-JXN-2T53")
    budget = find(first, "预算数")
    assert first.cell(budget.row, budget.column + 1).value == pytest.approx(90100)
    plan = find(first, "12月底")
    assert first.cell(plan.row + 1, plan.column).value == pytest.approx(100)


def test_summary_workbook_prints_the_stored_amounts(demo):
    org = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    wb = workbook("summary", f"{org.pk}-2019")
    ws = wb["汇总表"]
    first = find(ws, "对严重精神障碍患者的监护人实施奖励补助")
    amounts = [ws.cell(first.row + i, 4).value for i in range(14)]
    assert sum(Decimal(str(a)) for a in amounts) == Decimal("884.87")
    wide = wb["支出方向绩效目标表"]
    assert merged_range_of(wide, find(wide, "绩效指标")).size["columns"] == 9
    assert wide.page_setup.orientation == "landscape"


def test_every_sheet_prints_on_a4_with_page_numbers_and_repeated_headings(demo):
    org = Organisation.objects.get(name="顺平县医疗保障局")
    notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=296)
    for wb in [workbook("department", f"{org.pk}-2020"), workbook("notice", notice.pk)]:
        for ws in wb.worksheets:
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
            assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
            assert ws.print_title_rows, ws.title


def test_table_sheets_freeze_below_the_header_and_merge_their_headings(demo):
    notice = FundNotice.objects.get(issuer_code="瑞财社", doc_serial=296)
    wb = workbook("notice", notice.pk)
    allocation = wb["附件1"]
    header = find(allocation, "县市")
    span = merged_range_of(allocation, header)
    assert allocation.freeze_panes == f"A{span.max_row + 1}"
    heading = find(allocation, "附件1：")
    assert merged_range_of(allocation, heading).size["columns"] == allocation.max_column
    title = find(allocation, "2020年建档立卡贫困人口家庭医生签约服务个人代缴省级补助资金分配表")
    assert title.alignment.wrap_text
    assert merged_range_of(allocation, title).size["columns"] == allocation.max_column
    assert find(wb["通知"], "瑞财社〔2020〕0296号").font.name == "仿宋"


def test_plain_indicator_values_are_numbers_and_notation_stays_text(demo):
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    ws = workbook("target", table.pk).active
    inpatient = find(ws, "住院救助人次数")
    value = ws.cell(inpatient.row, ws.max_column)
    assert value.value == 1596 and value.data_type == "n"
    rate = find(ws, "政策知晓率")
    assert ws.cell(rate.row, ws.max_column).value == "≥90%"
    assert find(ws, "95人").data_type == "s"
