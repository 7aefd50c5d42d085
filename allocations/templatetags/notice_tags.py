"""Template filters over perfgoals.display (numbers of notices and allocation tables)."""

from decimal import Decimal

from django import template

from perfgoals import display
from perfgoals.money import from_yuan

register = template.Library()

register.filter("plain", display.plain)
register.filter("money", display.money)
register.filter("unit_label", display.unit_label)
register.filter("cn_number", display.cn_number)


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
