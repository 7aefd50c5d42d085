"""One answer to "is this indicator a rate?" for the value grammar and the row rules."""

from decimal import Decimal

import pytest

from indicators.names import name_declares_percent, name_is_rate, unit_in_name, without_remark
from indicators.values import parse_value


@pytest.mark.parametrize(
    "name",
    [
        "覆盖率",
        "政策知晓率",
        "补助资金到位率",
        "城镇居民医保覆盖率（%）",
        "住院医疗费用救助比例（低保对象）",
        "“一站式”即时结算覆盖率",
        "门诊费用报销（%）",  # no 率, but the column is in percent
        "门诊费用报销(％)",
    ],
)
def test_shares_of_a_whole_are_rates(name):
    assert name_is_rate(name)


@pytest.mark.parametrize(
    "name",
    [
        "随访频率",  # a frequency
        "检查频率（次/年）",
        "参保人数",  # counts
        "覆盖人数",
        "资助参保人次数",
        "签约人数增长率",  # changes between periods
        "医疗费用同比增长率",
        "就诊人次环比增幅（%）",
        "满意度",
        "",
    ],
)
def test_frequencies_counts_and_growth_are_not_rates(name):
    assert not name_is_rate(name)


@pytest.mark.parametrize(
    ("name", "declares"),
    [
        ("参保率（%）", True),
        ("参保率(％)", True),
        ("参保率（ % ）", True),
        ("参保率", False),
        ("参保人数（人）", False),
        ("千分比（‰）", False),
        ("（%）参保率", False),  # not at the end: not the column's unit
    ],
)
def test_name_declares_percent(name, declares):
    assert name_declares_percent(name) is declares


def test_without_remark_drops_only_the_trailing_parentheses():
    assert without_remark("住院救助比例（低保对象）") == "住院救助比例"
    assert without_remark("（%）参保率") == "（%）参保率"


@pytest.mark.parametrize(
    ("name", "number", "unit"),
    [
        ("补助资金到位率", Decimal(100), "%"),  # seed 000: 1 on a 到位率 means 100%
        ("随访频率", Decimal(1), ""),
        ("覆盖人数", Decimal(1), ""),
        ("签约人数增长率", Decimal(1), ""),  # growth: 1 is not 100%
        ("造林面积（亩）", Decimal(1), "亩"),  # the name's unit, not a share
        ("到位率（%）", Decimal(1), "%"),  # the column is in percent: 1 is 1%
    ],
)
def test_a_bare_one_means_100_percent_only_on_a_rate(name, number, unit):
    parsed = parse_value("1", indicator_name=name)
    assert (parsed.number, parsed.unit) == (number, unit)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("参保率（%）", "%"),
        ("参保率(％)", "%"),
        ("出生缺陷发生率(‰)", "‰"),
        ("造林面积（亩）", "亩"),
        ("造林面积(亩)", "亩"),
        ("道路改造长度(公里)", "公里"),
        ("新建道路(km)", "km"),
        ("培训（人次）", "人次"),
        ("项目总投入（万元）", "万元"),
        ("补助标准（元/人）", "元/人"),
        ("补助标准(元/人/年)", "元/人/年"),
        ("补助标准（元／人／年）", "元/人/年"),
        ("改造面积（平方米）", "平方米"),
        ("改造面积（㎡）", "㎡"),
        ("改造面积（m²）", "m²"),
        ("新建村卫生室（个）", "个"),
        ("新建学校（所）", "所"),
        ("检查频率（次/年）", "次/年"),
        ("退耕还林面积（万亩）", "万亩"),
        ("资金规模（单位：万元）", "万元"),
        ("参保人数（ 人 ）", "人"),
        ("审批时限（个工作日）", "个工作日"),
    ],
)
def test_unit_in_name(name, unit):
    assert unit_in_name(name) == unit


@pytest.mark.parametrize(
    "name",
    [
        "住院医疗费用救助比例（低保对象）",  # a remark
        "资助参保人数（含特困人员）",
        "苗木成活率(≥**%)",  # a template placeholder, not a unit
        "项目总投入(≥**万元)",
        "PPP项目数（PPP）",  # letters that are no unit symbol
        "（亩）造林面积",  # not at the end
        "造林面积",
        "绿化（亩）面积",
        "第一项（一）",
        "",
    ],
)
def test_no_unit_in_name(name):
    assert unit_in_name(name) == ""
