"""项目属性, 项目起止时间, 中期目标 and 中期指标值 in the read view, PDF and XLSX; the XLSX
「总体目标」 label has room for its four characters."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.services import indicator_tree_create
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.xlsx import render_xlsx, vertical_label_height
from tests.exports.helpers import assert_in_order, pdf_text
from tests.factories import TargetTableFactory, UserFactory

pytestmark = pytest.mark.django_db

TREE = [
    {
        "name": "产出指标",
        "children": [
            {
                "name": "数量指标",
                "children": [{"name": "改造校舍面积", "value": "≥2000㎡", "value_mid": "≥6000㎡"}],
            }
        ],
    }
]


@pytest.fixture(params=["project", "dept_project"])
def table(request):
    table = TargetTableFactory(
        layout=request.param,
        year=2026,
        project_name="校舍安全改造",
        project_attribute="延续",
        implementation_period="2025年1月-2027年12月",
        period_goal="三年完成全区校舍改造",
        annual_goal="完成2000平方米改造",
    )
    indicator_tree_create(table=table, nodes=TREE)
    return table


def document(table):
    return build_document("target", resolve("target", str(table.pk), None))


def cells(ws):
    return {cell.value: cell for row in ws.iter_rows() for cell in row if cell.value is not None}


def test_xlsx_prints_the_new_fields_with_the_goals_side_by_side(table):
    ws = load_workbook(BytesIO(render_xlsx(document(table)))).active
    found = cells(ws)
    for text in ["项目属性", "延续", "项目起止时间", "2025年1月-2027年12月"]:
        assert text in found, text
    mid, annual = found["中期目标"], found["年度目标"]
    assert mid.row == annual.row and mid.column < annual.column
    assert found["三年完成全区校舍改造"].row == found["完成2000平方米改造"].row
    head_mid, head_annual = found["中期指标值"], found["年度指标值"]
    # Templates read 中期 then 年度, left to right, in the head and in every row.
    assert head_mid.row == head_annual.row and head_mid.column + 1 == head_annual.column
    assert found["≥6000㎡"].row == found["≥2000㎡"].row
    assert found["≥6000㎡"].column + 1 == found["≥2000㎡"].column


def test_pdf_prints_the_new_fields(table):
    text = pdf_text(render_pdf(document(table)))
    assert_in_order(text, ["项目属性", "延续", "项目起止时间", "2025年1月-2027年12月"])
    assert_in_order(text, ["中期目标", "年度目标", "三年完成全区校舍改造", "完成2000平方米改造"])
    assert_in_order(text, ["中期指标值", "年度指标值", "改造校舍面积", "≥6000㎡", "≥2000㎡"])


def test_read_view_prints_the_new_fields(client, table):
    user = UserFactory(organisation=table.organisation)
    client.force_login(user)
    page = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    for text in ["项目属性", "延续", "项目起止时间", "中期目标", "三年完成全区校舍改造"]:
        assert text in page, text
    assert "中期指标值" in page and "≥6000㎡" in page
    # 中期 before 年度, in the head and in the row, as the exports print them.
    assert page.index("中期指标值") < page.index("年度指标值")
    assert page.index("≥6000㎡") < page.index("≥2000㎡")
    goals = page[page.index('class="side-by-side"') :]
    assert goals.index("三年完成全区校舍改造") < goals.index("完成2000平方米改造")


def test_empty_new_fields_print_nothing(db):
    table = TargetTableFactory(layout="project", annual_goal="年度")
    indicator_tree_create(table=table, nodes=[{"name": "产出指标"}])
    ws = load_workbook(BytesIO(render_xlsx(document(table)))).active
    found = cells(ws)
    for text in ["项目属性", "项目起止时间", "中期目标", "中期指标值", "年度指标值"]:
        assert text not in found, text


def test_the_overall_goal_label_has_room_in_xlsx(db):
    """A short 年度目标 left 「总体目标」 two one-line rows, which clipped it to 「总体」."""
    table = TargetTableFactory(layout="project", annual_goal="完成改造")
    ws = load_workbook(BytesIO(render_xlsx(document(table)))).active
    label = cells(ws)["总体目标"]
    assert label.alignment.textRotation == 255
    span = next(r for r in ws.merged_cells.ranges if label.coordinate in r)
    height = sum(ws.row_dimensions[r].height or 15 for r in range(span.min_row, span.max_row + 1))
    assert height >= vertical_label_height("总体目标")
