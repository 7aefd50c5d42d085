"""Reads of indicator trees and the framework vocabulary."""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from indicators.framework import normalise_category_name, regional_category_name
from indicators.models import FrameworkCategory, LintAcknowledgement, PerformanceIndicator
from perfgoals.prepared import PreparedReads


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


# What a row prints beyond its own columns: the framework category and the citation of its
# 指标值确定依据 (joined, so printing a tree stays one query).
ROW_RELATIONS = ("category", "basis_paragraph__document", "basis_notice")


def indicator_tree(*, table_id: int) -> list[TreeNode]:
    """The whole tree of a table in one query."""
    rows = PerformanceIndicator.objects.filter(table_id=table_id).select_related(*ROW_RELATIONS)
    return build_tree(rows)


def attach_basis_sources(rows: Iterable[PerformanceIndicator]) -> None:
    """Load what rows cite (rows rebuilt from a snapshot carry only the ids): one query per
    kind of source cited, none when nothing is cited. A source deleted since prints nothing."""
    rows = list(rows)
    for name, related in (("basis_paragraph", ("document",)), ("basis_notice", ())):
        field = PerformanceIndicator._meta.get_field(name)
        ids = {getattr(row, field.attname) for row in rows} - {None}
        if not ids:
            continue
        found = field.related_model.objects.select_related(*related).in_bulk(ids)
        for row in rows:
            if getattr(row, field.attname) is not None:
                setattr(row, name, found.get(getattr(row, field.attname)))


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
        """The 一级 (level 1) or 二级 (level 2) category `name` spells; None for 三级 and below.

        Names and synonyms stored on the categories (which administrators may extend) come
        first; a regional spelling (项目完成指标, 数量指标(必填硬性指标)) is then resolved by
        the words it contains.
        """
        names = self.lookup.get((generation, level), {})
        found = names.get(normalise_category_name(name))
        if found is None and level in (1, 2):
            regional = regional_category_name(generation, level, name)
            found = names.get(regional) if regional else None
        return found

    def parent_of(self, category: FrameworkCategory) -> FrameworkCategory | None:
        return self.by_pk.get(category.parent_id) if category.parent_id else None

    def children_of(self, category: FrameworkCategory) -> list[FrameworkCategory]:
        """The 二级 of a 一级, in framework order."""
        children = [c for c in self.by_pk.values() if c.parent_id == category.pk]
        return sorted(children, key=lambda c: c.position)


# The framework is reference data: loaded by a migration, its synonyms extended now and then
# by an administrator. The checks read it on every page of a table, so each process keeps
# one index, as django.contrib.sites keeps the current Site: a save or delete in this process
# drops it at once (indicators.apps), another process reads it again within
# FRAMEWORK_INDEX_SECONDS. Writes that link rows to categories build their own index.
FRAMEWORK_INDEX_SECONDS = 60
_framework_index: tuple[float, FrameworkIndex] | None = None


def framework_index() -> FrameworkIndex:
    """The framework's categories for reading, shared by the requests of this process (one
    query a minute at most). Its categories are shared too: never change them."""
    global _framework_index
    cached = _framework_index
    now = time.monotonic()
    if cached is None or now - cached[0] > FRAMEWORK_INDEX_SECONDS:
        cached = _framework_index = (now, FrameworkIndex())
    return cached[1]


def forget_framework_index(**kwargs) -> None:
    """Drop this process's framework index: a category was saved or deleted (a signal
    receiver, hence the keyword arguments) or a test starts on other data."""
    global _framework_index
    _framework_index = None


def in_table_order(rows: Iterable[PerformanceIndicator]) -> list[PerformanceIndicator]:
    """`rows` in PerformanceIndicator's Meta.ordering, sorted in Python: read them with
    `.order_by()` (see perfgoals.selectors.sorted_by, which this is for indicator rows)."""
    return sorted(rows, key=lambda row: (row.table_id, row.level, row.position, row.pk))


def lint_acknowledgements(*, table_id: int) -> dict[str, LintAcknowledgement]:
    """The table's acknowledged warnings by finding key (one query, unordered: a key is
    unique within a table). Who confirmed them is not joined: the page names them with the
    review's actors in one query of users (perfgoals.selectors.attach_users)."""
    acknowledgements = _table_reads.list(
        ("acknowledgements",),
        lambda pk: LintAcknowledgement.objects.filter(table_id=pk).order_by(),
        table_id,
    )
    return {row.key: row for row in acknowledgements}


def indicator_rows(*, table_id: int) -> list[PerformanceIndicator]:
    """A table's rows, flat (one query), with what their 指标值确定依据 cite (a
    query per kind of source cited, none when none is).

    Nothing joined: the pages resolve categories with the checks' FrameworkIndex by name, and
    the sources are read apart because few rows cite one and their sixty-odd columns, joined
    to every row, made this the most expensive query of a page to compile.
    """
    rows = in_table_order(
        _table_reads.list(
            ("rows",),
            lambda pk: PerformanceIndicator.objects.filter(table_id=pk).order_by(),
            table_id,
        )
    )
    attach_basis_sources(rows)
    return rows


# A table's rows and acknowledgements, read on every table page: compiled once per thread.
_table_reads = PreparedReads()


def indicator_values(*, table_id: int) -> list[PerformanceIndicator]:
    """A table's rows with only their place in the tree, name and value (one query)."""
    return list(
        PerformanceIndicator.objects.filter(table_id=table_id).only(
            "id", "parent_id", "name", "value_text"
        )
    )


def indicator_get(
    *, table_id: int, indicator_id: int | None, with_parent: bool = False
) -> PerformanceIndicator | None:
    """The table's row `indicator_id`, or None when it has no such row (one query at most)."""
    if indicator_id is None:
        return None
    rows = PerformanceIndicator.objects.filter(table_id=table_id, pk=indicator_id)
    if with_parent:
        rows = rows.select_related("parent")
    return rows.first()


def indicator_level(*, table_id: int, indicator_id: int) -> int | None:
    """The level of the table's row `indicator_id`; None when it has no such row (one query)."""
    return (
        PerformanceIndicator.objects.filter(table_id=table_id, pk=indicator_id)
        .values_list("level", flat=True)
        .first()
    )


def sibling_index(row: PerformanceIndicator) -> int:
    """The row's 0-based place among its siblings: how many come before it (one query)."""
    return (
        PerformanceIndicator.objects.filter(table_id=row.table_id, parent_id=row.parent_id)
        .filter(position__lt=row.position)
        .count()
    )


def rows_below(row: PerformanceIndicator) -> int:
    """How many rows sit under `row`, at every depth (one query)."""
    node = next(n for n in walk(indicator_tree(table_id=row.table_id)) if n.indicator == row)
    return sum(1 for _ in walk(node.children))


def framework_category_names(*, generation: str) -> dict[str, list[str]]:
    """The framework's 一级 and 二级 names of one generation, in framework order (one query)."""
    names: dict[str, list[str]] = {"first": [], "second": []}
    for category in FrameworkCategory.objects.filter(generation=generation).order_by(
        "level", "parent__position", "position"
    ):
        names["first" if category.level == 1 else "second"].append(category.name)
    return names
