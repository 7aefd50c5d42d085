"""Decomposing the upper level's targets into the recipients' tables (目标分解).

A recipient's indicator serves an upper indicator (`PerformanceIndicator.upper_indicator`),
set when issuing copies the upper table or chosen by the bureau. What the recipients' values
must do depends on what the upper value is, read with the value grammar (indicators.values):

- a rate (≥85%): each recipient keeps the floor, ≥85% upstream cannot become ≥80% (a ceiling
  ≤5% likewise cannot become ≤8%);
- a count or an amount (受益人数 ≥15307人, 签约人数, 万元): the recipients' values together
  reach the upper value (or stay under a ceiling);
- anything else (a period, a standard per head, 长期, 明显提高): linked, not measured.

Pure functions of rows already read: the table checks (perfgoals.targets.checks), the notice
page and the decomposition page call them on what their selectors loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from django.db.models import F, QuerySet

from indicators.models import PerformanceIndicator
from indicators.selectors import build_tree, in_table_order, walk
from indicators.values import Comparator, ParsedValue, ValueKind, parse_value
from perfgoals.display import decimal_text
from perfgoals.prepared import PreparedReads

__all__ = [
    "Decomposition",
    "Rule",
    "ServedIndicator",
    "UpperIndicator",
    "decompose",
    "rule_of",
]

# Units whose figures add up across recipients: people, households, things, money. A unit
# per something (元/人/年) is a standard, which every recipient keeps rather than shares.
_ADDING_UNITS = frozenset(
    "人 人次 户 户次 名 位 个 家 所 项 次 场 场次 例 份 件 床 张 台 套 辆 元".split()
)
_MAGNITUDES = ("万", "千", "百", "亿")
_LEAVES = (PerformanceIndicator.Level.THIRD, PerformanceIndicator.Level.SUB_ITEM)
# Comparators that state a floor (the target must be reached) and a ceiling.
_FLOOR = (Comparator.GE, Comparator.GT, Comparator.EQ, None)
_CEILING = (Comparator.LE, Comparator.LT)


class Rule(StrEnum):
    FLOOR = "floor"  # each recipient keeps the upper rate
    SUM = "sum"  # the recipients' values together
    NONE = ""  # linked only


RULE_LABELS = {
    Rule.FLOOR: "各下级不低于上级目标",
    Rule.SUM: "各下级合计",
    Rule.NONE: "不作数值核对",
}


def _parsed(row: PerformanceIndicator) -> ParsedValue:
    return parse_value(row.value_text, indicator_name=row.name)


def _adds_up(unit: str) -> bool:
    if not unit or "/" in unit:
        return False
    base = unit[1:] if unit[:1] in _MAGNITUDES and len(unit) > 1 else unit
    return base in _ADDING_UNITS


def rule_of(parsed: ParsedValue) -> Rule:
    """How an upper value decomposes: by its unit and comparator, never by guessing."""
    if parsed.kind is not ValueKind.QUANTITATIVE or parsed.number is None:
        return Rule.NONE
    if parsed.comparator not in (*_FLOOR, *_CEILING):
        return Rule.NONE  # a range, a tolerance, ≈: no single bound to keep
    if parsed.is_rate:
        return Rule.FLOOR
    if _adds_up(parsed.unit):
        return Rule.SUM
    return Rule.NONE


def _scaled(parsed: ParsedValue) -> Decimal | None:
    """The number in the base unit (1.5万人 → 15000), so that 万人 and 人 add up."""
    if parsed.number is None:
        return None
    factor = {"万": 10_000, "千": 1_000, "百": 100, "亿": 100_000_000}.get(parsed.unit[:1], 1)
    if len(parsed.unit) == 1:
        factor = 1
    return parsed.number * factor


def _base_unit(unit: str) -> str:
    return unit[1:] if unit[:1] in _MAGNITUDES and len(unit) > 1 else unit


@dataclass
class ServedIndicator:
    """A recipient's indicator under the upper one, with the table it belongs to."""

    indicator: PerformanceIndicator
    table_label: str  # 瑞丽市卫生健康局《绩效目标表》
    problem: str = ""  # why this value does not keep the upper floor


