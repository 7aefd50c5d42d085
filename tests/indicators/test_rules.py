"""Tree and row rules on small factory tables, and the row defects of the seeds (DOMAIN.md §8)."""

import copy
from decimal import Decimal

import pytest

from indicators.models import PerformanceIndicator
from indicators.rules import check_tree, in_print_order
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable
from tests.indicators.trees import GOOD_TREE, dept, dept_tree, make, of, one, row_id, tree

pytestmark = pytest.mark.django_db

E, W = Severity.ERROR, Severity.WARNING


def check_rows(table: TargetTable) -> list[Finding]:
    """The rule findings on the table's saved rows, in print order (no header checks)."""
    rows = list(PerformanceIndicator.objects.filter(table_id=table.pk))
    return in_print_order(
        check_tree(
            rows,
            layout=table.layout,
            generation=table.framework,
            year=table.year,
            period=table.implementation_period,
        )
    )


# --- framework -----------------------------------------------------------------------------


def test_placement_reports_a_second_level_under_the_wrong_first_level():
    nodes = copy.deepcopy(GOOD_TREE)
    timeliness = nodes[0]["children"].pop(2)
    nodes[1]["children"].insert(0, timeliness)
    table = make(nodes)
    finding = one(check_rows(table), "placement", table, "完成时间")
    assert finding.severity is W
    assert finding.message == "完成时间：“时效指标”应属于产出指标，不应放在效益指标下。"


def test_cost_under_output_in_a_2022_table_is_the_older_framework_not_a_finding():
    # Several provinces' 2022–2025 templates still file 成本指标 under 产出指标.
    assert check_rows(make(year=2022, framework="")) == []


def test_a_generation_the_bureau_chose_is_reported_once_when_the_tree_disagrees():
    table = make(year=2022, framework="2021")
    findings = check_rows(table)
    assert [f.code for f in findings] == ["placement"], findings
    assert findings[0].severity is W
    assert "核对表头的指标体系版本" in findings[0].message


def test_placement_accepts_cost_as_first_level_in_a_2021_table():
    nodes = copy.deepcopy(GOOD_TREE)
    cost = nodes[0]["children"].pop(3)
    cost["name"] = "经济成本指标"
    nodes.insert(1, {"name": "成本指标", "children": [cost]})
    findings = check_rows(make(nodes, year=2022))
    assert findings == []


def test_unknown_category_names_are_warnings_that_list_the_allowed_names():
    table = make(tree(社会效益指标="杂项指标"))
    finding = one(check_rows(table), "unknown_category", table, "杂项指标")
    assert finding.severity is W
    assert "“杂项指标”不是指标体系中的二级指标名称" in finding.message
    assert "社会效益指标" in finding.message  # lists what is allowed


def test_an_empty_category_name_is_an_error():
    table = make(tree(社会效益指标=""))
    findings = of(check_rows(table), "unknown_category")
    assert [f.severity for f in findings] == [E]


def test_regional_synonym_is_accepted_and_counts_as_outcome():
    table = make(tree(效益指标="效果指标"))
    assert check_rows(table) == []


def test_missing_required_categories_are_warnings():
    nodes = copy.deepcopy(GOOD_TREE)[:2]
    findings = check_rows(make(nodes))
    finding = one(findings, "required_category")
    assert finding.severity is W
    assert "满意度指标" in finding.message


def test_2021_tables_should_have_a_cost_indicator():
    nodes = copy.deepcopy(GOOD_TREE)
    del nodes[0]["children"][3]
    finding = one(check_rows(make(nodes, year=2022, framework="2021")), "required_category")
    assert finding.severity is W and "成本指标" in finding.message


# --- values --------------------------------------------------------------------------------


def test_empty_value_is_an_error():
    table = make(tree({"签约对象满意度": ""}))
    finding = one(check_rows(table), "value_empty", table, "签约对象满意度")
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
    assert check_rows(make(nodes)) == []


