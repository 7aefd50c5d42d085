"""The measurement corpus (issue 10, item 8): real published 绩效目标表 of other provinces and
fields, transcribed verbatim into tests/fixtures/corpus/*.json with a reviewed list of the
findings a finance reviewer expects (see tests/fixtures/corpus/README.md).

This module loads one file into a saved TargetTable and scores the checks' findings against
the reviewed list, matching by (rule code, row name); a finding with no indicator has the row
name "".
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import models

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.findings import Finding, Severity
from perfgoals.models import TargetTable
from perfgoals.targets.checks import check_table
from tests.factories import OrganisationFactory, TargetTableFactory

CORPUS_DIR = Path(__file__).parent / "fixtures" / "corpus"


def corpus_dir() -> Path:
    """The directory PERFGOALS_CORPUS_DIR names (a new held-out set), else CORPUS_DIR."""
    return Path(os.environ.get("PERFGOALS_CORPUS_DIR") or CORPUS_DIR)


def corpus_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or corpus_dir()).glob("[0-9][0-9]_*.json"))


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def _table_fields() -> dict[str, models.Field]:
    return {f.name: f for f in TargetTable._meta.concrete_fields}


def load_table(path: Path, organisation=None) -> tuple[TargetTable, dict]:
    """Save the file's table and tree as a bureau would have entered them.

    Header keys that are TargetTable fields are loaded whatever they are, so a field the model
    gains later is picked up without touching this loader; other keys are ignored.
    """
    data = read(path)
    fields = _table_fields()
    values: dict = {}
    for name, raw in data["header"].items():
        model_field = fields.get(name)
        if model_field is None:
            continue
        if isinstance(model_field, models.DecimalField):
            values[name] = None if raw in ("", None) else Decimal(str(raw))
        else:
            values[name] = raw
    organisation = organisation or OrganisationFactory()
    # The factory's sample amounts must not leak into a table that prints none.
    values = {"amount_total": None, "amount_fiscal": None, "amount_other": None, **values}
    table = TargetTableFactory(
        organisation=organisation, layout=data["layout"], year=data["year"], **values
    )
    if data["indicators"]:
        indicator_tree_create(table=table, nodes=data["indicators"])
    return table, data


def row_name(finding: Finding, names: dict[int, str]) -> str:
    return names.get(finding.indicator_id, "") if finding.indicator_id else ""


@dataclass
class TableScore:
    file: str
    emitted: list[tuple[str, str, str]] = field(default_factory=list)  # (code, row, severity)
    true_positives: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)
    false_negatives: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def unexpected_errors(self) -> list[tuple[str, str, str]]:
        return [f for f in self.false_positives if f[2] == Severity.ERROR]


def score_table(path: Path, organisation=None) -> TableScore:
    table, data = load_table(path, organisation)
    names = dict(PerformanceIndicator.objects.filter(table=table).values_list("pk", "name"))
    findings = check_table(table)
    result = TableScore(file=path.name)
    expected = Counter((e["code"], e["row"]) for e in data["expected"])
    ignore = {(i["code"], i["row"]) for i in data.get("ignore", [])}
    for finding in findings:
        key = (finding.code, row_name(finding, names))
        emitted = (*key, str(finding.severity))
        if key in ignore:
            result.ignored.append(emitted)
            continue
        result.emitted.append(emitted)
        if expected[key] > 0:
            expected[key] -= 1
            result.true_positives.append(emitted)
        else:
            result.false_positives.append(emitted)
    result.false_negatives = [key for key, left in expected.items() for _ in range(left)]
    return result


@dataclass
class CorpusScore:
    tables: list[TableScore]

    def count(self, attr: str, code: str | None = None) -> int:
        return sum(1 for t in self.tables for f in getattr(t, attr) if code in (None, f[0]))

    @property
    def expected_total(self) -> int:
        return self.count("true_positives") + self.count("false_negatives")

    @property
    def precision(self) -> float:
        emitted = self.count("emitted")
        return self.count("true_positives") / emitted if emitted else 1.0

    @property
    def recall(self) -> float:
        expected = self.expected_total
        return self.count("true_positives") / expected if expected else 1.0

    def report(self) -> str:
        codes = sorted(
            {f[0] for t in self.tables for f in t.emitted}
            | {f[0] for t in self.tables for f in t.false_negatives}
        )
        lines = [
            "# Corpus report",
            "",
            f"tables {len(self.tables)}; emitted {self.count('emitted')}; "
            f"true positives {self.count('true_positives')}; "
            f"false positives {self.count('false_positives')} "
            f"(errors {sum(len(t.unexpected_errors) for t in self.tables)}); "
            f"false negatives {self.count('false_negatives')}; "
            f"precision {self.precision:.2f}; recall {self.recall:.2f}",
            "",
            "| code | emitted | TP | FP (of which errors) | FN | precision | recall |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for code in codes:
            emitted = self.count("emitted", code)
            tp = self.count("true_positives", code)
            fp = self.count("false_positives", code)
            fp_err = sum(1 for t in self.tables for f in t.unexpected_errors if f[0] == code)
            fn = self.count("false_negatives", code)
            precision = f"{tp / emitted:.2f}" if emitted else "-"
            recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
            lines.append(
                f"| {code} | {emitted} | {tp} | {fp} ({fp_err}) | {fn} | {precision} | {recall} |"
            )
        lines += ["", "## Unmatched findings per table", ""]
        for t in self.tables:
            if not (t.false_positives or t.false_negatives):
                continue
            lines.append(f"### {t.file}")
            for code, row, severity in t.false_positives:
                mark = " **ERROR**" if severity == Severity.ERROR else ""
                lines.append(f"- false positive{mark}: {code} · {row or '(table)'}")
            for code, row in t.false_negatives:
                lines.append(f"- missed: {code} · {row or '(table)'}")
            lines.append("")
        return "\n".join(lines) + "\n"


def score_corpus(directory: Path | None = None) -> CorpusScore:
    organisation = OrganisationFactory()
    return CorpusScore(tables=[score_table(path, organisation) for path in corpus_files(directory)])
