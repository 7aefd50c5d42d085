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
required_category      E / W     no 三级 under 产出, 效益 or 满意度 (E); 2021 framework: no
                                 成本指标 (W)
unknown_category       ERROR     a 一级/二级 name not in the framework (or empty)
placement              ERROR     a 二级 under the wrong 一级 (时效指标 under 效益指标), or a
                                 category of the other framework generation (成本指标 as
                                 二级 in a 2021 table, as 一级 in a 2015 table); reported on
                                 each 三级 under it
category_synonym       WARNING   a regional synonym (效果指标): suggests the standard name
name_missing           ERROR     a 三级/子项 without a name (not on the special-fund layout,
                                 which prints no 三级 names)
value_empty            ERROR     a 三级 without sub-items, or a 子项, has no 指标值
value_unparsed         WARNING   the value cannot be read (mixed numbers and text …)
value_notation         WARNING   non-standard spelling, with the normal form: ≧85% → ≥85%,
                                 >= → ≥, full-width ％, 1 on a 率 indicator → 100%
name_hidden_unit       WARNING   the name declares a unit （%） and the value states another
rate_over_100          E / W     a 率 above 100% (E); ≥100% cannot be exceeded (W, → 100%)
unit_category          WARNING   unit does not fit the 二级: 成本 → 元/万元; 时效 → date,
                                 period, % or days; 数量 → a count with a unit
satisfaction_low       WARNING   满意度 below 80%, with ≤/<, or without %
qualitative            WARNING   明显提高, 有效缓解, 长期 …: not measurable
duplicate              E / W     the same 三级 name twice (E under the same 二级, W elsewhere)
description_mismatch   WARNING   绩效指标描述 talks about another measure (报销比例 described
                                 as 报销及时率) (heuristic)
description_empty      WARNING   empty 绩效指标描述 where the layout has that column
basis_empty            WARNING   empty 指标值确定依据 where the layout has that column
=====================  ========  ==========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from indicators.framework import normalise_category_name
from indicators.library import clean_indicator_name
from indicators.models import FrameworkCategory, PerformanceIndicator
from indicators.names import name_declares_percent, name_is_rate, without_remark
from indicators.selectors import FrameworkIndex, TreeNode, build_tree
from indicators.values import Comparator, ParsedValue, ValueKind, parse_value, suggest_normal_form
from perfgoals.display import plain_number
from perfgoals.findings import Finding, Severity
from perfgoals.layouts import layout_spec
from perfgoals.models import TargetTable

__all__ = ["TABLE_ORDER", "check_tree", "in_print_order"]


E, W = Severity.ERROR, Severity.WARNING
Layout = TargetTable.Layout
# The print-order key of a finding about the whole table: before every row.
TABLE_ORDER = -1

OUTPUT, OUTCOME, SATISFACTION, COST = "产出指标", "效益指标", "满意度指标", "成本指标"
# Official long names that are not regional variants: accepted without a warning.
OFFICIAL_ALTERNATIVES = {"社会公众或服务对象满意度指标"}
SATISFACTION_MINIMUM = Decimal(80)
HUNDRED = Decimal(100)

COST_UNIT_PREFIXES = ("元", "万元", "千元", "亿元")
TIME_UNITS = {"%", "天", "日", "个工作日", "工作日", "小时", "个月", "月", "年", "周"}
_UNIT_IN_NAME_RE = re.compile(
    r"[（(]\s*(%|％|‰|人次|人|户|个|家|次|元|万元|天|日|所|项)\s*[）)]\s*$"
)
# 人次数 → 人次: the unit a count indicator's name implies, for the suggestion.
_COUNT_NAME_UNITS = [
    ("人次数", "人次"),
    ("人次", "人次"),
    ("人数", "人"),
    ("户数", "户"),
    ("个数", "个"),
    ("家数", "家"),
    ("次数", "次"),
    ("项数", "项"),
    ("所数", "所"),
]

