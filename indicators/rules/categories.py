"""Category rules: names, placement, the framework generation, required categories."""

from __future__ import annotations

from indicators.framework import is_cost_name, normalise_category_name
from indicators.models import PerformanceIndicator
from indicators.rules.base import E, Row, RuleBase, W, in_satisfaction_block, is_satisfaction
from indicators.rules.vocabulary import COST, OUTCOME, OUTPUT, SATISFACTION


class CategoryRules(RuleBase):
    def infer_generation(self) -> str:
        """ "2021" when 成本指标 is a 一级, "2015" when a cost 二级 sits under another 一级."""
        for node in self.tree:
            if normalise_category_name(node.indicator.name) and is_cost_name(node.indicator.name):
                return "2021"
        for node in self.tree:
            if any(is_cost_name(child.indicator.name) for child in node.children):
                return "2015"
        return ""

    def annotate(self) -> list[Row]:
        rows: list[Row] = []
        fw = self.framework

        def visit(nodes, first, second, first_cat, second_cat, parent_label, parent):
            for index, node in enumerate(nodes, 1):
                row = node.indicator
                name = row.name.strip()
                label = name or f"{parent_label}下第{index}项"
                f, s, fc, sc = first, second, first_cat, second_cat
                if row.level == 1:
                    f, fc = row, fw.resolve(self.generation, 1, name)
                    s, sc = None, None
                elif row.level == 2:
                    s, sc = row, fw.resolve(self.generation, 2, name)
                    if sc is not None and fc is None:
                        # An unknown 一级 (履职效能 …) takes the 一级 its 二级 belongs to.
                        fc = fw.parent_of(sc)
                    elif sc is None and fc is not None:
                        # An unknown 二级 under a 一级 with a single 二级 (满意度) is that one.
                        only = fw.children_of(fc)
                        sc = only[0] if len(only) == 1 else None
                info = Row(node, len(rows), label, f, s, fc, sc, parent)
                rows.append(info)
                visit(node.children, f, s, fc, sc, name or label, info)

        visit(self.tree, None, None, None, None, "指标表", None)
        return rows

    def _gen_label(self, generation: str) -> str:
        return f"{generation}版指标体系"

    def check_categories(self, rows: list[Row]) -> None:
        fw = self.framework
        for info in rows:
            row = info.row
            if row.level not in (1, 2):
                continue
            name = row.name.strip()
            level_label = "一级指标" if row.level == 1 else "二级指标"
            if not normalise_category_name(name):
                self.at(info, "unknown_category", E, f"{level_label}名称为空。")
                continue
            own = fw.resolve(self.generation, row.level, name)
            if own is None:
                other = fw.resolve(self.other_generation, row.level, name)
                if other is not None and self.chosen:
                    # Only a generation the bureau chose can disagree with the tree.
                    self.at(
                        info,
                        "placement",
                        W,
                        f"表头选择的是{self._gen_label(self.generation)}，其中没有{level_label}"
                        f"“{name}”（{self._gen_label(self.other_generation)}中有）；"
                        "请核对表头的指标体系版本。",
                    )
                elif other is None and (row.level == 1 or info.first_cat is not None):
                    self.at(
                        info,
                        "unknown_category",
                        W,
                        f"“{name}”不是指标体系中的{level_label}名称，无法判断其类别，"
                        f"请核对（可选：{self._allowed(row.level, info)}）。",
                    )
                continue
            if row.level == 2 and info.first is not None:
                first_cat = fw.resolve(self.generation, 1, info.first.name)
                if first_cat is None or own.parent_id == first_cat.pk:
                    continue
                if (
                    own.parent_id
                    and fw.parent_of(own).name == SATISFACTION
                    and (first_cat.name == OUTCOME)
                ):
                    continue  # 2015 national layout: 满意度 as a 二级 of 效益指标
                proper = fw.parent_of(own)
                if proper is not None and proper.name == COST and self.chosen:
                    message = (
                        f"表头选择的是{self._gen_label(self.generation)}，其中成本指标为一级指标，"
                        f"“{name}”不应放在{first_cat.name}下；请移到成本指标下，"
                        "或核对表头的指标体系版本。"
                    )
                else:
                    message = (
                        f"“{name}”应属于{proper.name if proper else '其他一级指标'}，"
                        f"不应放在{first_cat.name}下。"
                    )
                self._report_down(info, rows, "placement", message)

    def _allowed(self, level: int, info: Row) -> str:
        fw = self.framework
        if level == 2 and info.first_cat is not None:
            return "、".join(c.name for c in fw.children_of(info.first_cat))
        return "、".join(
            c.name
            for (g, lvl), names in fw.lookup.items()
            if g == self.generation and lvl == level
            for c in dict.fromkeys(names.values())
        )

    def _report_down(self, info: Row, rows: list[Row], code: str, message: str) -> None:
        """Report on each 三级 under a misplaced 二级 (that is what staff fix), else on it."""
        children = [r for r in rows if r.second is info.row and r.row.level == 3]
        if not children:
            self.at(info, code, W, message)
        for child in children:
            self.at(child, code, W, message)

    def _kind(self, info: Row, satisfaction_block: bool) -> str:
        """The 一级 a 三级 counts for, wherever the template files it. A satisfaction measure
        filed under 效益 counts as satisfaction, unless the table has a satisfaction block
        beside it: then it is misplaced (reported once) and counts where it was filed."""
        if is_satisfaction(info) and (in_satisfaction_block(info) or not satisfaction_block):
            return SATISFACTION
        if info.second_cat is not None and is_cost_name(info.second_cat.name):
            return COST
        return info.first_cat.name if info.first_cat is not None else ""

    def check_required(self, rows: list[Row]) -> None:
        block = any(is_satisfaction(i) and in_satisfaction_block(i) for i in rows)
        present = {self._kind(info, block) for info in rows if info.row.level == 3}
        required = [OUTPUT, OUTCOME, SATISFACTION]
        if self.chosen == "2021":
            # Only a bureau that chose the 2021 framework is held to its 成本 block: many
            # provinces' 2022+ templates have none.
            required.append(COST)
        first_rows: dict[str, PerformanceIndicator] = {}
        for info in rows:
            if info.row.level == 1 and info.first_cat is not None:
                first_rows.setdefault(info.first_cat.name, info.row)
        for name in required:
            if name in present:
                continue
            row = first_rows.get(name)
            self.header(
                "required_category",
                W,
                f"缺少{name}：每张绩效目标表至少应有一个{name}下的三级指标。",
                indicator_id=row.pk if row is not None else None,
            )

    def check_satisfaction_placement(self, rows: list[Row]) -> None:
        """A satisfaction measure filed as 社会效益 beside the table's own satisfaction block."""
        leaves = [i for i in rows if i.row.level == 3 and not i.node.children]
        inside = [i for i in leaves if is_satisfaction(i) and in_satisfaction_block(i)]
        if not inside:
            return
        for info in leaves:
            if is_satisfaction(info) and not in_satisfaction_block(info):
                self.at(
                    info,
                    "satisfaction_misplaced",
                    W,
                    f"满意度指标放在了{info.first.name.strip() if info.first else '其他指标'}下，"
                    f"而表中已有满意度指标“{inside[0].label}”；请移到满意度指标下或删去重复项。",
                )
