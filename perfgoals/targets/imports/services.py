"""Preview (check the parsed tables as unsaved rows) and the all-or-nothing save."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.findings import Finding
from perfgoals.layouts import HEADER_FIELDS, layout_spec, printed_label
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.services import history_user, target_table_create_draft
from perfgoals.targets.checks import check_unsaved_tables
from perfgoals.targets.imports import workbook
from perfgoals.targets.imports.labels import norm
from perfgoals.targets.imports.parser import ParsedTable, ParsedWorkbook, parse_sheets, walk_nodes
from perfgoals.targets.imports.workbook import ImportRefused, read_workbook

# A parsed node's texts, by row field; a branch (一级/二级) has no value of its own.
BRANCH_TEXTS = ("name", "description", "basis", "value_explanation", "standard", "scoring")
ROW_TEXTS = (*BRANCH_TEXTS, "value_text", "symbol", "target", "unit")
# Header fields a table may carry beyond the printed ones (the spending plan).
EXTRA_FIELDS = ("spend_by_mar", "spend_by_jun", "spend_by_oct", "spend_by_dec")


@dataclass
class TablePreview:
    parsed: ParsedTable
    table: TargetTable  # unsaved
    rows: list[PerformanceIndicator]  # unsaved, parents as objects
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # blocking: parse problems, field errors

    @property
    def savable(self) -> bool:
        return not self.errors


def parse_upload(data: bytes) -> ParsedWorkbook:
    """Refuse (ImportRefused) or parse; no database."""
    parsed = parse_sheets(read_workbook(data))
    if len(parsed.tables) > workbook.MAX_TABLES:
        raise ImportRefused(
            f"工作簿中有 {len(parsed.tables)} 张表，一次最多导入 {workbook.MAX_TABLES} 张。"
            "请把工作簿拆成几个文件分别导入。"
        )
    return parsed


def _unsaved_table(parsed: ParsedTable, organisation: Organisation, year: int) -> TargetTable:
    table = TargetTable(
        layout=parsed.layout,
        organisation=organisation,
        year=parsed.year or year,
        status=TargetTable.Status.DRAFT,
    )
    for name, value in parsed.header.items():
        if name in HEADER_FIELDS or name in EXTRA_FIELDS:
            setattr(table, name, "" if value is None and name not in _nullable() else value)
    if not table.title:
        table.title = "绩效目标表"
    # Only the labels this table's document words otherwise than its layout prints them.
    table.printed_labels = {
        name: text
        for name, text in parsed.labels.items()
        if name in layout_spec(table.layout).own_labels
        and text
        and norm(text) != norm(printed_label(table, name))
    }
    return table


def _nullable() -> set[str]:
    return {f.name for f in TargetTable._meta.get_fields() if getattr(f, "null", False)}


def _unsaved_rows(table: TargetTable, nodes: list[dict]) -> list[PerformanceIndicator]:
    # Built from one prototype's field values, positionally: the keyword constructor looks up
    # every field's default for each of a workbook's tens of thousands of rows (half the
    # preview's cost before this).
    fields = [f.attname for f in PerformanceIndicator._meta.concrete_fields]
    prototype = [getattr(PerformanceIndicator(), name) for name in fields]
    slots = {name: fields.index(name) for name in fields}
    rows: list[PerformanceIndicator] = []

    def add(items, parent, level):
        for position, node in enumerate(items, 1):
            leaf = level >= 3
            values = prototype.copy()
            values[slots["level"]] = level
            values[slots["position"]] = position
            for name in ROW_TEXTS if leaf else BRANCH_TEXTS:
                values[slots[name]] = node.get("value" if name == "value_text" else name, "")
            row = PerformanceIndicator(*values)
            row.table = table
            row.parent = parent
            row.refresh_parsed_value()
            rows.append(row)
            add(node.get("children", []), row, level + 1)

    add(nodes, None, 1)
    return rows


def preview_tables(
    parsed: ParsedWorkbook, *, organisation: Organisation, year: int | None = None
) -> list[TablePreview]:
    year = year or timezone.localdate().year
    previews = []
    for item in parsed.tables:
        table = _unsaved_table(item, organisation, year)
        preview = TablePreview(item, table, _unsaved_rows(table, item.tree))
        preview.errors.extend(item.problems)
        if any(node.get("symbol") and len(node["symbol"]) > 1 for node in walk_nodes(item.tree)):
            preview.errors.append("计算符号列只能填一个符号（≥、≤、=、>、<）。")
        try:
            # Constraints are checked by the save; here they would cost a query each.
            table.full_clean(
                exclude=["organisation", "created_by", "updated_by"], validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = _label(name)
                preview.errors.extend(f"{label}：{m}" for m in messages)
        if any(len(row.name) > 300 or len(row.value_text) > 500 for row in preview.rows):
            preview.errors.append("有指标名称超过300字或指标值超过500字，请缩短后再导入。")
        previews.append(preview)
    # One check context for the whole workbook: per table it was a query or more each.
    findings = check_unsaved_tables([(p.table, p.rows) for p in previews])
    for preview, found in zip(previews, findings, strict=True):
        preview.findings = found
    return previews


def _label(name: str) -> str:
    try:
        return str(TargetTable._meta.get_field(name).verbose_name)
    except Exception:  # NON_FIELD_ERRORS and the like
        return "表"


class ImportBlocked(Exception):
    """Some table cannot be saved; nothing was."""


@transaction.atomic
def import_tables_save(
    *, user: User, organisation: Organisation, previews: list[TablePreview]
) -> list[TargetTable]:
    """Create every previewed table as a draft of `organisation`, or none of them."""
    blocked = [p for p in previews if not p.savable]
    if blocked:
        raise ImportBlocked("；".join(f"{p.parsed.ref}：{e}" for p in blocked for e in p.errors))
    if not previews:
        raise ImportBlocked("没有可导入的表。")
    created = []
    with history_user(user):
        for preview in previews:
            source = preview.table
            table = target_table_create_draft(
                organisation=organisation,
                layout=source.layout,
                year=source.year,
                title=source.title,
                project_name=source.project_name,
                created_by=user,
                amount_unit=source.amount_unit,
            )
            for name in [*HEADER_FIELDS, *EXTRA_FIELDS, "printed_labels"]:
                setattr(table, name, getattr(source, name))
            table.full_clean()
            table.save()
            # The tree's nodes carry 中期 values as value_mid, which the service stores.
            indicator_tree_create(table=table, nodes=preview.parsed.tree, user=user)
            created.append(table)
    return created
