"""A name and its value typed in one cell (门诊人次≥5000人次), split apart."""

from __future__ import annotations

import re

from indicators.values.parsed import MAX_LENGTH, ValueKind
from indicators.values.parser import parse_value
from indicators.values.quantities import _PREFIX_ALT
from indicators.values.text import _FOLD, _clean, _has_cjk, _is_cjk_ideograph

# --- a name and its value in one cell ----------------------------------------------------

# A special-fund table often has one cell per indicator: 门诊人次≥5000人次. These words end a
# phrase that is itself a value (较上年提高5%), not a name followed by one.
_CHANGE_WORDS = (
    "提高",
    "提升",
    "增长",
    "增加",
    "下降",
    "降低",
    "减少",
    "缩短",
    "压缩",
    "控制在",
    "保持",
    "保持在",
    "稳定在",
    "维持在",
    "增幅",
    "降幅",
    "超过",
    "不少于",
    "不低于",
    "不超过",
)
_NAME_END_BEFORE_WEI = "率数准额量值度积间限例"
_SENTENCE_PUNCT = "，。；;,！？!?"
_NAME_VALUE_GAP = " \t\u3000\u00a0：:"
# Longer than 万元/人/年 or 个工作日: a "unit" this long is words.
_LONGEST_UNIT = 5


def _starts_like_value(s: str) -> bool:
    folded = s.translate(_FOLD)
    if not folded:
        return False
    if "0" <= folded[0] <= "9" or folded[0] in "±+-":
        return True
    return re.match(rf"(?:{_PREFIX_ALT})", folded) is not None


def _name_like(left: str) -> bool:
    if len(left) < 2 or not _has_cjk(left) or any(ch in _SENTENCE_PUNCT for ch in left):
        return False
    last = left[-1]
    if not (_is_cjk_ideograph(last) or last in "）)" or last.isalpha()):
        return False
    if left.endswith(_CHANGE_WORDS) or any(w in left for w in ("较上年", "比上年", "较去年")):
        return False
    # A left part that is itself a value (5000人 3000人) is no name; one the grammar reads
    # as a number with a long "unit" is (0-6岁儿童健康管理率 is 0 to 6 of 岁儿童…).
    parsed = parse_value(left)
    if parsed.kind is ValueKind.PERIOD:
        return False
    return parsed.kind is not ValueKind.QUANTITATIVE or len(parsed.unit) > _LONGEST_UNIT


def _has_colon(s: str) -> bool:
    return "：" in s or ":" in s


def split_name_value(text: str | None) -> tuple[str, str] | None:
    """Split a cell holding an indicator's name and then its value; None unless confident.

    门诊人次≥5000人次 → (门诊人次, ≥5000人次); 资助参保人数 1500人; 政策知晓率：≥90%;
    工程质量：合格 (a measurable grade only after a colon). None for a value alone, for a
    sentence (two values, sentence punctuation in the name) and for a phrase of change
    (较上年提高5%). The parts come back as typed, trimmed. Never raises.
    """
    if text is None:
        return None
    cleaned, has_control = _clean(str(text))
    s = cleaned.strip()
    if has_control or not s or len(s) > MAX_LENGTH:
        return None
    whole = parse_value(s).kind
    if whole is not ValueKind.UNPARSED and not (whole is ValueKind.QUALITATIVE and _has_colon(s)):
        return None  # a value alone, or words with no colon to split them at
    for i in range(1, len(s)):
        if s[i] in _NAME_VALUE_GAP:
            continue
        gap = s[:i]
        left = gap.rstrip(_NAME_VALUE_GAP)
        colon = any(ch in "：:" for ch in gap[len(left) :])
        right = s[i:].strip()
        if not colon and not _starts_like_value(right):
            continue
        if left.endswith("为") and len(left) > 2 and left[-2] in _NAME_END_BEFORE_WEI:
            left = left[:-1]  # 补助标准为12元: 为 joins, it is not part of the name
        if not _name_like(left):
            continue
        parsed = parse_value(right, indicator_name=left)
        if parsed.kind in (ValueKind.QUANTITATIVE, ValueKind.PERIOD) or (
            colon and parsed.kind is ValueKind.QUALITATIVE and parsed.measurable
        ):
            return left, right
    return None
