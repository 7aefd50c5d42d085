"""Tests for indicators.values: parsing the typed 指标值 into a normal form."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from indicators.values import (
    Comparator,
    ParsedValue,
    ValueKind,
    cosmetically_equal,
    parse_value,
    period_bounds,
    split_name_value,
    suggest_normal_form,
)

GE, LE, GT, LT, EQ, APPROX, RANGE, TOLERANCE = (
    Comparator.GE,
    Comparator.LE,
    Comparator.GT,
    Comparator.LT,
    Comparator.EQ,
    Comparator.APPROX,
    Comparator.RANGE,
    Comparator.TOLERANCE,
)
MIXED = "含多个数值或说明文字，无法归一"


def quantity(text: str, indicator_name: str = "") -> tuple[Comparator | None, Decimal | None, str]:
    parsed = parse_value(text, indicator_name=indicator_name)
    assert parsed.kind is ValueKind.QUANTITATIVE, parsed
    return parsed.comparator, parsed.number, parsed.unit


# --- comparators --------------------------------------------------------------------------


def test_ge_symbol():
    assert quantity("≥95%") == (GE, Decimal("95"), "%")


def test_ge_geqq_symbol_u2267():
    assert quantity("≧85%") == (GE, Decimal("85"), "%")


def test_ge_ascii_greater_equals():
    assert quantity(">=97.9%") == (GE, Decimal("97.9"), "%")


@pytest.mark.parametrize("text", ["＞=90%", "＞＝90%", ">＝90%", "⩾90%"])
def test_ge_full_width_greater_equals(text):
    assert quantity(text) == (GE, Decimal("90"), "%")


@pytest.mark.parametrize("text", ["≤5%", "≦5%", "<=5%", "＜＝5%"])
def test_le_symbols(text):
    assert quantity(text) == (LE, Decimal("5"), "%")


@pytest.mark.parametrize("text", [">90%", "＞90%"])
def test_gt_symbols(text):
    assert quantity(text) == (GT, Decimal("90"), "%")


@pytest.mark.parametrize("text", ["<3%", "＜3%"])
def test_lt_symbols(text):
    assert quantity(text) == (LT, Decimal("3"), "%")


@pytest.mark.parametrize("text", ["=100%", "＝100%"])
def test_eq_symbol_parses_as_eq_but_prints_like_exact(text):
    parsed = parse_value(text)
    assert parsed.comparator is EQ
    assert parsed.normal_form() == "100%"


def test_no_comparator_means_exactly():
    assert quantity("100%") == (None, Decimal("100"), "%")


@pytest.mark.parametrize("text", ["≈553人", "约553人", "553人左右"])
def test_approx_symbol_and_words(text):
    assert quantity(text) == (APPROX, Decimal("553"), "人")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不低于20元", (GE, Decimal("20"), "元")),
        ("不少于200人", (GE, Decimal("200"), "人")),
        ("90%以上", (GE, Decimal("90"), "%")),
        ("90%及以上", (GE, Decimal("90"), "%")),
        ("达到90%以上", (GE, Decimal("90"), "%")),
        ("不高于5%", (LE, Decimal("5"), "%")),
        ("不超过3000元", (LE, Decimal("3000"), "元")),
        ("5%以下", (LE, Decimal("5"), "%")),
        ("5%以内", (LE, Decimal("5"), "%")),
    ],
)
def test_comparator_words(text, expected):
    assert quantity(text) == expected


def test_comparator_words_normal_form_uses_symbols():
    assert parse_value("不低于20元").normal_form() == "≥20元"
    assert parse_value("90%以上").normal_form() == "≥90%"
    assert parse_value("不超过5%").normal_form() == "≤5%"


def test_dadao_alone_adds_no_direction():
    assert quantity("达到95%") == (None, Decimal("95"), "%")


def test_suffix_may_repeat_the_prefix_direction():
    assert quantity("≥90%以上") == (GE, Decimal("90"), "%")
    assert quantity("超过90%以上") == (GT, Decimal("90"), "%")


def test_contradictory_prefix_and_suffix_is_unparsed():
    parsed = parse_value("≤90%以上")
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason


def test_comparator_without_number_is_unparsed():
    for text in ("≥", "不低于", "约"):
        parsed = parse_value(text)
        assert parsed.kind is ValueKind.UNPARSED, text
        assert parsed.reason == "只有比较符，缺少数值"


# --- numbers ------------------------------------------------------------------------------


def test_decimal_is_exact_not_float():
    parsed = parse_value(">=97.9%")
    assert isinstance(parsed.number, Decimal)
    assert parsed.number == Decimal("97.9")
    assert str(parsed.number) == "97.9"


def test_integer_count():
    assert quantity("95人") == (None, Decimal("95"), "人")


def test_thousands_separator():
    assert quantity("30,000人") == (None, Decimal("30000"), "人")
    assert parse_value("≥1,234,567.5元").number == Decimal("1234567.5")


def test_thousands_separator_normal_form_drops_commas():
    assert parse_value("30,000人").normal_form() == "30000人"


def test_malformed_thousands_separator_is_unparsed():
    assert parse_value("3,00人").kind is ValueKind.UNPARSED


def test_full_width_comma_is_not_a_thousands_separator():
    # In Chinese text "，" separates list items; reading 30，000 as 30000 would be a guess.
    assert parse_value("30，000人").kind is ValueKind.UNPARSED


def test_full_width_digits():
    assert quantity("９５") == (None, Decimal("95"), "")
    assert quantity("≥９５．５％") == (GE, Decimal("95.5"), "%")


def test_leading_full_width_space():
    assert quantity("　100%") == (None, Decimal("100"), "%")


def test_non_breaking_and_ordinary_spaces():
    assert quantity("\u00a0 ≥95%\u00a0 ") == (GE, Decimal("95"), "%")


def test_spaces_inside_value():
    assert parse_value("≥ 95 %").normal_form() == "≥95%"
    assert parse_value("12 元 / 人 / 年").normal_form() == "12元/人/年"


def test_spaces_between_digits_are_not_glued():
    assert parse_value("30 000").kind is ValueKind.UNPARSED


def test_zero_width_space_from_word_is_ignored():
    assert quantity("\u200b≥95%\ufeff") == (GE, Decimal("95"), "%")


def test_trailing_sentence_punctuation_dropped():
    assert quantity("≥95%。") == (GE, Decimal("95"), "%")


def test_wan_unit_keeps_number_as_written():
    assert quantity("26.18万人") == (None, Decimal("26.18"), "万人")
    assert quantity("　≈0.8万元/人/年") == (APPROX, Decimal("0.8"), "万元/人/年")


def test_negative_number_accepted():
    assert quantity("-5%") == (None, Decimal("-5"), "%")
    assert quantity("≥-5%") == (GE, Decimal("-5"), "%")
    assert quantity("−5%") == (None, Decimal("-5"), "%")  # U+2212 minus sign


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e5", "1E5", "sNaN", "inf"])
def test_decimal_specials_are_not_numbers(text):
    assert parse_value(text).kind is ValueKind.UNPARSED


def test_non_ascii_digits_are_not_numbers():
    # Decimal("٣") == 3, but nobody types Arabic-Indic digits into a Chinese table.
    assert parse_value("٣%").kind is ValueKind.UNPARSED


def test_tiny_decimal_prints_without_exponent():
    assert parse_value("0.0000001%").normal_form() == "0.0000001%"


def test_too_many_digits_is_unparsed():
    parsed = parse_value("1" * 40)
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason == "数值位数过多"


# --- percent ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["100%", "100％", "100﹪"])
def test_percent_signs(text):
    parsed = parse_value(text)
    assert parsed.unit == "%"
    assert parsed.is_rate


def test_percent_in_parentheses_is_the_unit():
    assert quantity("85（%）") == (None, Decimal("85"), "%")


def test_is_rate_false_for_counts():
    assert not parse_value("95人").is_rate


# --- units implied by the indicator name -----------------------------------------------


def test_bare_one_on_rate_indicator_means_100_percent():
    parsed = parse_value("1", indicator_name="补助资金到位率")
    assert (parsed.number, parsed.unit, parsed.unit_implied) == (Decimal("100"), "%", True)
    assert parsed.normal_form() == "100%"


@pytest.mark.parametrize(
    "name", ["服务团队考核兑付及时率", "门诊医疗费用救助比例", "签约服务覆盖面"]
)
def test_bare_one_on_bili_and_fugai_indicators(name):
    parsed = parse_value("1.0", indicator_name=name)
    assert (parsed.number, parsed.unit, parsed.unit_implied) == (Decimal("100"), "%", True)


def test_bare_one_on_count_indicator_stays_one():
    for name in ("住院救助人次数", "覆盖人数", "检查频率", ""):
        parsed = parse_value("1", indicator_name=name)
        assert (parsed.number, parsed.unit, parsed.unit_implied) == (Decimal("1"), "", False), name


def test_bare_one_with_direction_is_not_rewritten():
    # "≥1" on a rate could be 1% or 100%; only the plain 1 of the seeds is certain enough.
    assert parse_value("≥1", indicator_name="到位率").unit == ""


def test_bare_number_on_percent_name_full_width_parentheses():
    parsed = parse_value("≥85", indicator_name="参保率（%）")
    assert (parsed.comparator, parsed.number, parsed.unit) == (GE, Decimal("85"), "%")
    assert parsed.unit_implied
    assert parsed.normal_form() == "≥85%"


def test_bare_number_on_percent_name_ascii_parentheses():
    parsed = parse_value("≥95", indicator_name="资金发放到位率(%)")
    assert (parsed.unit, parsed.unit_implied) == ("%", True)


def test_percent_name_wins_over_bare_one_rule():
    # The column header already says the values are percentages.
    parsed = parse_value("1", indicator_name="参保率（%）")
    assert (parsed.number, parsed.unit, parsed.unit_implied) == (Decimal("1"), "%", True)


def test_explicit_unit_not_replaced_by_name():
    parsed = parse_value("95%", indicator_name="参保率（%）")
    assert (parsed.unit, parsed.unit_implied) == ("%", False)
    assert parse_value("95人", indicator_name="参保率（%）").unit == "人"


def test_bare_count_without_unit():
    assert quantity("1596", "住院救助人次数") == (None, Decimal("1596"), "")


# --- compound units -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    ["元/人/年", "元/月/人", "元/人/月", "元/人", "人次", "万元/人/年", "元/年/人", "家公司"],
)
def test_compound_units(unit):
    assert quantity(f"12{unit}") == (None, Decimal("12"), unit)


def test_full_width_slash_in_unit():
    assert parse_value("12元／人／年").unit == "元/人/年"


def test_trailing_parenthetical_remark_kept_in_text():
    parsed = parse_value("　960元/人/年（不足部分由上级经费弥补）")
    assert (parsed.number, parsed.unit) == (Decimal("960"), "元/人/年")
    assert parsed.text == "不足部分由上级经费弥补"
    assert parsed.normal_form() == "960元/人/年"


def test_remark_with_numbers_is_unparsed():
    parsed = parse_value("960元/人/年（其中省级200元）")
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason == MIXED


def test_date_like_unit_rejected():
    assert parse_value("≥2019年底").kind is ValueKind.UNPARSED


def test_duration_units_are_quantities():
    assert quantity("3个月") == (None, Decimal("3"), "个月")
    assert quantity("30个工作日内") == (LE, Decimal("30"), "个工作日")


# --- ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["80%-90%", "80~90%", "80%～90%", "80—90%", "80–90%", "80%至90%"])
def test_percent_range(text):
    parsed = parse_value(text)
    assert (parsed.comparator, parsed.number, parsed.upper, parsed.unit) == (
        RANGE,
        Decimal("80"),
        Decimal("90"),
        "%",
    )
    assert parsed.normal_form() == "80%~90%"


def test_range_with_count_unit():
    parsed = parse_value("500-600人")
    assert (parsed.comparator, parsed.number, parsed.upper, parsed.unit) == (
        RANGE,
        Decimal("500"),
        Decimal("600"),
        "人",
    )


def test_range_with_implied_percent():
    parsed = parse_value("80-90", indicator_name="满意度（%）")
    assert (parsed.unit, parsed.unit_implied) == ("%", True)
    assert parsed.normal_form() == "80%~90%"


def test_range_with_mismatched_units_is_unparsed():
    assert parse_value("80%-90人").kind is ValueKind.UNPARSED


def test_range_with_comparator_is_unparsed():
    assert parse_value("≥80%-90%").kind is ValueKind.UNPARSED
    assert parse_value("80-90%以上").kind is ValueKind.UNPARSED


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2020年9月至2021年8月",
        "2019年底前",
        "12月底前",
        "12月底",
        "2020年12月31日前",
        "年底前",
        "2020年",
        "2020年度",
        "2020年第三季度",
        "上半年",
        "2020-12-31",
    ],
)
def test_periods(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.PERIOD, parsed
    assert parsed.text == text
    assert parsed.normal_form() == text
    assert parsed.number is None


def test_period_range_separator_normalised():
    assert parse_value("2020年9月-2021年8月").text == "2020年9月至2021年8月"
    assert parse_value("２０２０年９月～２０２１年８月").text == "2020年9月至2021年8月"


def test_period_with_invalid_month_is_unparsed():
    parsed = parse_value("13月底")
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason == "日期无效"


def test_jishi_is_qualitative_not_period():
    assert parse_value("及时").kind is ValueKind.QUALITATIVE


# --- qualitative --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["明显提高", "有效缓解", "成效明显", "长期", "按合同执行", "按合同签订金额结算"]
)
def test_qualitative(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.QUALITATIVE
    assert parsed.text == text
    assert parsed.normal_form() == text
    assert parsed.comparator is None and parsed.number is None


def test_qualitative_whitespace_collapsed():
    assert parse_value("　明显 提高\n").text == "明显提高"


def test_chinese_numeral_percent_is_unparsed():
    assert parse_value("百分之百").kind is ValueKind.UNPARSED


def test_emoji_is_not_qualitative():
    assert parse_value("明显提高😀").kind is ValueKind.UNPARSED


# --- long sentences -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "辖区录入国家严重精神障碍信息系统精神病患者1159人，监护奖励我约200人",
        "10万元/家庭医生签约项目，10万元/医联体、分级诊疗项目",
        "对象确认率100%，资金发放到位率100%·",
        "家庭医生签约服务覆盖率达30%以上，重点人群签约服务覆盖率达60%以上。",
        "参保率≥95%",
    ],
)
def test_long_sentences_mixing_text_and_numbers_are_unparsed(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason == MIXED
    assert parsed.number is None
    assert parsed.normal_form() == ""


def test_unrecognised_reason():
    assert parse_value("=1+1").reason == "无法识别的指标值格式"


def test_too_long_is_unparsed():
    parsed = parse_value("明显提高" * 100)
    assert parsed.kind is ValueKind.UNPARSED
    assert parsed.reason == "指标值过长"


# --- empty --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "　", "　　", "\u00a0", "\t\n", "\u200b"])
def test_empty(text):
    parsed = parse_value(text)
    assert parsed == ParsedValue(kind=ValueKind.EMPTY)
    assert parsed.normal_form() == ""


def test_control_characters_are_unparsed():
    assert parse_value("\x00").kind is ValueKind.UNPARSED
    assert parse_value("95%\x07").reason == "含有不可见的控制字符"


# --- seeds verbatim -----------------------------------------------------------------------

SEED_VALUES = [
    # (typed, indicator name, kind, comparator, number, unit, implied, normal form)
    ("≥95%", "", ValueKind.QUANTITATIVE, GE, "95", "%", False, "≥95%"),
    ("≧85%", "签约对象满意度", ValueKind.QUANTITATIVE, GE, "85", "%", False, "≥85%"),
    (">=97.9%", "", ValueKind.QUANTITATIVE, GE, "97.9", "%", False, "≥97.9%"),
    ("≥100%", "参保率", ValueKind.QUANTITATIVE, GE, "100", "%", False, "≥100%"),
    ("100%", "", ValueKind.QUANTITATIVE, None, "100", "%", False, "100%"),
    ("1", "补助资金到位率", ValueKind.QUANTITATIVE, None, "100", "%", True, "100%"),
    ("≥85", "参保率（%）", ValueKind.QUANTITATIVE, GE, "85", "%", True, "≥85%"),
    ("95人", "", ValueKind.QUANTITATIVE, None, "95", "人", False, "95人"),
    ("≥30000人", "", ValueKind.QUANTITATIVE, GE, "30000", "人", False, "≥30000人"),
    ("≥300人次", "", ValueKind.QUANTITATIVE, GE, "300", "人次", False, "≥300人次"),
    ("1596", "住院救助人次数", ValueKind.QUANTITATIVE, None, "1596", "", False, "1596"),
    ("12元/人/年", "", ValueKind.QUANTITATIVE, None, "12", "元/人/年", False, "12元/人/年"),
    ("≥110元", "", ValueKind.QUANTITATIVE, GE, "110", "元", False, "≥110元"),
    ("≧200元/月/人", "", ValueKind.QUANTITATIVE, GE, "200", "元/月/人", False, "≥200元/月/人"),
    ("≈553人", "", ValueKind.QUANTITATIVE, APPROX, "553", "人", False, "≈553人"),
    ("　≈10人", "", ValueKind.QUANTITATIVE, APPROX, "10", "人", False, "≈10人"),
    (
        "　≈0.8万元/人/年",
        "",
        ValueKind.QUANTITATIVE,
        APPROX,
        "0.8",
        "万元/人/年",
        False,
        "≈0.8万元/人/年",
    ),
    ("2家公司", "", ValueKind.QUANTITATIVE, None, "2", "家公司", False, "2家公司"),
    ("26.18万人", "", ValueKind.QUANTITATIVE, None, "26.18", "万人", False, "26.18万人"),
    (
        "2020年9月至2021年8月",
        "实施时间",
        ValueKind.PERIOD,
        None,
        None,
        "",
        False,
        "2020年9月至2021年8月",
    ),
    ("2019年底前", "", ValueKind.PERIOD, None, None, "", False, "2019年底前"),
    ("明显提高", "", ValueKind.QUALITATIVE, None, None, "", False, "明显提高"),
    ("有效缓解", "", ValueKind.QUALITATIVE, None, None, "", False, "有效缓解"),
    ("成效明显", "", ValueKind.QUALITATIVE, None, None, "", False, "成效明显"),
    ("长期", "", ValueKind.QUALITATIVE, None, None, "", False, "长期"),
    ("按合同执行", "", ValueKind.QUALITATIVE, None, None, "", False, "按合同执行"),
    ("", "城镇居民医保覆盖率（%）", ValueKind.EMPTY, None, None, "", False, ""),
    ("100％", "", ValueKind.QUANTITATIVE, None, "100", "%", False, "100%"),
    ("　100%", "", ValueKind.QUANTITATIVE, None, "100", "%", False, "100%"),
    (
        "　960元/人/年（不足部分由上级经费弥补）",
        "",
        ValueKind.QUANTITATIVE,
        None,
        "960",
        "元/人/年",
        False,
        "960元/人/年",
    ),
    ("1000元/人", "", ValueKind.QUANTITATIVE, None, "1000", "元/人", False, "1000元/人"),
    ("9600元/人/年", "", ValueKind.QUANTITATIVE, None, "9600", "元/人/年", False, "9600元/人/年"),
]


@pytest.mark.parametrize(
    ("typed", "name", "kind", "comparator", "number", "unit", "implied", "normal"), SEED_VALUES
)
def test_seed_values_verbatim(typed, name, kind, comparator, number, unit, implied, normal):
    parsed = parse_value(typed, indicator_name=name)
    assert parsed.kind is kind
    assert parsed.comparator == comparator
    assert parsed.number == (Decimal(number) if number is not None else None)
    if number is not None:
        assert str(parsed.number) == number  # exact digits, no float round trip
    assert parsed.unit == unit
    assert parsed.unit_implied is implied
    assert parsed.normal_form() == normal


# --- suggest_normal_form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name", "suggestion"),
    [
        ("≧85%", "", "≥85%"),
        (">=97.9%", "", "≥97.9%"),
        ("1", "补助资金到位率", "100%"),
        ("≥85", "参保率（%）", "≥85%"),
        ("≧200元/月/人", "", "≥200元/月/人"),
        ("不低于20元", "", "≥20元"),
        ("+-3%", "", "±3%"),  # a wrong character for ±
        ("500", "造林面积（亩）", "500亩"),  # the unit comes from the name
        ("≧ 85 ％", "", "≥85%"),  # cosmetic noise does not hide a wrong character
    ],
)
def test_suggest_normal_form_when_spelling_differs(typed, name, suggestion):
    assert suggest_normal_form(typed, indicator_name=name) == suggestion


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("100％", ""),  # full-width percent
        ("９５％", ""),  # full-width digits
        ("　100%", ""),  # leading full-width space
        ("≥95% ", ""),  # trailing space
        ("≥ 95 %", ""),  # spaces inside
        ("≥95%。", ""),  # trailing punctuation
        ("80—90%", ""),  # separator spelling, the unit once on a range
        ("80%-90%", ""),
        ("80~90%", ""),
        ("80到90%", ""),
        ("500-600人", ""),
        ("　960元/人/年（不足部分由上级经费弥补）", ""),
        ("960元/人/年(不足部分由上级经费弥补)", ""),  # bracket width
        ("2020年9月-2021年8月", ""),
        ("2020年9月到2021年8月", ""),
        ("2023.07-2024.01", ""),
        ("2021年1月-12月", ""),
        ("1-12月", ""),
        ("±3%以内", ""),  # 以内 repeats what ± says
        ("误差±3%", ""),
        ("偏差率±2%以内", ""),
        ("±３％", ""),
    ],
)
def test_suggest_normal_form_none_for_cosmetic_differences(typed, name):
    assert suggest_normal_form(typed, indicator_name=name) is None


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("100％", "100%", True),
        ("　≥ 95 %。", "≥95%", True),
        ("80—90%", "80~90%", True),
        ("2020年9月-2021年8月", "2020年9月至2021年8月", True),
        ("≧85%", "≥85%", False),
        (">=85%", "≥85%", False),
        ("≥85", "≥85%", False),
        ("1", "100%", False),
        ("-5%", "5%", False),  # a minus sign is no separator
        ("≥-5%", "≥5%", False),
    ],
)
def test_cosmetically_equal(a, b, equal):
    assert cosmetically_equal(a, b) is equal


@pytest.mark.parametrize(
    "typed",
    [
        "≥95%",
        "100%",
        "≥30000人",
        "1596",
        "12元/人/年",
        "2019年底前",
        "明显提高",
        "960元/人/年（不足部分由上级经费弥补）",
    ],
)
def test_suggest_normal_form_none_when_already_canonical(typed):
    assert suggest_normal_form(typed) is None


@pytest.mark.parametrize(
    "typed", ["", "　", "NaN", "辖区录入国家严重精神障碍信息系统精神病患者1159人"]
)
def test_suggest_normal_form_none_for_empty_and_unparsed(typed):
    assert suggest_normal_form(typed) is None


def test_suggestion_parses_back_to_the_same_value():
    for typed, name, *_ in SEED_VALUES:
        parsed = parse_value(typed, indicator_name=name)
        suggestion = suggest_normal_form(typed, indicator_name=name)
        if suggestion is None:
            continue
        again = parse_value(suggestion, indicator_name=name)
        assert (again.kind, again.comparator, again.number, again.unit) == (
            parsed.kind,
            parsed.comparator,
            parsed.number,
            parsed.unit,
        ), typed


# --- the value object ---------------------------------------------------------------------


def test_parsed_value_is_frozen():
    parsed = parse_value("≥95%")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.number = Decimal("1")  # type: ignore[misc]


def test_enums_are_str():
    assert Comparator.GE == "≥"
    assert ValueKind.QUANTITATIVE == "quantitative"
    assert f"{Comparator.RANGE}" == "~"


# --- fuzz-style robustness ----------------------------------------------------------------

ODD_INPUTS = [
    "😀",
    "👍🏻100%",
    "！！！",
    "。",
    "……",
    "≥",
    "≤≥",
    "%",
    "%%",
    "≥-5%",
    "--5",
    "5--3",
    "1e5",
    "NaN",
    "nan%",
    "Infinity",
    "-Infinity",
    "１２３４５６７８９０１２３４５６７８９０",
    "9" * 5000,
    "字" * 5000,
    "1," * 2500,
    "\x00",
    "\x00100%",
    "=1+1",
    "=SUM(A1:A3)",
    "<script>alert(1)</script>",
    "（",
    "）",
    "((((((((((",
    "95%）",
    "（95%",
    "年",
    "月底前前前",
    "2020年13月",
    "0000年",
    "\ud800",
    "\u202e100%",
    "1.2.3",
    ".5",
    "5.",
    "０．",
    "≥≥95%",
    "约约",
    "80%-",
    "-",
    "~",
    "至",
    "1/0",
    "Ⅲ级",
    "٣٤%",
]


def test_fuzz_never_raises():
    for text in ODD_INPUTS:
        for name in ("", "参保率（%）", "到位率", "😀" * 300):
            parsed = parse_value(text, indicator_name=name)
            assert isinstance(parsed, ParsedValue), text
            assert isinstance(parsed.kind, ValueKind)
            if parsed.kind is ValueKind.UNPARSED:
                assert parsed.reason
                assert parsed.number is None
            if parsed.number is not None:
                assert parsed.number.is_finite()
            assert isinstance(parsed.normal_form(), str)
            suggestion = suggest_normal_form(text, indicator_name=name)
            assert suggestion is None or isinstance(suggestion, str)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1e5", "=1+1", "≥", "%", "😀", "\x00"])
def test_fuzz_specials_rejected(text):
    assert parse_value(text).kind is ValueKind.UNPARSED


def test_fuzz_twenty_full_width_digits_is_a_count():
    assert quantity("１２３４５６７８９０１２３４５６７８９０") == (
        None,
        Decimal("12345678901234567890"),
        "",
    )


# --- periods of real tables (issue 10) ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("2023.07-2024.01", "2023.07至2024.01"),
        ("2023.7—2024.1", "2023.7至2024.1"),
        ("2023/7-2024/1", "2023/7至2024/1"),
        ("2023年7月-2024年1月", "2023年7月至2024年1月"),
        ("2021年1月-12月", "2021年1月至12月"),
        ("2021年1-12月", "2021年1至12月"),
        ("1-12月", "1至12月"),
        ("2023.07", "2023.07"),
        ("2021-2023年", "2021至2023年"),
        ("2021-2023", "2021至2023"),
        ("截至2023年10月", "截至2023年10月"),
    ],
)
def test_real_periods_are_periods_not_numbers(typed, text):
    parsed = parse_value(typed, indicator_name="项目实施期限")
    assert parsed.kind is ValueKind.PERIOD, parsed
    assert parsed.text == text
    assert parsed.number is None and parsed.upper is None


def test_year_month_on_an_amount_stays_a_number():
    # 2023.07 is a plausible amount in 万元; the name decides.
    parsed = parse_value("2023.07", indicator_name="资金总额（万元）")
    assert (parsed.kind, parsed.number, parsed.unit) == (
        ValueKind.QUANTITATIVE,
        Decimal("2023.07"),
        "万元",
    )
    assert parse_value("2021-2023", indicator_name="投资额").kind is ValueKind.QUANTITATIVE


def test_long_bare_year_span_is_a_number_range():
    assert parse_value("1950-2100").kind is ValueKind.QUANTITATIVE


@pytest.mark.parametrize("typed", ["2023.13", "1850.07", "3-13月"])
def test_impossible_year_months_are_not_periods(typed):
    assert parse_value(typed).kind is not ValueKind.PERIOD


@pytest.mark.parametrize("typed", ["2023年2月30日", "2023.02.30", "2月30日", "2023年4月31日"])
def test_impossible_days_are_bad_dates(typed):
    parsed = parse_value(typed)
    assert (parsed.kind, parsed.reason) == (ValueKind.UNPARSED, "日期无效")


def test_leap_day_is_a_date():
    assert parse_value("2024年2月29日").kind is ValueKind.PERIOD
    assert parse_value("2023年2月29日").kind is ValueKind.UNPARSED


def test_month_range_keeps_decimal_and_duration_ranges():
    assert parse_value("3-6个月").comparator is RANGE
    assert parse_value("80-90%").comparator is RANGE


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "12月底到位",
        "12月底前完成",
        "2023年12月底前完工",
        "6月底前拨付",
        "年底前全部兑现",
        "6月底前拨付到位",
        "2023年10月底前竣工验收",
        "9月底前下达",
        "年底前足额发放",
        "2024年6月前投入使用",
        "3月底前开工",
        "11月底前建成",
    ],
)
def test_deadlines_keep_their_verb(typed):
    parsed = parse_value(typed)
    assert parsed.kind is ValueKind.PERIOD, parsed
    assert parsed.text == typed


def test_deadline_with_an_unknown_deed_is_not_a_period():
    assert parse_value("12月底前完成80%").kind is ValueKind.UNPARSED
    assert parse_value("12月底吃饭").kind is not ValueKind.PERIOD


# --- tolerances ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["±3%以内", "±3%", "误差±3%", "偏差率±3%以内", "±３％", "+-3%"])
def test_tolerance(typed):
    parsed = parse_value(typed)
    assert (parsed.kind, parsed.comparator, parsed.number, parsed.unit) == (
        ValueKind.QUANTITATIVE,
        TOLERANCE,
        Decimal("3"),
        "%",
    )
    assert parsed.normal_form() == "±3%"


def test_tolerance_takes_the_unit_of_the_name():
    parsed = parse_value("±2", indicator_name="预算执行偏差率（%）")
    assert (parsed.comparator, parsed.unit, parsed.unit_implied) == (TOLERANCE, "%", True)


def test_tolerance_with_an_opposite_suffix_is_not_read():
    assert parse_value("±3%以上").kind is ValueKind.UNPARSED
    assert parse_value("±").kind is ValueKind.UNPARSED


# --- units in names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("造林面积（亩）", "亩"),
        ("道路改造长度(公里)", "公里"),
        ("新建道路(km)", "km"),
        ("培训（人次）", "人次"),
        ("补助标准（元/人）", "元/人"),
        ("改造面积（㎡）", "㎡"),
        ("资金规模（万元）", "万元"),
    ],
)
def test_bare_number_takes_the_unit_of_the_name(name, unit):
    parsed = parse_value("≥500", indicator_name=name)
    assert (parsed.unit, parsed.unit_implied) == (unit, True)
    assert parsed.normal_form() == f"≥500{unit}"


def test_remark_in_name_gives_no_unit():
    parsed = parse_value("500", indicator_name="住院救助人数（低保对象）")
    assert (parsed.unit, parsed.unit_implied) == ("", False)


def test_range_takes_the_unit_of_the_name():
    parsed = parse_value("500-600", indicator_name="造林面积（亩）")
    assert parsed.normal_form() == "500亩~600亩"


# --- a name and its value in one cell ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("门诊人次≥5000人次", ("门诊人次", "≥5000人次")),
        ("资助参保人数 1500人", ("资助参保人数", "1500人")),
        ("资助参保人数　1500人", ("资助参保人数", "1500人")),
        ("政策知晓率：≥90%", ("政策知晓率", "≥90%")),
        ("政策知晓率: ≥90%", ("政策知晓率", "≥90%")),
        ("补助标准12元/人/年", ("补助标准", "12元/人/年")),
        ("补助标准为12元/人/年", ("补助标准", "12元/人/年")),
        ("政策知晓率达到90%", ("政策知晓率", "达到90%")),
        ("0-6岁儿童健康管理率≥90%", ("0-6岁儿童健康管理率", "≥90%")),
        ("65岁以上老年人健康管理人数5000人", ("65岁以上老年人健康管理人数", "5000人")),
        ("参保率（%）85", ("参保率（%）", "85")),
        ("乡镇卫生院、村卫生室覆盖率≥90%", ("乡镇卫生院、村卫生室覆盖率", "≥90%")),
        ("项目完成时间：2023年12月底前", ("项目完成时间", "2023年12月底前")),
        ("项目完成时间：年底前", ("项目完成时间", "年底前")),
        ("工程质量：合格", ("工程质量", "合格")),
        ("资金拨付误差±3%", ("资金拨付误差", "±3%")),
    ],
)
def test_split_name_value(text, expected):
    assert split_name_value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "≥5000人次",  # a value alone
        "1500人",
        "12月底到位",
        "明显提高",  # a qualitative value
        "较上年提高5%",  # a phrase of change, not a name
        "门诊量较上年增长10%",
        "力争年底前完成",  # no colon before a period in words
        "说明：请认真填写",  # after the colon, words that are no grade
        "家庭医生签约服务覆盖率达30%以上，重点人群签约服务覆盖率达60%以上。",
        "对象确认率100%，资金发放到位率100%",
        "辖区录入国家严重精神障碍信息系统精神病患者1159人，监护奖励我约200人",
        "5000人 3000人",  # two values
        "门诊人次≥5000人次\x07",
    ],
)
def test_split_name_value_none_when_not_confident(text):
    assert split_name_value(text) is None


def test_split_name_value_never_raises():
    for text in ODD_INPUTS:
        result = split_name_value(text)
        assert result is None or (isinstance(result, tuple) and len(result) == 2)


# --- measurable grades ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "达标",
        "合格",
        "是",
        "否",
        "有",
        "无",
        "符合",
        "符合要求",
        "达到国家标准",
        "通过",
        "通过验收",
        "验收合格",
        "完成",
        "全覆盖",
        "全部完成",
        "全部到位",
        "足额发放",
        "应保尽保",
        "好",
        "较好",
        "优",
        "良",
        "优良",
        "良好",
        "无事故",
        "零事故",
        "零投诉",
        "未发生重大安全事故",
        "按时完成",
        "按期完成",
        "及时",
        "正常运行",
    ],
)
def test_measurable_grades(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.QUALITATIVE
    assert parsed.measurable


@pytest.mark.parametrize(
    "text",
    [
        "明显提高",
        "有效缓解",
        "长期",
        "逐步提升",
        "进一步提高",
        "成效明显",
        "有所改善",
        "持续改善",
        "按合同执行",
        "符合群众期望",  # 符合 something vague is no standard
        "无明显变化",
    ],
)
def test_vague_trends_are_not_measurable(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.QUALITATIVE
    assert not parsed.measurable


def test_only_qualitative_values_are_measurable_grades():
    assert not parse_value("≥95%").measurable
    assert not parse_value("年底前完成").measurable
    assert ParsedValue(kind=ValueKind.EMPTY).measurable is False


# --- period bounds --------------------------------------------------------------------------


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("typed", "year", "bounds"),
    [
        ("2023.07-2024.01", None, (d("2023-07-01"), d("2024-01-31"))),
        ("2023年7月-2024年1月", None, (d("2023-07-01"), d("2024-01-31"))),
        ("2021年1月-12月", None, (d("2021-01-01"), d("2021-12-31"))),
        ("2021年1-12月", None, (d("2021-01-01"), d("2021-12-31"))),
        ("1-12月", 2023, (d("2023-01-01"), d("2023-12-31"))),
        ("1-12月", None, (None, None)),
        ("2023.07", None, (d("2023-07-01"), d("2023-07-31"))),
        ("2024.02", None, (d("2024-02-01"), d("2024-02-29"))),
        ("2021-2023年", None, (d("2021-01-01"), d("2023-12-31"))),
        ("2020年", None, (d("2020-01-01"), d("2020-12-31"))),
        ("2020年度", 2023, (d("2020-01-01"), d("2020-12-31"))),  # its own year wins
        ("2020-12-31", None, (d("2020-12-31"), d("2020-12-31"))),
        ("2020年12月31日前", None, (None, d("2020-12-31"))),
        ("2023年第三季度", None, (d("2023-07-01"), d("2023-09-30"))),
        ("上半年", 2023, (d("2023-01-01"), d("2023-06-30"))),
        ("下半年", 2023, (d("2023-07-01"), d("2023-12-31"))),
        # Deadlines: only the end is promised.
        ("12月底前完成", 2023, (None, d("2023-12-31"))),
        ("6月底前拨付", 2023, (None, d("2023-06-30"))),
        ("2023年12月底前完工", None, (None, d("2023-12-31"))),
        ("年底前", 2023, (None, d("2023-12-31"))),
        ("年底前全部兑现", 2024, (None, d("2024-12-31"))),
        ("2019年底前", None, (None, d("2019-12-31"))),
        ("截至2023年10月", None, (None, d("2023-10-31"))),
        # A point of a month is its ten days: 月底 is the last ten.
        ("12月底", 2023, (d("2023-12-21"), d("2023-12-31"))),
        ("12月底到位", 2023, (d("2023-12-21"), d("2023-12-31"))),
        ("2月底", 2023, (d("2023-02-21"), d("2023-02-28"))),
        ("年底", 2023, (d("2023-12-01"), d("2023-12-31"))),
        ("次年", 2023, (d("2024-01-01"), d("2024-12-31"))),
        # The end takes the start's year, and a range never runs backwards.
        ("2023年9月-6月", None, (d("2023-09-01"), d("2024-06-30"))),
        ("9月至2021年8月", None, (d("2020-09-01"), d("2021-08-31"))),
        ("2020年9月至2021年8月", 2030, (d("2020-09-01"), d("2021-08-31"))),
        # Unknown without a month or a year.
        ("12月底", None, (None, None)),
        ("年底前", None, (None, None)),
        ("15日", 2023, (None, None)),
        ("月底", 2023, (None, None)),
    ],
)
def test_period_bounds(typed, year, bounds):
    parsed = parse_value(typed)
    assert parsed.kind is ValueKind.PERIOD, parsed
    assert period_bounds(parsed, year=year) == bounds


def test_period_bounds_of_anything_but_a_period():
    for typed in ("≥95%", "明显提高", "", "=1+1"):
        assert period_bounds(parse_value(typed), year=2023) == (None, None)


def test_period_bounds_never_raise():
    odd = ParsedValue(kind=ValueKind.PERIOD, text="2月30日")
    assert period_bounds(odd, year=2023) == (None, None)
    assert period_bounds(ParsedValue(kind=ValueKind.PERIOD, text="???"), year=2023) == (None, None)
    assert period_bounds(parse_value("次年"), year=9999) == (None, None)
    for text in ODD_INPUTS:
        parsed = parse_value(text)
        start, end = period_bounds(parsed, year=2023)
        assert start is None or end is None or start <= end


@pytest.mark.parametrize("text", ["2025年年底前", "2025年年底", "2025年年末完成"])
def test_a_year_with_its_year_end_spelled_out_is_a_deadline(text):
    parsed = parse_value(text)
    assert parsed.kind is ValueKind.PERIOD
    assert period_bounds(parsed, year=2024)[1] == datetime.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "unit"), [("100百分比", "%"), ("≥95百分比", "%"), ("3千分比", "‰")]
)
def test_unit_words_for_percent_are_the_sign(text, unit):
    assert parse_value(text).unit == unit


@pytest.mark.parametrize("text", ["按月安排", "每季度开展一次", "按季度报送"])
def test_a_stated_frequency_is_measurable(text):
    assert parse_value(text).measurable
