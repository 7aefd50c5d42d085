"""The seed documents' own text (tests/fixtures/seeds/, copies of shared/seeds/), cut into
table cells, so fidelity tests compare exports with what the documents print rather than
with the app's own output."""

import re
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
ATTACHMENT_HEADING = re.compile(r"\s*附件\d+(-\d+)?\s*[:：]")


@cache
def seed_text(number: int) -> str:
    [path] = SEEDS.glob(f"{number:03d}_*.txt")
    return path.read_text(encoding="utf-8")


def cells_between(number: int, start: str, end: str | None = None) -> list[str]:
    """Every table cell of the seed between `start` and `end` in document order: a cell is a
    line that begins with a tab, with the untabbed lines after it (a Word table exported as
    text); a single blank line inside a cell is dropped, two end the table (the heading of the
    next part follows); the cell's text is stripped."""
    text = seed_text(number)
    begin = text.index(start)
    stop = text.index(end, begin) if end else len(text)
    cells: list[list[str]] = []
    blanks = 0
    for line in text[begin:stop].split("\n"):
        if line.startswith("\t"):
            cells.append([line[1:]])
            blanks = 0
        elif not line.strip():
            blanks += 1
        elif ATTACHMENT_HEADING.match(line):
            blanks = 2  # the next attachment's heading ends the table, blank lines or not
        elif cells and blanks < 2:
            cells[-1].append(line)
            blanks = 0
    return ["\n".join(part.rstrip() for part in cell).strip() for cell in cells]


def rows_of(cells: list[str], width: int) -> list[list[str]]:
    assert len(cells) % width == 0, (len(cells), width)
    return [cells[i : i + width] for i in range(0, len(cells), width)]


def squash(text: str) -> str:
    """Whitespace and the full-width space dropped: PDF extraction and cell wrapping move them."""
    return re.sub(r"[\s\u3000]+", "", text or "")


def seed002_summary_rows() -> list[list[str]]:
    """附件3-1: 序号, 专项支出名称, 支出方向, 资金总额, 实施期绩效目标, 年度绩效目标."""
    cells = cells_between(2, "\t序号", "附件3-2")
    return rows_of(cells[6:], 6)


def seed002_direction_rows() -> list[list[str]]:
    """附件3-2: the 7 fixed columns and the 9 indicator columns of each 支出方向."""
    cells = cells_between(2, "附件3-2", "附件3-3")
    first = cells.index("石峰区卫计局")
    return rows_of(cells[first:], 16)


def rows_between(number: int, start: str, end: str | None = None) -> list[list[str]]:
    """Table rows of the seed between `start` and `end`, for tables whose cells hold no blank
    line (seeds 000 and 001): a row is a run of cells ended by a blank line; a cell merged
    with the one above is printed empty."""
    text = seed_text(number)
    begin = text.index(start)
    stop = text.index(end, begin) if end else len(text)
    rows: list[list[list[str]]] = [[]]
    for line in text[begin:stop].split("\n"):
        if line.startswith("\t"):
            rows[-1].append([line[1:]])
        elif ATTACHMENT_HEADING.match(line) and rows[-1]:
            rows.append([])  # the next attachment's heading ends the row
        elif line.strip() and rows[-1]:
            rows[-1][-1].append(line)
        elif not line.strip() and rows[-1]:
            rows.append([])
    return [
        ["\n".join(part.rstrip() for part in cell).strip() for cell in row] for row in rows if row
    ]