@dataclass
class UpperIndicator:
    indicator: PerformanceIndicator
    rule: Rule
    served: list[ServedIndicator] = field(default_factory=list)
    total: Decimal | None = None  # SUM: the recipients' values together, in the base unit
    problem: str = ""  # SUM: why the total does not reach the upper value

    @property
    def rule_label(self) -> str:
        return RULE_LABELS[self.rule]

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        return f"{decimal_text(self.total)}{_base_unit(_parsed(self.indicator).unit)}"


@dataclass
class Decomposition:
    upper_label: str  # 德宏州卫生健康委员会《…绩效目标表》
    indicators: list[UpperIndicator]

    @property
    def unlinked(self) -> list[UpperIndicator]:
        """Upper indicators no recipient's indicator serves."""
        return [node for node in self.indicators if not node.served]

    @property
    def problems(self) -> list[str]:
        out = []
        for node in self.indicators:
            out += [s.problem for s in node.served if s.problem]
            if node.problem:
                out.append(node.problem)
        return out


# What table_label reads of a table: a caller loading tables only to label them loads these.
TABLE_LABEL_FIELDS = ("title", "project_name", "organisation__name")


# The same read onto each row of the table, in the rows' own query:
# `.annotate(**TABLE_LABEL_COLUMNS)`, then row_table_label(row). Cheaper than a table object
# per row, or a query of the tables.
TABLE_LABEL_COLUMNS = {
    "table_organisation_name": F("table__organisation__name"),
    "table_title": F("table__title"),
    "table_project_name": F("table__project_name"),
}


def _label(organisation_name: str, title: str, project_name: str) -> str:
    return f"{organisation_name}《{title or project_name}》"


def table_label(table) -> str:
    return _label(table.organisation.name, table.title, table.project_name)


def row_table_label(row: PerformanceIndicator) -> str:
    """table_label of the table of a row read with TABLE_LABEL_COLUMNS."""
    return _label(row.table_organisation_name, row.table_title, row.table_project_name)


def _floor_problem(upper: UpperIndicator, upper_label: str, served: ServedIndicator) -> str:
    up = _parsed(upper.indicator)
    low = _parsed(served.indicator)
    row = served.indicator
    name = row.name or upper.indicator.name
    if low.kind is not ValueKind.QUANTITATIVE or low.number is None or not low.is_rate:
        return (
            f"{served.table_label}的指标“{name}”应为比率（上级表{upper_label}的"
            f"“{upper.indicator.name}”为{up.normal_form()}），现为“{row.value_text or '空'}”。"
        )
    ceiling = up.comparator in _CEILING
    if ceiling:
        loosened = low.comparator not in _CEILING or low.number > up.number
        word = "高于"
    else:
        loosened = low.comparator in _CEILING or low.number < up.number
        word = "低于"
    if not loosened:
        return ""
    return (
        f"{served.table_label}的指标“{name}”为{low.normal_form()}，{word}上级表{upper_label}"
        f"“{upper.indicator.name}”的{up.normal_form()}：分解到下级的目标不能比上级宽松。"
    )


def _sum_problem(upper: UpperIndicator, upper_label: str) -> str:
    up = _parsed(upper.indicator)
    values = [_parsed(s.indicator) for s in upper.served]
    unit = _base_unit(up.unit)
    if any(v.kind is not ValueKind.QUANTITATIVE or _base_unit(v.unit) != unit for v in values):
        return (
            f"上级表{upper_label}“{upper.indicator.name}”（{up.normal_form()}）的下级指标"
            f"有的不是以{unit}计的数值，无法合计。"
        )
    upper.total = sum((_scaled(v) or Decimal(0) for v in values), Decimal(0))
    target = _scaled(up)
    if up.comparator in _CEILING:
        short = upper.total > target
        word = "超过"
    elif up.comparator is Comparator.EQ or up.comparator is None:
        short = upper.total != target
        word = "不等于"
    else:
        short = upper.total < target
        word = "低于"
    if not short:
        return ""
    return (
        f"下级表“{upper.indicator.name}”合计{decimal_text(upper.total)}{unit}，{word}上级表"
        f"{upper_label}的{up.normal_form()}。"
    )


