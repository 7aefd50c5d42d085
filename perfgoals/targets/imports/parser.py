"""Find 绩效目标表 in a workbook's cells by their printed labels, never by fixed addresses.

Pure functions of `workbook.Sheet`: no database. A sheet may hold several tables (each starts
at a name label such as 项目名称, with its title rows above) or one; a table's header is read
label → value (to the right, else below), its indicator block from the row of 一级指标 on,
carrying merged (or left blank) 一级/二级/三级 cells down to the rows below.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from perfgoals.layouts import DEPARTMENT_NARRATIVE, OWN_LABEL_FIELDS, Layout
from perfgoals.targets.imports.labels import (
    _SPACES,
    AMOUNT_FIELDS,
    DEPARTMENT_FIELD_LABELS,
    IGNORED_LABELS,
    NAME_LABELS,
    PERCENT_FIELDS,
    SECTION_LABELS,
    field_for,
    head_role,
    norm,
)
from perfgoals.targets.imports.workbook import Sheet

TITLE_TEXT = re.compile(r"(绩效目标|申报表|目标表|绩效指标)")
UNIT_TEXT = re.compile(r"(?:金额)?单位[：:]\s*(万元|元)")
LABEL_UNIT = re.compile(r"^(.*?)（(万元|元)）$")
YEAR_TEXT = re.compile(r"(20\d\d)\s*年")
SUBTITLE = re.compile(r"^（?\s*20\d\d\s*年度?\s*）?$")
CODE_PREFIX = re.compile(r"^[\[【［]\s*([0-9A-Za-z.\-]+)\s*[\]】］]\s*(.+)$")
STOP_WORDS = ("注：", "注:", "填表", "备注", "说明：")
LEAF_KEYS = (
    "value",
    "value_mid",
    "description",
    "basis",
    "symbol",
    "target",
    "unit",
    "value_explanation",
    "standard",
    "scoring",
)
WIDE_FIXED = {
    "主管部门": "competent_department",
    "支出方向": "spending_direction",
    "所属专项名称": "project_name",
    "专项实施期": "implementation_period",
    "支出方向年度金额": "amount_total",
    "实施期绩效目标": "period_goal",
    "年度绩效目标": "annual_goal",
}
NARRATIVE_SECTIONS = {
    "部门职能职责概述": "department_duties",
    **{heading: field for heading, _, field in DEPARTMENT_NARRATIVE},
}
# The line repeating a part's heading under it belongs to the document, not to the text.
NARRATIVE_LEADS = {field: norm(lead) for _, lead, field in DEPARTMENT_NARRATIVE}


@dataclass
class ParsedTable:
    sheet: str
    ref: str  # where the table starts, e.g. Sheet1!A3
    layout: str
    header: dict[str, object] = field(default_factory=dict)
    tree: list[dict] = field(default_factory=list)
    year: int | None = None
    # (Sheet!A1, text) of every non-empty cell that was neither a label nor a value.
    unrecognised: list[tuple[str, str]] = field(default_factory=list)
    # Reasons the table cannot be saved, each naming its cell.
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The label each header field was found under, as typed (项目负责人及电话): the table
    # keeps the ones its layout words differently.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def has_mid_values(self) -> bool:
        return any(node.get("value_mid") for node in walk_nodes(self.tree))


@dataclass
class ParsedWorkbook:
    tables: list[ParsedTable]
    # Sheets without a table: (sheet, what is missing).
    skipped: list[tuple[str, str]] = field(default_factory=list)


def walk_nodes(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from walk_nodes(node.get("children", []))


def text_of(value) -> str:
    """A cell as the text a bureau typed: 100.0 → 100."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # 1.2345E+15 and 100.0 as a bureau typed them: 1234500000000000, 100.
        return (
            format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        )
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def parse_decimal(value) -> tuple[Decimal | None, str]:
    """(amount, unit word found after it) or (None, "") when it cannot be read; raises
    ValueError for text that is not a number."""
    if value is None:
        return None, ""
    if isinstance(value, (int, float, Decimal)):
        return Decimal(text_of(value)), ""
    text = str(value).replace(",", "").replace("，", "").replace(" ", "")
    unit = ""
    for word in ("万元", "元", "%", "％"):
        if text.endswith(word):
            text, unit = text[: -len(word)], word
            break
    if text in ("", "-", "—", "/", "无"):
        return None, unit
    try:
        return Decimal(text), unit
    except InvalidOperation as exc:
        raise ValueError(text) from exc


