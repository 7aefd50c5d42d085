"""Lint rules on small factory tables, and every seed defect of DOMAIN.md §8 on the demo data."""

import copy
from decimal import Decimal

import pytest

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.models import TargetTable
from perfgoals.targets.checks import Finding, Severity, check_table, check_tables
from tests.factories import FundNoticeFactory, TargetTableFactory

pytestmark = pytest.mark.django_db

E, W = Severity.ERROR, Severity.WARNING

GOOD_TREE = [
    {
        "name": "产出指标",
        "children": [
            {"name": "数量指标", "children": [{"name": "签约人数", "value": "≥300人"}]},
            {"name": "质量指标", "children": [{"name": "签约率", "value": "≥95%"}]},
            {"name": "时效指标", "children": [{"name": "完成时间", "value": "2020年底前"}]},
            {"name": "成本指标", "children": [{"name": "补助标准", "value": "12元/人/年"}]},
        ],
    },
    {
        "name": "效益指标",
        "children": [
            {"name": "社会效益指标", "children": [{"name": "政策知晓率", "value": "≥85%"}]},
        ],
    },
    {
        "name": "满意度指标",
        "children": [
            {
                "name": "服务对象满意度指标",
                "children": [{"name": "签约对象满意度", "value": "≥90%"}],
            },
        ],
    },
]
GOOD_HEADER = {
    "competent_department": "测试县卫生健康局",
    "implementing_unit": "测试县卫生健康局",
    "contact": "张三 13800000000",
    "annual_goal": "1. 完成签约服务。",
}


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


def tree(values=None, **replace):
    """GOOD_TREE with some values changed ({三级 name: value}) or nodes renamed."""
    nodes = copy.deepcopy(GOOD_TREE)
    for node in _walk(nodes):
        if values and node["name"] in values:
            node["value"] = values[node["name"]]
    for old, new in replace.items():
        for node in _walk(nodes):
            if node["name"] == old:
                node["name"] = new
    return nodes


def make(nodes=None, **fields) -> TargetTable:
    table = TargetTableFactory(**{**GOOD_HEADER, **fields})
    indicator_tree_create(table=table, nodes=GOOD_TREE if nodes is None else nodes)
    return table


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def row_id(table: TargetTable, name: str) -> int:
    return PerformanceIndicator.objects.get(table=table, name=name).pk


def one(findings, code, table=None, name=None) -> Finding:
    hits = of(findings, code)
    if name is not None:
        hits = [f for f in hits if f.indicator_id == row_id(table, name)]
    assert len(hits) == 1, findings
    return hits[0]


# --- a clean table -------------------------------------------------------------------------


def test_a_complete_table_has_no_findings():
    assert check_table(make()) == []


# --- framework -----------------------------------------------------------------------------


def test_placement_reports_a_second_level_under_the_wrong_first_level():
    nodes = copy.deepcopy(GOOD_TREE)
    timeliness = nodes[0]["children"].pop(2)
    nodes[1]["children"].insert(0, timeliness)
    table = make(nodes)
    finding = one(check_table(table), "placement", table, "完成时间")
    assert finding.severity is E
    assert finding.message == "完成时间：时效指标应属于产出指标，不应放在效益指标下。"


def test_placement_reports_cost_as_second_level_in_a_2021_table():
    table = make(year=2022)
    finding = one(check_table(table), "placement", table, "补助标准")
    assert "2021版指标体系中没有二级指标“成本指标”" in finding.message


def test_placement_accepts_cost_as_first_level_in_a_2021_table():
    nodes = copy.deepcopy(GOOD_TREE)
    cost = nodes[0]["children"].pop(3)
    cost["name"] = "经济成本指标"
    nodes.insert(1, {"name": "成本指标", "children": [cost]})
    findings = check_table(make(nodes, year=2022))
    assert findings == []


def test_unknown_category_names_are_errors():
    table = make(tree(社会效益指标="杂项指标"))
    finding = one(check_table(table), "unknown_category", table, "杂项指标")
    assert finding.severity is E
    assert "“杂项指标”不是2015版指标体系的二级指标" in finding.message
    assert "社会效益指标" in finding.message  # lists what is allowed