def decompose(
    upper_label: str,
    upper_rows: Iterable[PerformanceIndicator],
    served_rows: Iterable[tuple[PerformanceIndicator, str]],
) -> Decomposition:
    """Each leaf of the upper table (`upper_label`, its table_label) with the recipients'
    indicators that serve it (each with its table's label), checked by the leaf's rule.
    `served_rows` may come from several tables."""
    # In print order, as the upper table reads.
    leaves = [n.indicator for n in walk(build_tree(upper_rows)) if n.indicator.level in _LEAVES]
    nodes = {row.pk: UpperIndicator(row, rule_of(_parsed(row))) for row in leaves}
    for row, label in served_rows:
        node = nodes.get(row.upper_indicator_id)
        if node is not None:
            node.served.append(ServedIndicator(row, label))
    for node in nodes.values():
        if node.rule is Rule.FLOOR:
            for served in node.served:
                served.problem = _floor_problem(node, upper_label, served)
        elif node.rule is Rule.SUM and node.served:
            node.problem = _sum_problem(node, upper_label)
    return Decomposition(upper_label, list(nodes.values()))


def summed_indicator_ids(upper_rows: Iterable[PerformanceIndicator]) -> set[int]:
    """The upper leaves whose recipients' values are added up (Rule.SUM): the only ones whose
    check reads the other recipients' indicators; a floor is each recipient's own."""
    return {
        row.pk for row in upper_rows if row.level in _LEAVES and rule_of(_parsed(row)) is Rule.SUM
    }


def served_by_table(
    decomposition: Decomposition, table_id: int
) -> Sequence[tuple[UpperIndicator, ServedIndicator]]:
    """The pairs of one recipient table, for its own checks."""
    return [
        (node, served)
        for node in decomposition.indicators
        for served in node.served
        if served.indicator.table_id == table_id
    ]


# What the decomposition reads of a row: its place in the tree, what it serves, its target.
DECOMPOSITION_FIELDS = (
    "id",
    "table_id",
    "parent_id",
    "upper_indicator_id",
    "level",
    "position",
    "name",
    "value_text",
)


class LowerTables(NamedTuple):
    """The tables a decomposition may show, as a prepared read builds them: `build(*values)`
    is the queryset, and `key` names the build and holds whatever else it reads (the
    reader's scope)."""

    key: tuple
    build: Callable[..., QuerySet]
    values: tuple


def _upper_rows(upper_id: int) -> QuerySet[PerformanceIndicator]:
    return PerformanceIndicator.objects.filter(table_id=upper_id).only(*DECOMPOSITION_FIELDS)


def _served_rows(upper_id: int, lower_tables: QuerySet | None) -> QuerySet[PerformanceIndicator]:
    served = PerformanceIndicator.objects.filter(upper_indicator__table_id=upper_id)
    if lower_tables is not None:
        served = served.filter(table__in=lower_tables)
    return (
        served.only(*DECOMPOSITION_FIELDS)
        .annotate(**TABLE_LABEL_COLUMNS)
        .order_by("table__organisation__name", "table_id", "pk")
    )


# The notice page's decomposition, read on every view of an issued notice.
_decomposition_reads = PreparedReads()


def decomposition_of(upper_table, *, lower_tables=None) -> Decomposition:
    """The upper table's decomposition as stored: its rows and every row serving them, in
    `lower_tables` only when given (a queryset scoped to what the reader may see, or the
    LowerTables a prepared read builds it from). Two queries, whatever the number of
    recipients: each serving row carries its table's label (joined to each row, a
    recipient's table cost a model of 52 columns per row)."""
    if isinstance(lower_tables, LowerTables):
        lower = lower_tables
        upper_rows = _decomposition_reads.list(
            ("upper",), lambda pk: _upper_rows(pk).order_by(), upper_table.pk
        )
        served = _decomposition_reads.list(
            ("served", lower.key),
            lambda pk, *values: _served_rows(pk, lower.build(*values)),
            upper_table.pk,
            *lower.values,
        )
    else:
        upper_rows = _upper_rows(upper_table.pk).order_by()
        served = _served_rows(upper_table.pk, lower_tables)
    return decompose(
        table_label(upper_table),
        in_table_order(upper_rows),
        [(row, row_table_label(row)) for row in served],
    )
