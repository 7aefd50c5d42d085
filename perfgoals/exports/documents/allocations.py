"""Allocation tables (分配表): the grid and its document."""

from allocations.selectors import ComputedAllocation, ComputedCell
from perfgoals.display import decimal_text, one_line, unit_label
from perfgoals.exports.documents import Document, safe_filename
from perfgoals.exports.grid import COUNT_FORMAT, Cell, Grid, Section, money_cell, number_cell
from perfgoals.money import from_yuan

# ---------------------------------------------------------------- allocation tables


def allocation_grid(computed: ComputedAllocation) -> Grid:
    """Seed 000 附件1 (calculation groups: count × standard = amount in 元) and seed 001 附件1
    (funding-source columns with 合计)."""
    table = computed.table
    unit = unit_label(table.unit)
    calcs = [c for c in computed.columns if c.kind == "calc"]
    head1: list[Cell] = [Cell(table.recipient_label, rowspan=2, kind="head")]
    head2: list[Cell] = []
    widths = [12.0]
    if calcs:
        head1.append(Cell(table.count_total_label or "人数合计", colspan=2, kind="head"))
        head2 += [
            Cell("经费测算数据", kind="head"),
            Cell(table.amount_total_label or f"经费合计（{unit}）", kind="head"),
        ]
        widths += [10, 10]
        for column in computed.columns:
            if column.kind == "calc":
                head1.append(Cell(column.label, colspan=3, kind="head"))
                head2 += [
                    Cell(column.count_label or "人数", kind="head"),
                    Cell(column.standard_label or "补助标准（元）", kind="head"),
                    Cell(column.amount_label or "金额（元）", kind="head"),
                ]
                widths += [10, 10, 11]
            else:
                head1.append(Cell(column.label, rowspan=2, kind="head"))
                widths.append(11)
    else:
        head1.append(Cell("金额", colspan=len(computed.columns), kind="head"))
        head2 += [Cell(column.label, kind="head") for column in computed.columns]
        head1.append(Cell(table.amount_total_label or "合计", rowspan=2, kind="head"))
        widths += [14] * len(computed.columns) + [14]

    def row_cells(label: str, cells, count_total, total) -> list[Cell]:
        out = [Cell(label, kind="label")]
        if calcs:
            out += [number_cell(count_total, COUNT_FORMAT), money_cell(total)]
        for cell in cells:
            if cell.column.kind == "calc":
                out += [
                    number_cell(cell.count, COUNT_FORMAT),
                    number_cell(cell.standard),
                    money_cell(cell.amount_yuan),
                ]
            else:
                out.append(money_cell(cell.amount))
        if not calcs:
            out.append(money_cell(total))
        return out

    body = [row_cells(r.row.label, r.cells, r.count_total, r.total) for r in computed.rows]
    if len(computed.rows) > 1:
        totals = []
        for index, column in enumerate(computed.columns):
            yuan = computed.column_amounts_yuan[index]
            shown = from_yuan(yuan, table.unit) if yuan is not None else None
            totals.append(ComputedCell(column, computed.column_counts[index], None, yuan, shown))
        body.append(row_cells("合计", totals, computed.count_total, computed.total))
    notes = []
    if table.envelope_amount is not None:
        notes.append(
            f"上级资金总额：{decimal_text(table.envelope_amount)}{unit_label(table.envelope_unit)}"
        )
    # The policy a standard comes from (seed 003's 三政办〔2019〕2号), once per paragraph.
    citations = dict.fromkeys(c.standard_citation for c in calcs if c.standard_citation)
    if citations:
        notes.append(f"补助标准依据：{'；'.join(citations)}")
    note = "\n".join(notes)
    return Grid(
        title=one_line(table.title),
        widths=widths,
        sections=[Section(head=[head1, head2] if head2 else [head1], body=body)],
        caption_right=f"单位：{unit}" if not calcs else "",
        note=note,
        landscape=len(widths) > 8,
        sheet_name="分配表",
    )


def allocation_document(computed: ComputedAllocation) -> Document:
    grid = allocation_grid(computed)
    return Document(title=grid.title, filename=safe_filename(grid.title), parts=[grid])