class _Reader:
    """One sheet's cells with the lookups the parser needs."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.cells = sheet.cells
        by_row: dict[int, list[int]] = {}
        for r, c in sheet.cells:
            by_row.setdefault(r, []).append(c)
        self._by_row = {r: sorted(cols) for r, cols in by_row.items()}
        self.rows = sorted(self._by_row)
        self.row_set = set(self.rows)
        self.max_col = max((c for _, c in sheet.cells), default=0)

    def text(self, r: int, c: int) -> str:
        return text_of(self.cells.get((r, c)))

    def label(self, r: int, c: int) -> str:
        return norm(self.cells.get((r, c)))

    def is_label(self, r: int, c: int) -> bool:
        lab = self.label(r, c)
        if not lab:
            return False
        base = LABEL_UNIT.sub(r"\1", lab)
        return (
            lab in NAME_LABELS
            or field_for(base) is not None
            or base in SECTION_LABELS
            or base in DEPARTMENT_FIELD_LABELS
            or head_role(lab) is not None
        )

    def end(self, r: int, c: int) -> tuple[int, int]:
        return self.sheet.merges.get((r, c), (r, c))

    def row_cells(self, r: int) -> list[int]:
        return self._by_row.get(r, [])

    def rows_between(self, first: int, last: int) -> list[int]:
        return self.rows[bisect_left(self.rows, first) : bisect_right(self.rows, last)]

    def right_value(self, r: int, c: int) -> tuple[int, int] | None:
        col = self.end(r, c)[1] + 1
        while col <= self.max_col:
            if (r, col) in self.cells:
                return None if self.is_label(r, col) else (r, col)
            col += 1
        return None

    def below_value(self, r: int, c: int) -> tuple[int, int] | None:
        below = self.end(r, c)[0] + 1
        if (below, c) in self.cells and not self.is_label(below, c):
            return (below, c)
        return None


def parse_sheets(sheets: list[Sheet]) -> ParsedWorkbook:
    result = ParsedWorkbook(tables=[])
    document_title = ""
    for sheet in sheets:
        if norm(sheet.cells.get((2, 1))) == "序号" and norm(sheet.cells.get((2, 2))) == "工作表":
            # The index sheet our own exports add: its title names the table.
            document_title = text_of(sheet.cells.get((1, 1)))
            continue
        if not sheet.cells:
            continue
        found, missing = _parse_sheet(sheet, document_title)
        result.tables.extend(found)
        if not found and not _continues_department(sheet, result.tables):
            result.skipped.append((sheet.name, missing))
    return result


def _continues_department(sheet: Sheet, tables: list[ParsedTable]) -> bool:
    """The 部门整体支出 export prints its 年度绩效指标 on a sheet after the declaration form,
    without the department's name label: read that block into the table before it."""
    if not tables or tables[-1].layout != Layout.DEPARTMENT or tables[-1].tree:
        return False
    reader = _Reader(sheet)
    head_row = next(
        (
            r
            for r in reader.rows
            if any(head_role(reader.label(r, c)) == "l1" for c in reader.row_cells(r))
        ),
        None,
    )
    if head_row is None:
        return False
    used = {(r, c) for r in reader.rows_between(1, head_row - 1) for c in reader.row_cells(r)}
    _read_tree(reader, tables[-1], head_row, reader.rows[-1], used)
    return True


