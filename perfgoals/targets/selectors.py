"""Reads of target tables for the feature's pages, scoped to what the user may see."""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from perfgoals.models import TargetTable, User
from perfgoals.selectors import target_tables_editable_by, target_tables_visible_to


def target_table_visible(*, user: User, table_id: int) -> TargetTable:
    """The table if the user may see it; a 404 otherwise, whether it exists or not. With its
    organisation's region, which a transfer table's header prints (州级/县级)."""
    tables = target_tables_visible_to(user).select_related("organisation__region")
    return get_object_or_404(tables, pk=table_id)


def target_tables_for_list(*, user: User) -> QuerySet[TargetTable]:
    """Visible tables, each marked whether this user may edit it (one subquery, no N+1)."""
    editable = target_tables_editable_by(user).filter(pk=OuterRef("pk"))
    return target_tables_visible_to(user).annotate(can_edit=Exists(editable))
