"""An allocation table frozen as data at issue, and read back as a computed table.

An issued notice prints its 分配表 as it was at issue. The inputs (counts, typed amounts) are
locked with the notice, but a standard chosen from the standards list (12元, 省:州市 = 4:6)
may change afterwards; the record therefore keeps each calculation group's standard as the
figure it was (4.8元), so the rebuilt table computes the same amounts with no standard at
all. The same JSON-ready style as indicators.snapshots: amounts as text.
"""

from decimal import Decimal
from typing import Any

from django.db import models

from allocations.computation import ComputedAllocation, computed_allocation_of
from allocations.models import AllocationCell, AllocationColumn, AllocationRow, AllocationTable

__all__ = ["allocation_from_snapshot", "allocation_snapshot_data"]

_SKIP = {"history"}


def _fields(obj: models.Model, *, skip: set[str] = frozenset()) -> dict[str, Any]:
    out = {}
    for f in type(obj)._meta.concrete_fields:
        if f.name in skip or f.name in _SKIP:
            continue
        value = getattr(obj, f.attname)
        out[f.attname] = str(value) if isinstance(value, Decimal) else value
    return out


def _decimals(obj: models.Model) -> models.Model:
    for f in type(obj)._meta.concrete_fields:
        raw = getattr(obj, f.attname)
        if raw is not None and f.get_internal_type() == "DecimalField":
            setattr(obj, f.attname, Decimal(raw))
    return obj


def allocation_snapshot_data(computed: ComputedAllocation) -> dict[str, Any]:
    """The table, its columns (each calculation group with the standard it paid), rows and
    cells, from a computed table: no query."""
    columns = []
    for column in computed.columns:
        data = _fields(column, skip={"standard"})
        if column.kind == AllocationColumn.Kind.CALCULATION:
            standard = column.unit_standard
            data["standard_amount"] = str(standard) if standard is not None else None
            data["standard_citation"] = column.standard_citation
        columns.append(data)
    return {
        "table": _fields(computed.table, skip={"notice"}),
        "columns": columns,
        "rows": [
            {
                "row": _fields(row.row),
                "cells": [
                    {"column_id": cell.column.pk, "count": cell.count, "amount": _text(cell)}
                    for cell in row.cells
                    if cell.count is not None or _text(cell) is not None
                ],
            }
            for row in computed.rows
        ],
    }


def _text(cell) -> str | None:
    # Only a source column's amount is typed; a calculation's is computed again.
    if cell.column.kind != AllocationColumn.Kind.SOURCE or cell.amount is None:
        return None
    return str(cell.amount)


def allocation_from_snapshot(data: dict[str, Any]) -> ComputedAllocation:
    """The frozen table computed again from its record, unsaved. No query."""
    table = _decimals(AllocationTable(**data["table"]))
    columns = []
    for fields in data["columns"]:
        fields = dict(fields)
        citation = fields.pop("standard_citation", "")
        column = _decimals(AllocationColumn(**fields))
        column.recorded_citation = citation
        columns.append(column)
    rows = []
    for item in data["rows"]:
        row = AllocationRow(**item["row"])
        cells = {
            cell["column_id"]: AllocationCell(
                row=row,
                column_id=cell["column_id"],
                count=cell["count"],
                amount=Decimal(cell["amount"]) if cell["amount"] is not None else None,
            )
            for cell in item["cells"]
        }
        rows.append((row, cells))
    return computed_allocation_of(table, columns, rows)
