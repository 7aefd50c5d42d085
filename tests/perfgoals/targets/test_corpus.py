"""The checks measured on real published tables of other provinces and fields (issue 10,
item 8): no false error on any table, and precision/recall against the reviewed findings.

Set PERFGOALS_CORPUS_REPORT=<path> to write the per-rule table and the unmatched findings.
"""

import os
from pathlib import Path

import pytest

from tests.corpus import corpus_files, read, score_corpus, score_table

pytestmark = pytest.mark.django_db

PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.80


def test_the_corpus_has_the_tables_the_issue_asks_for():
    files = corpus_files()
    tables = [read(path) for path in files]
    assert len(files) >= 15
    assert sum(t["layout"] == "department" for t in tables) >= 3
    assert all(t["source"].startswith("http") for t in tables)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_no_false_error(path):
    score = score_table(path)
    assert score.unexpected_errors == []


def test_precision_and_recall_on_the_corpus():
    score = score_corpus()
    if target := os.environ.get("PERFGOALS_CORPUS_REPORT"):
        Path(target).write_text(score.report())
    assert score.precision >= PRECISION_FLOOR, score.report()
    assert score.recall >= RECALL_FLOOR, score.report()
