"""Tree and row rules of a performance target table (绩效目标表): framework, values, wording.

Every rule gives :class:`Finding` objects with a stable ``code``, a severity, a Simplified
Chinese message that names the row or field, and, where one exists, a ``suggestion`` that
can replace the typed value as is (the editor may offer to apply it). Hints that are not a
replacement value go into the message, never into ``suggestion``.

The table checks (header, amounts, spending plan, special funds, 资金用途) and the public API
(check_table, check_tables) are perfgoals.targets.checks, which merges these findings with
its own by their print-order keys (:func:`in_print_order`).

=====================  ========  ==========================================================
code                   severity  what it checks
=====================  ========  ==========================================================
required_category      WARNING   no 三级 counting for 产出, 效益 or 满意度 (2021: 成本) —
                                 counted wherever the template files them (满意度 under 效益)
unknown_category       E / W     an empty 一级/二级 name (E); a name neither the framework nor
                                 the regional vocabulary knows (W)
placement              WARNING   a 二级 under a 一级 no template puts it under (时效指标 under
                                 效益指标), on each 三级 under it; a category of the other
                                 generation than the one the bureau chose
name_missing           ERROR     a 三级/子项 without a name (not on the special-fund layout,
                                 which prints no 三级 names)
value_empty            ERROR     a 三级 without sub-items, or a 子项, has no 指标值
value_unparsed         WARNING   the value cannot be read (mixed numbers and text …)
value_notation         WARNING   a spelling that is wrong, not merely cosmetic: ≧85% → ≥85%,
                                 >= → ≥, 1 on a 率 indicator → 100%
placeholder            WARNING   a template placeholder left in a name or value (≥**%, XX)
name_hidden_unit       WARNING   the name declares a unit （%）/(亩) and the value states another
rate_over_100          E / W     a 率 or 满意度 above 100% (E); ≥100% on a 率 (W, → 100%)
percent_not_rate       WARNING   a % target on a name that is no rate or share (a slogan)
unit_category          WARNING   unit does not fit the 二级: 成本 → 元/万元; 时效 → date,
                                 period, % or days; 数量 → a count with a unit, not a period
                                 or a duration in 年/月
cost_comparator        WARNING   ≥/> on a cost, which is a ceiling (≤)
satisfaction_low       WARNING   满意度 below 80%, with ≤/<, or without %
satisfaction_full      WARNING   满意度 of exactly 100%
satisfaction_misplaced WARNING   a satisfaction measure outside the satisfaction block while
                                 the block has one
date_outside_period    WARNING   a deadline after the 实施期 (or the budget year)
qualitative            WARNING   明显提高, 有效缓解, 长期 …: not measurable (达标, 合格, 是 are)
duplicate              E / W     the same 三级 name twice (E under the same 二级, W elsewhere)
description_mismatch   WARNING   绩效指标描述 talks about another measure (报销比例 described
                                 as 报销及时率) (heuristic)
description_empty      WARNING   empty 绩效指标描述 where the layout has that column
basis_empty            WARNING   empty 指标值确定依据, no citation, where the layout has it
basis_boilerplate      WARNING   one 指标值确定依据 / 指标值说明 text on every row (≥4 rows)
=====================  ========  ==========================================================

Severity policy (docs/lint.md): an error only for what is certainly wrong whatever the
template; what depends on a template's conventions (regional category names, 成本 under 产出,
a rate under 数量, cosmetic spellings) is accepted silently.

The rules are mixins by noun: categories.py, row_values.py, wording.py; base.py holds the
row and the recording, vocabulary.py the words they judge by.
"""

from __future__ import annotations

import copy
import operator
import threading
from collections import OrderedDict

from indicators.models import PerformanceIndicator
from indicators.rules.base import TABLE_ORDER, default_generation, period_end
from indicators.rules.categories import CategoryRules
from indicators.rules.row_values import ValueRules
from indicators.rules.wording import WordingRules
from indicators.selectors import FrameworkIndex, build_tree
from perfgoals.findings import Finding, Severity
from perfgoals.inputs import without_invisible

__all__ = ["TABLE_ORDER", "check_tree", "default_generation", "in_print_order"]


# The row's texts the rules read; a cell holding only invisible characters (pasted from
# Word) is judged as the empty cell it looks like, whether the row is saved or not.
_TEXT_FIELDS = [
    f.attname
    for f in PerformanceIndicator._meta.concrete_fields
    if f.get_internal_type() in ("CharField", "TextField")
]


