"""Rows pasted from Excel: both layouts, merged cells, and bad lines with clear messages."""

from indicators.paste import parse_pasted_rows


def test_four_columns_with_merged_first_and_second_cells():
    result = parse_pasted_rows(
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t签约人数\t≥7602人\n"
        "\t\t随访次数\t≥4次\n"
        "\t质量指标\t签约率\t≥95%\n"
        "满意度指标\t服务对象满意度指标\t签约对象满意度\t≥85%\n"
    )
    assert result.problems == []
    assert [(r.first, r.second, r.third, r.value) for r in result.rows] == [
        ("产出指标", "数量指标", "签约人数", "≥7602人"),
        ("产出指标", "数量指标", "随访次数", "≥4次"),
        ("产出指标", "质量指标", "签约率", "≥95%"),
        ("满意度指标", "服务对象满意度指标", "签约对象满意度", "≥85%"),
    ]
    assert [r.line for r in result.rows] == [2, 3, 4, 5]


def test_six_columns_keep_description_and_basis_and_quoted_line_breaks():
    result = parse_pasted_rows(
        '产出指标\t数量指标\t参保人数\t"全县参保\n人数"\t≥27万人\t上年参保数据\r\n'
        "\t\t代办员人数\t村级代办员\t≥106人\t\n"
    )
    assert result.problems == []
    first, second = result.rows
    assert first.description == "全县参保\n人数"
    assert (first.value, first.basis) == ("≥27万人", "上年参保数据")
    assert (second.first, second.second, second.basis) == ("产出指标", "数量指标", "")


def test_bad_lines_are_reported_with_their_line_number_and_good_lines_kept():
    result = parse_pasted_rows(
        "\t\t签约率\t≥95%\n"  # no 一级 above
        "产出指标\t数量指标\t签约人数\n"  # three columns
        "产出指标\t数量指标\t\t≥5人\n"  # no 三级
        "效益指标\t\t知晓率\t≥85%\n"  # new 一级 without 二级
        "产出指标\t数量指标\t随访次数\t≥4次\n"
        "\n"
    )
    assert [(p.line, p.message[:6]) for p in result.problems] == [
        (1, "缺少一级指标"),
        (2, "有3列，应为"),
        (3, "缺少三级指标"),
        (4, "缺少二级指标"),
    ]
    assert [r.third for r in result.rows] == ["随访次数"]
    assert not result.ok


def test_trailing_empty_cells_from_a_wide_selection_are_ignored():
    result = parse_pasted_rows("产出指标\t时效指标\t完成时间\t2020年底前\t\t\t\t\n")
    assert result.ok
    assert result.rows[0].value == "2020年底前"


def test_too_long_cells_are_refused():
    result = parse_pasted_rows(f"产出指标\t数量指标\t{'长' * 301}\t1人\n")
    assert result.problems[0].message == "三级指标过长。"


def test_a_cell_over_the_csv_field_limit_is_a_problem_not_an_error():
    result = parse_pasted_rows("产出指标\t数量指标\t" + "长" * 131_073 + "\t≥90%")
    assert result.rows == []
    assert [p.message for p in result.problems] == [
        "第1行有单元格过长，无法识别；请只复制指标表中的行。"
    ]