def _parse_sheet(sheet: Sheet, document_title: str) -> tuple[list[ParsedTable], str]:
    reader = _Reader(sheet)
    wide = _find_wide_head(reader)
    if wide is not None:
        return _parse_wide(reader, wide), ""
    if reader.label(1, 1) in ("部门整体绩效目标", "部门整体支出绩效目标") or any(
        reader.label(r, 1) == "一、总体绩效目标" for r in reader.rows[:6]
    ):
        return [_parse_narrative(reader, document_title)], ""
    anchors = sorted(
        (r, c)
        for (r, c), value in sheet.cells.items()
        if norm(value) in NAME_LABELS and (r, c) not in sheet.covered
    )
    # One anchor per row: 项目名称 and 项目编码 share the first row of layout C.
    starts: list[tuple[int, int]] = []
    for r, c in anchors:
        if not starts or starts[-1][0] != r:
            starts.append((r, c))
    if not starts:
        has_head = any(head_role(norm(v)) == "l1" for v in sheet.cells.values())
        missing = "项目名称（或专项名称、部门（单位）名称）"
        if not has_head:
            missing += "、一级指标/二级指标/三级指标表头"
        return [], missing
    tables = []
    title_starts = [_title_start(reader, r, prev) for (r, _), prev in _with_prev(starts)]
    for index, (r, c) in enumerate(starts):
        top = title_starts[index]
        bottom = title_starts[index + 1] - 1 if index + 1 < len(starts) else reader.rows[-1]
        tables.append(_parse_table(reader, top, r, c, bottom))
    return tables, ""


def _with_prev(starts):
    prev = 0
    for start in starts:
        yield start, prev
        prev = start[0]


def _is_title_row(reader: _Reader, r: int) -> bool:
    cols = reader.row_cells(r)
    if not cols or len(cols) > 3 or any(reader.is_label(r, c) for c in cols):
        return False
    texts = [reader.text(r, c) for c in cols]
    return any(
        TITLE_TEXT.search(t) or UNIT_TEXT.search(t) or SUBTITLE.match(t) or t.startswith("已批准")
        for t in texts
    ) or (len(cols) == 2 and bool(UNIT_TEXT.search(texts[-1])))


def _title_start(reader: _Reader, anchor_row: int, prev_anchor: int) -> int:
    top = anchor_row
    r = anchor_row - 1
    while r > prev_anchor and anchor_row - r <= 6:
        if r not in reader.row_set:
            r -= 1
            continue
        if not _is_title_row(reader, r):
            break
        top = r
        r -= 1
    return top


def _parse_table(reader: _Reader, top: int, anchor_row: int, anchor_col: int, bottom: int):
    sheet = reader.sheet
    table = ParsedTable(
        sheet=sheet.name,
        ref=sheet.ref(anchor_row, anchor_col),
        layout=NAME_LABELS[reader.label(anchor_row, anchor_col)],
    )
    used: set[tuple[int, int]] = set()
    unit = ""
    for r in reader.rows_between(top, anchor_row - 1):
        for c in reader.row_cells(r):
            used.add((r, c))
            text = reader.text(r, c)
            if match := UNIT_TEXT.search(text):
                unit = match.group(1)
            elif TITLE_TEXT.search(text) and "title" not in table.header:
                table.header["title"] = text
            if match := YEAR_TEXT.search(text):
                table.year = table.year or int(match.group(1))
    head_row = next(
        (
            r
            for r in reader.rows_between(anchor_row, bottom)
            if any(head_role(reader.label(r, c)) == "l1" for c in reader.row_cells(r))
        ),
        None,
    )
    header_end = head_row - 1 if head_row else bottom
    layout_words = {
        reader.label(r, c)
        for r in reader.rows_between(anchor_row, header_end)
        for c in reader.row_cells(r)
    }
    if layout_words & {"项目编码", "预算数", "预算规模及资金用途", "资金支出计划（%）"}:
        table.layout = Layout.DEPT_PROJECT
    unit = _read_header(reader, table, anchor_row, header_end, used) or unit
    table.header["amount_unit"] = {"元": "yuan", "万元": "wan"}.get(
        unit or str(table.header.get("amount_unit") or ""), "wan"
    )
    if not unit and "amount_unit" not in table.header:
        table.notes.append("没有找到金额单位（单位：万元/元），按万元导入。")
    _convert_header(reader, table)
    if head_row is not None:
        _read_tree(reader, table, head_row, bottom, used)
    elif table.layout not in (Layout.DEPARTMENT,):
        table.problems.append(
            f"{sheet.ref(anchor_row, anchor_col)} 开始的表没有找到绩效指标表头"
            "（一级指标、二级指标、三级指标、指标值）。"
        )
    for r in reader.rows_between(anchor_row, (head_row or bottom + 1) - 1):
        for c in reader.row_cells(r):
            if (r, c) not in used:
                table.unrecognised.append((sheet.ref(r, c), reader.text(r, c)))
    return table


