"""Quantities: comparator words, numbers, units, and tolerances around a planned figure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from indicators.names import name_is_rate, unit_in_name
from indicators.values.parsed import (
    MAX_DIGITS,
    REASON_CONFLICT,
    REASON_RANGE_QUALIFIED,
    REASON_RANGE_UNITS,
    REASON_TOO_MANY_DIGITS,
    Comparator,
    ParsedValue,
    ValueKind,
    _unparsed,
)
from indicators.values.text import _has_digit

# --- comparators -------------------------------------------------------------------------

_PREFIXES: dict[str, Comparator] = {
    "≥": Comparator.GE,
    "≧": Comparator.GE,
    "⩾": Comparator.GE,
    ">=": Comparator.GE,
    "大于等于": Comparator.GE,
    "大于或等于": Comparator.GE,
    "不低于": Comparator.GE,
    "不少于": Comparator.GE,
    "不小于": Comparator.GE,
    "至少": Comparator.GE,
    "≤": Comparator.LE,
    "≦": Comparator.LE,
    "⩽": Comparator.LE,
    "<=": Comparator.LE,
    "小于等于": Comparator.LE,
    "小于或等于": Comparator.LE,
    "不高于": Comparator.LE,
    "不超过": Comparator.LE,
    "不多于": Comparator.LE,
    "不大于": Comparator.LE,
    "至多": Comparator.LE,
    ">": Comparator.GT,
    "大于": Comparator.GT,
    "高于": Comparator.GT,
    "超过": Comparator.GT,
    "多于": Comparator.GT,
    "<": Comparator.LT,
    "小于": Comparator.LT,
    "低于": Comparator.LT,
    "少于": Comparator.LT,
    "==": Comparator.EQ,
    "=": Comparator.EQ,
    "等于": Comparator.EQ,
    "≈": Comparator.APPROX,
    "约": Comparator.APPROX,
    "大约": Comparator.APPROX,
    "约为": Comparator.APPROX,
}
# 达到/达 only say "reach"; the direction, if any, comes from a suffix such as 以上.
_SOFT_PREFIXES = ("达到", "达")

_SUFFIXES: dict[str, Comparator] = {
    "及以上": Comparator.GE,
    "以上": Comparator.GE,
    "及以下": Comparator.LE,
    "以下": Comparator.LE,
    "以内": Comparator.LE,
    "之内": Comparator.LE,
    "内": Comparator.LE,
    "左右": Comparator.APPROX,
}

# A suffix may sharpen a prefix of the same direction ("超过90%以上" stays >) but not reverse it.
_COMPATIBLE = {
    (Comparator.GE, Comparator.GE),
    (Comparator.GT, Comparator.GE),
    (Comparator.LE, Comparator.LE),
    (Comparator.LT, Comparator.LE),
    (Comparator.APPROX, Comparator.APPROX),
}


def _alternation(words: Iterable[str]) -> str:
    # Longest first so that ">=" wins over ">" and "大于等于" over "大于".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PREFIX_ALT = _alternation([*_PREFIXES, *_SOFT_PREFIXES])
_COMPARATOR_ONLY_RE = re.compile(rf"(?:{_PREFIX_ALT})+")

# Digits only, never Decimal(text): Decimal accepts "NaN", "Infinity" and "1e5".
_NUM = r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_UNSIGNED_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_RANGE_SEP = r"——|—|–|-|~|至|到"

_QUANTITY_RE = re.compile(rf"(?P<prefix>{_PREFIX_ALT})?(?P<num>{_NUM})(?P<rest>.*)", re.S)
_RANGE_REST_RE = re.compile(
    rf"(?P<unit1>[^0-9]*?)(?:{_RANGE_SEP})(?P<upper>{_UNSIGNED_NUM})(?P<unit2>.*)", re.S
)
_UNIT_RE = re.compile(r"%|‰|(?!/)[A-Za-z\u3400-\u4dbf\u4e00-\u9fff/²³㎡℃·]{1,10}(?<!/)")
# "2019年底" after a comparator reads as number+unit; refuse units that are really dates.
_DATE_LIKE_UNIT_RE = re.compile(r"[年月日号].")

# Unit words some systems print instead of the sign (天津's 100百分比): one meaning, one unit.
_UNIT_SYNONYMS = {"百分比": "%", "百分率": "%", "千分比": "‰"}

# --- quantities --------------------------------------------------------------------------


def _split_trailing_remark(s: str) -> tuple[str, str | None]:
    """Split "960元/人/年（不足部分由上级经费弥补）" into the value and the remark's inside."""
    if not s.endswith(("）", ")")):
        return s, None
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        ch = s[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
            if depth == 0:
                return (s[:i], s[i + 1 : -1]) if i > 0 else (s, None)
    return s, None


def _strip_suffix(unit: str) -> tuple[str, Comparator | None]:
    for word in sorted(_SUFFIXES, key=len, reverse=True):
        if unit.endswith(word):
            return unit[: -len(word)], _SUFFIXES[word]
    return unit, None


def _valid_unit(unit: str) -> bool:
    return unit == "" or (
        _UNIT_RE.fullmatch(unit) is not None and _DATE_LIKE_UNIT_RE.match(unit) is None
    )


def _combine(prefix: Comparator | None, suffix: Comparator | None) -> tuple[Comparator | None, str]:
    """The comparator implied by both ends of the value, or a reason when they disagree."""
    if prefix is None or suffix is None:
        return prefix or suffix, ""
    if (prefix, suffix) in _COMPATIBLE:
        return prefix, ""
    return None, REASON_CONFLICT


def _parse_quantity(s: str, indicator_name: str) -> ParsedValue | None:
    """None when s is not shaped like a quantity; UNPARSED when it is but cannot be trusted."""
    body, remark = _split_trailing_remark(s)
    if remark is not None and _has_digit(remark):
        return None
    m = _QUANTITY_RE.fullmatch(body)
    if m is None:
        return None
    prefix_word = m["prefix"]
    prefix = _PREFIXES.get(prefix_word) if prefix_word else None
    number_text, rest = m["num"], m["rest"]

    upper_text: str | None = None
    ranged = _RANGE_REST_RE.fullmatch(rest)
    if ranged is not None:
        unit1, upper_text, unit2 = ranged["unit1"], ranged["upper"], ranged["unit2"]
        if not (_valid_unit(unit1) and _valid_unit(unit2)):
            return None
        if prefix is not None or _strip_suffix(unit2)[1] is not None:
            return _unparsed(REASON_RANGE_QUALIFIED)
        if unit1 and unit2 and unit1 != unit2:
            return _unparsed(REASON_RANGE_UNITS)
        unit = _UNIT_SYNONYMS.get(unit2 or unit1, unit2 or unit1)
        comparator: Comparator | None = Comparator.RANGE
    else:
        unit, suffix = _strip_suffix(rest)
        unit = _UNIT_SYNONYMS.get(unit, unit)
        if not _valid_unit(unit):
            return None
        comparator, conflict = _combine(prefix, suffix)
        if conflict:
            return _unparsed(conflict)

    digits = sum(ch.isdigit() for ch in number_text + (upper_text or ""))
    if digits > MAX_DIGITS:
        return _unparsed(REASON_TOO_MANY_DIGITS)

    # "85（%）": the parentheses hold the unit, not a remark.
    if not unit and remark in ("%", "‰"):
        unit, remark = remark, None

    number = Decimal(number_text.replace(",", ""))
    upper = Decimal(upper_text.replace(",", "")) if upper_text is not None else None
    unit_implied = False
    if not unit:
        declared = unit_in_name(indicator_name)
        if declared:
            # 造林面积（亩） 500: the column states the unit once for every row.
            unit, unit_implied = declared, True
        elif (
            upper is None
            and comparator in (None, Comparator.EQ)
            and number == 1
            and name_is_rate(indicator_name)
        ):
            # The seeds write 1 for a 到位率 of 100%: a ratio typed as a fraction.
            number, unit, unit_implied = Decimal(100), "%", True

    return ParsedValue(
        kind=ValueKind.QUANTITATIVE,
        comparator=comparator,
        number=number,
        upper=upper,
        unit=unit,
        unit_implied=unit_implied,
        text=remark or "",
    )


# --- tolerances --------------------------------------------------------------------------

# 误差±3%以内, 偏差率±2%: how far the result may stray from the plan. The words before the
# sign only name what the tolerance is of, and 以内 after it repeats what ± says.
_TOLERANCE_RE = re.compile(
    r"(?P<lead>(?:上下)?(?:误差|偏差|浮动|波动)率?(?:范围)?(?:为|在|控制在)?)?"
    rf"(?P<sign>±|\+-|\+/-|正负)(?P<num>{_UNSIGNED_NUM})(?P<unit>.*?)"
    r"(?P<suffix>以内|之内|内|范围内)?"
)


def _parse_tolerance(s: str, indicator_name: str) -> ParsedValue | None:
    body, remark = _split_trailing_remark(s)
    if remark is not None and _has_digit(remark):
        return None
    m = _TOLERANCE_RE.fullmatch(body)
    if m is None:
        return None
    unit = m["unit"]
    if not _valid_unit(unit) or _strip_suffix(unit)[1] is not None:
        return None
    if sum(ch.isdigit() for ch in m["num"]) > MAX_DIGITS:
        return _unparsed(REASON_TOO_MANY_DIGITS)
    if not unit and remark in ("%", "‰"):
        unit, remark = remark, None
    unit_implied = False
    if not unit:
        declared = unit_in_name(indicator_name)
        if declared:
            unit, unit_implied = declared, True
    return ParsedValue(
        kind=ValueKind.QUANTITATIVE,
        comparator=Comparator.TOLERANCE,
        number=Decimal(m["num"].replace(",", "")),
        unit=unit,
        unit_implied=unit_implied,
        text=remark or "",
    )