def test_regional_synonym_is_a_warning_and_still_counts_as_outcome():
    table = make(tree(效益指标="效果指标"))
    findings = check_table(table)
    finding = one(findings, "category_synonym", table, "效果指标")
    assert finding.severity is W
    assert finding.suggestion == "效益指标"
    assert of(findings, "required_category") == []


def test_required_categories_are_errors_when_missing():
    nodes = copy.deepcopy(GOOD_TREE)[:2]
    findings = check_table(make(nodes))
    finding = one(findings, "required_category")
    assert finding.severity is E
    assert "满意度指标" in finding.message


def test_2021_tables_should_have_a_cost_indicator():
    nodes = copy.deepcopy(GOOD_TREE)
    del nodes[0]["children"][3]
    finding = one(check_table(make(nodes, year=2022)), "required_category")
    assert finding.severity is W and "成本指标" in finding.message


# --- values --------------------------------------------------------------------------------


def test_empty_value_is_an_error():
    table = make(tree({"签约对象满意度": ""}))
    finding = one(check_table(table), "value_empty", table, "签约对象满意度")
    assert finding.severity is E and finding.field == "value_text"


def test_a_third_level_with_sub_items_needs_no_value_of_its_own():
    nodes = tree()
    nodes[0]["children"][0]["children"] = [
        {
            "name": "资助参保人次数",
            "children": [
                {"name": "低保对象", "value": "1340人"},
                {"name": "边境人员", "value": "52400人"},
            ],
        },
    ]
    assert check_table(make(nodes)) == []


def test_empty_sub_item_value_is_an_error():
    nodes = tree()
    nodes[0]["children"][0]["children"] = [
        {"name": "资助参保人次数", "children": [{"name": "低保对象", "value": ""}]},
    ]
    table = make(nodes)
    one(check_table(table), "value_empty", table, "低保对象")


@pytest.mark.parametrize(
    ("name", "value", "suggestion"),
    [
        ("签约对象满意度", "≧85%", "≥85%"),
        ("签约率", ">=97.9%", "≥97.9%"),
        ("签约率", "95％", "95%"),
        ("签约率", "1", "100%"),
    ],
)
def test_value_notation_suggests_the_normal_form(name, value, suggestion):
    table = make(tree({name: value}))
    finding = one(check_table(table), "value_notation", table, name)
    assert finding.severity is W
    assert finding.suggestion == suggestion


def test_one_on_a_rate_says_it_means_100_percent():
    table = make(tree({"签约率": "1"}))
    finding = one(check_table(table), "value_notation", table, "签约率")
    assert "表示100%" in finding.message


def test_unit_hidden_in_the_name_is_not_a_notation_error():
    table = make(tree({"签约率": "≥85"}, 签约率="参保率（%）"))
    assert check_table(table) == []


def test_notation_with_unit_in_name_suggests_without_percent():
    table = make(tree({"签约率": "≧85"}, 签约率="参保率（%）"))
    assert one(check_table(table), "value_notation").suggestion == "≥85"


def test_unit_in_name_conflicting_with_value_is_a_warning():
    table = make(tree({"签约率": "95人"}, 签约率="参保率（%）"))
    finding = one(check_table(table), "name_hidden_unit", table, "参保率（%）")
    assert finding.severity is W


def test_unparsed_value_is_a_warning_with_the_reason():
    table = make(tree({"签约率": "对象确认率100%，资金发放到位率100%"}))
    finding = one(check_table(table), "value_unparsed", table, "签约率")
    assert finding.severity is W and "无法识别" in finding.message


def test_rate_of_at_least_100_percent_cannot_be_exceeded():
    table = make(tree({"签约率": "≥100%"}))
    finding = one(check_table(table), "rate_over_100", table, "签约率")
    assert finding.severity is W and finding.suggestion == "100%"


def test_rate_above_100_percent_is_an_error():
    table = make(tree({"签约率": "120%"}))
    assert one(check_table(table), "rate_over_100").severity is E


@pytest.mark.parametrize(("name", "value"), [("签约率", "100%"), ("签约率", "≤100%")])
def test_rate_at_100_percent_is_fine(name, value):
    assert of(check_table(make(tree({name: value}))), "rate_over_100") == []


