"""The rules on tables of other provinces' templates (issue 10): regional category names,
the framework generation a tree follows, and the checks real published tables needed."""

import copy

import pytest

from perfgoals.findings import Severity
from tests.indicators.test_rules import check_rows
from tests.indicators.trees import GOOD_TREE, make, of, one, tree

pytestmark = pytest.mark.django_db

E, W = Severity.ERROR, Severity.WARNING


# --- regional vocabulary -------------------------------------------------------------------


@pytest.mark.parametrize(
    "renames",
    [
        {"产出指标": "项目完成指标", "效益指标": "项目效益指标"},  # 四川
        {"产出指标": "预期产出指标"},  # 广东
        {"数量指标": "数量指标 (必填硬性指标)", "时效指标": "时效指标(工期指标、形象进度指标)"},
        {"成本指标": "预算(或投资规模)控制指标"},
        {"社会效益指标": "社会、经济、生态效益 指标"},
        {"服务对象满意度指标": "满意度指标"},
        {"服务对象满意度指标": "社会公益或服务对象满意度指标"},
        {"产出指标": "一、产出指标", "效益指标": "二、效益指标"},
        {"社会效益指标": "社会效益"},
    ],
)
def test_regional_category_names_are_accepted_silently(renames):
    assert check_rows(make(tree(**renames))) == []


def test_a_regional_second_level_keeps_its_unit_check():
    table = make(tree({"签约人数": "300"}, 数量指标="数量指标（必填）", 签约人数="签约服务"))
    assert one(check_rows(table), "unit_category", table, "签约服务").severity is W


def test_an_unknown_first_level_takes_the_first_level_of_its_second_levels():
    table = make(tree({"签约人数": "300"}, 产出指标="履职效能", 签约人数="签约服务"))
    findings = check_rows(table)
    assert one(findings, "unknown_category", table, "履职效能").severity is W
    assert of(findings, "unit_category"), findings  # 数量指标 still knows it is a count
    assert of(findings, "required_category") == []


def test_messages_print_the_name_as_typed_not_with_a_second_suffix():
    table = make(tree(社会效益指标="杂项(必填)"))
    finding = one(check_rows(table), "unknown_category", table, "杂项(必填)")
    assert "“杂项(必填)”" in finding.message and "指标指标" not in finding.message


# --- satisfaction wherever the template files it -------------------------------------------


def _satisfaction_under_outcome():
    nodes = copy.deepcopy(GOOD_TREE)
    satisfaction = nodes.pop(2)["children"][0]
    nodes[1]["children"].append(satisfaction)
    return nodes


def test_satisfaction_as_a_second_level_of_outcome_is_the_2015_layout():
    assert check_rows(make(_satisfaction_under_outcome())) == []


def test_a_satisfaction_row_under_social_benefit_counts_as_satisfaction():
    nodes = copy.deepcopy(GOOD_TREE)[:2]
    nodes[1]["children"][0]["children"].append({"name": "群众满意度", "value": "≥90%"})
    assert check_rows(make(nodes)) == []


def test_a_satisfaction_row_beside_the_satisfaction_block_is_misplaced():
    nodes = copy.deepcopy(GOOD_TREE)
    nodes[1]["children"][0]["children"].append({"name": "群众满意度", "value": "≥90%"})
    table = make(nodes)
    finding = one(check_rows(table), "satisfaction_misplaced", table, "群众满意度")
    assert finding.severity is W and "签约对象满意度" in finding.message


@pytest.mark.parametrize("value", ["100%", "≥100%", "=100%"])
def test_a_satisfaction_of_100_percent_is_a_warning(value):
    table = make(tree({"签约对象满意度": value}))
    findings = check_rows(table)
    assert one(findings, "satisfaction_full", table, "签约对象满意度").severity is W
    assert of(findings, "rate_over_100") == []  # one fact, one finding


def test_a_satisfaction_above_100_percent_is_an_error():
    table = make(tree({"签约对象满意度": "≥105%"}))
    assert one(check_rows(table), "rate_over_100", table, "签约对象满意度").severity is E


# --- new checks ----------------------------------------------------------------------------


def test_a_percentage_on_a_slogan_is_a_warning():
    table = make(tree({"政策知晓率": "100%"}, 政策知晓率="促进经济社会协调和可持续发展"))
    finding = one(check_rows(table), "percent_not_rate", table, "促进经济社会协调和可持续发展")
    assert finding.severity is W


@pytest.mark.parametrize(
    "name", ["政策知晓率", "资金拨付", "任务完成", "项目验收合格", "群众知晓度", "占比"]
)
def test_a_percentage_on_a_share_is_fine(name):
    table = make(tree({"政策知晓率": "≥90%"}, 政策知晓率=name))
    assert of(check_rows(table), "percent_not_rate") == []


def test_a_count_stated_in_percent_is_a_warning():
    table = make(tree({"签约人数": "≥95%"}))
    assert one(check_rows(table), "percent_not_rate", table, "签约人数").severity is W


