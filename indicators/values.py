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
* A bare number on a name that states a unit in a trailing bracket (造林面积（亩）, 参保率（%）)
  takes that unit, flagged ``unit_implied``.
* Periods as real tables write them: ``2023.07-2024.01``, ``2021年1月-12月``, ``1-12月``, and
  deadlines with their deed, ``12月底前拨付到位``. A bare ``2023.07`` is a month unless the
  name is about an amount or a count. :func:`period_bounds` turns a period into days.
* ``±3%以内`` is a tolerance (:attr:`Comparator.TOLERANCE`); its normal form is ``±3%``.
* :func:`suggest_normal_form` ignores cosmetic differences (width, spaces, separators).
* Anything we cannot read with confidence is ``UNPARSED`` with a reason; we never guess and
  never raise.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from indicators.names import name_is_rate, unit_in_name, without_remark
from perfgoals.display import decimal_text

__all__ = [
    "Comparator",
    "ParsedValue",
    "ValueKind",
    "cosmetically_equal",
    "parse_value",
    "period_bounds",
    "split_name_value",
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
    # ±3%: a tolerance around a planned figure (误差±3%以内), symmetric, so one number.
    TOLERANCE = "±"


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
    # QUALITATIVE only: a state or grade one can verify at year end (达标, 合格, 是, 全覆盖,
    # 按时完成, 无事故, 较好), as opposed to a trend without a measure (明显提高).
    measurable: bool = False

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

# A year-month written with a dot, slash or dash (2023.07, 2023/7): a point of time in a table's
# 实施期限 column, although "2023.07" also reads as a decimal. Years outside 1900–2199 and
# months outside 1–12 stay numbers.
_YEAR_MONTH = r"(?:19|20|21)[0-9]{2}[-./](?:0?[1-9]|1[0-2])(?![0-9])"
_POINT = (
    r"(?:"
    r"(?:[0-9]{2}|[0-9]{4})年年?[度底末初中]"
    r"|(?:[0-9]{4}年)?[0-9]{1,2}月(?:[0-9]{1,2}[日号]|底|末|初|上旬|中旬|下旬|中)?"
    r"|(?:[0-9]{4}年)?(?:第?[一二三四1-4]季度|上半年|下半年)"
    r"|[0-9]{4}年"
    r"|[0-9]{1,2}日"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}"
    rf"|{_YEAR_MONTH}"
    r"|年度内|年底|年末|年初|年中|年内|月底|月末|月初|本年度|本年|当年|全年|次年|本月|当月"
    r")"
)
_LEAD = r"(?P<lead>截止到|截至|截止|于|在)?"
# What may follow a point: "by" (前, 止 …), then an optional adverb and what is due then
# (12月底前拨付到位, 年底前全部兑现). The deed is kept in the text; it says what the date is for.
_BEFORE_WORDS = r"前|之前|以前|以内|之内|内|止|为止"
_DEADLINE_ADVERBS = r"全部|全面|全额|足额|按时|及时|如期|基本"
_DEADLINE_VERBS = (
    "到位",
    "完成",
    "完工",
    "竣工",
    "拨付",
    "兑现",
    "发放",
    "下达",
    "验收",
    "建成",
    "开工",
    "投入使用",
    "交付使用",
    "投用",
    "交付",
    "上线",
    "启动",
    "实施",
    "结束",
    "办结",
    "支付",
    "落实",
    "结算",
    "完毕",
    "通过验收",
    "达标",
)
_TAIL = (
    rf"(?P<tail>(?:{_BEFORE_WORDS})?(?:{_DEADLINE_ADVERBS})?"
    rf"(?:{'|'.join(sorted(_DEADLINE_VERBS, key=len, reverse=True))}){{0,2}})"
)
_PERIOD_RE = re.compile(
    rf"{_LEAD}(?P<start>{_POINT})(?:(?P<sep>{_RANGE_SEP})(?P<end>{_POINT}))?{_TAIL}"
)
# 1-12月, 2021年1-12月: a range of months written with the 月 once.
_MONTH_RANGE_RE = re.compile(
    rf"{_LEAD}(?:(?P<year>[0-9]{{4}})年)?(?P<m1>[0-9]{{1,2}})(?P<sep>{_RANGE_SEP})"
    rf"(?P<m2>[0-9]{{1,2}})月{_TAIL}"
)
# 2021-2023年, or 2021-2023 on a name that is not about a number: a range of years.
_YEAR_RANGE_RE = re.compile(
    rf"{_LEAD}(?P<y1>(?:19|20|21)[0-9]{{2}})(?P<sep>{_RANGE_SEP})"
    rf"(?P<y2>(?:19|20|21)[0-9]{{2}})(?P<unit>年度?)?{_TAIL}"
)
_LONGEST_BARE_YEAR_SPAN = 10
_YEAR_RE = re.compile(r"(?<![0-9])([0-9]{4})(?=年|[-./])")
# A dotted or dashed date keeps one separator throughout: 2023.07-2024.01 is two months.
_MONTH_RE = re.compile(r"([0-9]+)月|[0-9]{4}[-./]([0-9]{1,2})(?![0-9])")
_DAY_RE = re.compile(r"([0-9]+)[日号]|[0-9]{4}([-./])[0-9]{1,2}\2([0-9]{1,2})(?![0-9])")