def _read_header(reader: _Reader, table: ParsedTable, first: int, last: int, used) -> str:
    """Fill table.header with raw cell values; return the unit word a label carried."""
    unit = ""
    positions: dict[str, tuple[int, int]] = {}
    for r in reader.rows_between(first, last):
        for c in reader.row_cells(r):
            if (r, c) in used or (r, c) in reader.sheet.covered:
                continue
            lab = reader.label(r, c)
            if match := LABEL_UNIT.match(lab):
                lab, unit = match.group(1), match.group(2)
            if lab in NAME_LABELS:
                name = "project_name"
            elif table.layout == Layout.DEPARTMENT and lab in DEPARTMENT_FIELD_LABELS:
                name = DEPARTMENT_FIELD_LABELS[lab]
            else:
                name = field_for(lab)
            if name is None and lab not in SECTION_LABELS:
                if match := UNIT_TEXT.search(reader.text(r, c)):
                    unit = match.group(1)
                    used.add((r, c))
                continue
            used.add((r, c))
            if lab in IGNORED_LABELS:
                right = reader.right_value(r, c)
                if right:
                    used.add(right)
                    table.notes.append(
                        f"{reader.sheet.ref(*right)} 的{lab}不导入（审核意见由财政填写）。"
                    )
                continue
            if name is None:
                # A section label; a few carry a value of their own in some templates.
                section_field = {"资金情况": "amount_total", "总体目标": "annual_goal"}.get(lab)
                if lab == "预算规模及资金用途":
                    end_row = reader.end(r, c)[0]
                    cols = [cc for cc in reader.row_cells(end_row) if (end_row, cc) not in used]
                    if end_row > r and cols and not reader.is_label(end_row, cols[0]):
                        positions.setdefault("fund_purpose", (end_row, cols[0]))
                        used.add((end_row, cols[0]))
                elif section_field and (right := reader.right_value(r, c)):
                    positions.setdefault(section_field, right)
                    used.add(right)
                continue
            if name in PERCENT_FIELDS:
                spot = reader.below_value(r, c)
            else:
                spot = reader.right_value(r, c) or reader.below_value(r, c)
            if spot is None:
                positions.setdefault(name, None)
                continue
            used.add(spot)
            if name in positions and positions[name] is not None:
                table.unrecognised.append(
                    (reader.sheet.ref(*spot), f"{reader.text(r, c)}：{reader.text(*spot)}")
                )
                continue
            positions[name] = spot
            if name in OWN_LABEL_FIELDS:
                table.labels[name] = _SPACES.sub("", reader.text(r, c)).rstrip("：:")
    for name, spot in positions.items():
        table.header[name] = None if spot is None else reader.cells[spot]
        table.header.setdefault("_cells", {})[name] = reader.sheet.ref(*spot) if spot else ""
    return unit


def _convert_header(reader: _Reader, table: ParsedTable) -> None:
    cells = table.header.pop("_cells", {})
    header = table.header
    for name in list(header):
        value = header[name]
        if name in AMOUNT_FIELDS or name in PERCENT_FIELDS:
            try:
                number, unit = parse_decimal(value)
            except ValueError:
                table.problems.append(
                    f"单元格 {cells.get(name)} 的“{text_of(value)}”不是可识别的数字。"
                )
                header[name] = None
                continue
            header[name] = number
            if unit in ("万元", "元") and name in AMOUNT_FIELDS:
                header["amount_unit"] = {"元": "yuan", "万元": "wan"}[unit]
        elif name == "amount_unit":
            continue
        else:
            header[name] = text_of(value)
    # [015001]武汉市青山区教育局: the code before a department's name.
    for name in ("project_name", "competent_department", "implementing_unit"):
        if name == "project_name" and table.layout != Layout.DEPARTMENT:
            continue
        match = CODE_PREFIX.match(str(header.get(name) or ""))
        if match:
            header[name] = match.group(2).strip()
            header.setdefault("department_code", f"[{match.group(1)}]")


