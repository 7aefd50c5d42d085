"""Table checks on small factory tables, the merged order, queries, and the table-level
defects of the seeds (DOMAIN.md §8)."""

from decimal import Decimal

import pytest

from indicators.models import PerformanceIndicator
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_table, check_tables
from tests.factories import FundNoticeFactory
from tests.indicators.trees import dept, dept_tree, make, of, one, tree

pytestmark = pytest.mark.django_db

E, W = Severity.ERROR, Severity.WARNING


# --- a clean table -------------------------------------------------------------------------


def test_a_complete_table_has_no_findings():
    assert check_table(make()) == []


def test_department_project_with_every_column_is_clean():
    assert check_table(dept(dept_tree())) == []


def test_purpose_unrelated_to_the_indicators_is_a_warning():
    table = dept(dept_tree(), fund_purpose="还岳阳印刷厂印刷费用")
    finding = one(check_table(table), "purpose_unrelated")
    assert finding.field == "fund_purpose" and finding.severity is W


# --- spending plan -------------------------------------------------------------------------


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


def test_either_unit_satisfies_the_project_layout():
    # Many provincial forms print one 预算单位 line for both units.
    assert of(check_table(make(competent_department="")), "header_missing") == []
    assert of(check_table(make(implementing_unit="")), "header_missing") == []


def test_a_project_table_naming_no_unit_gets_one_warning():
    table = make(competent_department="", implementing_unit="")
    finding = one(check_table(table), "header_missing")
    assert finding.field == "competent_department" and finding.severity is W
    assert finding.message == "表头“主管部门或实施单位”未填写。"


def test_no_contact_line_is_not_a_finding():
    assert of(check_table(make(contact="")), "header_missing") == []


# Written out here, not read from perfgoals.layouts: the labels are part of the messages,
# and so of the keys under which warnings were acknowledged.
EMPTY_HEADER_FINDINGS = {
    TargetTable.Layout.PROJECT: [
        ("project_name", E, "项目名称"),
        ("amount_total", E, "年度资金总额"),
        ("competent_department", W, "主管部门或实施单位"),
        ("annual_goal", W, "年度目标"),
    ],
    TargetTable.Layout.TRANSFER: [
        ("project_name", E, "专项名称"),
        ("amount_total", E, "资金情况"),
        ("competent_department", W, "主管部门"),
        ("finance_department", W, "财政部门"),
        ("annual_goal", W, "年度目标"),
    ],
    TargetTable.Layout.DEPT_PROJECT: [
        ("project_name", E, "项目名称"),
        ("amount_total", E, "预算数"),
        ("project_code", W, "项目编码"),
        ("fund_purpose", W, "资金用途"),
        ("annual_goal", W, "绩效目标"),
    ],
    TargetTable.Layout.DEPARTMENT: [
        ("project_name", E, "部门名称"),
        ("annual_goal", W, "整体绩效目标"),
    ],
    TargetTable.Layout.SPECIAL_FUND: [
        ("project_name", E, "专项名称"),
        ("amount_total", E, "支出方向年度金额"),
        ("competent_department", W, "主管部门"),
        ("annual_goal", W, "年度绩效目标"),
    ],
}


@pytest.mark.parametrize("layout", list(EMPTY_HEADER_FINDINGS))
def test_an_empty_header_names_each_required_field_of_its_layout(layout):
    table = make(
        layout=layout,
        project_name="",
        amount_total=None,
        amount_fiscal=None,
        amount_other=None,
        competent_department="",
        implementing_unit="",
        contact="",
        annual_goal="",
    )
    findings = of(check_table(table), "header_missing")
    assert [(f.field, f.severity, f.message) for f in findings] == [
        (field, severity, f"表头“{label}”未填写。")
        for field, severity, label in EMPTY_HEADER_FINDINGS[layout]
    ]


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
        tree({"签约人数": "", "签约率": "≧95%", "政策知晓率": "明显提高"}),
        competent_department="",
        implementing_unit="",
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


