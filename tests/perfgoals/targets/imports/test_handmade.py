"""Hand-made workbooks: the corpus's real provincial tables and the seeds' defects."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from perfgoals.targets.imports.services import parse_upload

from .builders import workbook

CORPUS = sorted(Path("tests/fixtures/corpus").glob("[0-9]*.json"))
KEYS = ("name", "value", "description", "basis")


def tree_of(nodes, keys=KEYS):
    return [
        {
            **{k: n.get(k, "") or "" for k in keys},
            "children": tree_of(n.get("children") or [], keys),
        }
        for n in nodes
    ]


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.get("children") or [])


def corpus_table(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "layout": data["layout"],
        "header": data["header"],
        "indicators": data["indicators"],
        "year": data["year"],
    }


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem[:12] for p in CORPUS])
def test_corpus_table_typed_by_hand_reads_back(path):
    table = corpus_table(path)
    six = any(n.get("description") or n.get("basis") for n in walk(table["indicators"]))
    parsed = parse_upload(workbook([table], six=six))
    assert len(parsed.tables) == 1, parsed.skipped
    got = parsed.tables[0]
    assert got.layout == table["layout"]
    assert got.year == table["year"]
    assert got.unrecognised == []
    assert tree_of(got.tree) == tree_of(table["indicators"])
    for name, value in table["header"].items():
        if name in ("title", "amount_unit"):
            continue
        have = got.header.get(name)
        if name.startswith("amount") or name.endswith("expenditure"):
            assert have == (Decimal(value) if value not in (None, "") else None), name
        else:
            assert (have or "") == (value or ""), name
