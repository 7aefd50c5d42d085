"""XLSX rendering with openpyxl: the same Grids as the PDF, as merged, bordered, printable
sheets. Amounts are numbers with number formats; text never becomes a formula."""

import math
import re
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfgoals.exports.documents import (
    Cover,
    Document,
    Narrative,
    NoticeBody,
    PartTitle,
    Placeholder,
)
from perfgoals.exports.grid import Grid, figure_format
from perfgoals.spreadsheets import looks_like_formula

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Tables in 宋体 as the official forms; the notice and the cover in 仿宋 as their PDF parts
# print in the serif face (print.css).
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
PROSE_FONT = Font(name="仿宋", size=12)
PROSE_TITLE_FONT = Font(name="仿宋", size=16, bold=True)
# An indicator value that is a plain figure (1596, 25, 0.5) is stored as a number; anything
# with notation (≥95%, 95人, 2019年底前) stays the text the table prints.
PLAIN_FIGURE = re.compile(r"\d+(?:\.\d+)?")
SHEET_NAME_LIMIT = 31
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
ALIGN = {
    "head": CENTER,
    "label": CENTER,
    "vlabel": Alignment(horizontal="center", vertical="center", wrap_text=True, textRotation=255),
    "text": LEFT,
    "value": CENTER,
    "num": RIGHT,
}
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
PORTRAIT_CHARS = 95  # printable width of A4 portrait in Excel character units at 10 pt
LANDSCAPE_CHARS = 140


def set_text(cell, text: str) -> None:
    text = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    cell.value = text if text else None
    if text and looks_like_formula(text):
        # openpyxl stores "=…" as a formula; force a shared string and mark it as literal.
        cell.data_type = "s"
        cell.quotePrefix = True


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _sheet_name(wb: Workbook, wanted: str) -> str:
    """Excel's 31 characters, cut at the end so the start (the number, the noun) reads; a
    repeated name gets （2）, （3） instead of a cut that would make it ambiguous."""
    base = " ".join(SHEET_NAME_BAD.sub("", wanted).split()).strip("'") or "Sheet"
    name, n = base[:SHEET_NAME_LIMIT], 2
    while name in wb.sheetnames:
        suffix = f"（{n}）"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    return name


def _fit_to_a4_width(ws: Worksheet, title_rows: tuple[int, int] | None = None) -> None:
    """Page set-up every sheet shares: A4, one page wide, page numbers in the footer, and
    the heading rows repeated on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"


def _merged_line(ws: Worksheet, row: int, ncols: int, text: str, font, alignment) -> None:
    """A heading line merged across the table's width and wrapped, tall enough for its lines."""
    cell = ws.cell(row, 1)
    set_text(cell, text)
    cell.font = font
    cell.alignment = alignment
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 9 for c in range(1, ncols + 1))
    scale = font.size / 10
    lines = max(1, math.ceil(_display_width(text) * scale / max(width - 2, 1)))
    ws.row_dimensions[row].height = max(18, (font.size + 6) * lines)


