"""Writes of allocation tables: the table, its columns, rows and cells, and the standards."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from allocations.models import (
    AllocationCell,
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    FundNotice,
)
from allocations.selectors import regions_applying_to
from allocations.services.notices import notice_attachments_sync, notice_drafter_check
from perfgoals.display import plain_number
from perfgoals.models import Organisation, Region, User
from perfgoals.money import AmountUnit
from perfgoals.services import history_attributed

STALE_TABLE_MESSAGE = "该分配表已被他人修改，请刷新页面后再保存。"


def _claim_table(table: AllocationTable, user: User, expected_version: int | None) -> None:
    notice = table.notice
    notice_drafter_check(user, notice)
    query = AllocationTable.objects.filter(pk=table.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    if not query.update(version=F("version") + 1):
        raise ValidationError(STALE_TABLE_MESSAGE, code="stale")
    table.version = AllocationTable.objects.values_list("version", flat=True).get(pk=table.pk)


@history_attributed
@transaction.atomic
def allocation_table_create(
    *,
    notice: FundNotice,
    user: User,
    title: str,
    unit: str = AmountUnit.WAN,
    recipient_label: str = "单位",
    count_total_label: str = "",
    amount_total_label: str = "合计",
    envelope_amount: Decimal | None = None,
    envelope_unit: str = AmountUnit.WAN,
) -> AllocationTable:
    notice_drafter_check(user, notice)
    table = AllocationTable(
        notice=notice,
        title=title.strip(),
        unit=unit,
        recipient_label=recipient_label.strip(),
        count_total_label=count_total_label.strip(),
        amount_total_label=amount_total_label.strip() or "合计",
        envelope_amount=envelope_amount,
        envelope_unit=envelope_unit,
    )
    table.full_clean()
    table.save()
    notice_attachments_sync(notice)
    return table


@history_attributed
@transaction.atomic
def allocation_table_update(
    *, table: AllocationTable, user: User, expected_version: int, **fields: Any
) -> AllocationTable:
    _claim_table(table, user, expected_version)
    for name, value in fields.items():
        setattr(table, name, value.strip() if isinstance(value, str) else value)
    table.full_clean()
    table.save()
    notice_attachments_sync(table.notice)
    return table


@history_attributed
@transaction.atomic
def allocation_table_delete(*, table: AllocationTable, user: User) -> None:
    notice = table.notice
    _claim_table(table, user, None)
    table.delete()
    notice_attachments_sync(notice)


def allocation_standard_create(
    *,
    name: str,
    base_amount: Decimal,
    upper_percent: Decimal | None,
    lower_percent: Decimal | None,
    upper_label: str = "上级",
    lower_label: str = "本级",
    region: Region,
    unit: str = "元/人/年",
    source_document: str = "",
) -> AllocationStandard:
    """A standard and its split given in percent (4:6 is entered as 40% + 60%)."""
    errors = {}
    if base_amount is None or base_amount < 0:
        errors["base_amount"] = _("标准金额须为不小于0的数字。")
    if (upper_percent is None) != (lower_percent is None):
        errors["lower_percent"] = _("分担比例须同时填写上级和本级承担的百分比。")
    elif upper_percent is not None:
        if upper_percent < 0 or lower_percent < 0:
            errors["lower_percent"] = _("承担比例不能为负数。")
        elif upper_percent + lower_percent != 100:
            errors["lower_percent"] = _(
                "承担比例合计应为100%%，现为%(upper)s%% + %(lower)s%% = %(total)s%%。"
            ) % {
                "upper": plain_number(upper_percent),
                "lower": plain_number(lower_percent),
                "total": plain_number(upper_percent + lower_percent),
            }
        elif upper_percent != upper_percent.to_integral_value():
            errors["upper_percent"] = _("承担比例请填写整数百分比，如 40 和 60。")
    if errors:
        raise ValidationError(errors)
    standard = AllocationStandard(
        name=name.strip(),
        base_amount=base_amount,
        unit=unit,
        region=region,
        source_document=source_document.strip(),
        upper_label=upper_label if upper_percent is not None else "",
        lower_label=lower_label if upper_percent is not None else "",
        upper_share=int(upper_percent) if upper_percent is not None else None,
        lower_share=int(lower_percent) if lower_percent is not None else None,
    )
    standard.full_clean()
    standard.save()
    return standard


def _standard_applies(standard: AllocationStandard, table: AllocationTable) -> bool:
    """A standard of the issuer's region or of a region above it (the form offers no other)."""
    issuer = table.notice.issuer
    return regions_applying_to(issuer.region_id).filter(pk=standard.region_id).exists()


