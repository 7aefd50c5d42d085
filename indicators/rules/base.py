"""What every rule works on: a row with its place in the tree, and how findings are recorded."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from indicators.framework import is_cost_name
from indicators.models import FrameworkCategory, PerformanceIndicator
from indicators.names import without_remark
from indicators.rules.vocabulary import (
    COST,
    COST_UNIT_PREFIXES,
    HINT_COMPARATORS,
    PLACEHOLDER_HINT_RE,
    SATISFACTION,
    SATISFACTION_SECOND,
)
from indicators.selectors import FrameworkIndex, TreeNode
from indicators.values import ParsedValue, ValueKind, parse_value, period_bounds, split_name_value
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable

E, W = Severity.ERROR, Severity.WARNING
Layout = TargetTable.Layout
# The print-order key of a finding about the whole table: before every row.
TABLE_ORDER = -1


@dataclass
class Row:
    """A row with what the rules need to know about its place in the tree."""

    node: TreeNode
    order: int
    label: str
    first: PerformanceIndicator | None  # the 一级 ancestor row
    second: PerformanceIndicator | None  # the 二级 ancestor row
    first_cat: FrameworkCategory | None  # framework 一级 the row falls under
    second_cat: FrameworkCategory | None
    parent: Row | None = None

    @property
    def row(self) -> PerformanceIndicator:
        return self.node.indicator

    @cached_property
    def name(self) -> str:
        """The 三级 name; on a nameless cell that holds 「门诊人次≥5000人次」, its name part."""
        name = self.row.name.strip()
        if name or self.row.level < 3:
            return name
        split = split_name_value(self.row.value_text)
        return split[0] if split else ""

    @cached_property
    def value(self) -> str:
        if self.row.name.strip():
            return self.row.value_text
        split = split_name_value(self.row.value_text)
        return split[1] if split else self.row.value_text


class RuleBase:
    """The recording side of the rules; the mixins add the rules themselves, reading the
    state the composed class (indicators.rules._RowRules) sets up."""

    layout: str
    framework: FrameworkIndex
    tree: list[TreeNode]
    chosen: str  # the generation the bureau chose, or ""
    generation: str  # the generation the table is checked against
    other_generation: str
    year: int | None
    period_end: date | None
    findings: list[tuple[int, Finding]]

    def add(self, order: int, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.findings.append((order, Finding(code, severity, message, **kwargs)))

    def header(self, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.add(TABLE_ORDER, code, severity, message, **kwargs)

    def at(self, info: Row, code: str, severity: Severity, message: str, **kwargs) -> None:
        if kwargs.get("suggestion") and info.value != info.row.value_text:
            # A nameless cell holding 「门诊人次≥5000人次」: the suggestion replaces the cell.
            kwargs["suggestion"] = info.name + kwargs["suggestion"]
        self.add(
            info.order,
            code,
            severity,
            f"{info.label}：{message}",
            indicator_id=info.row.pk,
            **kwargs,
        )


def with_template_hint(parsed: ParsedValue, name: str) -> ParsedValue:
    """项目总投入(≥**万元) with 6070: the template's placeholder states the comparator and
    the unit the bare number is in (the placeholder itself is reported once, elsewhere)."""
    match = PLACEHOLDER_HINT_RE.search(name)
    if match is None or parsed.kind is not ValueKind.QUANTITATIVE:
        return parsed
    changes = {}
    unit = match["unit"].strip()
    if not parsed.unit and unit:
        changes.update(unit=unit.replace("％", "%"), unit_implied=True)
    symbol = HINT_COMPARATORS.get(match["cmp"] or "")
    if parsed.comparator is None and symbol is not None:
        changes["comparator"] = symbol
    return dataclasses.replace(parsed, **changes) if changes else parsed


def is_cost(info: Row) -> bool:
    return (info.second_cat is not None and is_cost_name(info.second_cat.name)) or (
        info.first_cat is not None and info.first_cat.name == COST
    )


def is_money(unit: str) -> bool:
    # 250万 in a cost row is 250万元 written short.
    return unit.startswith(COST_UNIT_PREFIXES) or unit == "万"


def compact_text(text: str) -> str:
    return re.sub(r"[\s\u3000。.]+", "", text or "")


def is_satisfaction(info: Row) -> bool:
    bare = without_remark(info.name)
    return "满意" in bare and "不满意" not in bare


def in_satisfaction_block(info: Row) -> bool:
    return (info.first_cat is not None and info.first_cat.name == SATISFACTION) or (
        info.second_cat is not None and info.second_cat.name == SATISFACTION_SECOND
    )


def default_generation(year: int | None) -> str:
    """The year's framework (TargetTable.default_framework); the newer one without a year."""
    return TargetTable.default_framework(year) if year is not None else "2021"


def period_end(period: str, year: int | None) -> date | None:
    """The last day of the project's 实施期 when stated, else of the budget year."""
    if period and period.strip():
        parsed = parse_value(period)
        if parsed.kind is ValueKind.PERIOD:
            end = period_bounds(parsed, year=year)[1]
            if end is not None:
                return end
    return date(year, 12, 31) if year else None