# Measures an indicator can be about, with the words that express each in a description.
# Order matters: the first measure found in the name is the indicator's.
MEASURES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("满意", ("满意",), ("满意",)),
    ("知晓", ("知晓",), ("知晓", "熟知", "知悉", "了解")),
    ("及时", ("及时",), ("及时", "按时", "规定时间")),
    ("结算", ("结算",), ("结算", "一站式")),
    ("覆盖", ("覆盖",), ("覆盖", "参加医保", "参保")),
    ("到位", ("到位",), ("到位", "足额", "发放")),
    ("规范管理", ("规范管理",), ("规范管理",)),
    ("签约", ("签约率",), ("签约",)),
    (
        "参保",
        ("参保", "参加医疗保险", "参加基本医疗保险"),
        ("参保", "参加医疗保险", "参加基本医疗保险", "参加医保"),
    ),
    ("比例", ("比例",), ("比例", "报销水平", "补偿比")),
]
# Words that mark a description as being about a measure (a subset of the above: the words
# that on their own name a different indicator).
MEASURE_MARKERS: dict[str, tuple[str, ...]] = {
    "满意": ("满意",),
    "知晓": ("知晓",),
    "及时": ("及时",),
    "结算": ("结算", "一站式"),
    "覆盖": ("覆盖",),
    "到位": ("到位",),
    "参保": ("参保",),
    "签约": ("签约",),
}


# --- helpers -------------------------------------------------------------------------------


@dataclass
class _Row:
    """A row with what the rules need to know about its place in the tree."""

    node: TreeNode
    order: int
    label: str
    first: PerformanceIndicator | None  # the 一级 ancestor row
    second: PerformanceIndicator | None  # the 二级 ancestor row
    first_cat: FrameworkCategory | None  # framework 一级 the row falls under
    second_cat: FrameworkCategory | None
    parent: _Row | None = None

    @property
    def row(self) -> PerformanceIndicator:
        return self.node.indicator


