"""A neutral description of an official table, rendered both to HTML (PDF) and to XLSX.

Builders in documents/ turn selector output into Grids; pdf.py and xlsx.py only draw them,
so the two formats cannot drift apart: the same cells, spans, numbers and formats.
"""

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal

from perfgoals.display import figure
from perfgoals.exports.typeset import text_width


@dataclass
class Cell:
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    # head: column heading; label: row label; vlabel: vertical label (总体目标, 绩效指标);
    # text: free text (left, wrapped); value: indicator value (centred, verbatim); num: number.
    kind: str = "text"
    number: Decimal | int | None = None  # written as a number to XLSX
    fmt: str = ""  # XLSX number format of `number`


@dataclass
class Section:
    """Rows that share a header; the header repeats after a page break (HTML thead)."""

    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)

    def columns(self) -> list[list[int]]:
        """The first column of every body cell, row by row (rows list only the cells that
        start in them; a cell spanning down from above takes its columns in later rows)."""
        taken: set[tuple[int, int]] = set()
        starts = []
        for r, row in enumerate(self.body):
            col, found = 0, []
            for cell in row:
                while (r, col) in taken:
                    col += 1
                found.append(col)
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, col + dc))
                col += cell.colspan
            starts.append(found)
        return starts

    def restart_spans_at(self, k: int) -> bool:
        """Cut every cell that spans down into body row `k` there and print it again at the
        top of row `k`: the row a page starts with repeats its 一级/二级 labels instead of
        continuing them as blank cells. True when some cell was cut."""
        if not 0 < k < len(self.body):
            return False
        starts = self.columns()
        carried: list[tuple[int, Cell]] = []
        for r in range(k):
            for col, cell in zip(starts[r], self.body[r], strict=True):
                if r + cell.rowspan > k:
                    rest = r + cell.rowspan - k
                    cell.rowspan = k - r
                    carried.append((col, replace(cell, rowspan=rest)))
        if not carried:
            return False
        row = list(zip(starts[k], self.body[k], strict=True)) + carried
        self.body[k] = [cell for _, cell in sorted(row, key=lambda item: item[0])]
        return True


@dataclass
class Grid:
    title: str
    widths: list[float]  # relative column widths
    sections: list[Section] = field(default_factory=list)
    subtitle: str = ""
    caption_left: str = ""  # e.g. 450002顺平县医疗保障局
    caption_right: str = ""  # e.g. 单位：元
    note: str = ""  # printed under the table
    landscape: bool = False
    sheet_name: str = ""
    heading: str = ""  # e.g. 附件1, printed above the title
    anchor: str = ""  # HTML id, the target of table-of-contents links
    font_size: str = ""  # CSS size for dense tables
    stamp: str = ""  # 已批准（第N版，…）: the table printed is an approved version

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def percent_widths(self) -> list[str]:
        total = sum(self.widths)
        return [f"{w * 100 / total:.2f}%" for w in self.widths]


COUNT_FORMAT = "0"


def _lines(text: str, chars: float) -> int:
    return sum(max(1, math.ceil(text_width(part) / chars)) for part in text.split("\n"))


def content_widths(
    rows: list[list[str]], minimum: list[float], *, chars: float, padding: float = 1.2
) -> list[float]:
    """Relative column widths that make a wide table's rows as short as possible: start every
    column at `minimum` characters (what its heading needs) and hand the rest of the line's
    `chars` out one character at a time to the column whose widening saves the most printed
    lines. Seed 002 附件3-2 printed 8-line cells in columns sized by guess."""
    widths = list(minimum)

    def height(ws: list[float]) -> int:
        return sum(max(_lines(text, w) for text, w in zip(row, ws, strict=True)) for row in rows)

    for _ in range(int(chars - sum(widths))):
        best, best_height = 0, None
        for index in range(len(widths)):
            trial = widths.copy()
            trial[index] += 1
            h = height(trial)
            if best_height is None or h < best_height:
                best, best_height = index, h
        widths[best] += 1
    return [w + padding for w in widths]


def figure_format(text: str) -> str:
    """The XLSX number format that shows a figure as `text` prints it: 31800 → 0, 4.8 → 0.0,
    90100.00 → 0.00; no thousands separators, so the workbook and the PDF read alike."""
    _, _, decimals = text.partition(".")
    return f"0.{'0' * len(decimals)}" if decimals else "0"


def money_cell(
    amount: Decimal | None, *, places: int | None = None, suffix: str = "", **kwargs
) -> Cell:
    """An amount as the document prints it (perfgoals.display.figure): the fewest places that
    keep the value unless the layout fixes `places`; a number with the same look in XLSX."""
    if amount is None:
        return Cell("", kind="num", **kwargs)
    text = figure(amount, places)
    value = Decimal(text)
    fmt = figure_format(text) + (f'"{suffix}"' if suffix else "")
    return Cell(f"{text}{suffix}", kind="num", number=value, fmt=fmt, **kwargs)


def number_cell(value: Decimal | int | None, fmt: str = "", **kwargs) -> Cell:
    if value is None:
        return Cell("", kind="num", **kwargs)
    text = figure(value)
    return Cell(text, kind="num", number=value, fmt=fmt or figure_format(text), **kwargs)


def percent_cell(value: Decimal | None, *, places: int | None = None, **kwargs) -> Cell:
    """A spending-plan share (25, or 25.00 where the layout fixes two places)."""
    return money_cell(value, places=places, **kwargs)
