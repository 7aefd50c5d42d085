"""What a typed value parses to, and the reasons a value cannot be read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from perfgoals.display import decimal_text


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


def _unparsed(reason: str) -> ParsedValue:
    return ParsedValue(kind=ValueKind.UNPARSED, reason=reason)