def write_grid(ws: Worksheet, grid: Grid) -> None:
    ncols = grid.ncols
    total_chars = LANDSCAPE_CHARS if grid.landscape else PORTRAIT_CHARS
    col_chars = [w * total_chars / sum(grid.widths) for w in grid.widths]
    for index, chars in enumerate(col_chars, 1):
        ws.column_dimensions[get_column_letter(index)].width = round(chars, 1)

    row = 1
    if grid.heading:
        _merged_line(ws, row, ncols, grid.heading, BOLD, LEFT)
        row += 1
    _merged_line(ws, row, ncols, grid.title, TITLE_FONT, CENTER)
    row += 1
    if grid.subtitle:
        _merged_line(ws, row, ncols, grid.subtitle, FONT, CENTER)
        row += 1
    if grid.stamp:
        right = Alignment(horizontal="right", vertical="center", wrap_text=True)
        _merged_line(ws, row, ncols, grid.stamp, BOLD, right)
        row += 1
    if grid.caption_left or grid.caption_right:
        set_text(ws.cell(row, 1), grid.caption_left)
        set_text(ws.cell(row, ncols), grid.caption_right)
        ws.cell(row, ncols).alignment = RIGHT
        row += 1

    first_table_row = row
    title_rows: tuple[int, int] | None = None
    occupied: set[tuple[int, int]] = set()
    # (first row, rows spanned, text) of each vertical label, made tall enough at the end.
    vlabels: list[tuple[int, int, str]] = []
    for section in grid.sections:
        if section.head:
            title_rows = (row, row + len(section.head) - 1)
        for cells in [*section.head, *section.body]:
            col = 1
            lines = 1
            for cell in cells:
                while (row, col) in occupied:
                    col += 1
                target = ws.cell(row, col)
                if cell.number is not None:
                    target.value = cell.number
                    target.number_format = cell.fmt or "General"
                elif cell.kind == "value" and PLAIN_FIGURE.fullmatch(cell.text):
                    target.value = Decimal(cell.text)
                    target.number_format = figure_format(cell.text)
                else:
                    set_text(target, cell.text)
                target.font = BOLD if cell.kind == "head" else FONT
                target.alignment = ALIGN.get(cell.kind, LEFT)
                last_row, last_col = row + cell.rowspan - 1, col + cell.colspan - 1
                for r in range(row, last_row + 1):
                    for c in range(col, last_col + 1):
                        occupied.add((r, c))
                        ws.cell(r, c).border = BORDER
                if last_row > row or last_col > col:
                    ws.merge_cells(
                        start_row=row, start_column=col, end_row=last_row, end_column=last_col
                    )
                if cell.kind == "vlabel" and cell.text:
                    vlabels.append((row, cell.rowspan, cell.text))
                if cell.rowspan == 1 and cell.kind != "vlabel" and cell.text:
                    width = sum(col_chars[col - 1 : last_col]) or 1
                    needed = sum(
                        max(1, math.ceil(_display_width(part) / max(width - 1, 1)))
                        for part in cell.text.split("\n")
                    )
                    lines = max(lines, needed)
                col = last_col + 1
            # Excel does not grow rows for wrapped text it did not lay out itself.
            ws.row_dimensions[row].height = max(18, 14 * lines + 4)
            row += 1
    for first, span, text in vlabels:
        _fit_vertical_label(ws, first, span, text)
    for line in grid.note.splitlines():  # one row a line: Excel grows no row for wrapped text
        set_text(ws.cell(row, 1), line)
        ws.cell(row, 1).alignment = LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        row += 1

    _fit_to_a4_width(ws, title_rows)
    ws.page_setup.orientation = "landscape" if grid.landscape else "portrait"
    # Scrolling keeps the column headings in view: frozen below the first header, or below
    # the title where the table opens with its header block (layouts A–D).
    if grid.sections and grid.sections[0].head and title_rows:
        ws.freeze_panes = ws.cell(title_rows[1] + 1, 1)
    else:
        ws.freeze_panes = ws.cell(first_table_row, 1)


# Points one stacked character of a vertical label takes at 10 pt, and the cell's padding.
VLABEL_CHAR_HEIGHT = 13
VLABEL_PADDING = 8


def vertical_label_height(text: str) -> int:
    return VLABEL_CHAR_HEIGHT * len(text.replace("\n", "")) + VLABEL_PADDING


def _fit_vertical_label(ws: Worksheet, first: int, span: int, text: str) -> None:
    """Grow the rows a vertical label (总体目标, 绩效指标) spans until its stacked characters
    fit: two rows of one line each clipped 「总体目标」 to 「总体」 in Excel and WPS."""
    rows = range(first, first + span)
    heights = [ws.row_dimensions[r].height or 18 for r in rows]
    missing = vertical_label_height(text) - sum(heights)
    if missing > 0:
        for r, height in zip(rows, heights, strict=True):
            ws.row_dimensions[r].height = height + math.ceil(missing / span)


def write_text_sheet(
    ws: Worksheet, title: str, lines: list[str], width: int = 90, *, prose: bool = False
) -> None:
    ws.column_dimensions["A"].width = width
    font, title_font = (PROSE_FONT, PROSE_TITLE_FONT) if prose else (FONT, TITLE_FONT)
    _merged_line(ws, 1, 1, title, title_font, CENTER)
    line_height = font.size + 4
    for index, line in enumerate(lines, 2):
        cell = ws.cell(index, 1)
        set_text(cell, line)
        cell.alignment = LEFT
        cell.font = font
        chars = (width - 2) * 10 / font.size
        ws.row_dimensions[index].height = max(
            18, line_height * math.ceil(_display_width(line) / chars) + 4
        )
    _fit_to_a4_width(ws, (1, 1))


