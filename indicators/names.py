"""What an indicator's name says about its value: a rate, or a column stated in percent.

The value grammar (indicators.values) and the row rules (indicators.rules) ask the same
question of a name, "is this a share of a whole?": a bare ``1`` on such an indicator is the
fraction 1, i.e. 100%, and its target cannot exceed 100%. One answer serves both, so a
name cannot be a rate to one and not to the other.
"""

import re

__all__ = ["GROWTH_WORDS", "name_declares_percent", "name_is_rate", "without_remark"]

# Words of a change between two periods (增长率, 同比): a rate of change, not a share; it may
# exceed 100%, and a bare 1 there is not 100%.
GROWTH_WORDS = ("增长", "增幅", "同比", "环比", "增速")

_PERCENT_IN_NAME_RE = re.compile(r"[（(]\s*[%％]\s*[）)]")
_RATE_NAME_RE = re.compile(r"率|比例|覆盖")
_TRAILING_PAREN_RE = re.compile(r"[（(][^（）()]*[）)]\s*$")


def without_remark(name: str) -> str:
    """The name without a trailing parenthesised remark: 住院救助比例（低保对象） → 住院救助比例."""
    return _TRAILING_PAREN_RE.sub("", name)


def name_declares_percent(name: str) -> bool:
    """参保率（%）: the column is stated in percent, so a bare ≥85 means ≥85%."""
    return bool(_PERCENT_IN_NAME_RE.search(name))


def name_is_rate(name: str) -> bool:
    """A share of a whole, at most 100%: 覆盖率, 报销比例, 到位率, or a name declaring （%）.

    Not a rate although the word is there: a frequency (随访频率), a count (覆盖人数, anything
    ending in 数) and a change between periods (增长率, 同比, 环比 …).
    """
    bare = without_remark(name).strip()
    if "频率" in bare or bare.endswith("数") or any(word in bare for word in GROWTH_WORDS):
        return False
    return bool(_RATE_NAME_RE.search(bare)) or name_declares_percent(name)
