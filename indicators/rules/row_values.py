"""Value rules of a 三级 or 子项: empty, notation, rates, satisfaction, units, costs, dates."""

from __future__ import annotations

from indicators.framework import is_cost_name
from indicators.names import name_declares_percent, name_is_rate, unit_in_name, without_remark
from indicators.rules.base import (
    E,
    Layout,
    Row,
    RuleBase,
    W,
    is_cost,
    is_money,
    is_satisfaction,
    with_template_hint,
)
from indicators.rules.vocabulary import (
    COUNT_NAME_UNITS,
    HUNDRED,
    LONG_TIME_UNITS,
    PLACEHOLDER_RE,
    SATISFACTION_MINIMUM,
    SHARE_WORDS,
    STANDARD_WORDS,
    SUSTAINED_WORDS,
    TIME_NAME_WORDS,
    TIME_UNITS,
    WRONG_SYMBOLS,
)
from indicators.values import (
    Comparator,
    ParsedValue,
    ValueKind,
    cosmetically_equal,
    parse_value,
    period_bounds,
    suggest_normal_form,
)
from perfgoals.display import plain_number
from perfgoals.layouts import layout_spec


class ValueRules(RuleBase):
    def check_rows(self, rows: list[Row]) -> None:
        six_columns = layout_spec(self.layout).six_columns
        for info in rows:
            row = info.row
            if row.level < 3:
                continue
            if not row.name.strip() and self.layout != Layout.SPECIAL_FUND:
                self.at(info, "name_missing", E, "三级指标名称未填写。")
            if row.level == 3 and info.node.children:
                continue  # the sub-items carry the values
            self.check_placeholder(info)
            self.check_value(info)
            if row.description.strip():
                self.check_description(info)
            elif six_columns and row.level == 3:
                self.at(info, "description_empty", W, "绩效指标描述未填写。", field="description")
            # A cited policy paragraph or notice is a basis even with no text beside it.
            cited = row.basis_paragraph_id is not None or row.basis_notice_id is not None
            if six_columns and row.level == 3 and not row.basis.strip() and not cited:
                self.at(info, "basis_empty", W, "指标值确定依据未填写。", field="basis")

    def check_placeholder(self, info: Row) -> None:
        for field, label, text in (
            ("name", "指标名称", info.row.name),
            ("value_text", "指标值", info.row.value_text),
        ):
            match = PLACEHOLDER_RE.search(text)
            if match is not None:
                self.at(
                    info,
                    "placeholder",
                    W,
                    f"{label}中还留有模板占位符“{match.group(0)}”，请填入实际内容。",
                    field=field,
                )
                return

    def check_value(self, info: Row) -> None:
        text = info.value
        parsed = with_template_hint(parse_value(text, indicator_name=info.name), info.name)
        if parsed.kind is ValueKind.EMPTY:
            self.at(info, "value_empty", E, "指标值未填写。", field="value_text")
            return
        if parsed.kind is ValueKind.UNPARSED:
            if self.layout == Layout.SPECIAL_FUND and not info.name:
                return  # the summary's cells are sentences by design (seed 002 附件3-2)
            self.at(
                info,
                "value_unparsed",
                W,
                f"指标值“{text.strip()}”无法识别（{parsed.reason}），请写成“≥90%”“95人”"
                "“2020年底前”这类单一的目标值。",
                field="value_text",
            )
            return
        if parsed.kind is ValueKind.QUALITATIVE:
            sustained = (
                info.second_cat is not None
                and info.second_cat.name == "可持续影响指标"
                and parsed.text in SUSTAINED_WORDS
            )
            if not parsed.measurable and not sustained:
                self.at(
                    info,
                    "qualitative",
                    W,
                    f"“{parsed.text}”为定性表述，年终无法衡量是否完成，建议改为可量化的指标值"
                    "（如“≥90%”“较上年提高5个百分点”）。",
                    field="value_text",
                )
            return
        # Text is kept as typed; only numbers and dates have a normal form worth proposing.
        self.check_notation(info, parsed)
        if parsed.kind is ValueKind.PERIOD:
            self.check_unit_category(info, parsed)
            self.check_period(info, parsed)
            return
        self.check_hidden_unit(info, parsed)
        if is_satisfaction(info):
            self.check_satisfaction(info, parsed)
        else:
            self.check_rate(info, parsed)
            self.check_percent_on_name(info, parsed)
        self.check_unit_category(info, parsed)
        self.check_cost_comparator(info, parsed)

    def check_notation(self, info: Row, parsed: ParsedValue) -> None:
        """Only wrong characters (≧, >=) and a rate typed as the fraction 1: words such as
        90%以上 or 不低于, width and spacing are how staff write, not mistakes."""
        text = info.value
        fraction = (
            parsed.unit_implied
            and not unit_in_name(info.name)
            and parsed.number == HUNDRED
            and text.strip() == "1"
        )
        if not fraction and not any(wrong in text for wrong in WRONG_SYMBOLS):
            return
        suggestion = suggest_normal_form(text, indicator_name=info.name)
        if suggestion is None:
            return
        declared = unit_in_name(info.name)
        if parsed.unit_implied and declared:
            # 参保率（%） ≥85: the column is in percent already; adding % would count it twice.
            suggestion = suggestion.replace(declared, "")
            if cosmetically_equal(suggestion, text):
                return
        if fraction:
            message = f"指标值“1”在率指标中表示100%，请写作“{suggestion}”。"
        else:
            message = f"指标值“{text}”写法不规范，建议写作“{suggestion}”。"
        self.at(info, "value_notation", W, message, field="value_text", suggestion=suggestion)

    def check_hidden_unit(self, info: Row, parsed: ParsedValue) -> None:
        declared = unit_in_name(info.name)
        if not declared or parsed.unit_implied or not parsed.unit:
            return
        if parsed.unit != declared and not parsed.unit.startswith(declared):
            self.at(
                info,
                "name_hidden_unit",
                W,
                f"指标名称已注明单位“{declared}”，指标值却以“{parsed.unit}”为单位，请统一。",
                field="value_text",
            )

    def check_rate(self, info: Row, parsed: ParsedValue) -> None:
        text = info.value
        if parsed.unit != "%" or not name_is_rate(info.name) or parsed.number is None:
            return
        if parsed.comparator is Comparator.TOLERANCE:
            return
        percent = "" if name_declares_percent(info.name) and parsed.unit_implied else "%"
        top = parsed.upper if parsed.upper is not None else parsed.number
        if top > HUNDRED and parsed.comparator not in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，指标值“{text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GT:
            self.at(
                info,
                "rate_over_100",
                E,
                f"比率不能超过100%，“{text}”不可能实现。",
                field="value_text",
                suggestion=f"100{percent}",
            )
        elif parsed.number == HUNDRED and parsed.comparator is Comparator.GE:
            self.at(
                info,
                "rate_over_100",
                W,
                f"比率最高为100%，“{text}”中的“≥”没有意义，应写作“100{percent}”。",
                field="value_text",
                suggestion=f"100{percent}",
            )

    def check_percent_on_name(self, info: Row, parsed: ParsedValue) -> None:
        """100% on 「促进…协调和可持续发展」: a percentage needs a rate or share to measure."""
        if parsed.unit != "%" or parsed.unit_implied or not info.name:
            return
        if name_is_rate(info.name) or any(word in info.name for word in SHARE_WORDS):
            return
        if is_cost(info):
            return  # unit_category says it once: a cost must be an amount
        if info.second_cat is not None and info.second_cat.name in ("时效指标", "质量指标"):
            # 时效 % is a 及时率, 质量 % a 合格率/达标率, whose names often omit the 率.
            return
        self.at(
            info,
            "percent_not_rate",
            W,
            f"指标值“{info.value.strip()}”是百分比，但指标名称不是比率或占比，"
            "年终无法衡量；请把名称改为“……率”，或改为可计量的目标值。",
            field="value_text",
        )

    def check_satisfaction(self, info: Row, parsed: ParsedValue) -> None:
        text = info.value
        if parsed.unit != "%":
            suggestion = ""
            if parsed.unit == "" and parsed.number is not None and parsed.number <= HUNDRED:
                symbol = (
                    "" if parsed.comparator in (None, Comparator.EQ) else str(parsed.comparator)
                )
                suggestion = f"{symbol}{plain_number(parsed.number)}%"
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度应以百分比表示，“{text}”没有写“%”。",
                field="value_text",
                suggestion=suggestion,
            )
            return
        top = parsed.upper if parsed.upper is not None else parsed.number
        if parsed.comparator in (Comparator.LE, Comparator.LT):
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度是正向指标，“{text}”应使用“≥”。",
                field="value_text",
            )
        elif top is not None and top > HUNDRED:
            self.at(
                info,
                "rate_over_100",
                E,
                f"满意度不能超过100%，“{text}”不可能实现。",
                field="value_text",
                suggestion="100%",
            )
        elif top == HUNDRED:
            self.at(
                info,
                "satisfaction_full",
                W,
                f"满意度目标“{text}”要求人人满意，几乎不可能实现，通常设为≥85%或≥90%。",
                field="value_text",
            )
        elif parsed.number is not None and parsed.number < SATISFACTION_MINIMUM:
            self.at(
                info,
                "satisfaction_low",
                W,
                f"满意度目标“{text}”低于通常的80%–85%，请确认。",
                field="value_text",
            )

    def check_unit_category(self, info: Row, parsed: ParsedValue) -> None:
        if info.second_cat is None:
            return
        category = info.second_cat.name
        text = info.value
        if is_cost_name(category):
            if parsed.kind is ValueKind.QUANTITATIVE and not is_money(parsed.unit):
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"成本指标应以金额表示（元、万元，可为元/人/年），“{text}”不是金额。",
                    field="value_text",
                )
        elif category == "时效指标":
            if parsed.kind is ValueKind.QUANTITATIVE and parsed.unit not in TIME_UNITS:
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"时效指标应为完成时间、期限或及时率（%），“{text}”不是。",
                    field="value_text",
                )
        elif category == "数量指标":
            bare = without_remark(info.name)
            if parsed.kind is ValueKind.PERIOD:
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标应为数量，“{text}”是时间，应放在时效指标下。",
                    field="value_text",
                )
            elif (
                parsed.kind is ValueKind.QUANTITATIVE
                and parsed.unit in LONG_TIME_UNITS
                and not any(word in bare for word in TIME_NAME_WORDS)
            ):
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"“{bare}”是数量，“{text}”却以时间（{parsed.unit}）为单位，请写明数量单位。",
                    field="value_text",
                )
            elif parsed.kind is ValueKind.QUANTITATIVE and not parsed.unit:
                if any(bare.endswith(suffix) for suffix, _ in COUNT_NAME_UNITS):
                    return  # 住院救助人次数 1596: the name says what is counted, in 人次
                self.at(
                    info,
                    "unit_category",
                    W,
                    f"数量指标“{text}”缺少计量单位（人、人次、户、个…）。",
                    field="value_text",
                )

    def check_cost_comparator(self, info: Row, parsed: ParsedValue) -> None:
        if not is_cost(info) or parsed.comparator not in (Comparator.GE, Comparator.GT):
            return
        if not is_money(parsed.unit):
            return
        if "/" in parsed.unit or any(word in info.name for word in STANDARD_WORDS):
            # 补助标准 ≥200元/月/人 is what each person receives at least: a floor, not a cost.
            return
        self.at(
            info,
            "cost_comparator",
            W,
            f"成本指标是支出上限，“{info.value.strip()}”用了“{parsed.comparator}”，应写作“≤”。",
            field="value_text",
        )

    def check_period(self, info: Row, parsed: ParsedValue) -> None:
        if self.period_end is None:
            return
        start, end = period_bounds(parsed, year=self.year)
        # A range (2020年9月至2021年8月, an insurance year) may run past the budget year; a
        # deadline, or a range that starts after the period, cannot be met within it.
        late = start if parsed.text and "至" in parsed.text else end
        if late is None or late <= self.period_end:
            return
        self.at(
            info,
            "date_outside_period",
            W,
            f"完成时间“{info.value.strip()}”晚于项目实施期（截至"
            f"{self.period_end.year}年{self.period_end.month}月底），请核对。",
            field="value_text",
        )