# Name endings of an amount or a count: there a bare 2023.07 or 2021-2023 is a number.
_NUMBER_NAME_ENDINGS = (
    "数",
    "额",
    "量",
    "金",
    "费",
    "资金",
    "面积",
    "长度",
    "规模",
    "投资",
    "成本",
    "标准",
    "人次",
    "里程",
    "产值",
    "收入",
    "价",
    "值",
)


def _name_wants_number(name: str) -> bool:
    return bool(unit_in_name(name)) or without_remark(name).strip().endswith(_NUMBER_NAME_ENDINGS)


def _valid_date_parts(s: str) -> bool:
    years = [int(y) for y in _YEAR_RE.findall(s)]
    months = [int(a or b) for a, b in _MONTH_RE.findall(s)]
    days = [int(a or b) for a, _, b in _DAY_RE.findall(s)]
    return (
        all(1900 <= y <= 2199 for y in years)
        and all(1 <= m <= 12 for m in months)
        and all(1 <= d <= 31 for d in days)
    )


def _with_one_separator(m: re.Match[str]) -> str:
    """The matched text with 至 for its range separator, so equal periods compare equal."""
    s = m.string
    if m["sep"] is None:
        return s
    return s[: m.start("sep")] + "至" + s[m.end("sep") :]


def _match_period(s: str, name: str) -> re.Match[str] | None:
    m = _PERIOD_RE.fullmatch(s)
    if m is not None:
        bare_year_month = not (m["lead"] or m["end"] or m["tail"]) and re.fullmatch(
            _YEAR_MONTH, m["start"]
        )
        if bare_year_month and _name_wants_number(name):
            return None  # 资金总额（万元） 2023.07 is an amount, however odd
        return m
    m = _MONTH_RANGE_RE.fullmatch(s)
    if m is not None:
        if 1 <= int(m["m1"]) <= int(m["m2"]) <= 12:
            return m
        return None
    m = _YEAR_RANGE_RE.fullmatch(s)
    if m is not None and int(m["y1"]) <= int(m["y2"]):
        if m["unit"] or m["lead"] or m["tail"]:
            return m
        # Bare 2021-2023: years only when the span is a project's, not a count's 1950-2100.
        if int(m["y2"]) - int(m["y1"]) <= _LONGEST_BARE_YEAR_SPAN and not _name_wants_number(name):
            return m
    return None