def test_growth_rate_may_exceed_100_percent():
    table = make(tree({"签约率": "≥120%"}, 签约率="签约人数增长率"))
    assert of(check_table(table), "rate_over_100") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("补助标准", "≥5人"), ("完成时间", "30人"), ("签约人数", "≥95%")],
)
def test_unit_must_fit_the_second_level_category(name, value):
    table = make(tree({name: value}))
    assert one(check_table(table), "unit_category", table, name).severity is W


def test_bare_count_gets_the_unit_its_name_implies():
    table = make(tree({"签约人数": "1596"}, 签约人数="住院救助人次数"))
    assert one(check_table(table), "unit_category").suggestion == "1596人次"


@pytest.mark.parametrize(("name", "value"), [("完成时间", "≥95%"), ("完成时间", "30天")])
def test_timeliness_accepts_rates_and_durations(name, value):
    assert of(check_table(make(tree({name: value}))), "unit_category") == []


@pytest.mark.parametrize(("value", "suggestion"), [("≥70%", ""), ("≥90", "≥90%"), ("≤90%", "")])
def test_satisfaction_below_80_without_percent_or_reversed_is_a_warning(value, suggestion):
    table = make(tree({"签约对象满意度": value}))
    finding = one(check_table(table), "satisfaction_low", table, "签约对象满意度")
    assert finding.severity is W and finding.suggestion == suggestion


def test_qualitative_value_is_flagged_as_not_measurable():
    table = make(tree({"政策知晓率": "明显提高"}))
    finding = one(check_table(table), "qualitative", table, "政策知晓率")
    assert finding.severity is W and "无法衡量" in finding.message
    assert finding.suggestion == ""


def test_missing_third_level_name_is_an_error_except_on_special_fund_summaries():
    nodes = tree()
    nodes[0]["children"][0]["children"][0]["name"] = ""
    table = make(nodes)
    finding = one(check_table(table), "name_missing")
    assert finding.message.startswith("数量指标下第1项：")
    special = make(copy.deepcopy(nodes), layout=TargetTable.Layout.SPECIAL_FUND)
    assert of(check_table(special), "name_missing") == []


def test_duplicate_under_the_same_second_level_is_an_error():
    nodes = tree()
    nodes[0]["children"][1]["children"].append({"name": "签约率", "value": "≥90%"})
    finding = one(check_table(make(nodes)), "duplicate")
    assert finding.severity is E


def test_duplicate_under_another_second_level_is_a_warning():
    nodes = tree()
    nodes[0]["children"][2]["children"].append({"name": "签约率", "value": "≥90%"})
    assert one(check_table(make(nodes)), "duplicate").severity is W


def test_numbering_does_not_hide_a_duplicate():
    nodes = tree()
    nodes[0]["children"][1]["children"].append({"name": "指标2：签约率", "value": "≥90%"})
    assert one(check_table(make(nodes)), "duplicate").severity is E


# --- six-column layout ---------------------------------------------------------------------


def dept_tree(description="参保居民政策知晓率", basis="上级文件政策", name="政策知晓率"):
    nodes = tree()
    for node in _walk(nodes):
        if "value" in node:
            node["description"] = f"{node['name']}的完成情况"
            node["basis"] = "上级文件政策"
    target = nodes[1]["children"][0]["children"][0]
    target.update(name=name, description=description, basis=basis)
    return nodes


def dept(nodes, **fields):
    defaults = {
        "layout": TargetTable.Layout.DEPT_PROJECT,
        "project_code": "450-0201-JXN-2T53",
        "fund_purpose": "用于城乡居民医疗保险村级代办员补助",
        "spend_by_dec": Decimal(100),
    }
    return make(nodes, **{**defaults, **fields})


def test_department_project_with_every_column_is_clean():
    assert check_table(dept(dept_tree())) == []


def test_description_about_another_measure_is_a_warning():
    table = dept(
        dept_tree(
            name="政策范围内报销比例",
            description="社会保险报销事项实际在规定时间内及时办结的件数占应办结件数的比率",
        )
    )
    finding = one(check_table(table), "description_mismatch", table, "政策范围内报销比例")
    assert finding.severity is W and finding.field == "description"


