"""The printed labels the importer recognises, normalised (no spaces, no trailing colon).

Labels come from perfgoals.layouts (what the product prints) and from the seeds' and the
corpus's hand-made tables (what bureaus type). A label maps to a TargetTable field; section
labels are known but carry no value of their own.
"""

import functools
import re

from perfgoals.layouts import Layout
from perfgoals.models import TargetTable

_SPACES = re.compile(r"[\s\u3000*＊]+")


@functools.lru_cache(maxsize=8192)  # the same labels recur in every table of a workbook
def norm(text: object) -> str:
    """一级 指标： → 一级指标; (元) → （元）."""
    if not isinstance(text, str):
        return ""
    text = _SPACES.sub("", text).replace("(", "（").replace(")", "）").replace(":", "：")
    return text.rstrip("：")


def strip_qizhong(label: str) -> str:
    return label.removeprefix("其中：").removeprefix("其中")


# Labels naming the table: where a table starts, and the layout they suggest.
NAME_LABELS = {
    "项目名称": Layout.PROJECT,
    "专项名称": Layout.TRANSFER,
    "专项资金名称": Layout.TRANSFER,
    "部门（单位）名称": Layout.DEPARTMENT,
    "部门名称": Layout.DEPARTMENT,
    "单位名称": Layout.DEPARTMENT,
    "专项支出名称": Layout.SPECIAL_FUND,
}

FIELD_LABELS = {
    "项目编码": "project_code",
    "项目代码": "project_code",
    "项目负责人及联系电话": "contact",
    "项目负责人及电话": "contact",
    "项目负责人": "contact",
    "主管部门": "competent_department",
    "州级主管部门": "competent_department",
    "项目主管部门": "competent_department",
    "主管部门及代码": "competent_department",
    "实施单位": "implementing_unit",
    "项目实施单位": "implementing_unit",
    "项目执行单位": "implementing_unit",
    "预算单位": "implementing_unit",
    "财政部门": "finance_department",
    "州级财政部门": "finance_department",
    "部门（单位）编码": "department_code",
    "部门编码": "department_code",
    "部门职能职责概述": "department_duties",
    "项目来源": "project_source",
    "金额单位": "amount_unit",
    "年度资金总额": "amount_total",
    "资金总额": "amount_total",
    "预算数": "amount_total",
    "支出方向年度金额": "amount_total",
    "财政拨款": "amount_fiscal",
    "财政资金": "amount_fiscal",
    "上级资金": "amount_fiscal",
    "其他资金": "amount_other",
    "上年结转": "amount_carryover",
    "一般公共预算": "amount_general_budget",
    "政府性基金": "amount_government_fund",
    "国有资本经营预算": "amount_state_capital",
    "事业收入": "amount_business_income",
    "基本支出": "basic_expenditure",
    "项目支出": "project_expenditure",
    "资金用途": "fund_purpose",
    "年度目标": "annual_goal",
    "年度绩效目标": "annual_goal",
    "绩效目标": "annual_goal",
    "整体绩效目标": "annual_goal",
    "中期目标": "period_goal",
    "实施期目标": "period_goal",
    "实施期绩效目标": "period_goal",
    "长期目标": "period_goal",
    "支出方向": "spending_direction",
    "实施期": "implementation_period",
    "专项实施期": "implementation_period",
    "项目起止时间": "implementation_period",
    "项目期限": "implementation_period",
    "项目期": "implementation_period",
    "项目属性": "project_attribute",
    "分项绩效目标": "sub_goals",
    "工作保障措施": "safeguards",
    "3月底": "spend_by_mar",
    "6月底": "spend_by_jun",
    "10月底": "spend_by_oct",
    "12月底": "spend_by_dec",
}
# Printed only by the department-wide declaration form, above any indicator block.
DEPARTMENT_FIELD_LABELS = {"产出指标": "output_description", "效益指标": "outcome_description"}

# Labels of a section or of something the import does not store (review opinions).
SECTION_LABELS = {
    "基本信息",
    "资金情况",
    "资金来源",
    "总体目标",
    "预算规模及资金用途",
    "资金支出计划（%）",
    "资金支出计划（%，累计）",
    "年度预算申请",
    "年度预算申请资金",
    "按支出性质分",
    "按资金来源分",
    "部门整体支出年度绩效指标",
    "绩效指标",
    "财政部门审核意见",
    "业务股室意见",
    "绩效股意见",
}
IGNORED_LABELS = {"财政部门审核意见", "业务股室意见", "绩效股意见"}

AMOUNT_FIELDS = frozenset(TargetTable.AMOUNT_FIELDS)
PERCENT_FIELDS = frozenset(TargetTable.SPENDING_PLAN_FIELDS)

# Indicator block heads → column role.
LEVEL_HEADS = {
    "一级指标": "l1",
    "一级目标": "l1",
    "二级指标": "l2",
    "三级指标": "l3",
    "指标内容": "l3",
    "指标名称": "l3",
}
COLUMN_HEADS = {
    "绩效指标描述": "description",
    "指标值确定依据": "basis",
    "计算符号": "symbol",
    "目标值": "target",
    "度量单位": "unit",
    "计量单位": "unit",
    "指标值说明": "value_explanation",
    "指标解释": "value_explanation",
    "绩效标准": "standard",
    "评（扣）分标准": "scoring",
    "评分标准": "scoring",
}
MID_WORDS = ("中期", "长期", "实施期", "实施周期")
ANNUAL_WORDS = ("年度", "当年")


def head_role(label: str) -> str | None:
    """The role of an indicator block's column head, by its normalised label."""
    base = re.sub(r"（.*?）", "", label)
    if base in LEVEL_HEADS:
        return LEVEL_HEADS[base]
    if label in COLUMN_HEADS:
        return COLUMN_HEADS[label]
    if base in COLUMN_HEADS:
        return COLUMN_HEADS[base]
    # 指标值, 年度指标值, 指标值（长期）, 指标值及单位 — not a cell that merely mentions 指标值.
    looks_like_value = base.endswith("指标值") or (base.startswith("指标值") and len(base) <= 8)
    if (
        looks_like_value
        and len(base) <= 10
        and not any(w in base for w in ("类型", "原因", "完成"))
    ):
        if any(w in label for w in MID_WORDS):
            return "value_mid"
        return "value"
    return None


def field_for(label: str) -> str | None:
    return FIELD_LABELS.get(label) or FIELD_LABELS.get(strip_qizhong(label))