def test_empty_sub_item_value_is_an_error():
    nodes = tree()
    nodes[0]["children"][0]["children"] = [
        {"name": "资助参保人次数", "children": [{"name": "低保对象", "value": ""}]},
    ]
    table = make(nodes)
    one(check_rows(table), "value_empty", table, "低保对象")


@pytest.mark.parametrize(
    ("name", "value", "suggestion"),
    [
        ("签约对象满意度", "≧85%", "≥85%"),
        ("签约率", ">=97.9%", "≥97.9%"),
        ("签约率", "1", "100%"),
    ],
)
def test_value_notation_suggests_the_normal_form(name, value, suggestion):
    table = make(tree({name: value}))
    finding = one(check_rows(table), "value_notation", table, name)
    assert finding.severity is W
    assert finding.suggestion == suggestion


@pytest.mark.parametrize("value", ["95％", "９５%", " 95% ", "90%以上", "不低于90%", "达到90%"])
def test_cosmetic_and_worded_spellings_are_not_notation_findings(value):
    assert check_rows(make(tree({"签约率": value}))) == []


def test_a_bare_number_on_a_name_declaring_its_unit_is_fine():
    assert check_rows(make(tree({"签约人数": "500"}, 签约人数="造林面积（亩）"))) == []


def test_one_on_a_rate_says_it_means_100_percent():
    table = make(tree({"签约率": "1"}))
    finding = one(check_rows(table), "value_notation", table, "签约率")
    assert "表示100%" in finding.message


def test_unit_hidden_in_the_name_is_not_a_notation_error():
    table = make(tree({"签约率": "≥85"}, 签约率="参保率（%）"))
    assert check_rows(table) == []


def test_notation_with_unit_in_name_suggests_without_percent():
    table = make(tree({"签约率": "≧85"}, 签约率="参保率（%）"))
    assert one(check_rows(table), "value_notation").suggestion == "≥85"


def test_unit_in_name_conflicting_with_value_is_a_warning():
    table = make(tree({"签约率": "95人"}, 签约率="参保率（%）"))
    finding = one(check_rows(table), "name_hidden_unit", table, "参保率（%）")
    assert finding.severity is W


def test_unparsed_value_is_a_warning_with_the_reason():
    table = make(tree({"签约率": "对象确认率100%，资金发放到位率100%"}))
    finding = one(check_rows(table), "value_unparsed", table, "签约率")
    assert finding.severity is W and "无法识别" in finding.message


def test_rate_of_at_least_100_percent_cannot_be_exceeded():
    table = make(tree({"签约率": "≥100%"}))
    finding = one(check_rows(table), "rate_over_100", table, "签约率")
    assert finding.severity is W and finding.suggestion == "100%"


def test_rate_above_100_percent_is_an_error():
    table = make(tree({"签约率": "120%"}))
    assert one(check_rows(table), "rate_over_100").severity is E


@pytest.mark.parametrize(("name", "value"), [("签约率", "100%"), ("签约率", "≤100%")])
def test_rate_at_100_percent_is_fine(name, value):
    assert of(check_rows(make(tree({name: value}))), "rate_over_100") == []


@pytest.mark.parametrize("name", ["签约人数增长率", "随访频率"])
def test_growth_rates_and_frequencies_may_exceed_100_percent(name):
    table = make(tree({"签约率": "≥120%"}, 签约率=name))
    assert of(check_rows(table), "rate_over_100") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("补助标准", "≤5人"), ("完成时间", "30人")],
)
def test_unit_must_fit_the_second_level_category(name, value):
    table = make(tree({name: value}))
    assert one(check_rows(table), "unit_category", table, name).severity is W


def test_a_bare_count_whose_name_says_the_unit_is_complete():
    table = make(tree({"签约人数": "1596"}, 签约人数="住院救助人次数"))
    assert of(check_rows(table), "unit_category") == []


def test_a_bare_count_of_things_the_name_does_not_count_lacks_its_unit():
    table = make(tree({"签约人数": "1596"}, 签约人数="家庭医生签约服务"))
    finding = one(check_rows(table), "unit_category")
    assert "缺少计量单位" in finding.message and finding.suggestion == ""


