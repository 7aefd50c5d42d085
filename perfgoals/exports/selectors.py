"""Reads behind every export, scoped exactly like the pages (out of scope → Http404).

`user=None` means the command line run by the server operator: no organisation scope.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import QuerySet
from django.http import Http404

from allocations.models import AllocationTable, FundNotice, NoticeAttachment
from allocations.selectors import (
    ComputedAllocation,
    allocation_tables_visible_to,
    compute_allocation,
    notices_visible_to,
)
from allocations.snapshots import allocation_from_snapshot
from indicators.models import PerformanceIndicator
from indicators.selectors import ROW_RELATIONS, TreeNode, attach_basis_sources, build_tree
from indicators.snapshots import snapshot_rows, table_from_record
from perfgoals.models import (
    Organisation,
    ReviewOpinion,
    SpecialFundSummary,
    TableSnapshot,
    TargetTable,
    User,
)
from perfgoals.selectors import target_tables_visible_to

# The tables a department's whole text is made of (部门整体 and its 部门项目 tables).
DEPARTMENT_LAYOUTS = (TargetTable.Layout.DEPARTMENT, TargetTable.Layout.DEPT_PROJECT)


def _tables(user: User | None) -> QuerySet[TargetTable]:
    if user is None:
        return TargetTable.objects.select_related("organisation", "notice")
    return target_tables_visible_to(user)


def _printed_tables(user: User | None) -> QuerySet[TargetTable]:
    """The tables an export prints, with the approved version in force in the same query."""
    return _tables(user).select_related("approved_snapshot", "organisation__region")


def _notices(user: User | None) -> QuerySet[FundNotice]:
    if user is None:
        return FundNotice.objects.select_related("issuer", "parent")
    return notices_visible_to(user)


def _allocations(user: User | None) -> QuerySet[AllocationTable]:
    if user is None:
        return AllocationTable.objects.all()
    return allocation_tables_visible_to(user)


def trees_for_tables(table_ids: list[int]) -> dict[int, list[TreeNode]]:
    """Indicator trees of many tables in one query (indicator_tree() is one query per table)."""
    by_table: dict[int, list[PerformanceIndicator]] = defaultdict(list)
    rows = PerformanceIndicator.objects.filter(table_id__in=table_ids).select_related(
        *ROW_RELATIONS
    )
    for indicator in rows:
        by_table[indicator.table_id].append(indicator)
    return {table_id: build_tree(by_table.get(table_id, [])) for table_id in table_ids}


def opinions_for_tables(
    table_ids: list[int], *, approved_at: dict[int, datetime] | None = None
) -> dict[int, dict[str, ReviewOpinion]]:
    """The latest 业务股室 / 绩效股 opinion of each table (one query).

    For a table printed as an approved snapshot (`approved_at`: table id → when that version
    was approved), the opinions stop at the one that approved it, written in the same
    transaction just after the snapshot: what the review of an adjustment says later belongs
    to the version under review, not to the one printed.
    """
    approved_at = approved_at or {}
    latest: dict[int, dict[str, ReviewOpinion]] = defaultdict(dict)
    closed: set[int] = set()
    for opinion in ReviewOpinion.objects.filter(table_id__in=table_ids).order_by(
        "created_at", "pk"
    ):
        if opinion.table_id in closed:
            continue
        latest[opinion.table_id][opinion.office_kind] = opinion
        cutoff = approved_at.get(opinion.table_id)
        if cutoff is not None and opinion.created_at >= cutoff:
            closed.add(opinion.table_id)
    return latest


@dataclass
class TableExport:
    table: TargetTable
    tree: list[TreeNode]
    opinions: dict[str, ReviewOpinion] = field(default_factory=dict)
    # The approved version printed (the export is marked 已批准); None for any other table.
    approval: TableSnapshot | None = None


def version_in_force(table: TargetTable) -> TableSnapshot | None:
    """The approved snapshot an export prints instead of the live table: while an adjustment
    (调整) is drafted or reviewed, or after it was rejected, the approved version stays in
    force (DOMAIN.md §7). Reads `approved_snapshot` as the query loaded it."""
    if table.approved_snapshot_id is None or table.status == TargetTable.Status.APPROVED:
        return None
    return table.approved_snapshot


def _frozen(table: TargetTable, snapshot: TableSnapshot) -> tuple[TargetTable, list[TreeNode]]:
    """The snapshot's table and tree, with the live table's loaded organisation and notice
    (the snapshot keeps their ids), so printing it costs no query but the cited sources'."""
    frozen, rows = snapshot_rows(snapshot)
    attach_basis_sources(rows)
    if frozen.organisation_id == table.organisation_id:
        frozen.organisation = table.organisation
    if frozen.notice_id is not None and frozen.notice_id == table.notice_id:
        frozen.notice = table.notice
    return frozen, build_tree(rows)


