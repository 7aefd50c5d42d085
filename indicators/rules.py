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
basis_empty            WARNING   empty 指标值确定依据 where the layout has that column
basis_boilerplate      WARNING   one 指标值确定依据 / 指标值说明 text on every row (≥4 rows)
=====================  ========  ==========================================================

Severity policy (docs/lint.md): an error only for what is certainly wrong whatever the
template; what depends on a template's conventions (regional category names, 成本 under 产出,
a rate under 数量, cosmetic spellings) is accepted silently.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indicators.framework import is_cost_name, normalise_category_name
from indicators.library import clean_indicator_name
from indicators.models import FrameworkCategory, PerformanceIndicator
from indicators.names import name_declares_percent, name_is_rate, unit_in_name, without_remark
from indicators.selectors import FrameworkIndex, TreeNode, build_tree
from indicators.values import (
    Comparator,
    ParsedValue,
    ValueKind,
    cosmetically_equal,
    parse_value,
    period_bounds,
    split_name_value,
    suggest_normal_form,
)
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
SATISFACTION_SECOND = "服务对象满意度指标"
SATISFACTION_MINIMUM = Decimal(80)
HUNDRED = Decimal(100)

COST_UNIT_PREFIXES = ("元", "万元", "千元", "亿元")
TIME_UNITS = {"%", "天", "日", "个工作日", "工作日", "小时", "个月", "月", "年", "周"}
# Characters that are wrong, not merely another way of writing: the suggestion replaces them.
WRONG_SYMBOLS = ("≧", "≦", ">=", "<=", "=>", "=<", "⩾", "⩽", "+-", "＞＝", "＜＝")
# Counts measured in these are durations, not numbers of things (a count of banners in 年).
LONG_TIME_UNITS = {"年", "个月", "月", "周"}
TIME_NAME_WORDS = ("年限", "期", "时长", "时间", "年数", "月数", "周数", "天数", "工期", "时限")
# Words of a share or change that a percentage measures even without 率 in the name.
SHARE_WORDS = (
    "比",
    "占",
    "度",
    "增",
    "降",
    "减",
    "幅",
    "提高",
    "提升",
    "份额",
    "完成",
    "达标",
    "合格",
    "到位",
    "拨付",
    "执行",
    "兑现",
    "发放",
    "使用",
    "落实",
    "普及",
    "覆盖",
    "%",
    "％",
)
# Names of a per-head or per-item standard, which a payment must at least reach.
STANDARD_WORDS = ("标准", "补助", "补贴", "奖励", "扶助", "救助", "津贴", "资助")
# The value the official templates themselves give a 可持续影响指标 (影响年限: 长期).
SUSTAINED_WORDS = {"长期", "持续", "长期有效", "长期持续", "可持续", "长效"}
# Template placeholders left in a cell: ≥**%, **万元, XX人, ××.
_PLACEHOLDER_RE = re.compile(r"[*＊]{2,}|[xX×]{2,}|某某")
_PLACEHOLDER_HINT_RE = re.compile(
    r"[（(]\s*(?P<cmp>≥|≤|>=|<=|>|<|＞|＜)?\s*[*＊]{2,}\s*(?P<unit>[^（）()*＊]{0,8})[）)]"
)
_HINT_COMPARATORS = {
    "≥": Comparator.GE,
    ">=": Comparator.GE,
    "≤": Comparator.LE,
    "<=": Comparator.LE,
    ">": Comparator.GT,
    "＞": Comparator.GT,
    "<": Comparator.LT,
    "＜": Comparator.LT,
}
BOILERPLATE_MINIMUM_ROWS = 4
# 人次数 → 人次: a count indicator whose name says its unit, so a bare number is complete.
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

    @property
    def name(self) -> str:
        """The 三级 name; on a nameless cell that holds 「门诊人次≥5000人次」, its name part."""
        name = self.row.name.strip()
        if name or self.row.level < 3:
            return name
        split = split_name_value(self.row.value_text)
        return split[0] if split else ""

    @property
    def value(self) -> str:
        if self.row.name.strip():
            return self.row.value_text
        split = split_name_value(self.row.value_text)
        return split[1] if split else self.row.value_text


