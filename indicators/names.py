"""What an indicator's name says about its value: a rate, or a unit stated in the name.

The value grammar (indicators.values) and the row rules (indicators.rules) ask the same
questions of a name, "is this a share of a whole?" and "does the name state the unit?": a bare
``1`` on a rate is the fraction 1, i.e. 100%, its target cannot exceed 100%, and a bare ``≥85``
on 参保率（%） means ≥85%. One answer serves both, so a name cannot be a rate to one and not to
the other.
"""

import re

__all__ = [
    "GROWTH_WORDS",
    "name_declares_percent",
    "name_is_rate",
    "unit_in_name",
    "without_remark",
]

# Words of a change between two periods (增长率, 同比): a rate of change, not a share; it may
# exceed 100%, and a bare 1 there is not 100%.
GROWTH_WORDS = ("增长", "增幅", "同比", "环比", "增速")

_RATE_NAME_RE = re.compile(r"率|比例|覆盖")
_TRAILING_PAREN_RE = re.compile(r"[（(][^（）()]*[）)]\s*$")

# Measure words and units seen in the unit brackets of real tables (education, forestry,
# transport, health …). A closed list on purpose: the trailing bracket of a name more often
# holds a remark (（低保对象）, （含XX）) than a unit, and a remark must never pass for one.
_BASE_UNITS = (
    # people and households
    "人 人次 户 户次 名 位 人日".split()
    # places, bodies, things
    + "个 家 所 项 次 场 场次 期 批 班 间 床 张 块 处 条 座 台 套 辆 艘 件 册 本 份 篇 部".split()
    + "株 棵 只 头 匹 盏 根 眼 口 栋 幢 宗 笔 例 门 节 站 点 村 校 支 队 课时 学时 床位".split()
    # money
    + ["元"]
    # time
    + "天 日 周 月 个月 年 小时 分钟 工作日 个工作日".split()
    # length, area, volume, weight
    + "公里 千米 米 厘米 毫米 亩 公顷 平方米 平方公里 平方千米 平米 立方米 方".split()
    + "吨 千克 公斤 斤 克 ㎡ ㎞ ㎏ m² m³".split()
    # energy
    + "千瓦 千瓦时 度".split()
)
# Letters only as a known symbol: a bracketed (PPP) or (CT) is a remark, not a unit.
_ASCII_UNITS = "km m cm mm m2 m3 km2 kg g t ha kw kwh mw mwh h d".split()
_MAGNITUDE = "(?:万|千|百|亿|十万|百万|千万)?"
_BASE_ALT = "|".join(re.escape(u) for u in sorted(_BASE_UNITS, key=len, reverse=True))
_ASCII_ALT = "|".join(re.escape(u) for u in sorted(_ASCII_UNITS, key=len, reverse=True))
_ATOM = rf"(?:{_MAGNITUDE}(?:{_BASE_ALT})|(?i:{_ASCII_ALT}))"
_UNIT_RE = re.compile(rf"%|‰|{_ATOM}(?:/{_ATOM})*")
_BRACKETED_TAIL_RE = re.compile(r"[（(]([^（）()]*)[）)]\s*$")
_UNIT_LABEL_RE = re.compile(r"^(?:计量)?单位\s*[:：]?\s*")
_UNIT_FOLD = str.maketrans({"％": "%", "﹪": "%", "／": "/"})


def without_remark(name: str) -> str:
    """The name without a trailing parenthesised remark: 住院救助比例（低保对象） → 住院救助比例."""
    return _TRAILING_PAREN_RE.sub("", name)


def unit_in_name(name: str) -> str:
    """The unit a name states in a trailing bracket, e.g. 造林面积（亩） → 亩; "" when none.

    ASCII and full-width brackets, full-width ％ and an optional 单位： label are accepted;
    the unit comes back in one spelling (``%``, ``元/人``). A bracket holding a remark
    (（低保对象）, （含XX）, （≥**%）) is not a unit.
    """
    match = _BRACKETED_TAIL_RE.search(name or "")
    if match is None:
        return ""
    inside = re.sub(r"\s+", "", match.group(1)).translate(_UNIT_FOLD)
    inside = _UNIT_LABEL_RE.sub("", inside)
    if not _UNIT_RE.fullmatch(inside):
        return ""
    return inside


def name_declares_percent(name: str) -> bool:
    """参保率（%）: the column is stated in percent, so a bare ≥85 means ≥85%."""
    return unit_in_name(name) == "%"


def name_is_rate(name: str) -> bool:
    """A share of a whole, at most 100%: 覆盖率, 报销比例, 到位率, or a name declaring （%）.

    Not a rate although the word is there: a frequency (随访频率), a count (覆盖人数, anything
    ending in 数) and a change between periods (增长率, 同比, 环比 …).
    """
    bare = without_remark(name).strip()
    if "频率" in bare or bare.endswith("数") or any(word in bare for word in GROWTH_WORDS):
        return False
    return bool(_RATE_NAME_RE.search(bare)) or name_declares_percent(name)