def _table_exports(tables: list[TargetTable]) -> list[TableExport]:
    """What each table prints: the live table and its tree, or the approved version in force
    rebuilt from its snapshot. One query for the live trees, one for the opinions."""
    frozen = {
        t.pk: (snapshot, *_frozen(t, snapshot))
        for t in tables
        if (snapshot := version_in_force(t)) is not None
    }
    trees = trees_for_tables([t.pk for t in tables if t.pk not in frozen])
    # Only the 部门整体支出 layout prints review opinions (documents.targets.department_grid).
    reviewed = [t.pk for t in tables if t.layout == TargetTable.Layout.DEPARTMENT]
    approved_at = {pk: snapshot.approved_at for pk, (snapshot, _, _) in frozen.items()}
    opinions = opinions_for_tables(reviewed, approved_at=approved_at) if reviewed else {}
    exports = []
    for t in tables:
        if t.pk in frozen:
            snapshot, table, tree = frozen[t.pk]
            exports.append(TableExport(table, tree, opinions.get(t.pk, {}), snapshot))
        else:
            # A live approved table is its approved version: mark it, print it as it is.
            approval = t.approved_snapshot if t.status == TargetTable.Status.APPROVED else None
            exports.append(TableExport(t, trees[t.pk], opinions.get(t.pk, {}), approval))
    return exports


def target_export(user: User | None, pk: int) -> TableExport:
    table = _printed_tables(user).filter(pk=pk).first()
    if table is None:
        raise Http404("没有找到该绩效目标表。")
    return _table_exports([table])[0]


def allocation_export(user: User | None, pk: int) -> ComputedAllocation:
    table = _allocations(user).filter(pk=pk).first()
    if table is None:
        raise Http404("没有找到该分配表。")
    return compute_allocation(table)


@dataclass
class AttachmentExport:
    attachment: NoticeAttachment
    allocation: ComputedAllocation | None = None
    target: TableExport | None = None


@dataclass
class NoticeExport:
    notice: FundNotice
    recipients: list[Organisation]
    paragraphs: list
    attachments: list[AttachmentExport]


def notice_export(user: User | None, pk: int) -> NoticeExport:
    notice = _notices(user).filter(pk=pk, is_external=False).first()
    if notice is None:
        raise Http404("没有找到该通知。")
    recipients = [
        link.organisation
        for link in notice.recipient_links.select_related("organisation").order_by("position")
    ]
    paragraphs = list(notice.paragraphs.order_by("position"))
    attachments = list(notice.attachments.order_by("position"))
    # An issued notice prints the record kept at issue, whatever the live tables are now.
    if any(a.snapshot for a in attachments):
        return NoticeExport(notice, recipients, paragraphs, _recorded(attachments))
    # Attached tables are visible with the notice (target_tables_visible_to includes them).
    table_ids = [a.target_table_id for a in attachments if a.target_table_id]
    tables = {t.pk: t for t in _printed_tables(user).filter(pk__in=table_ids)}
    table_exports = {t.table.pk: t for t in _table_exports(list(tables.values()))}
    allocations = {
        t.pk: t
        for t in AllocationTable.objects.filter(
            pk__in=[a.allocation_table_id for a in attachments if a.allocation_table_id]
        )
    }
    out = []
    for attachment in attachments:
        item = AttachmentExport(attachment)
        if attachment.allocation_table_id in allocations:
            item.allocation = compute_allocation(allocations[attachment.allocation_table_id])
        if attachment.target_table_id in table_exports:
            item.target = table_exports[attachment.target_table_id]
        out.append(item)
    return NoticeExport(notice, recipients, paragraphs, out)