def _parse_period(s: str, name: str = "") -> ParsedValue | None:
    m = _match_period(s, name)
    if m is None:
        return None
    if not _valid_date_parts(s):
        return ParsedValue(kind=ValueKind.UNPARSED, reason=REASON_BAD_DATE)
    text = _with_one_separator(m)
    try:
        _bounds_of_match(_match_period(text, name) or m, year=None, strict=True)
    except ValueError:
        return ParsedValue(kind=ValueKind.UNPARSED, reason=REASON_BAD_DATE)
    return ParsedValue(kind=ValueKind.PERIOD, text=text)


# --- period bounds -----------------------------------------------------------------------

_Span = tuple[datetime.date | None, datetime.date | None]

_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Parts of a month, in days: 月初 is the first ten days, 月底 the last ten (as 下旬).
_MONTH_PARTS = {
    "初": (1, 10),
    "上旬": (1, 10),
    "中": (11, 20),
    "中旬": (11, 20),
    "下旬": (21, 31),
    "底": (21, 31),
    "末": (21, 31),
}
# Parts of a year, in months.
_YEAR_PARTS = {"度": (1, 12), "初": (1, 1), "中": (6, 6), "底": (12, 12), "末": (12, 12)}
_RELATIVE_YEAR = {
    "年度内": (0, 1, 12),
    "年内": (0, 1, 12),
    "本年度": (0, 1, 12),
    "本年": (0, 1, 12),
    "当年": (0, 1, 12),
    "全年": (0, 1, 12),
    "次年": (1, 1, 12),
    "年底": (0, 12, 12),
    "年末": (0, 12, 12),
    "年初": (0, 1, 1),
    "年中": (0, 6, 6),
}

_DAY_POINT_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"
    r"|(?P<y2>[0-9]{4})[-./](?P<m2>[0-9]{1,2})[-./](?P<d2>[0-9]{1,2})"
)
_MONTH_POINT_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?P<m>[0-9]{1,2})月(?P<part>底|末|初|上旬|中旬|下旬|中)?"
    r"|(?P<y2>[0-9]{4})[-./](?P<m2>[0-9]{1,2})"
)
_QUARTER_POINT_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?:第?(?P<q>[一二三四1-4])季度|(?P<h>[上下])半年)"
)
_YEAR_POINT_RE = re.compile(
    r"(?P<y>[0-9]{2}|[0-9]{4})年(?:年(?=[度底末初中]))?(?P<part>[度底末初中])?"
)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_span(year: int | None, first: int, last: int) -> _Span:
    if year is None:
        return None, None
    return datetime.date(year, first, 1), datetime.date(year, last, _last_day(year, last))


def _point_span(point: str, year: int | None, *, strict: bool = False) -> tuple[_Span, bool]:
    """The first and last day of one point, and whether the point names its own year.

    ``strict`` checks a day against its month even without a year (2月30日 is impossible in
    every year; 2月29日 is checked against a leap year), raising ValueError.
    """
    if (m := _DAY_POINT_RE.fullmatch(point)) is not None:
        own = m["y"] or m["y2"]
        y = int(own) if own else year
        month, day = int(m["m"] or m["m2"]), int(m["d"] or m["d2"])
        if y is None:
            if strict:
                datetime.date(2000, month, day)
            return (None, None), False
        date = datetime.date(y, month, day)
        return (date, date), own is not None
    if (m := _MONTH_POINT_RE.fullmatch(point)) is not None:
        own = m["y"] or m["y2"]
        y = int(own) if own else year
        month = int(m["m"] or m["m2"])
        if y is None:
            return (None, None), False
        first, last = _MONTH_PARTS.get(m["part"] or "", (1, 31))
        end = min(last, _last_day(y, month))
        return (datetime.date(y, month, first), datetime.date(y, month, end)), own is not None
    if (m := _QUARTER_POINT_RE.fullmatch(point)) is not None:
        y = int(m["y"]) if m["y"] else year
        if m["q"]:
            q = _QUARTERS[m["q"]]
            span = _month_span(y, 3 * q - 2, 3 * q)
        else:
            span = _month_span(y, 1, 6) if m["h"] == "上" else _month_span(y, 7, 12)
        return span, m["y"] is not None
    if (m := _YEAR_POINT_RE.fullmatch(point)) is not None:
        y = int(m["y"])
        y = 2000 + y if y < 100 else y
        first, last = _YEAR_PARTS.get(m["part"] or "", (1, 12))
        return _month_span(y, first, last), True
    if point in _RELATIVE_YEAR:
        offset, first, last = _RELATIVE_YEAR[point]
        return _month_span(None if year is None else year + offset, first, last), False
    # 15日, 月底, 本月: no month or year to place them in.
    return (None, None), False


