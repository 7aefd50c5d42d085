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


@pytest.mark.django_db
def test_the_rows_serving_an_indicator_come_by_recipient_name_then_table_then_row(
    django_assert_num_queries,
):
    """Recipients in the order of their names as the database sorts them (not in the order
    their tables were created), a recipient's tables by id, each table's rows as stored; each
    labelled with its own table, in two queries however many recipients there are."""
    from indicators.decomposition import decomposition_of
    from indicators.models import PerformanceIndicator
    from indicators.services import indicator_tree_create
    from tests.factories import OrganisationFactory, TargetTableFactory

    upper = TargetTableFactory(project_name="上级项目")
    indicator_tree_create(
        table=upper,
        nodes=[
            {
                "name": "产出指标",
                "children": [
                    {"name": "数量指标", "children": [{"name": "签约人数", "value": "≥100人"}]}
                ],
            }
        ],
    )
    leaf = PerformanceIndicator.objects.get(table=upper, level=3)
    b_bureau = OrganisationFactory(name="B县卫生健康局")  # created first, listed last
    a_bureau = OrganisationFactory(name="A县卫生健康局")
    tables = {
        "b": TargetTableFactory(organisation=b_bureau, title="乙项目"),
        "a1": TargetTableFactory(organisation=a_bureau, title="甲项目一"),
        "a2": TargetTableFactory(organisation=a_bureau, title="甲项目二"),
    }
    served = {}
    for key, count in (("a2", 2), ("b", 1), ("a1", 1)):  # rows saved out of table order
        leaves = [{"name": f"签约人数{key}{n}", "value": "60人"} for n in range(count)]
        nodes = [{"name": "产出指标", "children": [{"name": "数量指标", "children": leaves}]}]
        indicator_tree_create(table=tables[key], nodes=nodes)
        rows = PerformanceIndicator.objects.filter(table=tables[key], level=3).order_by("pk")
        rows.update(upper_indicator=leaf)
        served[key] = list(rows)
    with django_assert_num_queries(2):
        decomposition = decomposition_of(upper)
    (node,) = decomposition.indicators
    assert [(s.table_label, s.indicator.pk) for s in node.served] == [
        ("A县卫生健康局《甲项目一》", served["a1"][0].pk),
        ("A县卫生健康局《甲项目二》", served["a2"][0].pk),
        ("A县卫生健康局《甲项目二》", served["a2"][1].pk),
        ("B县卫生健康局《乙项目》", served["b"][0].pk),
    ]
    assert node.total == 240