def test_description_with_the_same_measure_is_fine():
    table = dept(dept_tree(name="政策范围内报销比例", description="政策范围内住院费用报销比例"))
    assert of(check_table(table), "description_mismatch") == []


def test_empty_basis_and_description_where_the_layout_has_the_columns():
    table = dept(dept_tree(description="", basis=""))
    findings = check_table(table)
    assert one(findings, "basis_empty", table, "政策知晓率").severity is W
    assert one(findings, "description_empty", table, "政策知晓率").severity is W
    assert of(check_table(make()), "basis_empty") == []  # the project layout has no basis column


def test_purpose_unrelated_to_the_indicators_is_a_warning():
    table = dept(dept_tree(), fund_purpose="还岳阳印刷厂印刷费用")
    finding = one(check_table(table), "purpose_unrelated")
    assert finding.field == "fund_purpose" and finding.severity is W


@pytest.mark.parametrize(
    "plan",
    [
        [None, None, None, Decimal(100)],
        [Decimal(25), Decimal(50), Decimal(75), Decimal(100)],
        [Decimal(100), None, None, None],  # seed 004 #13/#14: all spent by the end of March
    ],
)
def test_valid_spending_plans(plan):
    fields = dict(zip(TargetTable.SPENDING_PLAN_FIELDS, plan, strict=True))
    assert of(check_table(dept(dept_tree(), **fields)), "spending_plan") == []


@pytest.mark.parametrize(
    ("plan", "field", "words"),
    [
        ([None, None, None, None], "spend_by_dec", "未填写"),
        ([Decimal(25), Decimal(50), Decimal(40), Decimal(100)], "spend_by_oct", "累计"),
        ([Decimal(25), Decimal(50), Decimal(75), Decimal(90)], "spend_by_dec", "100%"),
        ([Decimal(25), Decimal(50), None, None], "spend_by_dec", "100%"),
        ([Decimal(25), Decimal(50), Decimal(75), Decimal(120)], "spend_by_dec", "0%至100%"),
    ],
)
def test_invalid_spending_plans_are_errors(plan, field, words):
    fields = dict(zip(TargetTable.SPENDING_PLAN_FIELDS, plan, strict=True))
    findings = of(check_table(dept(dept_tree(), **fields)), "spending_plan")
    assert findings and all(f.severity is E for f in findings)
    assert any(f.field == field and words in f.message for f in findings), findings


def test_empty_plan_is_fine_on_a_layout_without_one():
    assert of(check_table(make()), "spending_plan") == []


# --- header and amounts --------------------------------------------------------------------


def test_missing_competent_department_is_a_warning():
    finding = one(check_table(make(competent_department="")), "header_missing")
    assert finding.field == "competent_department" and finding.severity is W


def test_fiscal_plus_other_must_equal_total():
    table = make(
        amount_total=Decimal("3.88"), amount_fiscal=Decimal("3.00"), amount_other=Decimal("0.80")
    )
    finding = one(check_table(table), "amount_sum")
    assert finding.severity is E and finding.field == "amount_total"
    assert "3.80万元" in finding.message


def test_department_basic_plus_project_must_equal_total():
    table = make(
        [],
        layout=TargetTable.Layout.DEPARTMENT,
        amount_fiscal=None,
        amount_other=None,
        amount_total=Decimal("1667.84"),
        basic_expenditure=Decimal("452.97"),
        project_expenditure=Decimal("1214.86"),
    )
    assert one(check_table(table), "amount_sum").severity is E
    table.project_expenditure = Decimal("1214.87")
    assert of(check_table(table), "amount_sum") == []


def test_table_amount_must_match_the_notice():
    notice = FundNoticeFactory(amount=Decimal("3.89"))
    finding = one(check_table(make(notice=notice)), "amount_vs_notice")
    assert finding.severity is E and notice.doc_number in finding.message


