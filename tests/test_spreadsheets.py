from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from perfgoals.spreadsheets import (
    ListExport,
    export_query,
    looks_like_formula,
    requested_export_format,
    write_csv,
    write_xlsx,
)


@pytest.mark.parametrize("text", ["=1+1", "+86 123", "-5", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x"])
def test_text_a_spreadsheet_would_evaluate_is_caught(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["≥90%", "100%", "签约率=95%", "", " =1"])
def test_ordinary_text_is_left_alone(text):
    assert not looks_like_formula(text)


def test_list_xlsx_keeps_typed_text_as_text_and_figures_as_numbers():
    spec = ListExport(headers=["名称", "金额", "时间"], widths=[20, 10, 16], title="清单")
    rows = [["=1+1", Decimal("3.88"), datetime(2020, 6, 3, 9, 5)], ["a\x01b", None, None]]
    sheet = load_workbook(BytesIO(write_xlsx(spec, rows))).active
    assert sheet.title == "清单"
    assert [c.value for c in sheet[1]] == ["名称", "金额", "时间"]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A3"].value == "ab"
    assert sheet.freeze_panes == "A2"


def test_list_csv_opens_as_utf8_and_guards_formulas():
    spec = ListExport(headers=["名称", "时间"], widths=[20, 16], title="清单")
    body = write_csv(spec, [["-5", datetime(2020, 6, 3, 9, 5)], ["瑞丽", None]])
    assert body.startswith("\ufeff".encode())
    assert body.decode("utf-8-sig").splitlines() == [
        "名称,时间",
        "'-5,2020-06-03 09:05",
        "瑞丽,",
    ]


def test_export_format_and_query_come_from_the_request(rf):
    request = rf.get("/", {"export": "csv", "page": "2", "year": "2020"})
    assert requested_export_format(request) == "csv"
    assert export_query(request) == "year=2020"
    assert requested_export_format(rf.get("/", {"export": "pdf"})) is None
