"""Wording rules: descriptions, duplicates, boilerplate."""

from __future__ import annotations

from indicators.library import clean_indicator_name
from indicators.names import without_remark
from indicators.rules.base import E, Row, RuleBase, W, compact_text
from indicators.rules.vocabulary import BOILERPLATE_MINIMUM_ROWS, MEASURE_MARKERS, MEASURES


class WordingRules(RuleBase):
    def check_description(self, info: Row) -> None:
        name = without_remark(info.name)
        description = info.row.description
        measure = next(
            (m for m, name_words, _ in MEASURES if any(w in name for w in name_words)), None
        )
        if measure is None:
            return
        own_words = next(words for m, _, words in MEASURES if m == measure)
        if any(word in description for word in own_words):
            return
        others = [
            m
            for m, markers in MEASURE_MARKERS.items()
            if m != measure and any(word in description for word in markers)
        ]
        if others:
            self.at(
                info,
                "description_mismatch",
                W,
                f"绩效指标描述“{description.strip()}”说的像是{'、'.join(others)}方面的指标，"
                "与指标名称不符，请核对描述是否填错行。",
                field="description",
            )

    def check_duplicates(self, rows: list[Row]) -> None:
        seen: dict[tuple, Row] = {}
        for info in rows:
            row = info.row
            if row.level < 3 or not row.name.strip():
                continue
            name = clean_indicator_name(row.name)
            # Sub-items repeat across 三级 (低保对象 under two counts): compare among siblings.
            scope = info.parent.order if row.level == 4 and info.parent else None
            key = (row.level, name, scope)
            first = seen.get(key)
            if first is None:
                seen[key] = info
                continue
            same_parent = first.second is info.second
            self.at(
                info,
                "duplicate",
                E if same_parent else W,
                f"与“{first.label}”重复（同一张表中三级指标不应重复）。"
                if same_parent
                else f"与“{first.label}”同名，但分属不同的二级指标，请确认是否重复。",
            )

    def check_boilerplate(self, rows: list[Row]) -> None:
        """One 指标值确定依据 / 指标值说明 text on every row says nothing about any of them."""
        leaves = [i.row for i in rows if i.row.level >= 3 and not i.node.children]
        if len(leaves) < BOILERPLATE_MINIMUM_ROWS:
            return
        reported: set[str] = set()
        for field, label in (("basis", "指标值确定依据"), ("value_explanation", "指标值说明")):
            texts = {compact_text(getattr(row, field, "")) for row in leaves}
            if len(texts) == 1 and "" not in texts and not texts & reported:
                reported |= texts  # the same sentence in both columns is one fact
                self.header(
                    "basis_boilerplate",
                    W,
                    f"{len(leaves)}个指标的{label}都是“{getattr(leaves[0], field).strip()}”，"
                    "请逐项写明每个指标值的确定依据（政策文件、历史数据、计划标准等）。",
                    field=field,
                )
