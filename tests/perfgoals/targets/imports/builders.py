"""Hand-made workbooks as bureaus type them: merged labels, blank rows and columns, codes in
brackets, the unit in the title, four- or six-column indicator blocks, 中期 beside 年度."""

from io import BytesIO

from openpyxl import Workbook

NAME_LABEL = {
    "project": "项目名称",
    "transfer": "专项名称",
    "department": "部门（单位）名称",
    "dept_project": "项目名称",
    "special_fund": "专项支出名称",
}
LABELS = {
    "project_code": "项目编码",
    "contact": "项目负责人及联系电话",
    "competent_department": "主管部门",
    "implementing_unit": "实施单位",
    "finance_department": "财政部门",
    "department_code": "部门（单位）编码",
    "department_duties": "部门职能职责概述",
    "project_source": "项目来源",
    "fund_purpose": "资金用途",
    "implementation_period": "项目起止时间",
    "project_attribute": "项目属性",
    "spending_direction": "支出方向",
    "output_description": "产出指标",
    "outcome_description": "效益指标",
}
AMOUNTS = [
    ("amount_total", "年度资金总额："),
    ("amount_fiscal", "其中：财政拨款"),
    ("amount_other", "其他资金"),
    ("amount_carryover", "上年结转"),
    ("amount_general_budget", "一般公共预算"),
    ("amount_government_fund", "政府性基金"),
    ("amount_state_capital", "国有资本经营预算"),
    ("amount_business_income", "事业收入"),
    ("basic_expenditure", "其中：基本支出"),
    ("project_expenditure", "项目支出"),
]


def put(ws, row, col, value, *, rows=1, cols=1):
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if rows > 1 or cols > 1:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1
        )


def leaves(node) -> int:
    children = node.get("children") or []
    return sum(leaves(c) for c in children) if children else 1


def write_table(
    ws,
    row,
    table,
    *,
    x=1,
    six=False,
    mid=False,
    unit_word="万元",
    merge=True,
    code_in_name="",
    blank_rows=True,
) -> int:
    """Write one table from row `row`, column `x`; return the next free row."""
    header = dict(table["header"])
    year = table.get("year", 2024)
    put(ws, row, x, f"{year}年度{header.get('title', '绩效目标表')}", cols=6)
    put(ws, row + 1, x + 5, f"单位：{unit_word}")
    row += 2
    name = header.pop("project_name", "")
    if code_in_name:
        name = f"[{code_in_name}]{name}"
    put(ws, row, x, NAME_LABEL[table["layout"]], cols=2)
    put(ws, row, x + 2, name, cols=4)
    row += 1
    if blank_rows:
        row += 1  # a stray blank row
    pairs = [(LABELS[k], v) for k, v in header.items() if k in LABELS and v]
    for index in range(0, len(pairs), 2):
        for offset, (label, value) in enumerate(pairs[index : index + 2]):
            put(ws, row, x + offset * 3, label)
            put(ws, row, x + offset * 3 + 1, value, cols=2)
        row += 1
    amounts = [(label, header[k]) for k, label in AMOUNTS if header.get(k) not in (None, "")]
    if amounts:
        put(ws, row, x, f"资金情况（{unit_word}）", rows=len(amounts) if merge else 1)
        for label, value in amounts:
            put(ws, row, x + 1, label, cols=2)
            put(ws, row, x + 3, value, cols=3)
            row += 1
    if header.get("period_goal"):
        put(ws, row, x, "总体目标", rows=2)
        put(ws, row, x + 1, "中期目标", cols=2)
        put(ws, row, x + 3, "年度目标", cols=3)
        put(ws, row + 1, x + 1, header["period_goal"], cols=2)
        put(ws, row + 1, x + 3, header.get("annual_goal", ""), cols=3)
        row += 2
    elif header.get("annual_goal"):
        put(ws, row, x, "年度目标", cols=2)
        put(ws, row, x + 2, header["annual_goal"], cols=4)
        row += 1
    if not table.get("indicators"):
        return row + 1
    tree = table["indicators"]
    has_sub = any(
        g.get("children")
        for a in tree
        for b in a.get("children", [])
        for g in b.get("children", [])
    )
    heads = ["一级指标", "二级指标", "三级指标"]
    col = x
    for head in heads:
        put(ws, row, col, head, cols=2 if head == "三级指标" and has_sub else 1)
        col += 2 if head == "三级指标" and has_sub else 1
    value_cols = {}
    if mid:
        value_cols["value_mid"] = col
        put(ws, row, col, "中期指标值")
        col += 1
    if six:
        value_cols["description"] = col
        put(ws, row, col, "绩效指标描述")
        col += 1
    value_cols["value"] = col
    put(ws, row, col, "年度指标值" if mid else "指标值")
    col += 1
    if six:
        value_cols["basis"] = col
        put(ws, row, col, "指标值确定依据")
    row += 1
    for l1 in tree:
        put(ws, row, x, l1["name"], rows=leaves(l1) if merge else 1)
        for l2 in l1.get("children") or [{"name": ""}]:
            put(ws, row, x + 1, l2["name"], rows=leaves(l2) if merge else 1)
            for l3 in l2.get("children") or []:
                subs = l3.get("children") or []
                if subs:
                    put(ws, row, x + 2, l3["name"], rows=len(subs) if merge else 1)
                    for sub in subs:
                        put(ws, row, x + 3, sub["name"])
                        for key, c in value_cols.items():
                            put(ws, row, c, sub.get(key, ""))
                        row += 1
                else:
                    put(ws, row, x + 2, l3["name"], cols=2 if has_sub else 1)
                    for key, c in value_cols.items():
                        put(ws, row, c, l3.get(key, ""))
                    row += 1
            if not l2.get("children"):
                row += 1
        if blank_rows and merge:
            row += 1  # a blank row between 一级 blocks
    return row + 1


def workbook(tables, *, per_sheet=False, **options) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    row = 2
    for index, table in enumerate(tables):
        if per_sheet and index:
            ws = wb.create_sheet(f"Sheet{index + 1}")
            row = 2
        row = write_table(ws, row, table, x=2, **options) + 2
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
