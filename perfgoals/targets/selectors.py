"""Reads of target tables for the feature's pages, scoped to what the user may see."""

from django.db.models import QuerySet
from django.http import Http404

from perfgoals.models import TargetTable, User
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import (
    BuiltScopes,
    scope_key,
    target_tables_visible_to,
)


def target_table_visible(*, user: User, table_id: int) -> TargetTable:
    """The table if the user may see it; a 404 otherwise, whether it exists or not. With its
    organisation's region, which a transfer table's header prints (州级/县级)."""
    found = _visible_table_reads.list(
        scope_key(user),
        lambda pk: (
            target_tables_visible_to(user).select_related("organisation__region").filter(pk=pk)
        ),
        table_id,
    )
    if not found:
        raise Http404("No TargetTable matches the given query.")
    return found[0]


# One table by its id through the user's scope: the scope's SQL, compiled once per thread and
# scope key, cost a table page more than its other reads together.
_visible_table_reads = PreparedReads()


_built_lists = BuiltScopes()


def target_tables_for_list(*, user: User, columns: tuple[str, ...]) -> QuerySet[TargetTable]:
    """Visible tables with `columns` alone and their organisation's (not the notice's too).
    Built once per thread, scope and columns, as the scope itself is (BuiltScopes). Whether
    the user may edit a row is table_is_editable_by's, from the row's organisation and
    status: no subquery."""
    return _built_lists.get(
        (scope_key(user), columns),
        lambda: (
            target_tables_visible_to(user)
            .select_related(None)
            .select_related("organisation")
            .only(*columns)
        ),
    )
