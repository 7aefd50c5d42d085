"""One answer to "is this indicator a rate?" for the value grammar and the row rules."""

from decimal import Decimal

import pytest

from indicators.names import name_declares_percent, name_is_rate, without_remark
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
    [("参保率（%）", True), ("参保率(％)", True), ("参保率", False), ("参保人数（人）", False)],
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
    ],
)
def test_a_bare_one_means_100_percent_only_on_a_rate(name, number, unit):
    parsed = parse_value("1", indicator_name=name)
    assert (parsed.number, parsed.unit) == (number, unit)
