"""A target table frozen as data, and read back as a table and its indicator rows.

Two records freeze a table: the review (perfgoals.targets.review) on approval, as a
TableSnapshot, and issuing a notice (allocations.services.issuing), as the content of each
attached table at issue (NoticeAttachment.snapshot). Both sit above or beside the features
that print them, so taking the data and rebuilding the rows live here, where the table model
and the indicator rows are both in reach. One format, one writer, one reader: the exports and
the read view take the rebuilt table as they take a live one.
"""

from decimal import Decimal
from typing import Any

from django.db import models

from indicators.models import PerformanceIndicator
from perfgoals.models import TableSnapshot, TargetTable

__all__ = [
    "snapshot_data_rows",
    "snapshot_rows",
    "table_from_record",
    "table_record",
    "table_snapshot_data",
]

# Fields the data leaves out: identity, workflow bookkeeping and relations it cannot keep.
_TABLE_SKIP = {"id", "status", "version", "approved_snapshot", "created_at", "updated_at"}
_ROW_SKIP = {"table", "category"}
# Relations the data keeps as ids but the rebuilt table must not follow (each would be a
# query, and the users may since have been deleted).
_TABLE_DROPPED = ("created_by_id", "updated_by_id")


def _value(value: Any) -> Any:
    # JSON has no Decimal; amounts go in as text and come back through _decimals.
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_snapshot_data(table: TargetTable) -> dict[str, Any]:
    """The header and the whole indicator tree of `table` as it is now, as JSON-ready data
    ({"table": {field: value}, "indicators": [{field: value}, …]}). One query."""
    header = {
        f.attname: _value(getattr(table, f.attname))
        for f in TargetTable._meta.concrete_fields
        if f.name not in _TABLE_SKIP
    }
    rows = [
        {
            f.attname: _value(getattr(row, f.attname))
            for f in PerformanceIndicator._meta.concrete_fields
            if f.name not in _ROW_SKIP
        }
        for row in PerformanceIndicator.objects.filter(table=table).order_by("level", "pk")
    ]
    return {"table": header, "indicators": rows}


def _decimals(obj: models.Model) -> None:
    """The data stores amounts as text; give them back as Decimal."""
    for f in type(obj)._meta.concrete_fields:
        raw = getattr(obj, f.attname)
        if raw is not None and f.get_internal_type() == "DecimalField":
            setattr(obj, f.attname, Decimal(raw))


def snapshot_data_rows(
    data: dict[str, Any], *, table_id: int | None, status: str, version: int
) -> tuple[TargetTable, list[PerformanceIndicator]]:
    """The frozen table and its rows rebuilt, unsaved, for printing. No query."""
    table = TargetTable(
        pk=table_id,
        status=status,
        version=version,
        **{name: value for name, value in data["table"].items() if name not in _TABLE_DROPPED},
    )
    _decimals(table)
    rows = []
    for fields in data["indicators"]:
        row = PerformanceIndicator(**{**fields, "table_id": table_id})
        _decimals(row)
        rows.append(row)
    return table, rows


def snapshot_rows(snapshot: TableSnapshot) -> tuple[TargetTable, list[PerformanceIndicator]]:
    """The approved table and its rows rebuilt, unsaved, for printing."""
    return snapshot_data_rows(
        snapshot.data,
        table_id=snapshot.table_id,
        status=TargetTable.Status.APPROVED,
        version=snapshot.table_version,
    )


def table_record(table: TargetTable) -> dict[str, Any]:
    """What an issued notice keeps of an attached table: the version in force, i.e. the
    approved snapshot while an adjustment (调整) is under way, else the table as it is now,
    with the status and version it had. Reads `approved_snapshot` (select it with the table)."""
    snapshot = table.approved_snapshot if table.approved_snapshot_id else None
    if snapshot is not None and table.status != TargetTable.Status.APPROVED:
        return {
            "table_id": table.pk,
            "status": TargetTable.Status.APPROVED,
            "version": snapshot.table_version,
            **snapshot.data,
        }
    return {
        "table_id": table.pk,
        "status": table.status,
        "version": table.version,
        **table_snapshot_data(table),
    }


def table_from_record(record: dict[str, Any]) -> tuple[TargetTable, list[PerformanceIndicator]]:
    """A table_record read back, unsaved, for printing (the live table may since have been
    changed or deleted). No query."""
    return snapshot_data_rows(
        record, table_id=record["table_id"], status=record["status"], version=record["version"]
    )