@pytest.mark.parametrize(("name", "value"), [("完成时间", "≥95%"), ("完成时间", "30天")])
def test_timeliness_accepts_rates_and_durations(name, value):
    assert of(check_rows(make(tree({name: value}))), "unit_category") == []


@pytest.mark.parametrize(("value", "suggestion"), [("≥70%", ""), ("≥90", "≥90%"), ("≤90%", "")])
def test_satisfaction_below_80_without_percent_or_reversed_is_a_warning(value, suggestion):
    table = make(tree({"签约对象满意度": value}))
    finding = one(check_rows(table), "satisfaction_low", table, "签约对象满意度")
    assert finding.severity is W and finding.suggestion == suggestion


def test_qualitative_value_is_flagged_as_not_measurable():
    table = make(tree({"政策知晓率": "明显提高"}))
    finding = one(check_rows(table), "qualitative", table, "政策知晓率")
    assert finding.severity is W and "无法衡量" in finding.message
    assert finding.suggestion == ""


def test_missing_third_level_name_is_an_error_except_on_special_fund_summaries():
    nodes = tree()
    nodes[0]["children"][0]["children"][0]["name"] = ""
    table = make(nodes)
    finding = one(check_rows(table), "name_missing")
    assert finding.message.startswith("数量指标下第1项：")
    special = make(copy.deepcopy(nodes), layout=TargetTable.Layout.SPECIAL_FUND)
    assert of(check_rows(special), "name_missing") == []


def test_duplicate_under_the_same_second_level_is_an_error():
    nodes = tree()
    nodes[0]["children"][1]["children"].append({"name": "签约率", "value": "≥90%"})
    finding = one(check_rows(make(nodes)), "duplicate")
    assert finding.severity is E


def test_duplicate_under_another_second_level_is_a_warning():
    nodes = tree()
    nodes[0]["children"][2]["children"].append({"name": "签约率", "value": "≥90%"})
    assert one(check_rows(make(nodes)), "duplicate").severity is W


def test_numbering_does_not_hide_a_duplicate():
    nodes = tree()
    nodes[0]["children"][1]["children"].append({"name": "指标2：签约率", "value": "≥90%"})
    assert one(check_rows(make(nodes)), "duplicate").severity is E


# --- six-column layout ---------------------------------------------------------------------


def test_description_about_another_measure_is_a_warning():
    table = dept(
        dept_tree(
            name="政策范围内报销比例",
            description="社会保险报销事项实际在规定时间内及时办结的件数占应办结件数的比率",
        )
    )
    finding = one(check_rows(table), "description_mismatch", table, "政策范围内报销比例")
    assert finding.severity is W and finding.field == "description"


def test_description_with_the_same_measure_is_fine():
    table = dept(dept_tree(name="政策范围内报销比例", description="政策范围内住院费用报销比例"))
    assert of(check_rows(table), "description_mismatch") == []


def test_empty_basis_and_description_where_the_layout_has_the_columns():
    table = dept(dept_tree(description="", basis=""))
    findings = check_rows(table)
    assert one(findings, "basis_empty", table, "政策知晓率").severity is W
    assert one(findings, "description_empty", table, "政策知晓率").severity is W
    assert of(check_rows(make()), "basis_empty") == []  # the project layout has no basis column


# --- the seeds (DOMAIN.md §8) --------------------------------------------------------------


def seed_table(**lookup) -> tuple[TargetTable, list[Finding]]:
    table = TargetTable.objects.get(**lookup)
    return table, check_rows(table)


def test_seed_001_timeliness_under_outcome(demo):
    table, findings = seed_table(project_name="2020年中央财政医疗救助补助资金（第二批）")
    finding = one(findings, "placement", table, "“一站式”即时结算覆盖率")
    assert finding.severity is W
    assert finding.message == (
        "“一站式”即时结算覆盖率：“时效指标”应属于产出指标，不应放在效益指标下。"
    )


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


def test_seed_004_regional_synonym_is_accepted(demo):
    table, findings = seed_table(project_code="450-0201-JXN-2T53")
    codes = {f.code for f in findings}
    assert not codes & {"unknown_category", "placement", "required_category"}, findings


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
    assert "unknown_category" not in {finding.code for finding in check_rows(table)}