class _RowRules:
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
        self.period_end = _period_end(period, year)
        self.findings: list[tuple[int, Finding]] = []

    # -- recording ---------------------------------------------------------------------------

    def add(self, order: int, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.findings.append((order, Finding(code, severity, message, **kwargs)))

    def header(self, code: str, severity: Severity, message: str, **kwargs) -> None:
        self.add(TABLE_ORDER, code, severity, message, **kwargs)

    def at(self, info: _Row, code: str, severity: Severity, message: str, **kwargs) -> None:
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

    def run(self) -> list[tuple[int, Finding]]:
        rows = self.annotate()
        self.check_categories(rows)
        self.check_required(rows)
        self.check_rows(rows)
        self.check_duplicates(rows)
        self.check_satisfaction_placement(rows)
        self.check_boilerplate(rows)
        return self.findings

    # -- the tree --------------------------------------------------------------------------

    def infer_generation(self) -> str:
        """ "2021" when 成本指标 is a 一级, "2015" when a cost 二级 sits under another 一级."""
        for node in self.tree:
            if normalise_category_name(node.indicator.name) and is_cost_name(node.indicator.name):
                return "2021"
        for node in self.tree:
            if any(is_cost_name(child.indicator.name) for child in node.children):
                return "2015"
        return ""

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
                    s, sc = None, None
                elif row.level == 2:
                    s, sc = row, fw.resolve(self.generation, 2, name)
                    if sc is not None and fc is None:
                        # An unknown 一级 (履职效能 …) takes the 一级 its 二级 belongs to.
                        fc = fw.parent_of(sc)
                    elif sc is None and fc is not None:
                        # An unknown 二级 under a 一级 with a single 二级 (满意度) is that one.
                        only = fw.children_of(fc)
                        sc = only[0] if len(only) == 1 else None
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
            name = row.name.strip()
            level_label = "一级指标" if row.level == 1 else "二级指标"
            if not normalise_category_name(name):
                self.at(info, "unknown_category", E, f"{level_label}名称为空。")
                continue
            own = fw.resolve(self.generation, row.level, name)
            if own is None:
                other = fw.resolve(self.other_generation, row.level, name)
                if other is not None and self.chosen:
                    # Only a generation the bureau chose can disagree with the tree.
                    self.at(
                        info,
                        "placement",
                        W,
                        f"表头选择的是{self._gen_label(self.generation)}，其中没有{level_label}"
                        f"“{name}”（{self._gen_label(self.other_generation)}中有）；"
                        "请核对表头的指标体系版本。",
                    )
                elif other is None and (row.level == 1 or info.first_cat is not None):
                    self.at(
                        info,
                        "unknown_category",
                        W,
                        f"“{name}”不是指标体系中的{level_label}名称，无法判断其类别，"
                        f"请核对（可选：{self._allowed(row.level, info)}）。",
                    )
                continue
            if row.level == 2 and info.first is not None:
                first_cat = fw.resolve(self.generation, 1, info.first.name)
                if first_cat is None or own.parent_id == first_cat.pk:
                    continue
                if (
                    own.parent_id
                    and fw.parent_of(own).name == SATISFACTION
                    and (first_cat.name == OUTCOME)
                ):
                    continue  # 2015 national layout: 满意度 as a 二级 of 效益指标
                proper = fw.parent_of(own)
                if proper is not None and proper.name == COST and self.chosen:
                    message = (
                        f"表头选择的是{self._gen_label(self.generation)}，其中成本指标为一级指标，"
                        f"“{name}”不应放在{first_cat.name}下；请移到成本指标下，"
                        "或核对表头的指标体系版本。"
                    )
                else:
                    message = (
                        f"“{name}”应属于{proper.name if proper else '其他一级指标'}，"
                        f"不应放在{first_cat.name}下。"
                    )
                self._report_down(info, rows, "placement", message)

    def _allowed(self, level: int, info: _Row) -> str:
        fw = self.framework
        if level == 2 and info.first_cat is not None:
            return "、".join(c.name for c in fw.children_of(info.first_cat))
        return "、".join(
            c.name
            for (g, lvl), names in fw.lookup.items()
            if g == self.generation and lvl == level
            for c in dict.fromkeys(names.values())
        )

    def _report_down(self, info: _Row, rows: list[_Row], code: str, message: str) -> None:
        """Report on each 三级 under a misplaced 二级 (that is what staff fix), else on it."""
        children = [r for r in rows if r.second is info.row and r.row.level == 3]
        if not children:
            self.at(info, code, W, message)
        for child in children:
            self.at(child, code, W, message)

    def _kind(self, info: _Row, satisfaction_block: bool) -> str:
        """The 一级 a 三级 counts for, wherever the template files it. A satisfaction measure
        filed under 效益 counts as satisfaction, unless the table has a satisfaction block
        beside it: then it is misplaced (reported once) and counts where it was filed."""
        if _is_satisfaction(info) and (_in_satisfaction_block(info) or not satisfaction_block):
            return SATISFACTION
        if info.second_cat is not None and is_cost_name(info.second_cat.name):
            return COST
        return info.first_cat.name if info.first_cat is not None else ""

    def check_required(self, rows: list[_Row]) -> None:
        block = any(_is_satisfaction(i) and _in_satisfaction_block(i) for i in rows)
        present = {self._kind(info, block) for info in rows if info.row.level == 3}
        required = [OUTPUT, OUTCOME, SATISFACTION]
        if self.chosen == "2021":
            # Only a bureau that chose the 2021 framework is held to its 成本 block: many
            # provinces' 2022+ templates have none.
            required.append(COST)
        first_rows: dict[str, PerformanceIndicator] = {}
        for info in rows:
            if info.row.level == 1 and info.first_cat is not None:
                first_rows.setdefault(info.first_cat.name, info.row)
        for name in required:
            if name in present:
                continue
            row = first_rows.get(name)
            self.header(
                "required_category",
                W,
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
            self.check_placeholder(info)
            self.check_value(info)
            if row.description.strip():
                self.check_description(info)
            elif six_columns and row.level == 3:
                self.at(info, "description_empty", W, "绩效指标描述未填写。", field="description")
            if six_columns and row.level == 3 and not row.basis.strip():
                self.at(info, "basis_empty", W, "指标值确定依据未填写。", field="basis")

    def check_placeholder(self, info: _Row) -> None:
        for field, label, text in (
            ("name", "指标名称", info.row.name),
            ("value_text", "指标值", info.row.value_text),
        ):
            match = _PLACEHOLDER_RE.search(text)
            if match is not None:
                self.at(
                    info,
                    "placeholder",
                    W,
                    f"{label}中还留有模板占位符“{match.group(0)}”，请填入实际内容。",
                    field=field,
                )
                return

    def check_value(self, info: _Row) -> None:
        text = info.value
        parsed = _with_template_hint(parse_value(text, indicator_name=info.name), info.name)
        if parsed.kind is ValueKind.EMPTY:
            self.at(info, "value_empty", E, "指标值未填写。", field="value_text")
            return
        if parsed.kind is ValueKind.UNPARSED:
            if self.layout == Layout.SPECIAL_FUND and not info.name:
                return  # the summary's cells are sentences by design (seed 002 附件3-2)
            self.at(
                info,
                "value_unparsed",
                W,
                f"指标值“{text.strip()}”无法识别（{parsed.reason}），请写成“≥90%”“95人”"
                "“2020年底前”这类单一的目标值。",
                field="value_text",
            )
            return
        if parsed.kind is ValueKind.QUALITATIVE:
            sustained = (
                info.second_cat is not None
                and info.second_cat.name == "可持续影响指标"
                and parsed.text in SUSTAINED_WORDS
            )
            if not parsed.measurable and not sustained:
                self.at(
                    info,
                    "qualitative",
                    W,
                    f"“{parsed.text}”为定性表述，年终无法衡量是否完成，建议改为可量化的指标值"
                    "（如“≥90%”“较上年提高5个百分点”）。",
                    field="value_text",
                )
            return
        # Text is kept as typed; only numbers and dates have a normal form worth proposing.
        self.check_notation(info, parsed)
        if parsed.kind is ValueKind.PERIOD:
            self.check_unit_category(info, parsed)
            self.check_period(info, parsed)
            return
        self.check_hidden_unit(info, parsed)
        if _is_satisfaction(info):
            self.check_satisfaction(info, parsed)
        else:
            self.check_rate(info, parsed)
            self.check_percent_on_name(info, parsed)
        self.check_unit_category(info, parsed)
        self.check_cost_comparator(info, parsed)

    def check_notation(self, info: _Row, parsed: ParsedValue) -> None:
        """Only wrong characters (≧, >=) and a rate typed as the fraction 1: words such as
        90%以上 or 不低于, width and spacing are how staff write, not mistakes."""
        text = info.value
        fraction = (
            parsed.unit_implied
            and not unit_in_name(info.name)
            and parsed.number == HUNDRED
            and text.strip() == "1"
        )
        if not fraction and not any(wrong in text for wrong in WRONG_SYMBOLS):
            return
        suggestion = suggest_normal_form(text, indicator_name=info.name)
        if suggestion is None:
            return
        declared = unit_in_name(info.name)
        if parsed.unit_implied and declared:
            # 参保率（%） ≥85: the column is in percent already; adding % would count it twice.
            suggestion = suggestion.replace(declared, "")
            if cosmetically_equal(suggestion, text):
                return
        if fraction:
            message = f"指标值“1”在率指标中表示100%，请写作“{suggestion}”。"
        else:
            message = f"指标值“{text}”写法不规范，建议写作“{suggestion}”。"
        self.at(info, "value_notation", W, message, field="value_text", suggestion=suggestion)

    def check_hidden_unit(self, info: _Row, parsed: ParsedValue) -> None:
        declared = unit_in_name(info.name)
        if not declared or parsed.unit_implied or not parsed.unit:
            return
        if parsed.unit != declared and not parsed.unit.startswith(declared):
            self.at(
                info,
                "name_hidden_unit",
                W,
                f"指标名称已注明单位“{declared}”，指标值却以“{parsed.unit}”为单位，请统一。",
                field="value_text",
            )

    def check_rate(self, info: _Row, parsed: ParsedValue) -> None:
        text = info.value
        if parsed.unit != "%" or not name_is_rate(info.name) or parsed.number is None:
            return
        if parsed.comparator is Comparator.TOLERANCE:
            return
        percent = "" if name_declares_percent(info.name) and parsed.unit_implied else "%"
        top = parsed.upper if parsed.upper is not None else parsed.number
        if top > HUNDRED and parsed.comparator not in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，指标值“{text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GT:
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，“{text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GE:
            self.at(
                info,
                "rate_over_100",
                W,
                f"比率最高为100%，“{text}”中的“≥”没有意义，应写作“100{percent}”。",
                field="value_text",
                suggestion=f"100{percent}",
            )

    def check_percent_on_name(self, info: _Row, parsed: ParsedValue) -> None:
        """100% on 「促进…协调和可持续发展」: a percentage needs a rate or share to measure."""
        if parsed.unit != "%" or parsed.unit_implied or not info.name:
            return
        if name_is_rate(info.name) or any(word in info.name for word in SHARE_WORDS):
            return
        if _is_cost(info):
            return  # unit_category says it once: a cost must be an amount
        if info.second_cat is not None and info.second_cat.name in ("时效指标", "质量指标"):
            # 时效 % is a 及时率, 质量 % a 合格率/达标率, whose names often omit the 率.
            return
        self.at(
            info,
            "percent_not_rate",
            W,
            f"指标值“{info.value.strip()}”是百分比，但指标名称不是比率或占比，"
            "年终无法衡量；请把名称改为“……率”，或改为可计量的目标值。",
            field="value_text",
        )

    def check_satisfaction(self, info: _Row, parsed: ParsedValue) -> None:
        text = info.value
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
        top = parsed.upper if parsed.upper is not None else parsed.number
        if parsed.comparator in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度是正向指标，“{text}”应使用“≥”。",
                field="value_text",
            )
        elif top is not None and top > HUNDRED:
            self.at(
                info,
                "rate_over_100",
                E,
                f"满意度不能超过100%，“{text}”不可能实现。",
                field="value_text",
                suggestion="100%",
            )
        elif top == HUNDRED:
            self.at(
                info,
                "satisfaction_full",
                W,
                f"满意度目标“{text}”要求人人满意，几乎不可能实现，通常设为≥85%或≥90%。",
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
        text = info.value
        if is_cost_name(category):
            if parsed.kind is ValueKind.QUANTITATIVE and not _is_money(parsed.unit):
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"成本指标应以金额表示（元、万元，可为元/人/年），“{text}”不是金额。",
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
            bare = without_remark(info.name)
            if parsed.kind is ValueKind.PERIOD:
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标应为数量，“{text}”是时间，应放在时效指标下。",
                    field="value_text",
                )
            elif (
                parsed.kind is ValueKind.QUANTITATIVE
                and parsed.unit in LONG_TIME_UNITS
                and not any(word in bare for word in TIME_NAME_WORDS)
            ):
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"“{bare}”是数量，“{text}”却以时间（{parsed.unit}）为单位，请写明数量单位。",
                    field="value_text",
                )
            elif parsed.kind is ValueKind.QUANTITATIVE and not parsed.unit:
                if any(bare.endswith(suffix) for suffix, _ in _COUNT_NAME_UNITS):
                    return  # 住院救助人次数 1596: the name says what is counted, in 人次
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标“{text}”缺少计量单位（人、人次、户、个…）。",
                    field="value_text",
                )

    def check_cost_comparator(self, info: _Row, parsed: ParsedValue) -> None:
        if not _is_cost(info) or parsed.comparator not in (Comparator.GE, Comparator.GT):
            return
        if not _is_money(parsed.unit):
            return
        if "/" in parsed.unit or any(word in info.name for word in STANDARD_WORDS):
            # 补助标准 ≥200元/月/人 is what each person receives at least: a floor, not a cost.
            return
        self.at(
            info,
            "cost_comparator",
            W,
            f"成本指标是支出上限，“{info.value.strip()}”用了“{parsed.comparator}”，应写作“≤”。",
            field="value_text",
        )

    def check_period(self, info: _Row, parsed: ParsedValue) -> None:
        if self.period_end is None:
            return
        start, end = period_bounds(parsed, year=self.year)
        # A range (2020年9月至2021年8月, an insurance year) may run past the budget year; a
        # deadline, or a range that starts after the period, cannot be met within it.
        late = start if parsed.text and "至" in parsed.text else end
        if late is None or late <= self.period_end:
            return
        self.at(
            info,
            "date_outside_period",
            W,
            f"完成时间“{info.value.strip()}”晚于项目实施期（截至"
            f"{self.period_end.year}年{self.period_end.month}月底），请核对。",
            field="value_text",
        )

    def check_description(self, info: _Row) -> None:
        name = without_remark(info.name)
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

    def check_satisfaction_placement(self, rows: list[_Row]) -> None:
        """A satisfaction measure filed as 社会效益 beside the table's own satisfaction block."""
        leaves = [i for i in rows if i.row.level == 3 and not i.node.children]
        inside = [i for i in leaves if _is_satisfaction(i) and _in_satisfaction_block(i)]
        if not inside:
            return
        for info in leaves:
            if _is_satisfaction(info) and not _in_satisfaction_block(info):
                self.at(
                    info,
                    "satisfaction_misplaced",
                    W,
                    f"满意度指标放在了{info.first.name.strip() if info.first else '其他指标'}下，"
                    f"而表中已有满意度指标“{inside[0].label}”；请移到满意度指标下或删去重复项。",
                )

    def check_boilerplate(self, rows: list[_Row]) -> None:
        """One 指标值确定依据 / 指标值说明 text on every row says nothing about any of them."""
        leaves = [i.row for i in rows if i.row.level >= 3 and not i.node.children]
        if len(leaves) < BOILERPLATE_MINIMUM_ROWS:
            return
        reported: set[str] = set()
        for field, label in (("basis", "指标值确定依据"), ("value_explanation", "指标值说明")):
            texts = {_compact_text(getattr(row, field, "")) for row in leaves}
            if len(texts) == 1 and "" not in texts and not texts & reported:
                reported |= texts  # the same sentence in both columns is one fact
                self.header(
                    "basis_boilerplate",
                    W,
                    f"{len(leaves)}个指标的{label}都是“{getattr(leaves[0], field).strip()}”，"
                    "请逐项写明每个指标值的确定依据（政策文件、历史数据、计划标准等）。",
                    field=field,
                )


def _with_template_hint(parsed: ParsedValue, name: str) -> ParsedValue:
    """项目总投入(≥**万元) with 6070: the template's placeholder states the comparator and
    the unit the bare number is in (the placeholder itself is reported once, elsewhere)."""
    match = _PLACEHOLDER_HINT_RE.search(name)
    if match is None or parsed.kind is not ValueKind.QUANTITATIVE:
        return parsed
    changes = {}
    unit = match["unit"].strip()
    if not parsed.unit and unit:
        changes.update(unit=unit.replace("％", "%"), unit_implied=True)
    symbol = _HINT_COMPARATORS.get(match["cmp"] or "")
    if parsed.comparator is None and symbol is not None:
        changes["comparator"] = symbol
    return dataclasses.replace(parsed, **changes) if changes else parsed


def _is_cost(info: _Row) -> bool:
    return (info.second_cat is not None and is_cost_name(info.second_cat.name)) or (
        info.first_cat is not None and info.first_cat.name == COST
    )


def _is_money(unit: str) -> bool:
    # 250万 in a cost row is 250万元 written short.
    return unit.startswith(COST_UNIT_PREFIXES) or unit == "万"


def _compact_text(text: str) -> str:
    return re.sub(r"[\s\u3000。.]+", "", text or "")


def _is_satisfaction(info: _Row) -> bool:
    bare = without_remark(info.name)
    return "满意" in bare and "不满意" not in bare


def _in_satisfaction_block(info: _Row) -> bool:
    return (info.first_cat is not None and info.first_cat.name == SATISFACTION) or (
        info.second_cat is not None and info.second_cat.name == SATISFACTION_SECOND
    )


def default_generation(year: int | None) -> str:
    """财预〔2021〕101号 applies from the 2022 budget round on."""
    return "2021" if year is None or year >= 2022 else "2015"


def _period_end(period: str, year: int | None) -> date | None:
    """The last day of the project's 实施期 when stated, else of the budget year."""
    if period and period.strip():
        parsed = parse_value(period)
        if parsed.kind is ValueKind.PERIOD:
            end = period_bounds(parsed, year=year)[1]
            if end is not None:
                return end
    return date(year, 12, 31) if year else None


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
    return _RowRules(
        rows, layout=layout, generation=generation, year=year, period=period, framework=framework
    ).run()


def in_print_order(findings: list[tuple[int, Finding]]) -> list[Finding]:
    """Table-wide findings first, then rows in print order, errors first."""
    severity_rank = {Severity.ERROR: 0, Severity.WARNING: 1}
    # Stable sort: within a row, rules keep the order in which they ran.
    ordered = sorted(
        enumerate(findings), key=lambda p: (p[1][0], severity_rank[p[1][1].severity], p[0])
    )
    return [finding for _, (_, finding) in ordered]