def _shift_year(date: datetime.date | None, by: int) -> datetime.date | None:
    if date is None:
        return None
    day = min(date.day, _last_day(date.year + by, date.month))
    return date.replace(year=date.year + by, day=day)


def _bounds_of_match(m: re.Match[str], *, year: int | None, strict: bool = False) -> _Span:
    groups = m.re.groupindex
    if "y1" in groups:  # a range of years
        start, end = _month_span(int(m["y1"]), 1, 1)[0], _month_span(int(m["y2"]), 12, 12)[1]
    elif "m1" in groups:  # a range of months
        y = int(m["year"]) if m["year"] else year
        span_start = _month_span(y, int(m["m1"]), int(m["m1"]))
        span_end = _month_span(y, int(m["m2"]), int(m["m2"]))
        start, end = span_start[0], span_end[1]
    else:
        (start, first_end), start_own = _point_span(m["start"], year, strict=strict)
        end = first_end
        if m["end"]:
            # The end point takes the start's year when it has none (2021年1月-12月), and
            # the reverse (9月至2021年8月); a range that would run backwards crosses a year.
            start_year = start.year if start_own and start is not None else year
            (_, end), end_own = _point_span(m["end"], start_year, strict=strict)
            if not start_own and end_own and end is not None:
                (start, _), _ = _point_span(m["start"], end.year, strict=strict)
                if start is not None and start > end:
                    start = _shift_year(start, -1)
            elif start is not None and end is not None and end < start and not end_own:
                end = _shift_year(end, 1)
    tail = m["tail"] or ""
    if (m["lead"] or "").startswith("截") or re.match(_BEFORE_WORDS, tail):
        start = None  # a deadline: anything up to the end counts
    return start, end


def period_bounds(parsed: ParsedValue, *, year: int | None = None) -> _Span:
    """The first and last day a PERIOD value covers; None where the text does not say.

    ``year`` is the budget year, for points that do not name one (12月底, 年底前, 1-12月).
    A deadline (…前, …止, 截至…) has no start: only its end is promised. Parts of a month
    are ten-day spans (月底 = 21st to the last day); parts of a year are months (年底 =
    December, 年中 = June). 2023.07-2024.01 → (2023-07-01, 2024-01-31). Never raises.
    """
    if parsed.kind is not ValueKind.PERIOD:
        return None, None
    try:
        m = _match_period(parsed.text, "")
        if m is None:
            return None, None
        return _bounds_of_match(m, year=year)
    except (ValueError, OverflowError):
        return None, None


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


# Unit words some systems print instead of the sign (天津's 100百分比): one meaning, one unit.
_UNIT_SYNONYMS = {"百分比": "%", "百分率": "%", "千分比": "‰"}

# --- measurable grades -------------------------------------------------------------------

