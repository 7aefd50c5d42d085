"""An approved TableSnapshot read back as a table and its indicator rows.

The review workflow (perfgoals.targets.review) freezes a table on approval; the exports print
that frozen version while an adjustment (调整) of the table is in progress. Both features sit
above this module, so the rebuilding lives here, where the table model and the indicator rows
are both in reach, and is a pure function of the snapshot: no query.
"""

from decimal import Decimal

from django.db import models

from indicators.models import PerformanceIndicator
from perfgoals.models import TableSnapshot, TargetTable

__all__ = ["snapshot_rows"]

# Relations the snapshot keeps as ids but the rebuilt table must not follow (each would be a
# query, and the users may since have been deleted).
_TABLE_DROPPED = ("created_by_id", "updated_by_id")


def _decimals(obj: models.Model) -> None:
    """The snapshot stores amounts as text (JSON has no Decimal); give them back as Decimal."""
    for f in type(obj)._meta.concrete_fields:
        raw = getattr(obj, f.attname)
        if raw is not None and f.get_internal_type() == "DecimalField":
            setattr(obj, f.attname, Decimal(raw))


def snapshot_rows(snapshot: TableSnapshot) -> tuple[TargetTable, list[PerformanceIndicator]]:
    """The approved table and its rows rebuilt, unsaved, for printing: exports and the read
    view take them as they take live ones."""
    table = TargetTable(
        pk=snapshot.table_id,
        status=TargetTable.Status.APPROVED,
        version=snapshot.table_version,
        **{
            name: value
            for name, value in snapshot.data["table"].items()
            if name not in _TABLE_DROPPED
        },
    )
    _decimals(table)
    rows = []
    for data in snapshot.data["indicators"]:
        row = PerformanceIndicator(table_id=snapshot.table_id, **data)
        _decimals(row)
        rows.append(row)
    return table, rows
