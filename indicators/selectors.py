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
    """Nest a flat list of rows; siblings ordered by position, then id.

    Unsaved rows (no pk, as lint receives them) nest under the parent object they were given;
    a row whose parent is not in the list becomes a root.
    """

    def key(row: PerformanceIndicator) -> tuple[str, int]:
        return ("pk", row.pk) if row.pk is not None else ("obj", id(row))

    nodes = {key(ind): TreeNode(ind) for ind in indicators}
    roots: list[TreeNode] = []
    ordered = sorted(nodes.values(), key=lambda n: (n.indicator.position or 0, n.indicator.pk or 0))
    for node in ordered:
        row = node.indicator
        parent_key = None
        if row.parent_id is not None:
            parent_key = ("pk", row.parent_id)
        elif PerformanceIndicator.parent.is_cached(row) and row.parent is not None:
            parent_key = key(row.parent)
        if parent_key in nodes:
            nodes[parent_key].children.append(node)
        else:
            roots.append(node)
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
    """Name → category lookups for both framework generations, loaded with one query."""

    def __init__(self, categories: Iterable[FrameworkCategory] | None = None):
        if categories is None:
            categories = FrameworkCategory.objects.all()
        self.lookup: dict[tuple[str, int], dict[str, FrameworkCategory]] = {}
        self.by_pk: dict[int, FrameworkCategory] = {}
        for category in categories:
            self.by_pk[category.pk] = category
            names = self.lookup.setdefault((category.generation, category.level), {})
            for spelling in [category.name, *category.synonym_list()]:
                names[normalise_category_name(spelling)] = category

    def resolve(self, generation: str, level: int, name: str) -> FrameworkCategory | None:
        """The 一级 (level 1) or 二级 (level 2) category `name` spells; None for 三级 and below."""
        names = self.lookup.get((generation, level), {})
        return names.get(normalise_category_name(name))

    def parent_of(self, category: FrameworkCategory) -> FrameworkCategory | None:
        return self.by_pk.get(category.parent_id) if category.parent_id else None


def lint_acknowledgements(*, table_id: int) -> dict[str, LintAcknowledgement]:
    """The table's acknowledged warnings by finding key, with who confirmed them (one query)."""
    rows = LintAcknowledgement.objects.filter(table_id=table_id).select_related("acknowledged_by")
    return {row.key: row for row in rows}
