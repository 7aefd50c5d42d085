"""The streaming sheet reader: what Excel, WPS and other writers put in a package reads back
as the cells the user saw."""

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook

from perfgoals.targets.imports import workbook as wbmod
from perfgoals.targets.imports.workbook import ImportRefused, read_workbook

from .hostile import rezip


def _book(fill) -> bytes:
    wb = Workbook()
    fill(wb.active)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _cells(data: bytes) -> dict:
    return read_workbook(data)[0].cells


def test_percentage_formats_read_back_as_shown():
    def fill(ws):
        ws["A1"], ws["B1"], ws["C1"] = 0.95, 0.955, 1
        ws["A1"].number_format = "0%"
        ws["B1"].number_format = "0.0%"
        ws["C1"].number_format = "0.00%"
        ws["D1"] = 0.95  # General: the number itself

    cells = _cells(_book(fill))
    assert (cells[(1, 1)], cells[(1, 2)], cells[(1, 3)], cells[(1, 4)]) == (
        "95%",
        "95.5%",
        "100.00%",
        Decimal("0.95"),  # the digits Excel stored, never through a float
    )


def test_dates_read_back_as_dates_and_text_stays_text():
    def fill(ws):
        ws["A1"] = date(2024, 3, 1)
        ws["B1"] = "2024年3月至12月"
        ws["C1"] = 31800
        ws["D1"] = True

    cells = _cells(_book(fill))
    assert cells == {(1, 1): "2024-03-01", (1, 2): "2024年3月至12月", (1, 3): 31800, (1, 4): "是"}


def test_hidden_sheets_are_skipped():
    def fill(ws):
        ws["A1"] = "看得见"
        hidden = ws.parent.create_sheet("隐藏")
        hidden["A1"] = "看不见"
        hidden.sheet_state = "hidden"

    assert [s.name for s in read_workbook(_book(fill))] == ["Sheet"]


def _rewrite_sheet(data: bytes, change) -> bytes:
    return rezip(data, lambda n, c: change(c) if n == "xl/worksheets/sheet1.xml" else c)


def _sample(ws):
    ws["A1"], ws["B1"], ws["C2"] = "项目名称", "测试", 12.5
    ws.merge_cells("A3:B4")
    ws["A3"] = "合并"


def test_cells_without_references_and_prefixed_tags_read_the_same():
    """Some writers omit r= on cells and rows, others prefix the main namespace (x:c)."""
    data = _book(_sample)
    expected = read_workbook(data)[0]

    def strip_refs(xml):
        return re.sub(rb'(<(?:c|row)) r="[A-Z]*\d+"', rb"\1", xml)

    def prefix(xml):
        xml = xml.replace(
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
            b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        )
        return re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", xml)

    # Without references a cell lands where its position in the row puts it: B1 is second.
    stripped = read_workbook(_rewrite_sheet(data, strip_refs))[0]
    assert stripped.cells[(1, 2)] == "测试"
    assert stripped.cells[(3, 1)] == "合并"
    prefixed = read_workbook(_rewrite_sheet(data, prefix))[0]
    assert prefixed.cells == expected.cells
    assert prefixed.merges == expected.merges == {(3, 1): (4, 2)}


RICH = (
    '<r><t>绩效</t></r><r><rPr><b/></rPr><t>目标</t></r><rPh sb="0" eb="1"><t>JIXIAO</t></rPh>'
).encode()


def test_rich_text_is_joined_and_phonetic_runs_dropped_inline():
    def rich(xml):
        return re.sub(rb"<is>.*?</is>", b"<is>" + RICH + b"</is>", xml, count=1, flags=re.S)

    data = _rewrite_sheet(_book(lambda ws: ws.__setitem__("A1", "占位")), rich)
    assert _cells(data) == {(1, 1): "绩效目标"}


def test_shared_strings_are_found_through_the_relationships():
    """Excel keeps text in a shared table; the part's name comes from workbook.xml.rels."""
    data = _book(lambda ws: ws.__setitem__("A1", "占位"))
    strings = (
        (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<si><t>项目名称</t></si><si>"
        ).encode()
        + RICH
        + b"</si></sst>"
    )
    rel = (
        b'<Relationship Id="rIdS" Target="strings/table.xml" Type="http://schemas.openxml'
        b'formats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )

    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(
                rb'<c r="A1" t="inlineStr">.*?</c>',
                b'<c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>0</v></c>',
                content,
                flags=re.S,
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(b"</Relationships>", rel)
        return content

    buffer = BytesIO(rezip(data, change))
    with zipfile.ZipFile(buffer, "a") as package:
        package.writestr("xl/strings/table.xml", strings)
    assert _cells(buffer.getvalue()) == {(1, 1): "绩效目标", (1, 2): "项目名称"}


def test_a_declaration_hidden_behind_a_long_comment_is_refused():
    padding = b"<!--" + b"x" * 10000 + b"-->"

    def change(xml):
        head, _, body = xml.partition(b"?>")
        return head + b"?>" + padding + b'<!DOCTYPE w [<!ENTITY e "boom">]>' + body

    with pytest.raises(ImportRefused, match="实体或文档类型声明"):
        read_workbook(_rewrite_sheet(_book(_sample), change))


def test_the_parser_never_expands_entities_even_past_the_scan(monkeypatch):
    monkeypatch.setattr(wbmod, "DECLARATION", re.compile(rb"(?!)"))  # a scan that misses

    def change(xml):
        head, _, body = xml.partition(b"?>")
        body = body.replace("测试".encode(), b"&e;")
        return head + b"?>" + b'<!DOCTYPE worksheet [<!ENTITY e "EXPANDED">]>' + body

    data = _rewrite_sheet(_book(lambda ws: ws.__setitem__("B1", "测试")), change)
    try:
        cells = _cells(data)
    except ImportRefused:
        return
    assert "EXPANDED" not in str(cells)


def test_a_broken_sheet_is_refused_naming_it():
    data = _rewrite_sheet(_book(_sample), lambda xml: xml[: len(xml) // 2])
    with pytest.raises(ImportRefused, match="工作表“Sheet”的内容已损坏"):
        read_workbook(data)
