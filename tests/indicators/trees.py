"""Small factory tables with an indicator tree, and finding filters, for rules and checks."""

import copy
from decimal import Decimal

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.findings import Finding
from perfgoals.models import TargetTable
from tests.factories import TargetTableFactory

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


def dept_tree(description="参保居民政策知晓率", basis="上级文件政策", name="政策知晓率"):
    nodes = tree()
    for node in _walk(nodes):
        if "value" in node:
            node["description"] = f"{node['name']}的完成情况"
            node["basis"] = f"上级文件政策（{node['name']}）"
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
