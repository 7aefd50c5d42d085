"""Acknowledged warnings are stored by Finding.key; a refactor that changes a key silently
drops every acknowledgement. This pins every seed finding (code, row, field, message) and the
key's recipe, so a moved or reworded check fails here first.

Regenerate after an intended change of wording:
    PERFGOALS_UPDATE_SNAPSHOTS=1 pytest tests/test_finding_keys.py
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_tables

SNAPSHOT = Path(__file__).parent / "snapshots" / "seed_finding_keys.json"


def _seed_findings() -> list[dict]:
    tables = TargetTable.objects.order_by("pk")
    # Ids differ between databases and reloads; a row's rank in its table's creation order
    # does not.
    rank = {}
    for table_id in tables.values_list("pk", flat=True):
        ids = PerformanceIndicator.objects.filter(table_id=table_id).order_by("pk")
        rank.update({pk: n for n, pk in enumerate(ids.values_list("pk", flat=True))})
    rows = []
    for table in tables.select_related("organisation"):
        for finding in check_tables(TargetTable.objects.filter(pk=table.pk))[table.pk]:
            raw = f"{finding.code}|{finding.indicator_id or ''}|{finding.field}|{finding.message}"
            assert finding.key == hashlib.sha256(raw.encode()).hexdigest()
            rows.append(
                {
                    "table": f"{table.organisation.name}|{table.year}|{table.title}",
                    "row": None if finding.indicator_id is None else rank[finding.indicator_id],
                    "code": finding.code,
                    "severity": str(finding.severity),
                    "field": finding.field,
                    "message": finding.message,
                }
            )
    return rows


@pytest.mark.django_db
def test_seed_finding_keys_are_unchanged(demo):
    rows = _seed_findings()
    if os.environ.get("PERFGOALS_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    assert rows == json.loads(SNAPSHOT.read_text())