def _recorded(attachments: list[NoticeAttachment]) -> list[AttachmentExport]:
    """The attachments of an issued notice as recorded at issue. No query: the record holds
    each table whole (the allocation standards as the figures they were)."""
    out = []
    for attachment in attachments:
        item = AttachmentExport(attachment)
        record = attachment.snapshot or {}
        if "allocation" in record:
            item.allocation = allocation_from_snapshot(record["allocation"])
        elif "target" in record:
            table, rows = table_from_record(record["target"])
            item.target = TableExport(table, build_tree(rows))
        out.append(item)
    # The layouts print the organisation's name: one query for all of them.
    tables = [item.target.table for item in out if item.target is not None]
    organisations = Organisation.objects.select_related("region").in_bulk(
        {t.organisation_id for t in tables}
    )
    for table in tables:
        table.organisation = organisations.get(table.organisation_id)
    return out


def parse_org_year(ident: str) -> tuple[int, int]:
    try:
        org_id, year = (int(part) for part in str(ident).split("-", 1))
    except ValueError as exc:
        raise Http404("标识应为“单位编号-年度”，如 11-2020。") from exc
    return org_id, year


@dataclass
class DepartmentExport:
    organisation: Organisation
    year: int
    department: TableExport | None
    projects: list[TableExport]
    reviewer: Organisation | None  # the finance bureau of the region (顺平县财政局审核)

    @property
    def is_draft(self) -> bool:
        tables = [self.department.table] if self.department else []
        tables += [p.table for p in self.projects]
        return any(t.status != TargetTable.Status.APPROVED for t in tables)


def _finance_bureau(organisation: Organisation) -> Organisation | None:
    return (
        Organisation.objects.filter(
            region_id=organisation.region_id, kind=Organisation.Kind.FINANCE
        )
        .order_by("pk")
        .first()
    )


def department_export(user: User | None, ident: str) -> DepartmentExport:
    org_id, year = parse_org_year(ident)
    tables = list(
        _printed_tables(user)
        .filter(
            organisation_id=org_id,
            year=year,
            layout__in=DEPARTMENT_LAYOUTS,
        )
        .order_by("sequence", "pk")
    )
    if not tables:
        raise Http404("没有找到该部门的绩效文本。")
    exports = _table_exports(tables)
    department = next((e for e in exports if e.table.layout == TargetTable.Layout.DEPARTMENT), None)
    projects = [e for e in exports if e.table.layout == TargetTable.Layout.DEPT_PROJECT]
    organisation = tables[0].organisation
    return DepartmentExport(organisation, year, department, projects, _finance_bureau(organisation))


@dataclass
class SummaryExport:
    organisation: Organisation
    year: int
    funds: list[TableExport]
    department: TargetTable | None  # for reconciling 项目支出 with the funds' total
    # The bureau's own 汇总表 (seed 002 附件3-1) with its rows prefetched, when it has one.
    summary: SpecialFundSummary | None = None


def summary_export(user: User | None, ident: str) -> SummaryExport:
    org_id, year = parse_org_year(ident)
    rows = list(
        _printed_tables(user)
        .filter(
            organisation_id=org_id,
            year=year,
            layout__in=[TargetTable.Layout.SPECIAL_FUND, TargetTable.Layout.DEPARTMENT],
        )
        .order_by("sequence", "pk")
    )
    funds = [t for t in rows if t.layout == TargetTable.Layout.SPECIAL_FUND]
    if not funds:
        raise Http404("没有找到该单位的专项资金绩效目标。")
    department = next((t for t in rows if t.layout == TargetTable.Layout.DEPARTMENT), None)
    # Scoped through the funds just read: the summary is the same organisation's.
    summary = (
        SpecialFundSummary.objects.filter(organisation_id=funds[0].organisation_id, year=year)
        .prefetch_related("rows")
        .first()
    )
    return SummaryExport(funds[0].organisation, year, _table_exports(funds), department, summary)


class ExportScope:
    """What one user (None: the operator) may export, each list read at most once; the export
    kinds list their objects from it (kinds.exportable_objects)."""

    def __init__(self, user: User | None) -> None:
        self.user = user

    @cached_property
    def notices(self) -> list[FundNotice]:
        return list(_notices(self.user).filter(is_external=False).order_by("pk"))

    @cached_property
    def allocation_tables(self) -> list[AllocationTable]:
        return list(_allocations(self.user).order_by("pk"))

    @cached_property
    def target_tables(self) -> list[TargetTable]:
        return list(_tables(self.user).order_by("organisation_id", "year", "sequence", "pk"))


def export_jobs_visible_to(user: User):
    """A job's file was built with its requester's scope, so only the requester sees it."""
    from perfgoals.exports.models import ExportJob

    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=user)
