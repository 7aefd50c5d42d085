"""Amounts and percentages as staff type them: a unit typed in is converted or refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from perfgoals.inputs import is_blank, plain
from perfgoals.money import AmountUnit, read_amount, read_number, read_percent

WAN, YUAN = AmountUnit.WAN, AmountUnit.YUAN


@pytest.mark.parametrize(
    ("text", "unit", "amount", "note"),
    [
        ("38800元", WAN, Decimal("3.88"), "“38800元”已按金额单位折合为 3.8800 万元"),
        ("3.88万元", YUAN, Decimal("38800.00"), "“3.88万元”已按金额单位折合为 38800.00 元"),
        ("3.88万元", WAN, Decimal("3.88"), ""),
        ("１，２３４.５０", YUAN, Decimal("1234.50"), ""),
        (" 38 800 元 ", YUAN, Decimal("38800"), ""),
        ("\u200b3.88\ufeff", WAN, Decimal("3.88"), ""),
    ],
)
def test_a_typed_unit_is_converted_into_the_fields_unit(text, unit, amount, note):
    assert read_amount(text, unit) == (amount, note)


@pytest.mark.parametrize(
    ("text", "unit", "code"),
    [
        ("50%", WAN, "percent_in_amount"),
        ("50％", YUAN, "percent_in_amount"),
        ("38834元", WAN, "unit_conversion_places"),
        ("1e400", WAN, "invalid"),
        ("1_000", WAN, "invalid"),
        ("NaN", WAN, "invalid"),
        ("sNaN", WAN, "invalid"),
        ("Infinity", WAN, "invalid"),
        ("9" * 41, WAN, "invalid"),
        ("3.88万x", WAN, "invalid"),
        ("\x00", WAN, "invalid"),
    ],
)
def test_amounts_that_cannot_be_read_exactly_are_refused(text, unit, code):
    with pytest.raises(ValidationError) as exc:
        read_amount(text, unit)
    assert exc.value.code == code
    assert exc.value.messages  # the Chinese message renders with its parameters


def test_a_conversion_that_needs_more_than_two_decimals_says_what_it_came_to():
    with pytest.raises(ValidationError) as exc:
        read_amount("38834元", WAN)
    assert exc.value.messages == [
        "“38834元”折合3.8834万元，超过两位小数；请按万元填写，或把金额单位改为元。"
    ]


@pytest.mark.parametrize("text", ["3.88万元", "38800元"])
def test_an_amount_is_refused_in_a_percent_field(text):
    with pytest.raises(ValidationError) as exc:
        read_percent(text)
    assert exc.value.code == "amount_in_percent"
    assert "35%" in exc.value.messages[0]


def test_percentages_are_read_with_or_without_the_sign():
    assert [read_percent(t) for t in ("35", "35%", "３５％")] == [Decimal(35)] * 3
    assert read_number("3.88万元") == (Decimal("3.88"), WAN)


@pytest.mark.parametrize("text", ["\u200b", "\ufeff\u200b", "\u3000\u3000", " \u200d\u3000 "])
def test_invisible_characters_and_full_width_spaces_are_blank(text):
    assert is_blank(text) and plain(text) == ""
    assert not is_blank("\u200b0")
