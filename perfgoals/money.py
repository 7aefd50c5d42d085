"""Money arithmetic: Decimal only, with the one rounding rule the product states everywhere.

Amounts are computed exactly in 元 and shown in 万元 with two decimals, ROUND_HALF_UP
(DOMAIN.md §3). The figure in 元 is authoritative; the 万元 figure is its rounded display.
"""

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from perfgoals.inputs import plain

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


# The unit read_number reports for a trailing % (a share, not an amount).
PERCENT = "percent"


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


# A number as staff type it once separators and full-width forms are folded: no exponent,
# no underscores, no NaN or Infinity (Python's Decimal() would take all of those).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Longer than any amount or percentage the tables hold; refused before Decimal sees it.
_MAX_NUMBER_CHARS = 40
_UNIT_WORDS = (("万元", AmountUnit.WAN), ("元", AmountUnit.YUAN), ("%", PERCENT))


def read_number(text: str) -> tuple[Decimal, str]:
    """The number in user text and the unit typed after it (an AmountUnit, PERCENT or "").

    Accepts what staff paste from Excel or WPS: 1,234.50, full-width digits, spaces, and a
    trailing 元, 万元 or %. Raises ValidationError (code "invalid") for anything else.
    """
    folded = unicodedata.normalize("NFKC", plain(str(text)))
    folded = "".join(folded.split()).replace(",", "")
    unit = ""
    for word, word_unit in _UNIT_WORDS:
        if folded.endswith(word):
            folded, unit = folded.removesuffix(word), word_unit
            break
    if len(folded) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(folded):
        raise ValidationError(
            _("“%(text)s”不是有效的数字，请填写如 3.88 的数字。"),
            code="invalid",
            params={"text": _shortened(text)},
        )
    return Decimal(folded), unit


def read_amount(text: str, unit: str) -> tuple[Decimal, str]:
    """An amount typed into a field stated in `unit`, and the note of its conversion.

    A unit typed with the figure is converted, never stripped: 38800元 in a 万元 table is
    3.8800万元, and the note says so. A conversion that needs more than two decimals is
    refused rather than rounded, and a percentage is not an amount.
    """
    number, typed_unit = read_number(text)
    if typed_unit == PERCENT:
        raise ValidationError(
            _("“%(text)s”是百分比，这里应填金额（%(unit)s），如 3.88。"),
            code="percent_in_amount",
            params={"text": _shortened(text), "unit": AmountUnit(unit).label},
        )
    if not typed_unit or typed_unit == unit:
        return number, ""
    exact = to_yuan(number, typed_unit)
    if unit == AmountUnit.WAN:
        exact /= TEN_THOUSAND
    shown = f"{exact.quantize(Decimal('0.0001') if unit == AmountUnit.WAN else CENT)}"
    if exact != exact.quantize(CENT):
        raise ValidationError(
            _(
                "“%(text)s”折合%(shown)s%(unit)s，超过两位小数；"
                "请按%(unit)s填写，或把金额单位改为%(typed)s。"
            ),
            code="unit_conversion_places",
            params={
                "text": _shortened(text),
                "shown": f"{exact.normalize():f}",
                "unit": AmountUnit(unit).label,
                "typed": AmountUnit(typed_unit).label,
            },
        )
    note = f"“{_shortened(text)}”已按金额单位折合为 {shown} {AmountUnit(unit).label}"
    return exact.quantize(CENT), note


def read_percent(text: str) -> Decimal:
    """A percentage typed as 35, 35% or ３５％; an amount in 元 or 万元 is refused."""
    number, typed_unit = read_number(text)
    if typed_unit in (AmountUnit.WAN, AmountUnit.YUAN):
        raise ValidationError(
            _("“%(text)s”是金额，这里应填百分比，如 35 或 35%%。"),
            code="amount_in_percent",
            params={"text": _shortened(text)},
        )
    return number


def _shortened(text) -> str:
    text = str(text)
    return text if len(text) <= 30 else f"{text[:30]}…"
