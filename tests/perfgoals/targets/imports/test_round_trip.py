"""Export → import gives the same header values and indicator tree, for every demo table."""

import pytest

from indicators.selectors import indicator_tree
from perfgoals.exports.documents.special_funds import wide_cells
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.selectors import TableExport
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.layouts import Layout, layout_spec
from perfgoals.models import TargetTable
from perfgoals.targets.imports.parser import walk_nodes
from perfgoals.targets.imports.services import parse_upload, preview_tables

pytestmark = pytest.mark.django_db

NODE_KEYS = (
    "name",
    "value",
    "description",
    "basis",
    "symbol",
    "target",
    "unit",
    "value_explanation",
    "standard",
    "scoring",
)
# Printed elsewhere than in the header: the title as the sheet title, the unit in a caption.
SKIP = {"title", "amount_unit"}


def saved_tree(nodes) -> list[dict]:
    out = []
    for node in nodes:
        ind = node.indicator
        item = {"name": ind.name, "value": ind.value_text if ind.level >= 3 else ""}
        item |= {k: getattr(ind, k) for k in NODE_KEYS[2:]}
        item["children"] = saved_tree(node.children)
        out.append(item)
    return out


def parsed_tree(nodes) -> list[dict]:
    return [
        {**{k: n.get(k, "") for k in NODE_KEYS}, "children": parsed_tree(n.get("children", []))}
        for n in nodes
    ]


def printed_header(table: TargetTable) -> dict:
    spec = layout_spec(table.layout)
    values = {name: getattr(table, name) for name in spec.labels if name not in SKIP}
    if spec.spending_plan:
        values |= dict(zip(TargetTable.SPENDING_PLAN_FIELDS, table.spending_plan, strict=True))
    return {k: ("" if v is None else v) for k, v in values.items()}


def imported_header(header: dict, table: TargetTable) -> dict:
    return {k: ("" if header.get(k) is None else header.get(k, "")) for k in printed_header(table)}


def demo_tables():
    return list(TargetTable.objects.order_by("pk"))


def test_every_demo_table_round_trips(demo):
    results = {}
    for table in demo_tables():
        content = render_xlsx(build_document("target", resolve("target", str(table.pk), None)))
        parsed = parse_upload(content)
        assert len(parsed.tables) == 1, (table.pk, table.layout, parsed.skipped)
        got = parsed.tables[0]
        problems = []
        if got.layout != table.layout:
            problems.append(f"layout {got.layout}")
        want, have = printed_header(table), imported_header(got.header, table)
        if table.layout == Layout.DEPARTMENT:
            want.pop("project_name")  # printed as the organisation's name when empty
        diff = {k: (want[k], have.get(k)) for k in want if want[k] != have.get(k)}
        if diff:
            problems.append(f"header {diff}")
        tree = indicator_tree(table_id=table.pk)
        if table.layout == Layout.SPECIAL_FUND:
            # The wide table prints each 二级's indicators as 名称：指标值 lines in its column.
            reimported = TableExport(table, [], {}, None)
            if wide_cells(TableExport(table, tree, {}, None)) != _wide_of(got):
                problems.append("wide cells")
            del reimported
        elif saved_tree(tree) != parsed_tree(got.tree):
            problems.append("tree")
        if got.unrecognised:
            problems.append(f"unrecognised {got.unrecognised[:3]}")
        # The table's own wording of its labels (seed 001's 项目负责人及电话) comes back too.
        labels = preview_tables(parsed, organisation=table.organisation)[0].table.printed_labels
        if labels != table.printed_labels:
            problems.append(f"labels {labels} != {table.printed_labels}")
        results[table.pk] = problems
    failed = {pk: p for pk, p in results.items() if p}
    print(f"round trip: {len(results) - len(failed)}/{len(results)} demo tables identical")
    assert not failed, failed


def _wide_of(parsed) -> list[str]:
    from perfgoals.exports.documents.special_funds import WIDE_COLUMNS

    texts = {label.replace("\n", ""): [] for _, _, label in WIDE_COLUMNS}
    for l1 in parsed.tree:
        for l2 in l1["children"]:
            for leaf in l2["children"]:
                sep = "：" if leaf["name"] and leaf.get("value") else ""
                texts[l2["name"]].append(f"{leaf['name']}{sep}{leaf.get('value', '')}")
    return ["\n".join(texts[label.replace("\n", "")]) for _, _, label in WIDE_COLUMNS]


