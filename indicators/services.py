"""Writes of indicator trees."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from indicators.models import PerformanceIndicator
from indicators.selectors import FrameworkIndex

MAX_LEVEL = PerformanceIndicator.Level.SUB_ITEM


@transaction.atomic
def indicator_tree_create(
    *, table, nodes: Sequence[Mapping[str, Any]], user=None
) -> list[PerformanceIndicator]:
    """Append a nested tree ({name, value, description, basis, children}) to `table`.

    Rows are inserted level by level (four INSERTs whatever the size) with their history,
    each 一级/二级 row linked to its framework category.
    """
    index = FrameworkIndex(table.framework or table.default_framework(table.year))
    existing_roots = PerformanceIndicator.objects.filter(table=table, level=1).count()
    created: list[PerformanceIndicator] = []
    level_nodes = [(None, existing_roots + pos, node) for pos, node in enumerate(nodes, 1)]
    level = 1
    while level_nodes:
        if level > MAX_LEVEL:
            raise ValueError("指标最多四级（一级、二级、三级及子项）。")
        rows = []
        for parent, position, node in level_nodes:
            row = PerformanceIndicator(
                table=table,
                parent=parent,
                level=level,
                position=position,
                name=str(node.get("name", "")).strip(),
                value_text=str(node.get("value", "") or "").strip() if level >= 3 else "",
                description=str(node.get("description", "") or "").strip(),
                basis=str(node.get("basis", "") or "").strip(),
            )
            row.category = index.resolve(level, row.name)
            row.refresh_parsed_value()
            rows.append(row)
        # Primary keys come back from the INSERT (PostgreSQL; SQLite ≥ 3.35).
        rows = bulk_create_with_history(rows, PerformanceIndicator, default_user=user)
        created.extend(rows)
        level_nodes = [
            (row, pos, child)
            for row, (_, _, node) in zip(rows, level_nodes, strict=True)
            for pos, child in enumerate(node.get("children") or [], 1)
        ]
        level += 1
    return created