def _as_read(row: PerformanceIndicator) -> PerformanceIndicator:
    """`row` as a reader sees it: without invisible characters (a copy, when it had any)."""
    texts = {name: getattr(row, name) for name in _TEXT_FIELDS}
    # Every invisible character is a format character, which printable text never holds:
    # most rows are returned after this one C-level test per field.
    if all(text.isprintable() for text in texts.values() if text):
        return row
    visible = {name: without_invisible(text) for name, text in texts.items() if text}
    if all(visible[name] == texts[name] for name in visible):
        return row
    read = copy.copy(row)
    for name, text in visible.items():
        setattr(read, name, text)
    return read


class _RowRules(CategoryRules, ValueRules, WordingRules):
    def __init__(
        self,
        rows: list[PerformanceIndicator],
        *,
        layout: str,
        generation: str,
        year: int | None,
        period: str,
        framework: FrameworkIndex,
    ):
        self.layout = layout
        self.framework = framework
        self.tree = build_tree(rows)
        # A generation the bureau chose is honoured; otherwise the tree tells which one its
        # template follows (成本指标 as 一级, or as 二级 under 产出), and only then the year.
        self.chosen = generation
        self.generation = generation or self.infer_generation() or default_generation(year)
        self.other_generation = "2015" if self.generation == "2021" else "2021"
        self.year = year
        self.period_end = period_end(period, year)
        self.findings: list[tuple[int, Finding]] = []

    def run(self) -> list[tuple[int, Finding]]:
        rows = self.annotate()
        self.check_categories(rows)
        self.check_required(rows)
        self.check_rows(rows)
        self.check_duplicates(rows)
        self.check_satisfaction_placement(rows)
        self.check_boilerplate(rows)
        return self.findings


# --- public API ----------------------------------------------------------------------------


def check_tree(
    rows: list[PerformanceIndicator],
    *,
    layout: str,
    generation: str = "",
    year: int | None = None,
    period: str = "",
    framework: FrameworkIndex | None = None,
) -> list[tuple[int, Finding]]:
    """The findings of the tree and row rules, in the order the rules ran, each with its
    print-order key: TABLE_ORDER for the table as a whole, else the row's place in the tree.

    `generation` is the framework the bureau chose ("" infers it from the tree, then from
    `year`); `period` is the table's 实施期, which deadlines must fall within (else the
    budget `year`). `framework` is the category index to resolve names against (one query
    when omitted).
    """
    if framework is None:
        framework = FrameworkIndex()
    key = (
        layout,
        generation,
        year,
        period,
        framework,
        tuple(map(_row_columns, rows)),
    )
    with _checked_lock:
        found = _checked.get(key)
        if found is not None:
            _checked.move_to_end(key)
            return list(found)
    rows = [_as_read(row) for row in rows]
    findings = _RowRules(
        rows, layout=layout, generation=generation, year=year, period=period, framework=framework
    ).run()
    with _checked_lock:
        _checked[key] = tuple(findings)
        if len(_checked) > _CHECKED_TREES:
            _checked.popitem(last=False)
    return findings


# Every column of a row: the rules read nothing else of it (no related object, no query).
_ROW_FIELDS = [f.attname for f in PerformanceIndicator._meta.concrete_fields]
_row_columns = operator.attrgetter(*_ROW_FIELDS)
# The findings of the trees this process checked last, by everything the rules read: each
# editor, read and review page checks its tree, which is mostly as it was when the page was
# last opened. The framework index is part of the key and is replaced every minute (and on
# any change to a category), so a changed framework is never answered from here. Findings
# are frozen; each caller gets its own list.
_CHECKED_TREES = 64
_checked: OrderedDict[tuple, tuple[tuple[int, Finding], ...]] = OrderedDict()
_checked_lock = threading.Lock()


def in_print_order(findings: list[tuple[int, Finding]]) -> list[Finding]:
    """Table-wide findings first, then rows in print order, errors first."""
    severity_rank = {Severity.ERROR: 0, Severity.WARNING: 1}
    # Stable sort: within a row, rules keep the order in which they ran.
    ordered = sorted(
        enumerate(findings), key=lambda p: (p[1][0], severity_rank[p[1][1].severity], p[0])
    )
    return [finding for _, (_, finding) in ordered]