def test_notice_in_wan_agrees_with_table_in_yuan_by_the_rounding_rule():
    notice = FundNoticeFactory(amount=Decimal("3.88"))
    table = make(
        notice=notice,
        amount_unit="yuan",
        amount_total=Decimal("38834.40"),
        amount_fiscal=Decimal("38834.40"),
        amount_other=Decimal("0"),
    )
    assert of(check_table(table), "amount_vs_notice") == []
    table.amount_total = table.amount_fiscal = Decimal("38934.40")
    assert of(check_table(table), "amount_vs_notice") != []


def test_special_funds_that_add_up_give_no_finding():
    department = make(
        [],
        layout=TargetTable.Layout.DEPARTMENT,
        amount_fiscal=None,
        amount_other=None,
        amount_total=Decimal("30"),
        basic_expenditure=Decimal("10"),
        project_expenditure=Decimal("20"),
    )
    for amount in ("12", "8"):
        make(
            layout=TargetTable.Layout.SPECIAL_FUND,
            organisation=department.organisation,
            amount_total=Decimal(amount),
            amount_fiscal=None,
            amount_other=None,
        )
    assert of(check_table(department), "special_funds") == []
    make(
        layout=TargetTable.Layout.SPECIAL_FUND,
        organisation=department.organisation,
        amount_total=Decimal("1"),
        amount_fiscal=None,
        amount_other=None,
    )
    assert one(check_table(department), "special_funds").severity is E


# --- API behaviour -------------------------------------------------------------------------


def test_findings_are_sorted_header_first_then_rows_in_order_errors_first():
    table = make(
        tree({"签约人数": "", "签约率": "≧95%", "政策知晓率": "明显提高"}), competent_department=""
    )
    findings = check_table(table)
    assert [f.code for f in findings] == [
        "header_missing",
        "value_empty",
        "value_notation",
        "qualitative",
    ]


def test_lint_accepts_unsaved_rows():
    table = make([])
    first = PerformanceIndicator(table=table, level=1, position=1, name="产出指标")
    second = PerformanceIndicator(table=table, level=2, position=1, name="数量指标", parent=first)
    third = PerformanceIndicator(
        table=table, level=3, position=1, name="签约人数", value_text="≧300人", parent=second
    )
    findings = check_table(table, indicators=[first, second, third])
    assert [f.code for f in of(findings, "value_notation")] == ["value_notation"]
    assert of(findings, "required_category")[0].message.startswith("缺少效益指标")


def test_lint_tables_matches_lint_table():
    tables = [make(), make(tree({"签约率": "≧95%"}))]
    results = check_tables(TargetTable.objects.filter(pk__in=[t.pk for t in tables]))
    assert results == {t.pk: check_table(t) for t in tables}


def _table_with(n_third: int) -> TargetTable:
    nodes = tree()
    quantity = nodes[0]["children"][0]["children"]
    quantity.extend({"name": f"签约人数{i}", "value": f"≥{i}人"} for i in range(n_third - 6))
    table = make(nodes, notice=FundNoticeFactory())
    assert PerformanceIndicator.objects.filter(table=table, level=3).count() == n_third
    return TargetTable.objects.select_related("notice", "organisation").get(pk=table.pk)


@pytest.mark.parametrize("n_third", [6, 30])
def test_lint_table_query_count_is_constant(n_third, django_assert_num_queries):
    table = _table_with(n_third)
    # indicators, framework, the notice's allocation tables
    with django_assert_num_queries(3):
        check_table(table)


# --- the seeds (DOMAIN.md §8) --------------------------------------------------------------


def seed_table(**lookup) -> tuple[TargetTable, list[Finding]]:
    table = TargetTable.objects.get(**lookup)
    return table, check_table(table)


def test_seed_001_timeliness_under_outcome(demo):
    table, findings = seed_table(project_name="2020年中央财政医疗救助补助资金（第二批）")
    finding = one(findings, "placement", table, "“一站式”即时结算覆盖率")
    assert finding.severity is E
    assert finding.message == "“一站式”即时结算覆盖率：时效指标应属于产出指标，不应放在效益指标下。"


def test_seed_000_attachment_2_notation(demo):
    table, findings = seed_table(layout="transfer", organisation__name="德宏州卫生健康委员会")
    assert one(findings, "value_notation", table, "签约对象满意度").suggestion == "≥85%"
    assert one(findings, "value_notation", table, "补助资金到位率").suggestion == "100%"


