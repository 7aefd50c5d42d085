"""Money arithmetic: Decimal only, with the one rounding rule the product states everywhere.

Amounts are computed exactly in 元 and shown in 万元 with two decimals, ROUND_HALF_UP
(DOMAIN.md §3). The figure in 元 is authoritative; the 万元 figure is its rounded display.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")
ROUNDING_RULE = _(
    "按分担比例算出的补助标准保留到分；金额以元为单位精确计算，折合万元时保留两位小数；均四舍五入"
)

# max_digits stays at 15 so SQLite's REAL storage keeps every amount exact.
MONEY_DIGITS = 15
MONEY_PLACES = 2


class AmountUnit(models.TextChoices):
    YUAN = "yuan", _("元")
    WAN = "wan", _("万元")


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """Exact value in 元 of an amount stated in `unit`."""
    if unit == AmountUnit.WAN:
        return amount * TEN_THOUSAND
    return amount


def total_yuan(amounts: Iterable[tuple[Decimal | None, str]]) -> Decimal:
    """The exact sum in 元 of (amount, unit) pairs, each possibly stated in 万元; blanks skipped."""
    return sum(
        (to_yuan(amount, unit) for amount, unit in amounts if amount is not None), Decimal(0)
    )


def from_yuan(yuan: Decimal, unit: str) -> Decimal:
    """The amount in `unit`, rounded for display by the stated rule."""
    if unit == AmountUnit.WAN:
        return (yuan / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)
    return yuan.quantize(CENT, rounding=ROUND_HALF_UP)


def round_cents(amount: Decimal) -> Decimal:
    """Rounded to the 分, ROUND_HALF_UP, without trailing zeros: 4.80 → 4.8, 3.333… → 3.33."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    for places in (Decimal(1), Decimal("0.1")):
        if rounded == rounded.quantize(places):
            return rounded.quantize(places)
    return rounded


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    return from_yuan(to_yuan(amount, from_unit), to_unit)


def agrees(stated: Decimal, stated_unit: str, computed_yuan: Decimal) -> bool:
    """Whether a stated figure is the rounded display of an exact amount.

    38834.4元 is stated as 3.88万元 and agrees; 3.89万元 would not.
    """
    return from_yuan(computed_yuan, stated_unit) == stated.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """Decimal from user text; raises ValueError with a Chinese message."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"“{text}”不是有效金额") from exc
    if not value.is_finite():
        raise ValueError(f"“{text}”不是有效金额")
    return value
