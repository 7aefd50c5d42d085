"""A neutral description of an official table, rendered both to HTML (PDF) and to XLSX.

Builders in documents/ turn selector output into Grids; pdf.py and xlsx.py only draw them,
so the two formats cannot drift apart: the same cells, spans, numbers and formats.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from perfgoals.display import figure


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
