"""The words, units and patterns the tree and row rules judge by."""

from __future__ import annotations

import re
from decimal import Decimal

from indicators.values import Comparator

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
PLACEHOLDER_RE = re.compile(r"[*＊]{2,}|[xX×]{2,}|某某")
PLACEHOLDER_HINT_RE = re.compile(
    r"[（(]\s*(?P<cmp>≥|≤|>=|<=|>|<|＞|＜)?\s*[*＊]{2,}\s*(?P<unit>[^（）()*＊]{0,8})[）)]"
)
HINT_COMPARATORS = {
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
COUNT_NAME_UNITS = [
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
