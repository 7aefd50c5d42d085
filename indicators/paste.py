"""Rows pasted from Excel or WPS: split into 一级/二级/三级 cells, with a problem per bad line."""

import csv
import io
from dataclasses import dataclass

from indicators.models import PerformanceIndicator

MAX_PASTE_LINES = 500


def _max_length(name: str) -> int | None:
    return PerformanceIndicator._meta.get_field(name).max_length


@dataclass(frozen=True)
class PastedRow:
    line: int
    first: str
    second: str
    third: str
    value: str
    description: str = ""
    basis: str = ""


@dataclass(frozen=True)
class PasteProblem:
    line: int
    text: str
    message: str


@dataclass
class PasteResult:
    rows: list[PastedRow]
    problems: list[PasteProblem]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


def _is_header(cells: list[str]) -> bool:
    return cells[0].replace(" ", "") in {"一级指标", "一级"} and cells[1].startswith("二级")


def parse_pasted_rows(text: str) -> PasteResult:
    """Rows copied from Excel/WPS: tab-separated 一级/二级/三级/指标值, or the six columns
    一级|二级|三级|绩效指标描述|指标值|指标值确定依据.

    A blank 一级 or 二级 cell means "same as the row above" — that is what a merged cell
    becomes when copied. Cells with line breaks arrive quoted, which csv understands.
    """
    rows: list[PastedRow] = []
    problems: list[PasteProblem] = []
    first = second = ""
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), delimiter="\t")
    lines = []
    rows_read = enumerate(reader, 1)
    while True:
        try:
            line_no, raw = next(rows_read)
        except StopIteration:
            break
        except csv.Error:
            # csv refuses a cell over its field limit (131,072 characters): no indicator
            # cell is that long, so the paste is not a copied table.
            problems.append(
                PasteProblem(
                    reader.line_num,
                    "",
                    f"第{reader.line_num}行有单元格过长，无法识别；请只复制指标表中的行。",
                )
            )
            break
        if line_no > MAX_PASTE_LINES:
            problems.append(PasteProblem(line_no, "", f"一次最多粘贴{MAX_PASTE_LINES}行。"))
            break
        cells = [cell.strip() for cell in raw]
        # Excel adds empty cells on the right when the selection was wider than the data.
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append((line_no, raw, cells))
    # One layout per paste: a 6-column row anywhere means the six-column table, so that a
    # row whose 指标值 and 依据 are empty is not misread as four columns.
    width = 6 if any(len(cells) > 4 for _, _, cells in lines) else 4
    for line_no, raw, cells in lines:
        shown = "\t".join(raw)
        if len(raw) < 4 or len(cells) > 6:
            problems.append(
                PasteProblem(
                    line_no,
                    shown,
                    f"有{len(raw) if len(raw) < 4 else len(cells)}列，"
                    "应为4列（一级指标、二级指标、三级指标、指标值）"
                    "或6列（一级指标、二级指标、三级指标、绩效指标描述、指标值、指标值确定依据）。"
                    "请在Excel中选中整行的这些列再复制。",
                )
            )
            continue
        cells = cells + [""] * (width - len(cells))
        if _is_header(cells):
            continue
        if len(cells) == 4:
            cell_first, cell_second, third, value = cells
            description = basis = ""
        else:
            cell_first, cell_second, third, description, value, basis = cells
        if cell_first:
            if cell_first != first:
                second = ""
            first = cell_first
        if cell_second:
            second = cell_second
        message = ""
        if not first:
            message = "缺少一级指标：第一行的一级指标不能为空（合并单元格只在首行有文字）。"
        elif not second:
            message = "缺少二级指标：新的一级指标下第一行须填写二级指标。"
        elif not third:
            message = "缺少三级指标名称。"
        else:
            too_long = [
                label
                for label, cell, field in (
                    ("一级指标", first, "name"),
                    ("二级指标", second, "name"),
                    ("三级指标", third, "name"),
                    ("指标值", value, "value_text"),
                    ("指标值确定依据", basis, "basis"),
                )
                if len(cell) > _max_length(field)
            ]
            if too_long:
                message = f"{'、'.join(too_long)}过长。"
        if message:
            problems.append(PasteProblem(line_no, shown, message))
            continue
        rows.append(PastedRow(line_no, first, second, third, value, description, basis))
    return PasteResult(rows=rows, problems=problems)
