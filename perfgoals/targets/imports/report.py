"""The preview as plain text lines, for the command line."""

from perfgoals.findings import Severity
from perfgoals.layouts import Layout, layout_spec
from perfgoals.models import TargetTable
from perfgoals.targets.imports.parser import ParsedWorkbook, walk_nodes
from perfgoals.targets.imports.services import TablePreview

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "子项"}
MAX_UNRECOGNISED = 50


def header_items(preview: TablePreview) -> list[tuple[str, str]]:
    """(printed label, value) of the header fields the import found, in print order."""
    spec = layout_spec(preview.table.layout)
    found = preview.parsed.header
    items = []
    labels = dict(spec.labels)
    for name in [*labels, *[n for n in found if n not in labels]]:
        if name not in found or found[name] in (None, ""):
            continue
        label = labels.get(name) or str(TargetTable._meta.get_field(name).verbose_name)
        value = found[name]
        if name == "amount_unit":
            value = {"wan": "万元", "yuan": "元"}.get(str(value), value)
        items.append((label, str(value)))
    return items


def tree_lines(nodes: list[dict], level: int = 1) -> list[tuple[int, dict]]:
    lines = []
    for node in nodes:
        lines.append((level, node))
        lines.extend(tree_lines(node.get("children", []), level + 1))
    return lines


def mid_note(preview: TablePreview) -> str:
    if not preview.parsed.has_mid_values:
        return ""
    return "中期指标值将保存到各指标的“中期指标值”。"


def preview_lines(parsed: ParsedWorkbook, previews: list[TablePreview]) -> list[str]:
    lines = [f"找到 {len(previews)} 张绩效目标表。"]
    for sheet, missing in parsed.skipped:
        lines.append(f"工作表“{sheet}”没有导入：缺少 {missing}。")
    for number, preview in enumerate(previews, 1):
        table = preview.table
        lines += [
            "",
            f"【{number}】{Layout(table.layout).label}（{preview.parsed.ref}），{table.year}年",
        ]
        lines += [f"  {label}：{value}" for label, value in header_items(preview)]
        rows = list(walk_nodes(preview.parsed.tree))
        lines.append(f"  绩效指标 {len(rows)} 行：")
        for level, node in tree_lines(preview.parsed.tree):
            value = node.get("value", "")
            mid = f"（中期：{node['value_mid']}）" if node.get("value_mid") else ""
            text = f"{node.get('name') or '（无名称）'}" + (f" = {value}" if value else "") + mid
            lines.append(f"  {'  ' * level}{LEVEL_NAMES[level]} {text}")
        if note := mid_note(preview):
            lines.append(f"  注意：{note}")
        for note in preview.parsed.notes:
            lines.append(f"  提示：{note}")
        for ref, text in preview.parsed.unrecognised[:MAX_UNRECOGNISED]:
            lines.append(f"  未识别：{ref}“{text[:40]}”")
        if len(preview.parsed.unrecognised) > MAX_UNRECOGNISED:
            lines.append(
                f"  ……另有 {len(preview.parsed.unrecognised) - MAX_UNRECOGNISED} 个未识别的单元格"
            )
        for error in preview.errors:
            lines.append(f"  不能导入：{error}")
        lines.append(f"  检查结果：{len(preview.findings)} 条")
        for finding in preview.findings:
            severity = "错误" if finding.severity == Severity.ERROR else "警告"
            lines.append(f"    [{severity}]{finding.message}")
    return lines
