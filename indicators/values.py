"""Parse the free-text target value (指标值) of a performance indicator (绩效指标).

Staff type values such as ``≧85%``, ``>=97.9%``, ``　960元/人/年（不足部分由上级经费弥补）``,
``2019年底前`` or ``明显提高``. The typed text is kept verbatim elsewhere; this module turns it
into a :class:`ParsedValue` for lint, comparison and monitoring, and proposes a canonical
spelling. Pure Python on purpose: the linter, importers and exports all call it without Django.

Conventions worth knowing (see DOMAIN.md §6 and §9):

* No comparator means "exactly"; ``=`` parses to :attr:`Comparator.EQ` but is not printed,
  so ``=100%`` and ``100%`` share one normal form.
* ``达到95%`` is treated like ``95%`` — 达到 alone adds no direction; ``达到90%以上`` is ``≥90%``.
* A bare ``1`` on a 率/比例/覆盖 indicator means 100% (the seeds write it for 到位率). A name
  that declares ``（%）`` wins over that rule: the column is already in percent, so ``1`` is 1%.
* Anything we cannot read with confidence is ``UNPARSED`` with a reason; we never guess and
  never raise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from indicators.names import name_declares_percent, name_is_rate
from perfgoals.display import decimal_text

__all__ = [
    "Comparator",
    "ParsedValue",
    "ValueKind",
    "parse_value",
    "suggest_normal_form",
]


class Comparator(StrEnum):
    GE = "≥"
    LE = "≤"
    GT = ">"
    LT = "<"
    EQ = "="
    APPROX = "≈"
    RANGE = "~"


class ValueKind(StrEnum):
    QUANTITATIVE = "quantitative"
    PERIOD = "period"
    QUALITATIVE = "qualitative"
    EMPTY = "empty"
    UNPARSED = "unparsed"


@dataclass(frozen=True)
class ParsedValue:
    kind: ValueKind
    comparator: Comparator | None = None
    number: Decimal | None = None
    upper: Decimal | None = None
    unit: str = ""
    unit_implied: bool = False
    # QUALITATIVE/PERIOD: the normalised text. QUANTITATIVE: a trailing remark such as
    # 不足部分由上级经费弥补 (without its parentheses), which is not part of the value.
    text: str = ""
    reason: str = ""

    def normal_form(self) -> str:
        """Canonical text of the value; "" when there is none (EMPTY, UNPARSED).

        A quantitative remark is deliberately left out so that two values compare equal on
        what they promise, not on how they were annotated.
        """
        if self.kind is ValueKind.QUANTITATIVE and self.number is not None:
            low = decimal_text(self.number)
            if self.comparator is Comparator.RANGE and self.upper is not None:
                return f"{low}{self.unit}~{decimal_text(self.upper)}{self.unit}"
            symbol = "" if self.comparator in (None, Comparator.EQ) else str(self.comparator)
            return f"{symbol}{low}{self.unit}"
        if self.kind in (ValueKind.PERIOD, ValueKind.QUALITATIVE):
            return self.text
        return ""

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


# --- reasons (user-facing, Simplified Chinese) -------------------------------------------

REASON_UNRECOGNISED = "无法识别的指标值格式"
REASON_MIXED = "含多个数值或说明文字，无法归一"
REASON_CONTROL = "含有不可见的控制字符"
REASON_TOO_LONG = "指标值过长"
REASON_TOO_MANY_DIGITS = "数值位数过多"
REASON_NO_NUMBER = "只有比较符，缺少数值"
REASON_CHINESE_NUMERAL = "请用阿拉伯数字书写数值"
REASON_CONFLICT = "比较符与“以上/以下”等说明相互矛盾"
REASON_RANGE_QUALIFIED = "区间不能再加比较符或“以上/以下”"
REASON_RANGE_UNITS = "区间两端单位不一致"
REASON_BAD_DATE = "日期无效"

# Longer than any real target value; past this it is a description pasted in the wrong cell.
MAX_LENGTH = 200
# Keeps parsed numbers inside any sensible DecimalField.
MAX_DIGITS = 30

# --- character normalisation -------------------------------------------------------------

# Only width variants of ASCII digits, letters and operators are folded. Chinese punctuation
# (，（）) stays as typed: a full-width comma is a list separator, not a thousands separator.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "％": "%",
        "﹪": "%",
        "＞": ">",
        "﹥": ">",
        "＜": "<",
        "﹤": "<",
        "＝": "=",
        "﹦": "=",
        "～": "~",
        "〜": "~",
        "∼": "~",
        "．": ".",
        "－": "-",
        "−": "-",
        "﹣": "-",
        "＋": "+",
        "／": "/",
        "≒": "≈",
    }
)

_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_WHITESPACE_RUN = re.compile(r"\s+")
_TRAILING_PUNCT = "。.；;，,、"


def _is_cjk_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or ch == "〇"
    )


def _has_cjk(s: str) -> bool:
    return any(_is_cjk_ideograph(ch) for ch in s)


def _has_digit(s: str) -> bool:
    # ASCII only: Decimal would happily read Arabic-Indic or other Unicode digits.
    return any("0" <= ch <= "9" for ch in s)


def _join_whitespace(match: re.Match[str]) -> str:
    # Spaces between Chinese characters, operators and units are typing noise; between two
    # ASCII alphanumerics they separate words or, for "30 000", make the value unreadable,
    # which is what we want rather than silently gluing digits together.
    text, start, end = match.string, match.start(), match.end()
    if (
        0 < start
        and end < len(text)
        and text[start - 1] in _ASCII_ALNUM
        and text[end] in _ASCII_ALNUM
    ):
        return " "
    return ""


def _compact(s: str) -> str:
    s = s.translate(_FOLD).strip()
    s = s.rstrip(_TRAILING_PUNCT).strip()
    return _WHITESPACE_RUN.sub(_join_whitespace, s)


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

# --- periods -----------------------------------------------------------------------------

_POINT = (
    r"(?:"
    r"(?:[0-9]{2}|[0-9]{4})年[度底末初中]"
    r"|(?:[0-9]{4}年)?[0-9]{1,2}月(?:[0-9]{1,2}[日号]|底|末|初|上旬|中旬|下旬|中)?"
    r"|(?:[0-9]{4}年)?(?:第?[一二三四1-4]季度|上半年|下半年)"
    r"|[0-9]{4}年"
    r"|[0-9]{1,2}日"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}"
    r"|年度内|年底|年末|年初|年中|年内|月底|月末|月初|本年度|本年|当年|全年|次年|本月|当月"
    r")"
)
_PERIOD_RE = re.compile(
    rf"(?P<lead>截止到|截至|截止|于|在)?(?P<start>{_POINT})"
    rf"(?:(?P<sep>{_RANGE_SEP})(?P<end>{_POINT}))?"
    r"(?P<tail>(?:前|之前|以前|以内|之内|内|止|为止)?(?:完成)?)"
)
_YEAR_RE = re.compile(r"(?<![0-9])([0-9]{4})(?=年|[-./])")
_MONTH_RE = re.compile(r"([0-9]+)月|[0-9]{4}[-./]([0-9]+)[-./]")
_DAY_RE = re.compile(r"([0-9]+)[日号]|[0-9]{4}[-./][0-9]+[-./]([0-9]+)")


def _valid_date_parts(s: str) -> bool:
    years = [int(y) for y in _YEAR_RE.findall(s)]
    months = [int(a or b) for a, b in _MONTH_RE.findall(s)]
    days = [int(a or b) for a, b in _DAY_RE.findall(s)]
    return (
        all(1900 <= y <= 2199 for y in years)
        and all(1 <= m <= 12 for m in months)
        and all(1 <= d <= 31 for d in days)
    )


def _parse_period(s: str) -> ParsedValue | None:
    m = _PERIOD_RE.fullmatch(s)
    if m is None:
        return None
    if not _valid_date_parts(s):
        return ParsedValue(kind=ValueKind.UNPARSED, reason=REASON_BAD_DATE)
    # One spelling for every range separator, so equal periods compare equal.
    text = (m["lead"] or "") + m["start"] + (f"至{m['end']}" if m["end"] else "") + m["tail"]
    return ParsedValue(kind=ValueKind.PERIOD, text=text)


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


def _unparsed(reason: str) -> ParsedValue:
    return ParsedValue(kind=ValueKind.UNPARSED, reason=reason)


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
        unit = unit2 or unit1
        comparator: Comparator | None = Comparator.RANGE
    else:
        unit, suffix = _strip_suffix(rest)
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
        if name_declares_percent(indicator_name):
            unit, unit_implied = "%", True
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


# --- qualitative text --------------------------------------------------------------------

_NOT_WORDS = frozenset("%‰‱#*@&\\")


def _is_wordy(s: str) -> bool:
    """Chinese words with ordinary punctuation: no digits, operators, symbols or emoji."""
    if not _has_cjk(s):
        return False
    for ch in s:
        if _is_cjk_ideograph(ch) or ch == " " or ("A" <= ch <= "Z") or ("a" <= ch <= "z"):
            continue
        if unicodedata.category(ch).startswith("P") and ch not in _NOT_WORDS:
            continue
        return False
    return True


# --- public API --------------------------------------------------------------------------


def _clean(text: str) -> tuple[str, bool]:
    """Drop invisible format characters (zero-width spaces from Word); report control chars."""
    has_control = False
    kept: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Cc" and not ch.isspace():
            has_control = True
            continue
        kept.append(ch)
    return "".join(kept), has_control


def parse_value(text: str | None, *, indicator_name: str = "") -> ParsedValue:
    """Parse a typed 指标值. Never raises; unreadable input comes back as UNPARSED."""
    if text is None:
        return ParsedValue(kind=ValueKind.EMPTY)
    cleaned, has_control = _clean(str(text))
    if not cleaned.strip():
        return _unparsed(REASON_CONTROL) if has_control else ParsedValue(kind=ValueKind.EMPTY)
    if has_control:
        return _unparsed(REASON_CONTROL)
    s = _compact(cleaned)
    if not s:
        # Only trailing punctuation such as "。": nothing to parse, but not blank either.
        return _unparsed(REASON_UNRECOGNISED)
    if len(s) > MAX_LENGTH:
        return _unparsed(REASON_TOO_LONG)
    name = _compact(_clean(indicator_name or "")[0])

    period = _parse_period(s)
    if period is not None:
        return period
    quantity = _parse_quantity(s, name)
    if quantity is not None:
        return quantity

    if not _has_digit(s):
        if _COMPARATOR_ONLY_RE.fullmatch(s):
            return _unparsed(REASON_NO_NUMBER)
        if "百分之" in s:
            return _unparsed(REASON_CHINESE_NUMERAL)
        if _is_wordy(s):
            return ParsedValue(kind=ValueKind.QUALITATIVE, text=s)
        return _unparsed(REASON_UNRECOGNISED)
    if _has_cjk(s):
        return _unparsed(REASON_MIXED)
    return _unparsed(REASON_UNRECOGNISED)


def suggest_normal_form(text: str, *, indicator_name: str = "") -> str | None:
    """The canonical spelling when it differs from the typed text, else None.

    ≧85% → ≥85%; >=97.9% → ≥97.9%; full-width ％ → %; 1 on a 率/比例 indicator → 100%;
    ≥85 on a name with （%） → ≥85%. Surrounding spaces count as a difference ("　100%" →
    "100%"). A quantitative remark is kept, in full-width parentheses. EMPTY and UNPARSED
    values have no canonical spelling and give None.
    """
    parsed = parse_value(text, indicator_name=indicator_name)
    if parsed.kind in (ValueKind.EMPTY, ValueKind.UNPARSED):
        return None
    canonical = parsed.normal_form()
    if parsed.kind is ValueKind.QUANTITATIVE and parsed.text:
        canonical += f"（{parsed.text}）"
    return None if canonical == text else canonical
