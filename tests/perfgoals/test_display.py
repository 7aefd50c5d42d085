"""The one module for amount, number, unit and date text (perfgoals/display.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from perfgoals import display


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("31800"), "31,800"),
        (Decimal("4.80"), "4.8"),
        (Decimal("7034.40"), "7,034.4"),
        (Decimal("4") / 3, "1.3333"),
        (Decimal("3.18E+4"), "31,800"),
        (None, ""),
        ("", ""),
    ],
)
def test_plain_prints_the_figure_as_staff_write_it(value, text):
    assert display.plain(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("4.8000"), "4.8"), (Decimal("3.18E+4"), "31800"), (Decimal("100.00"), "100")],
)
def test_plain_number_has_no_exponent_and_no_separator(value, text):
    assert display.plain_number(value) == text


def test_decimal_text_keeps_the_digits_as_given():
    assert display.decimal_text(Decimal("1E-7")) == "0.0000001"
    assert display.decimal_text(Decimal("95.0")) == "95.0"


def test_money_rounds_half_up_to_two_places_with_separators():
    assert display.money(Decimal("38834.405")) == "38,834.41"
    assert display.money(None) == ""


def test_amount_texts_carry_the_stated_unit():
    assert display.amount_with_unit(Decimal("3.88"), "wan") == "3.88万元"
    assert display.amount_with_unit(Decimal("90100"), "yuan", sep=" ") == "90,100.00 元"
    # 38834.4元 shown in 万元 by the one rounding rule.
    assert display.yuan_in_unit(Decimal("38834.4"), "wan") == "3.88万元"
    assert display.unit_label("nonsense") == ""


def test_percent_prints_the_share_as_typed():
    assert display.percent(Decimal("62.50")) == "62.5%"
    assert display.percent(None) == ""


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (23, "二十三")])
def test_cn_number_numbers_requirements(n, text):
    assert display.cn_number(n) == text


def test_dates_and_titles_print_as_documents_do():
    assert display.chinese_date(date(2020, 6, 3)) == "2020年6月3日"
    assert display.chinese_date(None) == ""
    assert display.one_line("关于下达  2020年\n 资金的通知") == "关于下达 2020年 资金的通知"


def test_stated_amount_prints_the_figure_as_the_document_states_it():
    assert display.stated_amount(Decimal("20"), "wan") == "20万元"
    assert display.stated_amount(Decimal("38834.4"), "yuan") == "38,834.4元"


def test_a_moment_prints_in_the_current_time_zone_with_or_without_its_year():
    from django.utils import timezone

    at = datetime(2026, 12, 31, 16, 5, tzinfo=UTC)  # already 2027 in Beijing
    with timezone.override("Asia/Shanghai"):
        assert display.moment(at) == "2027年1月1日 00:05"
        assert display.moment(at, year=False) == "1月1日 00:05"