def test_a_rate_under_quantity_is_a_convention_not_a_finding():
    table = make(tree({"签约人数": "≥95%"}, 签约人数="参保率"))
    assert check_rows(table) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("苗木成活率(≥**%)", "85%"), ("项目总投入(≥**万元)", "6070万元"), ("培训XX人次", "300人次")],
)
def test_template_placeholders_are_warnings(name, value):
    table = make(tree({"政策知晓率": value}, 政策知晓率=name))
    finding = one(check_rows(table), "placeholder", table, name)
    assert finding.severity is W and finding.field == "name"


def test_at_least_on_a_cost_is_a_warning():
    table = make(tree({"补助标准": "≥60万元"}, 补助标准="项目总投入"))
    finding = one(check_rows(table), "cost_comparator", table, "项目总投入")
    assert finding.severity is W and "≤" in finding.message


@pytest.mark.parametrize("value", ["≥200元/月/人", "≥12元"])
def test_at_least_on_a_payment_standard_is_a_floor_not_a_cost(value):
    assert of(check_rows(make(tree({"补助标准": value}))), "cost_comparator") == []


def test_at_most_on_a_cost_is_fine():
    assert check_rows(make(tree({"补助标准": "≤12元/人/年"}))) == []


def test_a_count_measured_in_years_is_a_warning():
    table = make(tree({"签约人数": "1年"}, 签约人数="宣传横幅"))
    finding = one(check_rows(table), "unit_category", table, "宣传横幅")
    assert "年" in finding.message


def test_a_duration_under_quantity_named_as_one_is_fine():
    table = make(tree({"签约人数": "3年"}, 签约人数="服务年限"))
    assert of(check_rows(table), "unit_category") == []


def test_a_deadline_after_the_budget_year_is_a_warning():
    table = make(tree({"完成时间": "2021年6月底前"}), year=2020)
    finding = one(check_rows(table), "date_outside_period", table, "完成时间")
    assert finding.severity is W and "2020年12月底" in finding.message


def test_a_deadline_within_the_stated_implementation_period_is_fine():
    table = make(
        tree({"完成时间": "2021年6月底前"}), year=2020, implementation_period="2020年-2022年"
    )
    assert of(check_rows(table), "date_outside_period") == []


def test_a_range_starting_in_the_budget_year_is_fine():
    # Seed 000: the 2020 insurance year runs 2020年9月至2021年8月.
    table = make(tree({"完成时间": "2020年9月至2021年8月"}), year=2020)
    assert of(check_rows(table), "date_outside_period") == []


def test_one_basis_on_every_row_is_reported_once():
    nodes = tree()
    for second in nodes[0]["children"] + nodes[1]["children"] + nodes[2]["children"]:
        for row in second["children"]:
            row["basis"] = "根据相关文件"
    findings = check_rows(make(nodes))
    finding = one(findings, "basis_boilerplate")
    assert finding.severity is W and finding.field == "basis"
    assert finding.indicator_id is None


def test_measurable_grades_are_not_qualitative():
    table = make(tree({"政策知晓率": "达标"}, 政策知晓率="饮用水水质"))
    assert of(check_rows(table), "qualitative") == []


def test_vague_trends_stay_qualitative():
    table = make(tree({"政策知晓率": "明显提高"}))
    assert one(check_rows(table), "qualitative").severity is W


def test_a_misplaced_satisfaction_row_is_reported_once_not_also_as_missing_outcome():
    # Xiangtan's table: its only 效益 row measures satisfaction, beside a satisfaction block.
    nodes = copy.deepcopy(GOOD_TREE)
    nodes[1]["children"][0]["children"] = [
        {"name": "市民对空气质量改善的满意程度", "value": "≥85%"}
    ]
    findings = check_rows(make(nodes))
    assert [f.code for f in findings] == ["satisfaction_misplaced"], findings


def test_a_2022_table_without_any_cost_block_is_not_held_to_the_2021_framework():
    nodes = copy.deepcopy(GOOD_TREE)
    del nodes[0]["children"][3]
    assert check_rows(make(nodes, year=2023, framework="")) == []


def test_a_cost_in_wan_written_short_is_money():
    assert check_rows(make(tree({"补助标准": "250万"}))) == []


def test_a_cost_given_as_a_percentage_is_reported_once():
    table = make(tree({"补助标准": "100%"}))
    assert [f.code for f in check_rows(table)] == ["unit_category"]


@pytest.mark.parametrize("value", ["≥90百分比", "95百分比"])
def test_the_word_for_percent_is_percent(value):
    # 天津's system prints the unit as a word.
    assert check_rows(make(tree({"签约对象满意度": value}))) == []


def test_one_sentence_in_both_basis_columns_is_one_finding():
    nodes = tree()
    for second in nodes[0]["children"] + nodes[1]["children"] + nodes[2]["children"]:
        for row in second["children"]:
            row["basis"] = row["value_explanation"] = "该指标值数据合理"
    assert [f.field for f in of(check_rows(make(nodes)), "basis_boilerplate")] == ["basis"]


@pytest.mark.parametrize(("year", "listed"), [(2020, False), (2023, True)])
def test_without_a_cost_block_the_year_decides_which_first_levels_are_offered(year, listed):
    nodes = tree(产出指标="杂项")
    del nodes[0]["children"][3]  # no 成本 anywhere: the tree does not tell the generation
    table = make(nodes, year=year, framework="")
    finding = one(check_rows(table), "unknown_category", table, "杂项")
    assert ("成本指标" in finding.message.split("可选：")[1]) is listed