def _notice_lines(body: NoticeBody) -> list[str]:
    lines = [body.doc_number, body.recipients, *body.paragraphs]
    for index, title in enumerate(body.attachment_titles, 1):
        lines.append(f"{'附件：' if index == 1 else '　　　'}{index}.{title}")
    lines += [body.issuer_name, body.signed_date]
    if body.copy_to:
        lines.append(f"抄送：{body.copy_to}")
    lines.append(f"{body.printed_by}　{body.printed_date}印发" if body.printed_date else "")
    return [line for line in lines if line]


def render_xlsx(document: Document) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    grids = document.grids
    index_sheet = None
    if len(grids) > 2 or any(not isinstance(p, Grid) for p in document.parts):
        index_sheet = wb.create_sheet("目录")
    index_rows: list[tuple[str, str]] = []
    for part in document.parts:
        if isinstance(part, Grid):
            ws = wb.create_sheet(_sheet_name(wb, part.sheet_name or part.title))
            write_grid(ws, part)
            index_rows.append((ws.title, part.heading or part.title))
        elif isinstance(part, NoticeBody):
            ws = wb.create_sheet(_sheet_name(wb, "通知"))
            write_text_sheet(ws, part.title, _notice_lines(part), prose=True)
            index_rows.append((ws.title, part.title))
        elif isinstance(part, Narrative):
            ws = wb.create_sheet(_sheet_name(wb, part.heading))
            lines = [part.stamp] if part.stamp else []
            for heading, paragraphs, _ in part.sections:
                lines += [heading, *paragraphs]
            write_text_sheet(ws, part.heading, lines)
            index_rows.append((ws.title, part.heading))
        elif isinstance(part, Cover):
            ws = wb.create_sheet(_sheet_name(wb, "封面"))
            lines = [
                part.title,
                "（草案）" if part.draft else "",
                part.compiled_by,
                part.reviewed_by,
            ]
            write_text_sheet(ws, part.organisation, [line for line in lines if line], prose=True)
            wb.move_sheet(ws, offset=-wb.index(ws))  # the cover opens the workbook
            index_rows.append((ws.title, "封面"))
        elif isinstance(part, PartTitle):
            ws = wb.create_sheet(_sheet_name(wb, f"{part.number} {part.text}"))
            write_text_sheet(ws, part.number, [part.text], prose=True)
            index_rows.append((ws.title, f"{part.number} {part.text}"))
        elif isinstance(part, Placeholder):
            ws = wb.create_sheet(_sheet_name(wb, part.heading))
            write_text_sheet(ws, part.title, [part.heading, part.text])
            index_rows.append((ws.title, part.title))
    if index_sheet is not None:
        index_sheet.column_dimensions["A"].width = 8
        index_sheet.column_dimensions["B"].width = 18
        index_sheet.column_dimensions["C"].width = 80
        set_text(index_sheet.cell(1, 1), document.title)
        index_sheet.cell(1, 1).font = TITLE_FONT
        index_sheet.merge_cells("A1:C1")
        for col, label in enumerate(["序号", "工作表", "内容"], 1):
            index_sheet.cell(2, col).value = label
            index_sheet.cell(2, col).font = BOLD
            index_sheet.cell(2, col).border = BORDER
        for number, (sheet, label) in enumerate(index_rows, 1):
            r = number + 2
            index_sheet.cell(r, 1).value = number
            link = index_sheet.cell(r, 2)
            set_text(link, sheet)
            link.hyperlink = f"#'{sheet}'!A1"
            set_text(index_sheet.cell(r, 3), label)
            for col in (1, 2, 3):
                index_sheet.cell(r, col).border = BORDER
                index_sheet.cell(r, col).alignment = LEFT
                index_sheet.cell(r, col).font = FONT
        _fit_to_a4_width(index_sheet, (2, 2))
        index_sheet.freeze_panes = "A3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