def test_seed_004_empty_values(demo):
    table, findings = seed_table(project_code="450-0601-JXN-19AZ")
    assert one(findings, "value_empty", table, "城镇居民医保覆盖率（%）").severity is E
    assert one(findings, "value_empty", table, "群众满意度").severity is E
    # 参保率（%） ≥85: the unit is in the name; not a notation error.
    assert of(findings, "value_notation") == []


def test_seed_004_empty_basis_in_the_last_row(demo):
    table, findings = seed_table(project_code="450-0201-JXN-L54Q")
    assert one(findings, "basis_empty", table, "受益人口满意度").severity is W


def test_seed_004_description_of_another_indicator(demo):
    table, findings = seed_table(project_code="450-0201-JXN-FL29")
    finding = one(findings, "description_mismatch", table, "政策范围内报销比例")
    assert "及时" in finding.message


def test_seed_004_enrolment_rate_of_at_least_100_percent(demo):
    table, findings = seed_table(project_code="450-0201-JXN-DBPW")
    assert one(findings, "rate_over_100", table, "参保率（%）").suggestion == "100"
    table, findings = seed_table(project_code="450-0201-JXN-2T53")
    assert one(findings, "rate_over_100", table, "农村人口参加医疗保险率").suggestion == "100%"


def test_seed_004_purpose_unrelated(demo):
    _, findings = seed_table(project_code="450-0601-YXN-FX5K")
    finding = one(findings, "purpose_unrelated")
    assert "还岳阳印刷厂印刷费用" in finding.message
    # Its plan, 100% by the end of March, is complete.
    assert of(findings, "spending_plan") == []


def test_seed_004_regional_synonym(demo):
    table, findings = seed_table(project_code="450-0201-JXN-2T53")
    assert one(findings, "category_synonym", table, "效果指标").suggestion == "效益指标"


def test_seed_002_project_expenditure_outside_the_special_funds(demo):
    _, findings = seed_table(layout="department", organisation__name__contains="石峰区")
    finding = one(findings, "special_funds")
    assert finding.severity is W
    assert "884.87万元" in finding.message and "330.00万元" in finding.message


def test_seeds_000_and_001_lack_the_competent_department(demo):
    for name in ("瑞丽市卫生健康局", "瑞丽市医疗保障局"):
        _, findings = seed_table(layout="project", organisation__name=name)
        assert one(findings, "header_missing").field == "competent_department"


def test_seed_000_amounts_agree_three_times(demo):
    table, findings = seed_table(layout="project", organisation__name="瑞丽市卫生健康局")
    assert of(findings, "amount_vs_notice") == of(findings, "amount_vs_allocation") == []
    table.amount_total = table.amount_fiscal = Decimal("3.89")
    findings = check_table(table)
    assert one(findings, "amount_vs_notice").severity is E
    finding = one(findings, "amount_vs_allocation")
    assert "38,834.40元" in finding.message


def test_lint_tables_queries_do_not_grow_with_tables_or_rows(demo, django_assert_num_queries):
    # tables, framework, special funds, indicators, and per allocation table of a linked
    # notice (the demo has two) its columns, rows and cells.
    with django_assert_num_queries(11):
        results = check_tables(TargetTable.objects.all())
    assert len(results) == TargetTable.objects.count()


@pytest.mark.django_db(transaction=True)
def test_load_demo_restores_the_framework_a_transactional_flush_removed():
    """Browser tests run on a flushed database that load_demo refills; without the framework
    every category of every table would be reported unknown."""
    from django.core.management import call_command

    from indicators.framework import FRAMEWORK
    from indicators.models import FrameworkCategory
    from perfgoals.demo import load_demo

    call_command("flush", interactive=False, verbosity=0)
    assert not FrameworkCategory.objects.exists()
    load_demo()
    expected = sum(1 + len(seconds) for firsts in FRAMEWORK.values() for _, _, seconds in firsts)
    assert FrameworkCategory.objects.count() == expected
    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市卫生健康局")
    assert "unknown_category" not in {finding.code for finding in check_table(table)}
