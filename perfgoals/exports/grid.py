"""A neutral description of an official table, rendered both to HTML (PDF) and to XLSX.

Builders in documents/ turn selector output into Grids; pdf.py and xlsx.py only draw them,
so the two formats cannot drift apart: the same cells, spans, numbers and formats.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from perfgoals.display import decimal_text, plain_number
from perfgoals.money import CENT


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


MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"
COUNT_FORMAT = "0"


def money_cell(amount: Decimal | None, *, suffix: str = "", **kwargs) -> Cell:
    """2 decimals as the official tables print them (90100.00, 3.88), no separators in the
    PDF so the figure reads exactly as typed; XLSX shows it with #,##0.00."""
    if amount is None:
        return Cell("", kind="num", **kwargs)
    value = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    fmt = MONEY_FORMAT + (f'"{suffix}"' if suffix else "")
    return Cell(f"{decimal_text(value)}{suffix}", kind="num", number=value, fmt=fmt, **kwargs)


def number_cell(value: Decimal | int | None, fmt: str = "General", **kwargs) -> Cell:
    if value is None:
        return Cell("", kind="num", **kwargs)
    text = str(value) if isinstance(value, int) else plain_number(value)
    return Cell(text, kind="num", number=value, fmt=fmt, **kwargs)


def percent_cell(value: Decimal | None, **kwargs) -> Cell:
    if value is None:
        return Cell("", kind="num", **kwargs)
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return Cell(decimal_text(value), kind="num", number=value, fmt=PERCENT_FORMAT, **kwargs)
