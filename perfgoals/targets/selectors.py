"""Reads of target tables for the feature's pages, scoped to what the user may see."""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from perfgoals.models import TargetTable, User
from perfgoals.selectors import (
    BuiltScopes,
    scope_key,
    target_tables_editable_by,
    target_tables_visible_to,
)


def target_table_visible(*, user: User, table_id: int) -> TargetTable:
    """The table if the user may see it; a 404 otherwise, whether it exists or not. With its
    organisation's region, which a transfer table's header prints (州级/县级)."""
    tables = target_tables_visible_to(user).select_related("organisation__region")
    return get_object_or_404(tables, pk=table_id)


_built_lists = BuiltScopes()


def target_tables_for_list(
    *, user: User, columns: tuple[str, ...] | None = None
) -> QuerySet[TargetTable]:
    """Visible tables, each marked whether this user may edit it (one subquery, no N+1);
    with `columns`, those alone and the organisation's (`only`) instead of the notice too.
    Built once per thread, scope and columns, as the scopes it joins are (BuiltScopes)."""
    return _built_lists.get(
        (scope_key(user), columns), lambda: _target_tables_for_list(user, columns)
    )


def _target_tables_for_list(user: User, columns: tuple[str, ...] | None) -> QuerySet[TargetTable]:
    editable = target_tables_editable_by(user).filter(pk=OuterRef("pk"))
    tables = target_tables_visible_to(user).annotate(can_edit=Exists(editable))
    if columns is not None:
        tables = tables.select_related(None).select_related("organisation").only(*columns)
    return tables
