"""Found/total of the seeds' table cells in their exports, PDF and XLSX: every non-empty cell
of the seed's text (seed_text.py), split into figures and texts, and every indicator row (its
三级 name and value on one printed row). Run by tests/exports/test_seed_cells.py and printed by
bench/seed_fidelity.py."""

import re
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from allocations.models import FundNotice
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.models import Organisation, TargetTable
from tests.exports.seed_text import cells_between, rows_between, squash

FIGURE = re.compile(r"\d+(?:\.\d+)?")


def shown(cell) -> str:
    if cell.value is None:
        return ""
    if cell.data_type == "n":
        # 0.00"万元": the places and the literal suffix Excel shows after the figure.
        fmt, _, suffix = cell.number_format.partition('"')
        places = len(fmt.partition(".")[2])
        return f"{Decimal(str(cell.value)):.{places}f}{suffix.rstrip(chr(34))}"
    return str(cell.value)


def exports(kind: str, ident: str) -> tuple[str, list[list[str]]]:
    document = build_document(kind, resolve(kind, ident, None))
    reader = PdfReader(BytesIO(render_pdf(document)))
    pdf = squash("".join(page.extract_text() or "" for page in reader.pages))
    wb = load_workbook(BytesIO(render_xlsx(build_document(kind, resolve(kind, ident, None)))))
    rows = [[squash(shown(c)) for c in row] for ws in wb.worksheets for row in ws.iter_rows()]
    return pdf, rows


def count(cells, rows_of_cells, pdf, xlsx_rows, *, adjacent=True):
    xlsx_text = "|".join("|".join(row) for row in xlsx_rows)
    xlsx_cells = {c for row in xlsx_rows for c in row}
    out = {}
    figures = [c for c in cells if FIGURE.fullmatch(squash(c))]
    texts = [c for c in cells if c not in figures]
    out["numbers"] = (
        sum(squash(c) in pdf for c in figures),
        sum(squash(c) in xlsx_cells for c in figures),
        len(figures),
    )
    out["texts"] = (
        sum(squash(c) in pdf for c in texts),
        sum(squash(c) in xlsx_text for c in texts),
        len(texts),
    )
    # A row of layouts A–C prints its name and value side by side; the wide 支出方向 table
    # prints each value in its own column of the fund's row.
    found_pdf = sum(
        (squash(name) + squash(value) if adjacent else squash(value)) in pdf
        for name, value in rows_of_cells
    )
    found_xlsx = sum(
        any(squash(name) in row and squash(value) in row for row in xlsx_rows)
        for name, value in rows_of_cells
    )
    out["indicator rows"] = (found_pdf, found_xlsx, len(rows_of_cells))
    return out


def indicator_rows(rows: list[list[str]]) -> list[tuple[str, str]]:
    return [(row[-2], row[-1]) for row in rows if len(row) >= 5 and row[-2] and row[-1]]


def seed_fidelity(verbose: bool = False) -> dict[str, dict[str, tuple[int, int, int]]]:
    """{seed: {what: (found in PDF, found in XLSX, total)}}; `verbose` prints what is missing."""
    n296 = str(FundNotice.objects.get(issuer_code="瑞财社", doc_serial=296).pk)
    n258 = str(FundNotice.objects.get(issuer_code="瑞财社", doc_serial=258).pk)
    shifeng = Organisation.objects.get(name="株洲市石峰区卫生和计划生育局")
    shunping = Organisation.objects.get(name="顺平县医疗保障局")
    dept002 = TargetTable.objects.get(organisation=shifeng, layout="department")
    plans = {
        "000": (0, "附件1：", None, [("notice", n296)]),
        "001": (1, "附件1：", "image1.png", [("notice", n258)]),
        "002": (
            2,
            "附件3-1",
            None,
            [("summary", f"{shifeng.pk}-2019"), ("target", str(dept002.pk))],
        ),
        "004": (4, "第二部分", None, [("department", f"{shunping.pk}-2020")]),
    }
    results = {}
    for seed, (number, start, end, kinds) in plans.items():
        cells = [c for c in cells_between(number, start, end) if squash(c)]
        if number == 2:
            wide = cells_between(2, "附件3-2", "附件3-3")
            first = wide.index("石峰区卫计局")
            ind = [
                (row[1], cell)
                for i in range(first, len(wide), 16)
                for row in [wide[i : i + 16]]
                for cell in row[7:]
                if squash(cell)
            ]
        else:
            ind = indicator_rows(rows_between(number, start, end))
        pdf, xlsx_rows = "", []
        for kind, ident in kinds:
            p, x = exports(kind, ident)
            pdf += p
            xlsx_rows += x
        result = count(cells, ind, pdf, xlsx_rows, adjacent=number != 2)
        if verbose:
            xlsx_text = "|".join("|".join(row) for row in xlsx_rows)
            for c in cells:
                if squash(c) not in pdf or squash(c) not in xlsx_text:
                    print("   missing", seed, "PDF" if squash(c) not in pdf else "XLSX", repr(c))
            for name, value in ind:
                if (squash(name) + squash(value) if number != 2 else squash(value)) not in pdf:
                    print("   missing row", seed, "PDF", repr(name), repr(value))
        results[seed] = result
    return results
