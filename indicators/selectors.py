"""Reads of indicator trees and the framework vocabulary."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from indicators.framework import normalise_category_name
from indicators.models import FrameworkCategory, LintAcknowledgement, PerformanceIndicator


@dataclass
class TreeNode:
    indicator: PerformanceIndicator
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def leaf_count(self) -> int:
        """Rows this node spans when printed (a 三级 with sub-items spans its sub-items)."""
        if not self.children:
            return 1
        return sum(child.leaf_count for child in self.children)


def build_tree(indicators: Iterable[PerformanceIndicator]) -> list[TreeNode]:
    """Nest a flat list of one table's rows; siblings ordered by position, then id."""
    nodes = {ind.pk: TreeNode(ind) for ind in indicators}
    roots: list[TreeNode] = []
    for node in sorted(nodes.values(), key=lambda n: (n.indicator.position, n.indicator.pk)):
        parent_id = node.indicator.parent_id
        if parent_id is None:
            roots.append(node)
        elif parent_id in nodes:
            nodes[parent_id].children.append(node)
    return roots


def indicator_tree(*, table_id: int) -> list[TreeNode]:
    """The whole tree of a table in one query."""
    rows = PerformanceIndicator.objects.filter(table_id=table_id).select_related("category")
    return build_tree(rows)


def walk(nodes: list[TreeNode]) -> Iterable[TreeNode]:
    """Pre-order: the order in which rows print."""
    for node in nodes:
        yield node
        yield from walk(node.children)


class FrameworkIndex:
    """Name → category lookups for one generation, loaded with one query."""

    def __init__(self, generation: str):
        self.generation = generation
        self.first: dict[str, FrameworkCategory] = {}
        self.second: dict[str, FrameworkCategory] = {}
        categories = FrameworkCategory.objects.filter(generation=generation).select_related(
            "parent"
        )
        for category in categories:
            target = self.first if category.level == 1 else self.second
            for spelling in [category.name, *category.synonym_list()]:
                target[normalise_category_name(spelling)] = category

    def resolve(self, level: int, name: str) -> FrameworkCategory | None:
        key = normalise_category_name(name)
        if level == 1:
            return self.first.get(key)
        if level == 2:
            return self.second.get(key)
        return None


def lint_acknowledgements(*, table_id: int) -> dict[str, LintAcknowledgement]:
    """The table's acknowledged warnings by finding key, with who confirmed them (one query)."""
    rows = LintAcknowledgement.objects.filter(table_id=table_id).select_related("acknowledged_by")
    return {row.key: row for row in rows}


def lint_open_findings(table) -> list:
    """What stands in the way of submitting: every error and each unacknowledged warning."""
    from indicators.lint import Severity, lint_table

    acknowledged = set(
        LintAcknowledgement.objects.filter(table_id=table.pk).values_list("key", flat=True)
    )
    return [
        finding
        for finding in lint_table(table)
        if finding.severity == Severity.ERROR or finding.key not in acknowledged
    ]