class _RowRules:
    def __init__(
        self,
        rows: list[PerformanceIndicator],
        *,
        layout: str,
        generation: str,
        framework: FrameworkIndex,
    ):
        self.layout = layout
        self.framework = framework
        self.generation = generation
        self.other_generation = "2015" if self.generation == "2021" else "2021"
        self.tree = build_tree(rows)
        self.findings: list[tuple[int, Finding]] = []

    # -- recording ---------------------------------------------------------------------------

    def add(self, order: int, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.findings.append((order, Finding(code, severity, message, **kwargs)))

    def header(self, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.add(TABLE_ORDER, code, severity, message, **kwargs)

    def at(self, info: _Row, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.add(
            info.order,
            code,
            severity,
            f"{info.label}：{message}",
            indicator_id=info.row.pk,
            **kwargs,
        )

    def run(self) -> list[tuple[int, Finding]]:
        rows = self.annotate()
        self.check_categories(rows)
        self.check_required(rows)
        self.check_rows(rows)
        self.check_duplicates(rows)
        return self.findings

    # -- the tree --------------------------------------------------------------------------

    def annotate(self) -> list[_Row]:
        rows: list[_Row] = []
        fw = self.framework

        def visit(nodes, first, second, first_cat, second_cat, parent_label, parent):
            for index, node in enumerate(nodes, 1):
                row = node.indicator
                name = row.name.strip()
                label = name or f"{parent_label}下第{index}项"
                f, s, fc, sc = first, second, first_cat, second_cat
                if row.level == 1:
                    f, fc = row, fw.resolve(self.generation, 1, name)
                elif row.level == 2:
                    s, sc = row, fw.resolve(self.generation, 2, name)
                    if sc is not None and fc is None:
                        fc = fw.parent_of(sc)
                info = _Row(node, len(rows), label, f, s, fc, sc, parent)
                rows.append(info)
                visit(node.children, f, s, fc, sc, name or label, info)

        visit(self.tree, None, None, None, None, "指标表", None)
        return rows

    def _gen_label(self, generation: str) -> str:
        return f"{generation}版指标体系"

    def check_categories(self, rows: list[_Row]) -> None:
        fw = self.framework
        for info in rows:
            row = info.row
            if row.level not in (1, 2):
                continue
            name = normalise_category_name(row.name)
            level_label = "一级指标" if row.level == 1 else "二级指标"
            if not name:
                self.at(info, "unknown_category", E, f"{level_label}名称为空。")
                continue
            own = fw.resolve(self.generation, row.level, name)
            if own is None:
                other = fw.resolve(self.other_generation, row.level, name)
                if other is not None:
                    where = "为一级指标" if other.level == 1 else f"属于{fw.parent_of(other).name}"
                    message = (
                        f"{self._gen_label(self.generation)}中没有{level_label}“{name}”"
                        f"（{self._gen_label(self.other_generation)}中{other.name}{where}）。"
                    )
                    if row.level == 2:
                        self._report_down(info, rows, "placement", message)
                    else:
                        self.at(info, "placement", E, message)
                else:
                    allowed = "、".join(
                        c.name
                        for (g, lvl), names in fw.lookup.items()
                        if g == self.generation and lvl == row.level
                        for c in dict.fromkeys(names.values())
                    )
                    self.at(
                        info,
                        "unknown_category",
                        E,
                        f"“{name}”不是{self._gen_label(self.generation)}的{level_label}，"
                        f"可选：{allowed}。",
                    )
                continue
            if name != own.name and name not in OFFICIAL_ALTERNATIVES:
                self.at(
                    info,
                    "category_synonym",
                    W,
                    f"“{name}”是{own.name}的地方习惯写法，建议统一写作“{own.name}”。",
                    suggestion=own.name,
                )
            if row.level == 2 and info.first is not None:
                first_cat = fw.resolve(self.generation, 1, info.first.name)
                if first_cat is not None and own.parent_id != first_cat.pk:
                    proper = fw.parent_of(own)
                    message = (
                        f"{own.name}应属于{proper.name if proper else '其他一级指标'}，"
                        f"不应放在{first_cat.name}下。"
                    )
                    self._report_down(info, rows, "placement", message)

    def _report_down(self, info: _Row, rows: list[_Row], code: str, message: str) -> None:
        """Report on each 三级 under a misplaced 二级 (that is what staff fix), else on it."""
        children = [r for r in rows if r.second is info.row and r.row.level == 3]
        if not children:
            self.at(info, code, E, message)
        for child in children:
            self.at(child, code, E, message)

    def check_required(self, rows: list[_Row]) -> None:
        present: set[str] = set()
        first_rows: dict[str, PerformanceIndicator] = {}
        fw = self.framework
        for info in rows:
            row = info.row
            if row.level == 1:
                category = fw.resolve(self.generation, 1, row.name)
                if category is not None:
                    first_rows.setdefault(category.name, row)
            if row.level == 3 and info.first_cat is not None:
                present.add(info.first_cat.name)
        required = [(OUTPUT, E), (OUTCOME, E), (SATISFACTION, E)]
        if self.generation == "2021":
            required.append((COST, W))
        for name, severity in required:
            if name in present:
                continue
            row = first_rows.get(name)
            self.header(
                "required_category",
                severity,
                f"缺少{name}：每张绩效目标表至少应有一个{name}下的三级指标。",
                indicator_id=row.pk if row is not None else None,
            )

    def check_rows(self, rows: list[_Row]) -> None:
        six_columns = layout_spec(self.layout).six_columns
        for info in rows:
            row = info.row
            if row.level < 3:
                continue
            if not row.name.strip() and self.layout != Layout.SPECIAL_FUND:
                self.at(info, "name_missing", E, "三级指标名称未填写。")
            if row.level == 3 and info.node.children:
                continue  # the sub-items carry the values
            self.check_value(info)
            if row.description.strip():
                self.check_description(info)
            elif six_columns and row.level == 3:
                self.at(info, "description_empty", W, "绩效指标描述未填写。", field="description")
            if six_columns and row.level == 3 and not row.basis.strip():
                self.at(info, "basis_empty", W, "指标值确定依据未填写。", field="basis")

    def check_value(self, info: _Row) -> None:
        row = info.row
        text = row.value_text
        parsed = parse_value(text, indicator_name=row.name)
        if parsed.kind is ValueKind.EMPTY:
            self.at(info, "value_empty", E, "指标值未填写。", field="value_text")
            return
        if parsed.kind is ValueKind.UNPARSED:
            self.at(
                info,
                "value_unparsed",
                W,
                f"指标值“{text.strip()}”无法识别（{parsed.reason}），请写成“≥90%”“95人”"
                "“2020年底前”这类单一的目标值。",
                field="value_text",
            )
            return
        if parsed.kind is not ValueKind.QUALITATIVE:
            # Text is kept as typed; only numbers and dates have a normal form worth proposing.
            self.check_notation(info, parsed)
        else:
            self.at(
                info,
                "qualitative",
                W,
                f"“{parsed.text}”为定性表述，年终无法衡量是否完成，建议改为可量化的指标值"
                "（如“≥90%”“较上年提高5个百分点”）。",
                field="value_text",
            )
        if parsed.kind is ValueKind.QUANTITATIVE:
            self.check_hidden_unit(info, parsed)
            self.check_rate(info, parsed)
            self.check_satisfaction(info, parsed)
        self.check_unit_category(info, parsed)

    def check_notation(self, info: _Row, parsed: ParsedValue) -> None:
        row = info.row
        text = row.value_text
        suggestion = suggest_normal_form(text, indicator_name=row.name)
        if suggestion is None:
            return
        if parsed.unit_implied and name_declares_percent(row.name):
            # 参保率（%） ≥85: the column is in percent already; adding % would count it twice.
            suggestion = suggestion.replace("%", "")
            if suggestion == text:
                return
        if (
            parsed.unit_implied
            and not name_declares_percent(row.name)
            and parsed.number == HUNDRED
            and text.strip() == "1"
        ):
            message = f"指标值“1”在率指标中表示100%，请写作“{suggestion}”。"
        else:
            message = f"指标值“{text}”写法不规范，建议写作“{suggestion}”。"
        self.at(info, "value_notation", W, message, field="value_text", suggestion=suggestion)

    def check_hidden_unit(self, info: _Row, parsed: ParsedValue) -> None:
        match = _UNIT_IN_NAME_RE.search(info.row.name)
        if match is None or parsed.unit_implied or not parsed.unit:
            return
        declared = match.group(1).replace("％", "%")
        if parsed.unit != declared:
            self.at(
                info,
                "name_hidden_unit",
                W,
                f"指标名称已注明单位“{declared}”，指标值却以“{parsed.unit}”为单位，请统一。",
                field="value_text",
            )

    def check_rate(self, info: _Row, parsed: ParsedValue) -> None:
        row = info.row
        if parsed.unit != "%" or not name_is_rate(row.name) or parsed.number is None:
            return
        percent = "" if name_declares_percent(row.name) and parsed.unit_implied else "%"
        top = parsed.upper if parsed.upper is not None else parsed.number
        if top > HUNDRED and parsed.comparator not in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，指标值“{row.value_text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GT:
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，“{row.value_text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GE:
            self.at(
                info,
                "rate_over_100",
                W,
                f"比率最高为100%，“{row.value_text}”中的“≥”没有意义，应写作“100{percent}”。",
                field="value_text",
                suggestion=f"100{percent}",
            )

    def check_satisfaction(self, info: _Row, parsed: ParsedValue) -> None:
        if info.first_cat is None or info.first_cat.name != SATISFACTION:
            return
        if "满意" not in info.row.name:
            return
        text = info.row.value_text
        if parsed.unit != "%":
            suggestion = ""
            if parsed.unit == "" and parsed.number is not None and parsed.number <= HUNDRED:
                symbol = (
                    "" if parsed.comparator in (None, Comparator.EQ) else str(parsed.comparator)
                )
                suggestion = f"{symbol}{plain_number(parsed.number)}%"
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度应以百分比表示，“{text}”没有写“%”。",
                field="value_text",
                suggestion=suggestion,
            )
            return
        if parsed.comparator in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度是正向指标，“{text}”应使用“≥”。",
                field="value_text",
            )
        elif parsed.number is not None and parsed.number < SATISFACTION_MINIMUM:
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度目标“{text}”低于通常的80%–85%，请确认。",
                field="value_text",
            )

    def check_unit_category(self, info: _Row, parsed: ParsedValue) -> None:
        if info.second_cat is None:
            return
        category = info.second_cat.name
        text = info.row.value_text
        if category in ("成本指标", "经济成本指标"):
            if parsed.kind is ValueKind.QUANTITATIVE and not parsed.unit.startswith(
                COST_UNIT_PREFIXES
            ):
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"{category}应以金额表示（元、万元，可为元/人/年），“{text}”不是金额。",
                    field="value_text",
                )
        elif category == "时效指标":
            if parsed.kind is ValueKind.QUANTITATIVE and parsed.unit not in TIME_UNITS:
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"时效指标应为完成时间、期限或及时率（%），“{text}”不是。",
                    field="value_text",
                )
        elif category == "数量指标":
            if parsed.kind is ValueKind.PERIOD:
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标应为数量，“{text}”是时间，应放在时效指标下。",
                    field="value_text",
                )
            elif parsed.kind is ValueKind.QUANTITATIVE and parsed.unit == "%":
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标应为带单位的数量（人、人次、户、个…），“{text}”是百分比，"
                    "比率类指标一般属于质量指标。",
                    field="value_text",
                )
            elif parsed.kind is ValueKind.QUANTITATIVE and not parsed.unit:
                bare = without_remark(info.row.name)
                unit = next((u for suffix, u in _COUNT_NAME_UNITS if bare.endswith(suffix)), "")
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标“{text}”缺少计量单位（人、人次、户、个…）。",
                    field="value_text",
                    suggestion=f"{text.strip()}{unit}" if unit else "",
                )

    def check_description(self, info: _Row) -> None:
        name = without_remark(info.row.name)
        description = info.row.description
        measure = next(
            (m for m, name_words, _ in MEASURES if any(w in name for w in name_words)), None
        )
        if measure is None:
            return
        own_words = next(words for m, _, words in MEASURES if m == measure)
        if any(word in description for word in own_words):
            return
        others = [
            m
            for m, markers in MEASURE_MARKERS.items()
            if m != measure and any(word in description for word in markers)
        ]
        if others:
            self.at(
                info,
                "description_mismatch",
                W,
                f"绩效指标描述“{description.strip()}”说的像是{'、'.join(others)}方面的指标，"
                "与指标名称不符，请核对描述是否填错行。",
                field="description",
            )

    def check_duplicates(self, rows: list[_Row]) -> None:
        seen: dict[tuple, _Row] = {}
        for info in rows:
            row = info.row
            if row.level < 3 or not row.name.strip():
                continue
            name = clean_indicator_name(row.name)
            # Sub-items repeat across 三级 (低保对象 under two counts): compare among siblings.
            scope = info.parent.order if row.level == 4 and info.parent else None
            key = (row.level, name, scope)
            first = seen.get(key)
            if first is None:
                seen[key] = info
                continue
            same_parent = first.second is info.second
            self.at(
                info,
                "duplicate",
                E if same_parent else W,
                f"与“{first.label}”重复（同一张表中三级指标不应重复）。"
                if same_parent
                else f"与“{first.label}”同名，但分属不同的二级指标，请确认是否重复。",
            )


# --- public API ----------------------------------------------------------------------------


def check_tree(
    rows: list[PerformanceIndicator],
    *,
    layout: str,
    generation: str,
    framework: FrameworkIndex | None = None,
) -> list[tuple[int, Finding]]:
    """The findings of the tree and row rules, in the order the rules ran, each with its
    print-order key: TABLE_ORDER for the table as a whole, else the row's place in the tree.

    `framework` is the category index to resolve names against (one query when omitted).
    """
    if framework is None:
        framework = FrameworkIndex()
    return _RowRules(rows, layout=layout, generation=generation, framework=framework).run()


def in_print_order(findings: list[tuple[int, Finding]]) -> list[Finding]:
    """Table-wide findings first, then rows in print order, errors first."""
    severity_rank = {Severity.ERROR: 0, Severity.WARNING: 1}
    # Stable sort: within a row, rules keep the order in which they ran.
    ordered = sorted(
        enumerate(findings), key=lambda p: (p[1][0], severity_rank[p[1][1].severity], p[0])
    )
    return [finding for _, (_, finding) in ordered]
