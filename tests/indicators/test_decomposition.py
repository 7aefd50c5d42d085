"""How an upper value decomposes (indicators.decomposition): read with the value grammar."""

import pytest

from indicators.decomposition import Rule, rule_of
from indicators.values import parse_value


@pytest.mark.parametrize(
    ("value", "name", "rule"),
    [
        ("≥85%", "签约对象满意度", Rule.FLOOR),
        ("≧85%", "签约对象满意度", Rule.FLOOR),
        ("1", "补助资金到位率", Rule.FLOOR),  # a bare 1 on a rate is 100%
        ("≤5%", "差错率", Rule.FLOOR),  # a ceiling is kept the same way
        (">=15307人", "受益建档立卡贫困人口数", Rule.SUM),
        ("7602人", "签约人数", Rule.SUM),
        ("≥1.5万人次", "服务人次", Rule.SUM),
        ("3.88万元", "补助资金", Rule.SUM),
        ("12元/人/年", "签约服务补助经费", Rule.NONE),  # a standard per head
        ("2020年9月至2021年8月", "实施时间", Rule.NONE),
        ("长期", "可持续影响", Rule.NONE),
        ("90%~95%", "覆盖率", Rule.NONE),  # a range has no single bound
        ("", "空", Rule.NONE),
    ],
)
def test_rule_follows_the_parsed_value(value, name, rule):
    assert rule_of(parse_value(value, indicator_name=name)) is rule
