"""An allocation table's outputs computed from its inputs, in Decimal (the one arithmetic of
分配表: the editor, the checks, issuing, the record of an issued notice and the exports)."""

from dataclasses import dataclass, field
from decimal import Decimal

from allocations.models import AllocationCell, AllocationColumn, AllocationRow, AllocationTable
from perfgoals.money import from_yuan, to_yuan

__all__ = [
    "ComputedAllocation",
    "ComputedCell",
    "ComputedRow",
    "compute_allocation",
    "computed_allocation_of",
]


@dataclass
class ComputedCell:
    column: AllocationColumn
    count: int | None
    standard: Decimal | None
    amount_yuan: Decimal | None  # exact, in 元
    amount: Decimal | None  # in the table's unit: typed for sources, rounded for calculations


@dataclass
class ComputedRow:
    row: AllocationRow
    cells: list[ComputedCell] = field(default_factory=list)
    count_total: int = 0
    total_yuan: Decimal = Decimal(0)
    total: Decimal = Decimal(0)  # in the table's unit, by the stated rounding rule


@dataclass
class ComputedAllocation:
    table: AllocationTable
    columns: list[AllocationColumn]
    rows: list[ComputedRow]
    column_counts: list[int | None]
    column_amounts_yuan: list[Decimal | None]
    count_total: int
    total_yuan: Decimal
    total: Decimal


def compute_allocation(table: AllocationTable) -> ComputedAllocation:
    """Every output of an allocation table from its stored inputs, in Decimal.

    Calculation groups: amount (元) = count × standard, the standard being a typed figure or
    base × share (12元 × 4/(4+6) = 4.8元). Source columns hold amounts in the table's unit.
    Totals are added exactly in 元 and shown in the table's unit with ROUND_HALF_UP.
    """
    columns = list(
        table.columns.select_related("standard__region", "standard__paragraph__document").order_by(
            "position"
        )
    )
    rows = list(table.rows.order_by("position").prefetch_related("cells"))
    return computed_allocation_of(
        table,
        columns,
        [(row, {cell.column_id: cell for cell in row.cells.all()}) for row in rows],
    )


def computed_allocation_of(
    table: AllocationTable,
    columns: list[AllocationColumn],
    rows: list[tuple[AllocationRow, dict[int, AllocationCell]]],
) -> ComputedAllocation:
    """compute_allocation on rows already at hand (each with its cells by column id): the
    stored table, or one rebuilt from the record of an issued notice. No query."""
    computed_rows = []
    for row, by_column in rows:
        out = ComputedRow(row=row)
        for column in columns:
            cell = by_column.get(column.pk)
            count = cell.count if cell else None
            if column.kind == AllocationColumn.Kind.CALCULATION:
                standard = column.unit_standard
                amount_yuan = (
                    Decimal(count) * standard
                    if count is not None and standard is not None
                    else None
                )
                amount = from_yuan(amount_yuan, table.unit) if amount_yuan is not None else None
                out.count_total += count or 0
            else:
                standard = None
                amount = cell.amount if cell else None
                amount_yuan = to_yuan(amount, table.unit) if amount is not None else None
            out.cells.append(ComputedCell(column, count, standard, amount_yuan, amount))
            out.total_yuan += amount_yuan or 0
        out.total = from_yuan(out.total_yuan, table.unit)
        computed_rows.append(out)
    column_counts, column_amounts = [], []
    for index, column in enumerate(columns):
        cells = [r.cells[index] for r in computed_rows]
        is_calculation = column.kind == AllocationColumn.Kind.CALCULATION
        column_counts.append(sum(c.count or 0 for c in cells) if is_calculation else None)
        amounts = [c.amount_yuan for c in cells if c.amount_yuan is not None]
        column_amounts.append(sum(amounts, Decimal(0)) if amounts else None)
    total_yuan = sum((r.total_yuan for r in computed_rows), Decimal(0))
    return ComputedAllocation(
        table=table,
        columns=columns,
        rows=computed_rows,
        column_counts=column_counts,
        column_amounts_yuan=column_amounts,
        count_total=sum(r.count_total for r in computed_rows),
        total_yuan=total_yuan,
        total=from_yuan(total_yuan, table.unit),
    )
