"""Every text form of an amount, number, unit or date, for pages, checks and exports.

Arithmetic lives in money.py; this module only turns exact Decimals into the text staff read.
Template filters (allocations/templatetags, exports) are thin wrappers over these functions,
so a service or an export never imports a template-tag module.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from perfgoals.money import AmountUnit, from_yuan

CN_DIGITS = "零一二三四五六七八九"
# Standards derived from shares can have long expansions (12 × 1/3); four places suffice.
PLAIN_PLACES = Decimal("0.0001")


def format_amount(amount: Decimal | None, *, places: int | None = None) -> str:
    """Thousands separators, no float on the way; None prints as empty."""
    if amount is None:
        return ""
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{amount:,}"


def money(amount: Decimal | None) -> str:
    """Two decimals with thousands separators, as screens show money (3.88, 154.18)."""
    return format_amount(amount, places=2)


def plain(value: Decimal | int | str | None) -> str:
    """31800, 4.8, 7034.4: the figure as staff write it, with thousands separators."""
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(PLAIN_PLACES).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format_amount(value)


def plain_number(value: Decimal | None) -> str:
    """4.8 not 4.8000, 31800 not 3.18E+4, and no separators: the figure as a table prints it."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


def figure(value: Decimal | int | None, places: int | None = None) -> str:
    """A figure as an official table prints it: with `places` decimals when the layout fixes
    them (seed 004's 部门预算 tables print 90100.00, 25.00), otherwise with the fewest places
    that keep the value (31800, 4.8, 7034.4, 0), never with thousands separators."""
    if value is None:
        return ""
    if isinstance(value, int):
        value = Decimal(value)
    if places is not None:
        return decimal_text(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return plain_number(value)


def decimal_text(value: Decimal) -> str:
    """Positional notation with the digits as given (str(Decimal) may give 1E-7)."""
    return format(value, "f")


def percent(value: Decimal | None) -> str:
    """A share of 100 as typed in a spending plan: 25%, 62.5%."""
    return "" if value is None else f"{plain_number(value)}%"


def unit_label(unit: str) -> str:
    """元 or 万元 for a stored AmountUnit code; empty for anything else."""
    try:
        return str(AmountUnit(unit).label)
    except ValueError:
        return ""


def amount_with_unit(amount: Decimal, unit: str, *, sep: str = "") -> str:
    """3.88万元: two decimals, separators, the unit the amount is stated in."""
    return f"{money(amount)}{sep}{unit_label(unit)}"


def stated_amount(amount: Decimal, unit: str) -> str:
    """A figure as the document states it, with its unit: 20万元, 38,834.4元 (no forced places)."""
    return f"{format_amount(amount)}{unit_label(unit)}"


def yuan_in_unit(yuan: Decimal, unit: str) -> str:
    """An exact 元 figure shown in the stated unit by the one rounding rule: 3.88万元."""
    return amount_with_unit(from_yuan(yuan, unit), unit)


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (requirement numbering 一、二、三、)."""
    n = int(n)
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def chinese_date(value: date | None) -> str:
    """2020年6月3日, as official documents print dates."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def moment(value: datetime, *, year: bool = True) -> str:
    """2026年3月2日 00:05 (3月2日 00:05 without the year), in the current time zone: when
    something was saved, confirmed or commented, as `{{ value|date:"Y年n月j日 H:i" }}`
    prints it."""
    return date_format(localtime(value), "Y年n月j日 H:i" if year else "n月j日 H:i")


def one_line(text: str) -> str:
    """Titles typed across Word line breaks come with runs of spaces; print them once."""
    return " ".join(text.split())