# Qualitative values one can check at year end with a yes or a no: an answer (是/否, 有/无),
# a pass (达标, 合格, 通过验收), a completed deed (按时完成, 全部到位), coverage (全覆盖,
# 应保尽保), the absence of incidents (无事故, 零投诉) and the top grades of the official
# scales (好/较好/一般/较差/差 of the 2020 self-evaluation rules, 优/良/中/差 of reviews).
# A direction without a measure (明显提高, 有效缓解, 逐步提升, 长期) is not one of them.
_MEASURABLE_WORDS = frozenset(
    {
        "是",
        "否",
        "有",
        "无",
        "好",
        "较好",
        "良好",
        "优",
        "良",
        "优良",
        "优秀",
        "正常",
        "正常运行",
        "正常使用",
        "运行正常",
        "全覆盖",
        "全面覆盖",
        "应保尽保",
        "应补尽补",
        "应纳尽纳",
        "应助尽助",
        "应享尽享",
        "及时",
        "按时",
        "按期",
        "如期",
        "准时",
    }
)
_NORM_QUALIFIERS = "相关|国家|行业|省级?|设计|合同|规划|规定的?|有关"
_NORMS = "要求|标准|规定|规范|条件"
_MEASURABLE_RES = (
    # 合格, 验收合格, 全部达标, 通过验收 …
    re.compile(r"(?:全部|均|质量|验收|检验|检测|考核|评估|审计)?(?:合格|达标|通过)"),
    re.compile(r"通过(?:验收|考核|评估|审计|检查|评审)"),
    # 符合要求, 达到国家标准, 满足设计规范 …
    re.compile(
        rf"符合(?:{_NORM_QUALIFIERS})?(?:{_NORMS})?|(?:达到|满足)(?:{_NORM_QUALIFIERS})?(?:{_NORMS})"
    ),
    # 完成, 按时完成, 全部拨付到位, 足额发放 …
    re.compile(
        r"(?:已|全部|全面|全额|足额|按时|按期|如期|及时|按计划|按要求|按合同)?"
        r"(?:完成|到位|兑现|拨付|发放|下达|办结|结算|建成|竣工|完工|验收|覆盖|落实)"
        r"(?:到位|完成|完毕)?"
    ),
    # 无事故, 零事故, 未发生重大安全事故, 无投诉 …
    re.compile(
        r"(?:无|零|未发生|不发生|杜绝)(?:重大|较大|一般)?"
        r"(?:安全|质量|责任|生产|医疗|交通|食品安全|火灾|环境|森林火灾)?"
        r"(?:事故|投诉|违规|违纪|违法|纠纷|差错|问题|案件|事件|隐患|上访)"
    ),
)


# A sentence whose promise is a pass against a stated norm (鼠密度达到国家规定的控制指标,
# 顺利通过国家卫生城市复查) is checked with a yes or a no, however long.
# A stated frequency is checked against the calendar: 按月安排, 每季度开展一次.
_SCHEDULE_RE = re.compile(
    r"(?:按|每)(?:日|天|周|旬|月|季度|季|半年|年)(?:度)?"
    r"(?:安排|开展|完成|报送|发放|拨付|召开|检查|通报|更新|结算|支付)?(?:一次|1次)?"
)
_MEASURABLE_CLAUSE_RE = re.compile(
    rf"(?:达到|符合|满足|不超过|不低于)(?:{_NORM_QUALIFIERS})+的?(?:控制指标|{_NORMS})"
    r"|通过[^，。；,;]{0,12}(?:验收|考核|检查|抽查|复查|复审|评审|暗访)"
)


def _is_measurable(s: str) -> bool:
    return (
        s in _MEASURABLE_WORDS
        or any(p.fullmatch(s) for p in _MEASURABLE_RES)
        or _SCHEDULE_RE.fullmatch(s) is not None
        or _MEASURABLE_CLAUSE_RE.search(s) is not None
    )


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

    period = _parse_period(s, name)
    if period is not None:
        return period
    tolerance = _parse_tolerance(s, name)
    if tolerance is not None:
        return tolerance
    quantity = _parse_quantity(s, name)
    if quantity is not None:
        return quantity

    if not _has_digit(s):
        if _COMPARATOR_ONLY_RE.fullmatch(s):
            return _unparsed(REASON_NO_NUMBER)
        if "百分之" in s:
            return _unparsed(REASON_CHINESE_NUMERAL)
        if _is_wordy(s):
            return ParsedValue(kind=ValueKind.QUALITATIVE, text=s, measurable=_is_measurable(s))
        return _unparsed(REASON_UNRECOGNISED)
    if _has_cjk(s):
        return _unparsed(REASON_MIXED)
    return _unparsed(REASON_UNRECOGNISED)


