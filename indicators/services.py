"""Writes of indicator trees."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from simple_history.utils import bulk_create_with_history

from indicators.framework import normalise_category_name
from indicators.models import PerformanceIndicator
from indicators.selectors import FrameworkIndex, indicator_tree
from perfgoals.display import moment
from perfgoals.selectors import target_tables_editable_by
from perfgoals.services import (
    ConcurrentEditError,
    history_user,
    target_table_bump_version,
    target_table_claim_version,
    target_table_editable,
)

MAX_LEVEL = PerformanceIndicator.Level.SUB_ITEM
# Optional columns of a row: the split value (leaves only) and the texts beside it.
LEAF_COLUMNS = ("value_mid", "symbol", "target", "unit")
EXTRA_COLUMNS = ("value_explanation", "standard", "scoring")


def _text(value: Any) -> str:
    # Cells copied from Excel often carry trailing (also full-width) spaces.
    return str(value or "").strip()


@transaction.atomic
def indicator_tree_create(
    *, table, nodes: Sequence[Mapping[str, Any]], user=None
) -> list[PerformanceIndicator]:
    """Append a nested tree ({name, value, description, basis, children}, and any of the
    optional columns symbol, target, unit, value_explanation, standard, scoring, the
    upper_indicator_id a row serves and the basis_paragraph_id or basis_notice_id its basis
    cites) to `table`.

    Rows are inserted level by level (four INSERTs whatever the size) with their history,
    each 一级/二级 row linked to its framework category.
    """
    generation = table.framework_generation
    index = FrameworkIndex()
    existing_roots = PerformanceIndicator.objects.filter(table=table, level=1).count()
    created: list[PerformanceIndicator] = []
    level_nodes = [(None, existing_roots + pos, node) for pos, node in enumerate(nodes, 1)]
    level = 1
    while level_nodes:
        if level > MAX_LEVEL:
            raise ValueError("指标最多四级（一级、二级、三级及子项）。")
        rows = []
        for parent, position, node in level_nodes:
            leaf = level >= 3
            row = PerformanceIndicator(
                table=table,
                parent=parent,
                level=level,
                position=position,
                name=str(node.get("name", "")).strip(),
                value_text=_text(node.get("value")) if leaf else "",
                description=_text(node.get("description")),
                basis=_text(node.get("basis")),
                # The split value belongs to leaves, like the value (a database constraint).
                **{name: _text(node.get(name)) if leaf else "" for name in LEAF_COLUMNS},
                **{name: _text(node.get(name)) for name in EXTRA_COLUMNS},
                upper_indicator_id=node.get("upper_indicator_id"),
                basis_paragraph_id=node.get("basis_paragraph_id"),
                basis_notice_id=node.get("basis_notice_id"),
            )
            row.category = index.resolve(generation, level, row.name)
            row.refresh_parsed_value()
            rows.append(row)
        # Primary keys come back from the INSERT (PostgreSQL; SQLite ≥ 3.35).
        rows = bulk_create_with_history(rows, PerformanceIndicator, default_user=user)
        created.extend(rows)
        level_nodes = [
            (row, pos, child)
            for row, (_, _, node) in zip(rows, level_nodes, strict=True)
            for pos, child in enumerate(node.get("children") or [], 1)
        ]
        level += 1
    return created


class RowConflictError(ConcurrentEditError):
    """Someone else saved this very row after this user opened it.

    `row` is the row as stored (their values); `message` names who saved it and when.
    """

    def __init__(self, row: PerformanceIndicator):
        self.row = row
        last = row.history.select_related("history_user").order_by("-history_date").first()
        super().__init__(row.table)
        self.updated_by = last.history_user if last else None
        self.updated_at = last.history_date if last else None

    @property
    def message(self) -> str:
        who = str(self.updated_by) if self.updated_by else "其他用户"
        when = moment(self.updated_at) if self.updated_at else "刚才"
        return (
            f"此行已被{who}于{when}修改，您的修改未保存。您输入的内容仍在下方，"
            "对方保存的值列在各栏下：保留您的请再次保存，采用对方的请点「采用」或取消。"
        )


# --- Row-by-row editing ------------------------------------------------------------------
#
# Each operation below is one user action in the editor. It checks that the user may edit
# the table, claims the table's version (compare-and-set, see perfgoals.services) so that a
# stale page cannot overwrite someone else's work, and keeps positions dense (1..n) among
# the siblings it touches. Rows are saved one by one so that simple_history attributes
# every changed row, including siblings whose position moved.

# What the basis cites (a policy paragraph or a notice): instances, or None. Which ones a user
# may cite is decided above this layer; the editor's form offers only those.
BASIS_SOURCES = ("basis_paragraph", "basis_notice")
ROW_FIELDS = (
    "name",
    "value_text",
    "description",
    "basis",
    *BASIS_SOURCES,
    *LEAF_COLUMNS,
    *EXTRA_COLUMNS,
)


def indicator_editable(*, user, indicator_id: int) -> PerformanceIndicator:
    """The row if `user` may edit its table now; otherwise Http404."""
    try:
        return PerformanceIndicator.objects.select_related("table", "parent").get(
            pk=indicator_id, table__in=target_tables_editable_by(user)
        )
    except PerformanceIndicator.DoesNotExist:
        raise Http404("没有找到可编辑的绩效指标。") from None


def _siblings(*, table_id: int, parent_id: int | None) -> list[PerformanceIndicator]:
    rows = PerformanceIndicator.objects.filter(table_id=table_id, parent_id=parent_id)
    return list(rows.order_by("position", "id"))


def _save_positions(rows: Sequence[PerformanceIndicator], user) -> None:
    """Renumber `rows` 1..n in their list order, writing only saved rows whose position changed."""
    for position, row in enumerate(rows, 1):
        if row.pk is None:
            row.position = position
        elif row.position != position:
            row.position = position
            row._history_user = user
            row.save(update_fields=["position"])


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: fields.get(name) if name in BASIS_SOURCES else _text(fields.get(name))
        for name in ROW_FIELDS
    }


def _validated_row(
    *, table, parent: PerformanceIndicator | None, fields: Mapping[str, Any], position: int
) -> PerformanceIndicator:
    level = 1 if parent is None else parent.level + 1
    if level > MAX_LEVEL:
        raise ValidationError(
            {"name": "子项下不能再添加下级指标（最多四级：一级、二级、三级、子项）。"},
            code="too_deep",
        )
    values = _clean_fields(fields)
    row = PerformanceIndicator(table=table, parent=parent, level=level, position=position, **values)
    _check_row(row)
    return row


def _check_row(row: PerformanceIndicator) -> None:
    errors: dict[str, list[str]] = {}
    # The special-fund summary prints no 三级 names: its cells hold the name and value as one.
    nameless_cell = row.level >= 3 and row.value_text and row.table.layout == "special_fund"
    if not row.name and not nameless_cell:
        errors.setdefault("name", []).append("请填写指标名称。")
    if row.level in (1, 2) and row.value_text:
        errors.setdefault("value_text", []).append("一级、二级指标不填写指标值，请填在三级指标上。")
    if row.level in (1, 2):
        for name in LEAF_COLUMNS:
            if getattr(row, name):
                label = PerformanceIndicator._meta.get_field(name).verbose_name
                errors.setdefault(name, []).append(
                    f"一级、二级指标不填写{label}，请填在三级指标上。"
                )
    if row.basis_paragraph is not None and row.basis_notice is not None:
        errors.setdefault("basis_notice", []).append(
            "指标值确定依据只能引用一个政策条款或一个通知，请只选一个。"
        )
    if errors:
        raise ValidationError(errors)
    if row.level in (1, 2):
        table = row.table
        generation = table.framework_generation
        row.category = FrameworkIndex().resolve(generation, row.level, row.name)
    else:
        row.category = None
    # Model field limits (lengths) and PerformanceIndicator.clean (parent level, same table).
    row.full_clean(exclude=["position", "table", "parent"], validate_constraints=False)


def _insert_at(*, user, table, parent, position: int, fields) -> PerformanceIndicator:
    siblings = _siblings(table_id=table.pk, parent_id=parent.pk if parent else None)
    position = max(1, min(position, len(siblings) + 1))
    row = _validated_row(table=table, parent=parent, fields=fields, position=position)
    # Siblings from `position` on move down by one (and any old gaps close).
    _save_positions(siblings[: position - 1] + [row] + siblings[position - 1 :], user)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def indicator_add(
    *,
    user,
    table_id: int,
    parent_id: int | None,
    fields: Mapping[str, Any],
    position: int | None = None,
) -> PerformanceIndicator:
    """Add a row under `parent_id` (a new 一级 when None), last among its siblings by default.

    Like every structural write (insert, move, paste) it compares no version: a colleague's
    change elsewhere in the table meanwhile is no conflict. The table's version moves first,
    which makes concurrent writers of the table take turns, and positions are read after it.
    """
    table = target_table_editable(user=user, table_id=table_id)
    if not table.has_indicator_tree:
        raise Http404("此表样没有绩效指标。")
    target_table_bump_version(table_id=table.pk, user=user)
    parent = None
    if parent_id is not None:
        parent = PerformanceIndicator.objects.filter(table=table, pk=parent_id).first()
        if parent is None:
            raise Http404("没有找到上级指标。")
    return _insert_at(
        user=user, table=table, parent=parent, position=position or 10**6, fields=fields
    )


@transaction.atomic
def indicator_insert(
    *, user, indicator_id: int, where: str, fields: Mapping[str, Any]
) -> PerformanceIndicator:
    """Insert a sibling directly above or below an existing row (no version compared: see
    indicator_add)."""
    anchor = indicator_editable(user=user, indicator_id=indicator_id)
    if where not in ("above", "below"):
        raise ValueError(where)
    target_table_bump_version(table_id=anchor.table_id, user=user)
    siblings = _siblings(table_id=anchor.table_id, parent_id=anchor.parent_id)
    index = next(i for i, row in enumerate(siblings) if row.pk == anchor.pk)
    position = index + 1 if where == "above" else index + 2
    return _insert_at(
        user=user, table=anchor.table, parent=anchor.parent, position=position, fields=fields
    )


@transaction.atomic
def indicator_update(
    *,
    user,
    indicator_id: int,
    version: int,
    fields: Mapping[str, Any],
    row_version: int | None = None,
) -> PerformanceIndicator:
    """Change a row's name, value, description, basis and optional columns.

    With `row_version` (the row's version when the user opened it) only this row is
    compared: a colleague's save of another row of the table meanwhile is no conflict, a save
    of this row raises RowConflictError carrying the row as stored. Without it, the table's
    `version` is compared as for every other write.
    """
    row = indicator_editable(user=user, indicator_id=indicator_id)
    if row_version is not None:
        claimed = PerformanceIndicator.objects.filter(pk=row.pk, version=row_version).update(
            version=F("version") + 1
        )
        if claimed != 1:
            raise RowConflictError(row)
        row.version = row_version + 1
    # A value composed from 计算符号/目标值/度量单位 follows them when they change; a value
    # typed by hand stays as typed.
    composed = row.composed_value()
    for name, value in _clean_fields(fields).items():
        setattr(row, name, value)
    if composed and row.value_text == composed:
        row.value_text = ""
    _check_row(row)
    if row_version is None:
        target_table_claim_version(table_id=row.table_id, user=user, version=version)
    else:
        target_table_bump_version(table_id=row.table_id, user=user)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def indicator_move(*, user, indicator_id: int, direction: str) -> PerformanceIndicator:
    """Swap a row with its previous ("up") or next ("down") sibling; its subtree moves along.
    Among the siblings as they are now (no version compared: see indicator_add)."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    row = indicator_editable(user=user, indicator_id=indicator_id)
    target_table_bump_version(table_id=row.table_id, user=user)
    siblings = _siblings(table_id=row.table_id, parent_id=row.parent_id)
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == row.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        edge = "第一行，不能上移" if direction == "up" else "最后一行，不能下移"
        message = f"已是同级{edge}。"
        raise ValidationError(message, code="edge")
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _save_positions(siblings, user)
    return row


@transaction.atomic
def indicator_delete(
    *, user, indicator_id: int, version: int, row_version: int | None = None
) -> int:
    """Delete a row with everything under it; returns how many rows went.

    With `row_version` (the row's version on the user's page) only this row is compared: a
    colleague's change elsewhere is no conflict, a change of this row raises RowConflictError.
    Without it the table's `version` is compared.
    """
    row = indicator_editable(user=user, indicator_id=indicator_id)
    if row_version is None:
        target_table_claim_version(table_id=row.table_id, user=user, version=version)
    else:
        # Compare-and-set, as an edit does: the row stays locked until the delete commits.
        if not PerformanceIndicator.objects.filter(pk=row.pk, version=row_version).update(
            version=F("version") + 1
        ):
            raise RowConflictError(row)
        target_table_bump_version(table_id=row.table_id, user=user)
    # The rows below and their acknowledgements go by cascade: attribute them too.
    with history_user(user):
        deleted, _per_model = row.delete()
    _save_positions(_siblings(table_id=row.table_id, parent_id=row.parent_id), user)
    return deleted


@transaction.atomic
def indicator_paste(*, user, table_id: int, rows: Sequence[Any]) -> int:
    """Merge pasted rows (objects with first, second, third, value, description, basis)
    into the tree: 一级/二级 are matched by name (an existing 质量指标 receives the new 三级),
    created at the end when missing; each 三级 is appended under its 二级. Returns rows added.
    """
    table = target_table_editable(user=user, table_id=table_id)
    if not table.has_indicator_tree:
        raise Http404("此表样没有绩效指标。")
    if not rows:
        raise ValidationError("没有可粘贴的行。", code="empty")
    # Pasted rows only join categories and go last: no version compared (see indicator_add).
    target_table_bump_version(table_id=table.pk, user=user)
    existing = list(PerformanceIndicator.objects.filter(table=table, level__in=[1, 2]))
    key = normalise_category_name
    firsts = {key(r.name): r for r in existing if r.level == 1}
    seconds = {(r.parent_id, key(r.name)): r for r in existing if r.level == 2}
    added = 0
    for pasted in rows:
        first = firsts.get(key(pasted.first))
        if first is None:
            first = _insert_at(
                user=user, table=table, parent=None, position=10**6, fields={"name": pasted.first}
            )
            firsts[key(pasted.first)] = first
            added += 1
        second = seconds.get((first.pk, key(pasted.second)))
        if second is None:
            second = _insert_at(
                user=user,
                table=table,
                parent=first,
                position=10**6,
                fields={"name": pasted.second},
            )
            seconds[(first.pk, key(pasted.second))] = second
            added += 1
        try:
            _insert_at(
                user=user,
                table=table,
                parent=second,
                position=10**6,
                fields={
                    "name": pasted.third,
                    "value_text": pasted.value,
                    "description": pasted.description,
                    "basis": pasted.basis,
                },
            )
        except ValidationError as exc:
            raise ValidationError(f"第{pasted.line}行：{'；'.join(exc.messages)}") from exc
        added += 1
    return added


# --- Copying a tree into other tables ------------------------------------------------------


def indicator_tree_copy(
    *, source_table_id: int, target_tables: Sequence[Any], user=None, serve_source: bool = False
) -> list[PerformanceIndicator]:
    """Append the tree of the source table to each target table (a notice's recipients get
    the upper level's indicators): names, values, descriptions, bases with the paragraph or
    notice they cite, and the optional columns, level by level. With `serve_source` (a
    notice's upper table) each copied row serves the row it was copied from; a copy of last
    year's table serves nothing.

    The source is read once, whatever the number of targets; nothing is read without one.
    """
    if not target_tables:
        return []

    def as_node(node) -> dict[str, Any]:
        row = node.indicator
        return {
            "name": row.name,
            "value": row.value_text,
            "value_mid": row.value_mid,
            "description": row.description,
            "basis": row.basis,
            # The cited paragraph or notice goes with the text it stands beside: a copy that
            # kept 「见第三条」 without its paragraph would print a basis citing nothing.
            "basis_paragraph_id": row.basis_paragraph_id,
            "basis_notice_id": row.basis_notice_id,
            **{name: getattr(row, name) for name in (*LEAF_COLUMNS, *EXTRA_COLUMNS)},
            "children": [as_node(child) for child in node.children],
            "upper_indicator_id": row.pk if serve_source else None,
        }

    nodes = [as_node(node) for node in indicator_tree(table_id=source_table_id)]
    created: list[PerformanceIndicator] = []
    if nodes:
        for table in target_tables:
            created += indicator_tree_create(table=table, nodes=nodes, user=user)
    return created


# --- Serving an upper indicator ------------------------------------------------------------


def upper_tables_of(table) -> set[int]:
    """The tables whose indicators `table`'s may serve: the upper table it was drafted from
    and any table its rows already serve."""
    linked = PerformanceIndicator.objects.filter(table=table, upper_indicator__isnull=False)
    ids = set(linked.values_list("upper_indicator__table_id", flat=True))
    if table.source_table_id:
        ids.add(table.source_table_id)
    ids.discard(table.pk)
    return ids


@transaction.atomic
def indicator_link_upper(
    *, user, table_id: int, indicator_id: int, version: int, upper_indicator_id: int | None
) -> PerformanceIndicator:
    """Make a row of `table_id` serve an upper indicator (or none): a 三级 or 子项 of the
    upper table, so that the decomposition check and view count it."""
    row = indicator_editable(user=user, indicator_id=indicator_id)
    if row.table_id != table_id:
        raise Http404("没有找到可编辑的绩效指标。")
    upper = None
    if upper_indicator_id is not None:
        upper = PerformanceIndicator.objects.filter(
            pk=upper_indicator_id,
            table_id__in=upper_tables_of(row.table),
            level__in=[PerformanceIndicator.Level.THIRD, PerformanceIndicator.Level.SUB_ITEM],
        ).first()
        if upper is None:
            raise ValidationError(
                {"upper_indicator": "只能对应上级绩效目标表中的三级指标或子项。"},
                code="upper_indicator_outside",
            )
    if row.level not in (PerformanceIndicator.Level.THIRD, PerformanceIndicator.Level.SUB_ITEM):
        raise ValidationError(
            {"upper_indicator": "只有三级指标和子项对应上级指标。"}, code="upper_indicator_level"
        )
    target_table_claim_version(table_id=row.table_id, user=user, version=version)
    row.upper_indicator = upper
    row._history_user = user
    row.save(update_fields=["upper_indicator"])
    return row
