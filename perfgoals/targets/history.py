"""A target table's versions (修改记录), its state at a version, and the difference of two.

Every write claims the table's next version, and the claim leaves one history record of the
table (`perfgoals.services.target_table_claim_version`). So the table at version N is:

- the header of the table's last record of version N (a later save of the same version, such
  as a change of status, writes another record of it);
- the indicator rows as their own history records stood just before version N+1 was claimed,
  or as they stand now for the latest version.

Everything is replayed from two queries, the table's records and its rows' records, whatever
the number of rows or versions. A row is the same row across versions by its id, so a rename
shows as a change and a deleted row as removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from indicators.models import PerformanceIndicator
from perfgoals.display import amount_with_unit, percent, unit_label
from perfgoals.layouts import INDICATOR_COLUMNS, layout_spec
from perfgoals.models import TargetTable, User

# The row columns compared, with the labels the printed table uses.
ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "指标名称"),
    ("value_text", "指标值"),
    ("description", "绩效指标描述"),
    ("basis", "指标值确定依据"),
    *INDICATOR_COLUMNS,
)
ORDER_LABEL = "同级顺序"
_ROW_VALUES = ("id", "parent_id", "level", "position", *(name for name, _ in ROW_COLUMNS))


class VersionNotFound(ValueError):
    """The table has no recorded version of that number."""

    def __init__(self, table: TargetTable, number: Any, known: Iterable[int]):
        known = sorted(known)
        self.number = number
        if known:
            recorded = f"第{known[0]}版" if len(known) == 1 else f"第{known[0]}版至第{known[-1]}版"
            self.message = f"此表没有第{number}版的修改记录；现有记录为{recorded}。"
        else:
            self.message = "此表还没有修改记录。"
        super().__init__(self.message)


@dataclass(frozen=True)
class Row:
    """One indicator row as it stood at a version."""

    id: int
    parent_id: int | None
    level: int
    position: int
    values: Mapping[str, str]

    @property
    def name(self) -> str:
        return self.values["name"]

    @property
    def level_label(self) -> str:
        return str(PerformanceIndicator.Level(self.level).label)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    """A row added, removed or changed, with the path of 一级/二级 names above it."""

    kind: str  # "added", "removed" or "changed"
    row: Row
    path: list[str]
    changes: list[FieldChange]

    KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改"}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS[self.kind]


@dataclass
class HeaderValue:
    field: str
    label: str
    text: str


@dataclass
class Version:
    number: int
    user: User | None
    when: datetime
    summary: str = ""
    created: bool = False
    # The recorded version before this one; None for the first.
    previous: int | None = None


@dataclass
class TableState:
    version: Version
    header: list[HeaderValue]
    # Print order: pre-order, siblings by position.
    rows: list[Row]
    paths: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class TableDiff:
    old: Version
    new: Version
    header: list[FieldChange]
    rows: list[RowChange]

    @property
    def empty(self) -> bool:
        return not self.header and not self.rows


# --- Loading and replaying -------------------------------------------------------------------


@dataclass
class _Recorded:
    version: Version
    header: Any  # the table's last historical record of this version


class _History:
    """The table's records and its rows' records, read once (two queries)."""

    def __init__(self, table: TargetTable):
        self.table = table
        records = (
            TargetTable.history.filter(id=table.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        self.versions: dict[int, _Recorded] = {}
        for record in records:
            recorded = self.versions.get(record.version)
            if recorded is None:
                version = Version(
                    number=record.version,
                    user=record.history_user,
                    when=record.history_date,
                    created=record.history_type == "+",
                )
                self.versions[record.version] = _Recorded(version, record)
            else:
                recorded.header = record
        self.numbers = sorted(self.versions, key=lambda n: self.versions[n].version.when)
        self.row_records = list(
            PerformanceIndicator.history.filter(table_id=table.pk)
            .order_by("history_date", "history_id")
            .values("history_date", "history_type", *_ROW_VALUES)
        )

    def recorded(self, number: Any) -> _Recorded:
        if number not in self.versions:
            raise VersionNotFound(self.table, number, self.versions)
        return self.versions[number]

    def end_of(self, number: int) -> datetime | None:
        """When the version after `number` was claimed; None for the latest."""
        index = self.numbers.index(number)
        if index + 1 < len(self.numbers):
            return self.versions[self.numbers[index + 1]].version.when
        return None

    def states(self, numbers: Iterable[int]) -> dict[int, dict[int, Row]]:
        """The rows at each version asked for, in one pass over the row records."""
        wanted = sorted(set(numbers), key=self.numbers.index)
        states: dict[int, dict[int, Row]] = {}
        current: dict[int, Row] = {}
        records = iter(self.row_records)
        pending = next(records, None)
        for number in wanted:
            end = self.end_of(number)
            while pending is not None and (end is None or pending["history_date"] < end):
                if pending["history_type"] == "-":
                    current.pop(pending["id"], None)
                else:
                    current[pending["id"]] = _row(pending)
                pending = next(records, None)
            states[number] = dict(current)
        return states

    def header(self, number: int) -> list[HeaderValue]:
        record = self.versions[number].header
        return [
            HeaderValue(name, label, _header_text(record, name))
            for name, label in layout_spec(record.layout).labels.items()
        ]


def _row(values: Mapping[str, Any]) -> Row:
    return Row(
        id=values["id"],
        parent_id=values["parent_id"],
        level=values["level"],
        position=values["position"],
        values={name: values[name] or "" for name, _ in ROW_COLUMNS},
    )


def _header_text(record: Any, name: str) -> str:
    value = getattr(record, name)
    if value is None:
        return ""
    if name == "amount_unit":
        return unit_label(value)
    if name in TargetTable.SPENDING_PLAN_FIELDS:
        return percent(value)
    if name in TargetTable.AMOUNT_FIELDS:
        return amount_with_unit(value, record.amount_unit)
    return str(value)


def _print_order(rows: Mapping[int, Row]) -> list[Row]:
    children: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows.values():
        parent = row.parent_id if row.parent_id in rows else None
        children[parent].append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r.position, r.id))
    ordered: list[Row] = []

    def visit(parent: int | None) -> None:
        for row in children.get(parent, []):
            ordered.append(row)
            visit(row.id)

    visit(None)
    return ordered


def _paths(rows: Mapping[int, Row]) -> dict[int, list[str]]:
    """The names of the rows above each row (一级, 二级 …)."""
    paths: dict[int, list[str]] = {}
    for row in _print_order(rows):
        parent = rows.get(row.parent_id) if row.parent_id is not None else None
        paths[row.id] = [*paths[parent.id], parent.name] if parent is not None else []
    return paths


def _ranks(rows: Mapping[int, Row], among: set[int]) -> dict[int, int]:
    """Each row's place among its siblings, counting only the rows in `among`: a row moved
    only by an insertion or a deletion above it keeps its place."""
    siblings: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows.values():
        if row.id in among:
            siblings[row.parent_id].append(row)
    ranks = {}
    for group in siblings.values():
        for rank, row in enumerate(sorted(group, key=lambda r: (r.position, r.id)), 1):
            ranks[row.id] = rank
    return ranks


def _row_fields(row: Row, *, added: bool) -> list[FieldChange]:
    return [
        FieldChange(label, "" if added else row.values[name], row.values[name] if added else "")
        for name, label in ROW_COLUMNS
        if row.values[name]
    ]


def _row_changes(old: Mapping[int, Row], new: Mapping[int, Row]) -> list[RowChange]:
    """Added, removed and changed rows in print order: the new version's order, each removed
    row after the row it followed in the old version."""
    common = set(old) & set(new)
    old_ranks, new_ranks = _ranks(old, common), _ranks(new, common)
    old_paths, new_paths = _paths(old), _paths(new)
    changes: dict[int, RowChange] = {}
    for row_id in common:
        before, after = old[row_id], new[row_id]
        fields = [
            FieldChange(label, before.values[name], after.values[name])
            for name, label in ROW_COLUMNS
            if before.values[name] != after.values[name]
        ]
        if old_ranks[row_id] != new_ranks[row_id] or before.parent_id != after.parent_id:
            fields.append(
                FieldChange(ORDER_LABEL, f"第{before.position}位", f"第{after.position}位")
            )
        if fields:
            changes[row_id] = RowChange("changed", after, new_paths[row_id], fields)
    for row_id in set(new) - common:
        changes[row_id] = RowChange(
            "added", new[row_id], new_paths[row_id], _row_fields(new[row_id], added=True)
        )
    # A removed row stands where it stood: after the subtree of the sibling it followed, or
    # first under its parent; rows below a removed row follow it.
    placed: dict[tuple[str, int | None], list[RowChange]] = defaultdict(list)
    removed_roots: dict[int, list[RowChange]] = {}
    previous_sibling: dict[int | None, int | None] = {}
    for row in _print_order(old):
        if row.id not in new:
            change = RowChange("removed", row, old_paths[row.id], _row_fields(row, added=False))
            if row.parent_id in removed_roots:
                group = removed_roots[row.parent_id]
            else:
                sibling = previous_sibling.get(row.parent_id)
                group = placed[("after", sibling) if sibling else ("first", row.parent_id)]
            group.append(change)
            removed_roots[row.id] = group
        previous_sibling[row.parent_id] = (
            row.id if row.id in new else previous_sibling.get(row.parent_id)
        )
    ordered = list(placed[("first", None)])
    children: dict[int | None, list[Row]] = defaultdict(list)
    for row in _print_order(new):
        children[row.parent_id if row.parent_id in new else None].append(row)

    def visit(parent: int | None) -> None:
        for row in children.get(parent, []):
            if row.id in changes:
                ordered.append(changes[row.id])
            ordered.extend(placed.get(("first", row.id), []))
            visit(row.id)
            ordered.extend(placed.get(("after", row.id), []))

    visit(None)
    return ordered


def _header_changes(old: list[HeaderValue], new: list[HeaderValue]) -> list[FieldChange]:
    before = {value.field: value.text for value in old}
    return [
        FieldChange(value.label, before.get(value.field, ""), value.text)
        for value in new
        if before.get(value.field, "") != value.text
    ]


def _summary(header: list[FieldChange], rows: list[RowChange]) -> str:
    parts = []
    if header:
        parts.append("修改表头：" + "、".join(change.label for change in header))
    counts = defaultdict(int)
    for change in rows:
        only_order = change.kind == "changed" and all(
            f.label == ORDER_LABEL for f in change.changes
        )
        counts["moved" if only_order else change.kind] += 1
    for kind, words in (
        ("added", "新增指标"),
        ("removed", "删除指标"),
        ("changed", "修改指标"),
        ("moved", "调整顺序"),
    ):
        if counts[kind]:
            parts.append(f"{words}{counts[kind]}行")
    return "；".join(parts) or "无内容变化"


# --- Selectors --------------------------------------------------------------------------------


def table_versions(table: TargetTable) -> list[Version]:
    """The recorded versions, newest first, each with who, when and what changed."""
    history = _History(table)
    states = history.states(history.numbers)
    versions = []
    previous: int | None = None
    for number in history.numbers:
        version = history.versions[number].version
        if previous is None:
            rows = len(states[number])
            version.summary = f"创建此表（指标{rows}行）" if version.created else "最早的记录"
        else:
            version.previous = previous
            version.summary = _summary(
                _header_changes(history.header(previous), history.header(number)),
                _row_changes(states[previous], states[number]),
            )
        versions.append(version)
        previous = number
    return versions[::-1]


def table_state(table: TargetTable, version: int) -> TableState:
    """The header and the indicator rows as they stood at `version`.

    Raises VersionNotFound when the table has no record of that version.
    """
    history = _History(table)
    recorded = history.recorded(version)
    rows = history.states([version])[version]
    return TableState(
        version=recorded.version,
        header=history.header(version),
        rows=_print_order(rows),
        paths=_paths(rows),
    )


def table_diff(table: TargetTable, a: int, b: int) -> TableDiff:
    """What changed from the older of versions `a` and `b` to the newer: header fields by
    their printed labels (old, new) and rows in print order.

    Raises VersionNotFound for a version the table has no record of.
    """
    history = _History(table)
    old, new = history.recorded(a), history.recorded(b)
    if history.numbers.index(a) > history.numbers.index(b):
        a, b, old, new = b, a, new, old
    states = history.states([a, b])
    return TableDiff(
        old=old.version,
        new=new.version,
        header=_header_changes(history.header(a), history.header(b)),
        rows=_row_changes(states[a], states[b]),
    )


def table_version_numbers(table: TargetTable) -> list[int]:
    """The recorded version numbers, oldest first (one query), for a version picker."""
    numbers = TargetTable.history.filter(id=table.pk).values_list("version", flat=True)
    return sorted(set(numbers))