@history_attributed
@transaction.atomic
def allocation_column_add(
    *,
    table: AllocationTable,
    user: User,
    kind: str,
    label: str,
    standard: AllocationStandard | None = None,
    share_side: str = AllocationColumn.Side.UPPER,
    standard_amount: Decimal | None = None,
    new_standard: Mapping[str, Any] | None = None,
    count_label: str = "",
    standard_label: str = "",
    amount_label: str = "",
) -> AllocationColumn:
    """A calculation group (count × standard, the standard chosen, derived from base × share,
    or typed) or a funding-source column."""
    _claim_table(table, user, None)
    if kind == AllocationColumn.Kind.CALCULATION:
        if standard is not None and not _standard_applies(standard, table):
            raise ValidationError(
                {
                    "standard": _("补助标准“%(name)s”适用于%(region)s，不适用于本地区。")
                    % {"name": standard.name, "region": standard.region}
                },
                code="standard_other_region",
            )
        if new_standard:
            # A standard typed with the table applies where its issuer works.
            region = table.notice.issuer.region
            standard = allocation_standard_create(**{"region": region, **new_standard})
        chosen = [x for x in (standard, standard_amount) if x is not None]
        if len(chosen) != 1:
            raise ValidationError(
                {"standard": _("测算组须选择一个补助标准，或直接填写标准金额，二者选一。")},
                code="calc_standard_choice",
            )
    else:
        standard, standard_amount, share_side = None, None, ""
    position = (table.columns.aggregate(m=Max("position"))["m"] or 0) + 1
    column = AllocationColumn(
        table=table,
        position=position,
        kind=kind,
        label=label.strip(),
        standard=standard,
        share_side=share_side if standard is not None else "",
        standard_amount=standard_amount,
        count_label=count_label.strip() or ("人数" if kind == "calc" else ""),
        standard_label=standard_label.strip() or ("补助标准（元）" if kind == "calc" else ""),
        amount_label=amount_label.strip() or ("金额（元）" if kind == "calc" else ""),
    )
    column.full_clean()
    column.save()
    return column


@history_attributed
@transaction.atomic
def allocation_column_delete(*, column: AllocationColumn, user: User) -> None:
    _claim_table(column.table, user, None)
    column.delete()


@history_attributed
@transaction.atomic
def allocation_row_add(
    *, table: AllocationTable, user: User, label: str, organisation: Organisation | None = None
) -> AllocationRow:
    """A row per recipient; the region is found by name among the issuer's region and
    those directly below it, so 瑞丽市 links to the county."""
    _claim_table(table, user, None)
    issuer_region = table.notice.issuer.region
    region = Region.objects.filter(
        Q(pk=issuer_region.pk) | Q(parent_id=issuer_region.pk), name=label.strip()
    ).first()
    if organisation is not None and region is None:
        region = organisation.region
    position = (table.rows.aggregate(m=Max("position"))["m"] or 0) + 1
    row = AllocationRow(
        table=table,
        position=position,
        label=label.strip(),
        region=region,
        organisation=organisation,
    )
    row.full_clean()
    row.save()
    return row


@history_attributed
@transaction.atomic
def allocation_row_delete(*, row: AllocationRow, user: User) -> None:
    _claim_table(row.table, user, None)
    row.delete()


@history_attributed
@transaction.atomic
def allocation_cells_update(
    *,
    table: AllocationTable,
    user: User,
    expected_version: int,
    values: Mapping[tuple[int, int], Decimal | int | None],
) -> AllocationTable:
    """Set the inputs of the grid at once: head counts under calculation groups, amounts (in
    the table's unit) under funding sources. Refused whole if another save came first."""
    _claim_table(table, user, expected_version)
    columns = {c.pk: c for c in table.columns.all()}
    rows = {r.pk for r in table.rows.all()}
    cells = {(c.row_id, c.column_id): c for c in AllocationCell.objects.filter(row__table=table)}
    to_create, to_update = [], []
    for (row_id, column_id), value in values.items():
        if row_id not in rows or column_id not in columns:
            raise ValidationError(_("分配表的行或列已变动，请刷新后重试。"), code="stale_cell")
        column = columns[column_id]
        cell = cells.get((row_id, column_id)) or AllocationCell(row_id=row_id, column=column)
        if column.kind == AllocationColumn.Kind.CALCULATION:
            cell.count, cell.amount = (int(value) if value is not None else None), None
        else:
            cell.count, cell.amount = None, value
        if value is not None and Decimal(value) < 0:
            raise ValidationError(_("人数和金额不能为负数。"), code="negative")
        (to_update if cell.pk else to_create).append(cell)
    bulk_create_with_history(to_create, AllocationCell, default_user=user)
    bulk_update_with_history(to_update, AllocationCell, ["count", "amount"], default_user=user)
    return table