# --- cosmetic differences ----------------------------------------------------------------

# Width, spaces, trailing punctuation, the spelling of a range separator and the parentheses'
# width change nothing a reader takes from a value; a table should not be asked to change them.
_COSMETIC_FOLD = str.maketrans({"(": "（", ")": "）"})
_SEPARATOR_BETWEEN_RE = re.compile(
    rf"(?<=[0-9%‰A-Za-z\u3400-\u4dbf\u4e00-\u9fff）])(?:{_RANGE_SEP})(?=[0-9])"
)
# Around ±, 误差/偏差 only say what the tolerance is of, and 以内 repeats what ± says.
_TOLERANCE_WORDS_RE = re.compile(
    r"^(?:上下)?(?:误差|偏差|浮动|波动)率?(?:范围)?(?:为|在|控制在)?(?=±)"
    r"|(?<=[0-9%‰A-Za-z\u3400-\u4dbf\u4e00-\u9fff])(?:以内|之内|范围内|内)$"
)


def _cosmetic_key(text: str) -> str:
    s = _clean(text)[0].translate(_FOLD).translate(_COSMETIC_FOLD)
    s = _WHITESPACE_RUN.sub("", s).rstrip(_TRAILING_PUNCT)
    s = _SEPARATOR_BETWEEN_RE.sub("~", s)
    if "±" in s:
        s = _TOLERANCE_WORDS_RE.sub("", s)
    return s


def cosmetically_equal(a: str, b: str) -> bool:
    """Whether two spellings of a value differ only in ways that change nothing for a reader.

    Full-width ％, digits and brackets, spaces anywhere (full-width, leading, trailing),
    trailing punctuation, the range separator (- — ~ 到 至) and the words around a tolerance
    (误差±3%以内 = ±3%). Not cosmetic: ≧ or >= for ≥, a unit added or left out, 1 for 100%.
    """
    return _cosmetic_key(a) == _cosmetic_key(b)


def suggest_normal_form(text: str, *, indicator_name: str = "") -> str | None:
    """The canonical spelling when it differs from the typed text in meaning or in a wrong
    character, else None.

    ≧85% → ≥85%; >=97.9% → ≥97.9%; 1 on a 率/比例 indicator → 100%; ≥85 on a name with （%）
    → ≥85%; 不低于20元 → ≥20元. Cosmetic differences (see :func:`cosmetically_equal`) give
    None: 100％, "　100%", 80-90% (the unit once on a range), 2020年9月-2021年8月, ±3%以内.
    A quantitative remark is kept, in full-width parentheses. EMPTY and UNPARSED values have
    no canonical spelling and give None.
    """
    parsed = parse_value(text, indicator_name=indicator_name)
    if parsed.kind in (ValueKind.EMPTY, ValueKind.UNPARSED):
        return None
    canonical = parsed.normal_form()
    remark = f"（{parsed.text}）" if parsed.kind is ValueKind.QUANTITATIVE and parsed.text else ""
    spellings = [canonical + remark]
    if parsed.comparator is Comparator.RANGE and parsed.number is not None and parsed.upper:
        # 80-90%: the unit written once for both ends is how most tables write a range.
        short = f"{decimal_text(parsed.number)}~{decimal_text(parsed.upper)}{parsed.unit}"
        spellings.append(short + remark)
    if any(cosmetically_equal(text, spelling) for spelling in spellings):
        return None
    return canonical + remark


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
