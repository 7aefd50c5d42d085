"""Bureaus start their own target tables (新建绩效目标表, 复制上年).

One service, `target_table_create`, validates everything first and then writes the table,
its header and (for a copy) the indicator tree in one transaction: a refused request
leaves nothing behind. The pages are in perfgoals/targets/editor/creation.py.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from indicators.services import indicator_tree_copy
from perfgoals.layouts import Layout, layout_spec
from perfgoals.models import TargetTable, User
from perfgoals.selectors import target_tables_visible_to
from perfgoals.services import history_attributed

# The layouts a bureau declares itself; a 专项资金支出方向 table comes with finance's notice.
CREATABLE_LAYOUTS = (Layout.PROJECT, Layout.DEPT_PROJECT, Layout.DEPARTMENT, Layout.TRANSFER)
YEAR_RANGE = (2000, 2100)
# Not carried into a copy: the amounts and the spending plan belong to one budget year.
NOT_COPIED = (*TargetTable.AMOUNT_FIELDS, *TargetTable.SPENDING_PLAN_FIELDS)


def may_create(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role == User.Role.BUREAU_STAFF
        and user.organisation_id is not None
    )


def copy_sources(user: User) -> QuerySet[TargetTable]:
    """Tables `user` may start a new one from: every table they can see, newest first."""
    return target_tables_visible_to(user).order_by("-year", "organisation__name", "project_name")


def last_year_table(
    *, user: User, year: int, project_code: str = "", project_name: str = ""
) -> TargetTable | None:
    """The own organisation's table of `year - 1` for the same project: by 项目编码 when one
    is given, else by 项目名称. None when there is none (or the user has no organisation)."""
    if not may_create(user):
        return None
    tables = TargetTable.objects.filter(organisation_id=user.organisation_id, year=year - 1)
    project_code, project_name = project_code.strip(), project_name.strip()
    if project_code:
        found = tables.filter(project_code=project_code).order_by("-pk").first()
        if found is not None:
            return found
    if project_name:
        return tables.filter(project_name=project_name).order_by("-pk").first()
    return None


@history_attributed
@transaction.atomic
def target_table_create(
    *,
    user: User,
    layout: str,
    year: int | None,
    project_name: str,
    header: Mapping[str, Any] | None = None,
    copy_from_id: int | None = None,
) -> TargetTable:
    """A new draft table of the user's own organisation; with `copy_from_id`, started from
    that table (its layout, header except amounts and spending plan, and indicator tree).

    Raises PermissionDenied for anyone but bureau staff of an organisation, ValidationError
    keyed by argument or header field name for bad input (nothing is saved then).
    """
    if not may_create(user):
        raise PermissionDenied("只有业务单位经办人可以新建本单位的绩效目标表。")
    header = dict(header or {})
    errors: dict[str, list[str]] = {}
    source = None
    if copy_from_id is not None:
        source = copy_sources(user).filter(pk=copy_from_id).first()
        if source is None:
            errors.setdefault("copy_from", []).append("没有找到可复制的绩效目标表，或您无权查看。")
        else:
            layout = source.layout
    if layout not in CREATABLE_LAYOUTS:
        errors.setdefault("layout", []).append("请选择表样。")
        raise ValidationError(errors)
    spec = layout_spec(layout)
    labels = spec.labels
    unknown = set(header) - set(labels) - {"framework"}
    if unknown:
        # A caller's mistake, not the user's: the form offers only the layout's fields.
        raise ValueError(f"表样{layout}没有这些表头字段：{sorted(unknown)}")
    if year is None:
        errors.setdefault("year", []).append("请填写年度。")
    elif not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        errors.setdefault("year", []).append(f"年度应在{YEAR_RANGE[0]}至{YEAR_RANGE[1]}之间。")
    project_name = (project_name or "").strip() or (source.project_name if source else "")
    if not project_name:
        errors.setdefault("project_name", []).append(f"请填写{labels['project_name']}。")
    if errors:
        raise ValidationError(errors)
    if TargetTable.objects.filter(
        organisation_id=user.organisation_id, year=year, layout=layout, project_name=project_name
    ).exists():
        raise ValidationError(
            {"project_name": f"本单位{year}年已有「{project_name}」的{Layout(layout).label}。"}
        )

    values: dict[str, Any] = {"title": spec.layout.label}
    if source is not None:
        values.update(
            {
                name: getattr(source, name)
                # 项目编码 too where the layout prints none: next year's copy is found by it.
                for name in (*labels, "framework", "project_code", "printed_labels")
                if name not in NOT_COPIED and name != "project_name"
            }
        )
    # What the user typed wins over the copied header; an empty field keeps the copy's value.
    values.update({name: value for name, value in header.items() if value not in (None, "")})
    table = TargetTable(
        layout=layout,
        organisation_id=user.organisation_id,
        year=year,
        project_name=project_name,
        status=TargetTable.Status.DRAFT,
        copied_from=source,
        created_by=user,
        updated_by=user,
        **values,
    )
    table.full_clean(exclude=["version", "created_by", "updated_by"])
    table.save()
    if source is not None:
        indicator_tree_copy(source_table_id=source.pk, target_tables=[table], user=user)
    return table