def test_demo_imports_check_like_the_saved_tables(demo):
    from perfgoals.targets.checks import check_table

    table = TargetTable.objects.filter(layout=Layout.PROJECT).order_by("pk").first()
    content = render_xlsx(build_document("target", resolve("target", str(table.pk), None)))
    preview = preview_tables(parse_upload(content), organisation=table.organisation)[0]
    assert [f.message for f in preview.findings] == [f.message for f in check_table(table)]
    assert all(node.get("name") is not None for node in walk_nodes(preview.parsed.tree))


def test_seed_004_department_workbook_imports_every_table(demo):
    from perfgoals.layouts import Layout as L

    dept = TargetTable.objects.filter(layout=L.DEPARTMENT, project_code="").order_by("-pk")
    sample = TargetTable.objects.filter(layout=L.DEPT_PROJECT).first()
    ident = f"{sample.organisation_id}-{sample.year}"
    content = render_xlsx(build_document("department", resolve("department", ident, None)))
    parsed = parse_upload(content)
    saved = TargetTable.objects.filter(organisation=sample.organisation, year=sample.year)
    want = sorted((t.layout, t.project_name) for t in saved if t.layout == L.DEPT_PROJECT)
    have = sorted(
        (t.layout, t.header.get("project_name"))
        for t in parsed.tables
        if t.layout == L.DEPT_PROJECT
    )
    assert have == want and len(want) == 16
    assert dept.exists()
    print("department workbook sheets skipped:", parsed.skipped)


@pytest.mark.parametrize("layout", [Layout.DEPT_PROJECT, Layout.PROJECT, Layout.TRANSFER])
def test_sub_items_round_trip_in_each_tree_layout(demo, layout):
    from indicators.services import indicator_tree_create

    source = TargetTable.objects.filter(layout=layout).order_by("pk").first()
    table = TargetTable.objects.get(pk=source.pk)
    table.pk = None
    table.project_name = "子项往返"
    table.approved_snapshot = None
    table.status = TargetTable.Status.DRAFT
    table.save()
    indicator_tree_create(
        table=table,
        nodes=[
            {
                "name": "产出指标",
                "children": [
                    {
                        "name": "数量指标",
                        "children": [
                            {
                                "name": "资助参保人次",
                                "children": [
                                    {
                                        "name": "特困人员",
                                        "value": "≧85%",
                                        "description": "特困",
                                        "basis": "文件",
                                    },
                                    {
                                        "name": "低保对象",
                                        "value": ">=100人",
                                        "description": "低保",
                                        "basis": "",
                                    },
                                ],
                            },
                            {
                                "name": "培训人次",
                                "value": "≥200人次",
                                "description": "培训",
                                "basis": "计划",
                            },
                        ],
                    }
                ],
            },
            {
                "name": "成本指标",
                "children": [
                    {
                        "name": "经济成本指标",
                        "children": [
                            {"name": "人均补助", "value": "≤300元", "description": "", "basis": ""}
                        ],
                    }
                ],
            },
        ],
    )
    content = render_xlsx(build_document("target", resolve("target", str(table.pk), None)))
    got = parse_upload(content).tables[0]
    want = saved_tree(indicator_tree(table_id=table.pk))
    if layout != Layout.DEPT_PROJECT:  # layouts A and B print no description or basis
        for node in walk_nodes(want):
            node["description"] = node["basis"] = ""
    assert parsed_tree(got.tree) == want
    assert got.unrecognised == []


def test_department_table_with_its_indicator_sheet_round_trips(demo):
    from indicators.services import indicator_tree_create

    table = TargetTable.objects.filter(layout=Layout.DEPARTMENT).order_by("pk").first()
    nodes = [
        {
            "name": "产出指标",
            "children": [
                {"name": "数量指标", "children": [{"name": "履职事项完成数", "value": "≥12项"}]}
            ],
        },
        {
            "name": "满意度指标",
            "children": [
                {
                    "name": "服务对象满意度指标",
                    "children": [{"name": "群众满意度", "value": "≥90%"}],
                }
            ],
        },
    ]
    indicator_tree_create(table=table, nodes=nodes)
    content = render_xlsx(build_document("target", resolve("target", str(table.pk), None)))
    parsed = parse_upload(content)
    assert len(parsed.tables) == 1 and parsed.skipped == []
    assert parsed_tree(parsed.tables[0].tree) == saved_tree(indicator_tree(table_id=table.pk))