def _head_roles(reader: _Reader, head_row: int) -> tuple[dict[int, str], int]:
    """Column → role from the head row (and a second head row under it); the first body row."""
    roles: dict[int, str] = {}
    levels_seen: dict[str, int] = {}
    for c in reader.row_cells(head_row):
        role = head_role(reader.label(head_row, c))
        if role is None:
            continue
        if role in ("l2", "l3") and role in levels_seen:
            # A second 二级/三级 block: the first one was the 中期 (long-term) block.
            for col, old in list(roles.items()):
                if col >= levels_seen["l2"] and old in ("l2", "l3", "value"):
                    roles[col] = {"l2": "l2_mid", "l3": "l3_mid", "value": "value_mid"}[old]
            levels_seen.pop("l3", None)
        levels_seen[role] = c
        roles[c] = role
        end_col = reader.end(head_row, c)[1]
        if role == "l3" and end_col > c:
            roles[c + 1] = "sub"
        if role == "description" and end_col > c:
            roles[c + 1] = "description_2"
    body = reader.end(head_row, min(roles) if roles else 1)[0] + 1
    second = head_row + 1
    sub_heads = {
        c: head_role(reader.label(second, c))
        for c in reader.row_cells(second)
        if head_role(reader.label(second, c))
    }
    # A second head row only when every cell in it is a head (中期/年度 under 指标值).
    if sub_heads and len(sub_heads) == len(reader.row_cells(second)):
        for c, role in sub_heads.items():
            if role == "value" and any(w in reader.label(second, c) for w in ("年度", "当年")):
                role = "value"
            roles[c] = role
        body = max(body, second + 1)
    return roles, body


def _read_tree(reader: _Reader, table: ParsedTable, head_row: int, bottom: int, used) -> None:
    sheet = reader.sheet
    roles, body_start = _head_roles(reader, head_row)
    for r in range(head_row, body_start):
        used.update((r, c) for c in reader.row_cells(r))
    by_role = {role: c for c, role in roles.items()}
    l1_col = by_role.get("l1", 1)
    cur: list[dict | None] = [None, None, None]

    def new(level: int, name: str) -> dict:
        node = {"name": name, "children": []}
        if level == 1:
            table.tree.append(node)
        else:
            parent = cur[level - 2]
            if parent is None:
                parent = new(level - 1, "")
                table.notes.append(
                    f"第{r}行的指标缺少上级指标，已补空的{'一二'[level - 2]}级指标。"
                )
            parent["children"].append(node)
        if level <= 3:
            cur[level - 1] = node
            for deeper in range(level, 3):
                cur[deeper] = None
        return node

    def cell(role: str) -> tuple[str, bool]:
        c = by_role.get(role)
        if c is None:
            return "", False
        return reader.text(r, c), (r, c) in sheet.covered

    for r in reader.rows_between(body_start, bottom):
        cols = reader.row_cells(r)
        if not cols:
            continue
        first_text = reader.text(r, cols[0])
        if norm(first_text) in IGNORED_LABELS or first_text.startswith(STOP_WORDS):
            break
        l1, _ = cell("l1")
        l2, _ = cell("l2")
        l3, l3_covered = cell("l3")
        sub, _ = cell("sub")
        description, _ = cell("description")
        description_2, _ = cell("description_2")
        desc_col = by_role.get("description")
        if desc_col and "description_2" in by_role and description_2:
            if reader.end(r, desc_col)[1] == desc_col:
                # Layout C with sub-items: the sub-item's name sits in the description's
                # first column, its description in the second.
                sub, description = description, description_2
        values = {key: cell(key)[0] for key in LEAF_KEYS if key != "description"}
        values["description"] = description
        has_values = any(values.values())
        if l1:
            new(1, l1)
        if l2:
            new(2, l2)
        leaf = None
        if l3:
            leaf = new(3, l3)
            if sub:
                leaf = _child(leaf, sub)
        elif sub or (has_values and l3_covered and cur[2] is not None):
            if cur[2] is None:
                leaf = new(3, sub)
            else:
                leaf = _child(cur[2], sub)
        elif has_values:
            leaf = new(3, "")
        for key, value in values.items():
            if value and leaf is not None:
                leaf[key] = value
        for c in cols:
            role = roles.get(c)
            if (r, c) in sheet.covered or (role and role not in ("l2_mid", "l3_mid")):
                continue
            text = reader.text(r, c)
            if c < l1_col and norm(text) in SECTION_LABELS | {"绩效目标", "年度绩效指标"}:
                continue
            if role in ("l2_mid", "l3_mid"):
                continue
            table.unrecognised.append((sheet.ref(r, c), text))
    for node in walk_nodes(table.tree):
        if not node["children"]:
            node.pop("children")


