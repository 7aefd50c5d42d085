"""Writes of target tables (绩效目标表).

Every write checks the user's scope, runs in one transaction, and claims the table's
`version` with a compare-and-set UPDATE: a save that read version N succeeds only if the row
still holds N. `select_for_update` would be a no-op on SQLite; the conditional UPDATE works
on both databases and also serialises the row on PostgreSQL for the rest of the transaction.
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from simple_history.models import HistoricalRecords

from perfgoals.display import moment
from perfgoals.models import Organisation, TargetTable, User
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import scope_key, target_tables_editable_by

P = ParamSpec("P")
R = TypeVar("R")


class ConcurrentEditError(Exception):
    """Someone else saved the table after this user read it."""

    def __init__(self, table: TargetTable):
        self.table = table
        self.updated_by = table.updated_by
        self.updated_at = table.updated_at
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = str(self.updated_by) if self.updated_by else "其他用户"
        when = moment(self.updated_at) if self.updated_at else "刚才"
        return f"此表已被{who}于{when}修改，您的修改未保存。请核对最新内容后再操作。"


def target_table_editable(*, user: User, table_id: int) -> TargetTable:
    """The table if `user` may edit it now; otherwise Http404 (never reveal it exists)."""
    found = _editable_table_reads.list(
        scope_key(user),
        # updated_by: the editor's heading names who saved last.
        lambda pk: (
            target_tables_editable_by(user).select_related("notice", "updated_by").filter(pk=pk)
        ),
        table_id,
    )
    if not found:
        raise Http404("没有找到可编辑的绩效目标表。")
    return found[0]


# Every editor request reads its table through this; compiled once per thread and scope key.
_editable_table_reads = PreparedReads()


def target_table_claim_version(
    *, table_id: int, user: User, version: int, table: TargetTable | None = None
) -> int:
    """Move the table from `version` to the next one, or raise ConcurrentEditError.

    Call inside the transaction of the write it guards, before the write; returns the new
    version. The claim leaves one history record of the table per version (who, when, the
    header as it stands): a version's indicator rows are those recorded before the next
    version's claim, so the record's time is taken after the UPDATE, which waits for any
    earlier writer. A header save passes its changed `table` to be recorded (and then saves
    without a second record); every other write records the stored header.
    """
    claimed = TargetTable.objects.filter(pk=table_id, version=version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if claimed != 1:
        current = TargetTable.objects.select_related("updated_by").get(pk=table_id)
        raise ConcurrentEditError(current)
    if table is None:
        table = TargetTable.objects.get(pk=table_id)
    table.version = version + 1
    table.updated_by = user
    target_table_record_version(table, user=user)
    return version + 1


def target_table_bump_version(*, table_id: int, user: User) -> int:
    """Move the table to its next version whatever it holds now; returns the new version.

    For a write that compared a finer version of its own (one indicator row's): another
    person's save elsewhere in the table must not refuse it, but every write still makes a
    table version with its history record, like a claim.
    """
    TargetTable.objects.filter(pk=table_id).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    table = TargetTable.objects.get(pk=table_id)
    target_table_record_version(table, user=user)
    return table.version


def target_table_record_version(table: TargetTable, *, user: User) -> None:
    """The history record of the version `table` now holds (who, when, the header as it
    stands); take the time after the UPDATE that claimed the version, as the claim does."""
    TargetTable.history.bulk_history_create(
        [table], update=True, default_user=user, default_date=timezone.now()
    )


@contextmanager
def history_user(user: User) -> Iterator[None]:
    """Attribute every history record written inside the block to `user`.

    A page's request does this through simple_history's middleware; services also run
    from commands, tests and jobs, and rows deleted by a cascade or a queryset `delete()`
    carry no `_history_user` of their own.
    """
    context = HistoricalRecords.context
    outer = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if outer is None:
            del context.request
        else:
            context.request = outer


def history_attributed(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service taking a keyword `user` inside `history_user(user)`."""

    @functools.wraps(service)
    def attributed(*args: P.args, **kwargs: P.kwargs) -> R:
        with history_user(kwargs["user"]):
            return service(*args, **kwargs)

    return attributed


@transaction.atomic
def target_table_update(
    *, user: User, table_id: int, version: int, data: Mapping[str, Any]
) -> TargetTable:
    """Save header fields (already type-checked by the form) and record who changed what.

    Raises Http404 when the table is outside the user's scope or no longer editable,
    ValidationError for bad values (nothing saved), ConcurrentEditError on a stale version.
    """
    table = target_table_editable(user=user, table_id=table_id)
    for name, value in data.items():
        setattr(table, name, value)
    table.full_clean(exclude=["version", "updated_by", "created_by"])
    target_table_claim_version(table_id=table.pk, user=user, version=version, table=table)
    # The claim recorded this version with the new header.
    table.save_without_historical_record()
    return table


def target_table_create_draft(
    *,
    organisation: Organisation,
    layout: str,
    year: int,
    title: str,
    project_name: str,
    created_by: User,
    implementing_unit: str = "",
    amount_unit: str,
    amount_total: Decimal | None = None,
    amount_fiscal: Decimal | None = None,
    annual_goal: str = "",
    notice_id: int | None = None,
    source_table: TargetTable | None = None,
) -> TargetTable:
    """A new draft table of `organisation`, e.g. a recipient's table created when a notice is
    issued. Plain values only: the caller's notice is named by its id, so the kernel never
    needs to know what a notice is. Call inside the caller's transaction."""
    table = TargetTable(
        layout=layout,
        organisation=organisation,
        year=year,
        notice_id=notice_id,
        source_table=source_table,
        title=title,
        project_name=project_name,
        implementing_unit=implementing_unit,
        amount_unit=amount_unit,
        amount_total=amount_total,
        amount_fiscal=amount_fiscal,
        annual_goal=annual_goal,
        status=TargetTable.Status.DRAFT,
        created_by=created_by,
        updated_by=created_by,
    )
    table.full_clean()
    table.save()
    return table