def test_check_tables_matches_check_table():
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
def test_check_table_query_count_is_constant(n_third, django_assert_num_queries):
    table = _table_with(n_third)
    # indicators, framework, the notice's 分配表 recorded at issue (none: it is a draft), its
    # stored allocation tables, its recipients
    with django_assert_num_queries(5):
        check_table(table)


# --- the seeds (DOMAIN.md §8) --------------------------------------------------------------


def seed_table(**lookup) -> tuple[TargetTable, list[Finding]]:
    table = TargetTable.objects.get(**lookup)
    return table, check_table(table)


def test_seed_004_purpose_unrelated(demo):
    _, findings = seed_table(project_code="450-0601-YXN-FX5K")
    finding = one(findings, "purpose_unrelated")
    assert "还岳阳印刷厂印刷费用" in finding.message
    # Its plan, 100% by the end of March, is complete.
    assert of(findings, "spending_plan") == []


def test_seed_002_project_expenditure_outside_the_special_funds(demo):
    _, findings = seed_table(layout="department", organisation__name__contains="石峰区")
    finding = one(findings, "special_funds")
    assert finding.severity is W
    assert "884.87万元" in finding.message and "330.00万元" in finding.message


def test_seeds_000_and_001_name_their_unit_once_which_suffices(demo):
    for name in ("瑞丽市卫生健康局", "瑞丽市医疗保障局"):
        table, findings = seed_table(layout="project", organisation__name=name)
        assert table.competent_department == "" and table.implementing_unit
        assert of(findings, "header_missing") == []


def test_seed_000_amounts_agree_three_times(demo):
    table, findings = seed_table(layout="project", organisation__name="瑞丽市卫生健康局")
    assert of(findings, "amount_vs_notice") == of(findings, "amount_vs_allocation") == []
    table.amount_total = table.amount_fiscal = Decimal("3.89")
    findings = check_table(table)
    assert one(findings, "amount_vs_notice").severity is E
    finding = one(findings, "amount_vs_allocation")
    assert "38,834.40元" in finding.message


def test_check_tables_queries_do_not_grow_with_tables_or_rows(
    demo, django_assert_num_queries, warm_framework
):
    # tables (the framework index is read once per process: warm_framework), special funds,
    # indicators, the linked notices' recipients, their 分配表 as recorded at issue (the
    # demo's issued notices recorded theirs, so none is computed from its stored rows) and
    # the stored allocation tables of those that recorded none, and for the decomposition
    # (seed 000's 瑞丽 table serves the 州 table) the upper tables' rows, each with its
    # table's label. The 州 table's targets are all rates, each recipient's own to keep: no
    # other recipient's rows are read.
    with django_assert_num_queries(7):
        results = check_tables(TargetTable.objects.all())
    assert len(results) == TargetTable.objects.count()
    # A count the recipients share is added up: every row serving it, in one more query.
    upper = TargetTable.objects.get(organisation__name="德宏州卫生健康委员会")
    parent = PerformanceIndicator.objects.filter(table=upper, level=2).first()
    PerformanceIndicator.objects.create(
        table=upper, parent=parent, level=3, position=99, name="受益人数", value_text="≥15307人"
    )
    with django_assert_num_queries(8):
        assert len(check_tables(TargetTable.objects.all())) == len(results)


# --- funds by source -----------------------------------------------------------------------


def test_funds_by_source_within_the_total_are_fine():
    table = make(
        amount_general_budget=Decimal("3.00"),
        amount_government_fund=Decimal("0.88"),
        amount_carryover=Decimal("0"),
    )
    assert of(check_table(table), "amount_sum") == []


def test_funds_by_source_exceeding_the_total_are_an_error():
    total = make().amount_total
    table = make(
        amount_general_budget=total, amount_business_income=Decimal("1"), amount_unit="wan"
    )
    finding = one(check_table(table), "amount_sum")
    assert finding.severity is E and finding.field == "amount_general_budget"
    assert "资金来源（一般公共预算、政府性基金、国有资本经营预算、事业收入）合计" in finding.message


def test_a_carryover_larger_than_the_total_is_an_error():
    table = make(amount_carryover=make().amount_total + 1)
    assert one(check_table(table), "amount_sum").field == "amount_carryover"
