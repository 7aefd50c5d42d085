"""The official table layouts (表样, DOMAIN.md §4), each declared once.

One LayoutSpec per layout names its header sections with the labels the official table prints,
which header fields must be filled (and how loudly), and which parts the table has (indicator
tree, the six-column tree, a spending plan). The editor form, the read view, the table checks
and the exports all read it, so a layout changes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from perfgoals.findings import Severity

E, W = Severity.ERROR, Severity.WARNING


class Layout(models.TextChoices):
    PROJECT = "project", _("项目支出绩效目标表")
    TRANSFER = "transfer", _("转移支付区域绩效目标表")
    DEPT_PROJECT = "dept_project", _("部门预算项目绩效目标表")
    DEPARTMENT = "department", _("部门整体支出绩效目标表")
    SPECIAL_FUND = "special_fund", _("专项资金支出方向绩效目标表")


@dataclass(frozen=True)
class Required:
    """A header field the table check asks for; `label` is the name its message uses where
    that differs from the printed label (e.g. 资金情况 for the transfer table's total)."""

    field: str
    severity: Severity
    label: str = ""
    # Other fields any one of which, filled, satisfies the requirement: a template with one
    # 预算单位 line names the unit once, for both 主管部门 and 实施单位.
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayoutSpec:
    layout: Layout
    # (section title, [(field, label as the official table prints it)]) in print order.
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    # In the order the check reports them.
    required: tuple[Required, ...]
    has_tree: bool = True
    # A tree the table may leave empty: a narrative department-wide table is complete without
    # one (seed 002 附件3-3, seed 004 part 1); the tree checks run once it has rows.
    tree_optional: bool = False
    # Optional indicator columns (INDICATOR_COLUMNS) the layout always prints; the others
    # print only when some row of the table fills them.
    indicator_columns: tuple[str, ...] = ()
    # 绩效指标描述 and 指标值确定依据 columns beside each 三级 indicator.
    six_columns: bool = False
    # 资金支出计划（%，累计）: 3月底 … 12月底, which must reach 100%.
    spending_plan: bool = False
    # Decimals the official table prints its amounts and shares with; None: the fewest that
    # keep the value, as typed (31800, 4.8). Seed 004's 部门预算 system prints 90100.00, 25.00.
    amount_places: int | None = None
    # Header fields whose label cell prints the table's own wording (printed_label).
    own_labels: tuple[str, ...] = ()

    @property
    def labels(self) -> dict[str, str]:
        return {name: label for _, fields in self.sections for name, label in fields}

    def indicator_columns_for(self, rows) -> list[tuple[str, str]]:
        """(field, label) of the optional indicator columns a table of this layout prints:
        those the layout declares and those any of `rows` fills, in INDICATOR_COLUMNS order."""
        rows = list(rows)
        return [
            (name, label)
            for name, label in INDICATOR_COLUMNS
            if name in self.indicator_columns or any(getattr(row, name, "") for row in rows)
        ]

    def required_fields(self) -> list[tuple[str, str, Severity, tuple[str, ...]]]:
        """(field, label, severity, alternatives) for the header check."""
        labels = self.labels
        return [
            (r.field, r.label or labels[r.field], r.severity, r.alternatives) for r in self.required
        ]


# Optional columns of an indicator row, after the ones every layout prints (名称, 指标值 and,
# for six-column tables, 绩效指标描述 and 指标值确定依据), with the labels templates print.
INDICATOR_COLUMNS = (
    # Templates with 中期 and 年度 columns: printed beside the value, which then reads 年度指标值.
    ("value_mid", "中期指标值"),
    ("symbol", "计算符号"),
    ("target", "目标值"),
    ("unit", "度量单位"),
    ("value_explanation", "指标值说明"),
    ("standard", "绩效标准"),
    ("scoring", "评（扣）分标准"),
)


def split_mid(columns: list[tuple[str, str]]) -> tuple[bool, list[tuple[str, str]]]:
    """Whether 中期指标值 is among `columns`, and the others. Templates print 中期 just before
    the value (中期 then 年度, left to right), the others after the row's last cell: exports
    and the editor place them alike."""
    return (
        any(name == "value_mid" for name, _ in columns),
        [(name, label) for name, label in columns if name != "value_mid"],
    )


# Header fields some provinces' templates have and the seeds do not: the read view and the
# exports print them only when filled, so a table that leaves them empty prints as before.
PRINTED_WHEN_FILLED = frozenset(
    {
        "project_source",
        "department_code",
        "department_duties",
        "amount_carryover",
        "amount_general_budget",
        "amount_government_fund",
        "amount_state_capital",
        "amount_business_income",
        "project_attribute",
    }
)
# Printed when filled in the layouts that share the field with another layout which always
# prints it (实施期 and 实施期目标 are lines of every 专项资金 table; 项目起止时间 and 中期目标
# of only some project tables).
PRINTED_WHEN_FILLED_IN = {
    "project": frozenset({"implementation_period", "period_goal"}),
    "dept_project": frozenset({"implementation_period", "period_goal"}),
}


def printed_when_filled(layout: str, name: str) -> bool:
    return name in PRINTED_WHEN_FILLED or name in PRINTED_WHEN_FILLED_IN.get(layout, ())


TITLE = ("title", "表名")
UNIT = ("amount_unit", "金额单位")
# The 资金情况 and 总体目标 blocks the project and transfer-payment tables print alike.
FUNDS = (
    "资金情况",
    (
        UNIT,
        ("amount_total", "年度资金总额"),
        ("amount_fiscal", "其中：财政拨款"),
        ("amount_other", "其他资金"),
    ),
)
OVERALL_GOAL = ("总体目标", (("annual_goal", "年度目标"),))
# Funds by source (资金来源); 其他资金 is amount_other, printed with the funds above.
SOURCES = (
    ("amount_general_budget", "一般公共预算"),
    ("amount_government_fund", "政府性基金"),
    ("amount_state_capital", "国有资本经营预算"),
    ("amount_business_income", "事业收入"),
)
PROJECT_SOURCES = ("资金来源", (("amount_carryover", "上年结转"), *SOURCES))
PROJECT_SOURCE = ("project_source", "项目来源")
# 项目属性 (新增/延续 …) and 项目起止时间 of provincial project templates. The period reuses
# implementation_period (the 专项资金 table's 实施期): the same fact, the span the money is
# spent over, so an importer or a copy need not choose between two fields.
PROJECT_ATTRIBUTE = ("project_attribute", "项目属性")
PROJECT_PERIOD = ("implementation_period", "项目起止时间")
# 中期目标 beside 年度目标 where a template has both; printed only when filled.
PROJECT_GOALS = ("总体目标", (("period_goal", "中期目标"), ("annual_goal", "年度目标")))

# The department-wide table as text (seed 004 part 1, 部门预算绩效文本): per part its numbered
# heading, the lead-in line the document repeats under it, and the field holding its
# paragraphs, in print order.
DEPARTMENT_NARRATIVE = (
    ("一、总体绩效目标", "总体绩效目标：", "annual_goal"),
    ("二、分项绩效目标", "分项绩效目标：", "sub_goals"),
    ("三、工作保障措施", "工作保障措施", "safeguards"),
)

LAYOUTS: dict[str, LayoutSpec] = {
    spec.layout: spec
    for spec in (
        LayoutSpec(
            Layout.PROJECT,
            sections=(
                (
                    "基本信息",
                    (
                        TITLE,
                        ("project_name", "项目名称"),
                        ("contact", "项目负责人及联系电话"),
                        ("competent_department", "主管部门"),
                        ("implementing_unit", "实施单位"),
                        PROJECT_SOURCE,
                        PROJECT_ATTRIBUTE,
                        PROJECT_PERIOD,
                    ),
                ),
                FUNDS,
                PROJECT_SOURCES,
                PROJECT_GOALS,
            ),
            # Only what every project template has: 项目负责人 is missing from many provincial
            # forms, and one 预算单位 line stands for both units.
            required=(
                Required("project_name", E),
                Required("amount_total", E),
                Required("competent_department", W, "主管部门或实施单位", ("implementing_unit",)),
                Required("annual_goal", W),
            ),
            own_labels=("project_name", "contact", "competent_department", "implementing_unit"),
        ),
        LayoutSpec(
            Layout.TRANSFER,
            sections=(
                (
                    "基本信息",
                    (
                        TITLE,
                        ("project_name", "专项名称"),
                        ("finance_department", "财政部门"),
                        ("competent_department", "主管部门"),
                    ),
                ),
                FUNDS,
                OVERALL_GOAL,
            ),
            required=(
                Required("project_name", E),
                Required("amount_total", E, "资金情况"),
                Required("competent_department", W),
                Required("finance_department", W),
                Required("annual_goal", W),
            ),
            own_labels=("project_name", "finance_department", "competent_department"),
        ),
        LayoutSpec(
            Layout.DEPT_PROJECT,
            sections=(
                (
                    "基本信息",
                    (
                        TITLE,
                        ("project_code", "项目编码"),
                        ("project_name", "项目名称"),
                        ("contact", "项目负责人及联系电话"),
                        PROJECT_SOURCE,
                        PROJECT_ATTRIBUTE,
                        PROJECT_PERIOD,
                    ),
                ),
                (
                    "预算规模及资金用途",
                    (
                        UNIT,
                        ("amount_total", "预算数"),
                        ("amount_fiscal", "其中：财政资金"),
                        ("amount_other", "其他资金"),
                        ("fund_purpose", "资金用途"),
                    ),
                ),
                PROJECT_SOURCES,
                (
                    "资金支出计划（%，累计）",
                    (
                        ("spend_by_mar", "3月底"),
                        ("spend_by_jun", "6月底"),
                        ("spend_by_oct", "10月底"),
                        ("spend_by_dec", "12月底"),
                    ),
                ),
                ("绩效目标", (("period_goal", "中期目标"), ("annual_goal", "绩效目标"))),
            ),
            required=(
                Required("project_name", E),
                Required("amount_total", E),
                Required("project_code", W),
                Required("fund_purpose", W),
                Required("annual_goal", W),
            ),
            six_columns=True,
            spending_plan=True,
            amount_places=2,
            own_labels=("project_code", "project_name"),
        ),
        LayoutSpec(
            Layout.DEPARTMENT,
            sections=(
                (
                    "基本信息",
                    (
                        TITLE,
                        ("project_name", "部门（单位）名称"),
                        ("department_code", "部门（单位）编码"),
                        ("department_duties", "部门职能职责概述"),
                    ),
                ),
                (
                    "年度预算申请资金",
                    (
                        UNIT,
                        ("amount_total", "资金总额"),
                        ("basic_expenditure", "基本支出"),
                        ("project_expenditure", "项目支出"),
                    ),
                ),
                ("资金来源", SOURCES),
                (
                    "整体绩效目标",
                    (
                        ("annual_goal", "整体绩效目标"),
                        ("output_description", "产出指标"),
                        ("outcome_description", "效益指标"),
                        ("sub_goals", "分项绩效目标"),
                        ("safeguards", "工作保障措施"),
                    ),
                ),
            ),
            # The department-wide table is often narrative only, and many provincial sheets
            # carry no funds block at all.
            required=(
                Required("project_name", E, "部门名称"),
                Required("annual_goal", W),
            ),
            # National and provincial templates carry 产出/效益/满意度 per duty; the seeds'
            # department tables are narrative and have none.
            tree_optional=True,
        ),
        LayoutSpec(
            Layout.SPECIAL_FUND,
            sections=(
                (
                    "基本信息",
                    (
                        TITLE,
                        ("project_name", "专项支出名称"),
                        ("spending_direction", "支出方向"),
                        ("competent_department", "主管部门"),
                        ("implementation_period", "实施期"),
                    ),
                ),
                ("资金情况", (UNIT, ("amount_total", "资金总额"))),
                (
                    "绩效目标",
                    (("period_goal", "实施期绩效目标"), ("annual_goal", "年度绩效目标")),
                ),
            ),
            required=(
                Required("project_name", E, "专项名称"),
                Required("amount_total", E, "支出方向年度金额"),
                Required("competent_department", W),
                Required("annual_goal", W),
            ),
        ),
    )
}

# Every header field some layout prints: the editor form's field list.
HEADER_FIELDS = sorted({name for spec in LAYOUTS.values() for name in spec.labels})


def layout_spec(layout: str) -> LayoutSpec:
    return LAYOUTS[layout]


# Header fields some layout prints in the table's own wording: what an import records.
OWN_LABEL_FIELDS = sorted({name for spec in LAYOUTS.values() for name in spec.own_labels})
# A transfer-payment table names the level that issues it: 州级财政部门, 省级主管部门 …
LEVEL_LABEL_FIELDS = {"finance_department", "competent_department"}
MAX_LABEL_LENGTH = 30


def level_word(region) -> str:
    """省级, 州级, 市级 or 县级: the word a regional table puts before its departments."""
    if region is None:
        return ""
    if region.level == 1:
        return "省级"
    if region.level == 2:
        return "州级" if region.name.endswith("州") else "市级"
    return "县级"


def printed_label(table, name: str, default: str = "") -> str:
    """The label `table` prints for header field `name`: its own document's wording where it
    has one, else `default` or its layout's (a transfer table's departments with its level)."""
    spec = layout_spec(table.layout)
    own = (table.printed_labels or {}).get(name) if name in spec.own_labels else None
    if own:
        return own
    label = default or spec.labels.get(name, "")
    if table.layout == Layout.TRANSFER and name in LEVEL_LABEL_FIELDS:
        organisation = getattr(table, "organisation", None)
        return level_word(organisation.region if organisation else None) + label
    return label
