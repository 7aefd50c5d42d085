"""Seeds printed as their documents print them, cell by cell against the seed's text
(tests/exports/seed_text.py), in the PDF and the XLSX: seed 002 附件3-1 as its own 汇总表 and
附件3-2 in its order, seed 001 附件3's indicator block with its merged spans."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import Organisation
from tests.exports.helpers import pdf_text
from tests.exports.seed_text import (
    seed002_direction_rows,
    seed002_summary_rows,
    squash,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary_document(demo):
    org = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    return build_document("summary", resolve("summary", f"{org.pk}-2019", None))


def sheet_rows(ws, first_text: str, count: int, width: int) -> list[list]:
    """`count` rows of `width` cells from the row whose column B or C holds `first_text`."""
    start = next(
        row[0].row for row in ws.iter_rows() if any(cell.value == first_text for cell in row[:3])
    )
    return [[ws.cell(r, c) for c in range(1, width + 1)] for r in range(start, start + count)]


def shown(cell) -> str:
    """What Excel displays: a number through its format's places, text as stored."""
    if cell.value is None:
        return ""
    if cell.data_type == "n":
        places = len(cell.number_format.partition(".")[2])
        return f"{Decimal(str(cell.value)):.{places}f}"
    return str(cell.value)


def test_summary_workbook_reproduces_attachment_3_1_cell_by_cell(summary_document):
    seed = seed002_summary_rows()
    ws = load_workbook(BytesIO(render_xlsx(summary_document)))["汇总表"]
    got = sheet_rows(ws, seed[0][1], len(seed), 6)
    mismatches = [
        (r, c, want, shown(cell))
        for r, (row, cells) in enumerate(zip(seed, got, strict=True), 1)
        for c, (want, cell) in enumerate(zip(row, cells, strict=True), 1)
        if squash(shown(cell)) != squash(want)
    ]
    assert mismatches == []
    assert len(seed) * 6 == 84
    # Nothing after the last row: the document has no 合计.
    assert ws.cell(got[-1][0].row + 1, 2).value is None


def test_summary_pdf_prints_attachment_3_1_in_order(summary_document):
    text = pdf_text(render_pdf(summary_document))
    position = 0
    for row in seed002_summary_rows():
        for want in row:
            found = text.find(squash(want), position)
            assert found >= 0, (want, text[position : position + 60])
            position = found + len(squash(want))
    # The seed's own facts, which a summary rebuilt from 附件3-2 loses.
    for fact in ["标准为不低于200元/月/人", "全区26.18万人口", "五个政府主办", "计生专项经费"]:
        assert fact in text
    assert "附件3-" not in text


def test_direction_table_keeps_the_documents_order_and_cells(summary_document):
    seed = seed002_direction_rows()
    ws = load_workbook(BytesIO(render_xlsx(summary_document)))["支出方向绩效目标表"]
    got = sheet_rows(ws, seed[0][1], len(seed), 16)
    # 健康教育 (10) second and 家庭医生 (20) third, as 附件3-2 prints them.
    assert [shown(cells[4]) for cells in got][:3] == ["48", "10", "20"]
    mismatches = [
        (r, c, want, shown(cell))
        for r, (row, cells) in enumerate(zip(seed, got, strict=True), 1)
        for c, (want, cell) in enumerate(zip(row, cells, strict=True), 1)
        if squash(want) not in squash(shown(cell))
    ]
    assert mismatches == []


def test_direction_table_pdf_prints_rows_in_the_documents_order(summary_document):
    text = pdf_text(render_pdf(summary_document))
    wide = text[text.find("支出方向绩效目标表") :]
    position = 0
    for row in seed002_direction_rows():
        for want in row[1:5]:
            found = wide.find(squash(want), position)
            assert found >= 0, (want, wide[position : position + 60])
            position = found + len(squash(want))


def test_seed_001_indicator_block_matches_the_seed_cell_by_cell_with_its_spans(demo):
    """Every cell of seed 001 附件3's indicator block in its column, and every blank of the
    seed a continuation of a merged cell above: a span one row short moves the last row's
    value (救助对象满意度 / ≥90%) one column left, which this catches."""
    from perfgoals.models import TargetTable
    from tests.exports.seed_text import rows_between

    table = TargetTable.objects.get(layout="project", organisation__name="瑞丽市医疗保障局")
    document = build_document("target", resolve("target", str(table.pk), None))
    ws = load_workbook(BytesIO(render_xlsx(document))).active
    seed = rows_between(1, "\t一级指标", "image1.png")[1:]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "产出指标")
    merged = {
        (r, c): span
        for span in ws.merged_cells.ranges
        for r in range(span.min_row, span.max_row + 1)
        for c in range(span.min_col, span.max_col + 1)
    }
    vlabel = merged[(first, 1)]
    assert (vlabel.min_row, vlabel.max_row) == (first, first + len(seed) - 1)
    assert squash(ws.cell(first, 1).value) == "绩效指标"
    for offset, row in enumerate(seed):
        r = first + offset
        # Six cells when the 三级 has sub-items, five when it spans the sub-item column; the
        # first is the vertical label's, checked above.
        columns = [1, 2, 3, 4, 5, 6] if len(row) == 6 else [1, 2, 3, 4, 6]
        for want, c in list(zip(row, columns, strict=True))[1:]:
            cell = ws.cell(r, c)
            if want:
                assert squash(shown(cell)) == squash(want), (r, c, want)
            else:
                span = merged.get((r, c))
                assert span is not None and span.min_row < r, (r, c, "blank is not a span")


def test_every_cell_of_every_seed_is_printed_in_pdf_and_xlsx(demo):
    from tests.exports.fidelity import seed_fidelity

    results = seed_fidelity()
    assert set(results) == {"000", "001", "002", "004"}
    short = {
        (seed, what): found
        for seed, result in results.items()
        for what, found in result.items()
        if not (found[0] == found[1] == found[2] > 0)
    }
    assert short == {}
