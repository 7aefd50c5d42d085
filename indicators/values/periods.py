"""Periods and deadlines (2023.07-2024.01, 12月底前拨付到位) and the days they cover."""

from __future__ import annotations

import calendar
import datetime
import re

from indicators.names import unit_in_name, without_remark
from indicators.values.parsed import REASON_BAD_DATE, ParsedValue, ValueKind
from indicators.values.quantities import _RANGE_SEP

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
