"""The shapes bureaus' own workbooks take: several tables per sheet or one per sheet, 元,
codes in brackets, sub-items, 中期 beside 年度, no merges, 效果指标, 成本指标 as its own 一级."""

from decimal import Decimal

import pytest

from perfgoals.targets.imports.services import parse_upload

from .builders import workbook

TREE = [
    {
        "name": "产出指标",
        "children": [
            {
                "name": "数量指标",
                "children": [
                    {
                        "name": "资助参保人次数",
                        "children": [
                            {"name": "农村特困人员", "value": "≧85%", "value_mid": "≥80%"},
                            {"name": "低保对象", "value": ">=100人", "value_mid": "90人"},
                        ],
                    },
                    {"name": "培训人次", "value": "≥200人次", "value_mid": "600人次"},
                ],
            },
        ],
    },
    {
        "name": "成本指标",
        "children": [
            {
                "name": "经济成本指标",
                "children": [{"name": "人均补助", "value": "≤300元", "value_mid": "≤300元"}],
            },
        ],
    },
    {
        "name": "效果指标",
        "children": [
            {"name": "社会效益指标", "children": [{"name": "群众就医负担", "value": "有所减轻"}]},
        ],
    },
]


def table(name, **header):
    return {
        "layout": "project",
        "year": 2023,
        "indicators": TREE,
        "header": {
            "title": "项目支出绩效目标表",
            "project_name": name,
            "amount_total": "1200000",
            "amount_fiscal": "1000000",
            "amount_other": "200000",
            "competent_department": "青山区教育局",
            "annual_goal": "本年改造10所学校",
            "period_goal": "三年改造30所学校",
            **header,
        },
    }


def names(nodes):
    return [(n["name"], n.get("value", ""), names(n.get("children", []))) for n in nodes]


def test_several_tables_on_one_sheet_in_yuan_with_mid_values_and_sub_items():
    parsed = parse_upload(workbook([table("甲项目"), table("乙项目")], mid=True, unit_word="元"))
    assert [t.header["project_name"] for t in parsed.tables] == ["甲项目", "乙项目"]
    for got in parsed.tables:
        assert got.header["amount_unit"] == "yuan"
        assert got.header["amount_total"] == Decimal("1200000")
        assert got.header["period_goal"] == "三年改造30所学校"
        assert got.header["annual_goal"] == "本年改造10所学校"
        assert names(got.tree) == names(TREE)  # ≧ and >= kept verbatim
        sub = got.tree[0]["children"][0]["children"][0]["children"][0]
        assert sub == {"name": "农村特困人员", "value": "≧85%", "value_mid": "≥80%"}
        assert got.has_mid_values
        assert got.unrecognised == []


def test_one_table_per_sheet_without_merges():
    parsed = parse_upload(workbook([table("甲项目"), table("乙项目")], per_sheet=True, merge=False))
    assert [(t.sheet, t.header["project_name"]) for t in parsed.tables] == [
        ("Sheet1", "甲项目"),
        ("Sheet2", "乙项目"),
    ]
    assert [names(t.tree) for t in parsed.tables] == [names(TREE)] * 2


def test_code_in_brackets_before_a_department_name():
    dept = {
        "layout": "department",
        "year": 2021,
        "indicators": [],
        "header": {
            "title": "部门整体支出绩效目标表",
            "project_name": "武汉市青山区教育局",
            "annual_goal": "保障运转",
        },
    }
    got = parse_upload(workbook([dept], code_in_name="015001")).tables[0]
    assert got.layout == "department"
    assert got.header["project_name"] == "武汉市青山区教育局"
    assert got.header["department_code"] == "[015001]"
    assert got.problems == []


def test_six_column_block_keeps_description_and_basis():
    tree = [
        {
            "name": "产出指标",
            "children": [
                {
                    "name": "数量指标",
                    "children": [
                        {
                            "name": "改造面积",
                            "description": "改造校舍面积",
                            "value": "≥400平方米",
                            "basis": "计划",
                        }
                    ],
                }
            ],
        }
    ]
    got = parse_upload(workbook([{**table("丙"), "indicators": tree}], six=True)).tables[0]
    assert got.tree[0]["children"][0]["children"][0] == tree[0]["children"][0]["children"][0]


def test_a_cell_outside_any_label_is_reported_by_sheet_and_cell():
    from io import BytesIO

    from openpyxl import load_workbook

    data = workbook([table("甲项目")])
    wb = load_workbook(BytesIO(data))
    wb["Sheet1"]["J5"] = "某个说明"
    out = BytesIO()
    wb.save(out)
    got = parse_upload(out.getvalue()).tables[0]
    assert ("Sheet1!J5", "某个说明") in got.unrecognised


def test_saved_tables_keep_their_mid_term_goal_and_values(db):
    from indicators.models import PerformanceIndicator
    from perfgoals.targets.imports.services import import_tables_save, preview_tables
    from tests.factories import UserFactory

    user = UserFactory(role="bureau_staff")
    parsed = parse_upload(workbook([table("甲项目")], mid=True, unit_word="元"))
    previews = preview_tables(parsed, organisation=user.organisation, year=2026)
    (saved,) = import_tables_save(user=user, organisation=user.organisation, previews=previews)
    assert saved.period_goal == "三年改造30所学校"
    row = PerformanceIndicator.objects.get(table=saved, name="农村特困人员")
    assert (row.value_text, row.value_mid) == ("≧85%", "≥80%")


def test_project_attribute_and_period_are_read_into_their_fields():
    data = workbook(
        [table("丙项目", project_attribute="新增", implementation_period="2023年1月-2025年12月")]
    )
    (got,) = parse_upload(data).tables
    assert got.header["project_attribute"] == "新增"
    assert got.header["implementation_period"] == "2023年1月-2025年12月"
    assert got.unrecognised == []


@pytest.mark.parametrize("count", [1, 6])
def test_the_preview_checks_every_table_with_one_shared_context(db, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from perfgoals.targets.imports.services import preview_tables
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    parsed = parse_upload(workbook([table(f"项目{n}") for n in range(count)]))
    with CaptureQueriesContext(connection) as queries:
        previews = preview_tables(parsed, organisation=organisation, year=2026)
    assert len(previews) == count and all(p.findings is not None for p in previews)
    assert len(queries) == 1  # the framework index, whatever the number of tables
