"""Number display for notices and allocation tables: exact Decimals, never floats."""

from decimal import Decimal

from django import template

from perfgoals.money import AmountUnit, format_amount, from_yuan

register = template.Library()

CN_DIGITS = "零一二三四五六七八九"


@register.filter
def plain(value: Decimal | int | None) -> str:
    """31800, 4.8, 7034.4: the figure as staff write it, with thousands separators."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    # Standards derived from shares can have long expansions (12 × 1/3); four places suffice.
    value = value.quantize(Decimal("0.0001")).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format_amount(value)


@register.filter
def money(value: Decimal | None) -> str:
    """Two decimals with thousands separators (3.88, 154.18)."""
    return format_amount(value, places=2)


@register.filter
def unit_label(code: str) -> str:
    try:
        return AmountUnit(code).label
    except ValueError:
        return ""


@register.filter
def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (requirement numbering 一、二、三、)."""
    n = int(n)
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


@register.filter
def index(sequence, position: int):
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return None


@register.filter
def in_unit(yuan: Decimal | None, unit: str) -> Decimal | None:
    """An exact 元 figure shown in `unit` by the stated rounding rule."""
    return from_yuan(yuan, unit) if yuan is not None else None


@register.filter
def has_calc(columns) -> bool:
    return any(column.kind == "calc" for column in columns)