@pytest.mark.parametrize("blank", ["\u200b", "\ufeff\u200b", "\u3000\u3000"])
def test_a_cell_of_invisible_characters_or_full_width_spaces_is_empty_to_the_rules(blank):
    """Saved rows (imported from Word) and unsaved ones (a row being checked) alike."""
    table = dept(dept_tree(description=blank, basis=blank))
    saved = check_rows(table)
    target = row_id(table, "政策知晓率")
    assert [f.indicator_id for f in of(saved, "description_empty")] == [target]
    assert [f.indicator_id for f in of(saved, "basis_empty")] == [target]
    unsaved = list(PerformanceIndicator.objects.filter(table_id=table.pk))
    for row in unsaved:
        if row.level == 3 and row.pk != target:
            row.name = blank
    findings = check_tree(unsaved, layout=table.layout, year=table.year)
    expected = sum(1 for row in unsaved if row.level == 3) - 1
    assert len(of([f for _, f in findings], "name_missing")) == expected


# --- the findings of an unchanged tree, kept -------------------------------------------------


class _CountedRules:
    """Stands in for the rules: counts the trees checked, finds nothing."""

    runs: list = []

    def __init__(self, rows, **kwargs):
        self.rows = rows

    def run(self):
        _CountedRules.runs.append(len(self.rows))
        return [(0, Finding("counted", W, f"第{len(_CountedRules.runs)}次"))]


@pytest.fixture
def counted(monkeypatch):
    from indicators import rules

    monkeypatch.setattr(rules, "_RowRules", _CountedRules)
    monkeypatch.setattr(_CountedRules, "runs", [])
    return _CountedRules.runs


def _checked(table: TargetTable, rows=None, **changes):
    from indicators.selectors import framework_index

    arguments = {
        "layout": table.layout,
        "generation": table.framework,
        "year": table.year,
        "period": table.implementation_period,
        "framework": framework_index(),
    }
    if rows is None:
        rows = list(PerformanceIndicator.objects.filter(table_id=table.pk).order_by("pk"))
    return check_tree(rows, **{**arguments, **changes})


def test_an_unchanged_tree_is_answered_from_its_last_check(counted):
    from indicators.selectors import FrameworkIndex

    table = make()
    first = _checked(table)
    first.append("the caller's own")
    # Read again from the database: the same columns, other objects.
    assert _checked(table) == first[:-1]
    assert len(counted) == 1
    for change in (
        {"layout": TargetTable.Layout.TRANSFER},
        {"generation": "2015" if table.framework != "2015" else "2021"},
        {"year": table.year + 1},
        {"period": "2020年至2022年"},
        {"framework": FrameworkIndex()},
    ):
        _checked(table, **change)
    assert len(counted) == 6


def _other(value, name):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, Decimal)):
        return value + 1
    if isinstance(value, str):
        return value + "改"
    return Decimal(1) if name.startswith("value_") else 1


@pytest.mark.parametrize("name", [f.attname for f in PerformanceIndicator._meta.concrete_fields])
def test_a_change_to_any_column_of_any_row_checks_the_tree_again(counted, name):
    table = make()
    rows = list(PerformanceIndicator.objects.filter(table_id=table.pk).order_by("pk"))
    before = _checked(table, rows)
    changed = copy.copy(rows[-1])
    setattr(changed, name, _other(getattr(changed, name), name))
    after = _checked(table, [*rows[:-1], changed])
    assert len(counted) == 2 and after != before


def test_the_kept_findings_are_of_the_last_trees_only(counted):
    from indicators import rules

    table = make()
    for year in range(2000, 2000 + rules._CHECKED_TREES + 10):
        _checked(table, year=year)
    assert len(rules._checked) == rules._CHECKED_TREES
    # The most recent are kept; the oldest were dropped.
    runs = len(counted)
    _checked(table, year=2000 + rules._CHECKED_TREES + 9)
    _checked(table, year=2000)
    assert len(counted) == runs + 1