def _child(parent: dict, name: str) -> dict:
    node = {"name": name, "children": []}
    parent["children"].append(node)
    return node


# ---------------------------------------------------------------- layout E, the wide table


def _find_wide_head(reader: _Reader):
    for r in reader.rows[:15]:
        labels = {reader.label(r, c): c for c in reader.row_cells(r)}
        if "支出方向" in labels and "所属专项名称" in labels:
            return r, labels
    return None


def _parse_wide(reader: _Reader, found) -> list[ParsedTable]:
    head_row, labels = found
    sheet = reader.sheet
    fixed = {c: WIDE_FIXED[lab] for lab, c in labels.items() if lab in WIDE_FIXED}
    title, unit, year = "", "wan", None
    for r in reader.rows:
        if r >= head_row:
            break
        for c in reader.row_cells(r):
            text = reader.text(r, c)
            if match := UNIT_TEXT.search(text):
                unit = {"元": "yuan", "万元": "wan"}[match.group(1)]
            elif not title:
                title = text
            if match := YEAR_TEXT.search(text):
                year = year or int(match.group(1))
    # The 一级 row and the 二级 row under 绩效指标.
    l1_row, l2_row = head_row + 1, head_row + 2
    columns: dict[int, tuple[str, str]] = {}
    current_l1 = ""
    for c in range(max(fixed) + 1, reader.max_col + 1):
        if (l1_row, c) in reader.cells:
            current_l1 = reader.text(l1_row, c)
        l2 = reader.text(l2_row, c).replace("\n", "")
        if l2:
            columns[c] = (current_l1, l2)
    tables = []
    for r in reader.rows:
        if r <= l2_row:
            continue
        table = ParsedTable(sheet=sheet.name, ref=sheet.ref(r, 1), layout=Layout.SPECIAL_FUND)
        table.year = year
        table.header = {"title": title, "amount_unit": unit}
        for c, name in fixed.items():
            table.header[name] = reader.cells.get((r, c))
        table.header["_cells"] = {name: sheet.ref(r, c) for c, name in fixed.items()}
        _convert_header(reader, table)
        by_l1: dict[str, dict] = {}
        for c, (l1, l2) in columns.items():
            text = reader.text(r, c)
            if not text:
                continue
            node = by_l1.get(l1)
            if node is None:
                node = by_l1[l1] = {"name": l1, "children": []}
                table.tree.append(node)
            leaves = []
            for line in text.split("\n"):
                name, sep, value = line.partition("：")
                leaves.append(
                    {"name": name, "value": value} if sep else {"name": "", "value": line}
                )
            node["children"].append({"name": l2, "children": leaves})
        for c in reader.row_cells(r):
            if c not in fixed and c not in columns:
                table.unrecognised.append((sheet.ref(r, c), reader.text(r, c)))
        tables.append(table)
    return tables


# ---------------------------------------------------------------- layout D as paragraphs


def _parse_narrative(reader: _Reader, document_title: str) -> ParsedTable:
    sheet = reader.sheet
    table = ParsedTable(sheet=sheet.name, ref=sheet.ref(1, 1), layout=Layout.DEPARTMENT)
    name = document_title.removesuffix("绩效目标表")
    if name:
        table.header["project_name"] = name
    else:
        table.problems.append(f"工作表“{sheet.name}”没有找到部门（单位）名称。")
    field_name = None
    parts: dict[str, list[str]] = {}
    for r in reader.rows:
        if r == 1:
            continue
        text = reader.text(r, 1)
        if text in NARRATIVE_SECTIONS:
            field_name = NARRATIVE_SECTIONS[text]
            continue
        if text.startswith("部门（单位）编码："):
            table.header["department_code"] = text.split("：", 1)[1]
            continue
        if text.startswith("已批准"):
            continue
        if field_name is None:
            table.unrecognised.append((sheet.ref(r, 1), text))
            continue
        if field_name not in parts and norm(text) == NARRATIVE_LEADS.get(field_name):
            parts[field_name] = []
            continue
        parts.setdefault(field_name, []).append(text)
    for key, lines in parts.items():
        table.header[key] = "\n".join(lines)
    table.header["amount_unit"] = "wan"
    return table
